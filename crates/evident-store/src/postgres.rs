//! The PostgreSQL backend, for deployments with many users and large volumes.

use crate::{Backend, DatabaseUrl, Result, StorageError, Store};
use sqlx::Connection;
use sqlx::postgres::{PgConnectOptions, PgConnection, PgPool, PgPoolOptions};
use std::str::FromStr;
use std::time::Duration;

/// A store in a PostgreSQL database.
#[derive(Debug, Clone)]
pub struct PgStore {
    pub(crate) pool: PgPool,
    /// The key every new audit entry is sealed with.
    pub(crate) audit_key: std::sync::Arc<evident_core::access::audit::AuditKey>,
    /// Audit entries waiting to be written together.
    pub(crate) audit_queue: std::sync::Arc<crate::audit_queue::AuditQueue>,
}

impl PgStore {
    /// Connects to the PostgreSQL database at `url` and applies pending migrations.
    ///
    /// # Errors
    /// When the server cannot be reached, refuses the login, the database does not exist, or a
    /// migration fails.
    #[tracing::instrument(skip_all, fields(url = %url))]
    pub async fn open(
        url: &DatabaseUrl,
        audit_key: &evident_core::access::audit::AuditKey,
    ) -> Result<Self> {
        let pool = Self::connect(url, |options| options).await?;
        crate::migrate::run_pending_postgres(&pool, &sqlx::migrate!("migrations/postgres"), url)
            .await?;
        tracing::info!(backend = "postgres", "database ready");
        Ok(Self {
            pool,
            audit_key: std::sync::Arc::new(audit_key.clone()),
            audit_queue: std::sync::Arc::default(),
        })
    }

    /// Opens the PostgreSQL database at `url` for reading only — a read replica, or the
    /// primary under a read-only role: nothing is migrated, every transaction is read-only (a
    /// write fails), and a database whose schema is behind this build is refused.
    ///
    /// # Errors
    /// When the database cannot be reached or its schema is not this build's.
    pub async fn open_read_only(
        url: &DatabaseUrl,
        audit_key: &evident_core::access::audit::AuditKey,
    ) -> Result<Self> {
        let pool = Self::connect(url, |options| {
            options.options([("default_transaction_read_only", "on")])
        })
        .await?;
        if crate::migrate::pending_postgres(&pool, &sqlx::migrate!("migrations/postgres")).await {
            pool.close().await;
            return Err(crate::migrate::behind(url));
        }
        Ok(Self {
            pool,
            audit_key: std::sync::Arc::new(audit_key.clone()),
            audit_queue: std::sync::Arc::default(),
        })
    }

    /// A pool on `url` with its options adjusted by `adjust`.
    async fn connect(
        url: &DatabaseUrl,
        adjust: impl FnOnce(PgConnectOptions) -> PgConnectOptions,
    ) -> Result<PgPool> {
        let unavailable = |e: sqlx::Error| {
            StorageError::Unavailable(format!(
                "cannot connect to the PostgreSQL database {url}: {e}"
            ))
        };
        let options = adjust(PgConnectOptions::from_str(url.expose()).map_err(unavailable)?);
        // One direct connection first: a pool retries until its timeout and then reports only
        // "timed out", while this says why (refused, no such database, authentication failed).
        PgConnection::connect_with(&options)
            .await
            .map_err(unavailable)?
            .close()
            .await
            .map_err(unavailable)?;
        PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(Duration::from_secs(10))
            .connect_with(options)
            .await
            .map_err(unavailable)
    }
}

impl PgStore {
    /// Begins a transaction that writes (row locks do the queueing on PostgreSQL).
    pub(crate) async fn begin_write(&self) -> Result<sqlx::Transaction<'static, sqlx::Postgres>> {
        Ok(self.pool.begin().await?)
    }
}

#[async_trait::async_trait]
impl Store for PgStore {
    fn backend(&self) -> Backend {
        Backend::Postgres
    }

    async fn schema_columns(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            r"
            select table_name::text, column_name::text
            from information_schema.columns
            where table_schema = current_schema()
              and table_name <> '_sqlx_migrations'
            order by 1, 2
            ",
        )
        .fetch_all(&self.pool)
        .await?)
    }

    async fn close(&self) {
        self.pool.close().await;
    }
}
