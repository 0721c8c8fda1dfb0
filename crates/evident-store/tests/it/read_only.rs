//! A read database (`open_read_only`, for a replica) serves reads, refuses every write, and
//! refuses a schema this build does not expect — the attacks: write through it, and open one
//! whose newest migration is missing.

use crate::{actor, contract_with_db, unit};
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_store::testing::{TestDb, test_audit_key};
use evident_store::{Backend, open_read_only};

contract_with_db!(a_read_database_reads_and_refuses_every_write);

async fn a_read_database_reads_and_refuses_every_write(db: &TestDb) {
    // arrange: a unit written on the primary
    let written = unit(&*db.store, "0380").await;
    let reader = open_read_only(&db.url, &test_audit_key()).await.unwrap();

    // act + assert: it reads what the primary wrote
    assert_eq!(reader.get_org(&written).await.unwrap().code, written);
    assert_eq!(
        reader.indicator_state().await.unwrap(),
        db.store.indicator_state().await.unwrap()
    );
    // ... and every kind of write fails, leaving the primary as it was
    let before = db.store.audit_entries().await.unwrap().len();
    let event = AuditEvent::new(&actor(), "test.write", "x", Outcome::Allowed);
    assert!(
        reader.append_audit(&event).await.is_err(),
        "an audit entry was written"
    );
    let unit_write = reader
        .create_unit(
            &evident_core::NewUnit::parse(
                "0380",
                evident_core::UnitUpdate::parse("Ny", "public", None, "elderly_care").unwrap(),
            )
            .unwrap(),
            &actor(),
        )
        .await;
    assert!(unit_write.is_err(), "a unit was written");
    assert_eq!(db.store.audit_entries().await.unwrap().len(), before);
    reader.close().await;
}

#[tokio::test]
async fn a_read_database_behind_the_schema_is_refused_by_name() {
    // arrange: a database whose newest migration is undone
    let db = TestDb::sqlite().await;
    assert_eq!(db.url.backend(), Backend::Sqlite);
    let pool = sqlx::SqlitePool::connect(db.url.expose()).await.unwrap();
    sqlx::query(
        "delete from _sqlx_migrations where version = (select max(version) from _sqlx_migrations)",
    )
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;

    // act
    let refused = open_read_only(&db.url, &test_audit_key()).await;

    // assert
    let message = refused
        .err()
        .expect("a schema behind this build is refused")
        .to_string();
    assert!(
        message.contains("does not have this version's schema"),
        "{message}"
    );
    assert!(message.contains(db.url.to_string().as_str()), "{message}");
}
