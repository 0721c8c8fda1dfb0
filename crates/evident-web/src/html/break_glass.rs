//! The break-the-glass form: a practitioner names a case or a client's pseudonym and says why,
//! and on success is taken to the case, or to the client's record. A case or pseudonym that
//! does not exist and one outside the practitioner's municipality get the same answer; nothing
//! on any 404 page hints that one exists.

use crate::auth::SignedIn;
use crate::html::{Chrome, render};
use crate::service::break_glass;
use crate::{AppError, AppState};
use askama::Template;
use axum::Router;
use axum::extract::{Form, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use serde::Deserialize;

/// The form's routes.
pub fn router() -> Router<AppState> {
    Router::new().route("/break-glass", get(show_form).post(submit))
}

/// The break-the-glass page.
#[derive(Template)]
#[template(path = "break_glass/form.html")]
pub struct BreakGlassPage {
    /// The frame.
    pub chrome: Chrome,
    /// The explanation, with the hours filled in.
    pub intro: String,
    /// The case number as typed.
    pub case_id: String,
    /// The pseudonym as typed.
    pub pseudonym: String,
    /// The reason as typed.
    pub reason: String,
    /// Why the form was rejected.
    pub form_error: Option<String>,
}

/// What the form sends.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct BreakGlassForm {
    /// The case number.
    pub case_id: String,
    /// Or the client's pseudonym.
    pub pseudonym: String,
    /// Why.
    pub reason: String,
}

fn page(
    chrome: Chrome,
    form: BreakGlassForm,
    status: StatusCode,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    let intro = chrome
        .t
        .cases
        .break_glass_intro
        .replace("{hours}", &break_glass::hours().to_string());
    Ok((
        status,
        render(&BreakGlassPage {
            chrome,
            intro,
            case_id: form.case_id,
            pseudonym: form.pseudonym,
            reason: form.reason,
            form_error,
        })?,
    )
        .into_response())
}

async fn show_form(_user: SignedIn, chrome: Chrome) -> Result<Response, AppError> {
    page(chrome, BreakGlassForm::default(), StatusCode::OK, None)
}

async fn submit(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Form(form): Form<BreakGlassForm>,
) -> Result<Response, AppError> {
    let not_found = chrome.t.cases.break_glass_not_found.to_owned();
    let case_id = form.case_id.trim().trim_start_matches('#');
    let case_id = match case_id {
        "" => None,
        typed => match typed.parse::<i64>() {
            Ok(id) => Some(id),
            Err(_) => return page(chrome, form, StatusCode::NOT_FOUND, Some(not_found)),
        },
    };
    let pseudonym_given = !form.pseudonym.trim().is_empty();
    // Both or neither: which client is meant?
    if case_id.is_some() == pseudonym_given {
        let problem = chrome.t.cases.break_glass_case_or_client.to_owned();
        return page(
            chrome,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem),
        );
    }
    let opened = match break_glass::Target::parse(case_id, Some(&form.pseudonym)) {
        Ok(target) => break_glass::open(&state, &user, &target, &form.reason)
            .await
            .map(|glass| (target, glass)),
        Err(problem) => Err(problem),
    };
    match opened {
        Ok((break_glass::Target::Case(_), glass)) => {
            Ok(Redirect::to(&format!("/cases/{}", glass.case_id)).into_response())
        }
        Ok((break_glass::Target::Client(_), glass)) => {
            Ok(Redirect::to(&format!("/clients/{}/record", glass.client_id)).into_response())
        }
        Err(AppError::Invalid(problem)) => page(
            chrome,
            form,
            StatusCode::UNPROCESSABLE_ENTITY,
            Some(problem),
        ),
        Err(AppError::NotFound(_)) => page(chrome, form, StatusCode::NOT_FOUND, Some(not_found)),
        Err(other) => Err(other),
    }
}
