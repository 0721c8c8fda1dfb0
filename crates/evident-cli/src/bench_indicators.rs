//! `evident bench indicators`: generates a synthetic national population — three units in
//! each of Sweden's 290 municipalities (one private), one client per case, a started
//! intervention and PHQ-9 at baseline and 3 and 6 months — imports it through the ordinary
//! importer, then times (a) the full recompute of every indicator for every node, period and
//! breakdown and (b) single new measurements recorded through the ordinary write path, whose
//! transaction updates the indicators incrementally. The last lines are `key=value` for
//! scripts (`bench/run_indicators.sh`).
//!
//! Personal numbers are synthetic (valid check digits, no real people), under a bench key.

use crate::import::{Source, import_sources};
use crate::{Failure, cli_actor, parse_database_url};
use chrono::{Duration, Months, NaiveDate};
use clap::Args;
use evident_core::followup::{Respondent, TimePoint};
use evident_core::person::{PseudonymKey, synthetic_number_text};
use evident_core::rng::SplitMix64;
use evident_core::{NewUnit, OrgCode, Registry, UnitUpdate};
use evident_store::followup::NewMeasurement;
use evident_store::{DatabaseUrl, Store};
use evident_web::render::csv::CsvWriter;
use std::time::Instant;

/// Options of `evident bench indicators`.
#[derive(Debug, Args)]
pub struct BenchIndicatorsArgs {
    /// How many measurements to generate (three per client).
    #[arg(long, default_value_t = 300_000)]
    pub measurements: usize,
    /// The seed of the synthetic population.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// The database: use a scratch database, the bench adds data to it.
    #[arg(long, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
    /// Skip generating: time the database as it is (from an earlier run).
    #[arg(long)]
    pub reuse: bool,
    /// How many single measurements to time.
    #[arg(long, default_value_t = 25)]
    pub updates: usize,
}

/// The bench's own pseudonym key; the bench's clients are synthetic.
const BENCH_KEY: &str = "evident-bench-key-not-for-real-clients-0123456789";

/// The day the bench computes as of: after every record it generates or times (the latest
/// are 12-month follow-ups of cases opened by late 2025), so that all of them count whatever
/// day it runs.
const BENCH_AS_OF: NaiveDate = NaiveDate::from_ymd_opt(2026, 12, 31).expect("a valid date");

/// Intervention types of individual and family care with SoL as their basis.
const TYPES: [&str; 5] = [
    "ekonomiskt_bistand",
    "oppenvard_missbruk",
    "hvb_vuxna",
    "stodboende_vuxna",
    "kontaktperson_vuxna",
];

impl BenchIndicatorsArgs {
    /// Runs the bench.
    ///
    /// # Errors
    /// When the database cannot be opened or a step fails.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        let store = ctx.open_store(&self.database_url).await?;
        let result = self.bench(&*store).await;
        store.close().await;
        result
    }

    async fn bench(&self, store: &dyn Store) -> Result<(), Failure> {
        if !self.reuse {
            self.generate(store).await?;
        }
        let started = Instant::now();
        let summary = store
            .recompute_indicators(BENCH_AS_OF, None, &cli_actor())
            .await?;
        let full = started.elapsed();
        println!(
            "full recompute: {} cases, {} records → {} rows ({} suppressed cells) in {:.2} s",
            summary.cases,
            summary.records,
            summary.rows,
            summary.suppressed_cells,
            full.as_secs_f64()
        );
        let mut times = self.time_updates(store).await?;
        times.sort_by(f64::total_cmp);
        let median = times.get(times.len() / 2).copied().unwrap_or(f64::NAN);
        let max = times.last().copied().unwrap_or(f64::NAN);
        println!(
            "incremental: {} single measurements recorded (write, audit and indicator update in one transaction): median {median:.2} ms, max {max:.2} ms",
            times.len()
        );
        println!("full_recompute_seconds={:.3}", full.as_secs_f64());
        println!("incremental_ms={median:.3}");
        println!("incremental_max_ms={max:.3}");
        Ok(())
    }

    async fn generate(&self, store: &dyn Store) -> Result<(), Failure> {
        let actor = cli_actor();
        let registry = Registry::sweden();
        let mut units: Vec<(OrgCode, OrgCode)> = Vec::new(); // (unit, its municipality's private unit)
        let invalid =
            |e: evident_core::DomainError| Failure::Unexpected(anyhow::anyhow!("bench unit: {e}"));
        let started = Instant::now();
        for municipality in registry
            .nodes()
            .filter(|n| n.code.level() == evident_core::OrgLevel::Municipality)
        {
            let mut here = Vec::new();
            for (i, (provider, operator)) in [
                ("public", None),
                ("public", None),
                ("private", Some("Bänk Omsorg AB")),
            ]
            .into_iter()
            .enumerate()
            {
                let details = UnitUpdate::parse(
                    &format!("Bänkenhet {}", i + 1),
                    provider,
                    operator,
                    "individual_family",
                )
                .map_err(invalid)?;
                let unit = store
                    .create_unit(
                        &NewUnit::parse(municipality.code.as_str(), details).map_err(invalid)?,
                        &actor,
                    )
                    .await?;
                here.push(unit.code);
            }
            for unit in &here {
                units.push((unit.clone(), here[2].clone()));
            }
        }
        let clients = self.measurements.div_ceil(3);
        let (cases, measurements) = files(&units, clients, self.measurements, self.seed);
        println!(
            "bench indicators: {} measurements for {clients} clients at {} units, generated in {:.1} s",
            self.measurements,
            units.len(),
            started.elapsed().as_secs_f64()
        );
        let key = PseudonymKey::parse(BENCH_KEY).expect("the bench key is long enough");
        let today = NaiveDate::from_ymd_opt(2026, 11, 1).expect("a valid date");
        let started = Instant::now();
        import_sources(store, &key, today, Some(&cases), None, false).await?;
        import_sources(store, &key, today, None, Some(&measurements), false).await?;
        println!(
            "  imported (each import ends with a full recompute) in {:.1} s",
            started.elapsed().as_secs_f64()
        );
        Ok(())
    }

    /// Records one new follow-up for each of `updates` cases spread over the country, timing
    /// each write.
    async fn time_updates(&self, store: &dyn Store) -> Result<Vec<f64>, Failure> {
        let municipalities: Vec<OrgCode> = Registry::sweden()
            .nodes()
            .filter(|n| n.code.level() == evident_core::OrgLevel::Municipality)
            .map(|n| n.code.clone())
            .collect();
        let mut rng = SplitMix64::new(self.seed ^ 0xB0B);
        let mut times = Vec::new();
        for _ in 0..self.updates * 20 {
            if times.len() == self.updates {
                break;
            }
            let municipality = &municipalities[rng.below(municipalities.len() as u64) as usize];
            let units = store.list_units(municipality).await?;
            let Some(unit) = units.get(rng.below(units.len().max(1) as u64) as usize) else {
                continue;
            };
            let cases = store.list_unit_cases(&unit.code).await?;
            let Some(case) = cases.get(rng.below(cases.len().max(1) as u64) as usize) else {
                continue;
            };
            let measurement = NewMeasurement {
                instrument: ("phq-9".into(), "1".into()),
                time_point: TimePoint::FollowUp,
                month: Some(12),
                measured_on: case.opened_on + Months::new(12),
                respondent: Respondent::Client,
                answers: Default::default(),
                score: Some(rng.below(28) as f64),
            };
            let started = Instant::now();
            store
                .record_measurement(case.id, &measurement, &cli_actor())
                .await?;
            times.push(started.elapsed().as_secs_f64() * 1000.0);
        }
        Ok(times)
    }
}

/// The `n`th synthetic personal number: births spread over 29 000 days from 1930, both
/// sexes, every `n` different, valid check digit.
fn bench_number(n: usize) -> String {
    let epoch = NaiveDate::from_ymd_opt(1930, 1, 1).expect("a valid date");
    let birth = epoch + Duration::days((n % 29_000) as i64);
    synthetic_number_text(birth, ((n / 29_000) * 2 + n % 2) as u32)
}

/// A cases file and a measurements file (scores only) for `clients` clients.
fn files(
    units: &[(OrgCode, OrgCode)],
    clients: usize,
    measurements: usize,
    seed: u64,
) -> (Source, Source) {
    let start = NaiveDate::from_ymd_opt(2022, 1, 1).expect("a valid date");
    let opened_on = |n: usize| start + Duration::days(((n * 37) % 1_400) as i64);
    let mut rng = SplitMix64::new(seed);
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
            "applied_on",
            "decided_on",
            "started_on",
        ])
        .expect("writing to a Vec cannot fail");
    for n in 0..clients {
        let (unit, private) = &units[n % units.len()];
        let provider = if n % 4 == 0 { private } else { unit };
        let opened = opened_on(n);
        let applied = opened - Duration::days((n % 20) as i64);
        let decided = applied + Duration::days(3 + (n % 40) as i64);
        let started = decided + Duration::days(rng.below(30) as i64);
        cases
            .row([
                bench_number(n),
                unit.to_string(),
                opened.to_string(),
                "3,6".to_owned(),
                TYPES[n % TYPES.len()].to_owned(),
                "SoL".to_owned(),
                provider.to_string(),
                applied.to_string(),
                decided.to_string(),
                started.to_string(),
            ])
            .expect("writing to a Vec cannot fail");
    }
    let mut rows = CsvWriter::new(Vec::new()).expect("writing to a Vec cannot fail");
    rows.row([
        "personal_number",
        "unit",
        "instrument",
        "instrument_version",
        "time_point",
        "month",
        "measured_on",
        "respondent",
        "score",
    ])
    .expect("writing to a Vec cannot fail");
    let mut baseline = 0u64;
    for m in 0..measurements {
        let n = m / 3;
        let (unit, _) = &units[n % units.len()];
        let (time_point, month, score) = match m % 3 {
            0 => {
                baseline = 8 + rng.below(19);
                ("baseline", String::new(), baseline)
            }
            k => {
                let better = rng.below(12) as i64 - 3;
                let month = if k == 1 { 3 } else { 6 };
                (
                    "follow_up",
                    month.to_string(),
                    (baseline as i64 - better).clamp(0, 27) as u64,
                )
            }
        };
        let on = match m % 3 {
            0 => opened_on(n) + Duration::days(2),
            k => opened_on(n) + Months::new(if k == 1 { 3 } else { 6 }),
        };
        rows.row([
            bench_number(n),
            unit.to_string(),
            "phq-9".to_owned(),
            "1".to_owned(),
            time_point.to_owned(),
            month,
            on.to_string(),
            "client".to_owned(),
            score.to_string(),
        ])
        .expect("writing to a Vec cannot fail");
    }
    (
        Source {
            name: "bench-indicator-cases.csv".into(),
            bytes: cases.finish().expect("writing to a Vec cannot fail"),
        },
        Source {
            name: "bench-indicator-measurements.csv".into(),
            bytes: rows.finish().expect("writing to a Vec cannot fail"),
        },
    )
}
