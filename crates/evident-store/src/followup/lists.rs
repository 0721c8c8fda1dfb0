//! Reading many follow-up records at once: a unit's or a client's records in a fixed few
//! queries, never one per case, and a unit's cases in keyset pages. The rows come back with
//! their case id, for the caller to group.

use super::rows::*;
use crate::{PgStore, Result, SqliteStore};
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::followup::progress::MeasuredScore;
use evident_core::followup::{Case, Client, Intervention, Measurement, Need, TimePoint};

/// Reading a unit's or a client's follow-up records in bulk.
#[async_trait::async_trait]
pub trait FollowUpListStore {
    /// One page of the cases at a unit, each with its client, in the order of
    /// [`super::FollowUpStore::list_unit_cases`] (newest opening day first, then highest id):
    /// up to `limit` cases after case `after`, or from the first when `None`. Pages are keyset
    /// pages, so one costs the same wherever it starts and a case opened meanwhile never
    /// shifts them; a case `after` that is not the unit's gives an empty page.
    async fn list_unit_cases_page(
        &self,
        unit: &OrgCode,
        after: Option<i64>,
        limit: u32,
    ) -> Result<Vec<(Case, Client)>>;

    /// Every client with a case at a unit, once each, by id.
    async fn list_unit_clients(&self, unit: &OrgCode) -> Result<Vec<Client>>;

    /// The scores of every case at a unit, without the answers: the cases in the order of
    /// [`super::FollowUpStore::list_unit_cases`] (newest opening day first, then highest id),
    /// within a case by day measured, then by id. What the unit's follow-up table reads.
    async fn list_unit_scores(&self, unit: &OrgCode) -> Result<Vec<MeasuredScore>>;

    /// The unit's data version: it moves with every write to one of its cases and every
    /// import into it (migration 0023), so a table computed from its cases at one version
    /// is still right while the version is the same.
    async fn unit_data_version(&self, unit: &OrgCode) -> Result<i64>;

    /// The intervention types started in each case at a unit (those with a start date): case
    /// id and type code, each pair once, by case id.
    async fn list_unit_started_types(&self, unit: &OrgCode) -> Result<Vec<(i64, String)>>;

    /// The measurements of every case of a client: by case id, then as
    /// [`super::FollowUpStore::list_measurements`] orders them.
    async fn list_client_measurements(&self, client_id: i64) -> Result<Vec<Measurement>>;

    /// The interventions of every case of a client: by case id, then by id.
    async fn list_client_interventions(&self, client_id: i64) -> Result<Vec<Intervention>>;

    /// The needs of every case of a client with their goals: by case id, then by id.
    async fn list_client_needs(&self, client_id: i64) -> Result<Vec<Need>>;

    /// How many measurements the cases at a unit hold, and the highest of their ids (`None`
    /// when there are none): the extent of an export, fixed before it is written.
    async fn unit_measurement_extent(&self, unit: &OrgCode) -> Result<(u64, Option<i64>)>;

    /// The measurements with an id up to `through` of the unit's cases from case `first` to
    /// case `last` (both included) in the order of [`Self::list_unit_cases_page`]: the
    /// measurements of one page of cases in one query, for exports. By case id, within a
    /// case as [`super::FollowUpStore::list_measurements`] orders them.
    async fn list_unit_page_measurements(
        &self,
        unit: &OrgCode,
        first: i64,
        last: i64,
        through: i64,
    ) -> Result<Vec<Measurement>>;
}

/// A case with its client's columns, as the page of a unit's cases reads it.
#[derive(sqlx::FromRow)]
struct CaseClientRow {
    #[sqlx(flatten)]
    case: CaseRow,
    pseudonym: String,
    authority: String,
    birth_year: i32,
    sex: String,
}

impl CaseClientRow {
    fn into_pair(self) -> Result<(Case, Client)> {
        let client = ClientRow {
            id: self.case.client_id,
            pseudonym: self.pseudonym,
            authority: self.authority,
            birth_year: self.birth_year,
            sex: self.sex,
        }
        .into_client()?;
        Ok((self.case.into_case()?, client))
    }
}

/// A measurement's score as [`FollowUpListStore::list_unit_scores`] reads it.
#[derive(sqlx::FromRow)]
struct MeasuredScoreRow {
    id: i64,
    case_id: i64,
    instrument_id: String,
    instrument_version: String,
    time_point: String,
    measured_on: NaiveDate,
    score: Option<f64>,
}

impl MeasuredScoreRow {
    fn into_score(self) -> Result<MeasuredScore> {
        Ok(MeasuredScore {
            id: self.id,
            case_id: self.case_id,
            instrument_id: self.instrument_id,
            instrument_version: self.instrument_version,
            time_point: TimePoint::parse(&self.time_point)?,
            measured_on: self.measured_on,
            score: self.score,
        })
    }
}

/// The columns of [`CaseClientRow`], for both pages.
const CASE_CLIENT_COLUMNS: &str = r"
    select r.id, r.client_id, r.unit_code, r.opened_on, r.closed_on, r.schedule,
           c.pseudonym, c.authority, c.birth_year, c.sex
    from case_record r
    join client c on c.id = r.client_id
";

/// The opening day of case `$2` if it is a case of unit `$1`.
const CURSOR_DAY: &str = r"
    select a.opened_on
    from case_record a
    where a.id = $2
      and a.unit_code = $1
";

/// The columns of [`MeasurementRow`] for `m`.
const MEASUREMENT_COLUMNS: &str = r"
    select m.id, m.case_id, m.instrument_id, m.instrument_version, m.time_point, m.month,
           m.measured_on, m.respondent, m.answers, m.score
    from measurement m
";

/// The columns of [`InterventionRow`] for `i`.
const INTERVENTION_COLUMNS: &str = r"
    select i.id, i.case_id, i.type_code, i.legal_basis, i.provider_code, i.applied_on,
           i.decided_on, i.started_on, i.ended_on, i.end_reason
    from intervention i
";

/// Implements [`FollowUpListStore`] for a backend.
macro_rules! impl_follow_up_list_store {
    ($store:ty) => {
        #[async_trait::async_trait]
        impl FollowUpListStore for $store {
            async fn list_unit_cases_page(
                &self,
                unit: &OrgCode,
                after: Option<i64>,
                limit: u32,
            ) -> Result<Vec<(Case, Client)>> {
                let rows: Vec<CaseClientRow> = match after {
                    None => {
                        sqlx::query_as(sqlx::AssertSqlSafe(format!(
                            r"{CASE_CLIENT_COLUMNS}
                            where r.unit_code = $1
                            order by r.opened_on desc, r.id desc
                            limit $2
                            "
                        )))
                        .bind(unit.as_str())
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?
                    }
                    // Strictly after the cursor's case in (opened_on desc, id desc). Its day
                    // as a scalar subquery (not a join) and the bare `opened_on <=` let both
                    // databases start the index range at the cursor (checked with EXPLAIN);
                    // the day is null, and the page empty, for another unit's case.
                    Some(after) => {
                        sqlx::query_as(sqlx::AssertSqlSafe(format!(
                            r"{CASE_CLIENT_COLUMNS}
                            where r.unit_code = $1
                              and r.opened_on <= ({CURSOR_DAY})
                              and (r.opened_on < ({CURSOR_DAY}) or r.id < $2)
                            order by r.opened_on desc, r.id desc
                            limit $3
                            "
                        )))
                        .bind(unit.as_str())
                        .bind(after)
                        .bind(i64::from(limit))
                        .fetch_all(&self.pool)
                        .await?
                    }
                };
                rows.into_iter().map(CaseClientRow::into_pair).collect()
            }

            async fn list_unit_clients(&self, unit: &OrgCode) -> Result<Vec<Client>> {
                let rows: Vec<ClientRow> = sqlx::query_as(
                    r"
                    select c.id, c.pseudonym, c.authority, c.birth_year, c.sex
                    from client c
                    where c.id in (
                        select r.client_id
                        from case_record r
                        where r.unit_code = $1
                    )
                    order by c.id
                    ",
                )
                .bind(unit.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(ClientRow::into_client).collect()
            }

            async fn list_unit_scores(&self, unit: &OrgCode) -> Result<Vec<MeasuredScore>> {
                let rows: Vec<MeasuredScoreRow> = sqlx::query_as(
                    r"
                    select m.id, m.case_id, m.instrument_id, m.instrument_version, m.time_point,
                           m.measured_on, m.score
                    from case_record r
                    join measurement m on m.case_id = r.id
                    where r.unit_code = $1
                    order by r.opened_on desc, r.id desc, m.measured_on, m.id
                    ",
                )
                .bind(unit.as_str())
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter().map(MeasuredScoreRow::into_score).collect()
            }

            async fn unit_data_version(&self, unit: &OrgCode) -> Result<i64> {
                let version: Option<i64> = sqlx::query_scalar(
                    r"
                    select data_version
                    from unit
                    where code = $1
                    ",
                )
                .bind(unit.as_str())
                .fetch_optional(&self.pool)
                .await?;
                version.ok_or_else(|| crate::StorageError::not_found("unit", unit))
            }

            async fn list_unit_started_types(&self, unit: &OrgCode) -> Result<Vec<(i64, String)>> {
                Ok(sqlx::query_as(
                    r"
                    select distinct i.case_id, i.type_code
                    from case_record r
                    join intervention i on i.case_id = r.id
                    where r.unit_code = $1
                      and i.started_on is not null
                    order by i.case_id, i.type_code
                    ",
                )
                .bind(unit.as_str())
                .fetch_all(&self.pool)
                .await?)
            }

            async fn list_client_measurements(&self, client_id: i64) -> Result<Vec<Measurement>> {
                let rows: Vec<MeasurementRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    r"{MEASUREMENT_COLUMNS}
                    join case_record r on r.id = m.case_id
                    where r.client_id = $1
                    order by m.case_id, m.measured_on, m.id
                    "
                )))
                .bind(client_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(MeasurementRow::into_measurement)
                    .collect()
            }

            async fn list_client_interventions(&self, client_id: i64) -> Result<Vec<Intervention>> {
                let rows: Vec<InterventionRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    r"{INTERVENTION_COLUMNS}
                    join case_record r on r.id = i.case_id
                    where r.client_id = $1
                    order by i.case_id, i.id
                    "
                )))
                .bind(client_id)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(InterventionRow::into_intervention)
                    .collect()
            }

            async fn list_client_needs(&self, client_id: i64) -> Result<Vec<Need>> {
                let needs: Vec<NeedRow> = sqlx::query_as(
                    r"
                    select n.id, n.case_id, n.life_area, n.description
                    from need n
                    join case_record r on r.id = n.case_id
                    where r.client_id = $1
                    order by n.case_id, n.id
                    ",
                )
                .bind(client_id)
                .fetch_all(&self.pool)
                .await?;
                let goals: Vec<GoalRow> = sqlx::query_as(
                    r"
                    select g.id, g.need_id, g.description, g.outcome
                    from goal g
                    join need n on n.id = g.need_id
                    join case_record r on r.id = n.case_id
                    where r.client_id = $1
                    order by g.id
                    ",
                )
                .bind(client_id)
                .fetch_all(&self.pool)
                .await?;
                assemble_needs(needs, goals)
            }

            async fn unit_measurement_extent(&self, unit: &OrgCode) -> Result<(u64, Option<i64>)> {
                let (count, highest): (i64, Option<i64>) = sqlx::query_as(
                    r"
                    select count(*), max(m.id)
                    from measurement m
                    join case_record r on r.id = m.case_id
                    where r.unit_code = $1
                    ",
                )
                .bind(unit.as_str())
                .fetch_one(&self.pool)
                .await?;
                Ok((u64::try_from(count).unwrap_or_default(), highest))
            }

            async fn list_unit_page_measurements(
                &self,
                unit: &OrgCode,
                first: i64,
                last: i64,
                through: i64,
            ) -> Result<Vec<Measurement>> {
                // The cases between `f` and `l` in (opened_on desc, id desc), both included;
                // the bare bounds on opened_on make it one index range (checked with EXPLAIN).
                let rows: Vec<MeasurementRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    r"{MEASUREMENT_COLUMNS}
                    join case_record r on r.id = m.case_id
                    join case_record f on f.id = $2 and f.unit_code = r.unit_code
                    join case_record l on l.id = $3 and l.unit_code = r.unit_code
                    where r.unit_code = $1
                      and r.opened_on <= f.opened_on
                      and r.opened_on >= l.opened_on
                      and (r.opened_on < f.opened_on or r.id <= f.id)
                      and (r.opened_on > l.opened_on or r.id >= l.id)
                      and m.id <= $4
                    order by m.case_id, m.measured_on, m.id
                    "
                )))
                .bind(unit.as_str())
                .bind(first)
                .bind(last)
                .bind(through)
                .fetch_all(&self.pool)
                .await?;
                rows.into_iter()
                    .map(MeasurementRow::into_measurement)
                    .collect()
            }
        }
    };
}

impl_follow_up_list_store!(SqliteStore);
impl_follow_up_list_store!(PgStore);
