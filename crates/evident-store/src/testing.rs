//! Test harness: a fresh, migrated database per test, on SQLite or on the PostgreSQL server
//! `EVIDENT_TEST_POSTGRES_URL` points at. PostgreSQL tests are `#[ignore = "needs PostgreSQL"]`
//! so a plain `cargo test` reports them as ignored; the README's test command sets the variable
//! and runs them with `--include-ignored`. Each PostgreSQL test database gets a unique name and
//! is dropped when the [`TestDb`] goes out of scope, even if the test panics, so runs never
//! collide and leave nothing behind.

use crate::{Backend, DatabaseUrl, Store, open};
use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

/// The environment variable that enables the PostgreSQL tests: a URL of a server and a
/// database to connect to while creating the test databases (e.g.
/// `postgres://postgres@127.0.0.1:5432/postgres`).
pub const POSTGRES_URL_VAR: &str = "EVIDENT_TEST_POSTGRES_URL";

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
        let store = open(&url).await.expect("opening a fresh SQLite database");
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
        let store = open(&url)
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

/// A synthetic client at `unit` with one started intervention (IFO-MI, 2025) and PHQ-9 at
/// baseline (20, 2025-02-02) and at the three-month follow-up (2025-05-01): 12 when `improved`
/// (a reliable improvement), 19 otherwise (no reliable change). Shared by the tests that
/// compute indicators from hand-made data, so the data they reason about is the same.
///
/// # Panics
/// When a store call fails; this is test set-up.
pub async fn client_with_phq9(
    store: &dyn Store,
    rng: &mut evident_core::rng::SplitMix64,
    unit: &evident_core::OrgCode,
    improved: bool,
    actor: &evident_core::access::audit::Actor,
) {
    use crate::followup::{NewClient, NewIntervention, NewMeasurement};
    use evident_core::followup::{InterventionDates, LegalBasis, Respondent, TimePoint};
    use evident_core::person::{PersonalNumber, PseudonymKey};
    let day = |s: &str| -> chrono::NaiveDate { s.parse().expect("a test date") };
    let key = PseudonymKey::parse("a test key that is long enough for hmac").unwrap();
    let number = PersonalNumber::parse(
        &evident_core::demo::population::synthetic_personal_number(rng, 1980),
        day("2026-11-22"),
    )
    .unwrap();
    let (client, _) = store
        .register_client(
            &NewClient {
                pseudonym: key.pseudonym(&number),
                birth_year: number.birth_year(),
                sex: number.recorded_sex(),
            },
            actor,
        )
        .await
        .unwrap();
    let case = store
        .open_case(client.id, unit, day("2025-02-01"), &[3], actor)
        .await
        .unwrap();
    store
        .add_intervention(
            case.id,
            &NewIntervention {
                type_code: "IFO-MI".into(),
                legal_basis: LegalBasis::SoL,
                provider: unit.clone(),
                dates: InterventionDates {
                    applied_on: Some(day("2025-01-20")),
                    decided_on: Some(day("2025-01-30")),
                    started_on: Some(day("2025-02-03")),
                    ended_on: None,
                },
                end_reason: None,
            },
            actor,
        )
        .await
        .unwrap();
    let follow_up = if improved { 12.0 } else { 19.0 };
    for (time_point, on, score) in [
        (TimePoint::Baseline, "2025-02-02", 20.0),
        (TimePoint::FollowUp, "2025-05-01", follow_up),
    ] {
        let measurement = NewMeasurement {
            instrument: ("phq-9".into(), "1".into()),
            time_point,
            month: (time_point == TimePoint::FollowUp).then_some(3),
            measured_on: day(on),
            respondent: Respondent::Client,
            answers: Default::default(),
            score: Some(score),
        };
        store
            .record_measurement(case.id, &measurement, actor)
            .await
            .unwrap();
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
