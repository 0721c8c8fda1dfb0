//! The audit key: the secret that makes the audit trail's hash chain a chain of message
//! authentication codes. Kept outside the database (like the pseudonym key), it is what stops
//! someone with write access to the database from rewriting history and recomputing the hashes,
//! appending forged entries, or forging a checkpoint.

use crate::DomainError;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Fewest bytes of key material accepted (256 bits, the strength of HMAC-SHA-256).
pub const MIN_AUDIT_KEY_BYTES: usize = 32;

/// The secret key of the audit trail.
#[derive(Clone, PartialEq, Eq)]
pub struct AuditKey(Vec<u8>);

impl AuditKey {
    /// A key from configuration text (a key file's content, surrounding whitespace ignored).
    ///
    /// # Errors
    /// When the text is shorter than [`MIN_AUDIT_KEY_BYTES`], or too repetitive to be a secret
    /// by the rule of [`crate::key_text`] (a placeholder, a pattern typed by hand).
    pub fn parse(raw: &str) -> Result<Self, DomainError> {
        let raw = raw.trim();
        crate::key_text::check("audit_key", raw, MIN_AUDIT_KEY_BYTES)?;
        Ok(Self(raw.as_bytes().to_vec()))
    }

    /// HMAC-SHA-256 of `message` under this key, as 64 lowercase hex digits.
    pub fn mac_hex(&self, message: &[u8]) -> String {
        let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        mac.update(message);
        hex::encode(mac.finalize().into_bytes())
    }

    /// Whether `mac` (hex) is this key's MAC of `message`, compared in constant time.
    pub fn verify_hex(&self, message: &[u8], mac: &str) -> bool {
        let Ok(tag) = hex::decode(mac) else {
            return false;
        };
        let mut check = <Hmac<Sha256> as KeyInit>::new_from_slice(&self.0)
            .expect("HMAC accepts keys of any length");
        check.update(message);
        check.verify_slice(&tag).is_ok()
    }

    /// A public name for the key: 16 hex digits derived from it, stored with every entry so
    /// that a trail checked with the wrong key says so instead of reporting a forgery. It
    /// reveals nothing about the key.
    pub fn id(&self) -> String {
        self.mac_hex(b"evident audit key id")[..16].to_owned()
    }
}

impl std::fmt::Debug for AuditKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "AuditKey({})", self.id())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_placeholder_keys_are_refused() {
        assert!(AuditKey::parse("short").is_err());
        assert!(AuditKey::parse(&"a".repeat(64)).is_err());
        assert!(AuditKey::parse("0123456789abcdef0123456789abcdef").is_err());
        assert!(AuditKey::parse("  0f1e2d3c4b5a69788796a5b4c3d2e1f0\n").is_ok());
    }

    #[test]
    fn macs_match_an_independent_hmac_and_ids_differ_by_key() {
        // An independent value, computed with Python's hmac module:
        // hmac.new(b"0f1e2d3c4b5a69788796a5b4c3d2e1f0", b"evident", "sha256").hexdigest()
        let key = AuditKey::parse("0f1e2d3c4b5a69788796a5b4c3d2e1f0").unwrap();
        assert_eq!(
            key.mac_hex(b"evident"),
            "38394041cd1eb0420bf929652981d2b90226d401dd84333e845e48710713a227"
        );
        let mac = key.mac_hex(b"entry");
        assert!(key.verify_hex(b"entry", &mac));
        assert!(!key.verify_hex(b"entrY", &mac));
        assert!(!key.verify_hex(b"entry", "not hex"));
        let other = AuditKey::parse("f0e1d2c3b4a5968778695a4b3c2d1e0f").unwrap();
        assert_ne!(key.id(), other.id());
        assert_eq!(key.id().len(), 16);
        assert!(!format!("{key:?}").contains("0123456789abcdef0123"));
    }
}
