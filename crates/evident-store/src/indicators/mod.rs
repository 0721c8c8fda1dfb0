//! [`IndicatorStore`]: the stored indicator rows, kept current as data arrives, and the only
//! way to read them — through disclosure control, so that no suppressed value leaves this
//! crate for any page, API or export.
//!
//! A full recompute streams every case's facts out of the database in case order (`pages`:
//! straight from the file on SQLite, in keyset pages of cases on PostgreSQL), adds each case
//! to the cube's records as it comes, computes the cube in memory
//! (`evident_core::indicator::compute`), masks each (indicator, variant, period) tree and
//! replaces the stored rows. A write to one case applies the difference
//! between the case's records before and after the write to the rows along its unit's
//! lineage, in the write's own transaction, and re-masks a tree only when a cell crossed the
//! minimum count.
//!
//! Rows are computed as of a date (`evident_core::indicator::Facts::as_of`), kept in
//! `indicator_state`: the full recompute is given it, the incremental update uses the stored
//! one, so both count the same. Periods that begin after it are not published.

mod facts;
mod pages;
mod sql;
mod sqlite_facts;

use crate::error::{Result, StorageError};
use chrono::NaiveDate;
use evident_core::access::audit::Actor;
use evident_core::indicator::{CaseFacts, IndicatorSet, Measure, Period, Published};
use evident_core::org::OrgCode;
use evident_core::participation::survey::IntegrityMode;
use std::sync::OnceLock;

/// The indicator definitions in force: the embedded set.
pub fn indicator_set() -> &'static IndicatorSet {
    static SET: OnceLock<IndicatorSet> = OnceLock::new();
    SET.get_or_init(IndicatorSet::embedded)
}

/// One node's published cells for one indicator, variant and period: one per breakdown
/// category of `evident_core::indicator::CATEGORIES`.
#[derive(Debug, Clone, PartialEq)]
pub struct PublishedRow {
    /// The node.
    pub node: OrgCode,
    /// The period.
    pub period: Period,
    /// Per category, after disclosure control.
    pub cells: Vec<Published>,
}

/// Whether the stored rows reflect the data, with which minimum count and as of which date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndicatorState {
    /// The minimum number of individuals behind a published value.
    pub min_count: u64,
    /// False until a full computation has caught up with the data.
    pub current: bool,
    /// The day the rows are computed as of: later records are not counted, open follow-up
    /// windows neither, the period holding it is preliminary and later ones unpublished.
    pub as_of: NaiveDate,
    /// Counts the changes of what is published (migration 0019): a cache of published values
    /// or an ETag made at one revision is good until it changes.
    pub revision: i64,
}

/// Marks a change of what the indicators publish, inside the changing transaction.
pub(crate) const BUMP_REVISION: &str = r"
    update indicator_state
    set revision = revision + 1
    where id = 1
";

/// What a full recompute did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecomputeSummary {
    /// Cases read.
    pub cases: u64,
    /// Records counted.
    pub records: u64,
    /// Rows stored.
    pub rows: u64,
    /// Cells suppressed (of rows × categories).
    pub suppressed_cells: u64,
}

/// Stored indicators.
#[async_trait::async_trait]
pub trait IndicatorStore {
    /// Recomputes every indicator from all data as of `as_of` (callers pass today in Sweden)
    /// and replaces the stored rows; with `min_count`, also changes the minimum count. The
    /// incremental updates that follow use the same date. Recorded in the audit trail.
    async fn recompute_indicators(
        &self,
        as_of: NaiveDate,
        min_count: Option<u64>,
        actor: &Actor,
    ) -> Result<RecomputeSummary>;

    /// Whether the stored rows are current, the minimum count and the as-of date.
    async fn indicator_state(&self) -> Result<IndicatorState>;

    /// The published rows of `indicator` (a base or difference indicator) for `variant` and
    /// `period`, every node that has data, nation first; none for a period that begins after
    /// the as-of date.
    async fn published_rows(
        &self,
        indicator: &str,
        variant: &str,
        period: Period,
    ) -> Result<Vec<PublishedRow>>;

    /// The periods with data for `indicator` that have begun by the as-of date, newest first.
    async fn indicator_periods(&self, indicator: &str) -> Result<Vec<Period>>;

    /// The variants with data for `indicator` (`""` first).
    async fn indicator_variants(&self, indicator: &str) -> Result<Vec<String>>;

    /// The case facts of every case, in case order, for exports (one closure call per case),
    /// read in pages of cases so that memory stays bounded by a page.
    async fn for_each_case_facts(
        &self,
        each: &mut (dyn for<'c> FnMut(i64, &'c CaseFacts) + Send),
    ) -> Result<u64>;
}

/// What an indicator measured by a client survey reads: the survey, the question and the
/// integrity modes whose publications count.
struct SurveyMeasure {
    survey: &'static str,
    question: &'static str,
    integrity: &'static [IntegrityMode],
}

/// The survey measure of an indicator, if it is measured by a client survey.
fn survey_measure(indicator: &str) -> Result<Option<SurveyMeasure>> {
    let definition = indicator_set()
        .get(indicator)
        .ok_or_else(|| StorageError::not_found("indicator", indicator))?;
    Ok(match &definition.measure {
        Measure::Survey {
            survey,
            question,
            integrity,
        } => Some(SurveyMeasure {
            survey,
            question,
            integrity,
        }),
        _ => None,
    })
}

/// The parts a published indicator reads: itself, or the two it is the difference of (none
/// for a survey indicator, which reads the survey's published results instead).
fn base_parts(indicator: &str) -> Result<Vec<&'static str>> {
    let set = indicator_set();
    let definition = set
        .get(indicator)
        .ok_or_else(|| StorageError::not_found("indicator", indicator))?;
    Ok(match &definition.measure {
        Measure::Base { .. } => vec![definition.id.as_str()],
        Measure::Survey { .. } => Vec::new(),
        Measure::Difference {
            minuend,
            subtrahend,
        } => [minuend, subtrahend]
            .into_iter()
            .filter_map(|id| set.get(id).map(|d| d.id.as_str()))
            .collect(),
    })
}
