//! `evident disclosure audit`: an attacker's view of what Evident publishes. Reads every
//! published cell of every base indicator through the store's only way out
//! (`IndicatorStore::published_rows`, which the pages, the API and the downloads use), and
//! runs the audit of `evident_core::stats::audit` over them: which hidden cells can be
//! worked out exactly, and which lie in a range narrower than `k`. Exits 1 when any hidden cell
//! can be worked out.

use crate::{Failure, parse_database_url};
use clap::{Args, Subcommand};
use evident_core::indicator::{IndicatorSet, Measure, RowKey};
use evident_core::stats::audit::{
    AuditOptions, AuditReport, Seen, SeenRow, audit, exact_variants_of,
};
use evident_store::{DatabaseUrl, Store};
use std::time::Instant;

/// Options of `evident disclosure`.
#[derive(Debug, Args)]
pub struct DisclosureArgs {
    /// What to do.
    #[command(subcommand)]
    pub command: DisclosureCommand,
}

/// The `disclosure` subcommands.
#[derive(Debug, Subcommand)]
pub enum DisclosureCommand {
    /// Check that no hidden cell of the published indicators can be worked out; exit 1 naming
    /// those that can.
    Audit(AuditArgs),
}

/// Options of `evident disclosure audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// The database.
    #[arg(long, env = "EVIDENT_DATABASE_URL", default_value = evident_store::url::DEFAULT_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
    /// Report hidden cells whose feasible range is narrower than this (default: the minimum
    /// count the indicators were computed with).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub k: Option<u64>,
    /// Bound by linear programming only groups of at most this many unknowns.
    #[arg(long, default_value_t = 400)]
    pub max_lp_unknowns: usize,
    /// Print the report as JSON.
    #[arg(long)]
    pub json: bool,
}

impl DisclosureArgs {
    /// Runs the subcommand.
    ///
    /// # Errors
    /// [`Failure::User`] when a hidden cell can be worked out (after printing the report), or
    /// when the database cannot be opened.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let DisclosureCommand::Audit(args) = self.command;
        let store = ctx.open_store(&args.database_url).await?;
        let result = audit_store(&*store, args.k, args.max_lp_unknowns).await;
        store.close().await;
        let (report, seconds) = result?;
        if args.json {
            println!(
                "{}",
                serde_json::to_string_pretty(&report).map_err(anyhow::Error::from)?
            );
        } else {
            print!("{report}");
            println!("audited in {seconds:.2} s");
        }
        if report.is_safe() {
            Ok(())
        } else {
            Err(Failure::User(format!(
                "{} hidden cells can be worked out exactly from what is published",
                report.recoverable
            )))
        }
    }
}

/// Audits every published cell of every base indicator in `store`, one indicator at a time;
/// the report and the seconds it took.
async fn audit_store(
    store: &dyn Store,
    k: Option<u64>,
    max_lp_unknowns: usize,
) -> Result<(AuditReport, f64), Failure> {
    let started = Instant::now();
    let set = IndicatorSet::embedded();
    let options = AuditOptions {
        k: match k {
            Some(k) => k,
            None => store.indicator_state().await?.min_count,
        },
        max_lp_unknowns,
        exact_variants: exact_variants_of(&set),
        ..AuditOptions::default()
    };
    let mut report = AuditReport::new(&options);
    for definition in &set.definitions {
        // Differences publish only where both parts do, and survey results go through the
        // survey's own disclosure control: the base indicators hold every count.
        if !matches!(definition.measure, Measure::Base { .. }) {
            continue;
        }
        let id = definition.id.as_str();
        let mut rows = Vec::new();
        for variant in store.indicator_variants(id).await? {
            for period in store.indicator_periods(id).await? {
                for row in store.published_rows(id, &variant, period).await? {
                    let mut cells = [Seen::Empty; 8];
                    for (seen, published) in cells.iter_mut().zip(&row.cells) {
                        *seen = Seen::from(published);
                    }
                    rows.push(SeenRow {
                        key: RowKey {
                            indicator: id.to_owned(),
                            variant: variant.clone(),
                            period,
                            node: row.node,
                        },
                        cells,
                    });
                }
            }
        }
        let options = options.clone();
        let found = tokio::task::spawn_blocking(move || audit(&rows, &options))
            .await
            .map_err(anyhow::Error::from)?;
        tracing::info!(
            indicator = id,
            hidden = found.hidden,
            recoverable = found.recoverable,
            "audited"
        );
        report.merge(found);
    }
    Ok((report, started.elapsed().as_secs_f64()))
}
