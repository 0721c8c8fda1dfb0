use crate::{actor, contract, contract_with_db, seed, unit};
use evident_core::OrgCode;
use evident_core::indicator::{Period, Published};
use evident_core::rng::SplitMix64;
use evident_store::testing::ClientBuilder;
use evident_store::testing::TestDb;
use evident_store::{Backend, PublishedRow, Store};

/// A client at `unit` with a started intervention and PHQ-9 at baseline (20) and at
/// follow-up (`follow_up`), in 2025: 12 is a reliable improvement, 19 no reliable change.
async fn client(store: &dyn Store, rng: &mut SplitMix64, at: &OrgCode, follow_up: f64) {
    ClientBuilder::new(at)
        .synthetic_number(rng, 1980)
        .phq9_in_2025(20.0, follow_up)
        .create(&seed(store))
        .await;
}

/// A row's cells with floating values rounded: sums accumulated in a different order differ
/// in the last bits.
/// A cell as (status, n, value × 10⁹ rounded).
type RoundedCell = (String, Option<u64>, Option<i64>);

fn rounded(rows: &[PublishedRow]) -> Vec<(String, Vec<RoundedCell>)> {
    rows.iter()
        .map(|r| {
            let cells = r
                .cells
                .iter()
                .map(|c| {
                    (
                        c.status().to_owned(),
                        c.n(),
                        c.value().map(|v| (v * 1e9).round() as i64),
                    )
                })
                .collect();
            (format!("{} {}", r.node, r.period), cells)
        })
        .collect()
}

fn row<'a>(rows: &'a [PublishedRow], node: &str) -> &'a PublishedRow {
    rows.iter()
        .find(|r| r.node.as_str() == node)
        .unwrap_or_else(|| panic!("no row for {node}"))
}

contract!(
    indicators_stay_current_as_data_arrives_and_agree_with_a_recompute,
    a_small_unit_is_suppressed_with_its_sibling,
    a_cell_of_few_clients_with_many_cases_is_suppressed,
    the_incremental_update_counts_as_of_the_stored_date,
);

contract_with_db!(a_recompute_publishes_beside_the_rows_read_and_then_switches_to_them);

/// The generation readers read, and the generations stored, read behind the store's back.
async fn generations(db: &TestDb) -> (i64, Vec<i64>) {
    const PUBLISHED: &str = "select generation from indicator_state where id = 1";
    const STORED: &str = "select distinct generation from indicator_row order by 1";
    match db.store.backend() {
        Backend::Sqlite => {
            let pool = sqlx::SqlitePool::connect(db.url.expose()).await.unwrap();
            let published = sqlx::query_scalar(PUBLISHED)
                .fetch_one(&pool)
                .await
                .unwrap();
            let stored = sqlx::query_scalar(STORED).fetch_all(&pool).await.unwrap();
            pool.close().await;
            (published, stored)
        }
        Backend::Postgres => {
            let pool = sqlx::PgPool::connect(db.url.expose()).await.unwrap();
            let published = sqlx::query_scalar(PUBLISHED)
                .fetch_one(&pool)
                .await
                .unwrap();
            let stored = sqlx::query_scalar(STORED).fetch_all(&pool).await.unwrap();
            pool.close().await;
            (published, stored)
        }
    }
}

/// A full recompute writes a new generation of rows in short transactions beside the one
/// readers read and switches to it at the end: what is published is the same computation
/// either way, incremental updates go to the generation read, and only the generation before
/// the published one is kept (for readers that looked it up just before the switch).
async fn a_recompute_publishes_beside_the_rows_read_and_then_switches_to_them(db: &TestDb) {
    let store = &*db.store;
    let mut rng = SplitMix64::new(7);
    let stockholm = unit(store, "0180").await;
    for follow_up in [12.0, 12.0, 19.0, 12.0, 19.0, 12.0] {
        client(store, &mut rng, &stockholm, follow_up).await;
    }
    let as_of = store.indicator_state().await.unwrap().as_of;
    store
        .recompute_indicators(as_of, None, &actor())
        .await
        .unwrap();
    let (first, stored) = generations(db).await;
    assert_eq!(
        stored,
        [0, first],
        "written beside the rows of the incremental updates"
    );

    // An incremental update lands in the generation read, and a recompute agrees with it.
    client(store, &mut rng, &stockholm, 12.0).await;
    let updated = all_published(store).await;
    assert_eq!(generations(db).await, (first, vec![0, first]));
    store
        .recompute_indicators(as_of, None, &actor())
        .await
        .unwrap();
    let (second, stored) = generations(db).await;
    assert!(second > first);
    assert_eq!(
        stored,
        [first, second],
        "the generation before stays for late readers"
    );
    assert_eq!(all_published(store).await, updated);
    let state = store.indicator_state().await.unwrap();
    assert!(state.current, "nothing changed while it ran");

    store
        .recompute_indicators(as_of, None, &actor())
        .await
        .unwrap();
    let (third, stored) = generations(db).await;
    assert_eq!(stored, [second, third], "older generations are deleted");
    assert_eq!(all_published(store).await, updated);
}

async fn indicators_stay_current_as_data_arrives_and_agree_with_a_recompute(store: &dyn Store) {
    let mut rng = SplitMix64::new(1);
    let stockholm = unit(store, "0180").await;
    let goteborg = unit(store, "1480").await;
    for follow_up in [12.0, 12.0, 12.0, 19.0, 19.0, 12.0] {
        client(store, &mut rng, &stockholm, follow_up).await;
    }
    for follow_up in [12.0, 19.0, 19.0, 19.0, 19.0] {
        client(store, &mut rng, &goteborg, follow_up).await;
    }
    assert!(store.indicator_state().await.unwrap().current);
    let year = Period::Year(2025);
    let improved = store.published_rows("EVI003", "", year).await.unwrap();
    // 4 of 6 improved in Stockholm, 1 of 5 in Göteborg, 5 of 11 in the nation. Disclosure
    // control over the linked tables may hide some of these (a unit's few women can take the
    // levels above with them); whatever is published is right, and most is.
    let share = |r: &PublishedRow| match &r.cells[0] {
        Published::Value {
            numerator: Some(h),
            n,
            ..
        } => Some((*h, *n)),
        Published::Suppressed => None,
        other => panic!("{other:?}"),
    };
    let expected = [
        ("SE", (5, 11)),
        ("0180", (4, 6)),
        (stockholm.as_str(), (4, 6)),
        ("14", (1, 5)),
    ];
    let published: Vec<_> = expected
        .iter()
        .filter_map(|(node, want)| share(row(&improved, node)).map(|got| (got, *want)))
        .collect();
    assert!(published.len() >= 2, "{improved:?}");
    assert!(
        published.iter().all(|(got, want)| got == want),
        "{published:?}"
    );
    // Every incremental row equals the recomputed one, for every indicator.
    let ids: Vec<&str> = vec![
        "EVI001", "EVI002", "EVI003", "EVI004", "EVI005", "EVI007", "EVI008", "EVI009", "EVI010",
    ];
    let mut incremental = Vec::new();
    for id in &ids {
        for period in [year, Period::Quarter(2025, 1), Period::Quarter(2025, 2)] {
            incremental.push(rounded(
                &store.published_rows(id, "", period).await.unwrap(),
            ));
        }
    }
    let as_of = store.indicator_state().await.unwrap().as_of;
    let summary = store
        .recompute_indicators(as_of, None, &actor())
        .await
        .unwrap();
    assert!(summary.rows > 0 && summary.cases == 11, "{summary:?}");
    let mut recomputed = Vec::new();
    for id in &ids {
        for period in [year, Period::Quarter(2025, 1), Period::Quarter(2025, 2)] {
            recomputed.push(rounded(
                &store.published_rows(id, "", period).await.unwrap(),
            ));
        }
    }
    assert_eq!(incremental, recomputed);
    // The variants exist and a minimum count of 1 is refused.
    let variants = store.indicator_variants("EVI003").await.unwrap();
    assert_eq!(variants, ["", "instrument:phq-9", "type:IFO-MI"]);
    assert!(
        store
            .recompute_indicators(as_of, Some(1), &actor())
            .await
            .is_err()
    );
    assert_eq!(
        store.indicator_periods("EVI003").await.unwrap(),
        [year, Period::Quarter(2025, 2)]
    );
}

async fn a_small_unit_is_suppressed_with_its_sibling(store: &dyn Store) {
    let mut rng = SplitMix64::new(2);
    let big = unit(store, "0180").await;
    let small = unit(store, "0180").await;
    let other = unit(store, "0180").await;
    for _ in 0..6 {
        client(store, &mut rng, &big, 12.0).await;
    }
    for _ in 0..7 {
        client(store, &mut rng, &other, 19.0).await;
    }
    client(store, &mut rng, &small, 12.0).await;
    let rows = store
        .published_rows("EVI003", "", Period::Year(2025))
        .await
        .unwrap();
    assert_eq!(
        row(&rows, &small.to_string()).cells[0],
        Published::Suppressed
    );
    // 14 − 7 − 6 would give the small unit away: a sibling goes too.
    let hidden = |unit: &OrgCode| row(&rows, &unit.to_string()).cells[0] == Published::Suppressed;
    assert!(hidden(&big) || hidden(&other));
    assert!(matches!(
        row(&rows, "0180").cells[0],
        Published::Value { n: 14, .. }
    ));
    // Nothing of a suppressed cell leaks: no count, no value.
    let text = format!("{:?}", row(&rows, &small.to_string()).cells);
    assert!(!text.contains("n:"), "{text}");
}

async fn a_cell_of_few_clients_with_many_cases_is_suppressed(store: &dyn Store) {
    // Three clients with two cases each at one unit: six records of three people, below
    // five however it is counted in records. Seven single-case clients at its sibling.
    let mut rng = SplitMix64::new(3);
    let few = unit(store, "0180").await;
    let many = unit(store, "0180").await;
    for _ in 0..3 {
        let number = evident_core::demo::population::synthetic_personal_number(&mut rng, 1975);
        for _ in 0..2 {
            ClientBuilder::new(&few)
                .personal_number(&number)
                .phq9_in_2025(20.0, 12.0)
                .create(&seed(store))
                .await;
        }
    }
    for _ in 0..7 {
        client(store, &mut rng, &many, 12.0).await;
    }
    let published = |rows: &[PublishedRow], node: &str| row(rows, node).cells[0].clone();
    let rows = store
        .published_rows("EVI003", "", Period::Year(2025))
        .await
        .unwrap();
    assert_eq!(published(&rows, &few.to_string()), Published::Suppressed);
    assert!(
        published(&rows, &many.to_string()) == Published::Suppressed
            || published(&rows, "0180") == Published::Suppressed,
        "else 13 − 7 gives the hidden unit away"
    );
    // The incremental rows, people included, are what a full computation stores.
    let before = rounded(&rows);
    let as_of = store.indicator_state().await.unwrap().as_of;
    store
        .recompute_indicators(as_of, None, &actor())
        .await
        .unwrap();
    let after = store
        .published_rows("EVI003", "", Period::Year(2025))
        .await
        .unwrap();
    assert_eq!(before, rounded(&after));
}

/// Every published row of the indicators with case records, in the periods of 2025.
async fn all_published(store: &dyn Store) -> Vec<Vec<(String, Vec<RoundedCell>)>> {
    let mut out = Vec::new();
    for id in [
        "EVI001", "EVI002", "EVI003", "EVI004", "EVI005", "EVI007", "EVI008", "EVI009",
    ] {
        for period in [
            Period::Year(2025),
            Period::Quarter(2025, 1),
            Period::Quarter(2025, 2),
            Period::Quarter(2025, 3),
        ] {
            out.push(rounded(
                &store.published_rows(id, "", period).await.unwrap(),
            ));
        }
    }
    out
}

async fn the_incremental_update_counts_as_of_the_stored_date(store: &dyn Store) {
    // arrange: rows as of 2025-05-10, long before today.
    let as_of = evident_store::testing::day("2025-05-10");
    store
        .recompute_indicators(as_of, None, &actor())
        .await
        .unwrap();
    let state = store.indicator_state().await.unwrap();
    assert_eq!((state.as_of, state.current), (as_of, true));
    // act: six clients arrive through the incremental update. Each has a baseline on 02-02
    // whose window closes 05-02 + 14 days = 05-16, followed up on 05-01 (20 → 12).
    let mut rng = SplitMix64::new(3);
    let stockholm = unit(store, "0180").await;
    for _ in 0..6 {
        client(store, &mut rng, &stockholm, 12.0).await;
    }
    // assert: counted as of 05-10, not as of today. The follow-ups (05-01) are known, so
    // change counts (EVI003, 6 of 6 improved, in 2025Q2); the windows are still open, so no
    // baseline counts for EVI002 — not even followed-up ones.
    let share = |rows: &[PublishedRow]| match &row(rows, "SE").cells[0] {
        Published::Value {
            numerator: Some(h),
            n,
            ..
        } => (*h, *n),
        other => panic!("{other:?}"),
    };
    let q2 = Period::Quarter(2025, 2);
    assert_eq!(
        share(&store.published_rows("EVI003", "", q2).await.unwrap()),
        (6, 6)
    );
    assert!(
        store
            .published_rows("EVI002", "", Period::Year(2025))
            .await
            .unwrap()
            .is_empty()
    );
    assert!(store.indicator_periods("EVI002").await.unwrap().is_empty());
    // Nothing after 2025-05-10 is listed: 2025Q2 holds the date, 2025Q3 has not begun.
    assert_eq!(
        store.indicator_periods("EVI003").await.unwrap(),
        [Period::Year(2025), q2]
    );
    // A full recompute at the stored date gives the same rows.
    let incremental = all_published(store).await;
    store
        .recompute_indicators(as_of, None, &actor())
        .await
        .unwrap();
    assert_eq!(all_published(store).await, incremental);

    // A week later the windows have closed: all six were followed up in time.
    let later = evident_store::testing::day("2025-05-17");
    store
        .recompute_indicators(later, None, &actor())
        .await
        .unwrap();
    assert_eq!(store.indicator_state().await.unwrap().as_of, later);
    let year = Period::Year(2025);
    assert_eq!(
        share(&store.published_rows("EVI002", "", year).await.unwrap()),
        (6, 6)
    );
    // One more client, incrementally, now as of 05-17: counted at once, and in agreement with a
    // recompute.
    client(store, &mut rng, &stockholm, 19.0).await;
    assert_eq!(
        share(&store.published_rows("EVI002", "", year).await.unwrap()),
        (7, 7)
    );
    let incremental = all_published(store).await;
    store
        .recompute_indicators(later, None, &actor())
        .await
        .unwrap();
    assert_eq!(all_published(store).await, incremental);
}
