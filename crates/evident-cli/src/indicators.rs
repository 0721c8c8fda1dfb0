//! `evident indicators compute|check`: recompute every indicator from all data as of a date
//! (optionally with a new minimum count for disclosure control), and check a directory of
//! indicator definitions without touching any database.

use crate::{Failure, cli_actor, parse_database_url};
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use evident_core::clock::Clock;
use evident_core::indicator::IndicatorSet;
use evident_store::DatabaseUrl;
use std::path::PathBuf;
use std::time::Instant;

/// Options of `evident indicators`.
#[derive(Debug, Args)]
pub struct IndicatorsArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: IndicatorsCommand,
}

/// The `indicators` subcommands.
#[derive(Debug, Subcommand)]
pub enum IndicatorsCommand {
    /// Recompute every indicator for every node, period and breakdown.
    Compute(ComputeArgs),
    /// Check indicator definition files (*.json in a directory) and list them.
    Check(CheckArgs),
}

/// Options of `evident indicators compute`.
#[derive(Debug, Args)]
pub struct ComputeArgs {
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
    /// The minimum number of individuals behind a published value (kept from the last run
    /// when not given; 5 at first).
    #[arg(long, env = "EVIDENT_MIN_COUNT", value_parser = clap::value_parser!(u64).range(2..))]
    pub min_count: Option<u64>,
    /// Count as of this day (YYYY-MM-DD, not after today): later records, and baselines whose
    /// follow-up window is still open on it, are not counted. Default: today in Sweden. A
    /// running server recomputes as of today when it next checks the date.
    #[arg(long, value_name = "YYYY-MM-DD")]
    pub as_of: Option<NaiveDate>,
}

/// Options of `evident indicators check`.
#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A directory of definition files (default: the ones Evident ships with).
    pub dir: Option<PathBuf>,
}

impl IndicatorsArgs {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// When the database cannot be opened, or a definition is invalid (named by file and
    /// field).
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        match self.command {
            IndicatorsCommand::Compute(args) => {
                let today = Clock::system().today();
                let as_of = args.as_of.unwrap_or(today);
                if as_of > today {
                    // Windows closing before a future day have not closed yet.
                    return Err(Failure::User(format!(
                        "--as-of {as_of} is in the future (today is {today})"
                    )));
                }
                let store = ctx.open_store(&args.database_url).await?;
                let started = Instant::now();
                let result = store
                    .recompute_indicators(as_of, args.min_count, &cli_actor())
                    .await;
                store.close().await;
                let summary = result?;
                println!(
                    "indicators as of {as_of}: {} cases, {} records, {} rows stored ({} cells suppressed) in {:.2} s",
                    summary.cases,
                    summary.records,
                    summary.rows,
                    summary.suppressed_cells,
                    started.elapsed().as_secs_f64()
                );
                Ok(())
            }
            IndicatorsCommand::Check(args) => {
                let set = match args.dir {
                    None => IndicatorSet::embedded(),
                    Some(dir) => load_dir(&dir)?,
                };
                for d in &set.definitions {
                    println!("{} v{}  {}", d.id, d.version, d.title.sv);
                }
                println!("{} indicator definitions are valid", set.definitions.len());
                Ok(())
            }
        }
    }
}

/// Reads and checks every `*.json` file of `dir`.
fn load_dir(dir: &std::path::Path) -> Result<IndicatorSet, Failure> {
    let entries = std::fs::read_dir(dir)
        .map_err(|e| Failure::User(format!("cannot read {}: {e}", dir.display())))?;
    let mut files = Vec::new();
    for entry in entries {
        let path = entry.map_err(anyhow::Error::from)?.path();
        if path.extension().is_some_and(|e| e == "json") {
            let text = std::fs::read_to_string(&path)
                .map_err(|e| Failure::User(format!("cannot read {}: {e}", path.display())))?;
            files.push((path.display().to_string(), text));
        }
    }
    files.sort();
    if files.is_empty() {
        return Err(Failure::User(format!(
            "{} holds no indicator definitions (*.json)",
            dir.display()
        )));
    }
    IndicatorSet::parse(files.iter().map(|(f, t)| (f.clone(), t.as_str())))
        .map_err(|e| Failure::User(e.to_string()))
}
