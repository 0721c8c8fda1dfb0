//! Breaking the glass over the API: a practitioner opens a time-limited emergency access to
//! a client at another unit of their own authority, named by a case or by the client's
//! pseudonym, stating why.

use crate::AppState;
use crate::api::extract::ApiJson;
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody};
use crate::service::break_glass;
use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use evident_core::access::break_glass::BreakGlass;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a practitioner asks for: a client named by a case or by pseudonym (one of the two).
#[derive(Debug, Deserialize, ToSchema)]
pub struct BreakGlassRequest {
    /// The case whose client to open.
    #[serde(default)]
    pub case_id: Option<i64>,
    /// Or: the client's pseudonym at the caller's authority (64 hex digits, as in the
    /// client's record). A pseudonym of another authority is not found.
    #[serde(default)]
    pub pseudonym: Option<String>,
    /// Why this is an emergency (at least 10 characters); written to the audit trail.
    pub reason: String,
}

/// An emergency access, as opened.
#[derive(Debug, Serialize, ToSchema)]
pub struct BreakGlassBody {
    /// Its id.
    pub id: i64,
    /// The case asked for (by pseudonym: the client's most recently opened case at the
    /// authority).
    pub case_id: i64,
    /// The client whose records it opens (all their cases within the authority).
    pub client_id: i64,
    /// The reason, as stated.
    pub reason: String,
    /// Opened at (RFC 3339, UTC).
    pub opened_at: String,
    /// Open until (RFC 3339, UTC).
    pub expires_at: String,
}

impl From<BreakGlass> for BreakGlassBody {
    fn from(glass: BreakGlass) -> Self {
        Self {
            id: glass.id,
            case_id: glass.case_id,
            client_id: glass.client_id,
            reason: glass.reason,
            opened_at: glass.opened_at,
            expires_at: glass.expires_at,
        }
    }
}

/// Breaks the glass: opens a client at another unit of the caller's authority for reading,
/// for a few hours; audited with the reason. The client is named by a case or by pseudonym; a
/// case or pseudonym outside the caller's authority answers 404, as one that does not exist.
#[utoipa::path(
    post,
    path = "/api/v1/break-glass",
    tag = "follow-up",
    request_body = BreakGlassRequest,
    responses(
        (status = 201, description = "Opened", body = BreakGlassBody),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs practitioner or unit_manager somewhere (the denial is audited)", body = ErrorBody),
        (status = 404, description = "No such case or client within the caller's authority (the denial is audited)", body = ErrorBody),
        (status = 422, description = "No reason, or too short a one; neither or both of case_id and pseudonym", body = ErrorBody)
    )
)]
pub async fn break_glass(
    State(state): State<AppState>,
    user: SignedIn,
    ApiJson(body): ApiJson<BreakGlassRequest>,
) -> ApiResult<(StatusCode, Json<BreakGlassBody>)> {
    let target = break_glass::Target::parse(body.case_id, body.pseudonym.as_deref())?;
    let glass = break_glass::open(&state, &user, &target, &body.reason).await?;
    Ok((StatusCode::CREATED, Json(glass.into())))
}
