//! The storage error: the few cases callers react to, and everything else with context.

/// What can go wrong in the store, in the terms callers act on.
#[derive(Debug, thiserror::Error)]
pub enum StorageError {
    /// The record asked for does not exist; the message says which.
    #[error("{0} not found")]
    NotFound(String),
    /// A value that must be unique is already taken.
    #[error("{field} already exists")]
    Conflict {
        /// The field whose value is taken.
        field: &'static str,
    },
    /// The write breaks a rule that holds against what is stored (a disbursement larger than
    /// what remains of its initiative); the error names the field and both figures.
    #[error("{0}")]
    Rejected(evident_core::DomainError),
    /// The database could not be reached or opened; the message says which and why.
    #[error("{0}")]
    Unavailable(String),
    /// Anything else, with context.
    #[error(transparent)]
    Other(#[from] anyhow::Error),
}

impl StorageError {
    /// A not-found error for the `what` identified by `key`, e.g. `("organisation", "0380-9999")`.
    pub fn not_found(what: &str, key: impl std::fmt::Display) -> Self {
        Self::NotFound(format!("{what} {key}"))
    }
}

impl From<sqlx::Error> for StorageError {
    fn from(err: sqlx::Error) -> Self {
        match &err {
            sqlx::Error::RowNotFound => Self::NotFound("record".into()),
            sqlx::Error::Database(db) if db.is_unique_violation() => Self::Conflict {
                field: unique_field(db.constraint().unwrap_or_default(), db.message()),
            },
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::Tls(_) => {
                Self::Unavailable(format!("the database is not reachable: {err}"))
            }
            _ => Self::Other(anyhow::Error::new(err)),
        }
    }
}

impl From<evident_core::DomainError> for StorageError {
    /// A stored value that no longer passes validation: the database was changed behind
    /// Evident's back.
    fn from(err: evident_core::DomainError) -> Self {
        Self::Other(anyhow::anyhow!("stored data is invalid: {err}"))
    }
}

/// Maps a unique constraint (PostgreSQL names it; SQLite only says `table.column` in the
/// message) to the field a user would recognise.
fn unique_field(constraint: &str, message: &str) -> &'static str {
    if constraint.starts_with("org_node")
        || message.contains("org_node.code")
        || message.contains("unit.code")
    {
        "code"
    } else if ["agreement_pkey", "disbursement_pkey"].contains(&constraint)
        || message.contains("agreement.id")
        || message.contains("disbursement.id")
    {
        "id"
    } else if constraint.starts_with("comparison_group")
        || message.contains("comparison_group.name")
    {
        "name"
    } else {
        "record"
    }
}

/// The result of a storage call.
pub type Result<T, E = StorageError> = std::result::Result<T, E>;
