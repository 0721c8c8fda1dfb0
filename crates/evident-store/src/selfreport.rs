//! Self-report links in the database: created and revoked by staff (audited), claimed once by
//! the client's answer. Claiming is one conditional update, so two submissions of the same
//! token can never both succeed.

use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::followup::TimePoint;
use evident_core::participation::selfreport::{LinkStatus, NewSelfReportLink, SelfReportLink};

/// Why a token cannot be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unusable {
    /// No link has this token.
    Unknown,
    /// It was answered already, revoked, or has expired.
    Not(LinkStatus),
}

/// Storing and using self-report links.
#[async_trait::async_trait]
pub trait SelfReportStore {
    /// Stores a new link for the token with this digest, open from `now` (Unix seconds).
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown case.
    async fn create_self_report_link(
        &self,
        link: &NewSelfReportLink,
        token_digest: &str,
        now: i64,
        actor: &Actor,
    ) -> Result<SelfReportLink>;

    /// A case's links, newest first.
    async fn list_self_report_links(&self, case_id: i64) -> Result<Vec<SelfReportLink>>;

    /// One link.
    ///
    /// # Errors
    /// [`StorageError::NotFound`].
    async fn get_self_report_link(&self, id: i64) -> Result<SelfReportLink>;

    /// The link with this token digest, if any.
    async fn find_self_report_link(&self, token_digest: &str) -> Result<Option<SelfReportLink>>;

    /// Withdraws a pending link.
    ///
    /// # Errors
    /// [`StorageError::NotFound`]; [`StorageError::Rejected`] when it is no longer pending.
    async fn revoke_self_report_link(
        &self,
        id: i64,
        now: i64,
        actor: &Actor,
    ) -> Result<SelfReportLink>;

    /// Claims a pending link for an answer at `now`: at most one caller ever succeeds.
    async fn claim_self_report_link(
        &self,
        token_digest: &str,
        now: i64,
    ) -> Result<std::result::Result<SelfReportLink, Unusable>>;

    /// Records the measurement a claimed link's answer became.
    async fn complete_self_report_link(&self, id: i64, measurement_id: i64) -> Result<()>;

    /// Gives a claimed link back when its answer could not be stored.
    async fn release_self_report_link(&self, id: i64) -> Result<()>;
}

#[derive(sqlx::FromRow)]
struct LinkRow {
    id: i64,
    case_id: i64,
    instrument_id: String,
    instrument_version: String,
    time_point: String,
    month: Option<i32>,
    created_by: String,
    created_at: i64,
    expires_at: i64,
    answered_at: Option<i64>,
    measurement_id: Option<i64>,
    revoked_at: Option<i64>,
}

impl LinkRow {
    fn into_link(self) -> Result<SelfReportLink> {
        Ok(SelfReportLink {
            id: self.id,
            case_id: self.case_id,
            instrument_id: self.instrument_id,
            instrument_version: self.instrument_version,
            time_point: TimePoint::parse(&self.time_point)?,
            month: self.month.map(|m| m as u32),
            created_by: self.created_by,
            created_at: self.created_at,
            expires_at: self.expires_at,
            answered_at: self.answered_at,
            measurement_id: self.measurement_id,
            revoked_at: self.revoked_at,
        })
    }
}

const COLUMNS: &str = "id, case_id, instrument_id, instrument_version, time_point, month, created_by, created_at, expires_at, answered_at, measurement_id, revoked_at";

/// Implements [`SelfReportStore`] for a backend struct with a `pool` field.
macro_rules! impl_self_report_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl SelfReportStore for $store {
            #[tracing::instrument(skip_all, fields(case = link.case_id))]
            async fn create_self_report_link(
                &self,
                link: &NewSelfReportLink,
                token_digest: &str,
                now: i64,
                actor: &Actor,
            ) -> Result<SelfReportLink> {
                let mut tx = self.begin_write().await?;
                let exists: Option<i64> = sqlx::query_scalar(
                    r"
                    select id
                    from case_record
                    where id = $1
                    ",
                )
                .bind(link.case_id)
                .fetch_optional(&mut *tx)
                .await?;
                exists.ok_or_else(|| StorageError::not_found("case", link.case_id))?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into self_report_link
                        (case_id, token_digest, instrument_id, instrument_version, time_point, month, created_by, created_at, expires_at)
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    returning id
                    ",
                )
                .bind(link.case_id)
                .bind(token_digest)
                .bind(&link.instrument.0)
                .bind(&link.instrument.1)
                .bind(link.time_point.as_str())
                .bind(link.month.map(|m| m as i32))
                .bind(&actor.label)
                .bind(now)
                .bind(now + link.expiry_days * 86_400)
                .fetch_one(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "self_report.create", format!("case:{}", link.case_id), Outcome::Allowed)
                    .with_detail(format!("link {id}: {} {} {}", link.instrument.0, link.time_point.as_str(), link.expiry_days));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_self_report_link(id).await
            }

            async fn list_self_report_links(&self, case_id: i64) -> Result<Vec<SelfReportLink>> {
                let rows: Vec<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {COLUMNS} from self_report_link where case_id = $1 order by id desc"
                )))
                .bind(case_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(LinkRow::into_link).collect()
            }

            async fn get_self_report_link(&self, id: i64) -> Result<SelfReportLink> {
                let row: Option<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {COLUMNS} from self_report_link where id = $1"
                )))
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or_else(|| StorageError::not_found("self-report link", id))?.into_link()
            }

            async fn find_self_report_link(&self, token_digest: &str) -> Result<Option<SelfReportLink>> {
                let row: Option<LinkRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "select {COLUMNS} from self_report_link where token_digest = $1"
                )))
                .bind(token_digest)
                .fetch_optional(&self.pool)
                .await?;
                row.map(LinkRow::into_link).transpose()
            }

            #[tracing::instrument(skip_all, fields(link = id))]
            async fn revoke_self_report_link(&self, id: i64, now: i64, actor: &Actor) -> Result<SelfReportLink> {
                let link = self.get_self_report_link(id).await?;
                let status = link.status(now);
                if status != LinkStatus::Pending {
                    return Err(StorageError::Rejected(evident_core::DomainError::new(
                        "link",
                        format!("the link is {}, not pending; only a pending link can be revoked", status.as_str()),
                    )));
                }
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    r"
                    update self_report_link
                    set revoked_at = $2
                    where id = $1
                      and answered_at is null
                      and revoked_at is null
                    ",
                )
                .bind(id)
                .bind(now)
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "self_report.revoke", format!("case:{}", link.case_id), Outcome::Allowed)
                    .with_detail(format!("link {id}"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                self.get_self_report_link(id).await
            }

            async fn claim_self_report_link(
                &self,
                token_digest: &str,
                now: i64,
            ) -> Result<std::result::Result<SelfReportLink, Unusable>> {
                let mut tx = self.begin_write().await?;
                let claimed: Option<i64> = sqlx::query_scalar(
                    r"
                    update self_report_link
                    set answered_at = $2
                    where token_digest = $1
                      and answered_at is null
                      and revoked_at is null
                      and expires_at > $2
                    returning id
                    ",
                )
                .bind(token_digest)
                .bind(now)
                .fetch_optional(&mut *tx)
                .await?;
                tx.commit().await?;
                match claimed {
                    Some(id) => Ok(Ok(self.get_self_report_link(id).await?)),
                    None => Ok(Err(match self.find_self_report_link(token_digest).await? {
                        None => Unusable::Unknown,
                        Some(link) => Unusable::Not(link.status(now)),
                    })),
                }
            }

            async fn complete_self_report_link(&self, id: i64, measurement_id: i64) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    r"
                    update self_report_link
                    set measurement_id = $2
                    where id = $1
                    ",
                )
                .bind(id)
                .bind(measurement_id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }

            async fn release_self_report_link(&self, id: i64) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    r"
                    update self_report_link
                    set answered_at = null
                    where id = $1
                      and measurement_id is null
                    ",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                tx.commit().await?;
                Ok(())
            }
        }
    };
}

impl_self_report_store!(SqliteStore);
impl_self_report_store!(PgStore);
