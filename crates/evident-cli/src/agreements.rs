//! `evident agreements check FILE` and `evident import agreement|disbursement FILE`: the
//! interchange format of `data/agreements/README.md`. Checking prints every disagreement a
//! document has with itself (stated total vs the sum of its initiatives, area subtotals,
//! breakdowns, funding; a decision's grants vs their lines and funding) with the figures on both
//! sides, and writes nothing: exit code 0 when consistent, 1 when not. Importing stores the
//! document as written and prints the same findings.

use crate::{Failure, cli_actor, parse_database_url};
use clap::{Args, Subcommand};
use evident_core::grants::check::{Finding, check_agreement, check_disbursement};
use evident_core::grants::document::{Agreement, Disbursement};
use evident_store::DatabaseUrl;
use std::path::{Path, PathBuf};

/// Options of `evident agreements`.
#[derive(Debug, Args)]
pub struct AgreementsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: AgreementsCommand,
}

/// The `agreements` subcommands.
#[derive(Debug, Subcommand)]
pub enum AgreementsCommand {
    /// Check an agreement or a disbursement decision (JSON) for internal disagreements,
    /// without writing anything. Exit code 0 when consistent, 1 when not.
    Check {
        /// The document.
        file: PathBuf,
    },
}

impl AgreementsArgs {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// [`Failure::User`] for an unreadable or invalid file, or one with disagreements.
    pub async fn run(self, _ctx: &crate::Context) -> Result<(), Failure> {
        match self.command {
            AgreementsCommand::Check { file } => {
                let (id, findings) = match read(&file)? {
                    Document::Agreement(a) => (a.id.clone(), check_agreement(&a)),
                    Document::Disbursement(d) => (d.id.clone(), check_disbursement(&d)),
                };
                print_findings(&file, &id, &findings);
                if findings.is_empty() {
                    Ok(())
                } else {
                    Err(Failure::User(format!(
                        "{}: {} disagreement{} (nothing was written)",
                        file.display(),
                        findings.len(),
                        if findings.len() == 1 { "" } else { "s" }
                    )))
                }
            }
        }
    }
}

/// A document of either kind.
enum Document {
    Agreement(Agreement),
    Disbursement(Disbursement),
}

/// Reads and parses `file`, telling the kinds apart by their fields (a decision names its
/// `agreement` and has `grants`).
fn read(file: &Path) -> Result<Document, Failure> {
    let shown = file.display().to_string();
    let text = crate::import::read_document(file)?;
    let value: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        Failure::User(format!(
            "{shown}: line {} column {}: not JSON: {e}",
            e.line(),
            e.column()
        ))
    })?;
    if value.get("grants").is_some() {
        Disbursement::parse(&shown, &text)
            .map(Document::Disbursement)
            .map_err(|e| Failure::User(e.problem))
    } else {
        Agreement::parse(&shown, &text)
            .map(Document::Agreement)
            .map_err(|e| Failure::User(e.problem))
    }
}

fn print_findings(file: &Path, id: &str, findings: &[Finding]) {
    if findings.is_empty() {
        println!("{}: {id} is consistent", file.display());
    }
    for finding in findings {
        println!("{}: {id}: {finding}", file.display());
    }
}

/// Options of `evident import agreement` and `evident import disbursement`.
#[derive(Debug, Args)]
pub struct DocumentImportArgs {
    /// The document (JSON, see data/agreements/README.md).
    pub file: PathBuf,
    /// Why it is imported (recorded in the audit trail); default "imported from FILE".
    #[arg(long)]
    pub reason: Option<String>,
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
}

impl DocumentImportArgs {
    /// Imports an agreement and prints its findings.
    ///
    /// # Errors
    /// [`Failure::User`] for an invalid file or an id already stored.
    pub async fn run_agreement(self, ctx: &crate::Context) -> Result<(), Failure> {
        let Document::Agreement(agreement) = read(&self.file)? else {
            return Err(Failure::User(format!(
                "{} is a disbursement decision; import it with `evident import disbursement`",
                self.file.display()
            )));
        };
        let store = ctx.open_store(&self.database_url).await?;
        let reason = self.reason();
        let result = store
            .import_agreement(&agreement, &reason, &cli_actor())
            .await;
        store.close().await;
        conflict_as_user(result, "an agreement", &agreement.id)?;
        println!(
            "imported agreement {} ({})",
            agreement.id,
            agreement.total_ore.kr()
        );
        print_findings(&self.file, &agreement.id, &check_agreement(&agreement));
        Ok(())
    }

    /// Imports a disbursement decision (after its agreement) and prints its findings.
    ///
    /// # Errors
    /// [`Failure::User`] for an invalid file, an unknown agreement, a line beyond what remains
    /// of its initiative, or an id already stored.
    pub async fn run_disbursement(self, ctx: &crate::Context) -> Result<(), Failure> {
        let Document::Disbursement(decision) = read(&self.file)? else {
            return Err(Failure::User(format!(
                "{} is an agreement; import it with `evident import agreement`",
                self.file.display()
            )));
        };
        let store = ctx.open_store(&self.database_url).await?;
        let reason = self.reason();
        let shown = self.file.display().to_string();
        let result = store
            .import_disbursement(&decision, &shown, &reason, &cli_actor())
            .await;
        store.close().await;
        if let Err(evident_store::StorageError::NotFound(what)) = &result {
            return Err(Failure::User(format!(
                "{shown}: {what} not found; import the agreement first"
            )));
        }
        conflict_as_user(result, "a disbursement decision", &decision.id)?;
        println!(
            "imported disbursement decision {} ({})",
            decision.id,
            decision.total().kr()
        );
        print_findings(&self.file, &decision.id, &check_disbursement(&decision));
        Ok(())
    }

    fn reason(&self) -> String {
        self.reason
            .clone()
            .filter(|r| !r.trim().is_empty())
            .unwrap_or_else(|| format!("imported from {}", self.file.display()))
    }
}

fn conflict_as_user(
    result: evident_store::Result<()>,
    what: &str,
    id: &str,
) -> Result<(), Failure> {
    match result {
        Err(evident_store::StorageError::Conflict { .. }) => Err(Failure::User(format!(
            "{what} with id {id} is already stored"
        ))),
        other => Ok(other?),
    }
}
