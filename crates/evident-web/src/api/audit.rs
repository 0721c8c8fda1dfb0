//! The audit trail, for auditors: searching it and verifying its hash chain.

use crate::AppState;
use crate::api::extract::ApiQuery;
use crate::auth::SignedIn;
use crate::error::{ApiResult, ErrorBody};
use axum::Json;
use axum::extract::State;
use evident_core::OrgCode;
use evident_core::access::audit::AuditEntry;
use evident_core::access::{Action, DataClass};
use evident_store::AuditFilter;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

/// What to search the trail for; every field narrows the search.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditQuery {
    /// The actor's e-mail address.
    pub actor: Option<String>,
    /// A client's pseudonym.
    pub client: Option<String>,
    /// An action, e.g. `unit.update`, `login`, `read`.
    pub action: Option<String>,
    /// From this day (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Up to this day (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    /// At most this many entries, newest first (default 200, at most 1000).
    pub limit: Option<i64>,
}

impl AuditQuery {
    /// The store's filter: empty fields ignored, `to` made inclusive of its whole day.
    pub fn filter(&self) -> AuditFilter {
        let given = |v: &Option<String>| {
            v.as_ref()
                .map(|s| s.trim().to_owned())
                .filter(|s| !s.is_empty())
        };
        AuditFilter {
            actor: given(&self.actor).map(|a| a.to_lowercase()),
            client: given(&self.client),
            action: given(&self.action),
            from: given(&self.from),
            // "…T" sorts after every instant of that day in the stored RFC 3339 text.
            until: given(&self.to).map(|day| format!("{day}T~")),
            limit: self.limit.unwrap_or(200).clamp(1, 1000),
        }
    }
}

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
    user.authorize(
        Action::ReadAudit,
        &OrgCode::nation(),
        DataClass::Public,
        "audit",
    )
    .await?;
    let entries = state.store.search_audit(&query.filter()).await?;
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
    user.authorize(
        Action::ReadAudit,
        &OrgCode::nation(),
        DataClass::Public,
        "audit",
    )
    .await?;
    let verdict = evident_store::audit::verify_audit_trail(&*state.store).await?;
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
