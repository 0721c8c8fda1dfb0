//! The audit trail, for auditors: searching it, verifying its hash chain, and the accesses to
//! follow up.

use crate::AppState;
use crate::api::extract::ApiQuery;
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody};
use crate::service::audit::{self, AuditQuery, FollowUpItem, FollowUpQuery};
use axum::Json;
use axum::extract::State;
use evident_core::access::audit::AuditEntry;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// One entry of the trail.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditEntrySummary {
    /// Position in the trail.
    pub id: i64,
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who (e-mail address, `anonymous`, `cli:…`).
    pub actor: String,
    /// What.
    pub action: String,
    /// Which record.
    pub record: String,
    /// The client's pseudonym, when it concerns a client.
    pub client: Option<String>,
    /// From which address.
    pub address: Option<String>,
    /// `allowed`, `denied` or `failed`.
    pub outcome: String,
    /// Details.
    pub detail: String,
    /// The entry's hash.
    pub hash: String,
}

impl From<AuditEntry> for AuditEntrySummary {
    fn from(entry: AuditEntry) -> Self {
        Self {
            id: entry.id,
            at: entry.at,
            actor: entry.event.actor,
            action: entry.event.action,
            record: entry.event.record,
            client: entry.event.client,
            address: entry.event.address,
            outcome: entry.event.outcome.as_str().to_owned(),
            detail: entry.event.detail,
            hash: entry.hash,
        }
    }
}

/// The result of verifying the chain.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AuditVerification {
    /// Whether every entry verifies.
    pub intact: bool,
    /// How many entries were checked (when intact).
    pub entries: usize,
    /// The first entry that does not verify, and why.
    pub first_bad_entry: Option<i64>,
    /// What is wrong with it.
    pub problem: Option<String>,
}

/// Searches the audit trail, newest first.
#[utoipa::path(
    get,
    path = "/api/v1/audit",
    tag = "audit",
    params(AuditQuery),
    responses(
        (status = 200, description = "Matching entries", body = Vec<AuditEntrySummary>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs auditor", body = ErrorBody)
    )
)]
pub async fn search_audit(
    State(state): State<AppState>,
    user: SignedIn,
    ApiQuery(query): ApiQuery<AuditQuery>,
) -> ApiResult<Json<Vec<AuditEntrySummary>>> {
    let entries = audit::search(&state, &user, &query).await?;
    Ok(Json(entries.into_iter().map(Into::into).collect()))
}

/// Verifies the hash chain of the whole trail.
#[utoipa::path(
    get,
    path = "/api/v1/audit/verify",
    tag = "audit",
    responses(
        (status = 200, description = "The verdict", body = AuditVerification),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs auditor", body = ErrorBody)
    )
)]
pub async fn verify_audit(
    State(state): State<AppState>,
    user: SignedIn,
) -> ApiResult<Json<AuditVerification>> {
    let verdict = audit::verify(&state, &user).await?;
    Ok(Json(match verdict {
        Ok(entries) => AuditVerification {
            intact: true,
            entries,
            first_bad_entry: None,
            problem: None,
        },
        Err(broken) => AuditVerification {
            intact: false,
            entries: 0,
            first_bad_entry: Some(broken.id),
            problem: Some(broken.problem),
        },
    }))
}

/// The accesses auditors follow up: emergency accesses, denials, client reads at units where
/// the user holds no grant, and days of unusually many client reads; as JSON, or as CSV with
/// `format=csv`.
#[utoipa::path(
    get,
    path = "/api/v1/audit/follow-up",
    tag = "audit",
    params(FollowUpQuery),
    responses(
        (status = 200, description = "The accesses to follow up (JSON, or text/csv)", body = Vec<FollowUpItem>),
        (status = 401, description = "Not signed in", body = ErrorBody),
        (status = 403, description = "Needs auditor", body = ErrorBody),
        (status = 422, description = "An unknown kind", body = ErrorBody)
    )
)]
pub async fn follow_up(
    State(state): State<AppState>,
    user: SignedIn,
    ApiQuery(query): ApiQuery<FollowUpQuery>,
) -> ApiResult<axum::response::Response> {
    use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
    use axum::response::IntoResponse;
    let items = audit::follow_up(&state, &user, &query).await?;
    Ok(if query.format.as_deref() == Some("csv") {
        (
            [
                (CONTENT_TYPE, crate::render::CSV_CONTENT_TYPE.to_owned()),
                (
                    CONTENT_DISPOSITION,
                    "attachment; filename=\"audit-follow-up.csv\"".to_owned(),
                ),
            ],
            audit::follow_up_csv(&items),
        )
            .into_response()
    } else {
        Json(items).into_response()
    })
}
