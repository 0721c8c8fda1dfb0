//! Test harness: a fresh, migrated database per test, on SQLite or on the PostgreSQL server
//! `EVIDENT_TEST_POSTGRES_URL` points at, and one set of seed builders to fill it.
//!
//! PostgreSQL tests are `#[ignore = "needs PostgreSQL"]` so a plain `cargo test` reports them
//! as ignored; the README's test command sets the variable and runs them with
//! `--include-ignored`. Each PostgreSQL test database gets a unique name and is dropped when the
//! [`TestDb`] goes out of scope, even if the test panics, so runs never collide and leave
//! nothing behind.
//!
//! Seed data goes in through the store's own methods, never behind its back, so it is audited
//! and indexed like real data: [`Seed`] makes units, users with roles and instruments;
//! [`ClientBuilder`] registers a client with a case, interventions and measurements. The
//! store, web and CLI tests all use these, so "a unit", "a client with PHQ-9" and "the toy
//! instrument" mean the same data everywhere.

use crate::followup::{NewClient, NewIntervention, NewMeasurement};
use crate::{Backend, DatabaseUrl, Store, open};
use chrono::NaiveDate;
use evident_core::access::account::{NewUser, User};
use evident_core::access::audit::Actor;
use evident_core::access::{Grant, Role};
use evident_core::followup::instrument::Instrument;
use evident_core::followup::{Case, Client, InterventionDates, LegalBasis, Respondent, TimePoint};
use evident_core::person::{PersonalNumber, PseudonymKey};
use evident_core::rng::SplitMix64;
use evident_core::{NewUnit, OrgCode, UnitUpdate};
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that enables the PostgreSQL tests: a URL of a server and a
/// database to connect to while creating the test databases (e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`).
pub const POSTGRES_URL_VAR: &str = "EVIDENT_TEST_POSTGRES_URL";

/// The audit key of every test database: tests that reopen a database, or start the CLI on
/// it, use the same key ([`test_audit_key`]).
pub const TEST_AUDIT_KEY: &str = "evident-test-audit-key-0123456789abcdef";

/// [`TEST_AUDIT_KEY`] as a key.
pub fn test_audit_key() -> evident_core::access::audit::AuditKey {
    evident_core::access::audit::AuditKey::parse(TEST_AUDIT_KEY)
        .expect("the test key is long enough")
}

/// A database that exists for one test.
pub struct TestDb {
    /// The opened, migrated store with the registry loaded.
    pub store: Arc<dyn Store>,
    /// The URL the store was opened with, e.g. to start a server on the same database.
    pub url: DatabaseUrl,
    cleanup: Cleanup,
}

enum Cleanup {
    Sqlite(
        #[expect(
            dead_code,
            reason = "held so the directory lives as long as the database"
        )]
        tempfile::TempDir,
    ),
    Postgres {
        admin_url: String,
        name: String,
    },
}

impl TestDb {
    /// A fresh SQLite database in a temporary directory (a real file, with WAL, as users get).
    ///
    /// # Panics
    /// When the database cannot be created: the test cannot run.
    pub async fn sqlite() -> Self {
        let dir = tempfile::tempdir().expect("creating a temporary directory");
        let url = DatabaseUrl::sqlite_file(&dir.path().join("evident.db"));
        let store = open(&url, &test_audit_key())
            .await
            .expect("opening a fresh SQLite database");
        Self {
            store,
            url,
            cleanup: Cleanup::Sqlite(dir),
        }
    }

    /// A fresh PostgreSQL database on the server [`POSTGRES_URL_VAR`] points at.
    ///
    /// # Panics
    /// When the variable is not set or the server cannot be used: a test that needs
    /// PostgreSQL fails without it, it never passes by skipping.
    pub async fn postgres() -> Self {
        let Ok(admin_url) = std::env::var(POSTGRES_URL_VAR) else {
            panic!(
                "this test needs PostgreSQL: set {POSTGRES_URL_VAR} \
                 (e.g. postgres://postgres@127.0.0.1:5432/postgres), or run scripts/test-all.sh"
            );
        };
        let name = unique_name();
        let admin = admin_connection(&admin_url).await;
        sqlx::query(sqlx::AssertSqlSafe(format!("create database {name}")))
            .execute(&admin)
            .await
            .unwrap_or_else(|e| panic!("creating test database {name}: {e}"));
        admin.close().await;
        let url = DatabaseUrl::parse(&with_database(&admin_url, &name)).expect("a postgres URL");
        let store = open(&url, &test_audit_key())
            .await
            .expect("opening the fresh PostgreSQL database");
        Self {
            store,
            url,
            cleanup: Cleanup::Postgres { admin_url, name },
        }
    }

    /// A fresh database on `backend`.
    pub async fn on(backend: Backend) -> Self {
        match backend {
            Backend::Sqlite => Self::sqlite().await,
            Backend::Postgres => Self::postgres().await,
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        let Cleanup::Postgres { admin_url, name } = &self.cleanup else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a short-lived
        // thread with its own runtime drops the database (FORCE ends our own pool's sessions).
        let (admin_url, database) = (admin_url.clone(), name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("building a runtime to drop the test database");
            runtime.block_on(async {
                let admin = admin_connection(&admin_url).await;
                sqlx::query(sqlx::AssertSqlSafe(format!(
                    "drop database if exists {database} with (force)"
                )))
                .execute(&admin)
                .await
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(_))) {
            let _ = writeln!(
                std::io::stderr(),
                "warning: could not drop test database {name}"
            );
        }
    }
}

async fn admin_connection(admin_url: &str) -> sqlx::PgPool {
    sqlx::postgres::PgPoolOptions::new()
        .max_connections(1)
        .connect(admin_url)
        .await
        .unwrap_or_else(|e| panic!("{POSTGRES_URL_VAR} is set but the server cannot be used: {e}"))
}

/// `evident_test_<pid>_<n>_<nanos>`: unique across parallel tests and concurrent runs.
fn unique_name() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    format!(
        "evident_test_{}_{}_{nanos}",
        std::process::id(),
        COUNTER.fetch_add(1, Ordering::Relaxed)
    )
}

/// `admin_url` with its database (the path) replaced by `name`, keeping any query string.
fn with_database(admin_url: &str, name: &str) -> String {
    let (base, query) = admin_url
        .split_once('?')
        .map_or((admin_url, None), |(b, q)| (b, Some(q)));
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut url = format!("{}/{name}", &base[..host_end]);
    if let Some(query) = query {
        url.push('?');
        url.push_str(query);
    }
    url
}

/// The pseudonym key of seeded clients unless a test names another (a server under test must
/// be given the same key to find them: see [`Seed::pseudonym_key`]).
pub const SEED_PSEUDONYM_KEY: &str = "a test key that is long enough for hmac";

/// `"2026-11-22"` as a date; panics on a malformed literal, which is a bug in the test.
///
/// # Panics
/// When `text` is not a `YYYY-MM-DD` date.
pub fn day(text: &str) -> NaiveDate {
    text.parse()
        .unwrap_or_else(|e| panic!("'{text}' is not a test date: {e}"))
}

/// The actor seed data is written by unless a test names another.
pub fn setup_actor() -> Actor {
    Actor {
        user_id: None,
        label: "test-setup".into(),
        address: None,
    }
}

/// The toy instrument core's tests use too: three items scored 0–3, range 0–9.
pub use evident_core::followup::instrument::toy as toy_instrument;

/// Writes seed data into a store: units, users with roles, instruments and clients, as
/// [`setup_actor`] (or [`Seed::acting_as`]) with pseudonyms under [`SEED_PSEUDONYM_KEY`] (or
/// [`Seed::pseudonym_key`]).
///
/// ```text
/// let seed = Seed::new(&*db.store);
/// let unit = seed.unit("0380", "Beroendemottagningen").await;
/// let seeded = ClientBuilder::new(&unit).personal_number("811218-9876").create(&seed).await;
/// ```
///
/// Every method panics when the store refuses: this is test set-up, and a test cannot go on
/// without its data.
pub struct Seed<'a> {
    store: &'a dyn Store,
    actor: Actor,
    key: PseudonymKey,
    today: NaiveDate,
}

impl<'a> Seed<'a> {
    /// Seeds `store` as [`setup_actor`], with [`SEED_PSEUDONYM_KEY`], reading personal numbers
    /// on 2026-11-22.
    pub fn new(store: &'a dyn Store) -> Self {
        Self {
            store,
            actor: setup_actor(),
            key: PseudonymKey::parse(SEED_PSEUDONYM_KEY).expect("the seed key is long enough"),
            today: day("2026-11-22"),
        }
    }

    /// Writes as `actor` instead (e.g. the actor a contract test searches the audit trail for).
    pub fn acting_as(mut self, actor: Actor) -> Self {
        self.actor = actor;
        self
    }

    /// Pseudonymises with `key` instead (the key of the server under test).
    ///
    /// # Panics
    /// When `key` is too short to be a pseudonym key.
    pub fn pseudonym_key(mut self, key: &str) -> Self {
        self.key = PseudonymKey::parse(key).expect("a test pseudonym key long enough for HMAC");
        self
    }

    /// Reads personal numbers on `today` instead (it decides the century of a ten-digit number).
    pub fn today(mut self, today: NaiveDate) -> Self {
        self.today = today;
        self
    }

    /// The store this seeds.
    pub fn store(&self) -> &'a dyn Store {
        self.store
    }

    /// The actor this writes as.
    pub fn actor(&self) -> &Actor {
        &self.actor
    }

    /// What the store keeps of `personal_number` as a client of `authority` (a municipality
    /// code): its keys, birth year and recorded sex.
    ///
    /// # Panics
    /// When `personal_number` is not a valid personal number on the seed's day, or
    /// `authority` is not a municipality or unit code.
    pub fn new_client_at(&self, authority: &str, personal_number: &str) -> NewClient {
        let number = PersonalNumber::parse(personal_number, self.today)
            .unwrap_or_else(|e| panic!("'{personal_number}' is not a test personal number: {e}"));
        let authority = OrgCode::parse(authority)
            .ok()
            .and_then(|code| code.authority())
            .unwrap_or_else(|| panic!("'{authority}' is not a municipality or a unit"));
        let keys = self.key.client_keys(&number, &authority);
        NewClient {
            pseudonym: keys.pseudonym,
            statistical_key: keys.statistical_key,
            authority,
            birth_year: number.birth_year(),
            sex: number.recorded_sex(),
        }
    }

    /// [`Seed::new_client_at`] in Uppsala (0380), where most tests' units are.
    pub fn new_client(&self, personal_number: &str) -> NewClient {
        self.new_client_at("0380", personal_number)
    }

    /// A publicly run elderly-care unit called `name` in `municipality`; its code is the next
    /// in the municipality (`0380-0001`, `0380-0002`, …).
    pub async fn unit(&self, municipality: &str, name: &str) -> OrgCode {
        self.unit_in_area(municipality, name, "elderly_care").await
    }

    /// A publicly run unit called `name` in `municipality`, in `area` (`individual_family`, …).
    ///
    /// # Panics
    /// When the name, the area or the municipality is not valid.
    pub async fn unit_in_area(&self, municipality: &str, name: &str, area: &str) -> OrgCode {
        let details = UnitUpdate::parse(name, "public", None, area).expect("valid unit details");
        let new = NewUnit::parse(municipality, details).expect("a municipality code");
        self.store
            .create_unit(&new, &self.actor)
            .await
            .expect("creating a seed unit")
            .code
    }

    /// A user with these roles (e.g. `&[(Role::Practitioner, "0380-0001")]`) and, if given, a
    /// password hash to sign in with.
    ///
    /// # Panics
    /// When the e-mail address, the name or a grant is not valid, or the address is taken.
    pub async fn user(
        &self,
        email: &str,
        name: &str,
        password_hash: Option<String>,
        grants: &[(Role, &str)],
    ) -> User {
        let new = NewUser::parse(email, name, password_hash).expect("a valid test user");
        let grants: Vec<Grant> = grants
            .iter()
            .map(|(role, org)| {
                Grant::try_new(*role, OrgCode::parse(org).expect("an organisation code"))
                    .expect("a grant the role allows on that level")
            })
            .collect();
        self.store
            .create_user(&new, &grants, &self.actor)
            .await
            .expect("creating a seed user")
    }

    /// Stores `instrument` (e.g. [`toy_instrument`]).
    pub async fn instrument(&self, instrument: &Instrument) {
        self.store
            .save_instrument(instrument)
            .await
            .expect("saving a seed instrument");
    }

    /// Imports the 2011 agreement on evidence-based practice (`data/agreements/agreement-2011.json`,
    /// id `ebp-2011`) and its disbursement decision of 2011-03-24, with `reason`.
    pub async fn agreements_2011(&self, reason: &str) {
        use evident_core::grants::document::{Agreement, Disbursement};
        let agreement = Agreement::parse(
            "agreement-2011.json",
            include_str!("../../../data/agreements/agreement-2011.json"),
        )
        .expect("the 2011 agreement parses");
        self.store
            .import_agreement(&agreement, reason, &self.actor)
            .await
            .expect("importing the 2011 agreement");
        let decision = Disbursement::parse(
            "disbursement-2011-03-24.json",
            include_str!("../../../data/agreements/disbursement-2011-03-24.json"),
        )
        .expect("the 2011 disbursement decision parses");
        self.store
            .import_disbursement(
                &decision,
                "disbursement-2011-03-24.json",
                reason,
                &self.actor,
            )
            .await
            .expect("importing the 2011 disbursement decision");
    }

    /// Registers the client with `personal_number` in Uppsala (0380), or finds it.
    pub async fn client(&self, personal_number: &str) -> Client {
        self.client_at("0380", personal_number).await
    }

    /// Registers the client with `personal_number` at `authority` (a municipality or unit
    /// code: the unit's municipality), or finds it.
    pub async fn client_at(&self, authority: &str, personal_number: &str) -> Client {
        self.store
            .register_client(&self.new_client_at(authority, personal_number), &self.actor)
            .await
            .expect("registering a seed client")
            .0
    }
}

/// A client with one case at a unit, with interventions and measurements, built step by step:
///
/// ```text
/// // A client whose PHQ-9 goes from 20 to 12 (a reliable improvement) in 2025.
/// ClientBuilder::new(&unit).synthetic_number(&mut rng, 1980).phq9_in_2025(20.0, 12.0)
///     .create(&seed).await;
/// ```
///
/// Without further steps the case opens on 2026-01-10 with follow-ups at 3 and 6 months, and
/// has no interventions or measurements.
#[derive(Debug, Clone)]
pub struct ClientBuilder {
    unit: OrgCode,
    personal_number: Option<String>,
    opened_on: NaiveDate,
    schedule: Vec<u32>,
    interventions: Vec<NewIntervention>,
    measurements: Vec<NewMeasurement>,
}

/// What [`ClientBuilder::create`] made.
#[derive(Debug, Clone)]
pub struct SeededClient {
    /// The client (registered now or found).
    pub client: Client,
    /// The case opened at the unit.
    pub case: Case,
}

impl ClientBuilder {
    /// A client with a case at `unit`.
    pub fn new(unit: &OrgCode) -> Self {
        Self {
            unit: unit.clone(),
            personal_number: None,
            opened_on: day("2026-01-10"),
            schedule: vec![3, 6],
            interventions: Vec::new(),
            measurements: Vec::new(),
        }
    }

    /// The client's personal number, in any form a practitioner could type.
    pub fn personal_number(mut self, number: &str) -> Self {
        self.personal_number = Some(number.to_owned());
        self
    }

    /// A synthetic personal number (one no real person has) of someone born in `born`, drawn
    /// from `rng`, so a seeded dataset is the same on every run.
    pub fn synthetic_number(mut self, rng: &mut SplitMix64, born: i32) -> Self {
        self.personal_number = Some(evident_core::demo::population::synthetic_personal_number(
            rng, born,
        ));
        self
    }

    /// The day the case opens.
    pub fn opened_on(mut self, opened_on: NaiveDate) -> Self {
        self.opened_on = opened_on;
        self
    }

    /// The follow-up months of the case.
    pub fn schedule(mut self, months: &[u32]) -> Self {
        self.schedule = months.to_vec();
        self
    }

    /// Adds an intervention to the case.
    pub fn intervention(mut self, intervention: NewIntervention) -> Self {
        self.interventions.push(intervention);
        self
    }

    /// Adds a measurement to the case.
    pub fn measurement(mut self, measurement: NewMeasurement) -> Self {
        self.measurements.push(measurement);
        self
    }

    /// The episode the indicator tests reason about: the case opens on 2025-02-01 with a
    /// follow-up at 3 months; IFO-MI under SoL, provided by the unit itself, is applied for on
    /// 2025-01-20, decided on 2025-01-30 and started on 2025-02-03; the client answers PHQ-9
    /// (scored, with no item answers) at baseline on 2025-02-02 and at the 3-month follow-up on
    /// 2025-05-01. From a baseline of 20, a follow-up of 12 is a reliable improvement and 19
    /// is no reliable change.
    pub fn phq9_in_2025(self, baseline: f64, follow_up: f64) -> Self {
        let provider = self.unit.clone();
        let phq9 = |time_point, month, measured_on, score| NewMeasurement {
            instrument: ("phq-9".into(), "1".into()),
            time_point,
            month,
            measured_on: day(measured_on),
            respondent: Respondent::Client,
            answers: Default::default(),
            score: Some(score),
        };
        self.opened_on(day("2025-02-01"))
            .schedule(&[3])
            .intervention(NewIntervention {
                type_code: "IFO-MI".into(),
                legal_basis: LegalBasis::SoL,
                provider,
                dates: InterventionDates {
                    applied_on: Some(day("2025-01-20")),
                    decided_on: Some(day("2025-01-30")),
                    started_on: Some(day("2025-02-03")),
                    ended_on: None,
                },
                end_reason: None,
            })
            .measurement(phq9(TimePoint::Baseline, None, "2025-02-02", baseline))
            .measurement(phq9(TimePoint::FollowUp, Some(3), "2025-05-01", follow_up))
    }

    /// Registers the client (or finds it), opens the case, and adds the interventions and
    /// then the measurements in the order given, through `seed`'s store as its actor.
    ///
    /// # Panics
    /// When no personal number was given, or the store refuses any step.
    pub async fn create(self, seed: &Seed<'_>) -> SeededClient {
        let number = self
            .personal_number
            .as_deref()
            .expect("a seeded client needs .personal_number(..) or .synthetic_number(..)");
        let client = seed.client_at(self.unit.as_str(), number).await;
        let case = seed
            .store
            .open_case(
                client.id,
                &self.unit,
                self.opened_on,
                &self.schedule,
                &seed.actor,
            )
            .await
            .expect("opening a seed case");
        for intervention in &self.interventions {
            seed.store
                .add_intervention(case.id, intervention, &seed.actor)
                .await
                .expect("adding a seed intervention");
        }
        for measurement in &self.measurements {
            seed.store
                .record_measurement(case.id, measurement, &seed.actor)
                .await
                .expect("recording a seed measurement");
        }
        SeededClient { client, case }
    }
}

#[cfg(test)]
mod tests {
    use super::with_database;

    #[test]
    fn the_database_part_of_the_admin_url_is_replaced() {
        assert_eq!(
            with_database("postgres://postgres@127.0.0.1:5432/postgres", "t1"),
            "postgres://postgres@127.0.0.1:5432/t1"
        );
        assert_eq!(
            with_database("postgres://u:p@h/db?sslmode=disable", "t2"),
            "postgres://u:p@h/t2?sslmode=disable"
        );
        assert_eq!(with_database("postgres://u@h", "t3"), "postgres://u@h/t3");
    }
}
