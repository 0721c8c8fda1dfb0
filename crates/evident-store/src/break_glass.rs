//! Emergency accesses ("break the glass") in the database: opened with their audit entry in
//! one transaction, looked up on every read they allow, listed for auditors. Rows are never
//! updated or deleted; an access ends when its time is up.

use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::access::break_glass::{BreakGlass, Reason};

/// A new emergency access: `user_id` reads client `client_id` (of `authority`), asked for
/// through case `case_id`, from `now` until `expires_at` (both in the stored text form).
#[derive(Debug, Clone)]
pub struct NewBreakGlass {
    /// The user breaking the glass.
    pub user_id: i64,
    /// The client.
    pub client_id: i64,
    /// The case asked for.
    pub case_id: i64,
    /// The client's authority.
    pub authority: String,
    /// Why.
    pub reason: Reason,
    /// Now.
    pub now: String,
    /// When it ends.
    pub expires_at: String,
}

/// Which emergency accesses an auditor lists; every field narrows the list when set.
#[derive(Debug, Clone, Default)]
pub struct BreakGlassFilter {
    /// Opened at or after this instant or day.
    pub from: Option<String>,
    /// Opened before this instant or day.
    pub until: Option<String>,
    /// By this user (e-mail address).
    pub user: Option<String>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// Storing and finding emergency accesses.
#[async_trait::async_trait]
pub trait BreakGlassStore {
    /// Opens an emergency access and writes its `break_glass` audit entry (with the reason and
    /// the client's pseudonym) in the same transaction.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown client.
    async fn open_break_glass(&self, new: &NewBreakGlass, actor: &Actor) -> Result<BreakGlass>;

    /// The newest access of `user_id` to `client_id` still open at `now`, if any.
    async fn active_break_glass(
        &self,
        user_id: i64,
        client_id: i64,
        now: &str,
    ) -> Result<Option<BreakGlass>>;

    /// Emergency accesses matching `filter`, newest first.
    async fn list_break_glass(&self, filter: &BreakGlassFilter) -> Result<Vec<BreakGlass>>;
}

#[derive(sqlx::FromRow)]
struct BreakGlassRow {
    id: i64,
    user_id: i64,
    user_email: String,
    client_id: i64,
    pseudonym: String,
    case_id: i64,
    authority: String,
    reason: String,
    created_at: String,
    expires_at: String,
}

impl From<BreakGlassRow> for BreakGlass {
    fn from(row: BreakGlassRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            user: row.user_email,
            client_id: row.client_id,
            pseudonym: row.pseudonym,
            case_id: row.case_id,
            authority: row.authority,
            reason: row.reason,
            opened_at: row.created_at,
            expires_at: row.expires_at,
        }
    }
}

const SELECT: &str = r"
    select b.id, b.user_id, u.email as user_email, b.client_id, c.pseudonym, b.case_id,
           b.authority, b.reason, b.created_at, b.expires_at
    from break_glass b
    join user_account u on u.id = b.user_id
    join client c on c.id = b.client_id
";

/// Implements [`BreakGlassStore`] for a backend struct with a `pool` field.
macro_rules! impl_break_glass_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl BreakGlassStore for $store {
            #[tracing::instrument(skip_all, fields(client = new.client_id))]
            async fn open_break_glass(&self, new: &NewBreakGlass, actor: &Actor) -> Result<BreakGlass> {
                let mut tx = self.begin_write().await?;
                let pseudonym: Option<String> = sqlx::query_scalar(
                    r"
                    select pseudonym
                    from client
                    where id = $1
                    ",
                )
                .bind(new.client_id)
                .fetch_optional(&mut *tx)
                .await?;
                let pseudonym = pseudonym.ok_or_else(|| StorageError::not_found("client", new.client_id))?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into break_glass
                        (user_id, client_id, case_id, authority, reason, created_at, expires_at)
                    values ($1, $2, $3, $4, $5, $6, $7)
                    returning id
                    ",
                )
                .bind(new.user_id)
                .bind(new.client_id)
                .bind(new.case_id)
                .bind(&new.authority)
                .bind(new.reason.as_str())
                .bind(&new.now)
                .bind(&new.expires_at)
                .fetch_one(&mut *tx)
                .await?;
                let mut event = AuditEvent::new(
                    actor,
                    "break_glass",
                    format!("case:{}", new.case_id),
                    Outcome::Allowed,
                )
                .with_detail(format!(
                    "break the glass #{id} until {}: {}",
                    new.expires_at,
                    new.reason.as_str()
                ));
                event.client = Some(pseudonym);
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                let row: BreakGlassRow = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{SELECT} where b.id = $1"
                )))
                .bind(id)
                .fetch_one(&self.pool)
                .await?;
                Ok(row.into())
            }

            async fn active_break_glass(
                &self,
                user_id: i64,
                client_id: i64,
                now: &str,
            ) -> Result<Option<BreakGlass>> {
                let row: Option<BreakGlassRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{SELECT}
                    where b.user_id = $1
                      and b.client_id = $2
                      and b.created_at <= $3
                      and b.expires_at > $3
                    order by b.id desc
                    limit 1"
                )))
                .bind(user_id)
                .bind(client_id)
                .bind(now)
                .fetch_optional(&self.pool)
                .await?;
                Ok(row.map(Into::into))
            }

            async fn list_break_glass(&self, filter: &BreakGlassFilter) -> Result<Vec<BreakGlass>> {
                let rows: Vec<BreakGlassRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{SELECT}
                    where ($1 is null or b.created_at >= $1)
                      and ($2 is null or b.created_at < $2)
                      and ($3 is null or u.email = $3)
                    order by b.id desc
                    limit $4"
                )))
                .bind(&filter.from)
                .bind(&filter.until)
                .bind(&filter.user)
                .bind(filter.limit)
                .fetch_all(&self.pool)
                .await?;
                Ok(rows.into_iter().map(Into::into).collect())
            }
        }
    };
}

impl_break_glass_store!(SqliteStore);
impl_break_glass_store!(PgStore);
