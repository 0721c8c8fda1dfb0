//! Client surveys in the browser. Unit staff publish a survey for their unit and a period at
//! `/orgs/{code}/surveys` and see its link once; respondents open `/q/{token}` on a phone,
//! without an account, and answer anonymously (a half-filled form is kept in the browser by
//! `/static/selfreport.js`). Results per node, after disclosure control, are at
//! `/surveys/{id}/results` and as CSV at `/surveys/{id}/results.csv`.

use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::service::survey::{self, Nonce, PublishRequest, SurveyResults, Unanswerable};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, HOST};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::CookieJar;
use evident_core::followup::unit_table::Cell;
use evident_core::participation::survey::{SurveyAnswers, SurveyDefinition, embedded_surveys};
use std::collections::HashMap;

/// The survey routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{code}/surveys", get(staff_page).post(publish))
        .route("/survey-publications/{id}/close", post(close))
        .route("/q/{token}", get(show_form).post(submit))
        .route("/surveys/{id}/results", get(results_page))
        .route("/surveys/{id}/results.csv", get(results_csv))
}

/// A publication in the staff list.
#[derive(Debug, Clone)]
pub struct PublicationRow {
    /// Its id.
    pub id: i64,
    /// The survey's title.
    pub title: String,
    /// The survey's id.
    pub survey: String,
    /// The period.
    pub period: String,
    /// Whether it takes answers.
    pub open: bool,
    /// How many have answered.
    pub answers: u64,
}

/// The staff page: the unit's publications and the form to publish one.
#[derive(Template)]
#[template(path = "survey/staff.html")]
pub struct StaffPage {
    /// The frame.
    pub chrome: Chrome,
    /// The unit's code.
    pub unit: String,
    /// The unit's name.
    pub unit_name: String,
    /// The surveys to choose from: (id, title).
    pub surveys: Vec<(String, String)>,
    /// The unit's publications.
    pub publications: Vec<PublicationRow>,
    /// Why the last attempt to publish failed.
    pub form_error: Option<String>,
    /// The period as typed.
    pub period: String,
}

/// The page that shows a new link once.
#[derive(Template)]
#[template(path = "survey/created.html")]
pub struct CreatedPage {
    /// The frame.
    pub chrome: Chrome,
    /// The unit.
    pub unit: String,
    /// The full link.
    pub url: String,
    /// The survey's title.
    pub title: String,
    /// The period.
    pub period: String,
}

fn title(definition: &SurveyDefinition, chrome: &Chrome) -> String {
    definition.title.get(chrome.lang.code()).to_owned()
}

async fn staff_view(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    code: &str,
    form_error: Option<String>,
    period: String,
) -> Result<Response, AppError> {
    let unit = survey::unit_code(code)?;
    let list = survey::list_publications(state, user, &unit).await?;
    let node = state.store.get_org(&unit).await?;
    let definitions = embedded_surveys();
    let status = if form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = StaffPage {
        unit: unit.to_string(),
        unit_name: node.name,
        surveys: definitions
            .iter()
            .map(|d| (d.id.clone(), title(d, &chrome)))
            .collect(),
        publications: list
            .into_iter()
            .map(|(p, answers)| PublicationRow {
                id: p.id,
                title: definitions
                    .iter()
                    .find(|d| d.id == p.survey_id)
                    .map_or(p.survey_id.clone(), |d| title(d, &chrome)),
                open: p.is_open(),
                survey: p.survey_id,
                period: p.period.to_string(),
                answers,
            })
            .collect(),
        form_error,
        period,
        chrome,
    };
    Ok((status, render(&page)?).into_response())
}

async fn staff_page(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    staff_view(&state, &user, chrome, &code, None, String::new()).await
}

/// The link's base: the scheme the proxy reports, else http, and the host asked for.
fn origin(headers: &HeaderMap) -> String {
    let host = headers
        .get(HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost");
    let scheme = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .filter(|s| *s == "https" || *s == "http")
        .unwrap_or("http");
    format!("{scheme}://{host}")
}

async fn publish(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    headers: HeaderMap,
    Path(code): Path<String>,
    Form(request): Form<PublishRequest>,
) -> Result<Response, AppError> {
    let unit = survey::unit_code(&code)?;
    match survey::publish(&state, &user, &unit, &request).await {
        Ok(created) => {
            let definition = survey::definition(&created.publication.survey_id)?;
            let page = CreatedPage {
                unit: unit.to_string(),
                url: format!("{}/q/{}", origin(&headers), created.token.expose()),
                title: title(&definition, &chrome),
                period: created.publication.period.to_string(),
                chrome,
            };
            Ok(([(CACHE_CONTROL, "no-store")], render(&page)?).into_response())
        }
        Err(AppError::Invalid(problem)) => {
            staff_view(&state, &user, chrome, &code, Some(problem), request.period).await
        }
        Err(other) => Err(other),
    }
}

async fn close(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    let id = crate::error::id_in_path("survey publication", &id)?;
    let publication = survey::close(&state, &user, id).await?;
    Ok(Redirect::to(&format!("/orgs/{}/surveys", publication.unit)).into_response())
}

/// An option of a scale question.
#[derive(Debug, Clone)]
pub struct OptionField {
    /// Its code.
    pub value: String,
    /// Its label.
    pub label: String,
    /// Whether it was chosen (when the form comes back).
    pub checked: bool,
}

/// A question on the respondent's form.
#[derive(Debug, Clone)]
pub struct QuestionField {
    /// Its id (the field is `q:{id}`).
    pub id: String,
    /// Its number.
    pub number: usize,
    /// The question.
    pub text: String,
    /// Whether it must be answered.
    pub required: bool,
    /// The options; empty for free text.
    pub options: Vec<OptionField>,
    /// For free text: the longest answer.
    pub max_chars: Option<usize>,
    /// The free text as typed (when the form comes back).
    pub value: String,
    /// Whether it was left unanswered in a rejected submission.
    pub missing: bool,
}

/// The respondent's form.
#[derive(Template)]
#[template(path = "survey/answer.html")]
pub struct AnswerPage {
    /// The frame.
    pub chrome: Chrome,
    /// The token (the form posts back to it).
    pub token: String,
    /// A key for the browser's draft, derived from the token (not the token itself).
    pub draft_key: String,
    /// The title.
    pub title: String,
    /// The introduction.
    pub intro: String,
    /// The questions.
    pub questions: Vec<QuestionField>,
    /// Why the last submission was not accepted.
    pub error: Option<String>,
}

/// The page for a link that cannot be answered.
#[derive(Template)]
#[template(path = "survey/problem.html")]
pub struct ProblemPage {
    /// The frame.
    pub chrome: Chrome,
    /// What happened.
    pub heading: &'static str,
    /// In a sentence.
    pub message: &'static str,
}

/// The thank-you page.
#[derive(Template)]
#[template(path = "survey/thanks.html")]
pub struct ThanksPage {
    /// The frame.
    pub chrome: Chrome,
}

fn problem(chrome: Chrome, why: Unanswerable) -> Result<Response, AppError> {
    let t = chrome.t;
    let (status, heading, message) = match why {
        Unanswerable::Unknown => (
            StatusCode::NOT_FOUND,
            t.survey.unknown_title,
            t.survey.unknown,
        ),
        Unanswerable::Closed => (
            StatusCode::GONE,
            t.survey.closed_title,
            t.survey.closed_text,
        ),
        Unanswerable::AnsweredAlready => (
            StatusCode::CONFLICT,
            t.survey.already_title,
            t.survey.already,
        ),
        Unanswerable::TooMany => (
            StatusCode::TOO_MANY_REQUESTS,
            t.survey.too_many_title,
            t.survey.too_many,
        ),
    };
    let page = ProblemPage {
        chrome,
        heading,
        message,
    };
    Ok((status, render(&page)?).into_response())
}

fn answer_page(
    chrome: Chrome,
    token: &str,
    definition: &SurveyDefinition,
    given: &SurveyAnswers,
    error: Option<String>,
) -> Result<Response, AppError> {
    let lang = chrome.lang.code();
    let rejected = error.is_some();
    let page = AnswerPage {
        token: token.to_owned(),
        draft_key: crate::html::selfreport::draft_key(token),
        title: definition.title.get(lang).to_owned(),
        intro: definition.intro.get(lang).to_owned(),
        questions: definition
            .questions
            .iter()
            .enumerate()
            .map(|(i, q)| {
                let answer = given.get(&q.id).filter(|a| !a.trim().is_empty());
                QuestionField {
                    id: q.id.clone(),
                    number: i + 1,
                    text: q.text.get(lang).to_owned(),
                    required: q.required,
                    options: q
                        .scale
                        .iter()
                        .flat_map(|s| &s.options)
                        .map(|o| OptionField {
                            checked: answer == Some(&o.code),
                            value: o.code.clone(),
                            label: o.label.get(lang).to_owned(),
                        })
                        .collect(),
                    max_chars: q.free_text.map(|f| f.max_chars),
                    value: if q.free_text.is_some() {
                        answer.cloned().unwrap_or_default()
                    } else {
                        String::new()
                    },
                    missing: rejected && q.required && answer.is_none(),
                }
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
    Ok((status, [(CACHE_CONTROL, "no-store")], render(&page)?).into_response())
}

fn cookie_header(nonce: &Nonce, state: &AppState) -> CookieJar {
    nonce.set_cookie(state.config.secure_cookies)
}

async fn show_form(
    State(state): State<AppState>,
    chrome: Chrome,
    nonce: Nonce,
    Path(token): Path<String>,
) -> Result<Response, AppError> {
    let cookie = cookie_header(&nonce, &state);
    let page = match survey::open_for(&state, &token, &nonce.value).await? {
        Ok((_, definition)) => {
            answer_page(chrome, &token, &definition, &SurveyAnswers::new(), None)?
        }
        Err(why) => problem(chrome, why)?,
    };
    Ok((cookie, page).into_response())
}

async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    nonce: Nonce,
    Path(token): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    let cookie = cookie_header(&nonce, &state);
    let answers: SurveyAnswers = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("q:")?.to_owned(), v.clone())))
        .collect();
    let page = match survey::answer(
        &state,
        &token,
        &nonce.value,
        nonce.address.as_deref(),
        &answers,
    )
    .await
    {
        Ok(Ok(())) => render(&ThanksPage { chrome })?.into_response(),
        Ok(Err(why)) => problem(chrome, why)?,
        Err(AppError::Invalid(detail)) => {
            let Ok((_, definition)) = survey::open(&state, &token).await? else {
                return problem(chrome, Unanswerable::Closed);
            };
            let message = if detail.contains("not answered") {
                chrome.t.survey.fix.to_owned()
            } else {
                format!("{} ({detail})", chrome.t.survey.fix)
            };
            answer_page(chrome, &token, &definition, &answers, Some(message))?
        }
        Err(other) => return Err(other),
    };
    Ok((cookie, page).into_response())
}

/// A figure in the results table.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What is shown: a number, a percentage, or "för få svar".
    pub text: String,
    /// Whether it is withheld.
    pub suppressed: bool,
}

/// A row of the results table.
#[derive(Debug, Clone)]
pub struct ResultRow {
    /// The node's code.
    pub code: String,
    /// The node's name.
    pub name: String,
    /// Whether this is the node asked for.
    pub current: bool,
    /// Number of answers.
    pub respondents: Figure,
    /// Share positive per question.
    pub shares: Vec<Figure>,
}

/// The results page.
#[derive(Template)]
#[template(path = "survey/results.html")]
pub struct ResultsPage {
    /// The frame.
    pub chrome: Chrome,
    /// The survey's id.
    pub survey: String,
    /// Its title.
    pub title: String,
    /// The period.
    pub period: String,
    /// The node asked for.
    pub node: String,
    /// The question headings (short: the question text).
    pub questions: Vec<String>,
    /// The rows.
    pub rows: Vec<ResultRow>,
    /// The free-text answers, when shown.
    pub free_text: Option<Vec<String>>,
    /// Whether the node is a unit (free text may exist).
    pub is_unit: bool,
}

/// Which results.
#[derive(Debug, serde::Deserialize)]
pub struct ResultsQuery {
    /// The period.
    #[serde(default)]
    pub period: String,
    /// The node (default the nation).
    pub node: Option<String>,
}

fn figure(cell: Cell<String>, t: &crate::i18n::Texts) -> Figure {
    match cell {
        Cell::Value(text) => Figure {
            text,
            suppressed: false,
        },
        Cell::Suppressed => Figure {
            text: t.survey.too_few.to_owned(),
            suppressed: true,
        },
    }
}

async fn results_page(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Query(query): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    let node = query.node.unwrap_or_else(|| "SE".to_owned());
    let results: SurveyResults = survey::results(&state, &user, &id, &query.period, &node).await?;
    let lang = chrome.lang.code();
    let t = chrome.t;
    let mut rows = Vec::new();
    for r in &results.rows {
        let name = state.store.get_org(&r.code).await?.name;
        rows.push(ResultRow {
            current: r.code == results.node,
            code: r.code.to_string(),
            name,
            respondents: figure(
                match r.respondents {
                    Cell::Value(n) => Cell::Value(n.to_string()),
                    Cell::Suppressed => Cell::Suppressed,
                },
                t,
            ),
            shares: r
                .questions
                .iter()
                .map(|q| {
                    figure(
                        match (q.answers, q.share_positive) {
                            (Cell::Value(_), Cell::Value(s)) => {
                                Cell::Value(format!("{:.0} %", s * 100.0))
                            }
                            (Cell::Value(0), Cell::Suppressed) => Cell::Value("–".to_owned()),
                            _ => Cell::Suppressed,
                        },
                        t,
                    )
                })
                .collect(),
        });
    }
    let page = ResultsPage {
        survey: results.definition.id.clone(),
        title: results.definition.title.get(lang).to_owned(),
        period: results.period.to_string(),
        node: results.node.to_string(),
        questions: results
            .definition
            .scale_questions()
            .map(|(q, _)| q.text.get(lang).to_owned())
            .collect(),
        rows,
        is_unit: results.node.level() == evident_core::org::OrgLevel::Unit,
        free_text: results.free_text,
        chrome,
    };
    Ok(render(&page)?.into_response())
}

async fn results_csv(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Query(query): Query<ResultsQuery>,
) -> Result<Response, AppError> {
    let node = query.node.unwrap_or_else(|| "SE".to_owned());
    let results = survey::results(&state, &user, &id, &query.period, &node).await?;
    let file = format!(
        "attachment; filename=\"{}-{}-{}.csv\"",
        results.definition.id, results.period, results.node
    );
    Ok((
        [
            (CONTENT_TYPE, crate::render::CSV_CONTENT_TYPE.to_owned()),
            (CONTENT_DISPOSITION, file),
            (CACHE_CONTROL, "no-store".to_owned()),
        ],
        survey::results_csv(&results),
    )
        .into_response())
}
