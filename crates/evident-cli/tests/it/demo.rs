use crate::{evident, stderr, stdout};
use evident_core::OrgLevel;
use evident_store::DatabaseUrl;
use evident_store::testing::Seed;

async fn units_in(path: &std::path::Path) -> Vec<(String, String)> {
    let store = evident_store::open(&DatabaseUrl::sqlite_file(path))
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
    let store = evident_store::open(&DatabaseUrl::parse(&url).unwrap())
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
    let store = evident_store::open(&DatabaseUrl::sqlite_file(
        &dir.path().join("evident-demo.db"),
    ))
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
