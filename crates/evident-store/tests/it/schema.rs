use evident_store::testing::TestDb;
use std::path::Path;

fn migration_names(backend: &str) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("reading {}: {e}", dir.display()))
        .map(|entry| entry.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn every_migration_exists_for_both_backends_under_the_same_name() {
    let sqlite = migration_names("sqlite");
    assert!(!sqlite.is_empty());
    assert_eq!(sqlite, migration_names("postgres"));
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn both_backends_expose_the_same_tables_and_columns() {
    let sqlite = TestDb::sqlite().await;
    let postgres = TestDb::postgres().await;
    let sqlite_columns = sqlite.store.schema_columns().await.unwrap();
    assert!(
        sqlite_columns.contains(&("unit".into(), "operator".into())),
        "{sqlite_columns:?}"
    );
    assert_eq!(
        sqlite_columns,
        postgres.store.schema_columns().await.unwrap()
    );
}

#[tokio::test]
async fn the_sqlite_database_is_a_file_in_wal_mode() {
    let db = TestDb::sqlite().await;
    let path = db.url.sqlite_path().unwrap().to_owned();
    assert!(Path::new(&path).is_file());
    assert!(
        Path::new(&format!("{path}-wal")).exists(),
        "no write-ahead log next to {path}"
    );
}
