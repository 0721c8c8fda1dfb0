//! The records indicators count: one per started intervention, per baseline, per pre/post
//! pair and per goal, each placed at a unit and carrying the client's sex and birth year for
//! the breakdowns. They are derived from a case's raw data by [`Facts::add_case`], the same way
//! for the full recompute and for the incremental update of one case.
//!
//! Facts are taken as of a date ([`Facts::as_of`]), so that a value does not drift as time
//! passes with no new data: what is dated after that day is not known yet, and a baseline
//! whose follow-up window is still open is not counted at all — neither as followed up nor as
//! not — since its outcome is not decided.

use crate::followup::change::classify;
use crate::followup::instrument::Instrument;
use crate::followup::progress::DUE_WINDOW_DAYS;
use crate::org::OrgCode;
use chrono::{Duration, Months, NaiveDate};
use std::collections::HashMap;

/// What a record stands for; each kind has its own fields (see [`schema`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RecordKind {
    /// A decided or started intervention.
    Intervention,
    /// A baseline measurement, with whether it was followed up in time.
    Baseline,
    /// A baseline and the latest follow-up after it, on the same instrument.
    Change,
    /// A goal of a need.
    Goal,
}

impl RecordKind {
    /// All kinds, for messages.
    pub const ALL: [RecordKind; 4] = [Self::Intervention, Self::Baseline, Self::Change, Self::Goal];

    /// As written in indicator definitions.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intervention => "intervention",
            Self::Baseline => "baseline",
            Self::Change => "change",
            Self::Goal => "goal",
        }
    }

    /// Parses the name used in indicator definitions.
    pub fn parse(raw: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == raw)
    }
}

/// What kind of value a record field holds, and where in [`Record`] it lives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldKind {
    /// A date, `Record::dates[slot]`.
    Date(usize),
    /// A yes/no fact, bit `bit` of `Record::flags`.
    Flag(u8),
    /// A number, `Record::numbers[slot]`.
    Number(usize),
}

/// One field of a record kind: its name, kind, and the flags that must be set for it to
/// have a value (a start date exists only for a started intervention).
#[derive(Debug, Clone, Copy)]
pub struct Field {
    /// The name used in definitions.
    pub name: &'static str,
    /// Its kind and slot.
    pub kind: FieldKind,
    /// Flags that are set whenever the field has a value.
    pub requires: &'static [&'static str],
}

const fn field(name: &'static str, kind: FieldKind, requires: &'static [&'static str]) -> Field {
    Field {
        name,
        kind,
        requires,
    }
}

const INTERVENTION_FIELDS: &[Field] = &[
    field("started_on", FieldKind::Date(0), &["started"]),
    field("decided_on", FieldKind::Date(1), &["decided"]),
    field("started", FieldKind::Flag(0), &[]),
    field("decided", FieldKind::Flag(1), &[]),
    field("applied", FieldKind::Flag(2), &[]),
    field("has_baseline", FieldKind::Flag(3), &[]),
    field("private_provider", FieldKind::Flag(4), &[]),
    field(
        "days_application_to_decision",
        FieldKind::Number(0),
        &["applied", "decided"],
    ),
    field(
        "days_decision_to_start",
        FieldKind::Number(1),
        &["decided", "started"],
    ),
];

const BASELINE_FIELDS: &[Field] = &[
    field("measured_on", FieldKind::Date(0), &[]),
    field("window_closes_on", FieldKind::Date(1), &[]),
    field("followed_up", FieldKind::Flag(0), &[]),
];

const CHANGE_FIELDS: &[Field] = &[
    field("measured_on", FieldKind::Date(0), &[]),
    field("baseline_on", FieldKind::Date(1), &[]),
    field("improved", FieldKind::Flag(0), &[]),
    field("deteriorated", FieldKind::Flag(1), &[]),
    field("effect", FieldKind::Number(0), &[]),
];

const GOAL_FIELDS: &[Field] = &[
    field("case_opened_on", FieldKind::Date(0), &[]),
    field("followed_up", FieldKind::Flag(0), &[]),
    field("achieved", FieldKind::Flag(1), &["followed_up"]),
];

/// The fields of each record kind.
pub fn schema(kind: RecordKind) -> &'static [Field] {
    match kind {
        RecordKind::Intervention => INTERVENTION_FIELDS,
        RecordKind::Baseline => BASELINE_FIELDS,
        RecordKind::Change => CHANGE_FIELDS,
        RecordKind::Goal => GOAL_FIELDS,
    }
}

/// The field called `name` of `kind`, if it has one.
pub fn find_field(kind: RecordKind, name: &str) -> Option<&'static Field> {
    schema(kind).iter().find(|f| f.name == name)
}

/// One countable record.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    /// What it stands for.
    pub kind: RecordKind,
    /// Index into [`Facts::units`]: the unit of the case.
    pub unit: u32,
    /// The client ([`ClientFacts::id`]): a cell's threshold counts distinct clients.
    pub client: i64,
    /// The client's recorded sex is female.
    pub female: bool,
    /// The client's year of birth.
    pub birth_year: i32,
    /// Date fields, by slot.
    pub dates: [Option<NaiveDate>; 2],
    /// Yes/no fields, by bit.
    pub flags: u8,
    /// Number fields, by slot.
    pub numbers: [Option<f64>; 2],
    /// Index into [`Facts::instruments`], for measurement records.
    pub instrument: Option<u32>,
    /// Index into [`Facts::intervention_types`]: the intervention's type, or for measurements
    /// and goals the type of the case's first intervention.
    pub intervention_type: Option<u32>,
}

impl Record {
    fn new(kind: RecordKind, unit: u32, client: &ClientFacts) -> Self {
        Self {
            kind,
            unit,
            client: client.id,
            female: client.female,
            birth_year: client.birth_year,
            dates: [None; 2],
            flags: 0,
            numbers: [None; 2],
            instrument: None,
            intervention_type: None,
        }
    }

    fn set(&mut self, bit: u8, on: bool) {
        if on {
            self.flags |= 1 << bit;
        }
    }

    /// Whether flag `bit` is set.
    pub fn flag(&self, bit: u8) -> bool {
        self.flags & (1 << bit) != 0
    }
}

/// The records of many cases, as of one date, with the strings their indices refer to.
#[derive(Debug, Clone, PartialEq)]
pub struct Facts {
    /// The day the facts are taken on: see [`Facts::as_of`].
    as_of: NaiveDate,
    /// The units records are placed at.
    pub units: Vec<OrgCode>,
    /// Instrument ids.
    pub instruments: Vec<String>,
    /// Intervention type codes.
    pub intervention_types: Vec<String>,
    /// The records.
    pub records: Vec<Record>,
    unit_index: HashMap<OrgCode, u32>,
    instrument_index: HashMap<String, u32>,
    type_index: HashMap<String, u32>,
}

fn intern<K: Clone + Eq + std::hash::Hash>(
    list: &mut Vec<K>,
    index: &mut HashMap<K, u32>,
    key: &K,
) -> u32 {
    if let Some(i) = index.get(key) {
        return *i;
    }
    let i = list.len() as u32;
    list.push(key.clone());
    index.insert(key.clone(), i);
    i
}

/// The client behind a case, as far as breakdowns need.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ClientFacts {
    /// The person in the store (the clients of one person at several authorities share it):
    /// disclosure control counts distinct people.
    pub id: i64,
    /// Recorded sex is female.
    pub female: bool,
    /// Year of birth.
    pub birth_year: i32,
}

/// An intervention, as far as indicators need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionFacts {
    /// Catalogue code.
    pub type_code: String,
    /// Application date.
    pub applied_on: Option<NaiveDate>,
    /// Decision date.
    pub decided_on: Option<NaiveDate>,
    /// Start date.
    pub started_on: Option<NaiveDate>,
    /// The provider is a private unit.
    pub private_provider: bool,
}

/// A measurement, as far as indicators need.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementFacts {
    /// Instrument id.
    pub instrument: String,
    /// A baseline (not a follow-up or end measurement).
    pub baseline: bool,
    /// When it was answered.
    pub measured_on: NaiveDate,
    /// The total score, when there is one.
    pub score: Option<f64>,
}

/// Everything about one case that indicators count, in the order it was recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseFacts {
    /// The case's unit.
    pub unit: OrgCode,
    /// The client.
    pub client: ClientFacts,
    /// When the case was opened.
    pub opened_on: NaiveDate,
    /// The first scheduled follow-up month, if any are scheduled.
    pub first_follow_up_month: Option<u32>,
    /// Interventions, oldest first.
    pub interventions: Vec<InterventionFacts>,
    /// Measurements.
    pub measurements: Vec<MeasurementFacts>,
    /// Goal outcomes, `None` where none is recorded yet (as stored: `achieved`, …).
    pub goals: Vec<Option<String>>,
}

impl Facts {
    /// No records yet, to be taken as they stood on `as_of` (a Swedish calendar day, usually
    /// today). Cases are then read as known during that day: measurements, intervention dates
    /// and goals of cases opened after it do not exist yet, and a baseline counts only once
    /// its follow-up window has closed, i.e. after its last day (`window_closes_on <
    /// as_of`): a follow-up may still come on the window's last day.
    ///
    /// The full recompute and the incremental update of one case must use the same date, or
    /// their rows disagree; the store keeps the date of its rows for that.
    pub fn as_of(as_of: NaiveDate) -> Self {
        Self {
            as_of,
            units: Vec::new(),
            instruments: Vec::new(),
            intervention_types: Vec::new(),
            records: Vec::new(),
            unit_index: HashMap::new(),
            instrument_index: HashMap::new(),
            type_index: HashMap::new(),
        }
    }

    /// The day the facts are taken on.
    pub fn as_of_date(&self) -> NaiveDate {
        self.as_of
    }

    /// Adds the records of one case as of [`Facts::as_of_date`], scoring change against
    /// `instruments` (by id). No record carries a date after the as-of date.
    pub fn add_case(&mut self, case: &CaseFacts, instruments: &HashMap<String, Instrument>) {
        let as_of = self.as_of;
        let known = |date: Option<NaiveDate>| date.filter(|d| *d <= as_of);
        let measurements: Vec<&MeasurementFacts> = case
            .measurements
            .iter()
            .filter(|m| m.measured_on <= as_of)
            .collect();
        let unit = intern(&mut self.units, &mut self.unit_index, &case.unit);
        let case_type = case.interventions.first().map(|i| {
            intern(
                &mut self.intervention_types,
                &mut self.type_index,
                &i.type_code,
            )
        });
        let first_baseline = measurements
            .iter()
            .filter(|m| m.baseline)
            .map(|m| m.measured_on)
            .min();
        for i in &case.interventions {
            let (applied_on, decided_on, started_on) = (
                known(i.applied_on),
                known(i.decided_on),
                known(i.started_on),
            );
            let mut r = Record::new(RecordKind::Intervention, unit, &case.client);
            r.dates = [started_on, decided_on];
            r.set(0, started_on.is_some());
            r.set(1, decided_on.is_some());
            r.set(2, applied_on.is_some());
            let window = Duration::days(DUE_WINDOW_DAYS);
            r.set(
                3,
                matches!((first_baseline, started_on), (Some(b), Some(s)) if b <= s + window),
            );
            r.set(4, i.private_provider);
            r.numbers = [
                days_between(applied_on, decided_on),
                days_between(decided_on, started_on),
            ];
            r.intervention_type = Some(intern(
                &mut self.intervention_types,
                &mut self.type_index,
                &i.type_code,
            ));
            self.records.push(r);
        }
        let mut ids: Vec<&str> = measurements.iter().map(|m| m.instrument.as_str()).collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let of_instrument = || {
                measurements
                    .iter()
                    .copied()
                    .filter(move |m| m.instrument == id)
            };
            let Some(baseline) = of_instrument()
                .filter(|m| m.baseline)
                .min_by_key(|m| m.measured_on)
            else {
                continue;
            };
            let instrument_index = intern(
                &mut self.instruments,
                &mut self.instrument_index,
                &id.to_owned(),
            );
            let later =
                || of_instrument().filter(|m| !m.baseline && m.measured_on > baseline.measured_on);
            if let Some(month) = case.first_follow_up_month {
                let closes =
                    baseline.measured_on + Months::new(month) + Duration::days(DUE_WINDOW_DAYS);
                // Counted once the window's last day is over; until then the baseline is
                // neither a success nor a failure.
                if closes < as_of {
                    let mut r = Record::new(RecordKind::Baseline, unit, &case.client);
                    r.dates = [Some(baseline.measured_on), Some(closes)];
                    r.set(0, later().any(|m| m.measured_on <= closes));
                    r.instrument = Some(instrument_index);
                    r.intervention_type = case_type;
                    self.records.push(r);
                }
            }
            let (Some(pre), Some(instrument)) = (baseline.score, instruments.get(id)) else {
                continue;
            };
            let Some((post_on, post)) = later()
                .filter_map(|m| Some((m.measured_on, m.score?)))
                .max_by_key(|(on, _)| *on)
            else {
                continue;
            };
            let change = classify(instrument, pre, post);
            let sign = if instrument.higher_is_better {
                1.0
            } else {
                -1.0
            };
            let mut r = Record::new(RecordKind::Change, unit, &case.client);
            r.dates = [Some(post_on), Some(baseline.measured_on)];
            r.set(0, change.class.improved());
            r.set(
                1,
                change.class == crate::followup::change::ChangeClass::ReliablyDeteriorated,
            );
            r.numbers = [
                (instrument.normative_sd > 0.0)
                    .then(|| sign * (post - pre) / instrument.normative_sd),
                None,
            ];
            r.instrument = Some(instrument_index);
            r.intervention_type = case_type;
            self.records.push(r);
        }
        // A goal is dated by its case's opening: a case opened after the as-of date has none
        // yet.
        let goals = if case.opened_on <= as_of {
            &case.goals[..]
        } else {
            &[]
        };
        for outcome in goals {
            let mut r = Record::new(RecordKind::Goal, unit, &case.client);
            r.dates = [Some(case.opened_on), None];
            let followed = matches!(
                outcome.as_deref(),
                Some("achieved" | "partly_achieved" | "not_achieved")
            );
            r.set(0, followed);
            r.set(1, outcome.as_deref() == Some("achieved"));
            r.intervention_type = case_type;
            self.records.push(r);
        }
    }
}

fn days_between(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Option<f64> {
    Some((to? - from?).num_days() as f64)
}

#[cfg(test)]
mod tests {
    //! The as-of rules on hand-made cases, counted through the real EVI002 (share of baselines
    //! followed up in time, dated by the window's last day), EVI001 and EVI003.
    use super::*;
    use crate::indicator::cube::{RowKey, compute};
    use crate::indicator::{IndicatorSet, Period};

    fn d(raw: &str) -> NaiveDate {
        raw.parse().unwrap()
    }

    fn phq9(baseline: bool, on: &str, score: f64) -> MeasurementFacts {
        MeasurementFacts {
            instrument: "phq-9".into(),
            baseline,
            measured_on: d(on),
            score: Some(score),
        }
    }

    /// A case at 0180-0001 whose first follow-up is 3 months after baseline: the window
    /// closes baseline + 3 months + 14 days.
    fn case(id: i64, measurements: Vec<MeasurementFacts>) -> CaseFacts {
        CaseFacts {
            unit: OrgCode::parse("0180-0001").unwrap(),
            client: ClientFacts {
                id,
                female: true,
                birth_year: 1990,
            },
            opened_on: d("2026-01-05"),
            first_follow_up_month: Some(3),
            interventions: Vec::new(),
            measurements,
            goals: Vec::new(),
        }
    }

    /// Five baselines in 2026 (windows: A 04-24, B 05-15, E 06-11, D 06-15, C 07-04).
    fn cases() -> Vec<CaseFacts> {
        vec![
            // A: baseline 01-10, window closes 04-10 + 14 = 04-24; followed up 04-20.
            case(
                1,
                vec![
                    phq9(true, "2026-01-10", 20.0),
                    phq9(false, "2026-04-20", 12.0),
                ],
            ),
            // B: baseline 02-01, window closes 05-01 + 14 = 05-15; never followed up.
            case(2, vec![phq9(true, "2026-02-01", 18.0)]),
            // C: baseline 03-20, window closes 06-20 + 14 = 07-04; not followed up (yet).
            case(3, vec![phq9(true, "2026-03-20", 16.0)]),
            // D: baseline 03-01, window closes 06-01 + 14 = 06-15; followed up 06-10.
            case(
                4,
                vec![
                    phq9(true, "2026-03-01", 15.0),
                    phq9(false, "2026-06-10", 9.0),
                ],
            ),
            // E: baseline 02-28, window closes 05-28 + 14 = 06-11; followed up 06-05.
            case(
                5,
                vec![
                    phq9(true, "2026-02-28", 22.0),
                    phq9(false, "2026-06-05", 14.0),
                ],
            ),
        ]
    }

    fn facts_on(as_of: &str, cases: &[CaseFacts]) -> Facts {
        let mut facts = Facts::as_of(d(as_of));
        for c in cases {
            facts.add_case(c, &HashMap::new());
        }
        facts
    }

    /// (hits, n) of `indicator` in the nation for `period`, all categories.
    fn share(facts: &Facts, indicator: &str, period: &str) -> (i64, i64) {
        let rows = compute(&IndicatorSet::embedded(), facts).rows;
        let key = RowKey {
            indicator: indicator.into(),
            variant: String::new(),
            period: Period::parse(period).unwrap(),
            node: OrgCode::parse("SE").unwrap(),
        };
        rows.get(&key).map_or((0, 0), |r| (r[0].hits, r[0].n))
    }

    #[test]
    fn a_baseline_counts_only_once_its_window_has_closed() {
        // As of 06-15: A (hit), B (miss) and E (hit) have closed windows; D's closes today and
        // C's in July, so neither is counted — not C as a failure, nor D as a success.
        let facts = facts_on("2026-06-15", &cases());
        assert_eq!(share(&facts, "EVI002", "2026Q2"), (2, 3));
        assert_eq!(share(&facts, "EVI002", "2026"), (2, 3));
        let baselines = facts
            .records
            .iter()
            .filter(|r| r.kind == RecordKind::Baseline)
            .count();
        assert_eq!(baselines, 3);
        // Without the rule all five would count, C as a failure: 3 of 5.
        let everything = facts_on("2027-01-01", &cases());
        assert_eq!(share(&everything, "EVI002", "2026"), (3, 5));
    }

    #[test]
    fn the_window_s_last_day_is_still_open() {
        // D's window closes 06-15: open on that day, closed (and followed up) the day after.
        let d_only = &cases()[3..4];
        assert_eq!(
            share(&facts_on("2026-06-15", d_only), "EVI002", "2026"),
            (0, 0)
        );
        assert_eq!(
            share(&facts_on("2026-06-16", d_only), "EVI002", "2026"),
            (1, 1)
        );
        // B's window closed 05-15 without a follow-up: a failure from 05-16 on.
        let b_only = &cases()[1..2];
        assert_eq!(
            share(&facts_on("2026-05-15", b_only), "EVI002", "2026"),
            (0, 0)
        );
        assert_eq!(
            share(&facts_on("2026-05-16", b_only), "EVI002", "2026"),
            (0, 1)
        );
    }

    #[test]
    fn records_dated_after_the_as_of_date_are_not_counted() {
        // A baseline 01-10 (20) followed up 04-20 (12) and again 07-01 (19). As of 06-30 the
        // July measurement does not exist yet: change is 20 → 12 (reliably improved, as the
        // PHQ-9 needs 3.2 points), dated 04-20; as of 07-01 it is 20 → 19 (no reliable change),
        // dated 07-01.
        let instruments: HashMap<String, Instrument> =
            crate::followup::library::embedded_instruments()
                .into_iter()
                .map(|i| (i.id.clone(), i))
                .collect();
        let mut a = case(
            1,
            vec![
                phq9(true, "2026-01-10", 20.0),
                phq9(false, "2026-04-20", 12.0),
                phq9(false, "2026-07-01", 19.0),
            ],
        );
        // Applied 05-02, decided 06-01, started 07-01: as of 06-30 decided, not started.
        a.interventions = vec![InterventionFacts {
            type_code: "T1".into(),
            applied_on: Some(d("2026-05-02")),
            decided_on: Some(d("2026-06-01")),
            started_on: Some(d("2026-07-01")),
            private_provider: false,
        }];
        // A second case opened after the as-of date: its goal is not counted.
        let mut later = case(2, Vec::new());
        later.opened_on = d("2026-07-01");
        later.goals = vec![Some("achieved".into())];
        let on = |as_of: &str| {
            let mut facts = Facts::as_of(d(as_of));
            facts.add_case(&a, &instruments);
            facts.add_case(&later, &instruments);
            facts
        };
        let june = on("2026-06-30");
        assert_eq!(share(&june, "EVI003", "2026Q2"), (1, 1));
        assert_eq!(share(&june, "EVI003", "2026Q3"), (0, 0));
        // Not started as of 06-30: not among started interventions (EVI001).
        assert_eq!(share(&june, "EVI001", "2026"), (0, 0));
        let latest = |facts: &Facts| {
            facts
                .records
                .iter()
                .flat_map(|r| r.dates.iter().flatten())
                .max()
                .copied()
        };
        assert!(latest(&june).unwrap() <= d("2026-06-30"));
        assert!(june.records.iter().all(|r| r.kind != RecordKind::Goal));
        let july = on("2026-07-01");
        assert_eq!(share(&july, "EVI003", "2026Q2"), (0, 0));
        assert_eq!(share(&july, "EVI003", "2026Q3"), (0, 1));
        // Started 07-01 with a baseline (01-10) before start: 1 of 1.
        assert_eq!(share(&july, "EVI001", "2026Q3"), (1, 1));
        assert_eq!(
            july.records
                .iter()
                .filter(|r| r.kind == RecordKind::Goal)
                .count(),
            1
        );
        assert_eq!(july.as_of_date(), d("2026-07-01"));
    }
}
