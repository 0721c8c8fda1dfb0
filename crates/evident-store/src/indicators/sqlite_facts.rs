//! Every case's facts read straight out of the SQLite file, for the full recompute and the
//! exports: the whole-table reads where sqlx-sqlite's hand-off of each row from its worker
//! thread to the async task (~130 k rows/s) was most of the time.
//!
//! A blocking thread opens its own read-only connection to the same file (rusqlite, over the
//! same SQLite library sqlx links), takes one read transaction — so the four tables are read
//! as of one moment, which the sqlx reads never were — and steps four statements side by side,
//! each in case order: cases by id, and interventions, measurements and goals by case id
//! (through their `case_id` indexes). It merges them into one [`CaseFacts`] at a time and
//! sends them in batches over a bounded channel, so the caller (the cube, the CSV writer)
//! works on one batch while the next is read, on the other core, and memory stays bounded by
//! a few batches whatever the size of the database.

use super::facts::{
    CASES_SQL, GOALS_SQL, INTERVENTIONS_SQL, MEASUREMENTS_SQL, first_follow_up_month,
};
use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use evident_core::indicator::{CaseFacts, ClientFacts, InterventionFacts, MeasurementFacts};
use evident_core::org::OrgCode;
use rusqlite::types::ValueRef;
use rusqlite::{Connection, OpenFlags, Row, Rows};
use std::path::{Path, PathBuf};

/// Cases per batch sent from the reading thread.
const CASES_PER_BATCH: usize = 4096;

/// Batches in flight between the reading thread and the caller.
const BATCHES_IN_FLIGHT: usize = 4;

/// Calls `each` with every case's facts in case id order, read from the SQLite file at
/// `path` on a blocking thread. Returns how many cases there were.
///
/// # Errors
/// When the file cannot be opened or read, or a stored value is not what the schema says.
pub(crate) async fn for_each_case(
    path: PathBuf,
    each: &mut (dyn for<'c> FnMut(i64, &'c CaseFacts) + Send),
) -> Result<u64> {
    let (sender, mut receiver) =
        tokio::sync::mpsc::channel::<Vec<(i64, CaseFacts)>>(BATCHES_IN_FLIGHT);
    let reader = tokio::task::spawn_blocking(move || {
        read_cases(&path, |batch| sender.blocking_send(batch).is_ok())
    });
    let mut total = 0_u64;
    while let Some(batch) = receiver.recv().await {
        total += batch.len() as u64;
        for (id, case) in &batch {
            each(*id, case);
        }
    }
    reader
        .await
        .map_err(|e| anyhow::anyhow!("reading the case facts: {e}"))??;
    Ok(total)
}

/// Reads every case's facts in case order and hands them to `send` in batches; stops early
/// (without an error) when `send` returns false, as when the caller has gone.
fn read_cases(path: &Path, mut send: impl FnMut(Vec<(i64, CaseFacts)>) -> bool) -> Result<()> {
    let failed = |e: rusqlite::Error| read_failed(path, &e);
    let connection = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )
    .map_err(failed)?;
    connection
        .busy_timeout(std::time::Duration::from_secs(10))
        .map_err(failed)?;
    connection.execute_batch("begin").map_err(failed)?;
    let mut cases = connection
        .prepare(&format!("{CASES_SQL} order by r.id"))
        .map_err(failed)?;
    let mut interventions = connection
        .prepare(&format!("{INTERVENTIONS_SQL} order by i.case_id, i.id"))
        .map_err(failed)?;
    let mut measurements = connection
        .prepare(&format!("{MEASUREMENTS_SQL} order by m.case_id, m.id"))
        .map_err(failed)?;
    let mut goals = connection
        .prepare(&format!("{GOALS_SQL} order by n.case_id, g.id"))
        .map_err(failed)?;
    let mut cases = cases.query([]).map_err(failed)?;
    let mut interventions =
        Following::new(interventions.query([]).map_err(failed)?, intervention_facts)?;
    let mut measurements =
        Following::new(measurements.query([]).map_err(failed)?, measurement_facts)?;
    let mut goals = Following::new(goals.query([]).map_err(failed)?, |row| {
        Ok(optional_text(row, 1)?.map(str::to_owned))
    })?;
    let mut batch = Vec::with_capacity(CASES_PER_BATCH);
    while let Some(row) = cases.next().map_err(failed)? {
        let (id, mut case) = case_facts(row)?;
        interventions.take(id, &mut case.interventions)?;
        measurements.take(id, &mut case.measurements)?;
        goals.take(id, &mut case.goals)?;
        batch.push((id, case));
        if batch.len() == CASES_PER_BATCH
            && !send(std::mem::replace(
                &mut batch,
                Vec::with_capacity(CASES_PER_BATCH),
            ))
        {
            return Ok(());
        }
    }
    if !batch.is_empty() {
        send(batch);
    }
    Ok(())
}

/// The rows of a table in case order, taken one case at a time: the statement's first
/// column is the case id, and `parse` reads a row into what the case keeps of it.
struct Following<'s, T> {
    rows: Rows<'s>,
    parse: fn(&Row<'_>) -> Result<T>,
    /// The row the statement stands on, with its case id; `None` once it is done.
    pending: Option<(i64, T)>,
}

impl<'s, T> Following<'s, T> {
    fn new(rows: Rows<'s>, parse: fn(&Row<'_>) -> Result<T>) -> Result<Self> {
        let mut following = Self {
            rows,
            parse,
            pending: None,
        };
        following.advance()?;
        Ok(following)
    }

    fn advance(&mut self) -> Result<()> {
        self.pending = match self.rows.next().map_err(step_failed)? {
            Some(row) => Some((integer(row, 0)?, (self.parse)(row)?)),
            None => None,
        };
        Ok(())
    }

    /// Moves the rows of case `id` into `into`, skipping rows of earlier cases (which only a
    /// case deleted between the statements could leave; one transaction rules that out).
    fn take(&mut self, id: i64, into: &mut Vec<T>) -> Result<()> {
        while let Some((case, _)) = &self.pending {
            if *case > id {
                break;
            }
            let (case, item) = self.pending.take().expect("a pending row");
            if case == id {
                into.push(item);
            }
            self.advance()?;
        }
        Ok(())
    }
}

/// A row of [`CASES_SQL`]: `id, client_id, unit_code, opened_on, schedule, sex, birth_year`.
fn case_facts(row: &Row<'_>) -> Result<(i64, CaseFacts)> {
    let id = integer(row, 0)?;
    let facts = CaseFacts {
        unit: OrgCode::parse(text(row, 2)?)?,
        client: ClientFacts {
            id: integer(row, 1)?,
            female: text(row, 5)? == "female",
            birth_year: i32::try_from(integer(row, 6)?)
                .map_err(|_| anyhow::anyhow!("case {id}: a birth year out of range"))?,
        },
        opened_on: date(row, 3)?,
        first_follow_up_month: first_follow_up_month(text(row, 4)?),
        interventions: Vec::new(),
        measurements: Vec::new(),
        goals: Vec::new(),
    };
    Ok((id, facts))
}

/// A row of [`INTERVENTIONS_SQL`]: `case_id, type_code, applied_on, decided_on, started_on,
/// provider`.
fn intervention_facts(row: &Row<'_>) -> Result<InterventionFacts> {
    Ok(InterventionFacts {
        type_code: text(row, 1)?.to_owned(),
        applied_on: optional_date(row, 2)?,
        decided_on: optional_date(row, 3)?,
        started_on: optional_date(row, 4)?,
        private_provider: text(row, 5)? == "private",
    })
}

/// A row of [`MEASUREMENTS_SQL`]: `case_id, instrument_id, time_point, measured_on, score`.
fn measurement_facts(row: &Row<'_>) -> Result<MeasurementFacts> {
    Ok(MeasurementFacts {
        instrument: text(row, 1)?.to_owned(),
        baseline: text(row, 2)? == "baseline",
        measured_on: date(row, 3)?,
        score: match value(row, 4)? {
            ValueRef::Null => None,
            ValueRef::Real(score) => Some(score),
            // A real column keeps a whole number as an integer when it fits exactly.
            ValueRef::Integer(score) => Some(score as f64),
            other => return Err(unexpected(row, 4, "a number", other)),
        },
    })
}

fn value<'r>(row: &'r Row<'_>, column: usize) -> Result<ValueRef<'r>> {
    row.get_ref(column).map_err(|e| anyhow::anyhow!(e).into())
}

fn integer(row: &Row<'_>, column: usize) -> Result<i64> {
    match value(row, column)? {
        ValueRef::Integer(n) => Ok(n),
        other => Err(unexpected(row, column, "an integer", other)),
    }
}

fn text<'r>(row: &'r Row<'_>, column: usize) -> Result<&'r str> {
    optional_text(row, column)?.ok_or_else(|| unexpected(row, column, "text", ValueRef::Null))
}

fn optional_text<'r>(row: &'r Row<'_>, column: usize) -> Result<Option<&'r str>> {
    match value(row, column)? {
        ValueRef::Null => Ok(None),
        ValueRef::Text(bytes) => std::str::from_utf8(bytes)
            .map(Some)
            .map_err(|e| anyhow::anyhow!("column {column}: {e}").into()),
        other => Err(unexpected(row, column, "text", other)),
    }
}

fn date(row: &Row<'_>, column: usize) -> Result<NaiveDate> {
    optional_date(row, column)?.ok_or_else(|| unexpected(row, column, "a date", ValueRef::Null))
}

/// A date as sqlx stores a `NaiveDate` in SQLite: `YYYY-MM-DD` text.
fn optional_date(row: &Row<'_>, column: usize) -> Result<Option<NaiveDate>> {
    let Some(text) = optional_text(row, column)? else {
        return Ok(None);
    };
    text.parse()
        .map(Some)
        .map_err(|e| anyhow::anyhow!("column {column}: {text:?} is not a date: {e}").into())
}

fn unexpected(row: &Row<'_>, column: usize, wanted: &str, found: ValueRef<'_>) -> StorageError {
    let name = row.as_ref().column_name(column).unwrap_or("?");
    anyhow::anyhow!(
        "column {name}: expected {wanted}, found {:?}",
        found.data_type()
    )
    .into()
}

fn step_failed(e: rusqlite::Error) -> StorageError {
    anyhow::anyhow!("reading the case facts: {e}").into()
}

fn read_failed(path: &Path, e: &rusqlite::Error) -> StorageError {
    StorageError::Unavailable(format!(
        "cannot read the case facts from the SQLite database {}: {e}",
        path.display()
    ))
}
