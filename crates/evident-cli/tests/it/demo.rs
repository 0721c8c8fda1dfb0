use crate::{evident, stderr, stdout};
use evident_core::OrgLevel;
use evident_store::DatabaseUrl;
use evident_store::testing::Seed;

async fn units_in(path: &std::path::Path) -> Vec<(String, String)> {
    let store = evident_store::open(
        &DatabaseUrl::sqlite_file(path),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let units = store.list_orgs(OrgLevel::Unit, None).await.unwrap();
    store.close().await;
    units
        .into_iter()
        .map(|u| (u.code.to_string(), u.name))
        .collect()
}

#[tokio::test]
async fn the_same_seed_gives_the_same_demo_and_a_rerun_replaces_the_demo_file() {
    let dir = tempfile::tempdir().unwrap();
    let first = evident(dir.path(), &["demo", "--seed", "11", "--clients", "40"]);
    assert!(first.status.success(), "{}", stderr(&first));
    assert!(stdout(&first).contains("(seed 11)"), "{}", stdout(&first));
    let units_first = units_in(&dir.path().join("evident-demo.db")).await;
    assert!(units_first.len() >= 30, "only {} units", units_first.len());

    let again = evident(dir.path(), &["demo", "--seed", "11", "--clients", "40"]);
    assert!(
        again.status.success(),
        "a rerun must replace the demo file: {}",
        stderr(&again)
    );
    assert_eq!(
        units_in(&dir.path().join("evident-demo.db")).await,
        units_first
    );

    let other = evident(dir.path(), &["demo", "--seed", "12", "--clients", "40"]);
    assert!(other.status.success());
    assert_ne!(
        units_in(&dir.path().join("evident-demo.db")).await,
        units_first
    );
    assert!(
        !dir.path().join("evident.db").exists(),
        "the demo must not touch evident.db"
    );
}

#[tokio::test]
async fn a_demo_refuses_a_database_that_already_holds_units() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("real.db");
    let url = format!("sqlite:{}", path.display());
    let store = evident_store::open(
        &DatabaseUrl::parse(&url).unwrap(),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    Seed::new(&*store).unit("0380", "Hemtjänst Norr").await;
    store.close().await;

    let output = evident(
        dir.path(),
        &["demo", "--clients", "40", "--database-url", &url],
    );
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("already holds units"),
        "{}",
        stderr(&output)
    );
    assert_eq!(units_in(&path).await.len(), 1, "the real data is untouched");
}

#[tokio::test]
async fn the_demo_holds_the_2011_agreement_with_money_moving_within_the_decision() {
    use evident_core::grants::Ore;
    use evident_core::grants::calendar::{Status, deadlines};
    use evident_core::grants::ledger::{RecordedEvent, initiative_rows};
    let dir = tempfile::tempdir().unwrap();
    let out = evident(dir.path(), &["demo", "--seed", "3", "--clients", "40"]);
    assert!(out.status.success(), "{}", stderr(&out));
    let store = evident_store::open(
        &DatabaseUrl::sqlite_file(&dir.path().join("evident-demo.db")),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let agreement = store.get_agreement("ebp-2011").await.unwrap();
    let decisions = store.list_disbursements(Some("ebp-2011")).await.unwrap();
    let events: Vec<RecordedEvent> = store
        .list_grant_events(Some("ebp-2011"))
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event)
        .collect();
    let (rows, total) = initiative_rows(&agreement, &decisions, &events);
    assert_eq!(total.decided, Ore::kronor(89_200_000));
    assert_eq!(total.requisitioned, total.decided);
    // "Leda för resultat" (4 500 000 kr) has its second half requisitioned but not paid.
    assert_eq!(total.decided - total.paid, Ore::kronor(2_250_000));
    let leda = rows.iter().find(|r| r.code == "3.3.1").unwrap();
    assert_eq!(leda.flows.paid, Ore::kronor(2_250_000));
    assert_eq!(total.repaid, Ore::kronor(1_200_000));
    // The report was submitted before its deadline; the repayment deadline has passed.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 12, 1).unwrap();
    let calendar = deadlines(&[agreement], &decisions, &events);
    let report = calendar
        .iter()
        .find(|d| d.date.to_string() == "2011-12-01")
        .unwrap();
    assert_eq!(report.status(today), Status::Done);
    assert!(calendar.iter().any(|d| d.date.to_string() == "2012-06-30"));
    assert_eq!(
        store
            .list_grant_plans(evident_store::PlanKind::Performance)
            .await
            .unwrap()
            .len(),
        1
    );
    assert_eq!(
        store
            .list_grant_plans(evident_store::PlanKind::Tapering)
            .await
            .unwrap()
            .len(),
        1
    );
    store.close().await;
}

/// The README's promise, checked on a whole demo as an auditor would: no published value rests
/// on fewer than `k` distinct people. Every published cell of every indicator, variant and
/// period (read through the store's public path) is checked against the people stored behind
/// it; and for EVI001 those people are recounted straight from the case tables with SQL, so
/// the engine's count of distinct clients is checked too.
#[tokio::test]
async fn no_published_cell_of_the_demo_rests_on_fewer_than_k_distinct_people() {
    use evident_core::indicator::cube::decode_row;
    use evident_core::indicator::{Period, Published};
    use std::collections::{BTreeMap, BTreeSet, HashMap};
    let dir = tempfile::tempdir().unwrap();
    let demo = evident(dir.path(), &["demo", "--seed", "3", "--clients", "600"]);
    assert!(demo.status.success(), "{}", stderr(&demo));
    let path = dir.path().join("evident-demo.db");
    let store = evident_store::open(
        &DatabaseUrl::sqlite_file(&path),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let state = store.indicator_state().await.unwrap();
    let k = state.min_count as i64;
    let pool = sqlx::SqlitePool::connect(&format!("sqlite:{}", path.display()))
        .await
        .unwrap();

    // The people behind every stored cell: (indicator, variant, period, node) → per category.
    let stored: Vec<(String, String, String, String, Vec<u8>)> =
        sqlx::query_as("select indicator_id, variant, period, node_code, stats from indicator_row")
            .fetch_all(&pool)
            .await
            .unwrap();
    let mut people: HashMap<(String, String, String, String), Vec<i64>> = HashMap::new();
    for (indicator, variant, period, node, bytes) in stored {
        let row = decode_row(&bytes).expect("a readable stored row");
        people.insert(
            (indicator, variant, period, node),
            row.iter().map(|s| s.people).collect(),
        );
    }

    let set = evident_store::indicators::indicator_set();
    let (mut checked, mut hidden) = (0, 0);
    for definition in &set.definitions {
        if definition.id == "EVI011" {
            continue; // anonymous survey answers: the survey's own threshold, tested there
        }
        // A difference is published only where both its parts are: check both.
        let parts: Vec<&str> = match &definition.measure {
            evident_core::indicator::definition::Measure::Difference {
                minuend,
                subtrahend,
            } => vec![minuend, subtrahend],
            _ => vec![definition.id.as_str()],
        };
        for variant in store.indicator_variants(&definition.id).await.unwrap() {
            for period in store.indicator_periods(&definition.id).await.unwrap() {
                for row in store
                    .published_rows(&definition.id, &variant, period)
                    .await
                    .unwrap()
                {
                    for (category, cell) in row.cells.iter().enumerate() {
                        match cell {
                            Published::Value { .. } => {}
                            Published::Suppressed => {
                                hidden += 1;
                                continue;
                            }
                            _ => continue,
                        }
                        checked += 1;
                        for part in &parts {
                            let key = (
                                (*part).to_owned(),
                                variant.clone(),
                                period.to_string(),
                                row.node.to_string(),
                            );
                            let behind = people.get(&key).map_or(0, |p| p[category]);
                            assert!(
                                behind >= k,
                                "{} {variant:?} {period} {} category {category}: published on {behind} people (k = {k})",
                                definition.id,
                                row.node
                            );
                        }
                    }
                }
            }
        }
    }
    assert!(
        checked > 1000 && hidden > 100,
        "the demo should publish and hide plenty: {checked} published, {hidden} hidden"
    );

    // EVI001's people recounted from the case tables: the clients with a started intervention
    // in each year, per unit and per municipality (a client at two units of one municipality
    // counts once there).
    let started: Vec<(i64, String, String)> = sqlx::query_as(
        "select c.client_id, c.unit_code, i.started_on
         from intervention i join case_record c on c.id = i.case_id
         where i.started_on is not null and i.started_on <= ?",
    )
    .bind(state.as_of.to_string())
    .fetch_all(&pool)
    .await
    .unwrap();
    let mut clients: BTreeMap<(String, String), BTreeSet<i64>> = BTreeMap::new();
    for (client, unit, started_on) in started {
        let year = started_on[..4].to_owned();
        let municipality = unit[..4].to_owned();
        clients
            .entry((unit, year.clone()))
            .or_default()
            .insert(client);
        clients
            .entry((municipality, year))
            .or_default()
            .insert(client);
    }
    let mut recounted = 0;
    for ((node, year), ids) in &clients {
        let period = Period::parse(year).unwrap();
        if !period.status_on(state.as_of).is_published() {
            continue;
        }
        let key = (
            "EVI001".to_owned(),
            String::new(),
            year.clone(),
            node.clone(),
        );
        assert_eq!(
            people.get(&key).map(|p| p[0]),
            Some(ids.len() as i64),
            "EVI001 {year} at {node}: the engine's distinct clients differ from a recount"
        );
        let published = store
            .published_rows("EVI001", "", period)
            .await
            .unwrap()
            .into_iter()
            .find(|r| r.node.as_str() == node)
            .map(|r| r.cells[0].clone());
        if (ids.len() as i64) < k {
            assert_eq!(
                published,
                Some(Published::Suppressed),
                "EVI001 {year} at {node}: {} clients must be hidden",
                ids.len()
            );
        }
        recounted += 1;
    }
    assert!(recounted > 50, "only {recounted} cells recounted");
    store.close().await;
}
