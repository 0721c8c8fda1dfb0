//! Where the pseudonym key comes from: the `EVIDENT_PSEUDONYM_KEY` variable (or flag), or a
//! key file. The key never goes into the database: whoever holds it and the database together
//! can test whether a given person is a client.

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
            (None, Some(path)) => std::fs::read_to_string(path).map_err(|e| {
                Failure::User(format!(
                    "cannot read the pseudonym key file {}: {e}",
                    path.display()
                ))
            })?,
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
    if !path.exists() {
        let key = Secret::generate("");
        write_private(path, key.expose()).map_err(|e| {
            Failure::User(format!(
                "cannot write the pseudonym key file {}: {e}",
                path.display()
            ))
        })?;
    }
    let raw = std::fs::read_to_string(path)
        .map_err(|e| Failure::User(format!("cannot read {}: {e}", path.display())))?;
    PseudonymKey::parse(&raw).map_err(|e| Failure::User(format!("{}: {e}", path.display())))
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
