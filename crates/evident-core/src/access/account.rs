//! Staff accounts: users, their sessions and their personal access tokens.

use crate::DomainError;
use crate::access::Grant;
use crate::text::{Email, Name};
use serde::Serialize;

/// A member of staff who can sign in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct User {
    /// Identifier.
    pub id: i64,
    /// Their e-mail address, which they sign in with.
    pub email: Email,
    /// Their name.
    pub name: Name,
    /// The roles they hold, each on a node of the organisation tree.
    pub grants: Vec<Grant>,
    /// Disabled by an administrator: cannot sign in, and their sessions and tokens are void.
    pub disabled: bool,
}

/// A user to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewUser {
    /// Their e-mail address.
    pub email: Email,
    /// Their name.
    pub name: Name,
    /// The Argon2 hash of their password; `None` for accounts that sign in another way
    /// (an identity provider), which can then never sign in with a password.
    pub password_hash: Option<String>,
}

impl NewUser {
    /// Validates a new user's e-mail address and name.
    ///
    /// # Errors
    /// When either is invalid.
    pub fn parse(
        email: &str,
        name: &str,
        password_hash: Option<String>,
    ) -> Result<Self, DomainError> {
        Ok(Self {
            email: Email::parse("email", email)?,
            name: Name::parse("name", name)?,
            password_hash,
        })
    }
}

/// What the store knows about a signed-in session, found by the digest of its cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionInfo {
    /// The signed-in user.
    pub user: User,
    /// The session's CSRF token, which every state-changing form must carry.
    pub csrf_token: String,
    /// When the session was last used, in the stored text form.
    pub last_seen_at: String,
}

/// A personal access token as listed to its owner (the secret itself is shown only once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AccessToken {
    /// Identifier, for revoking it.
    pub id: i64,
    /// What the owner called it.
    pub label: String,
    /// When it stops working (RFC 3339).
    pub expires_at: String,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
}

/// A grant waiting for a second person's approval (see [`crate::access::granting::grant_needs_approval`]).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PendingGrant {
    /// Identifier, for approving or rejecting it.
    pub id: i64,
    /// The user who is to hold the role.
    pub user_id: i64,
    /// The role and node asked for.
    pub grant: Grant,
    /// Who asked (`None` once that account is deleted).
    pub requested_by: Option<i64>,
    /// When (RFC 3339).
    pub requested_at: String,
}
