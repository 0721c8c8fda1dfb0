//! The audit trail for auditors, shared by the page and the API: searching it and verifying its
//! hash chain, each behind the auditor's grant.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::audit::{AuditEntry, ChainBreak};
use evident_core::access::{Action, DataClass};
use evident_store::AuditFilter;
use serde::Deserialize;
use utoipa::IntoParams;

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

/// Reading the trail needs the auditor's grant on the nation.
async fn authorize(user: &SignedIn) -> Result<(), AppError> {
    user.authorize(
        Action::ReadAudit,
        &OrgCode::nation(),
        DataClass::Public,
        "audit",
    )
    .await
}

/// The entries matching `query`, newest first.
///
/// # Errors
/// Forbidden without the auditor's grant; a store failure.
pub async fn search(
    state: &AppState,
    user: &SignedIn,
    query: &AuditQuery,
) -> Result<Vec<AuditEntry>, AppError> {
    authorize(user).await?;
    Ok(state.store.search_audit(&query.filter()).await?)
}

/// The chain's verdict: `Ok(entries checked)` or the first break.
///
/// # Errors
/// Forbidden without the auditor's grant; a store failure.
pub async fn verify(
    state: &AppState,
    user: &SignedIn,
) -> Result<Result<usize, ChainBreak>, AppError> {
    authorize(user).await?;
    let verdict = evident_store::audit::verify_audit_trail(&*state.store, Vec::new()).await?;
    Ok(verdict.map(|summary| summary.entries))
}
