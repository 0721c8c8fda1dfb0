//! The computation: every indicator for every organisation node × period × breakdown, as
//! additive sufficient statistics ([`Stats`]) so that parents are sums of children and one
//! case's change is a delta applied along its unit's lineage.
//!
//! Records are first folded per (indicator, variant, unit, quarter) — one update per record —
//! and those partial sums are then rolled up to the unit's municipality, county and nation and
//! from quarters to years. The same code computes one case's contribution for the
//! incremental update, so a full recompute and any sequence of updates agree.

use super::definition::{IndicatorSet, Measure, Statistic, VariantKey};
use super::facts::{Facts, Record};
use crate::org::OrgCode;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// The breakdown categories of every row, in order: the total, sex, and age bands (age at
/// the period's year). Sex `1..3` and age `3..8` each sum to the total.
pub const CATEGORIES: [&str; 8] = [
    "all",
    "female",
    "male",
    "age_0_17",
    "age_18_29",
    "age_30_49",
    "age_50_64",
    "age_65_plus",
];

/// The category ranges that sum to the total (category 0).
pub const BREAKDOWN_GROUPS: [std::ops::Range<usize>; 2] = [1..3, 3..8];

/// The index into [`CATEGORIES`] of a category name.
pub fn category_index(name: &str) -> Option<usize> {
    CATEGORIES.iter().position(|c| *c == name)
}

fn age_category(age: i32) -> usize {
    match age {
        ..=17 => 3,
        18..=29 => 4,
        30..=49 => 5,
        50..=64 => 6,
        _ => 7,
    }
}

/// A calendar year or quarter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Period {
    /// A year.
    Year(i32),
    /// A quarter (1–4) of a year.
    Quarter(i32, u8),
}

impl Period {
    /// The quarter a date falls in.
    pub fn quarter_of(date: NaiveDate) -> Self {
        Self::Quarter(date.year(), (date.month0() / 3 + 1) as u8)
    }

    /// The year of the period.
    pub fn year(self) -> i32 {
        match self {
            Self::Year(y) | Self::Quarter(y, _) => y,
        }
    }

    /// The period before this one of the same kind, for trends.
    pub fn previous(self) -> Self {
        match self {
            Self::Year(y) => Self::Year(y - 1),
            Self::Quarter(y, 1) => Self::Quarter(y - 1, 4),
            Self::Quarter(y, q) => Self::Quarter(y, q - 1),
        }
    }

    /// Parses `2025` or `2025Q3`.
    pub fn parse(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (year, quarter) = match raw.split_once(['Q', 'q']) {
            Some((y, q)) => (y, Some(q)),
            None => (raw, None),
        };
        let year: i32 = year.parse().ok().filter(|y| (1900..=2200).contains(y))?;
        match quarter {
            None => Some(Self::Year(year)),
            Some(q) => match q.parse::<u8>() {
                Ok(q @ 1..=4) => Some(Self::Quarter(year, q)),
                _ => None,
            },
        }
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Year(y) => write!(f, "{y}"),
            Self::Quarter(y, q) => write!(f, "{y}Q{q}"),
        }
    }
}

/// Additive statistics of one cell: how many records, how many with the flag, the sum and
/// sum of squares of the number, and for medians the count of each whole value. Signed so
/// that a delta (after − before) is a `Stats` too.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Stats {
    /// Records (individuals) the value rests on.
    pub n: i64,
    /// Records with the numerator flag set (shares).
    pub hits: i64,
    /// Sum of the number (means).
    pub sum: f64,
    /// Sum of squares of the number (means).
    pub sum_sq: f64,
    /// Count per whole value (medians).
    pub histogram: BTreeMap<i32, i64>,
}

impl Stats {
    /// Adds `other` (or subtracts it, with `sign = -1`).
    pub fn add(&mut self, other: &Stats, sign: i64) {
        self.n += sign * other.n;
        self.hits += sign * other.hits;
        self.sum += sign as f64 * other.sum;
        self.sum_sq += sign as f64 * other.sum_sq;
        for (value, count) in &other.histogram {
            let entry = self.histogram.entry(*value).or_insert(0);
            *entry += sign * count;
            if *entry == 0 {
                self.histogram.remove(value);
            }
        }
        if self.n == 0 {
            // Floating sums of nothing are exactly nothing.
            self.sum = 0.0;
            self.sum_sq = 0.0;
        }
    }

    /// Whether nothing is counted.
    pub fn is_empty(&self) -> bool {
        self.n == 0 && self.hits == 0 && self.histogram.is_empty()
    }

    /// The median of the histogram (the mean of the two middle values for an even count).
    pub fn median(&self) -> Option<f64> {
        let total: i64 = self.histogram.values().sum();
        if total <= 0 {
            return None;
        }
        let at = |rank: i64| {
            let mut seen = 0;
            for (value, count) in &self.histogram {
                seen += count;
                if seen > rank {
                    return f64::from(*value);
                }
            }
            f64::NAN
        };
        Some(if total % 2 == 1 {
            at(total / 2)
        } else {
            (at(total / 2 - 1) + at(total / 2)) / 2.0
        })
    }
}

/// The statistics of one row: one [`Stats`] per breakdown category.
pub type Row = [Stats; 8];

/// Adds `other` into `row` (or subtracts it).
pub fn add_row(row: &mut Row, other: &Row, sign: i64) {
    for (a, b) in row.iter_mut().zip(other) {
        a.add(b, sign);
    }
}

/// Identifies a row: indicator, variant (`""` for the total, `instrument:phq-9`,
/// `type:BOU-KBT`), period and node.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RowKey {
    /// Indicator id.
    pub indicator: String,
    /// Variant.
    pub variant: String,
    /// Period.
    pub period: Period,
    /// Organisation node.
    pub node: OrgCode,
}

/// The variant name for a key and value.
pub fn variant_name(key: VariantKey, value: &str) -> String {
    match key {
        VariantKey::Instrument => format!("instrument:{value}"),
        VariantKey::InterventionType => format!("type:{value}"),
    }
}

/// All rows computed from a set of facts.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Cube {
    /// The rows, by key.
    pub rows: HashMap<RowKey, Row>,
}

/// One record's contribution to a cell.
fn contribution(statistic: Statistic, record: &Record) -> Option<Stats> {
    let mut s = Stats {
        n: 1,
        ..Stats::default()
    };
    match statistic {
        Statistic::Share(bit) => s.hits = i64::from(record.flag(bit)),
        Statistic::Mean(slot) => {
            let x = record.numbers[slot]?;
            s.sum = x;
            s.sum_sq = x * x;
        }
        Statistic::Median(slot) => {
            let x = record.numbers[slot]?;
            s.histogram.insert(x.round() as i32, 1);
        }
    }
    Some(s)
}

/// Computes every base indicator of `set` over `facts`. Difference indicators have no rows
/// of their own: they are combined from their parts when published.
pub fn compute(set: &IndicatorSet, facts: &Facts) -> Cube {
    // (indicator, variant, unit, quarter) → row: one update per record and variant.
    let mut variants: Vec<String> = vec![String::new()];
    let mut variant_index: HashMap<String, u32> = HashMap::from([(String::new(), 0)]);
    let mut variant_of = |name: String| -> u32 {
        if let Some(i) = variant_index.get(&name) {
            return *i;
        }
        let i = variants.len() as u32;
        variants.push(name.clone());
        variant_index.insert(name, i);
        i
    };
    let mut fine: HashMap<(u16, u32, u32, Period), Row> = HashMap::new();
    for (d, definition) in set.definitions.iter().enumerate() {
        let Measure::Base {
            population,
            statistic,
        } = &definition.measure
        else {
            continue;
        };
        // The variant index of each instrument / type, looked up once.
        let per_instrument: Vec<u32> = facts
            .instruments
            .iter()
            .map(|i| variant_of(variant_name(VariantKey::Instrument, i)))
            .collect();
        let per_type: Vec<u32> = facts
            .intervention_types
            .iter()
            .map(|t| variant_of(variant_name(VariantKey::InterventionType, t)))
            .collect();
        for record in facts.records.iter().filter(|r| population.admits(r)) {
            let Some(stats) = contribution(*statistic, record) else {
                continue;
            };
            let date = record.dates[population.dated_by].expect("admitted records are dated");
            let quarter = Period::quarter_of(date);
            let categories = [
                0,
                if record.female { 1 } else { 2 },
                age_category(date.year() - record.birth_year),
            ];
            let mut keys = vec![0u32];
            for key in &definition.variants {
                let v = match key {
                    VariantKey::Instrument => record.instrument.map(|i| per_instrument[i as usize]),
                    VariantKey::InterventionType => {
                        record.intervention_type.map(|t| per_type[t as usize])
                    }
                };
                keys.extend(v);
            }
            for v in keys {
                let row = fine.entry((d as u16, v, record.unit, quarter)).or_default();
                for c in categories {
                    row[c].add(&stats, 1);
                }
            }
        }
    }
    // Roll up: unit → municipality → county → nation, quarter → year.
    let lineages: Vec<Vec<OrgCode>> = facts.units.iter().map(OrgCode::lineage).collect();
    let mut rows: HashMap<RowKey, Row> = HashMap::new();
    for ((d, v, unit, quarter), row) in fine {
        let indicator = &set.definitions[d as usize].id;
        for node in &lineages[unit as usize] {
            for period in [quarter, Period::Year(quarter.year())] {
                let key = RowKey {
                    indicator: indicator.clone(),
                    variant: variants[v as usize].clone(),
                    period,
                    node: node.clone(),
                };
                add_row(rows.entry(key).or_default(), &row, 1);
            }
        }
    }
    Cube { rows }
}

/// The change to stored rows when one case's facts go from `before` to `after`: only rows
/// along the case's unit's lineage and its periods appear; rows whose delta is zero are left
/// out.
pub fn delta(set: &IndicatorSet, before: &Facts, after: &Facts) -> Vec<(RowKey, Row)> {
    let mut rows = compute(set, after).rows;
    for (key, row) in compute(set, before).rows {
        add_row(rows.entry(key).or_default(), &row, -1);
    }
    let mut out: Vec<(RowKey, Row)> = rows
        .into_iter()
        .filter(|(_, row)| row.iter().any(|s| !s.is_empty() || s.sum != 0.0))
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// Serialises a row for storage (little-endian; per category n, hits, sum, sum of squares
/// and the histogram's (value, count) pairs).
pub fn encode_row(row: &Row) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 * 36);
    for s in row {
        out.extend(s.n.to_le_bytes());
        out.extend(s.hits.to_le_bytes());
        out.extend(s.sum.to_le_bytes());
        out.extend(s.sum_sq.to_le_bytes());
        out.extend((s.histogram.len() as u32).to_le_bytes());
        for (value, count) in &s.histogram {
            out.extend(value.to_le_bytes());
            out.extend(count.to_le_bytes());
        }
    }
    out
}

/// Reads a row written by [`encode_row`]; `None` when the bytes are not one.
pub fn decode_row(bytes: &[u8]) -> Option<Row> {
    let mut at = 0usize;
    let mut take = |n: usize| -> Option<&[u8]> {
        let slice = bytes.get(at..at + n)?;
        at += n;
        Some(slice)
    };
    let mut row: Row = Default::default();
    for s in &mut row {
        s.n = i64::from_le_bytes(take(8)?.try_into().ok()?);
        s.hits = i64::from_le_bytes(take(8)?.try_into().ok()?);
        s.sum = f64::from_le_bytes(take(8)?.try_into().ok()?);
        s.sum_sq = f64::from_le_bytes(take(8)?.try_into().ok()?);
        let len = u32::from_le_bytes(take(4)?.try_into().ok()?);
        for _ in 0..len {
            let value = i32::from_le_bytes(take(4)?.try_into().ok()?);
            let count = i64::from_le_bytes(take(8)?.try_into().ok()?);
            s.histogram.insert(value, count);
        }
    }
    (at == bytes.len()).then_some(row)
}
