//! The case page's forms: interventions, closing, needs, goals and their follow-up. A rejected
//! form shows the case page again with the problem named.

use super::*;
use crate::auth::SignedIn;
use crate::html::Chrome;
use crate::service::followup::{self, InterventionInput};
use crate::{AppError, AppState};
use axum::Form;
use axum::extract::{Path, State};
use axum::response::Response;
use serde::Deserialize;

pub(super) async fn add_intervention(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<InterventionInput>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let result = followup::add_intervention(&state, &user, id, &form)
        .await
        .map(|_| ());
    or_case_page(result, &state, &user, chrome, id).await
}

/// The close form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct CloseForm {
    /// The closing date.
    pub closed_on: String,
}

pub(super) async fn close_case(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<CloseForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let result = followup::close_case(&state, &user, id, Some(&form.closed_on)).await;
    or_case_page(result, &state, &user, chrome, id).await
}

/// The need form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct NeedForm {
    /// Life area code.
    pub life_area: String,
    /// Text.
    pub description: String,
}

pub(super) async fn add_need(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<NeedForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let result = followup::add_need(&state, &user, id, &form.life_area, &form.description)
        .await
        .map(|_| ());
    or_case_page(result, &state, &user, chrome, id).await
}

/// The goal form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GoalForm {
    /// Text.
    pub description: String,
}

pub(super) async fn add_goal(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path((id, need)): Path<(String, String)>,
    Form(form): Form<GoalForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let need = need
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("need '{need}'")))?;
    let result = followup::add_goal(&state, &user, id, need, &form.description)
        .await
        .map(|_| ());
    or_case_page(result, &state, &user, chrome, id).await
}

/// The goal outcome form.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct OutcomeForm {
    /// Outcome code.
    pub outcome: String,
}

pub(super) async fn follow_up_goal(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path((id, goal)): Path<(String, String)>,
    Form(form): Form<OutcomeForm>,
) -> Result<Response, AppError> {
    let id = case_id(&id)?;
    let goal = goal
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("goal '{goal}'")))?;
    let result = followup::follow_up_goal(&state, &user, id, goal, &form.outcome).await;
    or_case_page(result, &state, &user, chrome, id).await
}
