//! Database URLs: which backend they select, and how to show them without the password.

use crate::StorageError;

/// The URL used when none is configured: a SQLite file in the working directory.
pub const DEFAULT_DATABASE_URL: &str = "sqlite:evident.db";

/// The database products Evident runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// SQLite, embedded: one file, nothing to install.
    Sqlite,
    /// PostgreSQL, for many users and large volumes.
    Postgres,
}

impl Backend {
    /// The product's name, for messages.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        }
    }
}

/// A database URL whose scheme selects a supported backend: `sqlite:PATH` (also
/// `sqlite://PATH`) or `postgres://…` / `postgresql://…`.
#[derive(Clone, PartialEq, Eq)]
pub struct DatabaseUrl {
    raw: String,
    backend: Backend,
}

impl DatabaseUrl {
    /// Checks that `raw` names a supported backend.
    ///
    /// # Errors
    /// When the scheme is neither `sqlite:` nor `postgres:`/`postgresql:`.
    pub fn parse(raw: &str) -> Result<Self, StorageError> {
        let raw = raw.trim();
        let backend = if raw.starts_with("sqlite:") {
            Backend::Sqlite
        } else if raw.starts_with("postgres://") || raw.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StorageError::Unavailable(format!(
                "the database URL '{}' is not supported: use sqlite:PATH or postgres://USER@HOST/DB",
                redact(raw)
            )));
        };
        Ok(Self {
            raw: raw.to_owned(),
            backend,
        })
    }

    /// A SQLite database in the file at `path`.
    pub fn sqlite_file(path: &std::path::Path) -> Self {
        Self {
            raw: format!("sqlite:{}", path.display()),
            backend: Backend::Sqlite,
        }
    }

    /// The backend this URL selects.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// The URL with its password, to hand to the driver. Never log this; log `self` instead.
    pub fn expose(&self) -> &str {
        &self.raw
    }

    /// For SQLite, the path of the database file (without `sqlite:` and query options).
    pub fn sqlite_path(&self) -> Option<&str> {
        if self.backend != Backend::Sqlite {
            return None;
        }
        let rest = self
            .raw
            .trim_start_matches("sqlite:")
            .trim_start_matches("//");
        Some(rest.split('?').next().unwrap_or(rest))
    }
}

impl Default for DatabaseUrl {
    fn default() -> Self {
        Self::parse(DEFAULT_DATABASE_URL).expect("the default URL is valid")
    }
}

/// Shows the URL with any password replaced by `***`.
impl std::fmt::Display for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&redact(&self.raw))
    }
}

impl std::fmt::Debug for DatabaseUrl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "DatabaseUrl({self})")
    }
}

/// Replaces the password in `scheme://user:password@host` with `***`.
fn redact(raw: &str) -> String {
    let Some((scheme, rest)) = raw.split_once("://") else {
        return raw.to_owned();
    };
    let Some((credentials, host)) = rest.split_once('@') else {
        return raw.to_owned();
    };
    match credentials.split_once(':') {
        Some((user, _password)) => format!("{scheme}://{user}:***@{host}"),
        None => raw.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_scheme_selects_the_backend_and_others_are_refused() {
        assert_eq!(
            DatabaseUrl::parse("sqlite:evident.db").unwrap().backend(),
            Backend::Sqlite
        );
        assert_eq!(
            DatabaseUrl::parse("postgresql://u@h/db").unwrap().backend(),
            Backend::Postgres
        );
        let err = DatabaseUrl::parse("mysql://root:pw@h/db")
            .unwrap_err()
            .to_string();
        assert!(err.contains("not supported"), "{err}");
        assert!(!err.contains("pw"), "{err}");
    }

    #[test]
    fn passwords_never_show() {
        let url = DatabaseUrl::parse("postgres://evident:s3cret@db.example:5432/evident").unwrap();
        assert_eq!(
            url.to_string(),
            "postgres://evident:***@db.example:5432/evident"
        );
        assert!(!format!("{url:?}").contains("s3cret"));
        assert_eq!(
            DatabaseUrl::parse("postgres://u@h/d").unwrap().to_string(),
            "postgres://u@h/d"
        );
    }

    #[test]
    fn the_sqlite_path_drops_scheme_and_options() {
        let url = DatabaseUrl::parse("sqlite://data/e.db?mode=rwc").unwrap();
        assert_eq!(url.sqlite_path(), Some("data/e.db"));
        assert_eq!(DatabaseUrl::default().sqlite_path(), Some("evident.db"));
    }
}
