//! The caller's own account: who they are, their personal access tokens, and signing out
//! their other sessions.

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::auth::SignedIn;
use crate::error::{ApiResult, AppError, ErrorBody};
use crate::service::accounts;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use evident_core::access::account::{AccessToken, User};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// A role held on a node.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct GrantSummary {
    /// The role, e.g. `practitioner`.
    #[schema(example = "practitioner")]
    pub role: String,
    /// The node it is held on, e.g. `0380-0001`.
    #[schema(example = "0380-0001")]
    pub org: String,
}

/// A user and their grants.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct UserSummary {
    /// Identifier.
    pub id: i64,
    /// E-mail address (the sign-in name).
    pub email: String,
    /// Name.
    pub name: String,
    /// Roles held.
    pub grants: Vec<GrantSummary>,
}

impl From<User> for UserSummary {
    fn from(user: User) -> Self {
        Self {
            id: user.id,
            email: user.email.to_string(),
            name: user.name.to_string(),
            grants: user
                .grants
                .into_iter()
                .map(|g| GrantSummary {
                    role: g.role.to_string(),
                    org: g.org.to_string(),
                })
                .collect(),
        }
    }
}

/// A personal access token as listed (never with its secret).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct TokenSummary {
    /// Identifier, for revoking.
    pub id: i64,
    /// What its owner called it.
    pub label: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

impl From<AccessToken> for TokenSummary {
    fn from(token: AccessToken) -> Self {
        Self {
            id: token.id,
            label: token.label,
            expires_at: token.expires_at,
            revoked_at: token.revoked_at,
        }
    }
}

/// A token to create.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewTokenBody {
    /// What it is for, e.g. "monthly report script".
    pub label: String,
    /// Days until it expires (1–365, default 90).
    #[serde(default)]
    pub expires_days: Option<i64>,
    /// The caller's password, again: creating a token needs it.
    pub password: String,
}

/// A created token, with its secret: shown this once and never again.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CreatedToken {
    /// The token as listed.
    #[serde(flatten)]
    pub summary: TokenSummary,
    /// The secret to send as `Authorization: Bearer <token>`.
    pub token: String,
}

/// The caller: who they are and the roles they hold.
#[utoipa::path(
    get,
    path = "/api/v1/me",
    tag = "account",
    responses(
        (status = 200, description = "The caller", body = UserSummary),
        (status = 401, description = "Not signed in", body = ErrorBody)
    )
)]
pub async fn me(user: SignedIn) -> Json<UserSummary> {
    Json(user.user.into())
}

/// The caller's personal access tokens, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/tokens",
    tag = "account",
    responses(
        (status = 200, description = "The tokens", body = Vec<TokenSummary>),
        (status = 401, description = "Not signed in", body = ErrorBody)
    )
)]
pub async fn list_tokens(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<Vec<TokenSummary>>> {
    let tokens = state.store.list_tokens(user.user.id).await?;
    Ok(Json(tokens.into_iter().map(Into::into).collect()))
}

/// Creates a personal access token for the caller; the secret is in this response only.
/// Only a signed-in browser session (with its `X-CSRF-Token`) may, and only with the caller's
/// password: a token cannot make tokens.
#[utoipa::path(
    post,
    path = "/api/v1/tokens",
    tag = "account",
    request_body = NewTokenBody,
    security(("session" = [])),
    responses(
        (status = 201, description = "The token, with its secret", body = CreatedToken),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Asked with an access token, or a wrong password", body = ErrorBody),
        (status = 422, description = "An empty label or a lifetime outside 1–365 days", body = ErrorBody)
    )
)]
pub async fn create_token(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let (summary, secret) = accounts::issue_token(
        &state,
        &user,
        &body.password,
        &body.label,
        body.expires_days.unwrap_or(90),
    )
    .await?;
    Ok((
        StatusCode::CREATED,
        Json(CreatedToken {
            summary: summary.into(),
            token: secret.expose().to_owned(),
        }),
    ))
}

/// How many sessions ended.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SessionsEnded {
    /// The caller's other browser sessions that were signed out.
    pub ended: u64,
}

/// Signs the caller out of every other browser session, keeping the one this request came in
/// (called with a token, all of them end). Audited as `logout.others`.
#[utoipa::path(
    post,
    path = "/api/v1/sessions/end-others",
    tag = "account",
    responses(
        (status = 200, description = "The other sessions ended", body = SessionsEnded),
        (status = 401, description = "Not signed in", body = ErrorBody)
    )
)]
pub async fn end_other_sessions(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<SessionsEnded>> {
    let ended = accounts::end_other_sessions(&state, &user).await?;
    Ok(Json(SessionsEnded { ended }))
}

/// Revokes one of the caller's tokens.
#[utoipa::path(
    delete,
    path = "/api/v1/tokens/{id}",
    tag = "account",
    params(("id" = i64, Path, description = "The token's identifier")),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 404, description = "The caller has no such live token", body = ErrorBody)
    )
)]
pub async fn revoke_token(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> ApiResult<StatusCode> {
    let id = id
        .parse::<i64>()
        .map_err(|_| AppError::NotFound(format!("token '{id}'")))?;
    state
        .store
        .revoke_token(user.user.id, id, &user.actor())
        .await?;
    Ok(StatusCode::NO_CONTENT)
}
