//! Checkpoints: the trail's head (newest id and hash), signed with the audit key and kept
//! outside the database. The key stops anyone from rewriting entries, but someone who can
//! write to the database can still delete the newest entries, or restore an old backup, and
//! move the head back. A checkpoint taken earlier catches that: the trail must still contain
//! the entry it names, with the same hash.
//!
//! A checkpoint is one line of JSON, so a file of checkpoints is a log that
//! `evident audit checkpoint >> FILE` appends to.

use crate::DomainError;
use crate::access::audit::AuditKey;
use serde::{Deserialize, Serialize};

/// The `format` every checkpoint carries.
pub const CHECKPOINT_FORMAT: &str = "evident-audit-checkpoint/1";

/// A signed statement that the trail's newest entry was `id` with `hash` at `taken_at`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Checkpoint {
    /// Always [`CHECKPOINT_FORMAT`].
    pub format: String,
    /// The newest entry's id (0 for an empty trail).
    pub id: i64,
    /// The newest entry's hash.
    pub hash: String,
    /// When the checkpoint was taken (RFC 3339, UTC).
    pub taken_at: String,
    /// The id of the key that signed it ([`AuditKey::id`]).
    pub key_id: String,
    /// HMAC-SHA-256 under the audit key of the fields above.
    pub mac: String,
}

impl Checkpoint {
    /// Signs the head `(id, hash)` as seen at `taken_at`.
    pub fn sign(key: &AuditKey, id: i64, hash: &str, taken_at: &str) -> Self {
        let mut checkpoint = Self {
            format: CHECKPOINT_FORMAT.to_owned(),
            id,
            hash: hash.to_owned(),
            taken_at: taken_at.to_owned(),
            key_id: key.id(),
            mac: String::new(),
        };
        checkpoint.mac = key.mac_hex(checkpoint.message().as_bytes());
        checkpoint
    }

    fn message(&self) -> String {
        let id = self.id.to_string();
        [
            self.format.as_str(),
            &id,
            &self.hash,
            &self.taken_at,
            &self.key_id,
        ]
        .map(|f| format!("{}:{f}", f.len()))
        .join("|")
    }

    /// Checks that the checkpoint was signed with `key` and not altered since.
    ///
    /// # Errors
    /// When the format is unknown, the key differs, or the signature does not match.
    pub fn verify(&self, key: &AuditKey) -> Result<(), DomainError> {
        if self.format != CHECKPOINT_FORMAT {
            return Err(DomainError::new(
                "format",
                format!("'{}' is not {CHECKPOINT_FORMAT}", self.format),
            ));
        }
        if self.key_id != key.id() {
            return Err(DomainError::new(
                "key_id",
                format!(
                    "the checkpoint was signed with audit key {}, not with the key given ({})",
                    self.key_id,
                    key.id()
                ),
            ));
        }
        if !key.verify_hex(self.message().as_bytes(), &self.mac) {
            return Err(DomainError::new(
                "mac",
                "the signature does not match: the checkpoint was altered",
            ));
        }
        Ok(())
    }

    /// The checkpoint as one line of JSON (without the newline).
    pub fn to_line(&self) -> String {
        serde_json::to_string(self).expect("a checkpoint serialises")
    }

    /// Every checkpoint in a file of JSON lines (blank lines skipped), each authenticated
    /// with `key`.
    ///
    /// # Errors
    /// A [`DomainError`] naming the line and what is wrong with it.
    pub fn parse_log(text: &str, key: &AuditKey) -> Result<Vec<Self>, DomainError> {
        let mut checkpoints = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_no = index + 1;
            if line.trim().is_empty() {
                continue;
            }
            let checkpoint: Self = serde_json::from_str(line).map_err(|e| {
                DomainError::new(
                    "checkpoint",
                    format!("line {line_no} is not a checkpoint: {e}"),
                )
            })?;
            checkpoint
                .verify(key)
                .map_err(|e| DomainError::new(e.field, format!("line {line_no}: {}", e.problem)))?;
            checkpoints.push(checkpoint);
        }
        Ok(checkpoints)
    }
}
