//! One calendar of every deadline across agreements and decisions, in sections by status
//! today, and its download.

use super::{DeadlineLine, DownloadParams, header, text_cell};
use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::render::{Cell, Sheet};
use crate::service::grants;
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use evident_core::grants::calendar::{Deadline, DeadlineKind, Status};
use std::collections::HashMap;

/// One section of the calendar.
#[derive(Debug, Clone)]
pub struct CalendarSection {
    /// Its anchor.
    pub anchor: &'static str,
    /// Its heading.
    pub heading: &'static str,
    /// Its deadlines.
    pub deadlines: Vec<DeadlineLine>,
}

/// The calendar.
#[derive(Template)]
#[template(path = "agreements/calendar.html")]
pub struct CalendarPage {
    /// The frame.
    pub chrome: Chrome,
    /// Today.
    pub today: String,
    /// Overdue, due soon, later, done.
    pub sections: Vec<CalendarSection>,
}

impl CalendarPage {
    /// Every deadline in `all` sorted into its section by its status on `today`, each naming
    /// its agreement by title where `titles` has it.
    pub fn new(
        chrome: Chrome,
        all: &[Deadline],
        titles: &HashMap<String, String>,
        today: NaiveDate,
    ) -> Self {
        let t = chrome.t;
        let sections = [
            (Status::Overdue, "overdue", t.agreements.overdue_heading),
            (Status::DueSoon, "due-soon", t.agreements.due_soon_heading),
            (Status::Upcoming, "later", t.agreements.later_heading),
            (Status::Done, "done", t.agreements.done_heading),
        ]
        .into_iter()
        .map(|(status, anchor, heading)| CalendarSection {
            anchor,
            heading,
            deadlines: all
                .iter()
                .filter(|d| d.status(today) == status)
                .map(|d| DeadlineLine::new(t, d, today, titles))
                .collect(),
        })
        .collect();
        Self {
            chrome,
            today: today.to_string(),
            sections,
        }
    }
}

fn deadline_kind_word(kind: DeadlineKind) -> &'static str {
    match kind {
        DeadlineKind::Report => "report",
        DeadlineKind::UseBy => "use_by",
        DeadlineKind::Repayment => "repayment",
    }
}

/// The machine word of a status, as the API writes it.
fn status_word(status: Status) -> &'static str {
    match status {
        Status::Overdue => "overdue",
        Status::DueSoon => "due_soon",
        Status::Upcoming => "upcoming",
        Status::Done => "done",
    }
}

async fn agreement_titles(state: &AppState) -> Result<HashMap<String, String>, AppError> {
    Ok(state
        .store
        .list_agreements()
        .await?
        .into_iter()
        .map(|a| (a.id, a.title))
        .collect())
}

pub(super) async fn show_calendar(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
) -> Result<Response, AppError> {
    let all = grants::calendar(&state, &user).await?;
    let titles = agreement_titles(&state).await?;
    let today = state.clock.today();
    Ok(render(&CalendarPage::new(chrome, &all, &titles, today))?.into_response())
}

pub(super) async fn download_calendar(
    State(state): State<AppState>,
    user: SignedIn,
    Query(params): Query<DownloadParams>,
) -> Result<Response, AppError> {
    let format = params.format()?;
    let all = grants::calendar(&state, &user).await?;
    let today = state.clock.today();
    let mut rows = vec![header(&[
        "date",
        "status",
        "kind",
        "what",
        "to",
        "agreement",
        "source",
        "done_on",
    ])];
    for d in all {
        rows.push(vec![
            text_cell(&d.date.to_string()),
            text_cell(status_word(d.status(today))),
            text_cell(deadline_kind_word(d.kind)),
            text_cell(&d.what),
            text_cell(&d.to),
            text_cell(&d.agreement),
            text_cell(&d.source),
            d.done_on
                .map_or(Cell::Empty, |day| text_cell(&day.to_string())),
        ]);
    }
    Ok(crate::render::download(
        Sheet {
            name: format!("deadlines {today}"),
            rows,
        },
        format,
        &format!("grant-calendar-{today}"),
    ))
}
