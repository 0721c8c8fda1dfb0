//! A unit's follow-up table: per intervention type and instrument, how many clients started,
//! were measured at baseline and followed up, their mean change, the pre/post effect size with
//! its 95 % confidence interval, and the shares reliably improved and deteriorated. Any cell
//! resting on fewer than `k` clients is suppressed.
//!
//! The effect size is the standardised mean change with the baseline SD,
//! `d = mean(x₂ − x₁) / SD(x₁)`, oriented so that a positive `d` is improvement; its variance
//! is approximated as `2(1 − r)/n + d²/(2n)` with `r` the baseline–follow-up correlation
//! (Becker 1988, "Synthesizing standardized mean-change measures").

use crate::followup::change::ChangeClass;
use crate::followup::instrument::Instrument;
use crate::followup::progress::{MeasuredScore, score_progress};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// The default disclosure threshold: cells on fewer clients are not shown.
pub const DEFAULT_K: usize = 5;

/// A published number, or the fact that it is withheld.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Cell<T> {
    /// The value.
    Value(T),
    /// Withheld: it rests on fewer than `k` clients.
    Suppressed,
}

impl<T: Copy> Cell<T> {
    /// The value, if published.
    pub fn value(self) -> Option<T> {
        match self {
            Self::Value(v) => Some(v),
            Self::Suppressed => None,
        }
    }
}

/// One client's case with one intervention type and one instrument.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClientOutcome {
    /// The intervention type's code.
    pub intervention_type: String,
    /// The instrument's id.
    pub instrument_id: String,
    /// Whether higher scores are better on that instrument.
    pub higher_is_better: bool,
    /// Baseline score, if measured.
    pub baseline: Option<f64>,
    /// Latest follow-up score, if measured.
    pub follow_up: Option<f64>,
    /// The Jacobson–Truax class, when both exist.
    pub class: Option<ChangeClass>,
}

/// A row of the follow-up table.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUpRow {
    /// The intervention type.
    pub intervention_type: String,
    /// The instrument.
    pub instrument_id: String,
    /// Clients with this intervention type and instrument.
    pub started: Cell<usize>,
    /// Of them, measured at baseline.
    pub with_baseline: Cell<usize>,
    /// Of those, followed up.
    pub with_follow_up: Cell<usize>,
    /// Share of those measured at baseline who were not followed up.
    pub dropout_share: Cell<f64>,
    /// Mean change (follow-up − baseline), in the instrument's own direction.
    pub mean_change: Cell<f64>,
    /// Effect size, positive = improvement.
    pub effect_size: Cell<f64>,
    /// Its 95 % confidence interval.
    pub effect_size_ci: Cell<(f64, f64)>,
    /// Share reliably improved (recovered included).
    pub improved_share: Cell<f64>,
    /// Share reliably deteriorated.
    pub deteriorated_share: Cell<f64>,
}

fn count(n: usize, k: usize) -> Cell<usize> {
    if n == 0 || n >= k {
        Cell::Value(n)
    } else {
        Cell::Suppressed
    }
}

fn on(n: usize, k: usize, value: impl FnOnce() -> Option<f64>) -> Cell<f64> {
    match value() {
        Some(v) if n >= k => Cell::Value(v),
        _ => Cell::Suppressed,
    }
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

/// Sample standard deviation (n − 1).
fn sd(values: &[f64]) -> Option<f64> {
    if values.len() < 2 {
        return None;
    }
    let m = mean(values);
    Some((values.iter().map(|v| (v - m).powi(2)).sum::<f64>() / (values.len() - 1) as f64).sqrt())
}

fn correlation(x: &[f64], y: &[f64]) -> Option<f64> {
    let (mx, my) = (mean(x), mean(y));
    let cov: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    let sy: f64 = y.iter().map(|b| (b - my).powi(2)).sum();
    (sx > 0.0 && sy > 0.0).then(|| cov / (sx * sy).sqrt())
}

/// The standardised mean change with its 95 % CI, oriented so positive is improvement.
pub fn effect_size(pairs: &[(f64, f64)], higher_is_better: bool) -> Option<(f64, (f64, f64))> {
    let n = pairs.len();
    let pre: Vec<f64> = pairs.iter().map(|p| p.0).collect();
    let post: Vec<f64> = pairs.iter().map(|p| p.1).collect();
    let sd_pre = sd(&pre).filter(|s| *s > 0.0)?;
    let diffs: Vec<f64> = pairs.iter().map(|(a, b)| b - a).collect();
    let sign = if higher_is_better { 1.0 } else { -1.0 };
    let d = sign * mean(&diffs) / sd_pre;
    // Without variation in the follow-up scores r is undefined; 0 is the conservative choice.
    let r = correlation(&pre, &post).unwrap_or(0.0);
    let n = n as f64;
    let se = (2.0 * (1.0 - r) / n + d * d / (2.0 * n)).sqrt();
    Some((d, (d - 1.96 * se, d + 1.96 * se)))
}

/// The outcomes a unit's follow-up table is made of: for each case, each instrument it was
/// measured on and each intervention type started in it (`started`: case id and type code,
/// repeats allowed), the case's [`score_progress`] on that instrument. `scores` are the
/// unit's scores with their cases in the order the table is to take them (the order of the
/// cases matters to the last digits of its sums); a case's scores on an instrument are judged
/// by the instrument at the version of its earliest score, as `instrument(id, version)` gives
/// it (an instrument it does not give is left out). Cases without a started intervention, or
/// without scores, add nothing.
pub fn client_outcomes<'i>(
    scores: &[MeasuredScore],
    started: &[(i64, String)],
    instrument: impl Fn(&str, &str) -> Option<&'i Instrument>,
) -> Vec<ClientOutcome> {
    let mut types: HashMap<i64, Vec<&str>> = HashMap::new();
    for (case_id, type_code) in started {
        types.entry(*case_id).or_default().push(type_code);
    }
    for kinds in types.values_mut() {
        kinds.sort_unstable();
        kinds.dedup();
    }
    // The cases in the order of their first score, each with its scores.
    let mut cases: Vec<(i64, Vec<&MeasuredScore>)> = Vec::new();
    let mut position: HashMap<i64, usize> = HashMap::new();
    for score in scores {
        let at = *position.entry(score.case_id).or_insert_with(|| {
            cases.push((score.case_id, Vec::new()));
            cases.len() - 1
        });
        cases[at].1.push(score);
    }
    let mut outcomes = Vec::new();
    for (case_id, case_scores) in cases {
        let Some(kinds) = types.get(&case_id) else {
            continue;
        };
        let mut instrument_ids: Vec<&str> = case_scores
            .iter()
            .map(|s| s.instrument_id.as_str())
            .collect();
        instrument_ids.sort_unstable();
        instrument_ids.dedup();
        for instrument_id in instrument_ids {
            let earliest = case_scores
                .iter()
                .filter(|s| s.instrument_id == instrument_id)
                .min_by_key(|s| (s.measured_on, s.id))
                .expect("the instrument has a score in this case");
            let Some(instrument) = instrument(instrument_id, &earliest.instrument_version) else {
                continue;
            };
            let progress = score_progress(instrument, case_scores.iter().copied());
            for kind in kinds {
                outcomes.push(ClientOutcome {
                    intervention_type: (*kind).to_owned(),
                    instrument_id: instrument_id.to_owned(),
                    higher_is_better: instrument.higher_is_better,
                    baseline: progress.baseline,
                    follow_up: progress.latest,
                    class: progress.change.map(|c| c.class),
                });
            }
        }
    }
    outcomes
}

/// The follow-up table for a unit's clients, with cells under `k` clients suppressed.
pub fn follow_up_table(outcomes: &[ClientOutcome], k: usize) -> Vec<FollowUpRow> {
    let mut groups: BTreeMap<(&str, &str), Vec<&ClientOutcome>> = BTreeMap::new();
    for o in outcomes {
        groups
            .entry((o.intervention_type.as_str(), o.instrument_id.as_str()))
            .or_default()
            .push(o);
    }
    groups
        .into_iter()
        .map(|((intervention_type, instrument_id), group)| {
            let started = group.len();
            let with_baseline = group.iter().filter(|o| o.baseline.is_some()).count();
            let pairs: Vec<(f64, f64)> = group
                .iter()
                .filter_map(|o| Some((o.baseline?, o.follow_up?)))
                .collect();
            let followed = pairs.len();
            let higher_is_better = group[0].higher_is_better;
            let classes: Vec<ChangeClass> = group.iter().filter_map(|o| o.class).collect();
            let share = |pred: fn(&ChangeClass) -> bool| {
                (!classes.is_empty()).then(|| {
                    classes.iter().filter(|c| pred(c)).count() as f64 / classes.len() as f64
                })
            };
            let es = effect_size(&pairs, higher_is_better);
            FollowUpRow {
                intervention_type: intervention_type.to_owned(),
                instrument_id: instrument_id.to_owned(),
                started: count(started, k),
                with_baseline: count(with_baseline, k),
                with_follow_up: count(followed, k),
                // The share reveals the number who dropped out, so it is shown only when that
                // number, and both it is computed from, could be shown themselves.
                dropout_share: match [with_baseline, followed, with_baseline - followed]
                    .map(|n| count(n, k))
                {
                    [Cell::Value(b), Cell::Value(f), Cell::Value(_)] if b > 0 => {
                        Cell::Value(1.0 - f as f64 / b as f64)
                    }
                    _ => Cell::Suppressed,
                },
                mean_change: on(followed, k, || {
                    (!pairs.is_empty())
                        .then(|| mean(&pairs.iter().map(|(a, b)| b - a).collect::<Vec<_>>()))
                }),
                effect_size: on(followed, k, || es.map(|e| e.0)),
                effect_size_ci: match es {
                    Some((_, ci)) if followed >= k => Cell::Value(ci),
                    _ => Cell::Suppressed,
                },
                improved_share: on(classes.len(), k, || share(|c| c.improved())),
                deteriorated_share: on(classes.len(), k, || {
                    share(|c| *c == ChangeClass::ReliablyDeteriorated)
                }),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-5
    }

    #[test]
    fn the_effect_size_and_its_interval_match_the_hand_calculation() {
        // pre 10 12 14 16 18, post 6 9 10 13 12 (lower is better).
        // diffs −4 −3 −4 −3 −6, mean −4. SD(pre) = √(40/4) = 3.162278. d = −4/3.162278 = −1.264911,
        // oriented +1.264911. r = 32 / √(40·30) = 0.923760.
        // var = 2(1 − 0.923760)/5 + 1.6/10 = 0.030496 + 0.16 = 0.190496, se = 0.436458,
        // CI = 1.264911 ± 1.96 · 0.436458 = [0.409454, 2.120369].
        let pairs = [
            (10.0, 6.0),
            (12.0, 9.0),
            (14.0, 10.0),
            (16.0, 13.0),
            (18.0, 12.0),
        ];
        let (d, (lo, hi)) = effect_size(&pairs, false).unwrap();
        assert!(close(d, 1.264_911), "{d}");
        assert!(close(lo, 0.409_454) && close(hi, 2.120_369), "{lo} {hi}");
        let (d_up, _) = effect_size(&pairs, true).unwrap();
        assert!(
            close(d_up, -1.264_911),
            "on a higher-is-better scale the same change is worse"
        );
        assert_eq!(
            effect_size(&[(3.0, 1.0)], false),
            None,
            "one client has no SD"
        );
        assert_eq!(
            effect_size(&[(3.0, 1.0), (3.0, 2.0)], false),
            None,
            "no baseline variation"
        );
    }

    fn outcome(
        kind: &str,
        baseline: Option<f64>,
        follow_up: Option<f64>,
        class: Option<ChangeClass>,
    ) -> ClientOutcome {
        ClientOutcome {
            intervention_type: kind.into(),
            instrument_id: "phq-9".into(),
            higher_is_better: false,
            baseline,
            follow_up,
            class,
        }
    }

    #[test]
    fn a_table_row_counts_clients_and_suppresses_small_cells() {
        use ChangeClass::*;
        let mut outcomes = vec![
            outcome("mst", Some(10.0), Some(6.0), Some(ReliablyImproved)),
            outcome("mst", Some(12.0), Some(9.0), Some(Unchanged)),
            outcome("mst", Some(14.0), Some(10.0), Some(ReliablyImproved)),
            outcome("mst", Some(16.0), Some(13.0), Some(Unchanged)),
            outcome("mst", Some(18.0), Some(12.0), Some(Recovered)),
            outcome("mst", Some(11.0), None, None),
            outcome("mst", None, None, None),
        ];
        outcomes.push(outcome(
            "familjehem",
            Some(9.0),
            Some(20.0),
            Some(ReliablyDeteriorated),
        ));
        let table = follow_up_table(&outcomes, DEFAULT_K);
        let mst = table.iter().find(|r| r.intervention_type == "mst").unwrap();
        assert_eq!(
            (mst.started, mst.with_baseline, mst.with_follow_up),
            (Cell::Value(7), Cell::Value(6), Cell::Value(5))
        );
        assert_eq!(
            mst.dropout_share,
            Cell::Suppressed,
            "one client dropped out: that one is not shown"
        );
        assert!(close(mst.mean_change.value().unwrap(), -4.0));
        assert!(close(mst.effect_size.value().unwrap(), 1.264_911));
        assert!(close(mst.improved_share.value().unwrap(), 3.0 / 5.0));
        assert_eq!(mst.deteriorated_share, Cell::Value(0.0));
        let foster = table
            .iter()
            .find(|r| r.intervention_type == "familjehem")
            .unwrap();
        assert_eq!(
            foster.started,
            Cell::Suppressed,
            "one client is never shown"
        );
        assert_eq!(foster.mean_change, Cell::Suppressed);
        assert_eq!(foster.deteriorated_share, Cell::Suppressed);
    }

    #[test]
    fn four_followed_up_clients_suppress_the_change_but_not_larger_counts() {
        let outcomes: Vec<_> = (0..6)
            .map(|i| {
                outcome(
                    "mst",
                    Some(10.0 + f64::from(i)),
                    (i < 4).then_some(5.0),
                    (i < 4).then_some(ChangeClass::Recovered),
                )
            })
            .collect();
        let row = &follow_up_table(&outcomes, DEFAULT_K)[0];
        assert_eq!(row.started, Cell::Value(6));
        assert_eq!(row.with_follow_up, Cell::Suppressed);
        assert_eq!(row.mean_change, Cell::Suppressed);
        assert_eq!(row.effect_size_ci, Cell::Suppressed);
        assert_eq!(row.improved_share, Cell::Suppressed);
        assert_eq!(
            row.dropout_share,
            Cell::Suppressed,
            "6 − 4 = 2 dropped out: too few to show"
        );
    }

    #[test]
    fn the_dropout_share_is_shown_when_every_count_behind_it_is() {
        let outcomes: Vec<_> = (0..10)
            .map(|i| {
                outcome(
                    "mst",
                    Some(10.0 + f64::from(i)),
                    (i < 5).then_some(5.0),
                    (i < 5).then_some(ChangeClass::Recovered),
                )
            })
            .collect();
        let row = &follow_up_table(&outcomes, DEFAULT_K)[0];
        assert_eq!(row.dropout_share, Cell::Value(0.5));
    }

    fn score(
        case_id: i64,
        id: i64,
        instrument: &str,
        version: &str,
        on: &str,
        time_point: crate::followup::TimePoint,
        score: Option<f64>,
    ) -> MeasuredScore {
        MeasuredScore {
            id,
            case_id,
            instrument_id: instrument.into(),
            instrument_version: version.into(),
            time_point,
            measured_on: chrono::NaiveDate::parse_from_str(on, "%Y-%m-%d").unwrap(),
            score,
        }
    }

    #[test]
    fn client_outcomes_pair_each_started_type_with_each_instrument_a_case_was_measured_on() {
        use crate::followup::TimePoint::{Baseline, FollowUp};
        use crate::followup::instrument::ScoringMethod;
        use crate::followup::instrument::tests::toy;
        let toy_1 = toy(false, ScoringMethod::Sum);
        let toy_2 = Instrument {
            version: "2".into(),
            higher_is_better: true,
            ..toy_1.clone()
        };
        let other = Instrument {
            id: "other".into(),
            ..toy_1.clone()
        };
        let instrument = |id: &str, version: &str| {
            [&toy_1, &toy_2, &other]
                .into_iter()
                .find(|i| i.id == id && i.version == version)
        };
        // Case 7 comes first; its toy scores start at version 2 (the earlier day, not the
        // first given). Case 8 has no started intervention; case 9 no scores.
        let scores = [
            score(7, 20, "toy", "1", "2026-04-01", FollowUp, Some(4.0)),
            score(7, 21, "toy", "2", "2026-01-01", Baseline, Some(10.0)),
            score(7, 22, "other", "1", "2026-01-01", Baseline, Some(3.0)),
            score(8, 30, "toy", "1", "2026-01-01", Baseline, Some(5.0)),
            score(5, 10, "toy", "1", "2026-01-01", Baseline, Some(6.0)),
        ];
        let started = [
            (5, "mst".to_owned()),
            (7, "mst".to_owned()),
            (7, "familjehem".to_owned()),
            (7, "mst".to_owned()),
            (9, "mst".to_owned()),
        ];
        let outcomes = client_outcomes(&scores, &started, instrument);
        let summary: Vec<_> = outcomes
            .iter()
            .map(|o| {
                (
                    o.intervention_type.as_str(),
                    o.instrument_id.as_str(),
                    o.higher_is_better,
                    o.baseline,
                    o.follow_up,
                )
            })
            .collect();
        assert_eq!(
            summary,
            [
                ("familjehem", "other", false, Some(3.0), None),
                ("mst", "other", false, Some(3.0), None),
                ("familjehem", "toy", true, Some(10.0), Some(4.0)),
                ("mst", "toy", true, Some(10.0), Some(4.0)),
                ("mst", "toy", false, Some(6.0), None),
            ]
        );
        assert!(outcomes[2].class.is_some() && outcomes[4].class.is_none());
    }
}
