//! The audit trail: what is recorded ([`AuditEvent`]), the keyed chain that makes it
//! tamper-evident ([`chain`]), the key ([`key`]) and checkpoints kept outside the database
//! ([`checkpoint`]), and what auditors follow up ([`follow_up`]).

pub mod chain;
pub mod checkpoint;
pub mod follow_up;
pub mod key;

pub use chain::{
    ChainBreak, ChainSummary, ChainVerifier, GENESIS_HASH, verify_chain, verify_listed,
};
pub use checkpoint::Checkpoint;
pub use key::AuditKey;
use serde::Serialize;

/// How an audited attempt ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Outcome {
    /// Done as asked.
    Allowed,
    /// Refused by access control.
    Denied,
    /// Attempted and failed (a wrong password, a rejected form).
    Failed,
}

impl Outcome {
    /// The outcome as stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Allowed => "allowed",
            Self::Denied => "denied",
            Self::Failed => "failed",
        }
    }

    /// Parses the stored form.
    ///
    /// # Errors
    /// When `raw` is not an outcome.
    pub fn parse(raw: &str) -> Result<Self, crate::DomainError> {
        match raw {
            "allowed" => Ok(Self::Allowed),
            "denied" => Ok(Self::Denied),
            "failed" => Ok(Self::Failed),
            _ => Err(crate::DomainError::new(
                "outcome",
                format!("'{raw}' is not allowed, denied or failed"),
            )),
        }
    }
}

/// Who did something, from where: attached to every write so that its audit entry is written
/// in the same transaction as the change itself.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// The user's id; `None` for someone not signed in, or the command line's operator.
    pub user_id: Option<i64>,
    /// How the actor is shown: the user's e-mail, `anonymous`, or `cli:<os user>`.
    pub label: String,
    /// The client's network address, when the action came over HTTP.
    pub address: Option<String>,
}

impl Actor {
    /// Evident itself, for work no one asked for at the time: the recompute of indicators when
    /// the date rolls over.
    pub fn system() -> Self {
        Self {
            user_id: None,
            label: "system".to_owned(),
            address: None,
        }
    }
}

/// One thing to record.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEvent {
    /// The user's id, if signed in.
    pub actor_id: Option<i64>,
    /// The actor as shown ([`Actor::label`]).
    pub actor: String,
    /// What was done, e.g. `unit.create`, `login`, `client.read`.
    pub action: String,
    /// Which record, e.g. `unit:0380-0001`, `user:7`.
    pub record: String,
    /// The client's pseudonym, when the record concerns a client.
    pub client: Option<String>,
    /// The network address it came from.
    pub address: Option<String>,
    /// How it ended.
    pub outcome: Outcome,
    /// Anything else worth knowing (what was missing on a denial).
    pub detail: String,
}

impl AuditEvent {
    /// An event by `actor`.
    pub fn new(actor: &Actor, action: &str, record: impl Into<String>, outcome: Outcome) -> Self {
        Self {
            actor_id: actor.user_id,
            actor: actor.label.clone(),
            action: action.to_owned(),
            record: record.into(),
            client: None,
            address: actor.address.clone(),
            outcome,
            detail: String::new(),
        }
    }

    /// The same event with a detail.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }

    /// A list view by `actor` of `cases` cases of `record` (e.g. `unit:0380-0001`): one
    /// [`LISTING_ACTION`] entry whose detail, `"<n> cases; clients: <pseudonym> …"`, names each
    /// client listed once (in pseudonym order). The store writes one row per client named
    /// beside it, so that a search by client finds the view; verification checks those rows
    /// against this sealed detail.
    pub fn listing(
        actor: &Actor,
        record: impl Into<String>,
        cases: usize,
        clients: impl IntoIterator<Item = String>,
    ) -> Self {
        let mut clients: Vec<String> = clients.into_iter().collect();
        clients.sort_unstable();
        clients.dedup();
        let mut detail = format!("{cases} cases{LISTED_CLIENTS}");
        for client in &clients {
            detail.push(' ');
            detail.push_str(client);
        }
        Self::new(actor, LISTING_ACTION, record, Outcome::Allowed).with_detail(detail)
    }

    /// The clients a list view names in its detail ([`AuditEvent::listing`]), each once, in
    /// order; none for any other event (whatever its detail says: only a listing's detail is
    /// written by Evident alone).
    pub fn listed_clients(&self) -> Vec<&str> {
        if self.action != LISTING_ACTION {
            return Vec::new();
        }
        let Some((_, clients)) = self.detail.split_once(LISTED_CLIENTS) else {
            return Vec::new();
        };
        let mut clients: Vec<&str> = clients.split_whitespace().collect();
        clients.sort_unstable();
        clients.dedup();
        clients
    }
}

/// The action of a list view of cases ([`AuditEvent::listing`]).
pub const LISTING_ACTION: &str = "case.list";

/// What comes before the pseudonyms in a listing's detail.
const LISTED_CLIENTS: &str = "; clients:";

/// An entry of the audit trail as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the trail, from 1 without gaps.
    pub id: i64,
    /// When it was written (RFC 3339, UTC, microseconds).
    pub at: String,
    /// What was recorded.
    pub event: AuditEvent,
    /// The id of the audit key its MAC was made with; empty for entries written before the
    /// chain was keyed.
    pub key_id: String,
    /// The hash of the entry before it.
    pub prev_hash: String,
    /// The hash of this entry.
    pub hash: String,
}

impl AuditEntry {
    /// `event`, written as entry `id` at `at` after the entry whose hash is `prev_hash`,
    /// sealed with `key`.
    pub fn seal(key: &AuditKey, id: i64, at: String, event: AuditEvent, prev_hash: String) -> Self {
        let hash = event.chain_hash(key, id, &at, &prev_hash);
        Self {
            id,
            at,
            event,
            key_id: key.id(),
            prev_hash,
            hash,
        }
    }
}

#[cfg(test)]
mod tests;
