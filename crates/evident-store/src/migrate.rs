//! Applying the schema's migrations, only when some are pending. A running server normally
//! connects as an application role that may read and write rows but owns nothing: it cannot
//! create or alter tables, nor disable the audit trail's triggers. Such a role could not even
//! check the migrations table the way `Migrator::run` does (it creates the table if missing),
//! so the pending ones are found first, and the migrator runs only when there are some: as the
//! schema's owner (`evident migrate`), or on a database the process owns (SQLite, a demo).

use crate::{DatabaseUrl, Result, StorageError};
use sqlx::migrate::Migrator;

/// Runs `migrator` on `pool` when a migration is not yet applied; `$pending` names the check
/// alone, for a database this process only reads.
macro_rules! run_pending {
    ($name:ident, $pending:ident, $db:ty) => {
        /// Whether a migration of `migrator` is not applied to the database behind `pool`
        /// (also when it has no migrations table at all).
        pub(crate) async fn $pending(pool: &sqlx::Pool<$db>, migrator: &Migrator) -> bool {
            let applied: std::result::Result<Vec<i64>, sqlx::Error> = sqlx::query_scalar(
                r"
                select version
                from _sqlx_migrations
                where success
                ",
            )
            .fetch_all(pool)
            .await;
            match applied {
                Ok(applied) => migrator.iter().any(|m| !applied.contains(&m.version)),
                Err(_) => true,
            }
        }

        /// Applies the pending migrations, if any.
        ///
        /// # Errors
        /// When a migration fails; the message says to run migrations as the schema's owner
        /// when the connection lacks the rights.
        pub(crate) async fn $name(
            pool: &sqlx::Pool<$db>,
            migrator: &Migrator,
            url: &DatabaseUrl,
        ) -> Result<()> {
            if !$pending(pool, migrator).await {
                return Ok(());
            }
            migrator.run(pool).await.map_err(|e| {
                StorageError::Unavailable(format!(
                    "cannot apply the database migrations to {url}: {e}. Migrations run as the \
                     schema's owner: `evident migrate --database-url <owner's URL>`"
                ))
            })
        }
    };
}

run_pending!(run_pending_sqlite, pending_sqlite, sqlx::Sqlite);
run_pending!(run_pending_postgres, pending_postgres, sqlx::Postgres);

/// The refusal of a read-only database whose schema is not the one this build expects.
pub(crate) fn behind(url: &DatabaseUrl) -> StorageError {
    StorageError::Unavailable(format!(
        "the read database {url} does not have this version's schema (a migration is not \
         applied there): migrate the primary and let the replica catch up, or leave out the \
         read database"
    ))
}
