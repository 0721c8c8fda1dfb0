//! Breaking the glass: in an emergency a practitioner may read one client's records at a unit
//! of their own authority (municipality) where they hold no grant, after stating why. The
//! access is time-limited, covers that one client only, never crosses authorities, and is
//! written to the audit trail with its reason so that auditors follow every one up.

use crate::OrgCode;
use crate::access::{Grant, Role};
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

/// How long an emergency access lasts.
pub const BREAK_GLASS_HOURS: i64 = 4;

/// The fewest characters a reason may have: enough to say what the emergency is.
pub const MIN_REASON_CHARS: usize = 10;

/// The most characters a reason may have.
pub const MAX_REASON_CHARS: usize = 1_000;

/// Why the glass was broken, as stated: trimmed, at least [`MIN_REASON_CHARS`] long.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reason(String);

impl Reason {
    /// Checks a stated reason.
    ///
    /// # Errors
    /// When it is missing, shorter than [`MIN_REASON_CHARS`] or longer than
    /// [`MAX_REASON_CHARS`].
    pub fn parse(raw: &str) -> Result<Self, crate::DomainError> {
        let text = raw.trim();
        let chars = text.chars().count();
        if chars < MIN_REASON_CHARS {
            return Err(crate::DomainError::new(
                "reason",
                format!("say why this is an emergency, in at least {MIN_REASON_CHARS} characters"),
            ));
        }
        if chars > MAX_REASON_CHARS {
            return Err(crate::DomainError::new(
                "reason",
                format!("at most {MAX_REASON_CHARS} characters"),
            ));
        }
        Ok(Self(text.to_owned()))
    }

    /// The reason's text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An emergency access as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BreakGlass {
    /// Identifier.
    pub id: i64,
    /// The user who broke the glass.
    pub user_id: i64,
    /// Their e-mail address.
    pub user: String,
    /// The client whose records it opens.
    pub client_id: i64,
    /// The client's pseudonym.
    pub pseudonym: String,
    /// The case it was asked for.
    pub case_id: i64,
    /// The client's authority (municipality code).
    pub authority: String,
    /// Why.
    pub reason: String,
    /// When (RFC 3339, UTC).
    pub opened_at: String,
    /// Until when it lasts (RFC 3339, UTC).
    pub expires_at: String,
}

/// When an access opened at `now` ends.
pub fn expires_at(now: DateTime<Utc>) -> DateTime<Utc> {
    now + Duration::hours(BREAK_GLASS_HOURS)
}

/// Whether a user holding `grants` may break the glass for a client of `authority`: they must
/// be a practitioner (or unit manager) at some unit of that same authority. Nothing else —
/// not a municipality-wide analyst, not staff of another municipality — ever may.
pub fn may_break_glass(grants: &[Grant], authority: &str) -> bool {
    !authority.is_empty()
        && grants.iter().any(|g| {
            matches!(g.role, Role::Practitioner | Role::UnitManager)
                && g.org.authority().as_ref().map(OrgCode::as_str) == Some(authority)
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grant(role: Role, org: &str) -> Grant {
        Grant {
            role,
            org: OrgCode::parse(org).unwrap(),
        }
    }

    #[test]
    fn a_reason_is_required_and_said_in_a_few_words() {
        assert!(Reason::parse("").is_err());
        assert!(Reason::parse("   akut    ").is_err());
        assert_eq!(
            Reason::parse("  akut inläggning, behöver läkemedelslista ")
                .unwrap()
                .as_str(),
            "akut inläggning, behöver läkemedelslista"
        );
    }

    #[test]
    fn only_practitioners_of_the_same_authority_may_break_the_glass() {
        assert!(may_break_glass(
            &[grant(Role::Practitioner, "0380-0001")],
            "0380"
        ));
        assert!(may_break_glass(
            &[grant(Role::UnitManager, "0380-0002")],
            "0380"
        ));
        assert!(!may_break_glass(
            &[grant(Role::Practitioner, "0381-0001")],
            "0380"
        ));
        assert!(!may_break_glass(
            &[grant(Role::MunicipalityAnalyst, "0380")],
            "0380"
        ));
        assert!(!may_break_glass(&[grant(Role::Admin, "SE")], "0380"));
        assert!(!may_break_glass(
            &[grant(Role::Practitioner, "0380-0001")],
            ""
        ));
    }

    #[test]
    fn an_access_lasts_four_hours() {
        let now: DateTime<Utc> = "2026-12-04T10:00:00Z".parse().unwrap();
        assert_eq!(
            expires_at(now),
            "2026-12-04T14:00:00Z".parse::<DateTime<Utc>>().unwrap()
        );
    }
}
