//! The audit trail for auditors, shared by the page and the API: searching it and verifying its
//! hash chain, each behind the auditor's grant.

use crate::auth::SignedIn;
use crate::{AppError, AppState};
use evident_core::OrgCode;
use evident_core::access::audit::follow_up::{
    DAILY_READS_LIMIT, DailyReads, MEDIAN_FACTOR, unusual_volumes,
};
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
            ..AuditFilter::default()
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

/// Writes what `user` did to a unit's clients at once (exported its measurements): one entry
/// for the unit and one per client touched, naming the client's pseudonym so that the access
/// shows in that client's own record; all in one transaction. (A list view is one entry
/// naming its clients instead: [`AuditEvent::listing`].)
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

/// What an auditor follows up: which kinds, in which period, by whom.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct FollowUpQuery {
    /// From this day (YYYY-MM-DD), inclusive.
    pub from: Option<String>,
    /// Up to this day (YYYY-MM-DD), inclusive.
    pub to: Option<String>,
    /// Only this user (e-mail address).
    pub user: Option<String>,
    /// Only this kind: `break_glass`, `denied`, `outside_units` or `volume`.
    pub kind: Option<String>,
    /// `csv` for a CSV download (API only).
    pub format: Option<String>,
}

/// The kinds of accesses auditors follow up.
pub const FOLLOW_UP_KINDS: [&str; 4] = ["break_glass", "denied", "outside_units", "volume"];

/// One access to follow up.
#[derive(Debug, Clone, serde::Serialize, utoipa::ToSchema)]
pub struct FollowUpItem {
    /// `break_glass` (an emergency access opened), `denied` (an access refused),
    /// `outside_units` (a client read at a unit where the user holds no grant, under an
    /// emergency access) or `volume` (a day of unusually many client reads).
    pub kind: String,
    /// When (RFC 3339, UTC), or the day for `volume`.
    pub at: String,
    /// Who.
    pub actor: String,
    /// What they did (empty for `volume`).
    pub action: String,
    /// Which record.
    pub record: String,
    /// The client's pseudonym, when one was concerned.
    pub client: Option<String>,
    /// The reason, what was missing, or the counts.
    pub detail: String,
}

/// The accesses to follow up matching `query`, each kind newest first.
///
/// # Errors
/// Forbidden without the auditor's grant; [`AppError::Invalid`] for an unknown kind; a store
/// failure.
pub async fn follow_up(
    state: &AppState,
    user: &SignedIn,
    query: &FollowUpQuery,
) -> Result<Vec<FollowUpItem>, AppError> {
    authorize(user).await?;
    let given = |v: &Option<String>| {
        v.as_ref()
            .map(|s| s.trim().to_owned())
            .filter(|s| !s.is_empty())
    };
    let kind = given(&query.kind);
    if let Some(kind) = &kind
        && !FOLLOW_UP_KINDS.contains(&kind.as_str())
    {
        return Err(AppError::Invalid(format!(
            "kind: '{kind}' is not one of {}",
            FOLLOW_UP_KINDS.join(", ")
        )));
    }
    let wanted = |k: &str| kind.as_deref().is_none_or(|kind| kind == k);
    let base = AuditFilter {
        actor: given(&query.user).map(|a| a.to_lowercase()),
        from: given(&query.from),
        until: given(&query.to).map(|day| format!("{day}T~")),
        limit: 1000,
        ..AuditFilter::default()
    };
    let mut items = Vec::new();
    let mut add = |kind: &str, entries: Vec<AuditEntry>| {
        items.extend(entries.into_iter().map(|e| FollowUpItem {
            kind: kind.to_owned(),
            at: e.at,
            actor: e.event.actor,
            action: e.event.action,
            record: e.event.record,
            client: e.event.client,
            detail: e.event.detail,
        }));
    };
    if wanted("break_glass") {
        let filter = AuditFilter {
            action: Some("break_glass".into()),
            outcome: Some("allowed".into()),
            ..base.clone()
        };
        add("break_glass", state.store.search_audit(&filter).await?);
    }
    if wanted("denied") {
        let filter = AuditFilter {
            outcome: Some("denied".into()),
            ..base.clone()
        };
        add("denied", state.store.search_audit(&filter).await?);
    }
    if wanted("outside_units") {
        let filter = AuditFilter {
            detail_prefix: Some("via break the glass".into()),
            ..base.clone()
        };
        let mut reads = state.store.search_audit(&filter).await?;
        // An extract made under an emergency access names it after its case count.
        let extracts = AuditFilter {
            action: Some("client.record_extract".into()),
            ..base.clone()
        };
        reads.extend(
            state
                .store
                .search_audit(&extracts)
                .await?
                .into_iter()
                .filter(|e| e.event.detail.contains("via break the glass")),
        );
        reads.sort_by_key(|e| std::cmp::Reverse(e.id));
        add("outside_units", reads);
    }
    if wanted("volume") {
        let days: Vec<DailyReads> = state
            .store
            .client_reads_per_day(base.from.as_deref(), base.until.as_deref())
            .await?
            .into_iter()
            .map(|(actor, day, reads)| DailyReads { actor, day, reads })
            .collect();
        let mut unusual = unusual_volumes(&days, DAILY_READS_LIMIT, MEDIAN_FACTOR);
        if let Some(actor) = &base.actor {
            unusual.retain(|u| &u.actor == actor);
        }
        unusual.sort_by(|a, b| b.day.cmp(&a.day).then(a.actor.cmp(&b.actor)));
        items.extend(unusual.into_iter().map(|u| FollowUpItem {
            kind: "volume".into(),
            at: u.day,
            actor: u.actor,
            action: String::new(),
            record: String::new(),
            client: None,
            detail: format!("{} client reads (median day {})", u.reads, u.median),
        }));
    }
    let read = AuditEvent::new(&user.actor(), "audit.follow_up", "audit", Outcome::Allowed)
        .with_detail(format!(
            "kind={} ({} items)",
            kind.as_deref().unwrap_or("all"),
            items.len()
        ));
    state.store.append_audit(&read).await?;
    Ok(items)
}

/// The follow-up list as CSV (`;`-separated, UTF-8 with BOM, as every download).
pub fn follow_up_csv(items: &[FollowUpItem]) -> String {
    let header = [
        "kind", "at", "actor", "action", "record", "client", "detail",
    ]
    .map(str::to_owned);
    let rows = items.iter().map(|i| {
        [
            i.kind.clone(),
            i.at.clone(),
            i.actor.clone(),
            i.action.clone(),
            i.record.clone(),
            i.client.clone().unwrap_or_default(),
            i.detail.clone(),
        ]
    });
    crate::render::csv::to_string(std::iter::once(header).chain(rows))
}
