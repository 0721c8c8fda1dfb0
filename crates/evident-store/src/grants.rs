//! Agreements, disbursement decisions, their events (requisitions, payments, repayments,
//! reports) and grant plans in the database. Documents are kept as written (interchange JSON)
//! and parsed on the way out; every write checks what is stored in the same transaction and
//! appends its audit entry, carrying the reason given.

use crate::{PgStore, Result, SqliteStore, StorageError};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::grants::Ore;
use evident_core::grants::document::{Agreement, Disbursement};
use evident_core::grants::ledger::{
    EventKind, GrantEvent, NewGrantEvent, RecordedEvent, Target, check_flow, decided, flows,
};
use std::collections::HashMap;

/// The kind of a stored plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanKind {
    /// A performance-based grant.
    Performance,
    /// A tapering plan.
    Tapering,
}

impl PlanKind {
    fn as_str(self) -> &'static str {
        match self {
            Self::Performance => "performance",
            Self::Tapering => "tapering",
        }
    }
}

/// Storing and reading agreements and what follows from them.
#[async_trait::async_trait]
pub trait GrantStore {
    /// Stores an agreement as written; `reason` goes into the audit trail.
    ///
    /// # Errors
    /// [`StorageError::Conflict`] on `id` when an agreement has that id.
    async fn import_agreement(
        &self,
        agreement: &Agreement,
        reason: &str,
        actor: &Actor,
    ) -> Result<()>;

    /// Stores a disbursement decision after checking it against its agreement and every
    /// decision before it, in one transaction.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown agreement; [`StorageError::Rejected`] naming
    /// `file` and the line when a line names an unknown initiative or exceeds what remains;
    /// [`StorageError::Conflict`] on `id` for a decision already stored.
    async fn import_disbursement(
        &self,
        disbursement: &Disbursement,
        file: &str,
        reason: &str,
        actor: &Actor,
    ) -> Result<()>;

    /// Every agreement, by year and id.
    async fn list_agreements(&self) -> Result<Vec<Agreement>>;

    /// One agreement.
    ///
    /// # Errors
    /// [`StorageError::NotFound`].
    async fn get_agreement(&self, id: &str) -> Result<Agreement>;

    /// Every decision of an agreement (`None`: all), by date.
    async fn list_disbursements(&self, agreement: Option<&str>) -> Result<Vec<Disbursement>>;

    /// Records a requisition, payment, repayment or report after checking it against the
    /// decisions and the events so far.
    ///
    /// # Errors
    /// [`StorageError::NotFound`] for an unknown agreement; [`StorageError::Rejected`] for a
    /// target outside the agreement's decisions or an amount beyond what the flow allows.
    async fn record_grant_event(&self, event: &NewGrantEvent, actor: &Actor) -> Result<GrantEvent>;

    /// An agreement's events, oldest first (its history).
    async fn list_grant_events(&self, agreement: Option<&str>) -> Result<Vec<GrantEvent>>;

    /// Stores (or replaces) a plan document.
    async fn save_grant_plan(
        &self,
        kind: PlanKind,
        id: &str,
        document: &serde_json::Value,
        reason: &str,
        actor: &Actor,
    ) -> Result<()>;

    /// Every plan of a kind, by id, as stored JSON.
    async fn list_grant_plans(&self, kind: PlanKind) -> Result<Vec<(String, serde_json::Value)>>;
}

#[derive(sqlx::FromRow)]
struct EventRow {
    id: i64,
    agreement_id: String,
    kind: String,
    target: String,
    amount_ore: Option<i64>,
    occurred_on: chrono::NaiveDate,
    note: Option<String>,
    reason: String,
    recorded_by: String,
    recorded_at: String,
}

impl EventRow {
    fn into_event(self) -> Result<GrantEvent> {
        Ok(GrantEvent {
            id: self.id,
            event: RecordedEvent {
                agreement: self.agreement_id,
                kind: EventKind::parse(&self.kind)?,
                target: Target::parse(&self.target)?,
                amount: self.amount_ore.map(Ore),
                occurred_on: self.occurred_on,
                note: self.note,
                reason: self.reason,
            },
            recorded_by: self.recorded_by,
            recorded_at: self.recorded_at,
        })
    }
}

fn parse_agreement(id: &str, document: &str) -> Result<Agreement> {
    Agreement::parse(&format!("stored agreement {id}"), document).map_err(StorageError::from)
}

fn parse_disbursement(id: &str, document: &str) -> Result<Disbursement> {
    Disbursement::parse(&format!("stored decision {id}"), document).map_err(StorageError::from)
}

/// Implements [`GrantStore`] for a backend struct with a `pool` field.
macro_rules! impl_grant_store {
    ($store:ty) => {
        impl $store {
            async fn agreement_in(
                executor: impl sqlx::Executor<'_, Database = <Self as crate::Backed>::Db>,
                id: &str,
            ) -> Result<Agreement> {
                let document: Option<String> = sqlx::query_scalar(
                    r"
                    select document
                    from agreement
                    where id = $1
                    ",
                )
                .bind(id)
                .fetch_optional(executor)
                .await?;
                let document = document.ok_or_else(|| StorageError::not_found("agreement", id))?;
                parse_agreement(id, &document)
            }

            async fn disbursements_in(
                executor: impl sqlx::Executor<'_, Database = <Self as crate::Backed>::Db>,
                agreement: Option<&str>,
            ) -> Result<Vec<Disbursement>> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    r"
                    select id, document
                    from disbursement
                    where $1 is null or agreement_id = $1
                    order by decided_on, id
                    ",
                )
                .bind(agreement)
                .fetch_all(executor)
                .await?;
                rows.iter().map(|(id, doc)| parse_disbursement(id, doc)).collect()
            }

            async fn events_in(
                executor: impl sqlx::Executor<'_, Database = <Self as crate::Backed>::Db>,
                agreement: Option<&str>,
            ) -> Result<Vec<GrantEvent>> {
                let rows: Vec<EventRow> = sqlx::query_as(
                    r"
                    select id, agreement_id, kind, target, amount_ore, occurred_on, note, reason,
                           recorded_by, cast(recorded_at as text) as recorded_at
                    from grant_event
                    where $1 is null or agreement_id = $1
                    order by id
                    ",
                )
                .bind(agreement)
                .fetch_all(executor)
                .await?;
                rows.into_iter().map(EventRow::into_event).collect()
            }
        }

        #[async_trait::async_trait]
        impl GrantStore for $store {
            #[tracing::instrument(skip_all, fields(agreement = %agreement.id))]
            async fn import_agreement(&self, agreement: &Agreement, reason: &str, actor: &Actor) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    r"
                    insert into agreement (id, year, title, document)
                    values ($1, $2, $3, $4)
                    ",
                )
                .bind(&agreement.id)
                .bind(agreement.year)
                .bind(&agreement.title)
                .bind(agreement.to_json().to_string())
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "agreement.import", format!("agreement:{}", agreement.id), Outcome::Allowed)
                    .with_detail(reason);
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(())
            }

            #[tracing::instrument(skip_all, fields(decision = %disbursement.id))]
            async fn import_disbursement(
                &self,
                disbursement: &Disbursement,
                file: &str,
                reason: &str,
                actor: &Actor,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let agreement = Self::agreement_in(&mut *tx, &disbursement.agreement).await?;
                let mut already: HashMap<String, Ore> = HashMap::new();
                for earlier in Self::disbursements_in(&mut *tx, Some(&agreement.id)).await? {
                    for line in earlier.grants.iter().flat_map(|g| &g.lines) {
                        *already.entry(line.initiative.clone()).or_default() += line.amount_ore;
                    }
                }
                disbursement
                    .check_against(file, &agreement, &already)
                    .map_err(StorageError::Rejected)?;
                sqlx::query(
                    r"
                    insert into disbursement (id, agreement_id, decided_on, document)
                    values ($1, $2, $3, $4)
                    ",
                )
                .bind(&disbursement.id)
                .bind(&disbursement.agreement)
                .bind(disbursement.decided_on)
                .bind(disbursement.to_json().to_string())
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, "disbursement.import", format!("agreement:{}", agreement.id), Outcome::Allowed)
                    .with_detail(format!("decision {} of {}: {reason}", disbursement.id, disbursement.total().kr()));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_agreements(&self) -> Result<Vec<Agreement>> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    r"
                    select id, document
                    from agreement
                    order by year, id
                    ",
                )
                .fetch_all(&self.pool)
                .await?;
                rows.iter().map(|(id, doc)| parse_agreement(id, doc)).collect()
            }

            async fn get_agreement(&self, id: &str) -> Result<Agreement> {
                Self::agreement_in(&self.pool, id).await
            }

            async fn list_disbursements(&self, agreement: Option<&str>) -> Result<Vec<Disbursement>> {
                Self::disbursements_in(&self.pool, agreement).await
            }

            #[tracing::instrument(skip_all, fields(agreement = %new.agreement))]
            async fn record_grant_event(&self, new: &NewGrantEvent, actor: &Actor) -> Result<GrantEvent> {
                let mut tx = self.begin_write().await?;
                let agreement = Self::agreement_in(&mut *tx, &new.agreement).await?;
                let decisions = Self::disbursements_in(&mut *tx, Some(&agreement.id)).await?;
                let rejected = |problem: String| StorageError::Rejected(evident_core::DomainError::new("target", problem));
                match (&new.target, new.amount) {
                    (Target::Report { source, obligation }, _) => {
                        let count = if *source == agreement.id {
                            agreement.report_obligations.len()
                        } else {
                            decisions
                                .iter()
                                .find(|d| d.id == *source)
                                .map_or(0, |d| d.report_obligations.len())
                        };
                        if *obligation > count {
                            return Err(rejected(format!(
                                "{} is not a report obligation of agreement {} or its decisions",
                                new.target, agreement.id
                            )));
                        }
                    }
                    (target, Some(amount)) => {
                        if decided(&decisions, target).is_none() {
                            return Err(rejected(format!(
                                "{target} is not a grant line of the decisions under agreement {}",
                                agreement.id
                            )));
                        }
                        let events: Vec<RecordedEvent> = Self::events_in(&mut *tx, Some(&agreement.id))
                            .await?
                            .into_iter()
                            .map(|e| e.event)
                            .collect();
                        let so_far = flows(&decisions, &events).get(target).copied().unwrap_or_default();
                        check_flow(new.kind, amount, &so_far).map_err(StorageError::Rejected)?;
                    }
                    (_, None) => {}
                }
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into grant_event (agreement_id, kind, target, amount_ore, occurred_on, note, reason, recorded_by)
                    values ($1, $2, $3, $4, $5, $6, $7, $8)
                    returning id
                    ",
                )
                .bind(&new.agreement)
                .bind(new.kind.as_str())
                .bind(new.target.to_string())
                .bind(new.amount.map(|a| a.0))
                .bind(new.occurred_on)
                .bind(new.note.as_deref())
                .bind(&new.reason)
                .bind(&actor.label)
                .fetch_one(&mut *tx)
                .await?;
                let amount = new.amount.map(|a| format!(" {}", a.kr())).unwrap_or_default();
                let event = AuditEvent::new(
                    actor,
                    &format!("grant.{}", new.kind.as_str()),
                    format!("agreement:{}", new.agreement),
                    Outcome::Allowed,
                )
                .with_detail(format!("{}{amount} on {}: {}", new.target, new.occurred_on, new.reason));
                self.append_in(&mut tx, &event).await?;
                let stored = Self::events_in(&mut *tx, Some(&new.agreement))
                    .await?
                    .into_iter()
                    .find(|e| e.id == id)
                    .ok_or_else(|| anyhow::anyhow!("the event just stored is gone"))?;
                tx.commit().await?;
                Ok(stored)
            }

            async fn list_grant_events(&self, agreement: Option<&str>) -> Result<Vec<GrantEvent>> {
                Self::events_in(&self.pool, agreement).await
            }

            async fn save_grant_plan(
                &self,
                kind: PlanKind,
                id: &str,
                document: &serde_json::Value,
                reason: &str,
                actor: &Actor,
            ) -> Result<()> {
                let mut tx = self.begin_write().await?;
                sqlx::query(
                    r"
                    delete from grant_plan
                    where id = $1
                    ",
                )
                .bind(id)
                .execute(&mut *tx)
                .await?;
                sqlx::query(
                    r"
                    insert into grant_plan (id, kind, document)
                    values ($1, $2, $3)
                    ",
                )
                .bind(id)
                .bind(kind.as_str())
                .bind(document.to_string())
                .execute(&mut *tx)
                .await?;
                let event = AuditEvent::new(actor, &format!("grant_plan.{}", kind.as_str()), format!("grant_plan:{id}"), Outcome::Allowed)
                    .with_detail(reason);
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_grant_plans(&self, kind: PlanKind) -> Result<Vec<(String, serde_json::Value)>> {
                let rows: Vec<(String, String)> = sqlx::query_as(
                    r"
                    select id, document
                    from grant_plan
                    where kind = $1
                    order by id
                    ",
                )
                .bind(kind.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(|(id, doc)| {
                        let value = serde_json::from_str(&doc)
                            .map_err(|e| anyhow::anyhow!("stored plan {id} is not JSON: {e}"))?;
                        Ok((id, value))
                    })
                    .collect()
            }
        }
    };
}

impl_grant_store!(SqliteStore);
impl_grant_store!(PgStore);
