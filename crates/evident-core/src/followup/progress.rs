//! A case's progress: which scheduled follow-ups are done, due or overdue, and each
//! instrument's change from baseline to the latest follow-up.

use crate::followup::change::{Change, classify};
use crate::followup::instrument::Instrument;
use crate::followup::{Case, Measurement, TimePoint};
use chrono::{Months, NaiveDate};
use serde::Serialize;

/// How far ahead a follow-up counts as due (days before its date).
pub const DUE_WINDOW_DAYS: i64 = 14;

/// Where a scheduled follow-up stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FollowUpStatus {
    /// A follow-up measurement for this month exists.
    Done,
    /// Its date is within [`DUE_WINDOW_DAYS`] days.
    Due,
    /// Its date has passed without a measurement.
    Overdue,
    /// Later.
    Upcoming,
    /// Not done, and no longer due: the case was closed before it.
    Closed,
}

/// One follow-up of a case's schedule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ScheduledFollowUp {
    /// Months after baseline.
    pub month: u32,
    /// The date it falls on.
    pub due_on: NaiveDate,
    /// Where it stands.
    pub status: FollowUpStatus,
}

/// The follow-ups of `case` and where they stand on `today`. The schedule counts from the
/// first baseline measurement, or from the case's opening when there is none yet.
pub fn follow_up_schedule(
    case: &Case,
    measurements: &[Measurement],
    today: NaiveDate,
) -> Vec<ScheduledFollowUp> {
    let start = measurements
        .iter()
        .filter(|m| m.time_point == TimePoint::Baseline)
        .map(|m| m.measured_on)
        .min()
        .unwrap_or(case.opened_on);
    case.schedule
        .iter()
        .map(|&month| {
            let due_on = start
                .checked_add_months(Months::new(month))
                .unwrap_or(NaiveDate::MAX);
            let done = measurements
                .iter()
                .any(|m| m.time_point == TimePoint::FollowUp && m.month == Some(month));
            let status = if done {
                FollowUpStatus::Done
            } else if case.closed_on.is_some_and(|closed| closed <= due_on) {
                FollowUpStatus::Closed
            } else if due_on < today {
                FollowUpStatus::Overdue
            } else if (due_on - today).num_days() <= DUE_WINDOW_DAYS {
                FollowUpStatus::Due
            } else {
                FollowUpStatus::Upcoming
            };
            ScheduledFollowUp {
                month,
                due_on,
                status,
            }
        })
        .collect()
}

/// One instrument's scores in a case over time, and the change from baseline to the latest
/// later measurement.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct InstrumentProgress {
    /// The instrument's id.
    pub instrument_id: String,
    /// Dated scores, oldest first (unscored measurements left out).
    pub scores: Vec<(NaiveDate, f64)>,
    /// The first baseline score.
    pub baseline: Option<f64>,
    /// The latest follow-up or end score.
    pub latest: Option<f64>,
    /// The change between them, when both exist.
    pub change: Option<Change>,
}

/// The progress of a case on `instrument`, from its measurements.
pub fn instrument_progress(
    instrument: &Instrument,
    measurements: &[Measurement],
) -> InstrumentProgress {
    let mut mine: Vec<&Measurement> = measurements
        .iter()
        .filter(|m| m.instrument_id == instrument.id)
        .collect();
    mine.sort_by_key(|m| (m.measured_on, m.id));
    let scores: Vec<(NaiveDate, f64)> = mine
        .iter()
        .filter_map(|m| Some((m.measured_on, m.score?)))
        .collect();
    let (baseline, latest) = baseline_and_latest(&mine, |m| (m.time_point, m.score));
    InstrumentProgress {
        instrument_id: instrument.id.clone(),
        scores,
        baseline,
        latest,
        change: change_between(instrument, baseline, latest),
    }
}

/// One measurement's score without its answers: what the unit's follow-up table reads of
/// each measurement.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasuredScore {
    /// The measurement's id (orders measurements of the same day).
    pub id: i64,
    /// Its case.
    pub case_id: i64,
    /// The instrument's id.
    pub instrument_id: String,
    /// The instrument's version.
    pub instrument_version: String,
    /// When in the case it was taken.
    pub time_point: TimePoint,
    /// When it was answered.
    pub measured_on: NaiveDate,
    /// Its score; `None` when unscored.
    pub score: Option<f64>,
}

/// A case's baseline and latest score on one instrument, and the change between them: the
/// part of [`InstrumentProgress`] the unit's follow-up table needs.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ScoreProgress {
    /// The first baseline score.
    pub baseline: Option<f64>,
    /// The latest follow-up or end score.
    pub latest: Option<f64>,
    /// The change between them, when both exist.
    pub change: Option<Change>,
}

/// The progress of a case on `instrument` from its scores, as [`instrument_progress`] finds
/// it from whole measurements: scores on other instruments are left out, the rest taken by
/// day, then by id.
pub fn score_progress<'a>(
    instrument: &Instrument,
    scores: impl IntoIterator<Item = &'a MeasuredScore>,
) -> ScoreProgress {
    let mut mine: Vec<&MeasuredScore> = scores
        .into_iter()
        .filter(|s| s.instrument_id == instrument.id)
        .collect();
    mine.sort_by_key(|s| (s.measured_on, s.id));
    let (baseline, latest) = baseline_and_latest(&mine, |s| (s.time_point, s.score));
    ScoreProgress {
        baseline,
        latest,
        change: change_between(instrument, baseline, latest),
    }
}

/// The score of the first baseline in `sorted` (oldest first; `None` when that baseline is
/// unscored) and the latest scored measurement after baseline.
fn baseline_and_latest<T>(
    sorted: &[T],
    point: impl Fn(&T) -> (TimePoint, Option<f64>),
) -> (Option<f64>, Option<f64>) {
    let baseline = sorted
        .iter()
        .map(&point)
        .find(|(time_point, _)| *time_point == TimePoint::Baseline)
        .and_then(|(_, score)| score);
    let latest = sorted
        .iter()
        .rev()
        .map(&point)
        .find(|(time_point, score)| *time_point != TimePoint::Baseline && score.is_some())
        .and_then(|(_, score)| score);
    (baseline, latest)
}

/// The change from `baseline` to `latest` on `instrument`, when both exist.
fn change_between(
    instrument: &Instrument,
    baseline: Option<f64>,
    latest: Option<f64>,
) -> Option<Change> {
    baseline
        .zip(latest)
        .map(|(b, l)| classify(instrument, b, l))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrgCode;
    use crate::followup::Respondent;
    use crate::followup::change::ChangeClass;
    use crate::followup::instrument::ScoringMethod;
    use crate::followup::instrument::tests::toy;

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn measurement(
        id: i64,
        on: &str,
        time_point: TimePoint,
        month: Option<u32>,
        score: Option<f64>,
    ) -> Measurement {
        Measurement {
            id,
            case_id: 1,
            instrument_id: "toy".into(),
            instrument_version: "1".into(),
            time_point,
            month,
            measured_on: day(on),
            respondent: Respondent::Client,
            answers: Default::default(),
            score,
        }
    }

    fn case() -> Case {
        Case {
            id: 1,
            client_id: 1,
            unit: OrgCode::parse("0380-0001").unwrap(),
            opened_on: day("2026-01-05"),
            closed_on: None,
            schedule: vec![3, 6, 12],
        }
    }

    #[test]
    fn the_schedule_counts_from_baseline_and_marks_done_due_overdue_and_upcoming() {
        let measurements = [
            measurement(1, "2026-01-10", TimePoint::Baseline, None, Some(12.0)),
            measurement(2, "2026-04-12", TimePoint::FollowUp, Some(3), Some(8.0)),
        ];
        // Baseline 2026-01-10: 3 months → 2026-04-10 (done), 6 → 2026-07-10, 12 → 2027-01-10.
        let on = |today: &str| {
            follow_up_schedule(&case(), &measurements, day(today))
                .into_iter()
                .map(|f| (f.due_on, f.status))
                .collect::<Vec<_>>()
        };
        assert_eq!(
            on("2026-06-30"),
            vec![
                (day("2026-04-10"), FollowUpStatus::Done),
                (day("2026-07-10"), FollowUpStatus::Due),
                (day("2027-01-10"), FollowUpStatus::Upcoming),
            ]
        );
        assert_eq!(on("2026-07-11")[1].1, FollowUpStatus::Overdue);
        assert_eq!(
            on("2026-06-25")[1].1,
            FollowUpStatus::Upcoming,
            "15 days ahead is not yet due"
        );
        let from_opening = follow_up_schedule(&case(), &[], day("2026-02-01"));
        assert_eq!(
            from_opening[0].due_on,
            day("2026-04-05"),
            "no baseline: counted from the opening"
        );
    }

    #[test]
    fn follow_ups_after_a_case_is_closed_are_no_longer_due() {
        let mut closed = case();
        closed.closed_on = Some(day("2026-05-01"));
        let measurements = [measurement(
            1,
            "2026-01-10",
            TimePoint::Baseline,
            None,
            Some(12.0),
        )];
        let statuses: Vec<_> = follow_up_schedule(&closed, &measurements, day("2026-12-01"))
            .into_iter()
            .map(|f| f.status)
            .collect();
        // 3 months (2026-04-10) fell before the closing and was missed; 6 and 12 fall after it.
        assert_eq!(
            statuses,
            vec![
                FollowUpStatus::Overdue,
                FollowUpStatus::Closed,
                FollowUpStatus::Closed
            ]
        );
    }

    #[test]
    fn progress_pairs_the_baseline_with_the_latest_scored_follow_up() {
        let instrument = toy(false, ScoringMethod::Sum);
        let measurements = [
            measurement(1, "2026-01-10", TimePoint::Baseline, None, Some(12.0)),
            measurement(2, "2026-04-12", TimePoint::FollowUp, Some(3), Some(8.0)),
            measurement(3, "2026-07-12", TimePoint::FollowUp, Some(6), Some(3.0)),
            measurement(4, "2026-08-01", TimePoint::End, None, None),
        ];
        let progress = instrument_progress(&instrument, &measurements);
        assert_eq!(
            progress.scores.len(),
            3,
            "the unscored end measurement has no point"
        );
        assert_eq!(
            (progress.baseline, progress.latest),
            (Some(12.0), Some(3.0))
        );
        assert_eq!(progress.change.unwrap().class, ChangeClass::Recovered);
        let only_baseline = instrument_progress(&instrument, &measurements[..1]);
        assert_eq!(only_baseline.change, None);
    }

    fn scored(
        id: i64,
        on: &str,
        time_point: TimePoint,
        score: Option<f64>,
        instrument: &str,
    ) -> MeasuredScore {
        MeasuredScore {
            id,
            case_id: 1,
            instrument_id: instrument.into(),
            instrument_version: "1".into(),
            time_point,
            measured_on: day(on),
            score,
        }
    }

    #[test]
    fn score_progress_takes_the_first_baseline_and_the_latest_scored_later_score() {
        let instrument = toy(false, ScoringMethod::Sum);
        // Given out of order, with another instrument's scores and an unscored end.
        let scores = [
            scored(4, "2026-08-01", TimePoint::End, None, "toy"),
            scored(3, "2026-07-12", TimePoint::FollowUp, Some(3.0), "toy"),
            scored(9, "2026-07-12", TimePoint::FollowUp, Some(1.0), "other"),
            scored(1, "2026-01-10", TimePoint::Baseline, Some(12.0), "toy"),
            scored(5, "2026-01-11", TimePoint::Baseline, Some(14.0), "toy"),
            scored(2, "2026-04-12", TimePoint::FollowUp, Some(8.0), "toy"),
        ];
        let progress = score_progress(&instrument, &scores);
        assert_eq!(
            (progress.baseline, progress.latest),
            (Some(12.0), Some(3.0))
        );
        assert_eq!(progress.change.unwrap().class, ChangeClass::Recovered);
        assert_eq!(
            score_progress(&instrument, &scores[3..5]),
            ScoreProgress {
                baseline: Some(12.0),
                latest: None,
                change: None
            },
            "baselines only: no latest score"
        );
    }

    #[test]
    fn score_progress_orders_a_days_scores_by_id_and_keeps_an_unscored_first_baseline() {
        let instrument = toy(false, ScoringMethod::Sum);
        let scores = [
            scored(7, "2026-04-12", TimePoint::FollowUp, Some(8.0), "toy"),
            scored(6, "2026-04-12", TimePoint::FollowUp, Some(5.0), "toy"),
            scored(2, "2026-01-10", TimePoint::Baseline, Some(12.0), "toy"),
            scored(1, "2026-01-10", TimePoint::Baseline, None, "toy"),
        ];
        let progress = score_progress(&instrument, &scores);
        assert_eq!(
            progress.latest,
            Some(8.0),
            "the same day: the higher id is later"
        );
        assert_eq!(
            progress.baseline, None,
            "the first baseline is unscored, as instrument_progress has it"
        );
    }

    #[test]
    fn score_progress_agrees_with_instrument_progress() {
        let instrument = toy(false, ScoringMethod::Sum);
        let measurements = [
            measurement(1, "2026-01-10", TimePoint::Baseline, None, Some(12.0)),
            measurement(2, "2026-04-12", TimePoint::FollowUp, Some(3), Some(8.0)),
            measurement(3, "2026-04-12", TimePoint::FollowUp, Some(6), None),
            measurement(4, "2026-08-01", TimePoint::End, None, Some(9.0)),
        ];
        let scores: Vec<MeasuredScore> = measurements
            .iter()
            .map(|m| scored(m.id, "2000-01-01", m.time_point, m.score, "toy"))
            .zip(&measurements)
            .map(|(s, m)| MeasuredScore {
                measured_on: m.measured_on,
                ..s
            })
            .collect();
        for n in 0..=measurements.len() {
            let whole = instrument_progress(&instrument, &measurements[..n]);
            let scored = score_progress(&instrument, &scores[..n]);
            assert_eq!(
                (whole.baseline, whole.latest, whole.change),
                (scored.baseline, scored.latest, scored.change),
                "the first {n}"
            );
        }
    }
}
