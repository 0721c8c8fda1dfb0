//! A unit's cases and the form that opens one.

use crate::auth::SignedIn;
use crate::error::code_in_path;
use crate::html::{Chrome, render};
use crate::service::followup::{self};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::OrgCode;
use evident_core::access::{Action, DataClass};
use serde::Deserialize;

/// A case in a unit's list.
#[derive(Debug, Clone)]
pub struct CaseRow {
    /// The case.
    pub id: i64,
    /// The client's short pseudonym.
    pub pseudonym: String,
    /// Opened.
    pub opened_on: String,
}

/// A unit's cases.
#[derive(Template)]
#[template(path = "cases/unit.html")]
pub struct UnitCasesPage {
    /// The frame.
    pub chrome: Chrome,
    /// The unit's code.
    pub unit: String,
    /// The unit's name.
    pub unit_name: String,
    /// Its cases.
    pub cases: Vec<CaseRow>,
    /// Why the form was rejected.
    pub form_error: Option<String>,
}

pub(super) async fn unit_cases_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    unit: &OrgCode,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    user.authorize(
        Action::Read,
        unit,
        DataClass::Identified,
        &format!("unit:{unit}"),
    )
    .await?;
    let unit_name = state.store.get_unit(unit).await?.name.to_string();
    let mut rows = Vec::new();
    let mut pseudonyms = Vec::new();
    for case in state.store.list_unit_cases(unit).await? {
        let client = state.store.get_client(case.client_id).await?;
        rows.push(CaseRow {
            id: case.id,
            pseudonym: client.pseudonym.short().to_owned(),
            opened_on: case.opened_on.to_string(),
        });
        pseudonyms.push(client.pseudonym.to_string());
    }
    crate::service::audit::record_client_accesses(
        state,
        user,
        "case.list",
        &format!("unit:{unit}"),
        &format!("{} cases", rows.len()),
        pseudonyms,
    )
    .await?;
    let status = if form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&UnitCasesPage {
            chrome,
            unit: unit.to_string(),
            unit_name,
            cases: rows,
            form_error,
        })?,
    )
        .into_response())
}

pub(super) async fn show_unit_cases(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
) -> Result<Response, AppError> {
    unit_cases_page(&state, &user, chrome, &code_in_path(&code)?, None).await
}

/// The form that opens a case.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OpenCaseForm {
    /// The personal number.
    pub personal_number: String,
    /// Opening date.
    pub opened_on: String,
    /// Schedule.
    pub schedule: String,
}

pub(super) async fn open_case(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(code): Path<String>,
    Form(form): Form<OpenCaseForm>,
) -> Result<Response, AppError> {
    let unit = code_in_path(&code)?;
    let schedule = Some(form.schedule.as_str()).filter(|s| !s.trim().is_empty());
    match followup::open_case(
        &state,
        &user,
        &unit,
        &form.personal_number,
        Some(&form.opened_on),
        schedule,
    )
    .await
    {
        Ok((case, _, _)) => Ok(Redirect::to(&format!("/cases/{}", case.id)).into_response()),
        Err(AppError::Invalid(problem)) => {
            unit_cases_page(&state, &user, chrome, &unit, Some(problem)).await
        }
        Err(other) => Err(other),
    }
}
