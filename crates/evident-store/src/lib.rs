//! Evident's persistence: one [`Store`] trait, implemented for SQLite (the embedded default,
//! one file) and PostgreSQL (production). This is the only crate that writes SQL.
//!
//! Both backends run the same SQL text: each area's trait is implemented once, by a macro that
//! is expanded for [`SqliteStore`] and for [`PgStore`], so the dialects cannot drift apart
//! query by query. Where they must differ (schema introspection, connection set-up) the code
//! lives in the backend's own module. The shared contract tests in `tests/it` run against both.
//!
//! # Layout
//! - [`url`]: [`DatabaseUrl`], which backend a URL selects, shown with its password hidden.
//! - [`error`]: [`StorageError`], what callers can react to.
//! - [`sqlite`] / [`postgres`]: connecting, migrating and introspecting each backend.
//! - [`accounts`]: [`AccountStore`] — users, grants, sessions, access tokens.
//! - [`grant_requests`]: [`GrantRequestStore`] — requests for roles that read identified data, approved by a second person.
//! - [`signin`]: [`SignInStore`] — login throttling, pruning expired sessions and throttle rows.
//! - [`audit`]: [`AuditStore`] — the hash-chained audit trail, appended inside each write's transaction.
//! - [`break_glass`]: [`BreakGlassStore`] — emergency accesses to one client, time-limited and audited.
//! - [`followup`]: [`FollowUpStore`] — clients by pseudonym, cases, interventions, needs, goals, instruments, measurements;
//!   [`FollowUpListStore`] — a unit's or a client's records in a fixed few queries, a unit's cases in keyset pages.
//! - [`selfreport`]: [`SelfReportStore`] — single-use self-report links, claimed atomically.
//! - [`survey`]: [`SurveyStore`] — survey publications per unit and period, anonymous answers once per browser.
//! - [`grants`]: [`GrantStore`] — agreements, disbursement decisions, their events and plans.
//! - [`groups`]: [`ComparisonGroupStore`] — user-defined comparison groups of municipalities.
//! - [`indicators`]: [`IndicatorStore`] — indicator rows kept current per case write, read only through disclosure control.
//! - [`import`]: [`ImportStore`] — all-or-nothing bulk import of checked CSV files, in batches.
//! - `batch`: multi-row statements — rows per statement on each backend, numbered placeholders.
//! - `bulk`: bulk appends — COPY on PostgreSQL, statements reading a bound JSON array on SQLite.
//! - [`orgs`]: [`OrgStore`] — the registry, the organisation tree and units.
//! - [`support`]: [`SupportStore`] — support structures and dialog partners.
//! - `testing` (feature `testing`): a fresh database per test on each backend, and `testing::Seed`
//!   / `testing::ClientBuilder`, the one way tests arrange units, users, clients and agreements.
#![forbid(unsafe_code)]

pub mod accounts;
pub mod audit;
mod audit_queue;
mod batch;
pub mod break_glass;
mod bulk;
pub mod error;
pub mod followup;
pub mod grant_requests;
pub mod grants;
pub mod groups;
pub mod import;
pub mod indicators;
mod migrate;
pub mod orgs;
pub mod postgres;
pub mod selfreport;
pub mod signin;
pub mod sqlite;
pub mod support;
pub mod survey;
#[cfg(feature = "testing")]
pub mod testing;
pub mod url;

use std::sync::Arc;

pub use accounts::{AccountStore, CredentialsEnded};
pub use audit::{AuditFilter, AuditStore};
pub use break_glass::{BreakGlassFilter, BreakGlassStore, NewBreakGlass};
pub use error::{Result, StorageError};
pub use followup::FollowUpStore;
pub use followup::lists::FollowUpListStore;
pub use followup::rekey::LegacyClientStore;
pub use grant_requests::GrantRequestStore;
pub use grants::{GrantStore, PlanKind};
pub use groups::ComparisonGroupStore;
pub use import::ImportStore;
pub use indicators::{IndicatorState, IndicatorStore, PublishedRow, RecomputeSummary};
pub use orgs::OrgStore;
pub use postgres::PgStore;
pub use selfreport::{SelfReportStore, Unusable};
pub use signin::{Pruned, SignInStore};
pub use sqlite::SqliteStore;
pub use support::SupportStore;
pub use survey::{Admission, NewSurveyPublication, Refused, SurveyStore};
pub use url::{Backend, DatabaseUrl};

/// Names the sqlx database type of a backend, so code generated for both can name its
/// transactions.
pub(crate) trait Backed {
    type Db: sqlx::Database;
}

impl Backed for SqliteStore {
    type Db = sqlx::Sqlite;
}

impl Backed for PgStore {
    type Db = sqlx::Postgres;
}

/// Everything Evident stores, whichever database holds it. The server keeps one as
/// `Arc<dyn Store>`; each area of the domain is a supertrait with one method per use case.
#[async_trait::async_trait]
pub trait Store:
    OrgStore
    + SupportStore
    + AccountStore
    + GrantRequestStore
    + SignInStore
    + AuditStore
    + BreakGlassStore
    + FollowUpStore
    + FollowUpListStore
    + followup::rekey::LegacyClientStore
    + ImportStore
    + IndicatorStore
    + ComparisonGroupStore
    + GrantStore
    + SelfReportStore
    + SurveyStore
    + Send
    + Sync
    + 'static
{
    /// Which database this store talks to.
    fn backend(&self) -> Backend;

    /// Every `(table, column)` of the application's schema, sorted; used to prove that the
    /// SQLite and PostgreSQL migrations stay in step.
    async fn schema_columns(&self) -> Result<Vec<(String, String)>>;

    /// Closes the connection pool, waiting for connections in use to be returned.
    async fn close(&self);
}

/// Opens the database at `url`, applies pending migrations and brings the embedded
/// organisation registry and instrument library up to date. New audit entries are sealed with
/// `audit_key`, which must be the key the trail was written with.
///
/// # Errors
/// When the database cannot be opened or created, a migration fails, the trail's newest entry
/// was written under another audit key, or the registry cannot be written; the message names
/// the URL with its password hidden.
pub async fn open(
    url: &DatabaseUrl,
    audit_key: &evident_core::access::audit::AuditKey,
) -> Result<Arc<dyn Store>> {
    let store = open_to_verify(url, audit_key).await?;
    // Checked before anything is written, so a wrong key never seals an entry.
    if let Some(written_with) = store.newest_audit_key_id().await?
        && written_with != audit_key.id()
    {
        store.close().await;
        return Err(StorageError::Unavailable(format!(
            "the audit trail of {url} was last written under audit key {written_with}, but the \
             key given is {}: give the key this database was written with \
             (--audit-key-file or EVIDENT_AUDIT_KEY_FILE). If that is the right key, the \
             newest audit entry was forged: run `evident audit verify` with it",
            audit_key.id()
        )));
    }
    store
        .sync_registry(&evident_core::Registry::sweden())
        .await?;
    // Version 1 of every embedded instrument; storing an existing version changes nothing.
    for instrument in evident_core::followup::library::embedded_instruments() {
        store.save_instrument(&instrument).await?;
    }
    Ok(store)
}

/// Opens a database for reading only (a read replica, or a copy): no migration, no write —
/// a write fails — and a schema behind this build is refused. Analytics reads (published
/// tables, exports) go there and leave the primary to case work.
///
/// # Errors
/// When the database cannot be opened or its schema is not this build's.
pub async fn open_read_only(
    url: &DatabaseUrl,
    audit_key: &evident_core::access::audit::AuditKey,
) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match url.backend() {
        Backend::Sqlite => Arc::new(SqliteStore::open_read_only(url, audit_key).await?),
        Backend::Postgres => Arc::new(PgStore::open_read_only(url, audit_key).await?),
    };
    Ok(store)
}

/// Opens the database and applies pending migrations, without writing anything else and
/// without refusing a trail whose newest entry names another audit key: for `evident audit`,
/// which then names the entry.
///
/// # Errors
/// When the database cannot be opened or a migration fails.
pub async fn open_to_verify(
    url: &DatabaseUrl,
    audit_key: &evident_core::access::audit::AuditKey,
) -> Result<Arc<dyn Store>> {
    let store: Arc<dyn Store> = match url.backend() {
        Backend::Sqlite => Arc::new(SqliteStore::open(url, audit_key).await?),
        Backend::Postgres => Arc::new(PgStore::open(url, audit_key).await?),
    };
    Ok(store)
}
