//! Self-report links in the browser. Staff create a link from the case page and see it once;
//! the client opens `/s/{token}` on a phone, without an account, and answers. A link that is
//! unknown, answered, expired or withdrawn gets a plain page saying which and what to do. The
//! client's pages use a small frame of their own (no staff navigation), keep a half-filled form
//! in the browser (`/static/selfreport.js`), and never time out.

use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::service::selfreport::{self, LinkRequest, Opened};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, State};
use axum::http::header::{CACHE_CONTROL, CONTENT_TYPE};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use evident_core::followup::instrument::Answers;
use evident_core::participation::selfreport::LinkStatus;
use evident_store::Unusable;
use std::collections::HashMap;

/// The draft keeper for the client's form.
const SCRIPT: &str = include_str!("../../static/selfreport.js");

/// The self-report routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/s/{token}", get(show_form).post(submit))
        .route("/static/selfreport.js", get(script))
        .route("/cases/{id}/self-report-links", post(create_link))
        .route(
            "/cases/{id}/self-report-links/{link}/revoke",
            post(revoke_link),
        )
}

async fn script() -> impl IntoResponse {
    (
        [
            (CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (CACHE_CONTROL, "public, max-age=3600"),
        ],
        SCRIPT,
    )
}

/// An option of a question.
#[derive(Debug, Clone)]
pub struct OptionField {
    /// Its code.
    pub value: String,
    /// Its label.
    pub label: String,
    /// Whether the client chose it (when the form comes back).
    pub checked: bool,
}

/// A question.
#[derive(Debug, Clone)]
pub struct Question {
    /// Its linkId.
    pub link_id: String,
    /// The question.
    pub text: String,
    /// Its options.
    pub options: Vec<OptionField>,
    /// Whether it was left unanswered in a rejected submission.
    pub missing: bool,
}

/// The client's form.
#[derive(Template)]
#[template(path = "selfreport/answer.html")]
pub struct AnswerPage {
    /// The frame.
    pub chrome: Chrome,
    /// The token (the form posts back to it).
    pub token: String,
    /// A key for the browser's draft, derived from the token (not the token itself).
    pub draft_key: String,
    /// The instrument's title.
    pub title: String,
    /// Its copyright notice.
    pub copyright: String,
    /// The questions.
    pub items: Vec<Question>,
    /// Why the last submission was not accepted.
    pub error: Option<String>,
}

/// The page for a link that cannot be used.
#[derive(Template)]
#[template(path = "selfreport/problem.html")]
pub struct ProblemPage {
    /// The frame.
    pub chrome: Chrome,
    /// What happened.
    pub heading: &'static str,
    /// In a sentence.
    pub message: &'static str,
    /// What to do.
    pub advice: &'static str,
}

/// The thank-you page.
#[derive(Template)]
#[template(path = "selfreport/thanks.html")]
pub struct ThanksPage {
    /// The frame.
    pub chrome: Chrome,
}

/// The key under which the browser keeps a half-filled form for `token`: derived from it, so
/// the token itself never lands in the browser's storage.
pub(crate) fn draft_key(token: &str) -> String {
    evident_core::access::credentials::sha256_hex(token.as_bytes())[..16].to_owned()
}

fn problem(chrome: Chrome, why: Unusable) -> Result<Response, AppError> {
    let t = chrome.t;
    let (status, heading, message) = match why {
        Unusable::Unknown => (
            StatusCode::NOT_FOUND,
            t.selfreport.unknown_title,
            t.selfreport.unknown,
        ),
        Unusable::Not(LinkStatus::Answered) => (
            StatusCode::GONE,
            t.selfreport.answered_title,
            t.selfreport.answered,
        ),
        Unusable::Not(LinkStatus::Expired) => (
            StatusCode::GONE,
            t.selfreport.expired_title,
            t.selfreport.expired,
        ),
        Unusable::Not(_) => (
            StatusCode::GONE,
            t.selfreport.revoked_title,
            t.selfreport.revoked,
        ),
    };
    let advice = if why == Unusable::Not(LinkStatus::Answered) {
        t.selfreport.answered_advice
    } else {
        t.selfreport.ask_for_new
    };
    let page = ProblemPage {
        chrome,
        heading,
        message,
        advice,
    };
    Ok((status, render(&page)?).into_response())
}

fn answer_page(
    chrome: Chrome,
    token: &str,
    instrument: &evident_core::followup::instrument::Instrument,
    chosen: &Answers,
    error: Option<String>,
) -> Result<Response, AppError> {
    let rejected = error.is_some();
    let page = AnswerPage {
        token: token.to_owned(),
        draft_key: draft_key(token),
        title: instrument.title.clone(),
        copyright: instrument.copyright.clone(),
        items: instrument
            .items
            .iter()
            .map(|item| Question {
                link_id: item.link_id.clone(),
                text: item.text.clone(),
                missing: rejected && !chosen.contains_key(&item.link_id),
                options: item
                    .options
                    .iter()
                    .map(|o| OptionField {
                        checked: chosen.get(&item.link_id) == Some(&o.code),
                        value: o.code.clone(),
                        label: o.display.clone(),
                    })
                    .collect(),
            })
            .collect(),
        error,
        chrome,
    };
    let status = if rejected {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((status, render(&page)?).into_response())
}

async fn show_form(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    match selfreport::open(&state, &token).await? {
        Opened::Ready { instrument, .. } => {
            answer_page(chrome, &token, &instrument, &Answers::new(), None)
        }
        Opened::Unusable(why) => problem(chrome, why),
    }
}

async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    Path(token): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let answers: Answers = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("item:")?.to_owned(), v.clone())))
        .collect();
    match selfreport::answer(&state, &token, &answers).await {
        Ok(Ok(_)) => Ok(render(&ThanksPage { chrome })?.into_response()),
        Ok(Err(why)) => problem(chrome, why),
        Err(AppError::Invalid(_)) => {
            let Opened::Ready { instrument, .. } = selfreport::open(&state, &token).await? else {
                return Err(AppError::Invalid(
                    "the link can no longer be used".to_owned(),
                ));
            };
            let message = chrome.t.selfreport.answer_all.to_owned();
            answer_page(chrome, &token, &instrument, &answers, Some(message))
        }
        Err(other) => Err(other),
    }
}

/// The page that shows a new link once.
#[derive(Template)]
#[template(path = "selfreport/created.html")]
pub struct CreatedPage {
    /// The frame.
    pub chrome: Chrome,
    /// The case.
    pub case_id: i64,
    /// The full link for the client.
    pub url: String,
    /// The instrument.
    pub instrument: String,
    /// The time point in words.
    pub time_point: String,
    /// When it expires.
    pub expires: String,
}

async fn create_link(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(request): Form<LinkRequest>,
) -> Result<Response, AppError> {
    let id = crate::error::id_in_path("case", &id)?;
    match selfreport::create_link(&state, &user, id, &request).await {
        Ok(created) => {
            let expires = chrono::DateTime::from_timestamp(created.link.expires_at, 0)
                .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
                .unwrap_or_default();
            let page = CreatedPage {
                case_id: id,
                url: format!(
                    "{}/s/{}",
                    crate::html::origin(&headers),
                    created.token.expose()
                ),
                instrument: format!(
                    "{} ({})",
                    created.link.instrument_id, created.link.instrument_version
                ),
                time_point: match created.link.month {
                    Some(m) => format!("{} {m}", created.link.time_point.as_str()),
                    None => created.link.time_point.as_str().to_owned(),
                },
                expires,
                chrome,
            };
            Ok(([(CACHE_CONTROL, "no-store")], render(&page)?).into_response())
        }
        Err(AppError::Invalid(problem)) => {
            crate::html::cases::case_page(&state, &user, chrome, id, Some(problem)).await
        }
        Err(other) => Err(other),
    }
}

async fn revoke_link(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path((id, link)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = crate::error::id_in_path("case", &id)?;
    let link = crate::error::id_in_path("self-report link", &link)?;
    match selfreport::revoke_link(&state, &user, id, link).await {
        Ok(_) => Ok(Redirect::to(&format!("/cases/{id}")).into_response()),
        Err(AppError::Invalid(problem)) => {
            crate::html::cases::case_page(&state, &user, chrome, id, Some(problem)).await
        }
        Err(other) => Err(other),
    }
}
