//! The case facts of every case, for the full recompute and the exports, with memory bounded
//! by a page of cases whatever the size of the database: on SQLite straight from the file
//! ([`super::sqlite_facts`]), on PostgreSQL (and an SQLite database with no file) in keyset
//! pages of cases through sqlx.

use super::facts::*;
use crate::error::Result;
use crate::{PgStore, SqliteStore};
use evident_core::indicator::CaseFacts;
use std::collections::HashMap;

/// Cases per page of [`PgStore::case_fact_pages`] and [`SqliteStore::case_fact_pages`].
pub(super) const CASES_PER_PAGE: u32 = 10_000;

/// Implements the paged reading of case facts for a backend.
macro_rules! impl_case_fact_pages {
    ($store:ty) => {
        impl $store {
            /// Calls `each` with every case's facts in case id order, reading `per_page` cases
            /// (and their interventions, measurements and goals) at a time. The next page is
            /// read on another task while `each` runs through this one, so reading and
            /// writing (an export's CSV) overlap.
            pub(super) async fn case_fact_pages(
                &self,
                per_page: u32,
                each: &mut (dyn for<'c> FnMut(i64, &'c CaseFacts) + Send),
            ) -> Result<u64> {
                let mut total = 0_u64;
                let mut page = self.case_facts_page(0, per_page).await?;
                loop {
                    let Some((last, _)) = page.last() else {
                        return Ok(total);
                    };
                    let reader = self.clone();
                    let after = *last;
                    let next =
                        tokio::spawn(async move { reader.case_facts_page(after, per_page).await });
                    total += page.len() as u64;
                    for (id, case) in &page {
                        each(*id, case);
                    }
                    page = next
                        .await
                        .map_err(|e| anyhow::anyhow!("reading a page of cases: {e}"))??;
                }
            }

            /// The facts of the first `limit` cases with an id above `after`, by id. Every
            /// case id in `(after, last]` is in the page, so the other tables are read by that
            /// range of case ids.
            async fn case_facts_page(
                &self,
                after: i64,
                limit: u32,
            ) -> Result<Vec<(i64, CaseFacts)>> {
                let rows: Vec<CaseFactRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{CASES_SQL} where r.id > $1 order by r.id limit $2"
                )))
                .bind(after)
                .bind(i64::from(limit))
                .fetch_all(&self.pool)
                .await?;
                let Some(last) = rows.last().map(|r| r.id) else {
                    return Ok(Vec::new());
                };
                let mut cases = Vec::with_capacity(rows.len());
                let mut index = HashMap::with_capacity(rows.len());
                for row in rows {
                    index.insert(row.id, cases.len());
                    cases.push((row.id, row.into_facts()?));
                }
                let interventions: Vec<InterventionFactRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "{INTERVENTIONS_SQL} where i.case_id > $1 and i.case_id <= $2 order by i.id"
                    )))
                    .bind(after)
                    .bind(last)
                    .fetch_all(&self.pool)
                    .await?;
                for row in interventions {
                    if let Some(i) = index.get(&row.case_id) {
                        cases[*i].1.interventions.push(intervention_facts(row));
                    }
                }
                let measurements: Vec<MeasurementFactRow> =
                    sqlx::query_as(sqlx::AssertSqlSafe(format!(
                        "{MEASUREMENTS_SQL} where m.case_id > $1 and m.case_id <= $2 order by m.id"
                    )))
                    .bind(after)
                    .bind(last)
                    .fetch_all(&self.pool)
                    .await?;
                for row in measurements {
                    if let Some(i) = index.get(&row.case_id) {
                        cases[*i].1.measurements.push(measurement_facts(row));
                    }
                }
                let goals: Vec<GoalFactRow> = sqlx::query_as(sqlx::AssertSqlSafe(format!(
                    "{GOALS_SQL} where n.case_id > $1 and n.case_id <= $2 order by g.id"
                )))
                .bind(after)
                .bind(last)
                .fetch_all(&self.pool)
                .await?;
                for row in goals {
                    if let Some(i) = index.get(&row.case_id) {
                        cases[*i].1.goals.push(row.outcome);
                    }
                }
                Ok(cases)
            }
        }
    };
}

impl_case_fact_pages!(SqliteStore);
impl_case_fact_pages!(PgStore);

impl SqliteStore {
    /// Calls `each` with every case's facts in case id order; see the module.
    pub(super) async fn case_facts(
        &self,
        each: &mut (dyn for<'c> FnMut(i64, &'c CaseFacts) + Send),
    ) -> Result<u64> {
        let path = self.pool.connect_options().get_filename().to_path_buf();
        if path.is_file() {
            super::sqlite_facts::for_each_case(path, each).await
        } else {
            self.case_fact_pages(CASES_PER_PAGE, each).await
        }
    }
}

impl PgStore {
    /// Calls `each` with every case's facts in case id order; see the module.
    pub(super) async fn case_facts(
        &self,
        each: &mut (dyn for<'c> FnMut(i64, &'c CaseFacts) + Send),
    ) -> Result<u64> {
        self.case_fact_pages(CASES_PER_PAGE, each).await
    }
}

#[cfg(test)]
mod tests {
    use crate::followup::{NewIntervention, NewMeasurement};
    use crate::testing::{ClientBuilder, Seed, TestDb, day, test_audit_key};
    use crate::{IndicatorStore, SqliteStore};
    use evident_core::followup::catalogue::{GoalOutcome, LifeArea};
    use evident_core::followup::{InterventionDates, LegalBasis, Respondent, TimePoint};
    use evident_core::indicator::CaseFacts;
    use evident_core::rng::SplitMix64;

    fn phq9(
        time_point: TimePoint,
        month: Option<u32>,
        on: &str,
        score: Option<f64>,
    ) -> NewMeasurement {
        NewMeasurement {
            instrument: ("phq-9".into(), "1".into()),
            time_point,
            month,
            measured_on: day(on),
            respondent: Respondent::Client,
            answers: Default::default(),
            score,
        }
    }

    /// The facts read straight from the SQLite file (the recompute's and the exports' path)
    /// are the facts the sqlx pages read, case by case, whatever the page size — on data
    /// written out of case order, with a case of nothing, missing dates and scores, goals with
    /// and without an outcome, and a client with two cases.
    #[tokio::test]
    async fn the_file_reader_and_the_pages_give_the_same_facts_for_every_case() {
        // arrange
        let db = TestDb::sqlite().await;
        let seed = Seed::new(&*db.store);
        let units = [
            seed.unit("0380", "Norr").await,
            seed.unit("1480", "Söder").await,
        ];
        let mut rng = SplitMix64::new(7);
        let mut cases = Vec::new();
        for i in 0..7 {
            let client =
                ClientBuilder::new(&units[i % 2]).synthetic_number(&mut rng, 1960 + i as i32);
            let client = if i == 3 {
                client
            } else {
                client.phq9_in_2025(20.0, 10.0 + i as f64)
            };
            cases.push(client.create(&seed).await.case);
        }
        let store = db.store.as_ref();
        let actor = seed.actor();
        // Records added to earlier cases after later ones exist, so ids are not in case order.
        store
            .record_measurement(
                cases[0].id,
                &phq9(TimePoint::FollowUp, Some(6), "2025-08-01", None),
                actor,
            )
            .await
            .unwrap();
        store
            .add_intervention(
                cases[1].id,
                &NewIntervention {
                    type_code: "IFO-MI".into(),
                    legal_basis: LegalBasis::SoL,
                    provider: units[1].clone(),
                    dates: InterventionDates {
                        applied_on: Some(day("2025-03-01")),
                        decided_on: None,
                        started_on: None,
                        ended_on: None,
                    },
                    end_reason: None,
                },
                actor,
            )
            .await
            .unwrap();
        for (case, outcome) in [
            (cases[2].id, Some(GoalOutcome::Achieved)),
            (cases[0].id, None),
        ] {
            let need = store
                .add_need(case, LifeArea::Housing, "ett boende", actor)
                .await
                .unwrap();
            let goal = store.add_goal(need, "eget kontrakt", actor).await.unwrap();
            if let Some(outcome) = outcome {
                store.set_goal_outcome(goal, outcome, actor).await.unwrap();
            }
        }
        let again = store
            .open_case(
                cases[4].client_id,
                &units[0],
                day("2025-09-01"),
                &[3],
                actor,
            )
            .await
            .unwrap();
        let store = SqliteStore::open(&db.url, &test_audit_key()).await.unwrap();
        // act
        let mut from_file: Vec<(i64, CaseFacts)> = Vec::new();
        let count = store
            .case_facts(&mut |id, case| from_file.push((id, case.clone())))
            .await
            .unwrap();
        // assert
        assert_eq!(count, 8);
        let ids: Vec<i64> = from_file.iter().map(|(id, _)| *id).collect();
        let mut expected: Vec<i64> = cases.iter().map(|c| c.id).chain([again.id]).collect();
        expected.sort_unstable();
        assert_eq!(ids, expected);
        let of = |id: i64| &from_file.iter().find(|(i, _)| *i == id).unwrap().1;
        assert_eq!(of(cases[0].id).measurements.len(), 3);
        assert_eq!(of(cases[0].id).measurements[2].score, None);
        assert_eq!(of(cases[0].id).goals, vec![None]);
        assert_eq!(of(cases[2].id).goals, vec![Some("achieved".to_owned())]);
        assert_eq!(of(cases[1].id).interventions.len(), 2);
        assert_eq!(of(cases[1].id).interventions[1].decided_on, None);
        assert!(
            of(cases[3].id).measurements.is_empty() && of(cases[3].id).interventions.is_empty()
        );
        assert_eq!(of(again.id).client.id, of(cases[4].id).client.id);
        for per_page in [1, 2, 3, 7, 8, 9] {
            let mut paged: Vec<(i64, CaseFacts)> = Vec::new();
            let count = store
                .case_fact_pages(per_page, &mut |id, case| paged.push((id, case.clone())))
                .await
                .unwrap();
            assert_eq!(count, 8);
            assert_eq!(paged, from_file, "pages of {per_page}");
        }
        let mut through_trait = Vec::new();
        store
            .for_each_case_facts(&mut |id, case| through_trait.push((id, case.clone())))
            .await
            .unwrap();
        assert_eq!(through_trait, from_file);
    }
}
