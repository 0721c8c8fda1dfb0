//! Open comparisons in the browser: the list of indicators, an indicator's ranked table with
//! its funnel plot and drill-down (nation → county → municipality → units where the role
//! allows), a municipality's profile with comparison groups, and downloads of each table as
//! CSV or Excel exactly as shown.
//!
//! Values for the nation, counties and municipalities are open statistics: these pages work
//! without signing in. Units need a role reading aggregate data there.
//!
//! # Layout
//! - this module: the routes and the labels and choices the pages share.
//! - `list`: [`IndicatorsPage`].
//! - `indicator`: [`IndicatorPage`] and its download.
//! - `profile`: [`ProfilePage`] and its download.
//! - `groups`: creating a comparison group.

mod groups;
mod indicator;
mod list;
mod profile;

pub use groups::*;
pub use indicator::*;
pub use list::*;
pub use profile::*;

use crate::i18n::Texts;
use crate::render::TableFormat;
use crate::{AppError, AppState};
use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use evident_core::indicator::publish::format_value;
use evident_core::indicator::report::Signal;
use evident_core::indicator::{Better, CATEGORIES, Definition, Period, Published};
use evident_core::stats::comparison::Tertile;

/// The open-comparison routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/indicators", get(show_indicators))
        .route("/indicators/{id}", get(show_indicator))
        .route("/indicators/{id}/download", get(download_indicator))
        .route("/profile", get(choose_profile))
        .route("/orgs/{code}/profile", get(show_profile))
        .route("/orgs/{code}/profile/download", get(download_profile))
        .route("/comparison-groups", post(create_group))
}

/// One choice in a `<select>`.
#[derive(Debug, Clone)]
pub struct Choice {
    /// The submitted value.
    pub value: String,
    /// The label.
    pub label: String,
    /// Whether it is the current choice.
    pub selected: bool,
}

/// The label of a breakdown category.
pub(super) fn category_label(t: &Texts, name: &str) -> &'static str {
    match name {
        "female" => t.comparisons.cat_female,
        "male" => t.comparisons.cat_male,
        "age_0_17" => t.comparisons.cat_age_0_17,
        "age_18_29" => t.comparisons.cat_age_18_29,
        "age_30_49" => t.comparisons.cat_age_30_49,
        "age_50_64" => t.comparisons.cat_age_50_64,
        "age_65_plus" => t.comparisons.cat_age_65_plus,
        _ => t.comparisons.cat_all,
    }
}

pub(super) fn breakdown_choices(t: &Texts, current: usize) -> Vec<Choice> {
    CATEGORIES
        .iter()
        .enumerate()
        .map(|(i, name)| Choice {
            value: (*name).to_owned(),
            label: category_label(t, name).to_owned(),
            selected: i == current,
        })
        .collect()
}

/// A period as people read it, marked when it has not ended by the as-of date.
pub(super) fn period_label(t: &Texts, period: Period, as_of: NaiveDate) -> String {
    if period.status_on(as_of).is_preliminary() {
        format!("{period} ({})", t.comparisons.preliminary)
    } else {
        period.to_string()
    }
}

pub(super) fn period_choices(
    t: &Texts,
    periods: &[Period],
    current: Period,
    as_of: NaiveDate,
) -> Vec<Choice> {
    let mut periods = periods.to_vec();
    if !periods.contains(&current) {
        periods.insert(0, current);
    }
    periods
        .iter()
        .map(|p| Choice {
            value: p.to_string(),
            label: period_label(t, *p, as_of),
            selected: *p == current,
        })
        .collect()
}

/// A published cell in words: the value, or why there is none.
pub(super) fn shown(t: &Texts, definition: &Definition, cell: &Published, lang: &str) -> String {
    match cell {
        Published::Value { value, .. } => format_value(definition.unit, *value, lang),
        Published::Suppressed => t.comparisons.suppressed.to_owned(),
        Published::NoData => t.comparisons.no_data.to_owned(),
        Published::NotApplicable => t.comparisons.not_applicable.to_owned(),
    }
}

pub(super) fn ci_text(definition: &Definition, cell: &Published, lang: &str) -> String {
    match cell {
        Published::Value {
            ci: Some((low, high)),
            ..
        } => format!(
            "{} – {}",
            format_value(definition.unit, *low, lang),
            format_value(definition.unit, *high, lang)
        ),
        _ => String::new(),
    }
}

/// The CSS class and label of a colour.
pub(super) fn tertile_of(t: &Texts, tertile: Option<Tertile>) -> (&'static str, &'static str) {
    match tertile {
        Some(Tertile::Best) => ("best", t.comparisons.tertile_best),
        Some(Tertile::Middle) => ("middle", t.comparisons.tertile_middle),
        Some(Tertile::Worst) => ("worst", t.comparisons.tertile_worst),
        None => ("", ""),
    }
}

pub(super) fn signal_label(t: &Texts, signal: Signal) -> &'static str {
    match signal {
        Signal::Within => t.comparisons.signal_within,
        Signal::Above95 => t.comparisons.signal_above_95,
        Signal::Above998 => t.comparisons.signal_above_998,
        Signal::Below95 => t.comparisons.signal_below_95,
        Signal::Below998 => t.comparisons.signal_below_998,
    }
}

pub(super) fn better_text(t: &Texts, better: Better) -> &'static str {
    match better {
        Better::Higher => t.comparisons.better_higher,
        Better::Lower => t.comparisons.better_lower,
        Better::Neutral => t.comparisons.better_neutral,
    }
}

pub(super) fn table_format(raw: Option<&str>) -> Result<TableFormat, AppError> {
    match raw.unwrap_or("csv") {
        "csv" => Ok(TableFormat::Csv),
        "xlsx" => Ok(TableFormat::Xlsx),
        other => Err(AppError::Invalid(format!(
            "format: '{other}' is not csv or xlsx"
        ))),
    }
}
