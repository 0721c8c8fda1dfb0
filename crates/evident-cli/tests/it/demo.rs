use crate::{evident, stderr, stdout};
use evident_core::{OrgCode, OrgLevel};
use evident_store::DatabaseUrl;

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
    let details =
        evident_core::UnitUpdate::parse("Hemtjänst Norr", "public", None, "elderly_care").unwrap();
    store
        .create_unit(
            &evident_core::NewUnit {
                municipality: OrgCode::parse("0380").unwrap(),
                details,
            },
            &evident_core::audit::Actor {
                user_id: None,
                label: "test".into(),
                address: None,
            },
        )
        .await
        .unwrap();
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
