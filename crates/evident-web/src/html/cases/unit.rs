//! A unit's cases and the form that opens one.

use crate::auth::SignedIn;
use crate::error::code_in_path;
use crate::html::{Chrome, render};
use crate::service::case_list;
use crate::service::followup::{self};
use crate::{AppError, AppState};
use askama::Template;
use axum::Form;
use axum::extract::{Path, Query, State};
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
    /// Its cases on this page, newest first.
    pub cases: Vec<CaseRow>,
    /// The link to the next page, when there is one.
    pub next_page: Option<String>,
    /// The link to the first page, when this is a later one.
    pub first_page: Option<String>,
    /// Why the form was rejected.
    pub form_error: Option<String>,
}

/// Cases per page of the list.
const CASES_PER_PAGE: u32 = 50;

/// Which page of the list: the cases after this case (from the newest when empty).
#[derive(Debug, Default, Deserialize)]
pub struct CaseListParams {
    /// The case to continue after.
    pub after: Option<String>,
}

impl CaseListParams {
    fn after(&self) -> Result<Option<i64>, AppError> {
        match self
            .after
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Ok(None),
            Some(text) => text
                .parse()
                .map(Some)
                .map_err(|_| AppError::Invalid(format!("after: '{text}' is not a case number"))),
        }
    }
}

pub(super) async fn unit_cases_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    unit: &OrgCode,
    after: Option<i64>,
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
    let page = case_list::unit_cases_page(state, user, unit, after, Some(CASES_PER_PAGE)).await?;
    let rows = page
        .cases
        .into_iter()
        .map(|(case, client)| CaseRow {
            id: case.id,
            pseudonym: client.pseudonym.short().to_owned(),
            opened_on: case.opened_on.to_string(),
        })
        .collect();
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
            next_page: page
                .next
                .map(|next| format!("/orgs/{unit}/cases?after={next}")),
            first_page: after.map(|_| format!("/orgs/{unit}/cases")),
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
    Query(params): Query<CaseListParams>,
) -> Result<Response, AppError> {
    let unit = code_in_path(&code)?;
    unit_cases_page(&state, &user, chrome, &unit, params.after()?, None).await
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
            unit_cases_page(&state, &user, chrome, &unit, None, Some(problem)).await
        }
        Err(other) => Err(other),
    }
}
