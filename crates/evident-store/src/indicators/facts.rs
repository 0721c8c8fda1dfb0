//! Reading case facts out of the database for a recompute, and the helpers the writes share
//! (masks, insert statements, published cells).

use super::*;
use crate::batch::values_sql;
use crate::error::Result;
use chrono::NaiveDate;
use evident_core::indicator::cube::Row;
use evident_core::indicator::{
    CaseFacts, ClientFacts, InterventionFacts, MeasurementFacts, Published, publish,
};
use evident_core::org::OrgCode;

/// Rows of raw case data, in case order, merged into [`CaseFacts`].
#[derive(sqlx::FromRow)]
pub(super) struct CaseFactRow {
    pub(super) id: i64,
    pub(super) client_id: i64,
    pub(super) unit_code: String,
    pub(super) opened_on: NaiveDate,
    pub(super) schedule: String,
    pub(super) sex: String,
    pub(super) birth_year: i32,
}

#[derive(sqlx::FromRow)]
pub(super) struct InterventionFactRow {
    pub(super) case_id: i64,
    pub(super) type_code: String,
    pub(super) applied_on: Option<NaiveDate>,
    pub(super) decided_on: Option<NaiveDate>,
    pub(super) started_on: Option<NaiveDate>,
    pub(super) provider: String,
}

#[derive(sqlx::FromRow)]
pub(super) struct MeasurementFactRow {
    pub(super) case_id: i64,
    pub(super) instrument_id: String,
    pub(super) time_point: String,
    pub(super) measured_on: NaiveDate,
    pub(super) score: Option<f64>,
}

#[derive(sqlx::FromRow)]
pub(super) struct GoalFactRow {
    pub(super) case_id: i64,
    pub(super) outcome: Option<String>,
}

pub(super) const CASES_SQL: &str = r"
    select r.id, c.person_id as client_id, r.unit_code, r.opened_on, r.schedule, c.sex, c.birth_year
    from case_record r
    join client c on c.id = r.client_id
";
pub(super) const INTERVENTIONS_SQL: &str = r"
    select i.case_id, i.type_code, i.applied_on, i.decided_on, i.started_on, u.provider
    from intervention i
    join unit u on u.code = i.provider_code
";
pub(super) const MEASUREMENTS_SQL: &str = r"
    select m.case_id, m.instrument_id, m.time_point, m.measured_on, m.score
    from measurement m
";
pub(super) const GOALS_SQL: &str = r"
    select n.case_id, g.outcome
    from goal g
    join need n on n.id = g.need_id
";

impl CaseFactRow {
    pub(super) fn into_facts(self) -> Result<CaseFacts> {
        Ok(CaseFacts {
            unit: OrgCode::parse(&self.unit_code)?,
            client: ClientFacts {
                id: self.client_id,
                female: self.sex == "female",
                birth_year: self.birth_year,
            },
            opened_on: self.opened_on,
            first_follow_up_month: first_follow_up_month(&self.schedule),
            interventions: Vec::new(),
            measurements: Vec::new(),
            goals: Vec::new(),
        })
    }
}

/// The first month of a stored schedule (`3,6,12`), if any.
pub(super) fn first_follow_up_month(schedule: &str) -> Option<u32> {
    schedule
        .split(',')
        .next()
        .and_then(|m| m.trim().parse().ok())
}

pub(super) fn intervention_facts(row: InterventionFactRow) -> InterventionFacts {
    InterventionFacts {
        type_code: row.type_code,
        applied_on: row.applied_on,
        decided_on: row.decided_on,
        started_on: row.started_on,
        private_provider: row.provider == "private",
    }
}

pub(super) fn measurement_facts(row: MeasurementFactRow) -> MeasurementFacts {
    MeasurementFacts {
        instrument: row.instrument_id,
        baseline: row.time_point == "baseline",
        measured_on: row.measured_on,
        score: row.score,
    }
}

/// `{prefix} (…), (…)`: `rows` tuples of `columns` placeholders for the full recompute's
/// insert. Numbered (`$1`) where `numbered`, else anonymous (`?`): sqlx asks SQLite for each
/// parameter's name, a lookup linear in the statement's parameters, so numbered placeholders
/// make a statement's binding quadratic in its size, and anonymous ones let SQLite take
/// large statements.
pub(super) fn insert_sql(prefix: &str, columns: usize, rows: usize, numbered: bool) -> String {
    if numbered {
        return values_sql(prefix, columns, rows, "");
    }
    let tuple = format!("({})", vec!["?"; columns].join(", "));
    format!("{prefix} {}", vec![tuple; rows].join(", "))
}

/// Rows per insert statement of the full recompute on SQLite (7 parameters each, far below
/// SQLite's limit of 32 766).
pub(super) const SQLITE_INSERT_ROWS: usize = 1000;

/// Rows a full recompute writes per transaction (and, on SQLite, deletes): there a writer
/// waits for one such transaction at most (some 50 ms on the national demo), not for the
/// whole write.
pub(super) const PUBLISH_ROWS_PER_TRANSACTION: usize = 4096;

/// Publishes one stored row.
pub(super) fn publish_row(indicator: &str, stats: &Row, mask: u8) -> Vec<Published> {
    let definition = indicator_set().get(indicator).expect("a known indicator");
    stats
        .iter()
        .enumerate()
        .map(|(c, s)| publish(definition, s, mask & (1 << c) != 0))
        .collect()
}
