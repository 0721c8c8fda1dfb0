//! Client surveys in the browser. Unit staff publish a survey for their unit and a period at
//! `/orgs/{code}/surveys` and see its link once, and for a publication by codes print one-time
//! respondent codes on slips (or download them for text messages); respondents open
//! `/q/{token}`, or type their code at `/q`, on a phone, without an account, and answer
//! anonymously (a half-filled form is kept in the browser by `/static/selfreport.js`). Results
//! per node, after disclosure control, are at `/surveys/{id}/results` and as CSV at
//! `/surveys/{id}/results.csv`.

use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::service::survey::{self, IssuedCodes, PublishRequest, SurveyResults};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::HeaderMap;
use axum::http::StatusCode;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use evident_core::followup::unit_table::Cell;
use evident_core::participation::survey::{
    IntegrityMode, SurveyDefinition, SurveyPublication, embedded_surveys,
};

pub mod respond;

/// The survey routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/orgs/{code}/surveys", get(staff_page).post(publish))
        .route("/survey-publications/{id}/close", post(close))
        .route("/survey-publications/{id}/codes", post(issue_codes))
        .route(
            "/q",
            get(respond::code_form).post(respond::submit_with_code),
        )
        .route("/q/{token}", get(respond::show_form).post(respond::submit))
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
    /// Whether it takes answers by respondent code.
    pub by_codes: bool,
    /// How it collects answers, in words.
    pub integrity: &'static str,
    /// Codes handed out and used, in words (publications by codes).
    pub codes: String,
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

/// An integrity mode in words.
pub fn integrity_label(mode: IntegrityMode, t: &crate::i18n::Texts) -> &'static str {
    match mode {
        IntegrityMode::Codes => t.survey.integrity_codes,
        IntegrityMode::Link => t.survey.integrity_link,
    }
}

/// The printable slips of newly issued codes.
#[derive(Template)]
#[template(path = "survey/codes.html")]
pub struct CodesPage {
    /// The frame.
    pub chrome: Chrome,
    /// The unit.
    pub unit: String,
    /// The survey's title.
    pub title: String,
    /// The period.
    pub period: String,
    /// Where respondents type their code, e.g. `https://evident.example.se/q`.
    pub code_url: String,
    /// What each slip says above its code.
    pub slip: String,
    /// The codes as printed.
    pub codes: Vec<String>,
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
                by_codes: p.integrity == IntegrityMode::Codes,
                integrity: integrity_label(p.integrity, chrome.t),
                codes: chrome
                    .t
                    .survey
                    .codes_issued_used
                    .replace("{issued}", &p.codes_issued.to_string())
                    .replace("{used}", &p.codes_used.to_string()),
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
                url: format!(
                    "{}/q/{}",
                    crate::html::origin(&headers),
                    created.token.expose()
                ),
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

/// What staff ask for on the issue-codes form.
#[derive(Debug, serde::Deserialize)]
pub struct IssueCodesForm {
    /// How many.
    #[serde(default)]
    pub count: String,
    /// `csv` for a download, else printable slips.
    #[serde(default)]
    pub format: String,
}

async fn issue_codes(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<IssueCodesForm>,
) -> Result<Response, AppError> {
    let id = crate::error::id_in_path("survey publication", &id)?;
    let count: usize = form.count.trim().parse().map_err(|_| {
        AppError::Invalid(format!("count: '{}' is not a number of codes", form.count))
    })?;
    let issued: IssuedCodes = survey::issue_codes(&state, &user, id, count).await?;
    let origin = crate::html::origin(&headers);
    let publication: &SurveyPublication = &issued.publication;
    if form.format == "csv" {
        let file = format!(
            "attachment; filename=\"svarskoder-{}-{}-{}.csv\"",
            publication.unit, publication.period, publication.codes_issued
        );
        return Ok((
            [
                (CONTENT_TYPE, crate::render::CSV_CONTENT_TYPE.to_owned()),
                (CONTENT_DISPOSITION, file),
                (CACHE_CONTROL, "no-store".to_owned()),
            ],
            survey::codes_csv(&issued, &origin),
        )
            .into_response());
    }
    let definition = survey::definition(&publication.survey_id)?;
    let code_url = format!("{origin}/q");
    let page = CodesPage {
        unit: publication.unit.to_string(),
        title: title(&definition, &chrome),
        period: publication.period.to_string(),
        slip: chrome.t.survey.codes_slip.replace("{link}", &code_url),
        code_url,
        codes: issued.codes.iter().map(|c| c.printed()).collect(),
        chrome,
    };
    Ok(([(CACHE_CONTROL, "no-store")], render(&page)?).into_response())
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
    /// How the answers behind the figures were collected, in words.
    pub integrity: Vec<&'static str>,
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
        integrity: results
            .integrity
            .iter()
            .map(|m| integrity_label(*m, t))
            .collect(),
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
