//! Managing staff accounts: listing the users one manages, creating users, granting and
//! revoking roles. Admins hand out any role within their subtree; unit managers practitioner
//! and unit_manager within their unit, to users all of whose roles they may hand out. A role
//! that reads identified data (practitioner, unit_manager) is only requested, and granted
//! when someone other than the requester and the grantee approves it.

use crate::AppState;
use crate::api::account::UserSummary;
use crate::api::extract::ApiJson;
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::service::accounts::{self, GrantOutcome};
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use evident_core::access::account::PendingGrant;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A user to create, with their first role.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewUserBody {
    /// E-mail address, the sign-in name.
    #[schema(example = "anna.berg@uppsala.example")]
    pub email: String,
    /// Name.
    #[schema(example = "Anna Berg")]
    pub name: String,
    /// The first role, e.g. `practitioner`.
    #[schema(example = "practitioner")]
    pub role: String,
    /// The node it is granted on.
    #[schema(example = "0380-0001")]
    pub org: String,
    /// A password of at least 12 characters; left out, one is generated and returned once.
    #[serde(default)]
    pub password: Option<String>,
}

/// A created user, with the generated password if one was generated.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedUser {
    /// The user.
    #[serde(flatten)]
    pub user: UserSummary,
    /// The generated password, shown this once; null when one was given.
    pub generated_password: Option<String>,
    /// The request for the first role, when it reads identified data and waits for approval.
    pub pending_grant: Option<PendingGrantBody>,
}

/// A grant waiting for a second person's approval.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PendingGrantBody {
    /// The request's identifier.
    pub id: i64,
    /// The user who is to hold the role.
    pub user_id: i64,
    /// The role.
    #[schema(example = "practitioner")]
    pub role: String,
    /// The node.
    #[schema(example = "0380-0001")]
    pub org: String,
    /// The user who asked for it.
    pub requested_by: Option<i64>,
    /// When (RFC 3339).
    pub requested_at: String,
}

impl From<PendingGrant> for PendingGrantBody {
    fn from(p: PendingGrant) -> Self {
        Self {
            id: p.id,
            user_id: p.user_id,
            role: p.grant.role.to_string(),
            org: p.grant.org.to_string(),
            requested_by: p.requested_by,
            requested_at: p.requested_at,
        }
    }
}

/// A role to grant.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GrantBody {
    /// The role.
    #[schema(example = "practitioner")]
    pub role: String,
    /// The node.
    #[schema(example = "0380-0001")]
    pub org: String,
}

/// The users the caller manages.
#[utoipa::path(
    get,
    path = "/api/v1/users",
    tag = "users",
    responses(
        (status = 200, description = "The users", body = Vec<UserSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs admin or unit_manager", body = ErrorBody)
    )
)]
pub async fn list_users(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<Vec<UserSummary>>> {
    let users = accounts::visible_users(&state, &user).await?;
    Ok(Json(users.into_iter().map(Into::into).collect()))
}

/// Creates a user with a first role.
#[utoipa::path(
    post,
    path = "/api/v1/users",
    tag = "users",
    request_body = NewUserBody,
    responses(
        (status = 201, description = "The user", body = CreatedUser),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not grant this role here", body = ErrorBody),
        (status = 409, description = "The e-mail address is taken", body = ErrorBody),
        (status = 422, description = "A missing or invalid field", body = ErrorBody)
    )
)]
pub async fn create_user(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(body): ApiJson<NewUserBody>,
) -> ApiResult<(StatusCode, Json<CreatedUser>)> {
    let (created, generated_password, outcome) = accounts::create_user(
        &state,
        &user,
        &body.email,
        &body.name,
        &body.role,
        &body.org,
        body.password.as_deref(),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedUser {
            user: created.into(),
            generated_password,
            pending_grant: match outcome {
                GrantOutcome::Granted => None,
                GrantOutcome::Requested(pending) => Some(pending.into()),
            },
        }),
    ))
}

/// Grants a role on a node to a user. A role that reads identified data (practitioner,
/// unit_manager) is requested instead (202), and granted when someone else approves it; nobody
/// requests one for themselves.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/grants",
    tag = "users",
    params(("id" = i64, Path, description = "The user's identifier")),
    request_body = GrantBody,
    responses(
        (status = 200, description = "The user with the new grant", body = UserSummary),
        (status = 202, description = "Requested; waits for a second person's approval", body = PendingGrantBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not grant this role here, may not change this user's roles, or asked for themselves", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user already holds this grant, or it is requested", body = ErrorBody)
    )
)]
pub async fn add_grant(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GrantBody>,
) -> ApiResult<Response> {
    let id = user_id(&id)?;
    match accounts::add_grant(&state, &user, id, &body.role, &body.org).await? {
        GrantOutcome::Granted => {
            let summary: UserSummary = state.store.get_user(id).await?.into();
            Ok(Json(summary).into_response())
        }
        GrantOutcome::Requested(pending) => {
            Ok((StatusCode::ACCEPTED, Json(PendingGrantBody::from(pending))).into_response())
        }
    }
}

/// Revokes a role on a node from a user.
#[utoipa::path(
    delete,
    path = "/api/v1/users/{id}/grants/{role}/{org}",
    tag = "users",
    params(
        ("id" = i64, Path, description = "The user's identifier"),
        ("role" = String, Path, description = "The role"),
        ("org" = String, Path, description = "The node")
    ),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not revoke this role here, or may not change this user's roles", body = ErrorBody),
        (status = 404, description = "The user does not hold this grant", body = ErrorBody)
    )
)]
pub async fn remove_grant(
    State(state): State<AppState>,
    user: SignedIn,
    Path((id, role, org)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let id = user_id(&id)?;
    accounts::remove_grant(&state, &user, id, &role, &org).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// The open grant requests the caller may approve or reject, and those the caller made.
#[utoipa::path(
    get,
    path = "/api/v1/grant-requests",
    tag = "users",
    responses(
        (status = 200, description = "The requests, oldest first", body = Vec<PendingGrantBody>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs admin or unit_manager", body = ErrorBody)
    )
)]
pub async fn list_grant_requests(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<Vec<PendingGrantBody>>> {
    let requests = accounts::visible_requests(&state, &user).await?;
    Ok(Json(requests.into_iter().map(Into::into).collect()))
}

/// Approves a grant request: the user holds the role from now on. Takes someone other than
/// the requester and the grantee who may grant the role on the node.
#[utoipa::path(
    post,
    path = "/api/v1/grant-requests/{id}/approve",
    tag = "users",
    params(("id" = i64, Path, description = "The request's identifier")),
    responses(
        (status = 200, description = "The user with the new grant", body = UserSummary),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller asked for it, is the grantee, or may not grant it", body = ErrorBody),
        (status = 404, description = "No such open request", body = ErrorBody),
        (status = 409, description = "The user already holds this grant", body = ErrorBody)
    )
)]
pub async fn approve_grant_request(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<Json<UserSummary>> {
    let id = request_id(&id)?;
    let pending = accounts::decide_request(&state, &user, id, true).await?;
    Ok(Json(state.store.get_user(pending.user_id).await?.into()))
}

/// Rejects a grant request (or, by its requester, withdraws it); it never takes effect.
#[utoipa::path(
    post,
    path = "/api/v1/grant-requests/{id}/reject",
    tag = "users",
    params(("id" = i64, Path, description = "The request's identifier")),
    responses(
        (status = 204, description = "Rejected"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not decide this request", body = ErrorBody),
        (status = 404, description = "No such open request", body = ErrorBody)
    )
)]
pub async fn reject_grant_request(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = request_id(&id)?;
    accounts::decide_request(&state, &user, id, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Disables a user: they can no longer sign in, and their sessions and tokens stop working
/// at once. Needs the right to hand out every role they hold.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/disable",
    tag = "users",
    params(("id" = i64, Path, description = "The user's identifier")),
    responses(
        (status = 204, description = "Disabled"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not manage all of this user's roles", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "The caller's own account", body = ErrorBody)
    )
)]
pub async fn disable_user(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    accounts::set_disabled(&state, &user, user_id(&id)?, true).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Enables a disabled user again; tokens revoked when they were disabled stay revoked.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/enable",
    tag = "users",
    params(("id" = i64, Path, description = "The user's identifier")),
    responses(
        (status = 204, description = "Enabled"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not manage all of this user's roles", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 422, description = "The caller's own account", body = ErrorBody)
    )
)]
pub async fn enable_user(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    accounts::set_disabled(&state, &user, user_id(&id)?, false).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn user_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("user '{raw}'")))
}

fn request_id(raw: &str) -> Result<i64, AppError> {
    raw.parse()
        .map_err(|_| AppError::NotFound(format!("grant request '{raw}'")))
}
