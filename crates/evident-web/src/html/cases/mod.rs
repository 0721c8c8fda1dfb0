//! Local follow-up in the browser: a unit's cases and the form that opens one, the case page
//! (schedule, progress charts, interventions, needs and goals, measurements) with its forms,
//! the measurement form for one instrument, and the unit's follow-up table.
//!
//! # Layout
//! - this module: the routes and the labels the pages share.
//! - `unit`: a unit's cases ([`UnitCasesPage`]) and opening a case.
//! - `case`: the case page ([`CasePage`]).
//! - `forms`: the case page's forms.
//! - `measure`: the measurement form ([`MeasurePage`]).
//! - `follow_up`: the unit's follow-up table ([`FollowUpPage`]).

mod case;
mod follow_up;
mod forms;
mod measure;
mod unit;

pub use case::*;
pub use follow_up::*;
pub use forms::*;
pub use measure::*;
pub use unit::*;

use crate::i18n::Texts;
use crate::{AppError, AppState};
use axum::Router;
use axum::routing::{get, post};
use evident_core::followup::change::ChangeClass;
use evident_core::followup::progress::FollowUpStatus;
use evident_core::followup::{GoalOutcome, Respondent, TimePoint};

/// The follow-up routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{code}/cases", get(show_unit_cases).post(open_case))
        .route("/orgs/{code}/follow-up", get(show_follow_up))
        .route("/cases/{id}", get(show_case))
        .route("/cases/{id}/close", post(close_case))
        .route("/cases/{id}/interventions", post(add_intervention))
        .route("/cases/{id}/needs", post(add_need))
        .route("/cases/{id}/needs/{need}/goals", post(add_goal))
        .route("/cases/{id}/goals/{goal}", post(follow_up_goal))
        .route("/cases/{id}/measure", get(show_measure))
        .route("/cases/{id}/measurements", post(record_measurement))
}

pub(super) fn case_id(raw: &str) -> Result<i64, AppError> {
    crate::error::id_in_path("case", raw)
}

/// A choice in a `<select>`, owned.
#[derive(Debug, Clone)]
pub struct Choice {
    /// Submitted value.
    pub value: String,
    /// Shown label.
    pub label: String,
}

pub(super) fn status_label(t: &Texts, status: FollowUpStatus) -> (&'static str, &'static str) {
    match status {
        FollowUpStatus::Done => (t.followup.status_done, "done"),
        FollowUpStatus::Due => (t.followup.status_due, "due"),
        FollowUpStatus::Overdue => (t.followup.status_overdue, "overdue"),
        FollowUpStatus::Upcoming => (t.followup.status_upcoming, "upcoming"),
        FollowUpStatus::Closed => (t.followup.status_closed, "closed"),
    }
}

pub(super) fn class_label(t: &Texts, class: ChangeClass) -> &'static str {
    match class {
        ChangeClass::Recovered => t.followup.class_recovered,
        ChangeClass::ReliablyImproved => t.followup.class_reliably_improved,
        ChangeClass::Unchanged => t.followup.class_unchanged,
        ChangeClass::ReliablyDeteriorated => t.followup.class_reliably_deteriorated,
    }
}

pub(super) fn time_point_label(t: &Texts, time_point: TimePoint, month: Option<u32>) -> String {
    match time_point {
        TimePoint::Baseline => t.followup.time_baseline.to_owned(),
        TimePoint::FollowUp => format!(
            "{} {}",
            t.followup.time_follow_up,
            month.map(|m| format!("({m} mån)")).unwrap_or_default()
        ),
        TimePoint::End => t.followup.time_end.to_owned(),
    }
}

pub(super) fn respondent_label(t: &Texts, respondent: Respondent) -> &'static str {
    match respondent {
        Respondent::Client => t.followup.respondent_client,
        Respondent::Staff => t.followup.respondent_staff,
        Respondent::Relative => t.followup.respondent_relative,
    }
}

pub(super) fn outcome_label(t: &Texts, outcome: GoalOutcome) -> &'static str {
    match outcome {
        GoalOutcome::Achieved => t.cases.outcome_achieved,
        GoalOutcome::PartlyAchieved => t.cases.outcome_partly_achieved,
        GoalOutcome::NotAchieved => t.cases.outcome_not_achieved,
        GoalOutcome::NotFollowedUp => t.cases.outcome_not_followed_up,
    }
}

pub(super) fn number(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded}");
    if matches!(text.as_str(), "-0") {
        "0".to_owned()
    } else {
        text.replace('.', ",")
    }
}
