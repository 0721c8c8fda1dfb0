//! The web application over real HTTP: a server on a random loopback port, on SQLite always
//! and on PostgreSQL (ignored unless asked for: they need `EVIDENT_TEST_POSTGRES_URL`).

mod agreement_pages;
mod agreements_api;
mod api;
mod as_of;
mod auditlog;
mod authorization;
mod break_glass;
mod case_list;
mod case_pages;
mod clock;
mod common;
mod comparisons;
mod follow_up_cache;
mod followup;
mod grants;
mod openapi;
mod pages;
mod published_cache;
mod security;
mod selfreport_api;
mod sessions;
mod signin;
mod survey_api;
mod survey_codes;

/// Declares tests over a running app: `on_both!(name)` turns `async fn name(app: &TestApp)`
/// into `name::sqlite` and `name::postgres`, each with its own fresh database and server.
macro_rules! on_both {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test]
            async fn sqlite() {
                let db = evident_store::testing::TestDb::sqlite().await;
                let app = crate::common::TestApp::start(&db).await;
                super::$name(&app).await;
                app.stop().await;
            }

            #[tokio::test]
            #[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
            async fn postgres() {
                let db = evident_store::testing::TestDb::postgres().await;
                let app = crate::common::TestApp::start(&db).await;
                super::$name(&app).await;
                app.stop().await;
            }
        }
    )+};
}
pub(crate) use on_both;
