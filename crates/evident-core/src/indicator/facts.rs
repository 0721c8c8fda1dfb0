//! The records indicators count: one per started intervention, per baseline, per pre/post
//! pair and per goal, each placed at a unit and carrying the client's sex and birth year for
//! the breakdowns. They are derived from a case's raw data by [`Facts::add_case`], the same way
//! for the full recompute and for the incremental update of one case.

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

/// The records of many cases with the strings their indices refer to.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
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
    /// The client's identity in the store: disclosure control counts distinct clients.
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
    /// Adds the records of one case, scoring change against `instruments` (by id).
    pub fn add_case(&mut self, case: &CaseFacts, instruments: &HashMap<String, Instrument>) {
        let unit = intern(&mut self.units, &mut self.unit_index, &case.unit);
        let case_type = case.interventions.first().map(|i| {
            intern(
                &mut self.intervention_types,
                &mut self.type_index,
                &i.type_code,
            )
        });
        let first_baseline = case
            .measurements
            .iter()
            .filter(|m| m.baseline)
            .map(|m| m.measured_on)
            .min();
        for i in &case.interventions {
            let mut r = Record::new(RecordKind::Intervention, unit, &case.client);
            r.dates = [i.started_on, i.decided_on];
            r.set(0, i.started_on.is_some());
            r.set(1, i.decided_on.is_some());
            r.set(2, i.applied_on.is_some());
            let window = Duration::days(DUE_WINDOW_DAYS);
            r.set(
                3,
                matches!((first_baseline, i.started_on), (Some(b), Some(s)) if b <= s + window),
            );
            r.set(4, i.private_provider);
            r.numbers = [
                days_between(i.applied_on, i.decided_on),
                days_between(i.decided_on, i.started_on),
            ];
            r.intervention_type = Some(intern(
                &mut self.intervention_types,
                &mut self.type_index,
                &i.type_code,
            ));
            self.records.push(r);
        }
        let mut ids: Vec<&str> = case
            .measurements
            .iter()
            .map(|m| m.instrument.as_str())
            .collect();
        ids.sort_unstable();
        ids.dedup();
        for id in ids {
            let of_instrument = || case.measurements.iter().filter(move |m| m.instrument == id);
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
                let mut r = Record::new(RecordKind::Baseline, unit, &case.client);
                r.dates = [Some(baseline.measured_on), Some(closes)];
                r.set(0, later().any(|m| m.measured_on <= closes));
                r.instrument = Some(instrument_index);
                r.intervention_type = case_type;
                self.records.push(r);
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
        for outcome in &case.goals {
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
