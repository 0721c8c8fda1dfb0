//! A client's own record in the browser: a plain page that prints well (no PDF needed) and the
//! same record as JSON. See [`crate::service::record`].

use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::i18n::Lang;
use crate::service::record::{Access, ClientRecord, client_record};
use crate::{AppError, AppState};
use askama::Template;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

/// The record routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/clients/{id}/record", get(show))
        .route("/clients/{id}/record.json", get(download))
}

/// A case in words.
#[derive(Debug, Clone)]
pub struct CaseBlock {
    /// Its id.
    pub id: i64,
    /// Its unit.
    pub unit: String,
    /// Opened.
    pub opened_on: String,
    /// Closed.
    pub closed_on: Option<String>,
    /// Interventions in one line each.
    pub interventions: Vec<String>,
    /// Needs with their goals.
    pub needs: Vec<(String, Vec<String>)>,
    /// Measurements: date, instrument, time point, respondent, score, answers.
    pub measurements: Vec<(String, String, String, String, String, String)>,
}

/// The printable record.
#[derive(Template)]
#[template(path = "record/client.html")]
pub struct RecordPage {
    /// The frame.
    pub chrome: Chrome,
    /// The client's id.
    pub client_id: i64,
    /// Pseudonym.
    pub pseudonym: String,
    /// Birth year.
    pub birth_year: i32,
    /// Recorded sex.
    pub sex: String,
    /// When produced.
    pub produced_at: String,
    /// By whom.
    pub produced_by: String,
    /// The cases.
    pub cases: Vec<CaseBlock>,
    /// Who accessed the record.
    pub accesses: Vec<Access>,
}

fn blocks(record: &ClientRecord, lang: Lang) -> Vec<CaseBlock> {
    let sv = lang == Lang::Sv;
    record
        .cases
        .iter()
        .map(|c| CaseBlock {
            id: c.case.id,
            unit: c.case.unit.to_string(),
            opened_on: c.case.opened_on.to_string(),
            closed_on: c.case.closed_on.map(|d| d.to_string()),
            interventions: c
                .interventions
                .iter()
                .map(|i| {
                    let dates = [
                        i.dates.applied_on,
                        i.dates.decided_on,
                        i.dates.started_on,
                        i.dates.ended_on,
                    ]
                    .iter()
                    .map(|d| d.map(|d| d.to_string()).unwrap_or_else(|| "–".to_owned()))
                    .collect::<Vec<_>>()
                    .join(" / ");
                    format!(
                        "{} ({}) · {} · {dates}",
                        i.type_code,
                        i.legal_basis.as_str(),
                        i.provider
                    )
                })
                .collect(),
            needs: c
                .needs
                .iter()
                .map(|n| {
                    let (name_sv, name_en) = n.area.names();
                    (
                        format!(
                            "{} {}: {}",
                            n.area.as_str(),
                            if sv { name_sv } else { name_en },
                            n.description
                        ),
                        n.goals
                            .iter()
                            .map(|g| match g.outcome {
                                Some(o) => format!("{} ({})", g.description, o.as_str()),
                                None => g.description.clone(),
                            })
                            .collect(),
                    )
                })
                .collect(),
            measurements: c
                .measurements
                .iter()
                .map(|m| {
                    (
                        m.measured_on.to_string(),
                        format!("{} {}", m.instrument_id, m.instrument_version),
                        match m.month {
                            Some(month) => format!("{} {month}", m.time_point.as_str()),
                            None => m.time_point.as_str().to_owned(),
                        },
                        m.respondent.as_str().to_owned(),
                        m.score.map(|s| s.to_string()).unwrap_or_default(),
                        m.answers
                            .iter()
                            .map(|(k, v)| format!("{k}={v}"))
                            .collect::<Vec<_>>()
                            .join(", "),
                    )
                })
                .collect(),
        })
        .collect()
}

async fn show(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = crate::error::id_in_path("client", &id)?;
    let record = client_record(&state, &user, id).await?;
    let page = RecordPage {
        client_id: id,
        pseudonym: record.client.pseudonym.to_string(),
        birth_year: record.client.birth_year,
        sex: match record.client.sex {
            evident_core::person::RecordedSex::Female => chrome.t.cases.sex_female,
            evident_core::person::RecordedSex::Male => chrome.t.cases.sex_male,
        }
        .to_owned(),
        produced_at: record.produced_at.clone(),
        produced_by: record.produced_by.clone(),
        cases: blocks(&record, chrome.lang),
        accesses: record.accesses.clone(),
        chrome,
    };
    Ok(([(CACHE_CONTROL, "no-store")], render(&page)?).into_response())
}

async fn download(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = crate::error::id_in_path("client", &id)?;
    let record = client_record(&state, &user, id).await?;
    Ok((
        [
            (CACHE_CONTROL, "no-store".to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"registerutdrag-{id}.json\""),
            ),
        ],
        Json(record),
    )
        .into_response())
}
