//! The ranked table of a node's children, with the funnel around the national value.

use super::*;
use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::access::{Action, DataClass, Decision, decide};
use evident_core::indicator::report::{Funnel, RankedEntry, Subject, rank};
use evident_core::indicator::{Period, Published};
use evident_core::org::UnitArea;
use evident_core::{OrgCode, OrgLevel, OrgNode};

/// A ranked table of a node's children.
#[derive(Debug, Clone)]
pub struct RankedTable {
    /// What is shown.
    pub selection: Selection,
    /// The node whose children are ranked.
    pub scope: OrgNode,
    /// The nodes from the nation down to the scope, for the breadcrumb.
    pub lineage: Vec<OrgNode>,
    /// The level of the rows.
    pub level: OrgLevel,
    /// The nation's value.
    pub national: Published,
    /// The scope's own value.
    pub scope_value: Published,
    /// The funnel around the national value, if the indicator has one.
    pub funnel: Option<Funnel>,
    /// The rows, best first.
    pub entries: Vec<RankedEntry>,
    /// Units of the scope left out because the user's role does not reach them.
    pub hidden_units: usize,
    /// Nodes left out because nothing was counted for them in the period.
    pub without_data: usize,
    /// The scope's and the nation's values in every year with data, oldest first.
    pub trend: Vec<(Period, Published, Published)>,
}

/// The ranked table of `scope`'s children at `level` (for the nation: municipalities by
/// default, or counties); a municipality's children are its units, of which only those the
/// user may read are shown.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown scope; [`AppError::Invalid`] for a unit scope or a
/// level that is not below the scope; [`AppError::Unauthorized`]/[`AppError::Forbidden`] when no
/// unit of a municipality may be read.
pub async fn ranked_table(
    state: &AppState,
    user: Option<&SignedIn>,
    selection: Selection,
    scope: &OrgCode,
    level: Option<OrgLevel>,
) -> Result<RankedTable, AppError> {
    let scope_node = org(state, scope).await?;
    let level = match (scope.level(), level) {
        (OrgLevel::Unit, _) => {
            return Err(AppError::Invalid(format!(
                "node: {scope} is a unit, which has nothing below it to rank; choose its municipality"
            )));
        }
        (OrgLevel::Nation, None) | (OrgLevel::County, None) => OrgLevel::Municipality,
        (OrgLevel::Municipality, None) => OrgLevel::Unit,
        (top, Some(level)) if level > top => level,
        (_, Some(level)) => {
            return Err(AppError::Invalid(format!(
                "level: {} is not below {scope}",
                level.as_str()
            )));
        }
    };
    let mut children = orgs(state, level, Some(scope)).await?;
    let mut hidden_units = 0;
    if level == OrgLevel::Unit {
        let before = children.len();
        let first_unit = children.first().map(|u| u.code.clone());
        if let Some(user) = user {
            children.retain(|unit| {
                decide(
                    &user.user.grants,
                    Action::Read,
                    &unit.code,
                    DataClass::Aggregate,
                ) == Decision::Allow
            });
        } else {
            children.clear();
        }
        hidden_units = before - children.len();
        if let (true, Some(unit)) = (children.is_empty(), first_unit) {
            // Nothing the user may see: ask the policy about a unit of the municipality, which
            // audits the denial and says which roles would allow it.
            authorize_node(user, &unit, &selection.definition.id).await?;
        }
    }
    let id = selection.definition.id.as_str();
    let revision = selection.revision;
    let mut current =
        cells_by_node(state, revision, id, &selection.variant, selection.period).await?;
    let mut previous = cells_by_node(
        state,
        revision,
        id,
        &selection.variant,
        selection.period.previous(),
    )
    .await?;
    if level == OrgLevel::Unit {
        let areas: Vec<(OrgCode, UnitArea)> = state
            .store
            .list_units(scope)
            .await?
            .into_iter()
            .map(|u| (u.code, u.area))
            .collect();
        mark_units(
            selection.definition,
            std::sync::Arc::make_mut(&mut current),
            areas.iter().cloned(),
        );
        mark_units(
            selection.definition,
            std::sync::Arc::make_mut(&mut previous),
            areas,
        );
    }
    let category = selection.category;
    let national = cell(&current, &OrgCode::nation(), category);
    let funnel = Funnel::around(selection.definition, &national);
    let subjects = children
        .into_iter()
        .map(|node| Subject {
            current: cell(&current, &node.code, category),
            previous: cell(&previous, &node.code, category),
            code: node.code,
            name: node.name,
        })
        .collect();
    let mut entries = rank(selection.definition, subjects, funnel.as_ref());
    let listed = entries.len();
    entries.retain(|e| e.current != Published::NoData);
    let without_data = listed - entries.len();
    let mut lineage = Vec::new();
    for code in scope.lineage() {
        lineage.push(org(state, &code).await?);
    }
    let mut trend = Vec::new();
    for period in selection.periods.iter().rev() {
        if !matches!(period, Period::Year(_)) {
            continue;
        }
        let cells = if *period == selection.period {
            current.clone()
        } else {
            cells_by_node(state, revision, id, &selection.variant, *period).await?
        };
        trend.push((
            *period,
            cell(&cells, scope, category),
            cell(&cells, &OrgCode::nation(), category),
        ));
    }
    Ok(RankedTable {
        trend,
        scope_value: cell(&current, scope, category),
        selection,
        scope: scope_node,
        lineage,
        level,
        national,
        funnel,
        entries,
        hidden_units,
        without_data,
    })
}
