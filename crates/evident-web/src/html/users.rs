//! User administration for admins and unit managers: the users they manage, creating users,
//! granting and revoking roles, approving and rejecting requests for roles that read
//! identified data, and disabling and enabling accounts. The rules live in
//! [`crate::service::accounts`] and the policy.

use crate::auth::SignedIn;
use crate::html::auth::GrantRow;
use crate::html::{Chrome, render};
use crate::service::accounts::{self, GrantOutcome, visible_requests, visible_users};
use crate::{AppError, AppState};
use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use evident_core::access::Role;
use serde::Deserialize;

/// The user administration routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/admin/users", get(show_users).post(create_user))
        .route("/admin/users/{id}/grants", post(add_grant))
        .route("/admin/users/{id}/grants/remove", post(remove_grant))
        .route("/admin/users/{id}/disable", post(disable_user))
        .route("/admin/users/{id}/enable", post(enable_user))
        .route("/admin/grant-requests/{id}/approve", post(approve_request))
        .route("/admin/grant-requests/{id}/reject", post(reject_request))
}

/// A user with their roles resolved.
#[derive(Debug, Clone)]
pub struct UserRow {
    /// Identifier.
    pub id: i64,
    /// Name.
    pub name: String,
    /// E-mail address.
    pub email: String,
    /// Roles.
    pub grants: Vec<GrantRow>,
    /// Whether the account is disabled.
    pub disabled: bool,
    /// Whether it is the viewer's own (which they cannot disable).
    pub is_me: bool,
}

/// An open request for a role, with its texts resolved.
#[derive(Debug, Clone)]
pub struct RequestRow {
    /// The request's identifier.
    pub id: i64,
    /// The grantee's e-mail address.
    pub email: String,
    /// The role and node asked for.
    pub grant: GrantRow,
    /// The requester's e-mail address (empty once that account is gone).
    pub requested_by: String,
    /// Whether the reader made it (and may only withdraw it).
    pub mine: bool,
}

/// A role in the role `<select>`.
#[derive(Debug, Clone)]
pub struct RoleOption {
    /// The role's code.
    pub value: &'static str,
    /// Its name.
    pub label: &'static str,
}

/// The user administration page.
#[derive(Template)]
#[template(path = "users/list.html")]
pub struct UsersPage {
    /// The frame.
    pub chrome: Chrome,
    /// The users the reader manages.
    pub users: Vec<UserRow>,
    /// The open requests the reader may decide or made.
    pub requests: Vec<RequestRow>,
    /// Whether a grant was just requested rather than given.
    pub requested: bool,
    /// The roles to choose from.
    pub roles: Vec<RoleOption>,
    /// The new user form as typed.
    pub form: NewUserForm,
    /// A generated password to show once, with the user it belongs to.
    pub created: Option<(String, String)>,
    /// Why a form was rejected.
    pub form_error: Option<String>,
}

/// The new user form.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct NewUserForm {
    /// E-mail address.
    pub email: String,
    /// Name.
    pub name: String,
    /// First role.
    pub role: String,
    /// Node.
    pub org: String,
}

/// The grant and revoke forms.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct GrantForm {
    /// The role.
    pub role: String,
    /// The node.
    pub org: String,
}

/// What the page says after a change.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Notice {
    /// `1` after a grant was requested rather than given.
    pub requested: Option<u8>,
}

async fn users_page(
    state: &AppState,
    user: &SignedIn,
    chrome: Chrome,
    form: NewUserForm,
    created: Option<(String, String)>,
    requested: bool,
    form_error: Option<String>,
) -> Result<Response, AppError> {
    let mut requests = Vec::new();
    for pending in visible_requests(state, user).await? {
        let email = |id: i64| async move {
            Ok::<_, AppError>(match state.store.get_user(id).await {
                Ok(u) => u.email.to_string(),
                Err(evident_store::StorageError::NotFound(_)) => String::new(),
                Err(other) => return Err(other.into()),
            })
        };
        requests.push(RequestRow {
            id: pending.id,
            email: email(pending.user_id).await?,
            grant: GrantRow::load(state, &chrome, &pending.grant).await?,
            requested_by: match pending.requested_by {
                Some(id) => email(id).await?,
                None => String::new(),
            },
            mine: pending.requested_by == Some(user.user.id),
        });
    }
    let mut users = Vec::new();
    for u in visible_users(state, user).await? {
        let mut grants = Vec::new();
        for grant in &u.grants {
            grants.push(GrantRow::load(state, &chrome, grant).await?);
        }
        users.push(UserRow {
            id: u.id,
            name: u.name.to_string(),
            email: u.email.to_string(),
            grants,
            disabled: u.disabled,
            is_me: u.id == user.user.id,
        });
    }
    let roles = Role::ALL
        .into_iter()
        .map(|r| RoleOption {
            value: r.as_str(),
            label: chrome.t.role_name(r),
        })
        .collect();
    let status = if form_error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        render(&UsersPage {
            chrome,
            users,
            requests,
            requested,
            roles,
            form,
            created,
            form_error,
        })?,
    )
        .into_response())
}

async fn show_users(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Query(notice): Query<Notice>,
) -> Result<Response, AppError> {
    let requested = notice.requested == Some(1);
    users_page(
        &state,
        &user,
        chrome,
        NewUserForm::default(),
        None,
        requested,
        None,
    )
    .await
}

async fn create_user(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Form(form): Form<NewUserForm>,
) -> Result<Response, AppError> {
    match accounts::create_user(
        &state,
        &user,
        &form.email,
        &form.name,
        &form.role,
        &form.org,
        None,
    )
    .await
    {
        Ok((created, password, outcome)) => {
            let shown = password.map(|p| (created.email.to_string(), p));
            let requested = matches!(outcome, GrantOutcome::Requested(_));
            users_page(
                &state,
                &user,
                chrome,
                NewUserForm::default(),
                shown,
                requested,
                None,
            )
            .await
        }
        Err(AppError::Invalid(problem) | AppError::Conflict(problem)) => {
            users_page(&state, &user, chrome, form, None, false, Some(problem)).await
        }
        Err(other) => Err(other),
    }
}

async fn add_grant(
    State(state): State<AppState>,
    user: SignedIn,
    chrome: Chrome,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("user '{id}'")))?;
    match accounts::add_grant(&state, &user, id, &form.role, &form.org).await {
        Ok(GrantOutcome::Granted) => Ok(Redirect::to("/admin/users").into_response()),
        Ok(GrantOutcome::Requested(_)) => {
            Ok(Redirect::to("/admin/users?requested=1").into_response())
        }
        Err(AppError::Invalid(problem) | AppError::Conflict(problem)) => {
            users_page(
                &state,
                &user,
                chrome,
                NewUserForm::default(),
                None,
                false,
                Some(problem),
            )
            .await
        }
        Err(other) => Err(other),
    }
}

async fn remove_grant(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<GrantForm>,
) -> Result<Response, AppError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("user '{id}'")))?;
    accounts::remove_grant(&state, &user, id, &form.role, &form.org).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn decide_request(
    state: &AppState,
    user: &SignedIn,
    id: &str,
    approve: bool,
) -> Result<Response, AppError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("grant request '{id}'")))?;
    accounts::decide_request(state, user, id, approve).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn approve_request(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    decide_request(&state, &user, &id, true).await
}

async fn reject_request(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    decide_request(&state, &user, &id, false).await
}

async fn set_disabled(
    state: &AppState,
    user: &SignedIn,
    id: &str,
    disabled: bool,
) -> Result<Response, AppError> {
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("user '{id}'")))?;
    accounts::set_disabled(state, user, id, disabled).await?;
    Ok(Redirect::to("/admin/users").into_response())
}

async fn disable_user(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_disabled(&state, &user, &id, true).await
}

async fn enable_user(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Result<Response, AppError> {
    set_disabled(&state, &user, &id, false).await
}
