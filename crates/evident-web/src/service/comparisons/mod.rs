//! Open comparisons, shared by the pages, the API and the downloads: choosing an indicator,
//! period, variant and breakdown; the ranked table of a node's children with the funnel around
//! the national value; a municipality's profile against its county, the nation and groups of
//! municipalities; and those tables as download sheets.
//!
//! Every value comes from `IndicatorStore::published_rows`, i.e. after disclosure control, as
//! of the date the stored rows are computed for: the period holding it is preliminary, later
//! ones are not published.
//! Values for the nation, counties and municipalities are open statistics ([`DataClass::Public`]:
//! anyone may read them, signed in or not); a unit's values are aggregate data of that unit and
//! need a role there or above.
//!
//! # Layout
//! - this module: choosing indicator, period, variant and breakdown ([`Selection`]); reading
//!   published cells and who may read them.
//! - `ranked`: [`RankedTable`].
//! - `profile`: [`Profile`].
//! - `sheets`: display numbers and download sheets.
//! - `groups`: making and removing comparison groups, behind the policy.
//! - `cache`: published tables, periods and variants kept per revision ([`PublishedCache`]).

pub mod cache;
mod groups;
mod profile;
mod ranked;
mod sheets;

pub use cache::PublishedCache;
pub use groups::*;
pub use profile::*;
pub use ranked::*;
pub use sheets::*;

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use cache::Cells;
use evident_core::access::{Action, DataClass};
use evident_core::indicator::cube::category_index;
use evident_core::indicator::publish::mark_not_applicable;
use evident_core::indicator::{CATEGORIES, Definition, Period, Published};
use evident_core::org::UnitArea;
use evident_core::{OrgCode, OrgLevel, OrgNode};
use evident_store::PublishedRow;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

/// The variant every indicator has: all records, not split by instrument or intervention type.
/// Users write `all`; the store keys it as the empty string.
pub const ALL_VARIANT: &str = "all";

/// The store's key of a variant as users write it.
pub(super) fn stored_variant(variant: &str) -> &str {
    if variant == ALL_VARIANT { "" } else { variant }
}

/// What the user asked to see, as query parameters (all optional).
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct SelectionParams {
    /// `2025` or `2025Q3`; default the newest year with data.
    pub period: Option<String>,
    /// `all` (default), `instrument:<id>` or `type:<code>`.
    pub variant: Option<String>,
    /// `all` (default), `female`, `male`, `age_0_17`, `age_18_29`, `age_30_49`, `age_50_64`
    /// or `age_65_plus`.
    pub breakdown: Option<String>,
}

/// A checked choice of indicator, period, variant and breakdown, with what else is available.
#[derive(Debug, Clone)]
pub struct Selection {
    /// The indicator.
    pub definition: &'static Definition,
    /// The period shown.
    pub period: Period,
    /// The variant shown.
    pub variant: String,
    /// The breakdown category shown (index into [`CATEGORIES`]).
    pub category: usize,
    /// Periods with data, newest first.
    pub periods: Vec<Period>,
    /// Variants with data, `all` first.
    pub variants: Vec<String>,
    /// The day the published values are computed as of, which decides what is preliminary.
    pub as_of: chrono::NaiveDate,
    /// The revision of the published values shown (the ETag of public answers).
    pub revision: i64,
    /// The minimum count in force, which the pages explain.
    pub min_count: u64,
}

impl Selection {
    /// The breakdown category's name.
    pub fn category_name(&self) -> &'static str {
        CATEGORIES[self.category]
    }

    /// Whether the period shown has not ended by the as-of date.
    pub fn preliminary(&self) -> bool {
        self.period.status_on(self.as_of).is_preliminary()
    }
}

/// The indicator `id`, or a 404 naming it.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown id.
pub fn definition(id: &str) -> Result<&'static Definition, AppError> {
    evident_store::indicators::indicator_set()
        .get(id)
        .ok_or_else(|| AppError::NotFound(format!("indicator '{id}'")))
}

/// Parses a period parameter.
///
/// # Errors
/// [`AppError::Invalid`] naming the field and the expected forms.
pub fn parse_period(raw: &str) -> Result<Period, AppError> {
    Period::parse(raw).ok_or_else(|| {
        AppError::Invalid(format!(
            "period: '{raw}' is not a year (2025) or a quarter (2025Q3)"
        ))
    })
}

/// Checks the user's choice for indicator `id`.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown indicator; [`AppError::Invalid`] naming `period`,
/// `variant` or `breakdown` when one is malformed or unknown.
pub async fn select(
    state: &AppState,
    id: &str,
    params: &SelectionParams,
) -> Result<Selection, AppError> {
    let definition = definition(id)?;
    let indicators = state.analytics.indicator_state().await?;
    let (as_of, revision, min_count) =
        (indicators.as_of, indicators.revision, indicators.min_count);
    let periods = cache::periods(state, revision, id).await?.to_vec();
    let mut variants = cache::variants(state, revision, id).await?.to_vec();
    variants.retain(|v| !v.is_empty() && v != ALL_VARIANT);
    variants.insert(0, ALL_VARIANT.to_owned());
    let period = chosen_period(id, params.period.as_deref(), &periods, as_of)?;
    let variant = params
        .variant
        .clone()
        .filter(|v| !v.is_empty())
        .unwrap_or_else(|| ALL_VARIANT.to_owned());
    if !variants.contains(&variant) {
        return Err(AppError::Invalid(format!(
            "variant: '{variant}' is not a variant of {id}; it has {}",
            variants.join(", ")
        )));
    }
    let category = parse_breakdown(params.breakdown.as_deref())?;
    Ok(Selection {
        definition,
        period,
        variant,
        category,
        periods,
        variants,
        as_of,
        revision,
        min_count,
    })
}

/// Checks that `period` is published as of `as_of`: one that has not begun has no values yet.
///
/// # Errors
/// [`AppError::NotFound`] naming the period and the as-of date.
pub fn published(period: Period, as_of: chrono::NaiveDate) -> Result<(), AppError> {
    if period.status_on(as_of).is_published() {
        Ok(())
    } else {
        Err(AppError::NotFound(format!(
            "period {period} (it has not begun: indicators are as of {as_of})"
        )))
    }
}

/// The breakdown category asked for (`all` when none is given).
pub(super) fn parse_breakdown(raw: Option<&str>) -> Result<usize, AppError> {
    match raw.filter(|b| !b.is_empty()) {
        Some(raw) => category_index(raw).ok_or_else(|| {
            AppError::Invalid(format!(
                "breakdown: '{raw}' is not one of {}",
                CATEGORIES.join(", ")
            ))
        }),
        None => Ok(0),
    }
}

/// The period asked for (if published as of `as_of`), or the default among `periods`.
pub(super) fn chosen_period(
    id: &str,
    raw: Option<&str>,
    periods: &[Period],
    as_of: chrono::NaiveDate,
) -> Result<Period, AppError> {
    match raw.filter(|p| !p.is_empty()) {
        Some(raw) => {
            let period = parse_period(raw)?;
            known_period(id, period, periods, as_of)?;
            Ok(period)
        }
        None => Ok(default_period(periods, as_of)),
    }
}

/// The newest year with data, else the year of the as-of date.
pub(super) fn default_period(periods: &[Period], as_of: chrono::NaiveDate) -> Period {
    periods
        .iter()
        .copied()
        .find(|p| matches!(p, Period::Year(_)))
        .or_else(|| periods.first().copied())
        .unwrap_or_else(|| {
            use chrono::Datelike;
            Period::Year(as_of.year())
        })
}

/// Checks that `period` may be asked for: published as of `as_of` (see [`published`]) and not
/// before the indicator's first period with data (`periods`, newest first), so that a typo
/// such as `1990` is not answered as missing data.
///
/// # Errors
/// [`AppError::NotFound`] naming the period and what is known.
pub fn known_period(
    id: &str,
    period: Period,
    periods: &[Period],
    as_of: chrono::NaiveDate,
) -> Result<(), AppError> {
    published(period, as_of)?;
    match periods.iter().map(|p| p.year()).min() {
        Some(first) if period.year() < first => Err(AppError::NotFound(format!(
            "period {period} ({id} has data from {first})"
        ))),
        _ => Ok(()),
    }
}

/// The registry's nation, counties and municipalities, parsed once. Every store syncs these
/// nodes from the same embedded registry when it opens, so they are read from memory here;
/// units, which users create, come from the store.
fn registry() -> &'static evident_core::Registry {
    static REGISTRY: std::sync::OnceLock<evident_core::Registry> = std::sync::OnceLock::new();
    REGISTRY.get_or_init(evident_core::Registry::sweden)
}

/// The node `code`: from the registry above units, from the store for a unit.
///
/// # Errors
/// [`AppError::NotFound`] (through the store) for an unknown code.
pub async fn org(state: &AppState, code: &OrgCode) -> Result<OrgNode, AppError> {
    if code.level() != OrgLevel::Unit
        && let Some(node) = registry().find(code)
    {
        return Ok(node.clone());
    }
    Ok(state.store.get_org(code).await?)
}

/// The nodes at `level` within `scope` (everything when none), in code order, as
/// `OrgStore::list_orgs` gives them.
///
/// # Errors
/// When the store cannot be read (units only).
pub async fn orgs(
    state: &AppState,
    level: OrgLevel,
    scope: Option<&OrgCode>,
) -> Result<Vec<OrgNode>, AppError> {
    if level == OrgLevel::Unit {
        return Ok(state.store.list_orgs(level, scope).await?);
    }
    let prefix = scope
        .filter(|s| s.level() != OrgLevel::Nation)
        .map_or("", |s| s.as_str());
    let mut nodes: Vec<OrgNode> = registry()
        .nodes()
        .filter(|n| n.code.level() == level && n.code.as_str().starts_with(prefix))
        .cloned()
        .collect();
    nodes.sort_by(|a, b| a.code.as_str().cmp(b.code.as_str()));
    Ok(nodes)
}

/// Checks that `node` is in the organisation registry: an unknown code is a 404 naming it, not
/// a node without data.
///
/// # Errors
/// [`AppError::NotFound`] naming the code.
pub async fn known_node(state: &AppState, node: &OrgCode) -> Result<(), AppError> {
    if node.level() != OrgLevel::Unit && registry().find(node).is_some() {
        return Ok(());
    }
    match state.store.get_org(node).await {
        Ok(_) => Ok(()),
        Err(evident_store::StorageError::NotFound(_)) => Err(AppError::NotFound(format!(
            "organisation '{node}' (no such nation, county, municipality or unit)"
        ))),
        Err(e) => Err(e.into()),
    }
}

/// Published cells by node for one indicator, variant and period, read once per `revision`
/// (read it with [`cache::revision`] once per request, or take [`Selection::revision`]); the breakdowns that do not apply at any node are marked (those that apply
/// only at units of some areas are marked by [`mark_units`], which knows the areas).
pub async fn cells_by_node(
    state: &AppState,
    revision: i64,
    indicator: &str,
    variant: &str,
    period: Period,
) -> Result<Arc<Cells>, AppError> {
    let definition = definition(indicator)?;
    let key = (
        indicator.to_owned(),
        stored_variant(variant).to_owned(),
        period,
    );
    if let Some(hit) = state.published.table(revision, &key) {
        return Ok(hit);
    }
    let rows: Vec<PublishedRow> = state
        .analytics
        .published_rows(indicator, stored_variant(variant), period)
        .await?;
    let cells: Arc<Cells> = Arc::new(
        rows.into_iter()
            .map(|mut r| {
                mark_not_applicable(definition, None, &mut r.cells);
                (r.node, r.cells)
            })
            .collect(),
    );
    state
        .published
        .keep_table(revision, key, Arc::clone(&cells));
    Ok(cells)
}

/// Marks the breakdowns that do not apply at `units` (a code with the unit's area), giving a
/// unit without a row its row of empty or inapplicable cells.
pub fn mark_units(
    definition: &Definition,
    cells: &mut HashMap<OrgCode, Vec<Published>>,
    units: impl IntoIterator<Item = (OrgCode, UnitArea)>,
) {
    for (code, area) in units {
        mark_not_applicable(definition, Some(area), cells.entry(code).or_default());
    }
}

/// The cell of `node` in `category`; no data when the node has no row.
pub fn cell(
    cells: &HashMap<OrgCode, Vec<Published>>,
    node: &OrgCode,
    category: usize,
) -> Published {
    cells
        .get(node)
        .and_then(|c| c.get(category))
        .cloned()
        .unwrap_or(Published::NoData)
}

/// Whether values at `node` are open statistics or a unit's aggregate data.
pub fn data_class(node: &OrgCode) -> DataClass {
    if node.level() == OrgLevel::Unit {
        DataClass::Aggregate
    } else {
        DataClass::Public
    }
}

/// Checks that `user` may read indicator values at `node`: anyone for open statistics, a role
/// reading aggregate data at the unit otherwise (a denial is audited).
///
/// # Errors
/// [`AppError::Unauthorized`] for a visitor asking for a unit; [`AppError::Forbidden`] when
/// the policy denies it.
pub async fn authorize_node(
    user: Option<&SignedIn>,
    node: &OrgCode,
    indicator: &str,
) -> Result<(), AppError> {
    if data_class(node) == DataClass::Public {
        return Ok(());
    }
    let Some(user) = user else {
        return Err(AppError::Unauthorized(
            "sign in to see results for units".to_owned(),
        ));
    };
    user.authorize(
        Action::Read,
        node,
        DataClass::Aggregate,
        &format!("indicator:{indicator}"),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_core::indicator::ValueUnit;

    #[test]
    fn a_period_that_has_not_begun_is_not_found_and_the_current_one_is_shown() {
        let as_of = "2025-12-31".parse().unwrap();
        assert!(published(Period::Year(2025), as_of).is_ok());
        assert!(published(Period::Quarter(2025, 4), as_of).is_ok());
        let err = published(Period::Quarter(2026, 1), as_of).unwrap_err();
        assert!(
            matches!(err, AppError::NotFound(ref m) if m.contains("2026Q1") && m.contains("2025-12-31")),
            "{err:?}"
        );
    }

    #[test]
    fn changes_of_shares_are_in_percentage_points_with_a_sign() {
        assert_eq!(format_change(ValueUnit::Percent, 0.052, "sv"), "+5,2 p.e.");
        assert_eq!(format_change(ValueUnit::Percent, -0.052, "en"), "−5.2 pp");
        assert_eq!(format_change(ValueUnit::Days, 3.0, "en"), "+3.0");
    }
}
