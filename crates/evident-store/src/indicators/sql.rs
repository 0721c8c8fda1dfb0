//! [`super::IndicatorStore`] in SQL, for both backends.

use super::facts::*;
use super::*;
use crate::batch::{POSTGRES_PARAMETERS, batch_rows};
use crate::error::{Result, StorageError};
use crate::survey::SurveyStore;
use crate::{PgStore, SqliteStore};
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use evident_core::followup::instrument::Instrument;
use evident_core::indicator::cube::compute_sorted;
use evident_core::indicator::cube::{Row, add_row, decode_row, encode_row};
use evident_core::indicator::publish::{difference, disclosure_classes};
use evident_core::indicator::{CaseFacts, Facts, Period, Published, RowKey, delta};
use evident_core::indicator::{extend_masks, mask_rows};
use evident_core::org::OrgCode;
use evident_core::participation::survey::{self, SurveyPeriod, embedded_survey};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Implements [`IndicatorStore`] and the incremental update for a backend.
macro_rules! impl_indicator_store {
    ($store:ty, insert_rows: $insert_rows:expr, numbered: $numbered:expr, delete_old: $delete_old:expr, pause: $pause:expr) => {
        impl $store {
            /// Lets writers of other processes in between the transactions of a recompute.
            async fn pause_between_transactions() {
                let pause: std::time::Duration = $pause;
                if !pause.is_zero() {
                    tokio::time::sleep(pause).await;
                }
            }

            /// The newest version of each stored instrument, by id, for classifying change.
            pub(crate) async fn instruments_by_id(&self) -> Result<HashMap<String, Instrument>> {
                Ok(crate::FollowUpStore::list_instruments(self)
                    .await?
                    .into_iter()
                    .map(|i| (i.id.clone(), i))
                    .collect())
            }

            /// The date the stored indicator rows are computed as of, as `tx` sees it.
            async fn indicators_as_of_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
            ) -> Result<chrono::NaiveDate> {
                Ok(sqlx::query_scalar(
                    r"
                    select as_of
                    from indicator_state
                    where id = 1
                    ",
                )
                .fetch_one(&mut **tx)
                .await?)
            }

            /// The facts of every case of the person of case `case_id` (at every authority) as
            /// they stand in `tx`, scored with `instruments`: disclosure control counts a person
            /// once per cell, so a change to one case is applied as the change of all of the
            /// person's records.
            /// They are taken as of the stored rows' date, so that before, after and a full
            /// recompute count alike.
            pub(crate) async fn case_facts_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                case_id: i64,
                instruments: &HashMap<String, Instrument>,
            ) -> Result<Facts> {
                let mut facts = Facts::as_of(Self::indicators_as_of_in(tx).await?);
                let cases: Vec<i64> = sqlx::query_scalar(
                    r"
                    select r.id
                    from case_record r
                    join client c on c.id = r.client_id
                    where c.person_id = (
                        select p.person_id
                        from case_record pr
                        join client p on p.id = pr.client_id
                        where pr.id = $1
                    )
                    order by r.id
                    ",
                )
                .bind(case_id)
                .fetch_all(&mut **tx)
                .await?;
                for id in cases {
                    if let Some(case) = Self::one_case_facts_in(tx, id).await? {
                        facts.add_case(&case, instruments);
                    }
                }
                Ok(facts)
            }

            /// The facts of one case as they stand in `tx`.
            async fn one_case_facts_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                case_id: i64,
            ) -> Result<Option<CaseFacts>> {
                let case: Option<CaseFactRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{CASES_SQL} where r.id = $1")))
                    .bind(case_id)
                    .fetch_optional(&mut **tx)
                    .await?;
                let Some(case) = case else {
                    return Ok(None);
                };
                let mut case = case.into_facts()?;
                let interventions: Vec<InterventionFactRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("{INTERVENTIONS_SQL} where i.case_id = $1 order by i.id")))
                        .bind(case_id)
                        .fetch_all(&mut **tx)
                        .await?;
                case.interventions = interventions.into_iter().map(intervention_facts).collect();
                let measurements: Vec<MeasurementFactRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!("{MEASUREMENTS_SQL} where m.case_id = $1")))
                        .bind(case_id)
                        .fetch_all(&mut **tx)
                        .await?;
                case.measurements = measurements.into_iter().map(measurement_facts).collect();
                let goals: Vec<GoalFactRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!("{GOALS_SQL} where n.case_id = $1 order by g.id")))
                    .bind(case_id)
                    .fetch_all(&mut **tx)
                    .await?;
                case.goals = goals.into_iter().map(|g| g.outcome).collect();
                Ok(Some(case))
            }

            /// Applies the change of the records of the client of case `case_id` from `before`
            /// (its [`Self::case_facts_in`] before the write) to what `tx` now holds.
            pub(crate) async fn refresh_case_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                case_id: i64,
                before: Facts,
                instruments: &HashMap<String, Instrument>,
            ) -> Result<()> {
                let (min_count, current): (i32, i32) = sqlx::query_as(
                    r"
                    select min_count, current
                    from indicator_state
                    where id = 1
                    ",
                )
                .fetch_one(&mut **tx)
                .await?;
                if current == 0 {
                    // Stale already: the next full computation catches up.
                    return Self::bump_unit_version_in(tx, case_id).await;
                }
                let k = min_count as u64;
                let after = Self::case_facts_in(tx, case_id, instruments).await?;
                // Tables whose classes changed: true where a hidden cell's row went away, so
                // the table is masked afresh rather than extended.
                let mut remask: BTreeMap<(String, i32), bool> = BTreeMap::new();
                let changes = delta(indicator_set(), &before, &after);
                if !changes.is_empty() {
                    sqlx::query(crate::indicators::BUMP_REVISION).execute(&mut **tx).await?;
                }
                for (key, change) in changes {
                    let period = key.period.to_string();
                    let stored: Option<(Vec<u8>, i32)> = sqlx::query_as(
                        r"
                        select stats, suppressed
                        from indicator_row
                        where generation = (select generation from indicator_state where id = 1)
                          and indicator_id = $1
                          and variant = $2
                          and period = $3
                          and node_code = $4
                        ",
                    )
                    .bind(&key.indicator)
                    .bind(&key.variant)
                    .bind(&period)
                    .bind(key.node.as_str())
                    .fetch_optional(&mut **tx)
                    .await?;
                    let (mut row, mask) = match stored {
                        Some((bytes, mask)) => (
                            decode_row(&bytes).ok_or_else(|| anyhow::anyhow!("a stored indicator row is unreadable"))?,
                            mask,
                        ),
                        None => (Row::default(), 0),
                    };
                    let classes = disclosure_classes(&row, k);
                    add_row(&mut row, &change, 1);
                    if disclosure_classes(&row, k) != classes {
                        let afresh = remask.entry((key.indicator.clone(), key.period.year())).or_default();
                        *afresh |= mask != 0 && row.iter().all(|s| s.is_empty());
                    }
                    if row.iter().all(|s| s.is_empty()) {
                        sqlx::query(
                            r"
                            delete from indicator_row
                            where generation = (select generation from indicator_state where id = 1)
                              and indicator_id = $1
                              and variant = $2
                              and period = $3
                              and node_code = $4
                            ",
                        )
                        .bind(&key.indicator)
                        .bind(&key.variant)
                        .bind(&period)
                        .bind(key.node.as_str())
                        .execute(&mut **tx)
                        .await?;
                    } else {
                        sqlx::query(
                            r"
                            insert into indicator_row (generation, indicator_id, variant, period, node_code, stats, suppressed)
                            values ((select generation from indicator_state where id = 1), $1, $2, $3, $4, $5, $6)
                            on conflict (generation, indicator_id, variant, period, node_code)
                            do update set stats = excluded.stats
                            ",
                        )
                        .bind(&key.indicator)
                        .bind(&key.variant)
                        .bind(&period)
                        .bind(key.node.as_str())
                        .bind(encode_row(&row))
                        .bind(mask)
                        .execute(&mut **tx)
                        .await?;
                    }
                }
                Self::remask_in(tx, &remask, k).await?;
                Self::bump_unit_version_in(tx, case_id).await
            }

            /// Moves the data version of case `case_id`'s unit: the unit's tables computed from
            /// its cases are out of date, whatever happens to the indicators. Last in the
            /// write, as the unit's row is locked from here to the commit (PostgreSQL) and
            /// writes at one unit wait for each other on it.
            async fn bump_unit_version_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                case_id: i64,
            ) -> Result<()> {
                sqlx::query(
                    r"
                    update unit
                    set data_version = data_version + 1
                    where code = (select unit_code from case_record where id = $1)
                    ",
                )
                .bind(case_id)
                .execute(&mut **tx)
                .await?;
                Ok(())
            }

            /// Brings the disclosure masks of (indicator, year) tables — every variant, the
            /// year and its quarters, every node — up to date after a change
            /// (`evident_core::indicator::extend_masks`; afresh where marked) and writes the
            /// masks that changed.
            async fn remask_in(
                tx: &mut sqlx::Transaction<'static, <$store as crate::Backed>::Db>,
                tables: &BTreeMap<(String, i32), bool>,
                k: u64,
            ) -> Result<()> {
                let mut rows: Vec<(RowKey, Row)> = Vec::new();
                let mut old_masks: Vec<i32> = Vec::new();
                let mut previous: Vec<u8> = Vec::new();
                for ((indicator, year), afresh) in tables {
                    let stored: Vec<(String, String, String, Vec<u8>, i32)> = sqlx::query_as(
                        r"
                        select variant, period, node_code, stats, suppressed
                        from indicator_row
                        where generation = (select generation from indicator_state where id = 1)
                          and indicator_id = $1
                          and (period = $2 or period like $3)
                        ",
                    )
                    .bind(indicator)
                    .bind(year.to_string())
                    .bind(format!("{year}Q_"))
                    .fetch_all(&mut **tx)
                    .await?;
                    for (variant, period, code, bytes, mask) in stored {
                        let row = decode_row(&bytes).ok_or_else(|| anyhow::anyhow!("a stored indicator row is unreadable"))?;
                        let period = Period::parse(&period).ok_or_else(|| anyhow::anyhow!("a stored period is unreadable: {period}"))?;
                        let key = RowKey { indicator: indicator.clone(), variant, period, node: OrgCode::parse(&code)? };
                        rows.push((key, row));
                        previous.push(if *afresh { 0 } else { mask as u8 });
                        old_masks.push(mask);
                    }
                }
                let masks = extend_masks(&rows, &previous, k);
                for (((key, _), old), new) in rows.iter().zip(old_masks).zip(masks) {
                    if i32::from(new) != old {
                        sqlx::query(
                            r"
                            update indicator_row
                            set suppressed = $5
                            where generation = (select generation from indicator_state where id = 1)
                              and indicator_id = $1
                              and variant = $2
                              and period = $3
                              and node_code = $4
                            ",
                        )
                        .bind(&key.indicator)
                        .bind(&key.variant)
                        .bind(key.period.to_string())
                        .bind(key.node.as_str())
                        .bind(i32::from(new))
                        .execute(&mut **tx)
                        .await?;
                    }
                }
                Ok(())
            }

            /// Reads every case's facts and calls `each` once per case, in case order. Each
            /// table is read once in id order (a plain scan on SQLite, no sort by case) and
            /// its rows are attached to their case in memory.
            /// The rows of an indicator measured by the share positive on `question` of
            /// `survey_id`: every node with answers in `period`, from the survey's results
            /// (through the same disclosure control as the survey pages), nation first.
            async fn survey_rows(
                &self,
                measure: &SurveyMeasure,
                variant: &str,
                period: Period,
            ) -> Result<Vec<PublishedRow>> {
                if !variant.is_empty() {
                    return Ok(Vec::new());
                }
                let Some(definition) = embedded_survey(measure.survey) else {
                    return Err(StorageError::not_found("survey", measure.survey));
                };
                // A period no survey can be published for has no answers.
                let Ok(survey_period) = SurveyPeriod::parse(&period.to_string()) else {
                    return Ok(Vec::new());
                };
                let answers = self
                    .survey_answers(measure.survey, &survey_period, measure.integrity)
                    .await?;
                let question = measure.question;
                Ok(survey::results(&definition, &answers, survey::DEFAULT_K)
                    .iter()
                    .filter_map(|result| {
                        Some(PublishedRow {
                            node: result.code.clone(),
                            period,
                            cells: evident_core::indicator::survey::survey_cells(result, question)?,
                        })
                    })
                    .collect())
            }
        }

        #[async_trait::async_trait]
        impl IndicatorStore for $store {
            async fn recompute_indicators(&self, as_of: chrono::NaiveDate, min_count: Option<u64>, actor: &Actor) -> Result<RecomputeSummary> {
                if let Some(k) = min_count.filter(|k| *k < 2) {
                    return Err(anyhow::anyhow!("a minimum count of {k} would publish values resting on one individual; use 2 or more").into());
                }
                let instruments = self.instruments_by_id().await?;
                // What the facts below reflect: a change that moves the revision after this
                // read is not in them.
                let (read_revision, stored_k): (i64, i32) = sqlx::query_as(
                    r"
                    select revision, min_count
                    from indicator_state
                    where id = 1
                    ",
                )
                .fetch_one(&self.pool)
                .await?;
                let k = min_count.unwrap_or(stored_k as u64);
                let mut facts = Facts::as_of(as_of);
                let started = std::time::Instant::now();
                let cases = self
                    .case_facts(&mut |_, case| facts.add_case(case, &instruments))
                    .await?;
                let read = started.elapsed();
                let rows = compute_sorted(indicator_set(), &facts);
                let computed = started.elapsed();
                let masks = mask_rows(&rows, k);

                // A generation of this computation's own, written beside the published one in
                // short transactions (writers and audited reads wait for one chunk at most),
                // after the generations older than the published one are gone.
                let mut tx = self.begin_write().await?;
                let generation: i64 = sqlx::query_scalar(
                    r"
                    update indicator_state
                    set last_generation = last_generation + 1
                    where id = 1
                    returning last_generation
                    ",
                )
                .fetch_one(&mut *tx)
                .await?;
                tx.commit().await?;
                loop {
                    let mut tx = self.begin_write().await?;
                    let delete_old: String = $delete_old;
                    let deleted = sqlx::query(sqlx::AssertSqlSafe(delete_old))
                        .execute(&mut *tx)
                        .await?
                        .rows_affected();
                    tx.commit().await?;
                    if deleted == 0 {
                        break;
                    }
                    Self::pause_between_transactions().await;
                }
                let mut suppressed_cells = 0u64;
                let batch = $insert_rows;
                for (rows, masks) in rows.chunks(PUBLISH_ROWS_PER_TRANSACTION).zip(masks.chunks(PUBLISH_ROWS_PER_TRANSACTION)) {
                    let mut tx = self.begin_write().await?;
                    for (chunk, masks) in rows.chunks(batch).zip(masks.chunks(batch)) {
                        let sql = insert_sql(
                            "insert into indicator_row (generation, indicator_id, variant, period, node_code, stats, suppressed) values",
                            7,
                            chunk.len(),
                            $numbered,
                        );
                        let mut query = sqlx::query(sqlx::AssertSqlSafe(sql));
                        for ((key, row), mask) in chunk.iter().zip(masks) {
                            suppressed_cells += u64::from(mask.count_ones());
                            query = query
                                .bind(generation)
                                .bind(key.indicator.as_str())
                                .bind(key.variant.as_str())
                                .bind(key.period.to_string())
                                .bind(key.node.as_str())
                                .bind(encode_row(row))
                                .bind(i32::from(*mask));
                        }
                        query.execute(&mut *tx).await?;
                    }
                    tx.commit().await?;
                    Self::pause_between_transactions().await;
                }

                // The switch: readers read the new generation from here on. Stale when a
                // change reached the published rows while this computation ran (it is not in
                // these rows), so the next check computes again.
                let mut tx = self.begin_write().await?;
                let switched = sqlx::query(
                    r"
                    update indicator_state
                    set generation = $3, min_count = $1, as_of = $2, computed_at = current_timestamp,
                        current = case when revision = $4 then 1 else 0 end,
                        revision = revision + 1
                    where id = 1
                      and generation < $3
                    ",
                )
                .bind(k as i32)
                .bind(as_of)
                .bind(generation)
                .bind(read_revision)
                .execute(&mut *tx)
                .await?
                .rows_affected();
                if switched == 0 {
                    return Err(anyhow::anyhow!(
                        "a later computation of the indicators was published while this one ran; this one was not"
                    )
                    .into());
                }
                let summary = RecomputeSummary {
                    cases,
                    records: facts.records.len() as u64,
                    rows: rows.len() as u64,
                    suppressed_cells,
                };
                let event = AuditEvent::new(actor, "indicators.recompute", format!("rows:{}", summary.rows), Outcome::Allowed)
                    .with_detail(format!("min_count {k}, as of {as_of}"));
                self.append_in(&mut tx, &event).await?;
                tx.commit().await?;
                tracing::info!(
                    cases = summary.cases,
                    rows = summary.rows,
                    facts_seconds = read.as_secs_f64(),
                    cube_seconds = (computed - read).as_secs_f64(),
                    write_seconds = (started.elapsed() - computed).as_secs_f64(),
                    "indicators recomputed"
                );
                Ok(summary)
            }

            async fn indicator_state(&self) -> Result<IndicatorState> {
                let (min_count, current, as_of, revision): (i32, i32, chrono::NaiveDate, i64) = sqlx::query_as(
                    r"
                    select min_count, current, as_of, revision
                    from indicator_state
                    where id = 1
                    ",
                )
                .fetch_one(&self.pool)
                .await?;
                Ok(IndicatorState {
                    min_count: min_count as u64,
                    current: current == 1,
                    as_of,
                    revision,
                })
            }

            async fn published_rows(&self, indicator: &str, variant: &str, period: Period) -> Result<Vec<PublishedRow>> {
                // Nothing of a period that has not begun is published (the facts hold no later
                // record; this also covers survey periods).
                if !period.status_on(self.indicator_state().await?.as_of).is_published() {
                    base_parts(indicator)?;
                    return Ok(Vec::new());
                }
                if let Some(measure) = survey_measure(indicator)? {
                    return self.survey_rows(&measure, variant, period).await;
                }
                let parts = base_parts(indicator)?;
                // Both parts of a difference from the same computation: the generation is read
                // once (it stays readable until the next recompute begins).
                let generation: i64 = sqlx::query_scalar(
                    r"
                    select generation
                    from indicator_state
                    where id = 1
                    ",
                )
                .fetch_one(&self.pool)
                .await?;
                let mut published: Vec<BTreeMap<String, Vec<Published>>> = Vec::new();
                for part in &parts {
                    let stored: Vec<(String, Vec<u8>, i32)> = sqlx::query_as(
                        r"
                        select node_code, stats, suppressed
                        from indicator_row
                        where generation = $4
                          and indicator_id = $1
                          and variant = $2
                          and period = $3
                        ",
                    )
                    .bind(*part)
                    .bind(variant)
                    .bind(period.to_string())
                    .bind(generation)
                    .fetch_all(&self.pool)
                    .await?;
                    let mut by_node = BTreeMap::new();
                    for (code, bytes, mask) in stored {
                        let row = decode_row(&bytes).ok_or_else(|| anyhow::anyhow!("a stored indicator row is unreadable"))?;
                        by_node.insert(code, publish_row(part, &row, mask as u8));
                    }
                    published.push(by_node);
                }
                let mut rows = Vec::new();
                let nodes: BTreeSet<&String> = published.iter().flat_map(|p| p.keys()).collect();
                for code in nodes {
                    let cells = match &published[..] {
                        [one] => one[code].clone(),
                        [a, b] => {
                            let none = vec![Published::NoData; evident_core::indicator::CATEGORIES.len()];
                            let (x, y) = (a.get(code).unwrap_or(&none), b.get(code).unwrap_or(&none));
                            x.iter().zip(y).map(|(x, y)| difference(x, y)).collect()
                        }
                        _ => unreachable!("an indicator has one or two parts"),
                    };
                    rows.push(PublishedRow {
                        node: OrgCode::parse(code)?,
                        period,
                        cells,
                    });
                }
                rows.sort_by_key(|r| (r.node.level(), r.node.as_str().to_owned()));
                Ok(rows)
            }

            async fn indicator_periods(&self, indicator: &str) -> Result<Vec<Period>> {
                let periods: Vec<String> = if let Some(measure) = survey_measure(indicator)? {
                    let answered: Vec<(String, String)> = sqlx::query_as(
                        r"
                        select distinct p.period, p.integrity
                        from survey_publication p
                        join survey_answer a on a.publication_id = p.id
                        where p.survey_id = $1
                        ",
                    )
                    .bind(measure.survey)
                    .fetch_all(&self.pool)
                    .await?;
                    answered
                        .into_iter()
                        .filter(|(_, mode)| measure.integrity.iter().any(|m| m.as_str() == mode))
                        .map(|(period, _)| period)
                        .collect()
                } else {
                    sqlx::query_scalar(
                        r"
                        select distinct period
                        from indicator_row
                        where generation = (select generation from indicator_state where id = 1)
                          and indicator_id = $1
                        ",
                    )
                    .bind(base_parts(indicator)?[0])
                    .fetch_all(&self.pool)
                    .await?
                };
                let as_of = self.indicator_state().await?.as_of;
                let mut periods: Vec<Period> = periods
                    .iter()
                    .filter_map(|p| Period::parse(p))
                    .filter(|p| p.status_on(as_of).is_published())
                    .collect();
                Period::sort_newest_first(&mut periods);
                periods.dedup();
                Ok(periods)
            }

            async fn indicator_variants(&self, indicator: &str) -> Result<Vec<String>> {
                if survey_measure(indicator)?.is_some() {
                    // Anonymous answers have no instrument or intervention to split by.
                    return Ok(Vec::new());
                }
                let part = base_parts(indicator)?[0];
                let mut variants: Vec<String> = sqlx::query_scalar(
                    r"
                    select distinct variant
                    from indicator_row
                    where generation = (select generation from indicator_state where id = 1)
                      and indicator_id = $1
                    ",
                )
                .bind(part)
                .fetch_all(&self.pool)
                .await?;
                variants.sort();
                Ok(variants)
            }

            async fn for_each_case_facts(&self, each: &mut (dyn for<'c> FnMut(i64, &'c CaseFacts) + Send)) -> Result<u64> {
                self.case_facts(each).await
            }
        }
    };
}

// Generations older than the published one go a chunk at a time on SQLite, where a
// transaction holds the only writer (by rowid: a row-value `in` on the primary key is planned
// on its first column alone), and in one statement on PostgreSQL, where deleting rows nobody
// reads blocks no one (and chunks found by a scan would step over the dead rows of the chunks
// before them). Between its transactions a recompute on SQLite pauses for a moment, in which
// a writer of another process (polling every millisecond: `SqliteStore::begin_write`) takes
// the lock.
impl_indicator_store!(
    SqliteStore,
    insert_rows: SQLITE_INSERT_ROWS,
    numbered: false,
    delete_old: format!(
        "delete from indicator_row where rowid in (select rowid from indicator_row \
         where generation < (select generation from indicator_state where id = 1) \
         limit {PUBLISH_ROWS_PER_TRANSACTION})"
    ),
    pause: std::time::Duration::from_millis(2)
);
impl_indicator_store!(
    PgStore,
    insert_rows: batch_rows(POSTGRES_PARAMETERS, 7),
    numbered: true,
    delete_old: "delete from indicator_row \
        where generation < (select generation from indicator_state where id = 1)"
        .to_owned(),
    pause: std::time::Duration::ZERO
);
