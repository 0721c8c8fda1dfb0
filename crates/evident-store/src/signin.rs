//! Sign-in bookkeeping in the database: login throttling and the pruning of expired sessions
//! and stale throttle rows.
//!
//! Throttling decisions are made by [`evident_core::access::throttle::admit`] inside one write
//! transaction that holds both rows (the upsert takes the row lock on PostgreSQL; SQLite's
//! `begin immediate` takes the database's), so parallel attempts are decided one at a time.

use crate::{PgStore, Result, SqliteStore};
use evident_core::access::throttle::{self, Admission, ThrottlePolicy, ThrottleRow};

/// Throttling sign-in attempts, and forgetting what no longer matters.
#[async_trait::async_trait]
pub trait SignInStore {
    /// Decides whether a sign-in attempt on `account_key` from `address_key` may check its
    /// password, and counts it as a failure until [`SignInStore::login_succeeded`] says
    /// otherwise — all in one transaction, so N parallel guesses are decided one by one.
    async fn admit_login(
        &self,
        account_key: &str,
        address_key: &str,
        policy: &ThrottlePolicy,
    ) -> Result<Admission>;

    /// Forgets the failures of `account_key` and the one just counted against `address_key`
    /// after a right password. Returns the account's refused attempts not yet audited.
    async fn login_succeeded(&self, account_key: &str, address_key: &str) -> Result<i64>;

    /// Deletes sessions that expired before `now` and throttle rows with nothing to remember
    /// (no lock ahead, no attempt for `throttle_stale_after`).
    async fn prune_expired(
        &self,
        now: chrono::DateTime<chrono::Utc>,
        throttle_stale_after: chrono::Duration,
    ) -> Result<Pruned>;
}

/// What [`SignInStore::prune_expired`] deleted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Pruned {
    /// Expired sessions.
    pub sessions: u64,
    /// Stale throttle rows.
    pub throttle_rows: u64,
}

#[derive(sqlx::FromRow)]
struct ThrottleDbRow {
    failures: i64,
    locked_until: String,
    updated_at: String,
    refused: i64,
    refused_audited_at: Option<String>,
}

fn parse_instant(text: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
}

fn instant_text(at: Option<chrono::DateTime<chrono::Utc>>) -> String {
    at.map(crate::audit::timestamp_text).unwrap_or_default()
}

impl From<ThrottleDbRow> for ThrottleRow {
    fn from(row: ThrottleDbRow) -> Self {
        Self {
            failures: row.failures,
            locked_until: parse_instant(&row.locked_until),
            updated_at: parse_instant(&row.updated_at),
            refused: row.refused,
            refused_audited_at: row.refused_audited_at.as_deref().and_then(parse_instant),
        }
    }
}

macro_rules! impl_signin_store {
    ($store:ty) => {
        impl $store {
            /// The row of a throttle key, created if missing; the upsert takes its row lock.
            async fn throttle_row_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                key: &str,
            ) -> Result<ThrottleRow> {
                let row: ThrottleDbRow = sqlx::query_as(
                    r"
                    insert into login_throttle (throttle_key, failures, locked_until, updated_at)
                    values ($1, 0, '', '')
                    on conflict (throttle_key) do update set throttle_key = excluded.throttle_key
                    returning failures, locked_until, updated_at, refused, refused_audited_at
                    ",
                )
                .bind(key)
                .fetch_one(&mut **tx)
                .await?;
                Ok(row.into())
            }

            async fn save_throttle_row_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                key: &str,
                row: &ThrottleRow,
            ) -> Result<()> {
                sqlx::query(
                    r"
                    update login_throttle
                    set failures = $2,
                        locked_until = $3,
                        updated_at = $4,
                        refused = $5,
                        refused_audited_at = $6
                    where throttle_key = $1
                    ",
                )
                .bind(key)
                .bind(row.failures)
                .bind(instant_text(row.locked_until))
                .bind(instant_text(row.updated_at))
                .bind(row.refused)
                .bind(row.refused_audited_at.map(crate::audit::timestamp_text))
                .execute(&mut **tx)
                .await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl SignInStore for $store {
            async fn admit_login(&self, account_key: &str, address_key: &str, policy: &ThrottlePolicy) -> Result<Admission> {
                let mut tx = self.begin_write().await?;
                // Always account first, then address: one lock order, so no deadlocks.
                let mut account = Self::throttle_row_in(&mut tx, account_key).await?;
                let mut address = Self::throttle_row_in(&mut tx, address_key).await?;
                let admission = throttle::admit(&mut account, &mut address, chrono::Utc::now(), policy);
                Self::save_throttle_row_in(&mut tx, account_key, &account).await?;
                Self::save_throttle_row_in(&mut tx, address_key, &address).await?;
                tx.commit().await?;
                Ok(admission)
            }

            async fn login_succeeded(&self, account_key: &str, address_key: &str) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let account = Self::throttle_row_in(&mut tx, account_key).await?;
                let mut address = Self::throttle_row_in(&mut tx, address_key).await?;
                throttle::forgive(&mut address);
                Self::save_throttle_row_in(&mut tx, address_key, &address).await?;
                sqlx::query(
                    r"
                    delete from login_throttle
                    where throttle_key = $1
                    ",
                )
                .bind(account_key)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(account.refused)
            }

            #[tracing::instrument(skip_all)]
            async fn prune_expired(&self, now: chrono::DateTime<chrono::Utc>, throttle_stale_after: chrono::Duration) -> Result<Pruned> {
                let sessions = sqlx::query(
                    r"
                    delete from session
                    where expires_at <= $1
                    ",
                )
                .bind(crate::audit::timestamp_text(now))
                .execute(&self.pool)
                .await?
                .rows_affected();
                // Timestamps are fixed-width UTC text, so text comparison orders them; rows
                // written before 0011 have '' in updated_at and count as quiet.
                let throttle_rows = sqlx::query(
                    r"
                    delete from login_throttle
                    where locked_until <= $1
                      and updated_at <= $2
                    ",
                )
                .bind(crate::audit::timestamp_text(now))
                .bind(crate::audit::timestamp_text(now - throttle_stale_after))
                .execute(&self.pool)
                .await?
                .rows_affected();
                Ok(Pruned { sessions, throttle_rows })
            }
        }
    };
}

impl_signin_store!(SqliteStore);
impl_signin_store!(PgStore);
