//! The audit trail against someone with write access to the database: every change to the
//! trail is refused by the database or named by verification, and what the database cannot
//! stop (its owner dropping the triggers) the audit key and checkpoints catch.

use crate::{actor, contract};
use evident_core::access::audit::{AuditEvent, ChainBreak, Checkpoint, Outcome};
use evident_core::{NewUnit, UnitUpdate};
use evident_store::testing::{TestDb, test_audit_key};
use evident_store::{AuditFilter, Backend, Store};

/// Entries verified, or the first break: the trail checked against its key and head alone.
async fn verify_audit_trail(
    store: &dyn Store,
) -> Result<Result<usize, ChainBreak>, evident_store::StorageError> {
    verify_against(store, Vec::new()).await
}

/// As [`verify_audit_trail`], also against `checkpoints`.
async fn verify_against(
    store: &dyn Store,
    checkpoints: Vec<Checkpoint>,
) -> Result<Result<usize, ChainBreak>, evident_store::StorageError> {
    Ok(evident_store::audit::verify_audit_trail(store, checkpoints)
        .await?
        .map(|summary| summary.entries))
}

contract!(
    writes_are_audited_in_a_chain_that_verifies_and_can_be_searched,
    a_list_view_is_one_entry_that_a_search_by_each_listed_client_finds,
    a_burst_of_entries_written_together_gives_each_caller_its_own_entry_in_one_chain,
    an_entry_whose_caller_gave_up_waiting_is_still_written,
);

/// Entries appended at once are written together (one transaction takes what queued): each
/// caller must still get back the entry it asked for, sealed in its place in one chain that
/// verifies, with list views' clients findable as when written one by one.
async fn a_burst_of_entries_written_together_gives_each_caller_its_own_entry_in_one_chain(
    store: &dyn Store,
) {
    let events: Vec<AuditEvent> = (0..80)
        .map(|i| {
            if i % 10 == 0 {
                AuditEvent::listing(
                    &actor(),
                    format!("unit:0380-{i:04}"),
                    2,
                    [format!("pseudonym-{i}-a"), format!("pseudonym-{i}-b")],
                )
            } else {
                AuditEvent::new(&actor(), "case.read", format!("case:{i}"), Outcome::Allowed)
            }
        })
        .collect();
    let written =
        futures_util::future::join_all(events.iter().map(|e| store.append_audit(e))).await;

    let mut ids = Vec::new();
    for (event, entry) in events.iter().zip(written) {
        let entry = entry.unwrap();
        assert_eq!(&entry.event, event, "each caller gets its own event back");
        ids.push(entry.id);
    }
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), events.len(), "every entry has an id of its own");
    assert_eq!(verify_audit_trail(store).await.unwrap(), Ok(events.len()));
    let stored = store.audit_entries().await.unwrap();
    assert_eq!(stored.len(), events.len());
    for pair in stored.windows(2) {
        assert_eq!(pair[1].prev_hash, pair[0].hash, "one chain, in id order");
    }
    let found = store
        .search_audit(&AuditFilter {
            client: Some("pseudonym-30-b".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].event.record, "unit:0380-0030");
}

/// A read is audited even when its caller stops waiting (a browser closing the connection
/// while the entry is being written): the entry is written, and the next still chains on it.
async fn an_entry_whose_caller_gave_up_waiting_is_still_written(store: &dyn Store) {
    let abandoned = AuditEvent::new(&actor(), "case.read", "case:1", Outcome::Allowed);
    // Polled once (queued), then dropped.
    let gave_up = tokio::select! {
        biased;
        _ = store.append_audit(&abandoned) => false,
        () = std::future::ready(()) => true,
    };
    assert!(gave_up, "the caller stopped before its entry was written");
    let next = AuditEvent::new(&actor(), "case.read", "case:2", Outcome::Allowed);
    let next = store.append_audit(&next).await.unwrap();

    let stored = store.audit_entries().await.unwrap();
    let records: Vec<&str> = stored.iter().map(|e| e.event.record.as_str()).collect();
    assert_eq!(records, ["case:1", "case:2"]);
    assert_eq!(next.prev_hash, stored[0].hash);
    assert_eq!(verify_audit_trail(store).await.unwrap(), Ok(2));
}

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

/// A client's pseudonym for the tests: `n` as 64 hex digits.
fn pseudonym(n: u32) -> String {
    format!("{n:064x}")
}

async fn a_list_view_is_one_entry_that_a_search_by_each_listed_client_finds(store: &dyn Store) {
    // arrange: a listing of four cases of three clients, an export entry for one of them
    let listing = AuditEvent::listing(
        &actor(),
        "unit:0380-0001",
        4,
        [pseudonym(2), pseudonym(1), pseudonym(3), pseudonym(2)],
    );
    let mut export = AuditEvent::new(&actor(), "export", "unit:0380-0001", Outcome::Allowed);
    export.client = Some(pseudonym(1));

    // act
    let listed = store.append_audit(&listing).await.unwrap();
    store.append_audit(&export).await.unwrap();

    // assert: one entry, its detail naming each client once
    assert_eq!(store.audit_entries().await.unwrap().len(), 2);
    assert_eq!(
        listed.event.detail,
        format!(
            "4 cases; clients: {} {} {}",
            pseudonym(1),
            pseudonym(2),
            pseudonym(3)
        )
    );
    assert_eq!(listed.event.client, None);
    let by_client = |client: String| async move {
        store
            .search_audit(&AuditFilter {
                client: Some(client),
                limit: 10,
                ..AuditFilter::default()
            })
            .await
            .unwrap()
            .iter()
            .map(|e| e.id)
            .collect::<Vec<_>>()
    };
    assert_eq!(
        by_client(pseudonym(1)).await,
        [2, 1],
        "the export and the view"
    );
    assert_eq!(by_client(pseudonym(3)).await, [1]);
    assert!(by_client(pseudonym(4)).await.is_empty(), "not listed");
    let with_actor = store
        .search_audit(&AuditFilter {
            client: Some(pseudonym(2)),
            action: Some("export".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(with_actor.is_empty(), "the other filters still narrow");
    assert_eq!(
        store.audit_listed_batch(0, 1).await.unwrap(),
        [1, 2, 3].map(|n| (1, pseudonym(n)))
    );
    let reads = store.client_reads_per_day(None, None).await.unwrap();
    assert_eq!(reads.len(), 1);
    assert_eq!(
        reads[0].2, 4,
        "the view counts once per client listed, the export once"
    );
    assert_eq!(verify_audit_trail(store).await.unwrap(), Ok(2));
}

/// Raw SQL against the test database, as someone with database access would run it. Stops at
/// the first statement the database refuses, with its error.
pub(crate) async fn raw_sql(db: &TestDb, statements: &[&str]) -> Result<(), String> {
    match db.url.backend() {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(db.url.expose()).await.unwrap();
            for sql in statements {
                let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
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
                let done = sqlx::raw_sql(sqlx::AssertSqlSafe(sql.to_string()))
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

/// What the schema's owner runs to switch every guard of the trail off.
fn unlock(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "drop trigger audit_event_no_update; drop trigger audit_event_no_delete; \
             drop trigger audit_head_forward_only; drop trigger audit_head_no_delete"
        }
        Backend::Postgres => {
            "alter table audit_event disable trigger user; \
             alter table audit_head disable trigger user"
        }
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
/// row trigger (a statement trigger refuses it; `cascade`, as the listed clients' foreign key
/// refuses a plain one, which the test below also tries); SQLite has no `truncate`, and a `delete` of
/// every row fires the delete trigger, so there it takes dropping the triggers first. Either
/// the database refuses, or the head, which still names entry 5, gives the emptying away.
/// Deleting the head is refused.
async fn emptying_the_trail_or_deleting_its_head_is_refused_or_detected(backend: Backend) {
    let wipe: &[&str] = match backend {
        Backend::Sqlite => &[unlock(backend), "delete from audit_event"],
        Backend::Postgres => &["truncate audit_event cascade"],
    };
    let db = audited_db(backend).await;
    if backend == Backend::Postgres {
        let refused = raw_sql(&db, &["truncate audit_event"]).await.unwrap_err();
        assert!(refused.contains("foreign key"), "{refused}");
    }
    match raw_sql(&db, wipe).await {
        Err(refused) => {
            assert!(
                refused.contains("append-only") || refused.contains("cannot be truncated"),
                "{refused}"
            );
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
            assert!(refused.contains("cannot be deleted"), "{refused}");
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

/// Declares `name_on_sqlite` and `name_on_postgres` for an `async fn name(backend)`.
macro_rules! on_backends {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                super::$name(evident_store::Backend::Sqlite).await;
            }

            #[tokio::test]
            #[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
            async fn postgres() {
                super::$name(evident_store::Backend::Postgres).await;
            }
        }
    )+};
}

on_backends!(
    a_listed_client_added_or_deleted_behind_the_stores_back_is_named,
    a_forged_entry_with_the_head_moved_onto_it_is_named,
    history_rewritten_with_recomputed_hashes_is_named,
    the_head_cannot_be_rolled_back_while_the_guards_stand,
    a_rollback_by_the_owner_is_caught_by_a_checkpoint,
    entries_from_before_the_key_verify_as_a_prefix,
    a_database_written_under_another_key_is_not_opened_for_writing,
    verification_reads_the_trail_in_batches,
);

/// What the schema's owner runs to switch the guards of the listed clients off.
fn unlock_listed(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => {
            "drop trigger audit_listed_client_no_update; \
             drop trigger audit_listed_client_no_delete"
        }
        Backend::Postgres => "alter table audit_listed_client disable trigger user",
    }
}

/// The rows naming the clients of a list view are not covered by the entry's MAC, so
/// verification checks them against its sealed detail: a row inserted (no guard stops an
/// insert), for the view or for another entry, or deleted once the guards are off, is named.
/// With the guards on, updates and deletes are refused.
async fn a_listed_client_added_or_deleted_behind_the_stores_back_is_named(backend: Backend) {
    // arrange: five entries, then a view listing three clients as entry 6
    let listed_db = || async {
        let db = audited_db(backend).await;
        let listing = AuditEvent::listing(
            &actor(),
            "unit:0380-0001",
            3,
            [pseudonym(1), pseudonym(2), pseudonym(3)],
        );
        db.store.append_audit(&listing).await.unwrap();
        assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(6));
        db
    };

    // an intruder lists the view for a client it did not show, or names a client in another
    // entry, so that a search by that client finds what never happened
    for (id, client) in [(6, pseudonym(9)), (2, pseudonym(1))] {
        let db = listed_db().await;
        tamper(
            &db,
            &[&format!(
                "insert into audit_listed_client (audit_event_id, client) values ({id}, '{client}')"
            )],
        )
        .await;
        let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
        assert_eq!(broken.id, id, "{broken}");
        assert!(broken.problem.contains(&client), "{broken}");
        assert!(broken.problem.contains("added"), "{broken}");
    }

    // a row cannot be changed or deleted while the guards stand
    let db = listed_db().await;
    for sql in [
        "delete from audit_listed_client where audit_event_id = 6".to_owned(),
        "delete from audit_listed_client".to_owned(),
        format!(
            "update audit_listed_client set client = '{}' where audit_event_id = 6",
            pseudonym(9)
        ),
    ] {
        let refused = raw_sql(&db, &[&sql]).await.expect_err(&sql);
        assert!(refused.contains("append-only"), "{refused}");
    }
    if backend == Backend::Postgres {
        let refused = raw_sql(&db, &["truncate audit_listed_client"])
            .await
            .unwrap_err();
        assert!(refused.contains("cannot be truncated"), "{refused}");
    }
    assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(6));

    // the owner switches them off and deletes a row, hiding the view from that client
    tamper(
        &db,
        &[
            unlock_listed(backend),
            &format!(
                "delete from audit_listed_client where audit_event_id = 6 and client = '{}'",
                pseudonym(2)
            ),
        ],
    )
    .await;
    let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
    assert_eq!(broken.id, 6, "{broken}");
    assert!(broken.problem.contains(&pseudonym(2)), "{broken}");
    assert!(broken.problem.contains("deleted"), "{broken}");
}

/// The newest entry as stored.
async fn newest(db: &TestDb) -> evident_core::access::audit::AuditEntry {
    db.store.audit_entries().await.unwrap().pop().unwrap()
}

/// An INSERT of `event` as entry `id` after `prev_hash`, hashed the way an attacker without
/// the key can: plain SHA-256, claiming `key_id`.
fn forged_insert(id: i64, event: &AuditEvent, prev_hash: &str, key_id: &str) -> String {
    let at = "2026-11-30T12:00:00.000000Z";
    let hash = event.unkeyed_chain_hash(id, at, prev_hash);
    let quoted = |v: &Option<String>| v.as_ref().map_or("null".to_owned(), |v| format!("'{v}'"));
    assert!(event.actor_id.is_none(), "forged entries have no actor id");
    format!(
        "insert into audit_event (id, at, actor_id, actor, action, record, client, address, \
         outcome, detail, key_id, prev_hash, hash) values ({id}, '{at}', null, '{}', '{}', \
         '{}', {}, {}, '{}', '{}', '{key_id}', '{prev_hash}', '{hash}')",
        event.actor,
        event.action,
        event.record,
        quoted(&event.client),
        quoted(&event.address),
        event.outcome.as_str(),
        event.detail
    )
}

/// Appends `event` as entry `id` behind the store's back, moving the head onto it in the two
/// steps the head's guard allows (as the store does); returns the entry's hash.
async fn append_forged(
    db: &TestDb,
    id: i64,
    event: &AuditEvent,
    prev_hash: &str,
    key_id: &str,
) -> String {
    let hash = event.unkeyed_chain_hash(id, "2026-11-30T12:00:00.000000Z", prev_hash);
    tamper(
        db,
        &[
            &format!("update audit_head set last_id = {id} where id = 1"),
            &forged_insert(id, event, prev_hash, key_id),
            &format!("update audit_head set last_hash = '{hash}' where id = 1"),
        ],
    )
    .await;
    hash
}

/// Appending needs no unlocking: the attacker inserts an entry of their own and moves the
/// head onto it in the two steps the guard allows. The entry's hash was not made with the key.
async fn a_forged_entry_with_the_head_moved_onto_it_is_named(backend: Backend) {
    let db = audited_db(backend).await;
    let last = newest(&db).await;
    let event = AuditEvent::new(&actor(), "unit.read", "unit:0380-0001", Outcome::Allowed)
        .with_detail("nothing happened here");
    append_forged(&db, 6, &event, &last.hash, &last.key_id).await;
    let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
    assert_eq!(broken.id, 6, "{broken}");
    assert!(broken.problem.contains("without the audit key"), "{broken}");
}

/// The owner switches the guards off, edits entry 2 and recomputes every later hash and the
/// head, as an unkeyed chain would allow.
async fn history_rewritten_with_recomputed_hashes_is_named(backend: Backend) {
    let db = audited_db(backend).await;
    let entries = db.store.audit_entries().await.unwrap();
    let mut statements = vec![unlock(backend).to_owned()];
    let mut prev = entries[0].hash.clone();
    for entry in &entries[1..] {
        let mut event = entry.event.clone();
        if entry.id == 2 {
            event.record = "unit:0380-9999".into();
        }
        let hash = event.unkeyed_chain_hash(entry.id, &entry.at, &prev);
        statements.push(format!(
            "update audit_event set record = '{}', prev_hash = '{prev}', hash = '{hash}' where id = {}",
            event.record, entry.id
        ));
        prev = hash;
    }
    statements.push(format!(
        "update audit_head set last_hash = '{prev}' where id = 1"
    ));
    let statements: Vec<&str> = statements.iter().map(String::as_str).collect();
    tamper(&db, &statements).await;
    let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
    assert_eq!(broken.id, 2, "{broken}");
}

/// Without switching anything off, the head can neither go back nor skip, and cannot be
/// deleted.
async fn the_head_cannot_be_rolled_back_while_the_guards_stand(backend: Backend) {
    let db = audited_db(backend).await;
    let entries = db.store.audit_entries().await.unwrap();
    let third = &entries[2];
    for sql in [
        format!(
            "update audit_head set last_id = 3, last_hash = '{}' where id = 1",
            third.hash
        ),
        "update audit_head set last_id = 9 where id = 1".to_owned(),
        "update audit_head set last_hash = 'ff' where id = 1".to_owned(),
    ] {
        let refused = raw_sql(&db, &[&sql]).await.expect_err(&sql);
        assert!(refused.contains("only moves forward"), "{refused}");
    }
    let refused = raw_sql(&db, &["delete from audit_head"]).await.unwrap_err();
    assert!(refused.contains("cannot be deleted"), "{refused}");
    assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(5));
    // The store still appends after the refusals.
    db.store
        .append_audit(&AuditEvent::new(
            &actor(),
            "unit.read",
            "unit:x",
            Outcome::Allowed,
        ))
        .await
        .unwrap();
    assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(6));
}

/// The owner can drop every guard, delete the newest entries and move the head back: the
/// trail is then consistent in itself. A checkpoint taken before, kept elsewhere, is not.
async fn a_rollback_by_the_owner_is_caught_by_a_checkpoint(backend: Backend) {
    let db = audited_db(backend).await;
    let checkpoint = evident_store::audit::checkpoint(&*db.store).await.unwrap();
    assert_eq!(checkpoint.id, 5);
    let kept = Checkpoint::parse_log(&checkpoint.to_line(), &test_audit_key()).unwrap();
    assert_eq!(
        verify_against(&*db.store, kept.clone()).await.unwrap(),
        Ok(5)
    );

    let third = db.store.audit_entries().await.unwrap()[2].hash.clone();
    tamper(
        &db,
        &[
            unlock(backend),
            "delete from audit_event where id > 3",
            &format!("update audit_head set last_id = 3, last_hash = '{third}' where id = 1"),
        ],
    )
    .await;
    assert_eq!(
        verify_audit_trail(&*db.store).await.unwrap(),
        Ok(3),
        "rolled back consistently: only a checkpoint can tell"
    );
    let broken = verify_against(&*db.store, kept.clone())
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(broken.id, 5, "{broken}");
    assert!(broken.problem.contains("rolled back"), "{broken}");

    // New genuine entries after the rollback reach past the checkpoint, but entry 5 differs.
    for i in 0..3 {
        db.store
            .append_audit(&AuditEvent::new(
                &actor(),
                "unit.read",
                format!("unit:after-{i}"),
                Outcome::Allowed,
            ))
            .await
            .unwrap();
    }
    let broken = verify_against(&*db.store, kept).await.unwrap().unwrap_err();
    assert_eq!(broken.id, 5, "{broken}");
    assert!(
        broken.problem.contains("differs from the checkpoint"),
        "{broken}"
    );
}

/// A trail from before this version carries plain SHA-256 hashes and no key id. It still
/// verifies, as a prefix anchored by the first keyed entry; an unkeyed entry after a keyed one
/// is a forgery.
async fn entries_from_before_the_key_verify_as_a_prefix(backend: Backend) {
    let db = TestDb::on(backend).await;
    let mut prev = evident_core::access::audit::GENESIS_HASH.to_owned();
    for id in 1..=3 {
        let event = AuditEvent::new(
            &actor(),
            "unit.read",
            format!("unit:old-{id}"),
            Outcome::Allowed,
        );
        prev = append_forged(&db, id, &event, &prev, "").await;
    }
    db.store
        .append_audit(&AuditEvent::new(
            &actor(),
            "unit.read",
            "unit:new",
            Outcome::Allowed,
        ))
        .await
        .unwrap();
    let summary = evident_store::audit::verify_audit_trail(&*db.store, Vec::new())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((summary.entries, summary.unkeyed), (4, 3));

    let last = newest(&db).await;
    let event = AuditEvent::new(&actor(), "unit.read", "unit:forged", Outcome::Allowed);
    append_forged(&db, 5, &event, &last.hash, "").await;
    let broken = verify_audit_trail(&*db.store).await.unwrap().unwrap_err();
    assert_eq!(broken.id, 5, "{broken}");
    assert!(broken.problem.contains("follows keyed entries"), "{broken}");
}

/// Opening with another key would seal new entries that never verify: it is refused, naming
/// both keys; verification (which only reads) opens and names the first entry.
async fn a_database_written_under_another_key_is_not_opened_for_writing(backend: Backend) {
    let db = audited_db(backend).await;
    let other =
        evident_core::access::audit::AuditKey::parse("another-operators-key-0123456789").unwrap();
    let refused = match evident_store::open(&db.url, &other).await {
        Ok(_) => panic!("opened with the wrong audit key"),
        Err(e) => e.to_string(),
    };
    assert!(refused.contains(&test_audit_key().id()), "{refused}");
    assert!(refused.contains(&other.id()), "{refused}");
    let reader = evident_store::open_to_verify(&db.url, &other)
        .await
        .unwrap();
    let broken = verify_audit_trail(&*reader).await.unwrap().unwrap_err();
    assert_eq!(broken.id, 1, "{broken}");
    assert!(
        broken.problem.contains("not under the key given"),
        "{broken}"
    );
    reader.close().await;
}

/// A trail longer than a batch is read batch by batch, and a break in a later batch is found.
async fn verification_reads_the_trail_in_batches(backend: Backend) {
    let db = audited_db(backend).await;
    for i in 0..6 {
        db.store
            .append_audit(&AuditEvent::new(
                &actor(),
                "unit.read",
                format!("unit:{i}"),
                Outcome::Allowed,
            ))
            .await
            .unwrap();
    }
    let verdict = evident_store::audit::verify_audit_trail_in_batches(&*db.store, Vec::new(), 2)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(verdict.entries, 11);
    tamper(
        &db,
        &[
            unlock(backend),
            "update audit_event set detail = 'edited' where id = 10",
        ],
    )
    .await;
    let broken = evident_store::audit::verify_audit_trail_in_batches(&*db.store, Vec::new(), 3)
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(broken.id, 10, "{broken}");
}

/// `postgres://USER@HOST/DB` on the server `admin_url` points at.
fn url_as(admin_url: &str, user: &str, database: &str) -> String {
    let (scheme, rest) = admin_url.split_once("://").expect("a URL");
    let rest = rest.split_once('?').map_or(rest, |(r, _)| r);
    let host = rest.rsplit_once('@').map_or(rest, |(_, h)| h);
    let host = host.split('/').next().expect("a host");
    format!("{scheme}://{user}@{host}/{database}")
}

/// The deployment docs/SECURITY.md describes, on a real server: migrations as the owner, the
/// server as an application role with the rights of `sql/postgres_app_role.sql`. The role works
/// (opens without migrating, writes, audits), and every way to switch the trail's guards off or
/// empty it is refused to it.
#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn the_application_role_cannot_switch_the_audit_guards_off() {
    let admin_url = std::env::var(evident_store::testing::POSTGRES_URL_VAR)
        .expect("this test needs PostgreSQL: set EVIDENT_TEST_POSTGRES_URL");
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    let tag = format!("{}_{nanos}", std::process::id());
    let (owner, app, database) = (
        format!("ev_owner_{tag}"),
        format!("ev_app_{tag}"),
        format!("ev_roles_{tag}"),
    );
    let admin = sqlx::PgPool::connect(&admin_url).await.unwrap();
    for sql in [
        format!("create role {owner} login"),
        format!("create role {app} login"),
        format!("create database {database} owner {owner}"),
    ] {
        sqlx::query(sqlx::AssertSqlSafe(sql))
            .execute(&admin)
            .await
            .unwrap();
    }

    let outcome = {
        let (admin_url, owner, app, database) = (
            admin_url.clone(),
            owner.clone(),
            app.clone(),
            database.clone(),
        );
        async move {
            let owner_url =
                evident_store::DatabaseUrl::parse(&url_as(&admin_url, &owner, &database)).unwrap();
            let store = evident_store::open(&owner_url, &test_audit_key())
                .await
                .unwrap();
            store.close().await;
            let owner_pool = sqlx::PgPool::connect(owner_url.expose()).await.unwrap();
            let grants =
                include_str!("../../sql/postgres_app_role.sql").replace("evident_app", &app);
            sqlx::raw_sql(sqlx::AssertSqlSafe(grants))
                .execute(&owner_pool)
                .await
                .unwrap();
            owner_pool.close().await;

            let app_url =
                evident_store::DatabaseUrl::parse(&url_as(&admin_url, &app, &database)).unwrap();
            let store = evident_store::open(&app_url, &test_audit_key())
                .await
                .unwrap();
            let details =
                UnitUpdate::parse("Hemtjänst Gränby", "public", None, "elderly_care").unwrap();
            store
                .create_unit(&NewUnit::parse("0380", details).unwrap(), &actor())
                .await
                .unwrap();
            for i in 0..3 {
                store
                    .append_audit(&AuditEvent::new(
                        &actor(),
                        "unit.read",
                        format!("unit:{i}"),
                        Outcome::Allowed,
                    ))
                    .await
                    .unwrap();
            }
            assert_eq!(verify_audit_trail(&*store).await.unwrap(), Ok(4));

            let app_pool = sqlx::PgPool::connect(app_url.expose()).await.unwrap();
            let mut accepted = Vec::new();
            for sql in [
                "alter table audit_event disable trigger user",
                "alter table audit_event disable trigger audit_event_no_update",
                "alter table audit_head disable trigger user",
                "drop trigger audit_event_no_update on audit_event",
                "drop function audit_event_append_only() cascade",
                "truncate audit_event",
                "truncate audit_head",
                "delete from audit_event where id = 4",
                "update audit_event set detail = 'x' where id = 1",
                "delete from audit_head",
                "update audit_head set last_id = 1",
                "drop table audit_event",
                "alter table audit_listed_client disable trigger user",
                "truncate audit_listed_client",
                "delete from audit_listed_client",
                "update audit_listed_client set client = 'x'",
                "alter table audit_event rename to audit_event_old",
                "create table audit_event_copy (id bigint)",
                "set session_replication_role = replica",
            ] {
                if sqlx::query(sqlx::AssertSqlSafe(sql))
                    .execute(&app_pool)
                    .await
                    .is_ok()
                {
                    accepted.push(sql);
                }
            }
            app_pool.close().await;
            assert!(
                accepted.is_empty(),
                "the application role was allowed: {accepted:?}"
            );
            assert_eq!(verify_audit_trail(&*store).await.unwrap(), Ok(4));
            store.close().await;
        }
    };
    let result = tokio::spawn(outcome).await;

    sqlx::query(sqlx::AssertSqlSafe(format!(
        "drop database if exists {database} with (force)"
    )))
    .execute(&admin)
    .await
    .unwrap();
    for role in [&app, &owner] {
        sqlx::query(sqlx::AssertSqlSafe(format!("drop role if exists {role}")))
            .execute(&admin)
            .await
            .unwrap();
    }
    admin.close().await;
    if let Err(panic) = result {
        std::panic::resume_unwind(panic.into_panic());
    }
}

/// Another process writing the file (an import, a recompute from the command line) holds
/// SQLite's lock between its transactions: a write of the server waits for it rather than
/// failing as busy, and lands once the lock is free.
#[tokio::test]
async fn sqlite_a_write_waits_for_the_lock_another_process_holds() {
    use sqlx::Connection;
    let db = TestDb::sqlite().await;
    let mut other = sqlx::SqliteConnection::connect(db.url.expose())
        .await
        .unwrap();
    sqlx::query("begin immediate")
        .execute(&mut other)
        .await
        .unwrap();
    let holder = tokio::spawn(async move {
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        sqlx::query("commit").execute(&mut other).await.unwrap();
        other
    });

    let event = AuditEvent::new(&actor(), "case.read", "case:1", Outcome::Allowed);
    let entry = db.store.append_audit(&event).await.unwrap();

    assert!(
        holder.is_finished(),
        "the write waited for the lock to be released"
    );
    assert_eq!(entry.event, event);
    assert_eq!(verify_audit_trail(&*db.store).await.unwrap(), Ok(1));
}
