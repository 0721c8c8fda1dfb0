//! The audit trail for auditors, shared by the page and the API: searching it and verifying its
//! hash chain, each behind the auditor's grant.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::audit::{AuditEntry, ChainBreak};
use evident_core::access::audit::{AuditEvent, Outcome};
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
    let filter = query.filter();
    let entries = state.store.search_audit(&filter).await?;
    // Who looked at the trail, and for what, is itself on the trail.
    let read = AuditEvent::new(&user.actor(), "audit.read", "audit", Outcome::Allowed)
        .with_detail(describe(&filter, entries.len()));
    state.store.append_audit(&read).await?;
    Ok(entries)
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
    let verified = AuditEvent::new(&user.actor(), "audit.verify", "audit", Outcome::Allowed)
        .with_detail(match &verdict {
            Ok(summary) => format!("{} entries intact", summary.entries),
            Err(broken) => format!("broken: {broken}"),
        });
    state.store.append_audit(&verified).await?;
    Ok(verdict.map(|summary| summary.entries))
}

/// The search an auditor made, as the detail of its `audit.read` entry.
fn describe(filter: &AuditFilter, found: usize) -> String {
    let mut parts = Vec::new();
    for (name, value) in [
        ("actor", &filter.actor),
        ("client", &filter.client),
        ("action", &filter.action),
        ("from", &filter.from),
        ("until", &filter.until),
    ] {
        if let Some(value) = value {
            parts.push(format!("{name}={value}"));
        }
    }
    parts.push(format!("limit={}", filter.limit));
    format!("{} ({found} entries)", parts.join(" "))
}

/// Writes what `user` did to a unit's clients at once (listed its cases, exported its
/// measurements): one entry for the unit and one per client touched, naming the client's
/// pseudonym so that the access shows in that client's own record; all in one transaction.
///
/// # Errors
/// A store failure (nothing is written then).
pub(crate) async fn record_client_accesses(
    state: &AppState,
    user: &SignedIn,
    action: &str,
    record: &str,
    detail: &str,
    pseudonyms: impl IntoIterator<Item = String>,
) -> Result<(), AppError> {
    let actor = user.actor();
    let mut pseudonyms: Vec<String> = pseudonyms.into_iter().collect();
    pseudonyms.sort_unstable();
    pseudonyms.dedup();
    let unit = AuditEvent::new(&actor, action, record, Outcome::Allowed).with_detail(detail);
    let mut events = Vec::with_capacity(pseudonyms.len() + 1);
    events.push(unit.clone());
    events.extend(pseudonyms.into_iter().map(|pseudonym| {
        let mut event = unit.clone();
        event.client = Some(pseudonym);
        event
    }));
    state.store.append_audit_many(&events).await?;
    Ok(())
}
