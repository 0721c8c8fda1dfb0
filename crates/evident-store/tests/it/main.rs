//! The storage contract: one suite, written once over `dyn Store`, run against SQLite always
//! and on PostgreSQL (ignored unless asked for: they need `EVIDENT_TEST_POSTGRES_URL`).

mod accounts;
mod audit;
mod break_glass;
mod followup;
mod grants;
mod groups;
mod import;
mod indicators;
mod lists;
mod orgs;
mod read_only;
mod schema;
mod selfreport;
mod support;
mod survey;

/// Declares a contract test: `contract!(name)` turns `async fn name(store: &dyn Store)` into
/// `name::sqlite` and `name::postgres`, each on a fresh database.
macro_rules! contract {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = evident_store::testing::TestDb::sqlite().await;
                super::$name(&*db.store).await;
            }

            #[tokio::test]
            #[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
            async fn postgres() {
                let db = evident_store::testing::TestDb::postgres().await;
                super::$name(&*db.store).await;
            }
        }
    )+};
}
pub(crate) use contract;

/// Like `contract!`, but hands the test the whole [`TestDb`], for tests that read the database
/// behind the store's back (here: to fingerprint every table).
macro_rules! contract_with_db {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = evident_store::testing::TestDb::sqlite().await;
                super::$name(&db).await;
            }

            #[tokio::test]
            #[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
            async fn postgres() {
                let db = evident_store::testing::TestDb::postgres().await;
                super::$name(&db).await;
            }
        }
    )+};
}
pub(crate) use contract_with_db;

/// The actor the contract tests act as.
pub fn actor() -> evident_core::access::audit::Actor {
    evident_core::access::audit::Actor {
        user_id: None,
        label: "contract-test".into(),
        address: Some("127.0.0.1".into()),
    }
}

/// Seed data for `store`, written as [`actor`].
pub fn seed(store: &dyn evident_store::Store) -> evident_store::testing::Seed<'_> {
    evident_store::testing::Seed::new(store).acting_as(actor())
}

/// A unit of individual and family care called "Enhet" in `municipality`.
pub async fn unit(store: &dyn evident_store::Store, municipality: &str) -> evident_core::OrgCode {
    seed(store)
        .unit_in_area(municipality, "Enhet", "individual_family")
        .await
}
