//! The respondent's side of a survey in the browser: the form at `/q/{token}`, the code page
//! at `/q` (a code from a slip or a text message opens its survey), and storing what is sent —
//! a missing or mistyped code or a missing answer brings the form back with what was given.

use crate::html::{Chrome, render};
use crate::service::survey::{self, Nonce, Respondent, Unanswerable};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::http::header::CACHE_CONTROL;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::cookie::CookieJar;
use evident_core::participation::survey::{
    IntegrityMode, SurveyAnswers, SurveyDefinition, SurveyPublication,
};
use std::collections::HashMap;

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
    /// Where the form posts: `/q/{token}`, or `/q` for a survey found by its code.
    pub action: String,
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
    /// For a publication by codes: the code field, as typed or filled in from the link.
    pub code: Option<String>,
    /// Whether the code was the problem.
    pub code_error: bool,
}

/// The page where a respondent types the code from a slip or a text message.
#[derive(Template)]
#[template(path = "survey/code.html")]
pub struct CodeEntryPage {
    /// The frame.
    pub chrome: Chrome,
    /// The code as typed.
    pub code: String,
    /// Why it did not open a survey.
    pub error: Option<&'static str>,
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

/// What the respondent reads about a missing or wrong code.
fn code_message(why: Unanswerable, t: &crate::i18n::Texts) -> &'static str {
    if why == Unanswerable::CodeNeeded {
        t.survey.code_needed
    } else {
        t.survey.code_not_valid
    }
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
        // Handled on the form; should it come here, the code page says it.
        Unanswerable::CodeNeeded | Unanswerable::CodeNotValid => (
            StatusCode::UNPROCESSABLE_ENTITY,
            t.survey.code,
            code_message(why, t),
        ),
    };
    let page = ProblemPage {
        chrome,
        heading,
        message,
    };
    Ok((status, render(&page)?).into_response())
}

/// What the respondent's form is for: where it posts, the publication and what was given.
struct FormFor<'a> {
    /// `Some(token)` for `/q/{token}`, `None` for `/q` (the code finds the survey).
    token: Option<&'a str>,
    publication: &'a SurveyPublication,
    definition: &'a SurveyDefinition,
    given: &'a SurveyAnswers,
    /// The code as typed.
    code: Option<&'a str>,
}

fn answer_page(
    chrome: Chrome,
    form: &FormFor<'_>,
    error: Option<String>,
    code_error: bool,
) -> Result<Response, AppError> {
    let lang = chrome.lang.code();
    let rejected = error.is_some();
    let (definition, given) = (form.definition, form.given);
    let action = match form.token {
        Some(token) => format!("/q/{token}"),
        None => "/q".to_owned(),
    };
    // The draft key comes from the link, or from the publication for the code page; neither
    // is a secret kept in the browser.
    let draft_key = match form.token {
        Some(token) => crate::html::selfreport::draft_key(token),
        None => crate::html::selfreport::draft_key(&format!("survey-{}", form.publication.id)),
    };
    let page = AnswerPage {
        action,
        draft_key,
        code: (form.publication.integrity == IntegrityMode::Codes)
            .then(|| form.code.unwrap_or_default().trim().to_owned()),
        code_error,
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

pub(super) async fn show_form(
    State(state): State<AppState>,
    chrome: Chrome,
    nonce: Nonce,
    Path(token): Path<String>,
    Query(query): Query<CodeQuery>,
) -> Result<Response, AppError> {
    let cookie = cookie_header(&nonce, &state);
    let page = match survey::open_for(&state, &token, &nonce.value).await? {
        Ok((publication, definition)) => {
            let form = FormFor {
                token: Some(&token),
                publication: &publication,
                definition: &definition,
                given: &SurveyAnswers::new(),
                code: query.kod.as_deref(),
            };
            answer_page(chrome, &form, None, false)?
        }
        Err(why) => problem(chrome, why)?,
    };
    Ok((cookie, page).into_response())
}

/// A code in the query string (`/q?kod=…`, the link in a text message).
#[derive(Debug, Default, serde::Deserialize)]
pub struct CodeQuery {
    /// The code.
    #[serde(default)]
    pub kod: Option<String>,
}

/// `/q`: type a code; with `?kod=` the survey it belongs to opens with the code filled in.
pub(super) async fn code_form(
    State(state): State<AppState>,
    chrome: Chrome,
    nonce: Nonce,
    Query(query): Query<CodeQuery>,
) -> Result<Response, AppError> {
    let Some(typed) = query.kod.filter(|k| !k.trim().is_empty()) else {
        let page = CodeEntryPage {
            chrome,
            code: String::new(),
            error: None,
        };
        return Ok(([(CACHE_CONTROL, "no-store")], render(&page)?).into_response());
    };
    match survey::open_by_code(&state, &typed, nonce.address.as_deref()).await? {
        Ok((publication, definition)) => {
            let form = FormFor {
                token: None,
                publication: &publication,
                definition: &definition,
                given: &SurveyAnswers::new(),
                code: Some(&typed),
            };
            answer_page(chrome, &form, None, false)
        }
        Err(why @ (Unanswerable::CodeNotValid | Unanswerable::CodeNeeded)) => {
            let error = Some(code_message(why, chrome.t));
            let page = CodeEntryPage {
                chrome,
                code: typed.chars().take(40).collect(),
                error,
            };
            Ok((
                StatusCode::UNPROCESSABLE_ENTITY,
                [(CACHE_CONTROL, "no-store")],
                render(&page)?,
            )
                .into_response())
        }
        Err(why) => problem(chrome, why),
    }
}

pub(super) async fn submit_with_code(
    State(state): State<AppState>,
    chrome: Chrome,
    nonce: Nonce,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    submit_answers(&state, chrome, &nonce, None, &fields).await
}

pub(super) async fn submit(
    State(state): State<AppState>,
    chrome: Chrome,
    nonce: Nonce,
    Path(token): Path<String>,
    Form(fields): Form<HashMap<String, String>>,
) -> Result<Response, AppError> {
    submit_answers(&state, chrome, &nonce, Some(&token), &fields).await
}

/// Stores a respondent's form, posted to `/q/{token}` or (with its code) to `/q`. A missing,
/// mistyped or used code and missing answers bring the form back with what was given.
async fn submit_answers(
    state: &AppState,
    chrome: Chrome,
    nonce: &Nonce,
    token: Option<&str>,
    fields: &HashMap<String, String>,
) -> Result<Response, AppError> {
    let cookie = cookie_header(nonce, state);
    let answers: SurveyAnswers = fields
        .iter()
        .filter_map(|(k, v)| Some((k.strip_prefix("q:")?.to_owned(), v.clone())))
        .collect();
    let code = fields.get("code").map(String::as_str);
    let respondent = Respondent {
        nonce: &nonce.value,
        code,
        address: nonce.address.as_deref(),
    };
    let outcome = survey::answer::answer(state, token, respondent, &answers).await;
    let (error, code_problem) = match outcome {
        Ok(Ok(())) => {
            return Ok((cookie, render(&ThanksPage { chrome })?).into_response());
        }
        Ok(Err(why)) if why.is_about_the_code() => {
            (code_message(why, chrome.t).to_owned(), Some(why))
        }
        Ok(Err(why)) => return Ok((cookie, problem(chrome, why)?).into_response()),
        Err(AppError::Invalid(detail)) => {
            let message = if detail.contains("not answered") {
                chrome.t.survey.fix.to_owned()
            } else {
                format!("{} ({detail})", chrome.t.survey.fix)
            };
            (message, None)
        }
        Err(other) => return Err(other),
    };
    // Back to the form: the survey of the link, or of the code when the code was not the
    // problem (looked up again without counting it twice).
    let reopened = match (token, code, code_problem) {
        (Some(token), _, _) => survey::open(state, token).await?,
        (None, Some(code), None) => {
            survey::open_by_code(state, code, nonce.address.as_deref()).await?
        }
        (None, _, problem) => Err(problem.unwrap_or(Unanswerable::CodeNeeded)),
    };
    let page = match reopened {
        Ok((publication, definition)) => {
            let form = FormFor {
                token,
                publication: &publication,
                definition: &definition,
                given: &answers,
                code,
            };
            answer_page(chrome, &form, Some(error), code_problem.is_some())?
        }
        Err(why @ (Unanswerable::CodeNotValid | Unanswerable::CodeNeeded)) => {
            let page = CodeEntryPage {
                code: code.unwrap_or_default().chars().take(40).collect(),
                error: Some(code_message(why, chrome.t)),
                chrome,
            };
            (StatusCode::UNPROCESSABLE_ENTITY, render(&page)?).into_response()
        }
        Err(why) => problem(chrome, why)?,
    };
    Ok((cookie, page).into_response())
}
