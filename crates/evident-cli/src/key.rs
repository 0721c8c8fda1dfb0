//! Where the keys come from. The pseudonym key: the `EVIDENT_PSEUDONYM_KEY` variable, or a key
//! file (`--pseudonym-key-file`) — never a flag holding the key, which every user of the
//! machine could read in `ps`; whoever holds it and the database together can test whether a given
//! person is a client. The audit key: a key file (`--audit-key-file`); whoever holds it and
//! the database together can rewrite the audit trail. Neither ever goes into the database, and
//! a key file readable by anyone but its owner is refused.

use crate::Failure;
use clap::Args;
use evident_core::access::credentials::Secret;
use evident_core::person::PseudonymKey;
use std::path::{Path, PathBuf};

/// The variable that may hold the pseudonym key itself.
pub const PSEUDONYM_KEY_VAR: &str = "EVIDENT_PSEUDONYM_KEY";

/// Options that supply the pseudonym key: a key file, or the key in the
/// [`PSEUDONYM_KEY_VAR`] variable.
#[derive(Debug, Clone, Args)]
pub struct KeyArgs {
    /// Refused: the key on the command line is visible to every user of the machine in `ps`.
    /// Kept (hidden) only to say so and where to put the key instead.
    #[arg(long = "pseudonym-key", hide = true, value_name = "KEY")]
    pub pseudonym_key_flag: Option<String>,
    /// A file holding the key that turns personal numbers into pseudonyms (at least 32
    /// characters of random text, readable only by its owner). Without a key, clients cannot
    /// be registered. The key may instead be given in EVIDENT_PSEUDONYM_KEY.
    #[arg(long, env = "EVIDENT_PSEUDONYM_KEY_FILE")]
    pub pseudonym_key_file: Option<PathBuf>,
}

impl KeyArgs {
    /// The configured key, if any: from the key file, or from [`PSEUDONYM_KEY_VAR`].
    ///
    /// # Errors
    /// [`Failure::User`] when the key is given on the command line, in both a file and the
    /// variable, is too short or too repetitive, or its file cannot be read or may be read by
    /// others.
    pub fn load(&self) -> Result<Option<PseudonymKey>, Failure> {
        if self.pseudonym_key_flag.is_some() {
            return Err(Failure::User(
                "--pseudonym-key is no longer accepted: a key on the command line can be read by                  every user of the machine (in `ps`). Put the key in a file only you can read                  (`chmod 600`) and pass --pseudonym-key-file FILE (or set                  EVIDENT_PSEUDONYM_KEY_FILE), or set EVIDENT_PSEUDONYM_KEY"
                    .to_owned(),
            ));
        }
        let from_env = std::env::var(PSEUDONYM_KEY_VAR)
            .ok()
            .filter(|v| !v.is_empty());
        let (raw, origin) = match (from_env, &self.pseudonym_key_file) {
            (Some(_), Some(_)) => {
                return Err(Failure::User(format!(
                    "the pseudonym key is given twice, in {PSEUDONYM_KEY_VAR} and as a key file:                      give one"
                )));
            }
            (Some(key), None) => (key, PSEUDONYM_KEY_VAR.to_owned()),
            (None, Some(path)) => (read_key_file(path)?, path.display().to_string()),
            (None, None) => return Ok(None),
        };
        PseudonymKey::parse(&raw)
            .map(Some)
            .map_err(|e| Failure::User(format!("{origin}: {e}")))
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
