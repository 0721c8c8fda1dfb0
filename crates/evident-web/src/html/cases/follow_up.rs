//! The unit's follow-up table: change per instrument with effect sizes, small cells withheld.

use super::*;
use crate::auth::SignedIn;
use crate::error::code_in_path;
use crate::html::{Chrome, render};
use crate::service::followup::{self};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Response};
use evident_core::followup::unit_table::{Cell, FollowUpRow};

/// A follow-up table row with its texts.
#[derive(Debug, Clone)]
pub struct FollowUpLine {
    /// Intervention name.
    pub intervention: String,
    /// Instrument id.
    pub instrument: String,
    /// The cells, formatted ("–" when suppressed).
    pub cells: Vec<String>,
}

/// A unit's follow-up table.
#[derive(Template)]
#[template(path = "cases/follow_up.html")]
pub struct FollowUpPage {
    /// The frame.
    pub chrome: Chrome,
    /// Unit code and name.
    pub unit: (String, String),
    /// Rows.
    pub rows: Vec<FollowUpLine>,
}

pub(super) fn cell<T: Copy>(cell: Cell<T>, show: impl Fn(T) -> String) -> String {
    cell.value().map_or_else(|| "–".to_owned(), show)
}

pub(super) fn percent(share: f64) -> String {
    format!("{} %", (share * 100.0).round())
}

pub(super) async fn show_follow_up(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    let unit = code_in_path(&code)?;
    let rows: Vec<FollowUpRow> = followup::unit_follow_up(&state, &user, &unit).await?;
    let sv = chrome.lang == crate::i18n::Lang::Sv;
    let lines = rows
        .into_iter()
        .map(|r| FollowUpLine {
            intervention: state.catalogue.find(&r.intervention_type).map_or(
                r.intervention_type.clone(),
                |k| {
                    if sv {
                        k.name_sv.clone()
                    } else {
                        k.name_en.clone()
                    }
                },
            ),
            instrument: r.instrument_id.clone(),
            cells: vec![
                cell(r.started, |n| n.to_string()),
                cell(r.with_baseline, |n| n.to_string()),
                cell(r.with_follow_up, |n| n.to_string()),
                cell(r.dropout_share, percent),
                cell(r.mean_change, number),
                match (r.effect_size.value(), r.effect_size_ci.value()) {
                    (Some(d), Some((lo, hi))) => {
                        format!("{} ({} – {})", number(d), number(lo), number(hi))
                    }
                    _ => "–".to_owned(),
                },
                cell(r.improved_share, percent),
                cell(r.deteriorated_share, percent),
            ],
        })
        .collect();
    let name = state.store.get_unit(&unit).await?.name.to_string();
    Ok(render(&FollowUpPage {
        chrome,
        unit: (unit.to_string(), name),
        rows: lines,
    })?
    .into_response())
}
