use crate::{actor, contract};
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::{NewUnit, UnitUpdate};
use evident_store::audit::verify_audit_trail;
use evident_store::testing::TestDb;
use evident_store::{AuditFilter, Backend, Store};

contract!(writes_are_audited_in_a_chain_that_verifies_and_can_be_searched);

async fn writes_are_audited_in_a_chain_that_verifies_and_can_be_searched(store: &dyn Store) {
    assert_eq!(
        verify_audit_trail(store).await.unwrap(),
        Ok(0),
        "an empty trail verifies"
    );
    let details = UnitUpdate::parse("Hemtjänst Gränby", "public", None, "elderly_care").unwrap();
    let unit = store
        .create_unit(&NewUnit::parse("0380", details.clone()).unwrap(), &actor())
        .await
        .unwrap();
    store
        .update_unit(&unit.code, &details, &actor())
        .await
        .unwrap();
    let denial = AuditEvent::new(&actor(), "client.read", "client:42", Outcome::Denied)
        .with_detail("needs practitioner");
    store.append_audit(&denial).await.unwrap();

    assert_eq!(verify_audit_trail(store).await.unwrap(), Ok(3));
    let entries = store.audit_entries().await.unwrap();
    let actions: Vec<_> = entries.iter().map(|e| e.event.action.as_str()).collect();
    assert_eq!(actions, ["unit.create", "unit.update", "client.read"]);
    assert_eq!(entries[0].event.record, format!("unit:{}", unit.code));
    assert_eq!(entries[1].prev_hash, entries[0].hash);

    let denied = store
        .search_audit(&AuditFilter {
            action: Some("client.read".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(denied.len(), 1);
    assert_eq!(denied[0].event.outcome, Outcome::Denied);
    let by_actor = store
        .search_audit(&AuditFilter {
            actor: Some("contract-test".into()),
            limit: 2,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(
        by_actor.iter().map(|e| e.id).collect::<Vec<_>>(),
        [3, 2],
        "newest first, limited"
    );
    let future = store
        .search_audit(&AuditFilter {
            from: Some("2999-01-01".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(future.is_empty());
}

/// Raw SQL against the test database, as someone with database access would run it. Stops at
/// the first statement the database refuses, with its error.
async fn raw_sql(db: &TestDb, statements: &[&str]) -> Result<(), String> {
    match db.url.backend() {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(db.url.expose()).await.unwrap();
            for sql in statements {
                let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&pool)
                    .await;
                if let Err(e) = done {
                    pool.close().await;
                    return Err(format!("{sql}: {e}"));
                }
            }
            pool.close().await;
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(db.url.expose()).await.unwrap();
            for sql in statements {
                let done = sqlx::query(sqlx::AssertSqlSafe(sql.to_string()))
                    .execute(&pool)
                    .await;
                if let Err(e) = done {
                    pool.close().await;
                    return Err(format!("{sql}: {e}"));
                }
            }
            pool.close().await;
        }
    }
    Ok(())
}

/// Raw SQL that the database must accept: tampering by someone who has switched the
/// append-only triggers off (see [`unlock`]).
async fn tamper(db: &TestDb, statements: &[&str]) {
    raw_sql(db, statements)
        .await
        .unwrap_or_else(|e| panic!("the tampering itself failed: {e}"));
}

fn unlock(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "drop trigger audit_event_no_update; drop trigger audit_event_no_delete",
        Backend::Postgres => "alter table audit_event disable trigger audit_event_no_update",
    }
}

async fn audited_db(backend: Backend) -> TestDb {
    let db = TestDb::on(backend).await;
    for i in 0..5 {
        let event = AuditEvent::new(
            &actor(),
            "unit.read",
            format!("unit:0380-000{i}"),
            Outcome::Allowed,
        );
        db.store.append_audit(&event).await.unwrap();
    }
    assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(5));
    db
}

async fn changing_any_single_row_is_detected_and_named(backend: Backend) {
    let cases: [(&str, i64); 5] = [
        ("update audit_event set detail = 'edited' where id = 3", 3),
        (
            "update audit_event set actor = 'someone-else' where id = 1",
            1,
        ),
        ("delete from audit_event where id = 2", 2),
        ("delete from audit_event where id = 5", 5),
        (
            "update audit_event set at = '2020-01-01T00:00:00.000000Z' where id = 4",
            4,
        ),
    ];
    for (sql, named) in cases {
        let db = audited_db(backend).await;
        tamper(&db, &[unlock(backend), sql]).await;
        let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
        assert_eq!(broken.id, named, "{sql}: {broken}");
    }
    let db = audited_db(backend).await;
    tamper(
        &db,
        &[
            unlock(backend),
            "update audit_event set id = 9 where id = 2",
            "update audit_event set id = 2 where id = 3",
            "update audit_event set id = 3 where id = 9",
        ],
    )
    .await;
    assert_eq!(
        verify_audit_trail(&*db.store)
            .await
            .unwrap()
            .unwrap_err()
            .id,
        2,
        "reordered"
    );
}

/// The append-only triggers refuse both an update and a delete of a trail row, on either
/// backend, for a connection that has not disabled them — one row or the whole trail.
async fn the_database_refuses_to_change_the_trail(backend: Backend) {
    let db = audited_db(backend).await;
    for sql in [
        "update audit_event set detail = 'x' where id = 1",
        "update audit_event set actor = 'someone-else'",
        "delete from audit_event where id = 1",
        "delete from audit_event where id = 5",
        "delete from audit_event",
    ] {
        let refused = raw_sql(&db, &[sql]).await.expect_err(sql);
        assert!(refused.contains("append-only"), "{refused}");
    }
    assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(5));
}

/// Emptying the trail the quickest way each backend offers: PostgreSQL's `truncate` fires no
/// row trigger; SQLite has no `truncate`, and a `delete` of every row fires the delete
/// trigger, so there it takes dropping the triggers first. Either the database refuses, or
/// the head, which still names entry 5, gives the emptying away; so does deleting the head.
async fn emptying_the_trail_or_deleting_its_head_is_refused_or_detected(backend: Backend) {
    let wipe: &[&str] = match backend {
        Backend::Sqlite => &[unlock(backend), "delete from audit_event"],
        Backend::Postgres => &["truncate audit_event"],
    };
    let db = audited_db(backend).await;
    match raw_sql(&db, wipe).await {
        Err(refused) => {
            assert!(refused.contains("append-only"), "{refused}");
            assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(5));
        }
        Ok(()) => {
            let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
            assert_eq!(broken.id, 5, "{broken}");
        }
    }

    let db = audited_db(backend).await;
    match raw_sql(&db, &["delete from audit_head"]).await {
        Err(refused) => {
            assert!(refused.contains("append-only"), "{refused}");
            assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(5));
        }
        Ok(()) => {
            let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
            assert_eq!(broken.id, 5, "{broken}");
            assert!(broken.problem.contains("head was deleted"), "{broken}");
        }
    }
}

#[tokio::test]
async fn changing_any_single_row_is_detected_and_named_on_sqlite() {
    changing_any_single_row_is_detected_and_named(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn changing_any_single_row_is_detected_and_named_on_postgres() {
    changing_any_single_row_is_detected_and_named(Backend::Postgres).await;
}

#[tokio::test]
async fn the_database_refuses_to_change_the_trail_on_sqlite() {
    the_database_refuses_to_change_the_trail(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn the_database_refuses_to_change_the_trail_on_postgres() {
    the_database_refuses_to_change_the_trail(Backend::Postgres).await;
}

#[tokio::test]
async fn emptying_the_trail_or_deleting_its_head_is_refused_or_detected_on_sqlite() {
    emptying_the_trail_or_deleting_its_head_is_refused_or_detected(Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn emptying_the_trail_or_deleting_its_head_is_refused_or_detected_on_postgres() {
    emptying_the_trail_or_deleting_its_head_is_refused_or_detected(Backend::Postgres).await;
}
