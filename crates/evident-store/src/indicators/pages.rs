//! The case facts of every case in keyset pages of cases, for exports: memory stays bounded
//! by one page whatever the size of the database, where the full recompute
//! (`stream_case_facts`) holds every case at once.

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

#[cfg(test)]
mod tests {
    use crate::testing::{ClientBuilder, Seed, TestDb, test_audit_key};
    use crate::{IndicatorStore, SqliteStore};
    use evident_core::indicator::CaseFacts;
    use evident_core::rng::SplitMix64;

    #[tokio::test]
    async fn pages_of_any_size_give_every_case_once_as_one_page_does() {
        // arrange: seven cases with interventions and measurements at two units
        let db = TestDb::sqlite().await;
        let seed = Seed::new(&*db.store);
        let units = [
            seed.unit("0380", "Norr").await,
            seed.unit("1480", "Söder").await,
        ];
        let mut rng = SplitMix64::new(7);
        for i in 0..7 {
            ClientBuilder::new(&units[i % 2])
                .synthetic_number(&mut rng, 1960 + i as i32)
                .phq9_in_2025(20.0, 10.0 + i as f64)
                .create(&seed)
                .await;
        }
        let store = SqliteStore::open(&db.url, &test_audit_key()).await.unwrap();
        let mut whole: Vec<(i64, CaseFacts)> = Vec::new();
        // One page holds them all.
        store
            .for_each_case_facts(&mut |id, case| whole.push((id, case.clone())))
            .await
            .unwrap();
        assert_eq!(whole.len(), 7);
        for per_page in [1, 2, 3, 6, 7, 8] {
            // act
            let mut paged: Vec<(i64, CaseFacts)> = Vec::new();
            let count = store
                .case_fact_pages(per_page, &mut |id, case| paged.push((id, case.clone())))
                .await
                .unwrap();
            // assert
            assert_eq!(count, 7);
            assert_eq!(paged, whole, "pages of {per_page}");
        }
    }
}
