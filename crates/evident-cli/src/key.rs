//! Where the keys come from. The pseudonym key: the `EVIDENT_PSEUDONYM_KEY` variable (or
//! flag), or a key file; whoever holds it and the database together can test whether a given
//! person is a client. The audit key: a key file (`--audit-key-file`); whoever holds it and
//! the database together can rewrite the audit trail. Neither ever goes into the database, and
//! a key file readable by anyone but its owner is refused.

use crate::Failure;
use clap::Args;
use evident_core::access::credentials::Secret;
use evident_core::person::PseudonymKey;
use std::path::{Path, PathBuf};

/// Options that supply the pseudonym key.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// The key that turns personal numbers into pseudonyms (at least 32 characters of random
    /// text). Without it, clients cannot be registered.
    #[arg(long, env = "EVIDENT_PSEUDONYM_KEY", hide_env_values = true)]
    pub pseudonym_key: Option<String>,
    /// A file holding the pseudonym key, as an alternative to --pseudonym-key.
    #[arg(
        long,
        env = "EVIDENT_PSEUDONYM_KEY_FILE",
        conflicts_with = "pseudonym_key"
    )]
    pub pseudonym_key_file: Option<PathBuf>,
}

impl KeyArgs {
    /// The configured key, if any.
    ///
    /// # Errors
    /// [`Failure::User`] when the key is too short or its file cannot be read.
    pub fn load(&self) -> Result<Option<PseudonymKey>, Failure> {
        let raw = match (&self.pseudonym_key, &self.pseudonym_key_file) {
            (Some(key), _) => key.clone(),
            (None, Some(path)) => read_key_file(path)?,
            (None, None) => return Ok(None),
        };
        PseudonymKey::parse(&raw)
            .map(Some)
            .map_err(|e| Failure::User(e.to_string()))
    }
}

/// The key in `path`, creating the file with a fresh random key (readable by its owner only)
/// when it does not exist yet.
///
/// # Errors
/// [`Failure::User`] when the file cannot be read or written, or holds a key that is too short.
pub fn load_or_create(path: &Path) -> Result<PseudonymKey, Failure> {
    let (raw, _) = read_or_create_key_file(path)?;
    PseudonymKey::parse(&raw).map_err(|e| Failure::User(format!("{}: {e}", path.display())))
}

/// The text of the key file at `path`, and whether it was created just now with a fresh
/// random key (64 hex digits, mode 0600).
///
/// # Errors
/// [`Failure::User`] when the file cannot be written or read, or others may read it.
pub fn read_or_create_key_file(path: &Path) -> Result<(String, bool), Failure> {
    let created = if path.exists() {
        false
    } else {
        let key = Secret::generate("");
        write_private(path, key.expose()).map_err(|e| {
            Failure::User(format!("cannot write the key file {}: {e}", path.display()))
        })?;
        true
    };
    Ok((read_key_file(path)?, created))
}

/// The text of an existing key file, refused when anyone but its owner may read it.
///
/// # Errors
/// [`Failure::User`] naming the file and the problem.
pub fn read_key_file(path: &Path) -> Result<String, Failure> {
    check_private(path)?;
    std::fs::read_to_string(path)
        .map_err(|e| Failure::User(format!("cannot read the key file {}: {e}", path.display())))
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), Failure> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| Failure::User(format!("cannot read the key file {}: {e}", path.display())))?
        .permissions()
        .mode();
    if mode & 0o077 != 0 {
        return Err(Failure::User(format!(
            "the key file {} may be read by others (mode {:o}): make it private with `chmod 600 {}`",
            path.display(),
            mode & 0o777,
            path.display()
        )));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), Failure> {
    Ok(())
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(content.as_bytes())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> std::io::Result<()> {
    std::fs::write(path, content)
}
