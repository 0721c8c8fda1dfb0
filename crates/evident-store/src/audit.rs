//! The audit trail in the database: appended in the same transaction as the change it
//! records, sealed with the audit key, never updated or deleted (the schema's triggers refuse
//! it), searched by auditors, verified end to end in batches and anchored by checkpoints kept
//! outside the database. A list view's clients are also kept one row each in
//! `audit_listed_client` (append-only too), for searches by client; verification checks those
//! rows against the view's sealed detail.

use crate::{PgStore, Result, SqliteStore};
use evident_core::access::audit::{
    AuditEntry, AuditEvent, AuditKey, ChainBreak, ChainSummary, ChainVerifier, Checkpoint, Outcome,
    verify_listed,
};
use std::collections::HashMap;

/// How many entries verification reads at a time.
const VERIFY_BATCH: i64 = 5_000;

/// How many listed clients one statement inserts (two parameters each, well under either
/// backend's limit).
const LISTED_PER_INSERT: usize = 500;

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
    /// The outcome (`allowed`, `denied`, `failed`), exactly.
    pub outcome: Option<String>,
    /// Entries whose detail starts with this text (e.g. reads under an emergency access).
    pub detail_prefix: Option<String>,
    /// At most this many, newest first.
    pub limit: i64,
}

/// Appending to, reading and searching the audit trail.
#[async_trait::async_trait]
pub trait AuditStore {
    /// Appends one entry on its own (for events that change nothing else: a denial, a read of
    /// identified data, a failed login). A list view ([`AuditEvent::listing`]) also gets one
    /// `audit_listed_client` row per client its detail names, in the same transaction.
    async fn append_audit(&self, event: &AuditEvent) -> Result<AuditEntry>;

    /// Appends `events` in order, all in one transaction (one entry per client an export
    /// touched): either every entry is written or none is.
    async fn append_audit_many(&self, events: &[AuditEvent]) -> Result<Vec<AuditEntry>>;

    /// The whole trail in id order (for tests and small trails; verification reads
    /// [`AuditStore::audit_batch`]).
    async fn audit_entries(&self) -> Result<Vec<AuditEntry>>;

    /// At most `limit` entries with ids above `after_id`, in id order.
    async fn audit_batch(&self, after_id: i64, limit: i64) -> Result<Vec<AuditEntry>>;

    /// The listed clients stored for entries with ids above `after_id` and up to `through_id`
    /// (entry id and pseudonym, by entry id): what verification checks against the entries'
    /// sealed details.
    async fn audit_listed_batch(
        &self,
        after_id: i64,
        through_id: i64,
    ) -> Result<Vec<(i64, String)>>;

    /// The key new entries are sealed with.
    fn audit_key(&self) -> &AuditKey;

    /// The key id of the newest entry, if there is one and it is keyed.
    async fn newest_audit_key_id(&self) -> Result<Option<String>>;

    /// The id and hash of the newest entry, kept apart from the entries; `(0, GENESIS)` for an
    /// empty trail. `None` only when the head row itself is gone.
    async fn audit_head(&self) -> Result<Option<(i64, String)>>;

    /// Entries matching `filter`, newest first. A client's entries include the list views
    /// that listed them.
    async fn search_audit(&self, filter: &AuditFilter) -> Result<Vec<AuditEntry>>;

    /// Per actor and day (`YYYY-MM-DD`, UTC), how many allowed entries concerning a client
    /// were written in `[from, until)`, a list view counting once per client it listed: the
    /// volume of client reads auditors follow up.
    async fn client_reads_per_day(
        &self,
        from: Option<&str>,
        until: Option<&str>,
    ) -> Result<Vec<(String, String, i64)>>;
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
    key_id: String,
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
            key_id: self.key_id,
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
                &self,
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
                let entry = AuditEntry::seal(&self.audit_key, id, now_text(), event.clone(), prev_hash);
                sqlx::query(
                    r"
                    insert into audit_event
                        (id, at, actor_id, actor, action, record, client, address, outcome, detail, key_id, prev_hash, hash)
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
                    ",
                )
                .bind(id)
                .bind(&entry.at)
                .bind(event.actor_id)
                .bind(&event.actor)
                .bind(&event.action)
                .bind(&event.record)
                .bind(&event.client)
                .bind(&event.address)
                .bind(event.outcome.as_str())
                .bind(&event.detail)
                .bind(&entry.key_id)
                .bind(&entry.prev_hash)
                .bind(&entry.hash)
                .execute(&mut **tx)
                .await?;
                for clients in event.listed_clients().chunks(LISTED_PER_INSERT) {
                    let values: Vec<String> = (0..clients.len())
                        .map(|i| format!("($1, ${})", i + 2))
                        .collect();
                    let sql = format!(
                        "insert into audit_listed_client (audit_event_id, client) values {}",
                        values.join(", ")
                    );
                    let mut insert = sqlx::query(sqlx::AssertSqlSafe(sql)).bind(id);
                    for client in clients {
                        insert = insert.bind(*client);
                    }
                    insert.execute(&mut **tx).await?;
                }
                sqlx::query(
                    r"
                    update audit_head
                    set last_hash = $1
                    where id = 1
                    ",
                )
                .bind(&entry.hash)
                .execute(&mut **tx)
                .await?;
                Ok(entry)
            }
        }

        #[async_trait::async_trait]
        impl AuditStore for $store {
            async fn append_audit(&self, event: &AuditEvent) -> Result<AuditEntry> {
                self.audit_queue.append(self, event).await
            }

            async fn append_audit_many(&self, events: &[AuditEvent]) -> Result<Vec<AuditEntry>> {
                let mut tx = self.begin_write().await?;
                let mut entries = Vec::with_capacity(events.len());
                for event in events {
                    entries.push(self.append_in(&mut tx, event).await?);
                }
                tx.commit().await?;
                Ok(entries)
            }

            async fn audit_entries(&self) -> Result<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> = sqlx::query_as(
                    r"
                    select id, at, actor_id, actor, action, record, client, address, outcome, detail, key_id, prev_hash, hash
                    from audit_event
                    order by id
                    ",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(AuditRow::into_entry).collect()
            }

            async fn audit_batch(&self, after_id: i64, limit: i64) -> Result<Vec<AuditEntry>> {
                let rows: Vec<AuditRow> = sqlx::query_as(
                    r"
                    select id, at, actor_id, actor, action, record, client, address, outcome, detail, key_id, prev_hash, hash
                    from audit_event
                    where id > $1
                    order by id
                    limit $2
                    ",
                )
                .bind(after_id)
                .bind(limit)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(AuditRow::into_entry).collect()
            }

            async fn audit_listed_batch(
                &self,
                after_id: i64,
                through_id: i64,
            ) -> Result<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    r"
                    select audit_event_id, client
                    from audit_listed_client
                    where audit_event_id > $1
                      and audit_event_id <= $2
                    order by audit_event_id, client
                    ",
                )
                .bind(after_id)
                .bind(through_id)
                .fetch_all(&self.pool)
                .await?)
            }

            fn audit_key(&self) -> &AuditKey {
                &self.audit_key
            }

            async fn newest_audit_key_id(&self) -> Result<Option<String>> {
                let key_id: Option<String> = sqlx::query_scalar(
                    r"
                    select key_id
                    from audit_event
                    order by id desc
                    limit 1
                    ",
                )
                .fetch_optional(&self.pool)
                .await?;
                Ok(key_id.filter(|k| !k.is_empty()))
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
                // Only the conditions given are in the statement: `($n is null or column = $n)`
                // cannot use an index, and the audit trail is the largest table there is.
                let mut query = sqlx::QueryBuilder::<$db>::new(
                    "select id, at, actor_id, actor, action, record, client, address, outcome, detail, key_id, prev_hash, hash from audit_event where true",
                );
                if let Some(client) = &filter.client {
                    // A client's entries are one set, from the two indexes by client: entries
                    // about the client, and list views that named it.
                    query
                        .push(" and id in (select c.id from audit_event c where c.client = ")
                        .push_bind(client.clone())
                        .push(" union all select l.audit_event_id from audit_listed_client l where l.client = ")
                        .push_bind(client.clone())
                        .push(")");
                }
                let exact = [
                    ("actor", &filter.actor),
                    ("action", &filter.action),
                    ("outcome", &filter.outcome),
                ];
                for (column, value) in exact {
                    if let Some(value) = value {
                        query.push(format_args!(" and {column} = ")).push_bind(value.clone());
                    }
                }
                if let Some(from) = &filter.from {
                    query.push(" and at >= ").push_bind(from.clone());
                }
                if let Some(until) = &filter.until {
                    query.push(" and at < ").push_bind(until.clone());
                }
                if let Some(prefix) = &filter.detail_prefix {
                    query
                        .push(" and substr(detail, 1, length(")
                        .push_bind(prefix.clone())
                        .push(")) = ")
                        .push_bind(prefix.clone());
                }
                query.push(" order by id desc limit ").push_bind(filter.limit);
                let rows: Vec<AuditRow> = query.build_query_as().fetch_all(&self.pool).await?;
                rows.into_iter().map(AuditRow::into_entry).collect()
            }

            async fn client_reads_per_day(
                &self,
                from: Option<&str>,
                until: Option<&str>,
            ) -> Result<Vec<(String, String, i64)>> {
                Ok(sqlx::query_as(
                    r"
                    select e.actor, substr(e.at, 1, 10) as day, count(*) as reads
                    from audit_event e
                    left join audit_listed_client l on l.audit_event_id = e.id
                    where (e.client is not null or l.client is not null)
                      and e.outcome = 'allowed'
                      and ($1 is null or e.at >= $1)
                      and ($2 is null or e.at < $2)
                    group by e.actor, substr(e.at, 1, 10)
                    order by actor, day
                    ",
                )
                .bind(from)
                .bind(until)
                .fetch_all(&self.pool)
                .await?)
            }
        }
    };
}

impl_audit_store!(SqliteStore, sqlx::Sqlite);
impl_audit_store!(PgStore, sqlx::Postgres);

/// Verifies the whole audit trail of `store`, batch by batch, against its head, its key and
/// the `checkpoints` kept outside the database (already authenticated).
///
/// # Errors
/// The outer error when the trail cannot be read; the inner one names the first entry that
/// was edited, deleted, reordered or forged, or whose listed clients (`audit_listed_client`)
/// differ from those its sealed detail names, or the checkpoint the trail no longer reaches.
pub async fn verify_audit_trail(
    store: &dyn crate::Store,
    checkpoints: Vec<Checkpoint>,
) -> Result<std::result::Result<ChainSummary, ChainBreak>> {
    verify_audit_trail_in_batches(store, checkpoints, VERIFY_BATCH).await
}

/// [`verify_audit_trail`], reading `batch` entries at a time.
///
/// # Errors
/// As [`verify_audit_trail`].
pub async fn verify_audit_trail_in_batches(
    store: &dyn crate::Store,
    checkpoints: Vec<Checkpoint>,
    batch: i64,
) -> Result<std::result::Result<ChainSummary, ChainBreak>> {
    let key = store.audit_key();
    // The head is read first: entries appended while the walk runs lie beyond it and are
    // left for the next verification.
    let head = store.audit_head().await?;
    let mut verifier = ChainVerifier::new(key, checkpoints);
    let until = head.as_ref().map_or(i64::MAX, |(id, _)| *id);
    loop {
        let after = verifier.next_id() - 1;
        if after >= until {
            break;
        }
        let entries = store
            .audit_batch(after, batch.max(1).min(until - after))
            .await?;
        let Some(last) = entries.last() else {
            break;
        };
        // The first batch also reads any row before entry 1, which only tampering makes.
        let mut listed: HashMap<i64, Vec<String>> = HashMap::new();
        for (id, client) in store
            .audit_listed_batch(if after == 0 { i64::MIN } else { after }, last.id)
            .await?
        {
            listed.entry(id).or_default().push(client);
        }
        for entry in &entries {
            if let Err(broken) = verifier.push(entry) {
                return Ok(Err(broken));
            }
            let rows = listed.remove(&entry.id).unwrap_or_default();
            if let Err(broken) = verify_listed(entry, &rows) {
                return Ok(Err(broken));
            }
        }
        // Rows of an entry that is not in the trail (ids are checked without gaps above, so
        // only ids out of its range are left).
        if let Some(id) = listed.keys().min() {
            return Ok(Err(ChainBreak {
                id: *id,
                problem: "has listed clients but no entry: a listed client was added behind the \
                          store's back"
                    .to_owned(),
            }));
        }
    }
    Ok(verifier.finish(head.as_ref().map(|(id, hash)| (*id, hash.as_str()))))
}

/// A checkpoint of the trail's head now, signed with the store's audit key.
///
/// # Errors
/// When the head cannot be read, or is missing (the head row was deleted).
pub async fn checkpoint(store: &dyn crate::Store) -> Result<Checkpoint> {
    let (id, hash) = store.audit_head().await?.ok_or_else(|| {
        crate::StorageError::Unavailable(
            "the audit trail's head is missing: the trail cannot be checkpointed; run \
             `evident audit verify`"
                .to_owned(),
        )
    })?;
    Ok(Checkpoint::sign(store.audit_key(), id, &hash, &now_text()))
}
