//! `evident bench import`: how fast a large import runs on a given database. It makes a
//! synthetic unit, a cases file with one case per synthetic client, and a measurements file of
//! PHQ-9 answers (baseline and follow-ups at 3, 6 and 12 months), imports both through the
//! same code as `evident import`, and prints rows per second for checking (parse, validate,
//! pseudonymise) and for the database write, separately and in total.
//!
//! The personal numbers are made up, one per client in sequence with correct check digits
//! (no real people), and the pseudonym key is a fixed bench key. Run it on a scratch database:
//! it adds a unit and its data on every run.

use crate::import::{ImportReport, Source, import_sources};
use crate::{Failure, cli_actor, parse_database_url};
use chrono::{Months, NaiveDate};
use clap::{Args, Subcommand};
use evident_core::followup::instrument::Instrument;
use evident_core::person::{PseudonymKey, synthetic_number_text};
use evident_core::rng::SplitMix64;
use evident_core::{NewUnit, UnitUpdate};
use evident_store::{DatabaseUrl, Store};
use evident_web::render::csv::CsvWriter;
use std::time::{Duration, Instant};

/// The instrument the bench answers (from the embedded library).
const BENCH_INSTRUMENT: &str = "phq-9";

/// Measurements per client: baseline and follow-ups at 3, 6 and 12 months.
const FOLLOW_UPS: [u32; 3] = [3, 6, 12];

/// The bench's own pseudonym key; the bench's clients are synthetic.
const BENCH_KEY: &str = "evident-bench-key-not-for-real-clients-0123456789";

/// Options of `evident bench`.
#[derive(Debug, Args)]
pub struct BenchArgs {
    /// What to measure.
    #[command(subcommand)]
    pub command: BenchCommand,
}

/// The `bench` subcommands.
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Time the import of a synthetic measurements file of --rows rows.
    Import(BenchImportArgs),
    /// Time the full recompute of every indicator and the incremental update after one new
    /// measurement, on a synthetic national population.
    Indicators(crate::bench_indicators::BenchIndicatorsArgs),
}

/// Options of `evident bench import`.
#[derive(Debug, Args)]
pub struct BenchImportArgs {
    /// How many measurement rows to import (one client per four rows).
    #[arg(long, default_value_t = 100_000)]
    pub rows: usize,
    /// The database to import into: use a scratch database, the bench adds data to it.
    #[arg(long, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
    /// The seed of the synthetic answers.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

impl BenchArgs {
    /// Runs the bench.
    ///
    /// # Errors
    /// When the database cannot be opened or the import fails.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        match self.command {
            BenchCommand::Import(args) => args.run(ctx).await,
            BenchCommand::Indicators(args) => args.run(ctx).await,
        }
    }
}

impl BenchImportArgs {
    async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let store = ctx.open_store(&self.database_url).await?;
        let result = bench(&*store, &self).await;
        store.close().await;
        result
    }
}

async fn bench(store: &dyn Store, args: &BenchImportArgs) -> Result<(), Failure> {
    let key = PseudonymKey::parse(BENCH_KEY).expect("the bench key is long enough");
    let instrument = store
        .instrument_versions()
        .await?
        .into_iter()
        .rev()
        .find(|i| i.id == BENCH_INSTRUMENT)
        .ok_or_else(|| {
            Failure::Unexpected(anyhow::anyhow!(
                "{BENCH_INSTRUMENT} is not in the store's instrument library"
            ))
        })?;
    let details = UnitUpdate::parse("Bänkprov hemtjänst", "public", None, "elderly_care")
        .map_err(|e| Failure::Unexpected(anyhow::anyhow!("bench unit: {e}")))?;
    let unit = store
        .create_unit(
            &NewUnit::parse("0180", details)
                .map_err(|e| Failure::Unexpected(anyhow::anyhow!("bench unit: {e}")))?,
            &cli_actor(),
        )
        .await?
        .code;
    let today = evident_core::clock::Clock::system().today();

    let started = Instant::now();
    let clients = args.rows.div_ceil(1 + FOLLOW_UPS.len());
    let (cases, measurements) =
        synthetic_files(unit.as_str(), &instrument, clients, args.rows, args.seed);
    println!(
        "bench import: {} measurement rows for {clients} synthetic clients at unit {unit}, into {}",
        args.rows, args.database_url
    );
    println!(
        "  generated the files ({} MB of CSV) in {}",
        (cases.bytes.len() + measurements.bytes.len()) / 1_000_000,
        seconds(started.elapsed())
    );

    let report = import_sources(store, &key, today, Some(&cases), None, false).await?;
    print_phase("cases", clients, &report);
    let report = import_sources(store, &key, today, None, Some(&measurements), false).await?;
    print_phase("measurements", args.rows, &report);
    Ok(())
}

fn print_phase(what: &str, rows: usize, report: &ImportReport) {
    let total = report.parse + report.write + report.recompute;
    println!("  {what}: {rows} rows");
    for (part, took) in [
        ("parse + validate", report.parse),
        ("database write", report.write),
        ("recompute", report.recompute),
        ("total", total),
    ] {
        println!(
            "    {part:<17} {:>9}  {:>10} rows/s",
            seconds(took),
            per_second(rows, took)
        );
    }
}

pub(crate) fn seconds(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn per_second(rows: usize, d: Duration) -> String {
    let rate = rows as f64 / d.as_secs_f64().max(1e-9);
    // Thousands separated by spaces, as Swedish writes them.
    let digits = format!("{rate:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(' ');
        }
        out.push(c);
    }
    out
}

/// The `n`th synthetic personal number, `YYYYMMDD-NNNC`: born `n / 1000` days after
/// 1930-01-01 with birth number `n % 1000`, so every `n` gives a different, valid number.
pub fn synthetic_number(n: usize) -> String {
    let epoch = NaiveDate::from_ymd_opt(1930, 1, 1).expect("a valid date");
    let birth = epoch + chrono::Duration::days((n / 1000) as i64);
    synthetic_number_text(birth, (n % 1000) as u32)
}

/// A cases file (one case per client, opened in 2024) and a measurements file of `rows`
/// answered instruments, both as a Swedish Excel export writes them: `;`-separated, UTF-8
/// with a byte order mark.
fn synthetic_files(
    unit: &str,
    instrument: &Instrument,
    clients: usize,
    rows: usize,
    seed: u64,
) -> (Source, Source) {
    let start = NaiveDate::from_ymd_opt(2024, 1, 1).expect("a valid date");
    let opened_on = |client: usize| start + chrono::Duration::days((client % 365) as i64);

    let mut cases = CsvWriter::new(Vec::new()).expect("writing to a Vec cannot fail");
    cases
        .row([
            "personal_number",
            "unit",
            "opened_on",
            "schedule",
            "intervention_type",
            "legal_basis",
            "provider_unit",
            "decided_on",
            "started_on",
        ])
        .expect("writing to a Vec cannot fail");
    for client in 0..clients {
        let opened = opened_on(client).to_string();
        cases
            .row([
                synthetic_number(client).as_str(),
                unit,
                &opened,
                "3,6,12",
                "hemtjanst",
                "SoL",
                unit,
                &opened,
                &opened,
            ])
            .expect("writing to a Vec cannot fail");
    }

    let mut rng = SplitMix64::new(seed);
    let mut measurements = CsvWriter::new(Vec::new()).expect("writing to a Vec cannot fail");
    let mut header: Vec<String> = [
        "personal_number",
        "unit",
        "instrument",
        "instrument_version",
        "time_point",
        "month",
        "measured_on",
        "respondent",
    ]
    .map(str::to_owned)
    .into();
    header.extend(
        instrument
            .items
            .iter()
            .map(|item| format!("item:{}", item.link_id)),
    );
    measurements
        .row(header)
        .expect("writing to a Vec cannot fail");
    for row in 0..rows {
        let client = row / (1 + FOLLOW_UPS.len());
        let slot = row % (1 + FOLLOW_UPS.len());
        let (time_point, month, measured_on) = match slot {
            0 => ("baseline", String::new(), opened_on(client)),
            k => {
                let month = FOLLOW_UPS[k - 1];
                let on = opened_on(client)
                    .checked_add_months(Months::new(month))
                    .expect("a date in range");
                ("follow_up", month.to_string(), on)
            }
        };
        let mut fields = vec![
            synthetic_number(client),
            unit.to_owned(),
            instrument.id.to_string(),
            instrument.version.to_string(),
            time_point.to_owned(),
            month,
            measured_on.to_string(),
            "client".to_owned(),
        ];
        for item in &instrument.items {
            let option = &item.options[rng.below(item.options.len() as u64) as usize];
            fields.push(option.code.to_string());
        }
        measurements
            .row(fields)
            .expect("writing to a Vec cannot fail");
    }
    (
        Source {
            name: "bench-cases.csv".into(),
            bytes: cases.finish().expect("writing to a Vec cannot fail"),
        },
        Source {
            name: "bench-measurements.csv".into(),
            bytes: measurements.finish().expect("writing to a Vec cannot fail"),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use evident_core::person::PersonalNumber;

    #[test]
    fn synthetic_numbers_are_valid_and_all_different() {
        let today = NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
        let key = PseudonymKey::parse(BENCH_KEY).unwrap();
        let mut seen = std::collections::HashSet::new();
        for n in (0..3000).chain([999_999, 2_500_000]) {
            let number = PersonalNumber::parse(&synthetic_number(n), today)
                .unwrap_or_else(|e| panic!("{n}: {e}"));
            assert!(seen.insert(key.person_digest(&number)), "{n} repeats");
        }
        assert_eq!(synthetic_number(0), "19300101-0002");
    }

    #[test]
    fn rates_are_written_with_spaces_between_thousands() {
        assert_eq!(per_second(1_234_567, Duration::from_secs(1)), "1 234 567");
        assert_eq!(per_second(999, Duration::from_secs(1)), "999");
    }
}
