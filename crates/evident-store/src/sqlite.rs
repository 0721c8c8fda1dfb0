//! The SQLite backend: Evident's embedded default, one file with WAL and foreign keys on.

use crate::{Backend, DatabaseUrl, Result, StorageError, Store};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqlitePool, SqlitePoolOptions, SqliteSynchronous,
};
use std::str::FromStr;
use std::time::Duration;

/// Connections that read at once.
const READERS: u32 = 8;

/// How long a write waits for SQLite's lock before it fails as busy.
const WRITE_WAIT: Duration = Duration::from_secs(10);

/// SQLite's result code when the lock is held by another connection.
const SQLITE_BUSY: &str = "5";

/// A store in a SQLite database file.
#[derive(Debug, Clone)]
pub struct SqliteStore {
    /// Connections that read, and the rare single-statement writes outside a transaction
    /// (sessions, instruments), which wait for the lock with SQLite's busy handler.
    pub(crate) pool: SqlitePool,
    /// The one connection that writes transactions: SQLite has one writer at a time, and a
    /// pool of one queues writers in order, where several connections would poll the lock
    /// with the busy handler's sleeps (milliseconds each) under load.
    pub(crate) writer: SqlitePool,
    /// The key every new audit entry is sealed with.
    pub(crate) audit_key: std::sync::Arc<evident_core::access::audit::AuditKey>,
    /// Audit entries waiting to be written together.
    pub(crate) audit_queue: std::sync::Arc<crate::audit_queue::AuditQueue>,
}

impl SqliteStore {
    /// Opens (creating if missing) the SQLite file at `url` and applies pending migrations.
    ///
    /// # Errors
    /// When the file cannot be opened or created, or a migration fails.
    #[tracing::instrument(skip_all, fields(url = %url))]
    pub async fn open(
        url: &DatabaseUrl,
        audit_key: &evident_core::access::audit::AuditKey,
    ) -> Result<Self> {
        let pool = Self::connect(url, READERS, |options| {
            options
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
        })
        .await?;
        crate::migrate::run_pending_sqlite(&pool, &sqlx::migrate!("migrations/sqlite"), url)
            .await?;
        let writer = Self::connect(url, 1, |options| {
            options
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                // Busy at once: [`Self::begin_write`] waits for the lock itself.
                .busy_timeout(Duration::ZERO)
                // Statement journals (kept so that one failing statement of a transaction can
                // be undone) in memory rather than in a temporary file: every multi-row insert
                // of an audited list view wrote one, 16 % of the case list's profile.
                .pragma("temp_store", "memory")
        })
        .await?;
        tracing::info!(backend = "sqlite", "database ready");
        Ok(Self {
            pool,
            writer,
            audit_key: std::sync::Arc::new(audit_key.clone()),
            audit_queue: std::sync::Arc::default(),
        })
    }
}

impl SqliteStore {
    /// Opens the SQLite file at `url` for reading only: nothing is created or migrated, a
    /// write fails, and a file whose schema is behind this build is refused. For a copy of
    /// the database that analytics read from.
    ///
    /// # Errors
    /// When the file cannot be opened or its schema is not this build's.
    pub async fn open_read_only(
        url: &DatabaseUrl,
        audit_key: &evident_core::access::audit::AuditKey,
    ) -> Result<Self> {
        let pool = Self::connect(url, READERS, |options| options.read_only(true)).await?;
        if crate::migrate::pending_sqlite(&pool, &sqlx::migrate!("migrations/sqlite")).await {
            pool.close().await;
            return Err(crate::migrate::behind(url));
        }
        Ok(Self {
            writer: pool.clone(),
            pool,
            audit_key: std::sync::Arc::new(audit_key.clone()),
            audit_queue: std::sync::Arc::default(),
        })
    }

    /// A pool of up to `connections` on the file at `url` with its options adjusted by
    /// `adjust`.
    async fn connect(
        url: &DatabaseUrl,
        connections: u32,
        adjust: impl FnOnce(SqliteConnectOptions) -> SqliteConnectOptions,
    ) -> Result<SqlitePool> {
        let unavailable = |e: &dyn std::fmt::Display| {
            StorageError::Unavailable(format!("cannot open the SQLite database {url}: {e}"))
        };
        let options = SqliteConnectOptions::from_str(url.expose())
            .map_err(|e| unavailable(&e))?
            .busy_timeout(Duration::from_secs(10));
        SqlitePoolOptions::new()
            .max_connections(connections)
            .connect_with(adjust(options))
            .await
            .map_err(|e| unavailable(&e))
    }

    /// Begins a transaction that writes. `BEGIN IMMEDIATE` takes SQLite's write lock at once
    /// (a deferred transaction that reads and then writes can instead fail with "database is
    /// locked" when another writer committed in between).
    ///
    /// Writers of this process queue for the one writer connection, in order. Another process
    /// writing the file (`evident import`, `evident indicators compute`) holds SQLite's lock
    /// instead: SQLite's own busy handler would retry after sleeps growing to 100 ms and miss
    /// the moments between that process's transactions (a case page waited 0.9 s at the 99th
    /// percentile during a recompute), so the lock is tried every millisecond here, for up to
    /// [`WRITE_WAIT`].
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Sqlite>> {
        let waited = std::time::Instant::now();
        loop {
            match self.writer.begin_with("BEGIN IMMEDIATE").await {
                Ok(tx) => return Ok(tx),
                Err(sqlx::Error::Database(e))
                    if e.code().as_deref() == Some(SQLITE_BUSY)
                        && waited.elapsed() < WRITE_WAIT =>
                {
                    tokio::time::sleep(Duration::from_millis(1)).await;
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
}

#[async_trait::async_trait]
impl Store for SqliteStore {
    fn backend(&self) -> Backend {
        Backend::Sqlite
    }

    async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            r"
            select m.name, p.name
            from sqlite_master m
            join pragma_table_info(m.name) p
            where m.type = 'table'
              and m.name not like 'sqlite_%'
              and m.name <> '_sqlx_migrations'
            order by 1, 2
            ",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn close(&self) {
        self.writer.close().await;
        self.pool.close().await;
    }
}
