//! The audit trail's content and its hash chain. Each entry stores the SHA-256 of its own
//! content together with the previous entry's hash, so editing, deleting or reordering any
//! entry breaks the chain from that point on; [`verify_chain`] finds the first break.

use crate::access::credentials::sha256_hex;
use serde::Serialize;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

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

    /// The hash of this event as entry `id`, written at `at`, after an entry whose hash is
    /// `prev_hash`. Every field is length-prefixed, so no two different entries serialise to
    /// the same bytes.
    pub fn chain_hash(&self, id: i64, at: &str, prev_hash: &str) -> String {
        let actor_id = self.actor_id.map(|i| i.to_string()).unwrap_or_default();
        let fields = [
            id.to_string().as_str(),
            at,
            &actor_id,
            &self.actor,
            &self.action,
            &self.record,
            self.client.as_deref().unwrap_or(""),
            self.address.as_deref().unwrap_or(""),
            self.outcome.as_str(),
            &self.detail,
            prev_hash,
        ]
        .map(|f| format!("{}:{f}", f.len()));
        sha256_hex(fields.join("|").as_bytes())
    }
}

/// An entry of the audit trail as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    /// Position in the trail, from 1 without gaps.
    pub id: i64,
    /// When it was written (RFC 3339, UTC, microseconds).
    pub at: String,
    /// What was recorded.
    pub event: AuditEvent,
    /// The hash of the entry before it.
    pub prev_hash: String,
    /// The hash of this entry.
    pub hash: String,
}

/// The first place where the chain is broken.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("audit entry {id}: {problem}")]
pub struct ChainBreak {
    /// The id of the first entry that does not verify.
    pub id: i64,
    /// What is wrong with it.
    pub problem: String,
}

/// Checks a whole trail in id order against its head (the id and hash of the last entry,
/// kept apart from the entries so that deleting the newest entries is noticed too).
///
/// # Errors
/// The first [`ChainBreak`].
pub fn verify_chain(
    entries: &[AuditEntry],
    head: Option<(i64, &str)>,
) -> Result<usize, ChainBreak> {
    let mut prev_hash = GENESIS_HASH;
    for (index, entry) in entries.iter().enumerate() {
        let expected_id = index as i64 + 1;
        if entry.id != expected_id {
            return Err(ChainBreak {
                id: expected_id,
                problem: format!("is missing (the next entry found is {}): deleted", entry.id),
            });
        }
        if entry.prev_hash != prev_hash {
            return Err(ChainBreak {
                id: entry.id,
                problem: "does not follow the entry before it: an entry was changed, deleted or reordered".into(),
            });
        }
        if entry
            .event
            .chain_hash(entry.id, &entry.at, &entry.prev_hash)
            != entry.hash
        {
            return Err(ChainBreak {
                id: entry.id,
                problem: "was changed after it was written".into(),
            });
        }
        prev_hash = &entry.hash;
    }
    let last = entries.last().map(|e| (e.id, e.hash.as_str()));
    match (last, head) {
        (None, None) => Ok(0),
        (Some(last), Some(head)) if last == head => Ok(entries.len()),
        (_, Some((head_id, _))) => Err(ChainBreak {
            id: head_id,
            problem: format!(
                "is the newest entry according to the trail's head, but the trail ends at entry {}: \
                 entries were deleted or changed",
                last.map_or(0, |l| l.0)
            ),
        }),
        (Some((last_id, _)), None) => Err(ChainBreak {
            id: last_id,
            problem: "exists but the trail's head is missing: the head was deleted".into(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn trail(n: i64) -> Vec<AuditEntry> {
        let actor = Actor {
            user_id: Some(3),
            label: "anna@kommun.example".into(),
            address: Some("10.0.0.7".into()),
        };
        let mut prev = GENESIS_HASH.to_owned();
        (1..=n)
            .map(|id| {
                let event = AuditEvent::new(
                    &actor,
                    "unit.update",
                    format!("unit:0380-{id:04}"),
                    Outcome::Allowed,
                );
                let at = format!("2026-11-22T10:00:{id:02}.000000Z");
                let hash = event.chain_hash(id, &at, &prev);
                let entry = AuditEntry {
                    id,
                    at,
                    event,
                    prev_hash: prev.clone(),
                    hash: hash.clone(),
                };
                prev = hash;
                entry
            })
            .collect()
    }

    fn head(entries: &[AuditEntry]) -> Option<(i64, &str)> {
        entries.last().map(|e| (e.id, e.hash.as_str()))
    }

    #[test]
    fn an_untouched_trail_verifies() {
        let entries = trail(5);
        assert_eq!(verify_chain(&entries, head(&entries)), Ok(5));
        assert_eq!(verify_chain(&[], None), Ok(0));
    }

    #[test]
    fn an_edited_entry_is_named() {
        let mut entries = trail(5);
        let h = head(&entries).map(|(i, h)| (i, h.to_owned()));
        entries[2].event.detail = "nothing to see".into();
        let err = verify_chain(&entries, h.as_ref().map(|(i, h)| (*i, h.as_str()))).unwrap_err();
        assert_eq!(err.id, 3);
        assert!(err.problem.contains("changed after it was written"));
    }

    #[test]
    fn an_edited_hash_breaks_the_next_link() {
        let mut entries = trail(5);
        let h = head(&entries).map(|(i, h)| (i, h.to_owned()));
        let forged =
            entries[1]
                .event
                .chain_hash(2, "2026-01-01T00:00:00.000000Z", &entries[1].prev_hash);
        entries[1].at = "2026-01-01T00:00:00.000000Z".into();
        entries[1].hash = forged;
        let err = verify_chain(&entries, h.as_ref().map(|(i, h)| (*i, h.as_str()))).unwrap_err();
        assert_eq!(
            err.id, 3,
            "entry 2 is self-consistent; entry 3 no longer follows it"
        );
    }

    #[test]
    fn deleted_and_reordered_entries_are_named() {
        let entries = trail(5);
        let h = head(&entries).map(|(i, h)| (i, h.to_owned()));
        let h = h.as_ref().map(|(i, h)| (*i, h.as_str()));
        let mut deleted = entries.clone();
        deleted.remove(1);
        assert_eq!(verify_chain(&deleted, h).unwrap_err().id, 2);
        let mut swapped = entries.clone();
        swapped.swap(1, 2);
        assert_eq!(verify_chain(&swapped, h).unwrap_err().id, 2);
        let mut truncated = entries.clone();
        truncated.pop();
        let err = verify_chain(&truncated, h).unwrap_err();
        assert_eq!(err.id, 5);
        assert!(err.problem.contains("ends at entry 4"), "{err}");
    }

    #[test]
    fn fields_cannot_be_shifted_into_each_other() {
        let actor = Actor {
            user_id: None,
            label: "a".into(),
            address: None,
        };
        let one = AuditEvent::new(&actor, "ab", "c", Outcome::Allowed);
        let two = AuditEvent::new(&actor, "a", "bc", Outcome::Allowed);
        assert_ne!(
            one.chain_hash(1, "t", GENESIS_HASH),
            two.chain_hash(1, "t", GENESIS_HASH)
        );
    }
}
