//! Agreements and grants in the browser: the list of agreements, an agreement with its
//! findings, money per initiative, decisions, deadlines and history (and, for grant_admin, the
//! form that records a requisition, payment, repayment or report with its reason); one
//! calendar of every deadline; a county's tapering plans; and a performance grant's allocation
//! with its arithmetic. Every table downloads as CSV or Excel exactly as shown.
//!
//! Agreements are public documents: any signed-in user reads them. Recording events needs the
//! grant_admin role; [`crate::service::grants`] authorises every read and write, for these pages and the
//! API alike.
//!
//! # Layout
//! - `list`: every agreement, performance grant, tapering plan and county.
//! - `agreement`: one agreement, its initiative table download and its interchange document.
//! - `form`: the event form on the agreement page.
//! - `event`: the post the event form sends.
//! - `calendar`: every deadline, by status.
//! - `tapering`: a county's tapering plans.
//! - `performance`: a performance grant's allocation with its arithmetic.
//!
//! This module holds the routes and what several pages share: the download format, sheet
//! cells, and deadlines in words.

mod agreement;
mod calendar;
mod event;
mod form;
mod list;
mod performance;
mod tapering;

use crate::AppError;
use crate::AppState;
use crate::i18n::Texts;
use crate::render::Cell;
use crate::render::TableFormat;
use axum::Router;
use axum::routing::{get, post};
use chrono::NaiveDate;
use evident_core::grants::Ore;
use evident_core::grants::calendar::{Deadline, DeadlineKind, Status};
use evident_core::grants::ledger::EventKind;
use serde::Deserialize;
use std::collections::HashMap;

pub use agreement::{AgreementPage, AreaBlock, DecisionBlock, GrantBlock, HistoryLine, MoneyRow};
pub use calendar::{CalendarPage, CalendarSection};
pub use form::{EventForm, EventFormView};
pub use list::{AgreementItem, LinkItem, ListPage};
pub use performance::{AllocationLine, PerformancePage};
pub use tapering::{CountyPage, TaperingBlock, TaperingLine};

/// The agreement routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/agreements", get(list::show_list))
        .route("/agreements/calendar", get(calendar::show_calendar))
        .route(
            "/agreements/calendar/download",
            get(calendar::download_calendar),
        )
        .route("/agreements/counties/{code}", get(tapering::show_county))
        .route(
            "/agreements/counties/{code}/download",
            get(tapering::download_county),
        )
        .route(
            "/agreements/performance/{id}",
            get(performance::show_performance),
        )
        .route(
            "/agreements/performance/{id}/download",
            get(performance::download_performance),
        )
        .route("/agreements/{id}", get(agreement::show_agreement))
        .route(
            "/agreements/{id}/download",
            get(agreement::download_agreement),
        )
        .route(
            "/agreements/{id}/document",
            get(agreement::agreement_document),
        )
        .route("/agreements/{id}/events", post(event::record_event))
}

/// The download format asked for.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct DownloadParams {
    /// `csv` (the default) or `xlsx`.
    pub format: Option<String>,
}

impl DownloadParams {
    fn format(&self) -> Result<TableFormat, AppError> {
        match self.format.as_deref().unwrap_or("csv") {
            "csv" => Ok(TableFormat::Csv),
            "xlsx" => Ok(TableFormat::Xlsx),
            other => Err(AppError::Invalid(format!(
                "format: '{other}' is not csv or xlsx"
            ))),
        }
    }
}

/// An amount in kronor as a spreadsheet number.
fn kr_cell(amount: Ore) -> Cell {
    Cell::Number(amount.0 as f64 / 100.0)
}

fn text_cell(s: &str) -> Cell {
    Cell::Text(s.to_owned())
}

fn header(names: &[&str]) -> Vec<Cell> {
    names.iter().map(|n| text_cell(n)).collect()
}

fn event_kind_label(t: &Texts, kind: EventKind) -> &'static str {
    match kind {
        EventKind::Requisition => t.agreements.requisition,
        EventKind::Payment => t.agreements.payment,
        EventKind::Repayment => t.agreements.repayment,
        EventKind::Report => t.agreements.report,
    }
}

fn deadline_kind_label(t: &Texts, kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Report => t.agreements.report,
        DeadlineKind::UseBy => t.agreements.use_by,
        DeadlineKind::Repayment => t.agreements.repayment,
    }
}

/// The CSS class and label of a status.
fn status_of(t: &Texts, status: Status) -> (&'static str, &'static str) {
    match status {
        Status::Overdue => ("overdue", t.agreements.overdue),
        Status::DueSoon => ("due", t.agreements.due_soon),
        Status::Upcoming => ("upcoming", t.agreements.upcoming),
        Status::Done => ("done", t.agreements.done),
    }
}

/// A deadline, in words, as the agreement page and the calendar list it.
#[derive(Debug, Clone)]
pub struct DeadlineLine {
    /// The date.
    pub date: String,
    /// What kind.
    pub kind: &'static str,
    /// What is due.
    pub what: String,
    /// To whom or where.
    pub to: String,
    /// The agreement's id.
    pub agreement: String,
    /// The agreement's title.
    pub agreement_title: String,
    /// The agreement or decision that sets it.
    pub source: String,
    /// The status's CSS class and label.
    pub status: (&'static str, &'static str),
    /// When it was done, or empty.
    pub done_on: String,
}

impl DeadlineLine {
    /// `d` in words on `today`, naming its agreement by title where `titles` has it.
    fn new(t: &Texts, d: &Deadline, today: NaiveDate, titles: &HashMap<String, String>) -> Self {
        let (class, label) = status_of(t, d.status(today));
        Self {
            date: d.date.to_string(),
            kind: deadline_kind_label(t, d.kind),
            what: d.what.clone(),
            to: d.to.clone(),
            agreement_title: titles
                .get(&d.agreement)
                .cloned()
                .unwrap_or_else(|| d.agreement.clone()),
            agreement: d.agreement.clone(),
            source: d.source.clone(),
            status: (class, label),
            done_on: d.done_on.map(|d| d.to_string()).unwrap_or_default(),
        }
    }
}
