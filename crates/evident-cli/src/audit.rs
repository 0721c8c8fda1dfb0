//! `evident audit verify|checkpoint`: check the audit trail's keyed chain end to end, naming
//! the first entry that was edited, deleted, reordered or forged; and write signed checkpoints
//! of its head, to keep outside the database, that later verifications hold the trail to.

use crate::{Context, Failure, parse_database_url};
use clap::{Args, Subcommand};
use evident_core::access::audit::Checkpoint;
use evident_store::DatabaseUrl;
use std::io::Write as _;
use std::path::PathBuf;

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
    /// Verify the chain with the audit key, and against checkpoints taken earlier; exit 0 when
    /// intact, 1 naming the first bad entry.
    Verify {
        /// A file of checkpoints (`evident audit checkpoint` output, one per line); the trail
        /// must still hold every entry they name, unchanged. Repeatable.
        #[arg(long)]
        checkpoint: Vec<PathBuf>,
    },
    /// Sign the trail's head with the audit key and print it as one line of JSON, or append
    /// it to FILE. Keep checkpoints where whoever can write the database cannot (another
    /// machine, write-once storage): they are what reveals a rolled-back trail.
    Checkpoint {
        /// Append the checkpoint to this file instead of printing it.
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

impl AuditArgs {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// [`Failure::User`] naming the first bad entry when the chain is broken, or the
    /// checkpoint file that cannot be read or does not verify.
    pub async fn run(self, ctx: &Context) -> Result<(), Failure> {
        let (key, _) = ctx.audit_key()?;
        match self.command {
            AuditCommand::Verify { checkpoint } => {
                let mut checkpoints = Vec::new();
                for path in &checkpoint {
                    let text = std::fs::read_to_string(path).map_err(|e| {
                        Failure::User(format!("cannot read {}: {e}", path.display()))
                    })?;
                    let read = Checkpoint::parse_log(&text, &key).map_err(|e| {
                        Failure::User(format!("{}: {}: {}", path.display(), e.field, e.problem))
                    })?;
                    checkpoints.extend(read);
                }
                let given = checkpoints.len();
                // Verification only reads: it must also work on a trail whose newest entry
                // names another key, to say which entry that is.
                let store = evident_store::open_to_verify(&self.database_url, &key).await?;
                let verdict = evident_store::audit::verify_audit_trail(&*store, checkpoints).await;
                store.close().await;
                match verdict? {
                    Ok(summary) => {
                        println!(
                            "The audit trail is intact: {} entries verified with audit key {}.",
                            summary.entries,
                            key.id()
                        );
                        if given > 0 {
                            println!(
                                "It holds every entry named by the {given} checkpoints given, unchanged."
                            );
                        }
                        if summary.unkeyed > 0 {
                            println!(
                                "The first {} entries were written before the chain was keyed: \
                                 their hashes are anchored by the keyed entry after them.",
                                summary.unkeyed
                            );
                        }
                        Ok(())
                    }
                    Err(broken) => Err(Failure::User(format!(
                        "the audit trail is broken: {broken}"
                    ))),
                }
            }
            AuditCommand::Checkpoint { out } => {
                let store = ctx.open_store(&self.database_url).await?;
                let checkpoint = evident_store::audit::checkpoint(&*store).await;
                store.close().await;
                let line = checkpoint?.to_line();
                match out {
                    None => println!("{line}"),
                    Some(path) => {
                        let cannot = |e: std::io::Error| {
                            Failure::User(format!("cannot append to {}: {e}", path.display()))
                        };
                        let mut file = std::fs::OpenOptions::new()
                            .create(true)
                            .append(true)
                            .open(&path)
                            .map_err(cannot)?;
                        writeln!(file, "{line}")
                            .and_then(|()| file.sync_all())
                            .map_err(cannot)?;
                        eprintln!("Checkpoint appended to {}.", path.display());
                    }
                }
                Ok(())
            }
        }
    }
}
