//! The audit trail in the database: appended in the same transaction as the change it
//! records, never updated or deleted (the schema's triggers refuse it), searched by auditors
//! and verified end to end.

use crate::{PgStore, Result, SqliteStore};
use evident_core::access::audit::{AuditEntry, AuditEvent, Outcome};

/// What an auditor searches by; every field narrows the search when set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AuditFilter {
    /// The actor's label (e-mail address), exactly.
    pub actor: Option<String>,
    /// The client's pseudonym, exactly.
    pub client: Option<String>,
    /// The action, exactly (e.g. `unit.update`).
    pub action: Option<String>,
    /// Entries written at or after this instant or day (RFC 3339 prefix, e.g. `2026-11-01`).
    pub from: Option<String>,
    /// Entries written before this instant or day.
    pub until: Option<String>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// Appending to, reading and searching the audit trail.
#[async_trait::async_trait]
pub trait AuditStore {
    /// Appends one entry on its own (for events that change nothing else: a denial, a read of
    /// identified data, a failed login).
    async fn append_audit(&self, event: &AuditEvent) -> Result<AuditEntry>;

    /// The whole trail in id order, to verify it.
    async fn audit_entries(&self) -> Result<Vec<AuditEntry>>;

    /// The id and hash of the newest entry, kept apart from the entries; `(0, GENESIS)` for an
    /// empty trail. `None` only when the head row itself is gone.
    async fn audit_head(&self) -> Result<Option<(i64, String)>>;

    /// Entries matching `filter`, newest first.
    async fn search_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;
}

/// The current instant as stored in text columns: RFC 3339, UTC, microseconds, so that text
/// order is time order on both backends.
pub fn now_text() -> String {
    timestamp_text(chrono::Utc::now())
}

/// An instant in the stored text form.
pub fn timestamp_text(at: chrono::DateTime<chrono::Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

#[derive(sqlx::FromRow)]
pub(crate) struct AuditRow {
    id: i64,
    at: String,
    actor_id: Option<i64>,
    actor: String,
    action: String,
    record: String,
    client: Option<String>,
    address: Option<String>,
    outcome: String,
    detail: String,
    prev_hash: String,
    hash: String,
}

impl AuditRow {
    fn into_entry(self) -> Result<AuditEntry> {
        Ok(AuditEntry {
            id: self.id,
            at: self.at,
            event: AuditEvent {
                actor_id: self.actor_id,
                actor: self.actor,
                action: self.action,
                record: self.record,
                client: self.client,
                address: self.address,
                outcome: Outcome::parse(&self.outcome)?,
                detail: self.detail,
            },
            prev_hash: self.prev_hash,
            hash: self.hash,
        })
    }
}

/// Implements [`AuditStore`] and the in-transaction `append_in` that every other write uses.
macro_rules! impl_audit_store {
    ($store:ty, $db:ty) => {
        impl $store {
            /// Appends `event` inside `tx`. Its first statement is a write on the head row, so
            /// concurrent appends queue there and the chain stays linear.
            pub(crate) async fn append_in(
                tx: &mut sqlx::Transaction<'static, $db>,
                event: &AuditEvent,
            ) -> Result<AuditEntry> {
                let (id, prev_hash): (i64, String) = sqlx::query_as(
                    r"
                    update audit_head
                    set last_id = last_id + 1
                    where id = 1
                    returning last_id, last_hash
                    ",
                )
                .fetch_one(&mut **tx)
                .await?;
                let at = now_text();
                let hash = event.chain_hash(id, &at, &prev_hash);
                sqlx::query(
                    r"
                    insert into audit_event
                        (id, at, actor_id, actor, action, record, client, address, outcome, detail, prev_hash, hash)
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)
                    ",
                )
                .bind(id)
                .bind(&at)
                .bind(event.actor_id)
                .bind(&event.actor)
                .bind(&event.action)
                .bind(&event.record)
                .bind(&event.client)
                .bind(&event.address)
                .bind(event.outcome.as_str())
                .bind(&event.detail)
                .bind(&prev_hash)
                .bind(&hash)
                .execute(&mut **tx)
                .await?;
                sqlx::query(
                    r"
                    update audit_head
                    set last_hash = $1
                    where id = 1
                    ",
                )
                .bind(&hash)
                .execute(&mut **tx)
                .await?;
                Ok(AuditEntry { id, at, event: event.clone(), prev_hash, hash })
            }
        }

        #[async_trait::async_trait]
        impl AuditStore for $store {
            async fn append_audit(&self, event: &AuditEvent) -> Result<AuditEntry> {
                let mut tx = self.begin_write().await?;
                let entry = Self::append_in(&mut tx, event).await?;
                tx.commit().await?;
                Ok(entry)
            }

            async fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> = sqlx::query_as(
                    r"
                    select id, at, actor_id, actor, action, record, client, address, outcome, detail, prev_hash, hash
                    from audit_event
                    order by id
                    ",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(AuditRow::into_entry).collect()
            }

            async fn audit_head(&self) -> Result<Option<(i64, String)>> {
                Ok(sqlx::query_as(
                    r"
                    select last_id, last_hash
                    from audit_head
                    where id = 1
                    ",
                )
                .fetch_optional(&self.pool)
                .await?)
            }

            async fn search_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> = sqlx::query_as(
                    r"
                    select id, at, actor_id, actor, action, record, client, address, outcome, detail, prev_hash, hash
                    from audit_event
                    where ($1 is null or actor = $1)
                      and ($2 is null or client = $2)
                      and ($3 is null or action = $3)
                      and ($4 is null or at >= $4)
                      and ($5 is null or at < $5)
                    order by id desc
                    limit $6
                    ",
                )
                .bind(&filter.actor)
                .bind(&filter.client)
                .bind(&filter.action)
                .bind(&filter.from)
                .bind(&filter.until)
                .bind(filter.limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(AuditRow::into_entry).collect()
            }
        }
    };
}

impl_audit_store!(SqliteStore, sqlx::Sqlite);
impl_audit_store!(PgStore, sqlx::Postgres);

/// Verifies the whole audit trail of `store` against its head.
///
/// # Errors
/// The outer error when the trail cannot be read; the inner one names the first entry that
/// was edited, deleted or reordered.
pub async fn verify_audit_trail(
    store: &dyn crate::Store,
) -> Result<std::result::Result<usize, evident_core::access::audit::ChainBreak>> {
    let entries = store.audit_entries().await?;
    let head = store.audit_head().await?;
    // An empty trail's head is (0, genesis): there is no newest entry to compare with.
    let head = head.filter(|(id, _)| *id > 0);
    Ok(evident_core::access::audit::verify_chain(
        &entries,
        head.as_ref().map(|(id, hash)| (*id, hash.as_str())),
    ))
}
