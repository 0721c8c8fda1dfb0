//! Managing staff accounts: listing the users one manages, creating users, granting and
//! revoking roles. Admins hand out any role within their subtree; unit managers practitioner
//! and unit_manager within their unit.

use crate::AppState;
use crate::api::account::UserSummary;
use crate::api::extract::ApiJson;
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::service::accounts;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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
    let (created, generated_password) = accounts::create_user(
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
        }),
    ))
}

/// Grants a role on a node to a user.
#[utoipa::path(
    post,
    path = "/api/v1/users/{id}/grants",
    tag = "users",
    params(("id" = i64, Path, description = "The user's identifier")),
    request_body = GrantBody,
    responses(
        (status = 200, description = "The user with the new grant", body = UserSummary),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "The caller may not grant this role here", body = ErrorBody),
        (status = 404, description = "No such user", body = ErrorBody),
        (status = 409, description = "The user already holds this grant", body = ErrorBody)
    )
)]
pub async fn add_grant(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<GrantBody>,
) -> ApiResult<Json<UserSummary>> {
    let id = user_id(&id)?;
    let grant =
        accounts::checked_grant(&user, &body.role, &body.org, &format!("user:{id}")).await?;
    state.store.add_grant(id, &grant, &user.actor()).await?;
    Ok(Json(state.store.get_user(id).await?.into()))
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
        (status = 403, description = "The caller may not revoke this role here", body = ErrorBody),
        (status = 404, description = "The user does not hold this grant", body = ErrorBody)
    )
)]
pub async fn remove_grant(
    State(state): State<AppState>,
    user: SignedIn,
    Path((id, role, org)): Path<(String, String, String)>,
) -> ApiResult<StatusCode> {
    let id = user_id(&id)?;
    let grant = accounts::checked_grant(&user, &role, &org, &format!("user:{id}")).await?;
    state.store.remove_grant(id, &grant, &user.actor()).await?;
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
