//! Creating a user-defined comparison group from the profile page.

use super::*;
use crate::auth::SignedIn;
use crate::html::Chrome;
use crate::service::comparisons::ProfileParams;
use crate::{AppError, AppState};
use axum::Form;
use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use evident_core::indicator::group::NewComparisonGroup;
use evident_core::{OrgCode, OrgLevel};
use serde::Deserialize;

/// The form that creates a comparison group from a profile page.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub struct GroupForm {
    /// The group's name.
    pub name: String,
    /// Municipality codes.
    pub members: String,
    /// The municipality whose profile the form was on.
    pub back: String,
}

pub(super) async fn create_group(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Form(form): Form<GroupForm>,
) -> Result<Response, AppError> {
    let back = OrgCode::parse_at("back", &form.back, OrgLevel::Municipality)
        .map_err(|e| AppError::Invalid(e.to_string()))?;
    let failed = |problem: String| async {
        profile_page(
            &state,
            true,
            chrome.clone(),
            &back,
            &ProfileParams::default(),
            Some(problem),
        )
        .await
    };
    crate::service::comparisons::authorize_group_maker(&user).await?;
    let group = match NewComparisonGroup::parse(&form.name, &form.members) {
        Ok(group) => group,
        Err(problem) => return failed(problem.to_string()).await,
    };
    match crate::service::comparisons::create_group(&state, &user, &group).await {
        Ok(group) => {
            Ok(Redirect::to(&format!("/orgs/{back}/profile?group={}", group.id)).into_response())
        }
        Err(AppError::Conflict(_)) => {
            failed(format!(
                "name: a group called '{}' already exists",
                group.name
            ))
            .await
        }
        Err(other) => Err(other),
    }
}
