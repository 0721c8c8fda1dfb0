//! The audit trail's chain: every entry carries a MAC, under the audit key, of its own
//! content together with the previous entry's MAC. Editing, deleting or reordering any entry
//! breaks the chain from that point on. Without the key, no one can make a changed entry fit
//! again. [`ChainVerifier`] walks a trail in id order, one entry at a time, so a trail of any
//! length is checked in constant memory. It finds the first break.
//!
//! Entries written before the chain was keyed carry an empty key id and a plain SHA-256 hash.
//! They are accepted only as a prefix of the trail. The first keyed entry's MAC covers the
//! last of their hashes, so they cannot be changed without breaking that entry.

use crate::access::audit::checkpoint::Checkpoint;
use crate::access::audit::{AuditEntry, AuditEvent, AuditKey};
use crate::access::credentials::sha256_hex;

/// The `prev_hash` of the first entry.
pub const GENESIS_HASH: &str = "0000000000000000000000000000000000000000000000000000000000000000";

impl AuditEvent {
    /// The bytes that entry `id`'s MAC covers: this event, written at `at`, after an entry
    /// whose hash is `prev_hash`. Every field is length-prefixed, so no two different entries
    /// serialise to the same bytes.
    fn chain_message(&self, id: i64, at: &str, prev_hash: &str) -> String {
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
        fields.join("|")
    }

    /// The MAC of this event as entry `id` under `key`.
    pub fn chain_hash(&self, key: &AuditKey, id: i64, at: &str, prev_hash: &str) -> String {
        key.mac_hex(self.chain_message(id, at, prev_hash).as_bytes())
    }

    /// The unkeyed SHA-256 hash that entries written before the chain was keyed carry.
    pub fn unkeyed_chain_hash(&self, id: i64, at: &str, prev_hash: &str) -> String {
        sha256_hex(self.chain_message(id, at, prev_hash).as_bytes())
    }
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

impl ChainBreak {
    fn new(id: i64, problem: impl Into<String>) -> Self {
        Self {
            id,
            problem: problem.into(),
        }
    }
}

/// What a verified trail holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainSummary {
    /// Entries verified.
    pub entries: usize,
    /// How many of them were written before the chain was keyed (a prefix of the trail).
    pub unkeyed: usize,
    /// Checkpoints the trail was found to contain.
    pub checkpoints: usize,
}

/// Verifies a trail entry by entry, in id order, against the audit key and any checkpoints
/// kept outside the database.
#[derive(Debug)]
pub struct ChainVerifier<'k> {
    key: &'k AuditKey,
    key_id: String,
    next_id: i64,
    prev_hash: String,
    unkeyed: usize,
    keyed: usize,
    /// Checkpoints not yet reached, newest first (so the next one is popped off the end).
    checkpoints: Vec<Checkpoint>,
    matched: usize,
}

impl<'k> ChainVerifier<'k> {
    /// A verifier for a trail written under `key`. The `checkpoints` must already be
    /// authenticated ([`Checkpoint::verify`]).
    pub fn new(key: &'k AuditKey, mut checkpoints: Vec<Checkpoint>) -> Self {
        checkpoints.sort_by_key(|c| std::cmp::Reverse(c.id));
        Self {
            key,
            key_id: key.id(),
            next_id: 1,
            prev_hash: GENESIS_HASH.to_owned(),
            unkeyed: 0,
            keyed: 0,
            checkpoints,
            matched: 0,
        }
    }

    /// The id the next entry must have.
    pub fn next_id(&self) -> i64 {
        self.next_id
    }

    /// Checks the next entry of the trail.
    ///
    /// # Errors
    /// The [`ChainBreak`] this entry causes.
    pub fn push(&mut self, entry: &AuditEntry) -> Result<(), ChainBreak> {
        if entry.id != self.next_id {
            return Err(ChainBreak::new(
                self.next_id,
                format!("is missing (the next entry found is {}): deleted", entry.id),
            ));
        }
        if entry.prev_hash != self.prev_hash {
            return Err(ChainBreak::new(
                entry.id,
                "does not follow the entry before it: an entry was changed, deleted or reordered",
            ));
        }
        if entry.key_id.is_empty() {
            if self.keyed > 0 {
                return Err(ChainBreak::new(
                    entry.id,
                    "carries no audit key but follows keyed entries: it was written by someone \
                     without the key",
                ));
            }
            let hash = entry
                .event
                .unkeyed_chain_hash(entry.id, &entry.at, &entry.prev_hash);
            if hash != entry.hash {
                return Err(ChainBreak::new(
                    entry.id,
                    "was changed after it was written",
                ));
            }
            self.unkeyed += 1;
        } else if entry.key_id != self.key_id {
            return Err(ChainBreak::new(
                entry.id,
                format!(
                    "was written under audit key {}, not under the key given ({}): either the \
                     key given is the wrong one, or the entry was forged",
                    entry.key_id, self.key_id
                ),
            ));
        } else {
            let message = entry
                .event
                .chain_message(entry.id, &entry.at, &entry.prev_hash);
            if !self.key.verify_hex(message.as_bytes(), &entry.hash) {
                return Err(ChainBreak::new(
                    entry.id,
                    "was changed after it was written, or forged without the audit key",
                ));
            }
            self.keyed += 1;
        }
        while self.checkpoints.last().is_some_and(|c| c.id == entry.id) {
            let checkpoint = self.checkpoints.pop().expect("just looked at it");
            if checkpoint.hash != entry.hash {
                return Err(ChainBreak::new(
                    entry.id,
                    format!(
                        "differs from the checkpoint taken at {}: the trail was rewritten or \
                         rolled back since",
                        checkpoint.taken_at
                    ),
                ));
            }
            self.matched += 1;
        }
        self.prev_hash.clone_from(&entry.hash);
        self.next_id += 1;
        Ok(())
    }

    /// Ends the walk: the last entry must be the one the trail's head names (the head is kept
    /// apart from the entries so that deleting the newest entries is noticed), and every
    /// checkpoint must have been reached (else entries were removed since it was taken).
    ///
    /// # Errors
    /// The [`ChainBreak`] at the end of the trail.
    pub fn finish(mut self, head: Option<(i64, &str)>) -> Result<ChainSummary, ChainBreak> {
        let last_id = self.next_id - 1;
        let last = (last_id > 0).then_some((last_id, self.prev_hash.as_str()));
        // An empty trail's head is (0, genesis).
        let head = head.filter(|(id, _)| *id > 0);
        match (last, head) {
            (None, None) => {}
            (Some(last), Some(head)) if last == head => {}
            (_, Some((head_id, _))) => {
                return Err(ChainBreak::new(
                    head_id,
                    format!(
                        "is the newest entry according to the trail's head, but the trail ends \
                         at entry {last_id}: entries were deleted or changed"
                    ),
                ));
            }
            (Some(_), None) => {
                return Err(ChainBreak::new(
                    last_id,
                    "exists but the trail's head is missing: the head was deleted",
                ));
            }
        }
        // Checkpoints of an empty trail (id 0) hold trivially.
        while self.checkpoints.last().is_some_and(|c| c.id == 0) {
            self.checkpoints.pop();
            self.matched += 1;
        }
        if let Some(beyond) = self.checkpoints.first() {
            return Err(ChainBreak::new(
                beyond.id,
                format!(
                    "was the newest entry at the checkpoint taken at {}, but the trail ends at \
                     entry {last_id}: entries were removed or the database was rolled back",
                    beyond.taken_at
                ),
            ));
        }
        Ok(ChainSummary {
            entries: (self.unkeyed + self.keyed),
            unkeyed: self.unkeyed,
            checkpoints: self.matched,
        })
    }
}

/// Checks the clients stored beside a verified `entry` (one row each in
/// `audit_listed_client`, which the MAC does not cover) against those its sealed detail names
/// ([`AuditEvent::listed_clients`]): a row added or deleted behind the store's back shows.
///
/// # Errors
/// The [`ChainBreak`] naming the entry and the first client that differs.
pub fn verify_listed(entry: &AuditEntry, listed: &[String]) -> Result<(), ChainBreak> {
    let sealed = entry.event.listed_clients();
    let mut stored: Vec<&str> = listed.iter().map(String::as_str).collect();
    stored.sort_unstable();
    if let Some(extra) = stored.iter().find(|c| sealed.binary_search(c).is_err()) {
        return Err(ChainBreak::new(
            entry.id,
            format!(
                "is listed for client {extra}, whom its sealed detail does not name: a listed \
                 client was added behind the store's back"
            ),
        ));
    }
    if let Some(missing) = sealed.iter().find(|c| stored.binary_search(c).is_err()) {
        return Err(ChainBreak::new(
            entry.id,
            format!(
                "names client {missing} in its sealed detail, but no listed client row: it was \
                 deleted"
            ),
        ));
    }
    if stored.windows(2).any(|w| w[0] == w[1]) {
        return Err(ChainBreak::new(
            entry.id,
            "is listed twice for the same client: a listed client was added behind the \
             store's back",
        ));
    }
    Ok(())
}

/// Checks a whole trail held in memory (tests, small trails). See [`ChainVerifier`].
///
/// # Errors
/// The first [`ChainBreak`].
pub fn verify_chain(
    key: &AuditKey,
    entries: &[AuditEntry],
    head: Option<(i64, &str)>,
) -> Result<ChainSummary, ChainBreak> {
    let mut verifier = ChainVerifier::new(key, Vec::new());
    for entry in entries {
        verifier.push(entry)?;
    }
    verifier.finish(head)
}
