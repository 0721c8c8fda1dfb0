//! Open comparisons, shared by the pages, the API and the downloads: choosing an indicator,
//! period, variant and breakdown; the ranked table of a node's children with the funnel around
//! the national value; a municipality's profile against its county, the nation and groups of
//! municipalities; and those tables as download sheets.
//!
//! Every value comes from `IndicatorStore::published_rows`, i.e. after disclosure control.
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

mod profile;
mod ranked;
mod sheets;

pub use profile::*;
pub use ranked::*;
pub use sheets::*;

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::access::{Action, DataClass};
use evident_core::indicator::cube::category_index;
use evident_core::indicator::{CATEGORIES, Definition, Period, Published};
use evident_core::{OrgCode, OrgLevel};
use evident_store::PublishedRow;
use serde::Deserialize;
use std::collections::HashMap;

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
pub(super) fn first_day(period: Period) -> chrono::NaiveDate {
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
pub(super) fn begun(mut periods: Vec<Period>, today: chrono::NaiveDate) -> Vec<Period> {
    periods.retain(|p| first_day(*p) <= today);
    periods
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

/// The period asked for, or the default among `periods`.
pub(super) fn chosen_period(
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
pub(super) fn default_period(periods: &[Period], today: chrono::NaiveDate) -> Period {
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

#[cfg(test)]
mod tests {
    use super::*;
    use evident_core::indicator::ValueUnit;

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
