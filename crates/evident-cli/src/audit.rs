//! `evident audit verify`: checks the audit trail's hash chain end to end and names the first
//! entry that was edited, deleted or reordered.

use crate::{Failure, open_store, parse_database_url};
use clap::{Args, Subcommand};
use evident_store::DatabaseUrl;

/// Options of `evident audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// What to do with the audit trail.
    #[command(subcommand)]
    pub command: AuditCommand,
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url, global = true)]
    pub database_url: DatabaseUrl,
}

/// The `audit` subcommands.
#[derive(Debug, Subcommand)]
pub enum AuditCommand {
    /// Verify the hash chain; exit 0 when intact, 1 naming the first bad entry.
    Verify,
}

impl AuditArgs {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// [`Failure::User`] naming the first bad entry when the chain is broken.
    pub async fn run(self) -> Result<(), Failure> {
        let AuditCommand::Verify = self.command;
        let store = open_store(&self.database_url).await?;
        let verdict = evident_store::audit::verify_audit_trail(&*store).await;
        store.close().await;
        match verdict? {
            Ok(count) => {
                println!("The audit trail is intact: {count} entries verified.");
                Ok(())
            }
            Err(broken) => Err(Failure::User(format!(
                "the audit trail is broken: {broken}"
            ))),
        }
    }
}
