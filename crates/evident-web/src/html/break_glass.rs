//! The break-the-glass form: a practitioner names a case and says why, and on success is taken
//! to the case. A case that does not exist and one outside the practitioner's municipality get
//! the same answer; nothing on any 404 page hints that a case exists.

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
    let Ok(case_id) = form.case_id.trim().trim_start_matches('#').parse::<i64>() else {
        return page(chrome, form, StatusCode::NOT_FOUND, Some(not_found));
    };
    match break_glass::open(&state, &user, case_id, &form.reason).await {
        Ok(glass) => Ok(Redirect::to(&format!("/cases/{}", glass.case_id)).into_response()),
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
