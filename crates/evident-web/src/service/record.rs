//! A client's own record (GDPR art. 15, "registerutdrag"): everything Evident holds about one
//! client — their pseudonymous identity, cases, interventions, needs and goals, measurements
//! with their answers — and who accessed it, from the audit trail. Producing it needs read
//! access to identified data at every unit with a case of the client (a partial extract would
//! be a wrong one), and is itself recorded in the audit trail.

use crate::auth::SignedIn;
use crate::service::break_glass;
use crate::service::followup::by_case;
use crate::{AppError, AppState};
use evident_core::access::Action;
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::followup::{Case, Client, Intervention, Measurement, Need};
use evident_store::AuditFilter;
use serde::Serialize;

/// One case with everything in it.
#[derive(Debug, Clone, Serialize)]
pub struct CaseRecord {
    /// The case.
    pub case: Case,
    /// Its interventions.
    pub interventions: Vec<Intervention>,
    /// Its needs, each with its goals.
    pub needs: Vec<Need>,
    /// Its measurements, with the answers given.
    pub measurements: Vec<Measurement>,
}

/// One access to the client's data, from the audit trail.
#[derive(Debug, Clone, Serialize)]
pub struct Access {
    /// When (RFC 3339, UTC).
    pub at: String,
    /// Who.
    pub actor: String,
    /// What they did.
    pub action: String,
    /// Which record.
    pub record: String,
    /// Allowed or denied.
    pub outcome: String,
    /// Whether it was an emergency access ("break the glass"), or a read under one.
    pub break_glass: bool,
    /// For opening an emergency access: the reason stated.
    pub reason: Option<String>,
}

/// Everything held about one client.
#[derive(Debug, Clone, Serialize)]
pub struct ClientRecord {
    /// The client (pseudonym, birth year, recorded sex; the personal number is never stored).
    pub client: Client,
    /// When this extract was produced (RFC 3339, UTC).
    pub produced_at: String,
    /// Who produced it.
    pub produced_by: String,
    /// Every case.
    pub cases: Vec<CaseRecord>,
    /// Every access to the client's data, newest first (including this extract).
    pub accesses: Vec<Access>,
}

/// Produces the record of client `client_id`.
///
/// # Errors
/// [`AppError::NotFound`] for an unknown client, and (audited as a denial) unless the user may
/// read identified data at every unit where the client has a case.
pub async fn client_record(
    state: &AppState,
    user: &SignedIn,
    client_id: i64,
) -> Result<ClientRecord, AppError> {
    let client = state.store.get_client(client_id).await?;
    let cases = state.store.list_client_cases(client_id).await?;
    if cases.is_empty() {
        return Err(AppError::NotFound(format!("client {client_id}")));
    }
    let mut glass = None;
    for case in &cases {
        glass = glass.or(crate::service::followup::authorize_record(
            state,
            user,
            Action::Read,
            &case.unit,
            client_id,
            &format!("client:{client_id}"),
            || format!("client {client_id}"),
        )
        .await?);
    }
    let mut event = AuditEvent::new(
        &user.actor(),
        "client.record_extract",
        format!("client:{client_id}"),
        Outcome::Allowed,
    )
    .with_detail(match &glass {
        Some(glass) => format!("{} cases, {}", cases.len(), break_glass::via(glass)),
        None => format!("{} cases", cases.len()),
    });
    event.client = Some(client.pseudonym.to_string());
    let entry = state.store.append_audit(&event).await?;
    // Three reads for all of the client's cases, grouped here, rather than three per case.
    let mut interventions = by_case(
        state.store.list_client_interventions(client_id).await?,
        |i| i.case_id,
    );
    let mut needs = by_case(state.store.list_client_needs(client_id).await?, |n| {
        n.case_id
    });
    let mut measurements = by_case(
        state.store.list_client_measurements(client_id).await?,
        |m| m.case_id,
    );
    let records = cases
        .into_iter()
        .map(|case| CaseRecord {
            interventions: interventions.remove(&case.id).unwrap_or_default(),
            needs: needs.remove(&case.id).unwrap_or_default(),
            measurements: measurements.remove(&case.id).unwrap_or_default(),
            case,
        })
        .collect();
    // Entries written before the client was pseudonymised per authority name its old
    // pseudonym.
    let mut pseudonyms = vec![client.pseudonym.to_string()];
    pseudonyms.extend(state.store.legacy_pseudonym(client_id).await?);
    let mut entries = Vec::new();
    for pseudonym in pseudonyms {
        entries.extend(
            state
                .store
                .search_audit(&AuditFilter {
                    client: Some(pseudonym),
                    limit: 10_000,
                    ..AuditFilter::default()
                })
                .await?,
        );
    }
    entries.sort_by_key(|e| std::cmp::Reverse(e.id));
    let accesses = entries
        .into_iter()
        .map(|e| Access {
            break_glass: break_glass::is_break_glass(&e.event.action, &e.event.detail),
            reason: (e.event.action == "break_glass").then(|| e.event.detail.clone()),
            at: e.at,
            actor: e.event.actor,
            action: e.event.action,
            record: e.event.record,
            outcome: e.event.outcome.as_str().to_owned(),
        })
        .collect();
    Ok(ClientRecord {
        client,
        produced_at: entry.at,
        produced_by: user.user.email.to_string(),
        cases: records,
        accesses,
    })
}
