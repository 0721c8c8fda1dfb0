//! [`super::FollowUpStore`] in SQL, for both backends.

use super::rows::*;
use super::*;
use crate::{PgStore, Result, SqliteStore, StorageError};
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::followup::instrument::Instrument;
use evident_core::followup::{
    Case, Client, GoalOutcome, Intervention, LifeArea, Measurement, Need,
};
use evident_core::person::Pseudonym;

/// Implements [`FollowUpStore`] for a backend.
macro_rules! impl_follow_up_store {
    ($store:ty) => {
        impl $store {
            /// The pseudonym of the client a case belongs to, for audit entries.
            async fn case_client(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                case_id: i64,
            ) -> Result<String> {
                let pseudonym: Option<String> = sqlx::query_scalar(
                    r"
                    select c.pseudonym
                    from case_record r
                    join client c on c.id = r.client_id
                    where r.id = $1
                    ",
                )
                .bind(case_id)
                .fetch_optional(&mut **tx)
                .await?;
                pseudonym.ok_or_else(|| StorageError::not_found("case", case_id))
            }

            async fn audit_client(
                &self,
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                actor: &Actor,
                action: &str,
                record: String,
                client: String,
            ) -> Result<()> {
                let mut event = AuditEvent::new(actor, action, record, Outcome::Allowed);
                event.client = Some(client);
                self.append_in(tx, &event).await?;
                Ok(())
            }
        }

        #[async_trait::async_trait]
        impl FollowUpStore for $store {
            async fn register_client(&self, client: &NewClient, actor: &Actor) -> Result<(Client, bool)> {
                let mut tx = self.begin_write().await?;
                let inserted: Option<i64> = sqlx::query_scalar(
                    r"
                    insert into client (pseudonym, authority, statistical_key, birth_year, sex)
                    values ($1, $2, $3, $4, $5)
                    on conflict (pseudonym) do nothing
                    returning id
                    ",
                )
                .bind(client.pseudonym.as_str())
                .bind(client.authority.as_str())
                .bind(client.statistical_key.as_str())
                .bind(client.birth_year)
                .bind(client.sex.as_str())
                .fetch_optional(&mut *tx)
                .await?;
                sqlx::query(super::ASSIGN_PERSON_IDS).execute(&mut *tx).await?;
                let row: ClientRow = sqlx::query_as(
                    r"
                    select id, pseudonym, authority, birth_year, sex
                    from client
                    where pseudonym = $1
                    ",
                )
                .bind(client.pseudonym.as_str())
                .fetch_one(&mut *tx)
                .await?;
                let action = if inserted.is_some() { "client.register" } else { "client.find" };
                self.audit_client(&mut tx, actor, action, format!("client:{}", row.id), row.pseudonym.clone()).await?;
                tx.commit().await?;
                Ok((row.into_client()?, inserted.is_some()))
            }

            async fn get_client(&self, id: i64) -> Result<Client> {
                let row: Option<ClientRow> = sqlx::query_as(
                    r"
                    select id, pseudonym, authority, birth_year, sex
                    from client
                    where id = $1
                    ",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or_else(|| StorageError::not_found("client", id))?.into_client()
            }

            async fn find_client(&self, authority: &str, pseudonym: &Pseudonym) -> Result<Option<Client>> {
                let row: Option<ClientRow> = sqlx::query_as(
                    r"
                    select id, pseudonym, authority, birth_year, sex
                    from client
                    where pseudonym = $1
                      and authority = $2
                    ",
                )
                .bind(pseudonym.as_str())
                .bind(authority)
                .fetch_optional(&self.pool)
                .await?;
                row.map(ClientRow::into_client).transpose()
            }

            async fn open_case(&self, client_id: i64, unit: &OrgCode, opened_on: NaiveDate, schedule: &[u32], actor: &Actor) -> Result<Case> {
                let mut tx = self.begin_write().await?;
                let id: Option<i64> = sqlx::query_scalar(
                    r"
                    insert into case_record (client_id, unit_code, opened_on, schedule)
                    select c.id, u.code, $3, $4
                    from client c, unit u
                    where c.id = $1
                      and u.code = $2
                    returning id
                    ",
                )
                .bind(client_id)
                .bind(unit.as_str())
                .bind(opened_on)
                .bind(schedule_text(schedule))
                .fetch_optional(&mut *tx)
                .await?;
                let id = id.ok_or_else(|| StorageError::NotFound(format!("client {client_id} or unit {unit}")))?;
                let client = Self::case_client(&mut tx, id).await?;
                self.audit_client(&mut tx, actor, "case.open", format!("case:{id}"), client).await?;
                tx.commit().await?;
                Ok(Case { id, client_id, unit: unit.clone(), opened_on, closed_on: None, schedule: schedule.to_vec() })
            }

            async fn get_case(&self, id: i64) -> Result<Case> {
                let row: Option<CaseRow> = sqlx::query_as(
                    r"
                    select id, client_id, unit_code, opened_on, closed_on, schedule
                    from case_record
                    where id = $1
                    ",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                row.ok_or_else(|| StorageError::not_found("case", id))?.into_case()
            }

            async fn close_case(&self, id: i64, closed_on: NaiveDate, actor: &Actor) -> Result<()> {
                let mut tx = self.begin_write().await?;
                let closed = sqlx::query(
                    r"
                    update case_record
                    set closed_on = $2
                    where id = $1
                      and closed_on is null
                    ",
                )
                .bind(id)
                .bind(closed_on)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if closed == 0 {
                    return Err(StorageError::not_found("open case", id));
                }
                let client = Self::case_client(&mut tx, id).await?;
                self.audit_client(&mut tx, actor, "case.close", format!("case:{id}"), client).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_client_cases(&self, client_id: i64) -> Result<Vec<Case>> {
                let rows: Vec<CaseRow> = sqlx::query_as(
                    r"
                    select id, client_id, unit_code, opened_on, closed_on, schedule
                    from case_record
                    where client_id = $1
                    order by opened_on, id
                    ",
                )
                .bind(client_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(CaseRow::into_case).collect()
            }

            async fn list_unit_cases(&self, unit: &OrgCode) -> Result<Vec<Case>> {
                let rows: Vec<CaseRow> = sqlx::query_as(
                    r"
                    select id, client_id, unit_code, opened_on, closed_on, schedule
                    from case_record
                    where unit_code = $1
                    order by opened_on desc, id desc
                    ",
                )
                .bind(unit.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(CaseRow::into_case).collect()
            }

            async fn add_intervention(&self, case_id: i64, new: &NewIntervention, actor: &Actor) -> Result<Intervention> {
                new.dates.validate()?;
                let instruments = self.instruments_by_id().await?;
                let mut tx = self.begin_write().await?;
                let client = Self::case_client(&mut tx, case_id).await?;
                let before = Self::case_facts_in(&mut tx, case_id, &instruments).await?;
                let id: Option<i64> = sqlx::query_scalar(
                    r"
                    insert into intervention
                        (case_id, type_code, legal_basis, provider_code, applied_on, decided_on, started_on, ended_on, end_reason)
                    select $1, $2, $3, u.code, $5, $6, $7, $8, $9
                    from unit u
                    where u.code = $4
                    returning id
                    ",
                )
                .bind(case_id)
                .bind(&new.type_code)
                .bind(new.legal_basis.as_str())
                .bind(new.provider.as_str())
                .bind(new.dates.applied_on)
                .bind(new.dates.decided_on)
                .bind(new.dates.started_on)
                .bind(new.dates.ended_on)
                .bind(&new.end_reason)
                .fetch_optional(&mut *tx)
                .await?;
                let id = id.ok_or_else(|| StorageError::not_found("provider unit", &new.provider))?;
                Self::refresh_case_in(&mut tx, case_id, before, &instruments).await?;
                self.audit_client(&mut tx, actor, "intervention.add", format!("intervention:{id}"), client).await?;
                tx.commit().await?;
                Ok(Intervention {
                    id,
                    case_id,
                    type_code: new.type_code.clone(),
                    legal_basis: new.legal_basis,
                    provider: new.provider.clone(),
                    dates: new.dates,
                    end_reason: new.end_reason.clone(),
                })
            }

            async fn list_interventions(&self, case_id: i64) -> Result<Vec<Intervention>> {
                let rows: Vec<InterventionRow> = sqlx::query_as(
                    r"
                    select id, case_id, type_code, legal_basis, provider_code, applied_on, decided_on, started_on, ended_on, end_reason
                    from intervention
                    where case_id = $1
                    order by id
                    ",
                )
                .bind(case_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(InterventionRow::into_intervention).collect()
            }

            async fn add_need(&self, case_id: i64, area: LifeArea, description: &str, actor: &Actor) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let client = Self::case_client(&mut tx, case_id).await?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into need (case_id, life_area, description)
                    values ($1, $2, $3)
                    returning id
                    ",
                )
                .bind(case_id)
                .bind(area.as_str())
                .bind(description)
                .fetch_one(&mut *tx)
                .await?;
                self.audit_client(&mut tx, actor, "need.add", format!("need:{id}"), client).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn add_goal(&self, need_id: i64, description: &str, actor: &Actor) -> Result<i64> {
                let mut tx = self.begin_write().await?;
                let case_id: Option<i64> = sqlx::query_scalar(
                    r"
                    select case_id
                    from need
                    where id = $1
                    ",
                )
                .bind(need_id)
                .fetch_optional(&mut *tx)
                .await?;
                let case_id = case_id.ok_or_else(|| StorageError::not_found("need", need_id))?;
                let client = Self::case_client(&mut tx, case_id).await?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into goal (need_id, description)
                    values ($1, $2)
                    returning id
                    ",
                )
                .bind(need_id)
                .bind(description)
                .fetch_one(&mut *tx)
                .await?;
                self.audit_client(&mut tx, actor, "goal.add", format!("goal:{id}"), client).await?;
                tx.commit().await?;
                Ok(id)
            }

            async fn set_goal_outcome(&self, goal_id: i64, outcome: GoalOutcome, actor: &Actor) -> Result<()> {
                let instruments = self.instruments_by_id().await?;
                let mut tx = self.begin_write().await?;
                let case_id: Option<i64> = sqlx::query_scalar(
                    r"
                    select n.case_id
                    from goal g
                    join need n on n.id = g.need_id
                    where g.id = $1
                    ",
                )
                .bind(goal_id)
                .fetch_optional(&mut *tx)
                .await?;
                let case_id = case_id.ok_or_else(|| StorageError::not_found("goal", goal_id))?;
                let before = Self::case_facts_in(&mut tx, case_id, &instruments).await?;
                sqlx::query(
                    r"
                    update goal
                    set outcome = $2
                    where id = $1
                    ",
                )
                .bind(goal_id)
                .bind(outcome.as_str())
                .execute(&mut *tx)
                .await?;
                Self::refresh_case_in(&mut tx, case_id, before, &instruments).await?;
                let client = Self::case_client(&mut tx, case_id).await?;
                self.audit_client(&mut tx, actor, "goal.follow_up", format!("goal:{goal_id}"), client).await?;
                tx.commit().await?;
                Ok(())
            }

            async fn list_needs(&self, case_id: i64) -> Result<Vec<Need>> {
                let needs: Vec<NeedRow> = sqlx::query_as(
                    r"
                    select id, case_id, life_area, description
                    from need
                    where case_id = $1
                    order by id
                    ",
                )
                .bind(case_id)
                .fetch_all(&self.pool)
                .await?;
                let goals: Vec<GoalRow> = sqlx::query_as(
                    r"
                    select g.id, g.need_id, g.description, g.outcome
                    from goal g
                    join need n on n.id = g.need_id
                    where n.case_id = $1
                    order by g.id
                    ",
                )
                .bind(case_id)
                .fetch_all(&self.pool)
                .await?;
                assemble_needs(needs, goals)
            }

            async fn save_instrument(&self, instrument: &Instrument) -> Result<()> {
                // Every way in checks the id already; the store checks again so that no caller
                // can put a formula or a path into the id column.
                evident_core::followup::instrument::check_id(&instrument.id)?;
                let definition = serde_json::to_string(instrument).map_err(|e| anyhow::anyhow!("serialising {}: {e}", instrument.id))?;
                sqlx::query(
                    r"
                    insert into instrument (id, version, title, definition)
                    values ($1, $2, $3, $4)
                    on conflict (id, version) do nothing
                    ",
                )
                .bind(&instrument.id)
                .bind(&instrument.version)
                .bind(&instrument.title)
                .bind(definition)
                .execute(&self.pool)
                .await?;
                Ok(())
            }

            async fn get_instrument(&self, id: &str, version: &str) -> Result<Instrument> {
                let definition: Option<String> = sqlx::query_scalar(
                    r"
                    select definition
                    from instrument
                    where id = $1
                      and version = $2
                    ",
                )
                .bind(id)
                .bind(version)
                .fetch_optional(&self.pool)
                .await?;
                parse_definition(&definition.ok_or_else(|| StorageError::not_found("instrument", format!("{id} version {version}")))?)
            }

            async fn newest_instrument(&self, id: &str) -> Result<Instrument> {
                // The same order list_instruments keeps the last of: creation, then version.
                let definition: Option<String> = sqlx::query_scalar(
                    r"
                    select definition
                    from instrument
                    where id = $1
                    order by created_at desc, version desc
                    limit 1
                    ",
                )
                .bind(id)
                .fetch_optional(&self.pool)
                .await?;
                parse_definition(&definition.ok_or_else(|| StorageError::not_found("instrument", id))?)
            }

            async fn list_instruments(&self) -> Result<Vec<Instrument>> {
                let rows: Vec<(String, String, String)> = sqlx::query_as(
                    r"
                    select id, version, definition
                    from instrument
                    order by id, created_at, version
                    ",
                )
                .fetch_all(&self.pool)
                .await?;
                let mut newest: Vec<Instrument> = Vec::new();
                for (id, _, definition) in rows {
                    let instrument = parse_definition(&definition)?;
                    match newest.last_mut() {
                        Some(last) if last.id == id => *last = instrument,
                        _ => newest.push(instrument),
                    }
                }
                Ok(newest)
            }

            async fn record_measurement(&self, case_id: i64, new: &NewMeasurement, actor: &Actor) -> Result<Measurement> {
                let answers = serde_json::to_string(&new.answers).map_err(|e| anyhow::anyhow!("serialising answers: {e}"))?;
                let instruments = self.instruments_by_id().await?;
                let mut tx = self.begin_write().await?;
                let client = Self::case_client(&mut tx, case_id).await?;
                let before = Self::case_facts_in(&mut tx, case_id, &instruments).await?;
                let id: i64 = sqlx::query_scalar(
                    r"
                    insert into measurement
                        (case_id, instrument_id, instrument_version, time_point, month, measured_on, respondent, answers, score)
                    values ($1, $2, $3, $4, $5, $6, $7, $8, $9)
                    returning id
                    ",
                )
                .bind(case_id)
                .bind(&new.instrument.0)
                .bind(&new.instrument.1)
                .bind(new.time_point.as_str())
                .bind(new.month.map(|m| m as i32))
                .bind(new.measured_on)
                .bind(new.respondent.as_str())
                .bind(answers)
                .bind(new.score)
                .fetch_one(&mut *tx)
                .await?;
                Self::refresh_case_in(&mut tx, case_id, before, &instruments).await?;
                self.audit_client(&mut tx, actor, "measurement.record", format!("measurement:{id}"), client).await?;
                tx.commit().await?;
                Ok(Measurement {
                    id,
                    case_id,
                    instrument_id: new.instrument.0.clone(),
                    instrument_version: new.instrument.1.clone(),
                    time_point: new.time_point,
                    month: new.month,
                    measured_on: new.measured_on,
                    respondent: new.respondent,
                    answers: new.answers.clone(),
                    score: new.score,
                })
            }

            async fn list_measurements(&self, case_id: i64) -> Result<Vec<Measurement>> {
                let rows: Vec<MeasurementRow> = sqlx::query_as(
                    r"
                    select id, case_id, instrument_id, instrument_version, time_point, month, measured_on, respondent, answers, score
                    from measurement
                    where case_id = $1
                    order by measured_on, id
                    ",
                )
                .bind(case_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(MeasurementRow::into_measurement).collect()
            }
        }
    };
}

impl_follow_up_store!(SqliteStore);
impl_follow_up_store!(PgStore);
