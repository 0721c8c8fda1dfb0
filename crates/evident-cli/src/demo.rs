//! `evident demo`: a database full of plausible, synthetic data, the same for the same seed.

use crate::{Failure, parse_database_url, serve_until_signal};
use clap::Args;
use evident_core::access::account::NewUser;
use evident_core::access::audit::Actor;
use evident_core::access::credentials::NewPassword;
use evident_core::access::{Grant, Role};
use evident_core::demo::{DemoPlan, DemoScale};
use evident_core::followup::import::{
    CaseFile, ImportCase, ImportClient, ImportIntervention, ImportMeasurement, MeasurementFile,
};
use evident_core::followup::{InterventionCatalogue, InterventionDates};
use evident_core::person::{PersonalNumber, PseudonymKey};
use evident_core::rng::SplitMix64;
use evident_core::{OrgCode, OrgLevel, Provider, Unit};
use evident_store::import::ImportBatch;
use evident_store::{DatabaseUrl, Store};
use std::collections::HashMap;
use std::io::IsTerminal;
use std::net::SocketAddr;

/// Where the demo goes unless told otherwise: its own file, so a demo never touches real data.
pub const DEFAULT_DEMO_DATABASE_URL: &str = "sqlite:evident-demo.db";

/// Options of `evident demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The seed: the same seed always gives the same demo.
    #[arg(long, env = "EVIDENT_DEMO_SEED", default_value_t = 1)]
    pub seed: u64,
    /// Run Evident on the demo database once it is created.
    #[arg(long)]
    pub serve: bool,
    /// How large: `small` (10 municipalities, the default) or `national` (all 290
    /// municipalities, about 1 200 units and 500 000 clients over four years, for benchmarks;
    /// takes minutes).
    #[arg(long, env = "EVIDENT_DEMO_SCALE", default_value = "small", value_parser = parse_scale)]
    pub scale: DemoScale,
    /// How many synthetic clients to create (with cases, interventions and measurements);
    /// default 20 000 at small scale, 500 000 at national.
    #[arg(long, env = "EVIDENT_DEMO_CLIENTS")]
    pub clients: Option<usize>,
    /// The address to listen on with --serve.
    #[arg(long, env = "EVIDENT_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,
    /// The demo database. The default file is recreated on every run; any other database must
    /// be empty (no units yet), so a demo never mixes with real data.
    #[arg(long, env = "EVIDENT_DEMO_DATABASE_URL", default_value = DEFAULT_DEMO_DATABASE_URL, value_parser = parse_database_url)]
    pub database_url: DatabaseUrl,
    /// Where the demo's pseudonym key is kept (created when missing). It is never put in the
    /// database; give it to `evident serve` with --pseudonym-key-file.
    #[arg(
        long,
        env = "EVIDENT_DEMO_KEY_FILE",
        default_value = "evident-demo.key"
    )]
    pub key_file: std::path::PathBuf,
}

/// The password of every demo user. Printed by `evident demo` and in the README: demo
/// databases hold synthetic data only and are meant to be opened by anyone trying Evident.
pub const DEMO_PASSWORD: &str = "evident-demo-2026";

/// The demo users' e-mail domain (reserved, never delivers).
pub const DEMO_EMAIL_DOMAIN: &str = "demo.evident.example";

/// What a demo run created.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    /// Municipalities that got units.
    pub municipalities: usize,
    /// Units created.
    pub units: usize,
    /// Of which private providers.
    pub private_units: usize,
    /// Dialog partners added.
    pub partners: usize,
    /// One user per role: (e-mail, role, organisation code).
    pub users: Vec<(String, Role, String)>,
    /// Clients created.
    pub clients: usize,
    /// Measurements recorded.
    pub measurements: usize,
    /// Requisitions, payments, repayments and reports recorded on the 2011 agreement.
    pub grant_events: usize,
}

impl DemoArgs {
    /// Creates the demo database and, with `--serve`, serves it.
    ///
    /// # Errors
    /// When the database cannot be opened, already holds data, or the address cannot be bound.
    pub async fn run(self, ctx: &crate::Context) -> Result<(), Failure> {
        if self.database_url.to_string() == DEFAULT_DEMO_DATABASE_URL {
            remove_sqlite_files(&self.database_url)?;
        }
        let key = crate::key::load_or_create(&self.key_file)?;
        let store = ctx.open_store(&self.database_url).await?;
        let clients = self.clients.unwrap_or_else(|| self.scale.default_clients());
        let summary = fill(&*store, self.seed, &key, self.scale, clients).await;
        let summary = match summary {
            Ok(summary) => summary,
            Err(failure) => {
                store.close().await;
                return Err(failure);
            }
        };
        println!(
            "Demo database {} (seed {}): {} municipalities, {} units ({} private providers), {} dialog partners.",
            self.database_url,
            self.seed,
            summary.municipalities,
            summary.units,
            summary.private_units,
            summary.partners
        );
        println!(
            "{} synthetic clients with {} measurements (personal numbers random, never stored).",
            summary.clients, summary.measurements
        );
        println!(
            "The 2011 agreement and its disbursement decision, with {} requisitions, payments, repayments and reports.",
            summary.grant_events
        );
        println!("All names and addresses are synthetic.");
        println!();
        println!("Sign in as any of these users, each with the password {DEMO_PASSWORD}:");
        for (email, role, org) in &summary.users {
            println!("  {email:<45} {role} on {org}");
        }
        println!();
        let result = if self.serve {
            // The demo serves plain HTTP on this machine, so its cookies cannot be Secure.
            let config = evident_web::state::WebConfig {
                pseudonym_key: Some(key),
                ..evident_web::state::WebConfig::insecure()
            };
            serve_until_signal(
                self.addr,
                evident_web::AppState::with_config(store.clone(), config),
            )
            .await
        } else {
            println!(
                "Serve it with: evident serve --insecure-cookies --database-url {} --pseudonym-key-file {}",
                self.database_url,
                self.key_file.display()
            );
            Ok(())
        };
        store.close().await;
        result
    }
}

/// The `--scale` argument.
fn parse_scale(raw: &str) -> Result<DemoScale, String> {
    [DemoScale::Small, DemoScale::National]
        .into_iter()
        .find(|s| s.as_str() == raw)
        .ok_or_else(|| format!("'{raw}' is not a demo scale: use small or national"))
}

/// Fills an empty store with the demo for `seed` at `scale`.
///
/// # Errors
/// [`Failure::User`] when the store already holds units.
pub async fn fill(
    store: &dyn Store,
    seed: u64,
    key: &PseudonymKey,
    scale: DemoScale,
    clients: usize,
) -> Result<DemoSummary, Failure> {
    if !store.list_orgs(OrgLevel::Unit, None).await?.is_empty() {
        return Err(Failure::User(
            "the database already holds units; a demo only fills an empty database \
             (leave out --database-url to use the demo's own file)"
                .to_owned(),
        ));
    }
    let plan = DemoPlan::generate_at(seed, scale);
    let actor = Actor {
        user_id: None,
        label: format!("demo:seed-{seed}"),
        address: None,
    };
    for unit in &plan.units {
        store.create_unit(unit, &actor).await?;
    }
    for partner in &plan.partners {
        store.add_dialog_partner(partner, &actor).await?;
    }
    let users = create_demo_users(store, &plan, &actor).await?;
    let (clients, measurements) = match scale {
        DemoScale::Small => {
            let mut units = Vec::new();
            for municipality in &plan.municipalities {
                units.extend(units_with_clients(store, municipality).await?);
            }
            let population = Population {
                seed,
                units: &units,
                clients,
                opened_within_days: scale.opened_within_days(),
            };
            create_population(store, population, key, &actor, Recompute::Now).await?
        }
        DemoScale::National => {
            create_national_population(store, &plan, seed, key, clients, &actor).await?
        }
    };
    let grants = crate::demo_grants::fill(store, &actor).await?;
    Ok(DemoSummary {
        grant_events: grants.events,
        clients,
        measurements,
        municipalities: plan.municipalities.len(),
        units: plan.units.len(),
        private_units: plan
            .units
            .iter()
            .filter(|u| u.details.provider == Provider::Private)
            .count(),
        partners: plan.partners.len(),
        users,
    })
}

/// Units per municipality that get clients (the demo's follow-up units).
const UNITS_WITH_CLIENTS: usize = 4;

/// The units of `municipality` that get clients.
async fn units_with_clients(
    store: &dyn Store,
    municipality: &OrgCode,
) -> Result<Vec<Unit>, Failure> {
    Ok(store
        .list_units(municipality)
        .await?
        .into_iter()
        .take(UNITS_WITH_CLIENTS)
        .collect())
}

/// One batch of the synthetic population: about `clients` clients at `units`.
struct Population<'a> {
    seed: u64,
    units: &'a [Unit],
    clients: usize,
    opened_within_days: u64,
}

/// Whether an import recomputes the indicators at once or leaves that to the caller.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Recompute {
    Now,
    Later,
}

/// The national population, imported one municipality at a time (so memory is bounded by a
/// municipality, not the country) with a progress bar, and the indicators computed once at the
/// end. Municipalities get different shares of `clients`, and each its own seed derived from
/// `seed` and its code, so the same seed gives the same country.
async fn create_national_population(
    store: &dyn Store,
    plan: &DemoPlan,
    seed: u64,
    key: &PseudonymKey,
    clients: usize,
    actor: &Actor,
) -> Result<(usize, usize), Failure> {
    let mut rng = SplitMix64::new(seed ^ 0x0A71_0A41);
    let weights: Vec<f64> = plan
        .municipalities
        .iter()
        .map(|_| 0.3 + 1.7 * rng.unit_f64())
        .collect();
    let total: f64 = weights.iter().sum();
    let bar = crate::import::progress_bar(
        clients as u64,
        "clients",
        std::io::stderr().is_terminal(),
        "clients",
    );
    let (mut created, mut measured) = (0, 0);
    for (municipality, weight) in plan.municipalities.iter().zip(&weights) {
        let units = units_with_clients(store, municipality).await?;
        let code: u64 = municipality.as_str().parse().unwrap_or_default();
        let population = Population {
            seed: seed ^ (code << 32),
            units: &units,
            clients: (clients as f64 * weight / total).round() as usize,
            opened_within_days: DemoScale::National.opened_within_days(),
        };
        let (c, m) = create_population(store, population, key, actor, Recompute::Later).await?;
        created += c;
        measured += m;
        bar.inc(c as u64);
    }
    bar.finish_and_clear();
    eprintln!("computing the indicators for {created} clients and {measured} measurements…");
    let as_of = store.indicator_state().await?.as_of;
    store.recompute_indicators(as_of, None, actor).await?;
    Ok((created, measured))
}

/// Creates a batch of the synthetic population through the same import as a municipality's
/// files (one all-or-nothing import of a cases file and a measurements file, with one audit
/// entry per file).
async fn create_population(
    store: &dyn Store,
    batch: Population<'_>,
    key: &PseudonymKey,
    actor: &Actor,
    recompute: Recompute,
) -> Result<(usize, usize), Failure> {
    let instruments = store.list_instruments().await?;
    let units = batch.units;
    let catalogue = InterventionCatalogue::embedded();
    let population = evident_core::demo::population::generate(
        batch.seed,
        units,
        &instruments,
        &catalogue,
        batch.clients,
        batch.opened_within_days,
    );
    let today = evident_core::demo::population::reference_date();
    let mut client_files = Vec::new();
    let mut client_of_person: Vec<usize> = Vec::with_capacity(population.len());
    let mut by_pseudonym: HashMap<String, usize> = HashMap::new();
    for person in &population {
        let number = PersonalNumber::parse(&person.personal_number, today)
            .map_err(|e| Failure::Unexpected(anyhow::anyhow!("demo number: {e}")))?;
        let authority = person
            .unit
            .authority()
            .expect("demo population units are units");
        let keys = key.client_keys(&number, &authority);
        let index = *by_pseudonym
            .entry(keys.pseudonym.to_string())
            .or_insert_with(|| {
                client_files.push(ImportClient {
                    pseudonym: keys.pseudonym,
                    statistical_key: keys.statistical_key,
                    authority,
                    birth_year: number.birth_year(),
                    sex: number.recorded_sex(),
                });
                client_files.len() - 1
            });
        client_of_person.push(index);
    }
    let unit_codes: Vec<OrgCode> = units.iter().map(|u| u.code.clone()).collect();
    let unit_index = |code: &OrgCode| {
        unit_codes
            .iter()
            .position(|c| c == code)
            .expect("population units are the demo units")
    };
    let mut line = 1u64;
    let mut cases = Vec::with_capacity(population.len());
    for (person, client) in population.iter().zip(&client_of_person) {
        let unit = unit_index(&person.unit);
        let interventions = person
            .interventions
            .iter()
            .map(|i| {
                line += 1;
                let [applied_on, decided_on, started_on, ended_on] = i.dates;
                ImportIntervention {
                    line,
                    type_code: i.type_code.clone(),
                    legal_basis: i.legal_basis,
                    provider: unit,
                    dates: InterventionDates {
                        applied_on,
                        decided_on,
                        started_on,
                        ended_on,
                    },
                    end_reason: ended_on.map(|_| "Insatsen avslutad enligt plan".to_owned()),
                }
            })
            .collect::<Vec<_>>();
        cases.push(ImportCase {
            line: interventions.first().map_or(line, |i| i.line),
            client: *client,
            unit,
            opened_on: person.opened_on,
            schedule: person.schedule.clone(),
            interventions,
        });
    }
    let case_file = CaseFile {
        file: "demo-cases.csv".into(),
        clients: client_files.clone(),
        units: unit_codes.clone(),
        cases,
    };
    let mut rows = Vec::new();
    let mut line = 1u64;
    for (person, client) in population.iter().zip(&client_of_person) {
        for m in &person.measurements {
            line += 1;
            let score = instruments[m.instrument]
                .score(&m.answers)
                .map_err(|e| Failure::Unexpected(anyhow::anyhow!("demo answers: {e}")))?;
            rows.push(ImportMeasurement {
                line,
                client: *client,
                unit: unit_index(&person.unit),
                instrument: m.instrument,
                time_point: m.time_point,
                month: m.month,
                measured_on: m.measured_on,
                respondent: m.respondent,
                answers: m.answers.clone(),
                score: score.total,
            });
        }
    }
    let measurement_file = MeasurementFile {
        file: "demo-measurements.csv".into(),
        clients: client_files,
        units: unit_codes,
        instruments: instruments
            .iter()
            .map(|i| (i.id.clone(), i.version.clone()))
            .collect(),
        measurements: rows,
    };
    let measurements = measurement_file.measurements.len();
    let batch = ImportBatch {
        cases: Some(&case_file),
        measurements: Some(&measurement_file),
    };
    let imported = match recompute {
        Recompute::Now => store.import(batch, actor, &|_| {}).await?,
        Recompute::Later => store.import_deferred(batch, actor, &|_| {}).await?,
    };
    imported.map_err(|errors| {
        Failure::Unexpected(anyhow::anyhow!(
            "the demo population did not import: {errors}"
        ))
    })?;
    Ok((population.len(), measurements))
}

/// One user per role, granted where that role makes sense in the demo: the unit roles on the
/// first unit, the analyst on its municipality, the regional leader on its county, the rest
/// on the nation.
async fn create_demo_users(
    store: &dyn Store,
    plan: &DemoPlan,
    actor: &Actor,
) -> Result<Vec<(String, Role, String)>, Failure> {
    let municipality = plan
        .municipalities
        .first()
        .expect("a demo has municipalities");
    let unit = store
        .list_units(municipality)
        .await?
        .into_iter()
        .next()
        .expect("every demo municipality has units")
        .code;
    let county = municipality.parent().expect("a municipality has a county");
    let hash = NewPassword::parse(DEMO_PASSWORD)
        .expect("the demo password is long enough")
        .hash();
    let mut created = Vec::new();
    for role in Role::ALL {
        // Each demo user holds their role on the narrowest level it can be granted on.
        let org = match role.grantable_levels()[0] {
            OrgLevel::Unit => unit.clone(),
            OrgLevel::Municipality => municipality.clone(),
            OrgLevel::County => county.clone(),
            OrgLevel::Nation => OrgCode::nation(),
        };
        let email = format!("{}@{DEMO_EMAIL_DOMAIN}", role.as_str().replace('_', "."));
        let name = format!("Demo {}", role.as_str().replace('_', " "));
        let user = NewUser::parse(&email, &name, Some(hash.clone())).expect("demo users are valid");
        let grant = Grant::try_new(role, org.clone()).expect("demo grants sit at valid levels");
        store.create_user(&user, &[grant], actor).await?;
        created.push((email, role, org.to_string()));
    }
    Ok(created)
}

/// Removes a SQLite database file and its WAL companions, so the demo starts afresh.
fn remove_sqlite_files(url: &DatabaseUrl) -> Result<(), Failure> {
    let Some(path) = url.sqlite_path() else {
        return Ok(());
    };
    for suffix in ["", "-wal", "-shm"] {
        let file = format!("{path}{suffix}");
        match std::fs::remove_file(&file) {
            Ok(()) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(Failure::User(format!(
                    "cannot replace the demo database {file}: {e}"
                )));
            }
        }
    }
    Ok(())
}
