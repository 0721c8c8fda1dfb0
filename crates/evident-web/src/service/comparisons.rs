//! Open comparisons, shared by the pages, the API and the downloads: choosing an indicator,
//! period, variant and breakdown; the ranked table of a node's children with the funnel around
//! the national value; a municipality's profile against its county, the nation and groups of
//! municipalities; and those tables as download sheets.
//!
//! Every value comes from `IndicatorStore::published_rows`, i.e. after disclosure control.
//! Values for the nation, counties and municipalities are open statistics ([`DataClass::Public`]:
//! anyone may read them, signed in or not); a unit's values are aggregate data of that unit and
//! need a role there or above.

use crate::auth::SignedIn;
use crate::render::{Cell, Sheet};
use crate::{AppError, AppState};
use evident_core::access::{Action, DataClass, Decision, decide};
use evident_core::indicator::cube::category_index;
use evident_core::indicator::group::ComparisonGroup;
use evident_core::indicator::publish::format_value;
use evident_core::indicator::report::{
    Funnel, PopulationBand, RankedEntry, Subject, change, group_mean, rank,
};
use evident_core::indicator::{CATEGORIES, Definition, Period, Published, ValueUnit};
use evident_core::org::registry::population;
use evident_core::stats::comparison::Tertile;
use evident_core::{OrgCode, OrgLevel, OrgNode};
use evident_store::PublishedRow;
use serde::Deserialize;
use std::collections::HashMap;

/// The variant every indicator has: all records, not split by instrument or intervention type.
/// Users write `all`; the store keys it as the empty string.
pub const ALL_VARIANT: &str = "all";

/// The store's key of a variant as users write it.
fn stored_variant(variant: &str) -> &str {
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
    /// The day (in Sweden) the selection was made, which decides what is preliminary.
    pub today: chrono::NaiveDate,
}

impl Selection {
    /// The breakdown category's name.
    pub fn category_name(&self) -> &'static str {
        CATEGORIES[self.category]
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
    let today = state.clock.today();
    let periods = begun(state.store.indicator_periods(id).await?, today);
    let mut variants = state.store.indicator_variants(id).await?;
    variants.retain(|v| !v.is_empty() && v != ALL_VARIANT);
    variants.insert(0, ALL_VARIANT.to_owned());
    let period = chosen_period(params.period.as_deref(), &periods, today)?;
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
        today,
    })
}

/// The first day of a period.
fn first_day(period: Period) -> chrono::NaiveDate {
    let (year, month) = match period {
        Period::Year(y) => (y, 1),
        Period::Quarter(y, q) => (y, 3 * u32::from(q) - 2),
    };
    chrono::NaiveDate::from_ymd_opt(year, month, 1).unwrap_or(chrono::NaiveDate::MIN)
}

/// Whether a period has not ended yet: its values are preliminary (records still arrive, and
/// follow-up windows closing later in it are still open).
pub fn is_preliminary(period: Period, today: chrono::NaiveDate) -> bool {
    let next = match period {
        Period::Year(y) => Period::Year(y + 1),
        Period::Quarter(y, 4) => Period::Quarter(y + 1, 1),
        Period::Quarter(y, q) => Period::Quarter(y, q + 1),
    };
    first_day(next) > today
}

/// The periods that have begun. Some records are dated ahead (a baseline's follow-up window
/// closes months after it), so the store holds periods in the future; they are not offered.
fn begun(mut periods: Vec<Period>, today: chrono::NaiveDate) -> Vec<Period> {
    periods.retain(|p| first_day(*p) <= today);
    periods
}

/// The breakdown category asked for (`all` when none is given).
fn parse_breakdown(raw: Option<&str>) -> Result<usize, AppError> {
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

/// The period asked for, or the default among `periods`.
fn chosen_period(
    raw: Option<&str>,
    periods: &[Period],
    today: chrono::NaiveDate,
) -> Result<Period, AppError> {
    match raw.filter(|p| !p.is_empty()) {
        Some(raw) => parse_period(raw),
        None => Ok(default_period(periods, today)),
    }
}

/// The newest year with data, else the current year.
fn default_period(periods: &[Period], today: chrono::NaiveDate) -> Period {
    periods
        .iter()
        .copied()
        .find(|p| matches!(p, Period::Year(_)))
        .or_else(|| periods.first().copied())
        .unwrap_or_else(|| {
            use chrono::Datelike;
            Period::Year(today.year())
        })
}

/// Published cells by node for one indicator, variant and period.
pub async fn cells_by_node(
    state: &AppState,
    indicator: &str,
    variant: &str,
    period: Period,
) -> Result<HashMap<OrgCode, Vec<Published>>, AppError> {
    let rows: Vec<PublishedRow> = state
        .store
        .published_rows(indicator, stored_variant(variant), period)
        .await?;
    Ok(rows.into_iter().map(|r| (r.node, r.cells)).collect())
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
    let scope_node = state.store.get_org(scope).await?;
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
    let mut children = state.store.list_orgs(level, Some(scope)).await?;
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
    let current = cells_by_node(state, id, &selection.variant, selection.period).await?;
    let previous =
        cells_by_node(state, id, &selection.variant, selection.period.previous()).await?;
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
        lineage.push(state.store.get_org(&code).await?);
    }
    let mut trend = Vec::new();
    for period in selection.periods.iter().rev() {
        if !matches!(period, Period::Year(_)) {
            continue;
        }
        let cells = if *period == selection.period {
            current.clone()
        } else {
            cells_by_node(state, id, &selection.variant, *period).await?
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

/// One indicator on a municipality's profile.
#[derive(Debug, Clone)]
pub struct ProfileRow {
    /// The indicator.
    pub definition: &'static Definition,
    /// The municipality's value.
    pub own: Published,
    /// Its change since the previous period.
    pub change: Option<f64>,
    /// Its colour among all municipalities.
    pub tertile: Option<Tertile>,
    /// Its rank among the municipalities with a value, and how many there are.
    pub rank: Option<(usize, usize)>,
    /// The county's value.
    pub county: Published,
    /// The nation's value.
    pub nation: Published,
    /// The mean of the other municipalities of similar size, and how many it rests on.
    pub similar: Option<(f64, usize)>,
    /// The mean of the chosen group's other members, and how many it rests on.
    pub group: Option<(f64, usize)>,
}

/// A municipality's profile: every indicator against its county, the nation and groups.
#[derive(Debug, Clone)]
pub struct Profile {
    /// The municipality.
    pub municipality: OrgNode,
    /// Its county.
    pub county: OrgNode,
    /// The period shown.
    pub period: Period,
    /// Periods with data in any indicator, newest first.
    pub periods: Vec<Period>,
    /// The day (in Sweden) the profile was made, which decides what is preliminary.
    pub today: chrono::NaiveDate,
    /// The breakdown category shown.
    pub category: usize,
    /// Its population and size band, when known.
    pub band: Option<(u64, PopulationBand)>,
    /// How many other municipalities share the band.
    pub similar_members: usize,
    /// The user-defined group compared with, if one was chosen.
    pub group: Option<ComparisonGroup>,
    /// One row per indicator, in definition order.
    pub rows: Vec<ProfileRow>,
}

/// What a profile can be asked for.
#[derive(Debug, Clone, Default, Deserialize, utoipa::IntoParams)]
#[serde(default)]
pub struct ProfileParams {
    /// `2025` or `2025Q3`; default the newest year with data.
    pub period: Option<String>,
    /// A breakdown category, as for the indicator table.
    pub breakdown: Option<String>,
    /// A comparison group id.
    pub group: Option<String>,
}

/// The profile of `municipality`.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown municipality or group; [`AppError::Invalid`] naming
/// `period`, `breakdown` or `group`.
pub async fn profile(
    state: &AppState,
    municipality: &OrgCode,
    params: &ProfileParams,
) -> Result<Profile, AppError> {
    if municipality.level() != OrgLevel::Municipality {
        return Err(AppError::Invalid(format!(
            "municipality: {municipality} is not a municipality code"
        )));
    }
    let node = state.store.get_org(municipality).await?;
    let county_code = municipality
        .parent()
        .expect("a municipality has a county above it");
    let county = state.store.get_org(&county_code).await?;
    let set = evident_store::indicators::indicator_set();
    let mut periods = Vec::new();
    for definition in &set.definitions {
        for period in state.store.indicator_periods(&definition.id).await? {
            if !periods.contains(&period) {
                periods.push(period);
            }
        }
    }
    Period::sort_newest_first(&mut periods);
    let today = state.clock.today();
    let periods = begun(periods, today);
    let period = chosen_period(params.period.as_deref(), &periods, today)?;
    let category = parse_breakdown(params.breakdown.as_deref())?;
    let group = match params.group.as_deref().filter(|g| !g.is_empty()) {
        Some(raw) => {
            let id: i64 = raw.parse().map_err(|_| {
                AppError::Invalid(format!("group: '{raw}' is not a comparison group id"))
            })?;
            Some(state.store.get_comparison_group(id).await?)
        }
        None => None,
    };
    let municipalities = state.store.list_orgs(OrgLevel::Municipality, None).await?;
    let band = population(municipality).map(|p| (p, PopulationBand::of(p)));
    let similar: Vec<&OrgNode> = municipalities
        .iter()
        .filter(|m| {
            m.code != *municipality
                && band.is_some()
                && population(&m.code).map(PopulationBand::of) == band.map(|b| b.1)
        })
        .collect();
    let mut rows = Vec::new();
    for definition in &set.definitions {
        let id = definition.id.as_str();
        let current = cells_by_node(state, id, ALL_VARIANT, period).await?;
        let previous = cells_by_node(state, id, ALL_VARIANT, period.previous()).await?;
        let own = cell(&current, municipality, category);
        let subjects: Vec<Subject> = municipalities
            .iter()
            .map(|m| Subject {
                code: m.code.clone(),
                name: m.name.clone(),
                current: cell(&current, &m.code, category),
                previous: Published::NoData,
            })
            .collect();
        let ranked = rank(definition, subjects, None);
        let with_value = ranked
            .iter()
            .filter(|e| e.current.value().is_some())
            .count();
        let mine = ranked.iter().find(|e| &e.code == municipality);
        let similar_cells: Vec<Published> = similar
            .iter()
            .map(|m| cell(&current, &m.code, category))
            .collect();
        let group_cells: Vec<Published> = group
            .iter()
            .flat_map(|g| &g.members)
            .filter(|m| *m != municipality)
            .map(|m| cell(&current, m, category))
            .collect();
        rows.push(ProfileRow {
            definition,
            change: change(&own, &cell(&previous, municipality, category)),
            tertile: mine.and_then(|e| e.tertile),
            rank: mine.and_then(|e| e.rank).map(|r| (r, with_value)),
            own,
            county: cell(&current, &county_code, category),
            nation: cell(&current, &OrgCode::nation(), category),
            similar: group_mean(&similar_cells),
            group: group.as_ref().and_then(|_| group_mean(&group_cells)),
        });
    }
    Ok(Profile {
        municipality: node,
        county,
        period,
        periods,
        category,
        band,
        similar_members: similar.len(),
        group,
        rows,
        today,
    })
}

/// A value as a number in the unit people read (per cent as 0–100, percentage points as
/// points), for downloads.
pub fn display_number(unit: ValueUnit, value: f64) -> f64 {
    match unit {
        ValueUnit::Percent | ValueUnit::PercentagePoints => value * 100.0,
        ValueUnit::Days | ValueUnit::EffectSize => value,
    }
}

/// A change formatted for people: percentage points for shares, the unit otherwise.
pub fn format_change(unit: ValueUnit, change: f64, lang: &str) -> String {
    let unit = match unit {
        ValueUnit::Percent => ValueUnit::PercentagePoints,
        other => other,
    };
    let text = format_value(unit, change, lang);
    if change > 0.0 && !text.starts_with('+') {
        format!("+{text}")
    } else {
        text
    }
}

fn number_or_empty(value: Option<f64>) -> Cell {
    value.map_or(Cell::Empty, Cell::Number)
}

fn tertile_word(tertile: Option<Tertile>) -> Cell {
    Cell::Text(
        match tertile {
            Some(Tertile::Best) => "best",
            Some(Tertile::Middle) => "middle",
            Some(Tertile::Worst) => "worst",
            None => "",
        }
        .to_owned(),
    )
}

/// The ranked table as a sheet, rows in the order shown; values in the unit shown.
pub fn table_sheet(table: &RankedTable) -> Sheet {
    let unit = table.selection.definition.unit;
    let text = |s: &str| Cell::Text(s.to_owned());
    let mut rows = vec![
        [
            "rank", "code", "name", "value", "ci_low", "ci_high", "n", "change", "colour",
            "funnel", "status",
        ]
        .map(text)
        .to_vec(),
    ];
    for entry in &table.entries {
        let (value, ci, n) = match &entry.current {
            Published::Value { value, ci, n, .. } => (Some(*value), *ci, Some(*n)),
            _ => (None, None, None),
        };
        rows.push(vec![
            number_or_empty(entry.rank.map(|r| r as f64)),
            text(entry.code.as_str()),
            text(&entry.name),
            number_or_empty(value.map(|v| display_number(unit, v))),
            number_or_empty(ci.map(|c| display_number(unit, c.0))),
            number_or_empty(ci.map(|c| display_number(unit, c.1))),
            number_or_empty(n.map(|n| n as f64)),
            number_or_empty(entry.change.map(|c| display_number(unit, c))),
            tertile_word(entry.tertile),
            text(entry.signal.map_or("", |s| s.as_str())),
            text(entry.current.status()),
        ]);
    }
    Sheet {
        name: format!(
            "{} {} {}",
            table.selection.definition.id, table.scope.code, table.selection.period
        ),
        rows,
    }
}

/// The profile as a sheet, one row per indicator.
pub fn profile_sheet(profile: &Profile, lang: &str) -> Sheet {
    let text = |s: &str| Cell::Text(s.to_owned());
    let mut rows = vec![
        [
            "indicator",
            "title",
            "unit",
            "value",
            "n",
            "change",
            "colour",
            "rank",
            "of",
            "county",
            "nation",
            "similar",
            "similar_n",
            "group",
            "group_n",
            "status",
        ]
        .map(text)
        .to_vec(),
    ];
    for row in &profile.rows {
        let unit = row.definition.unit;
        let shown = |p: &Published| number_or_empty(p.value().map(|v| display_number(unit, v)));
        rows.push(vec![
            text(&row.definition.id),
            text(row.definition.title.get(lang)),
            text(unit.as_str()),
            shown(&row.own),
            number_or_empty(row.own.n().map(|n| n as f64)),
            number_or_empty(row.change.map(|c| display_number(unit, c))),
            tertile_word(row.tertile),
            number_or_empty(row.rank.map(|r| r.0 as f64)),
            number_or_empty(row.rank.map(|r| r.1 as f64)),
            shown(&row.county),
            shown(&row.nation),
            number_or_empty(row.similar.map(|s| display_number(unit, s.0))),
            number_or_empty(row.similar.map(|s| s.1 as f64)),
            number_or_empty(row.group.map(|g| display_number(unit, g.0))),
            number_or_empty(row.group.map(|g| g.1 as f64)),
            text(row.own.status()),
        ]);
    }
    Sheet {
        name: format!("{} {}", profile.municipality.code, profile.period),
        rows,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_in_the_future_are_not_offered() {
        assert_eq!(
            first_day(Period::Quarter(2025, 3)).to_string(),
            "2025-07-01"
        );
        assert_eq!(first_day(Period::Year(2025)).to_string(), "2025-01-01");
        let today = "2025-12-31".parse().unwrap();
        let kept = begun(
            vec![
                Period::Year(2026),
                Period::Quarter(2026, 1),
                Period::Year(2025),
                Period::Quarter(2025, 4),
            ],
            today,
        );
        assert_eq!(kept, [Period::Year(2025), Period::Quarter(2025, 4)]);
        let new_year = "2026-01-01".parse().unwrap();
        assert_eq!(
            begun(
                vec![Period::Quarter(2026, 1), Period::Quarter(2026, 2)],
                new_year
            ),
            [Period::Quarter(2026, 1)]
        );
        assert!(is_preliminary(Period::Year(2025), today));
        assert!(!is_preliminary(Period::Year(2025), new_year));
    }

    #[test]
    fn changes_of_shares_are_in_percentage_points_with_a_sign() {
        assert_eq!(format_change(ValueUnit::Percent, 0.052, "sv"), "+5,2 p.e.");
        assert_eq!(format_change(ValueUnit::Percent, -0.052, "en"), "−5.2 pp");
        assert_eq!(format_change(ValueUnit::Days, 3.0, "en"), "+3.0");
    }
}
