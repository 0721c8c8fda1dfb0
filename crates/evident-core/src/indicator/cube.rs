//! The computation: every indicator for every organisation node × period × breakdown, as
//! additive sufficient statistics ([`Stats`]) so that parents are sums of children and one
//! case's change is a delta applied along its unit's lineage.
//!
//! Records are first folded per (indicator, variant, unit, quarter) — one update per record —
//! and those partial sums are then rolled up to the unit's municipality, county and nation and
//! from quarters to years. The same code computes one case's contribution for the
//! incremental update, so a full recompute and any sequence of updates agree.

use super::definition::{Definition, IndicatorSet, Measure, Population, Statistic, VariantKey};
use super::facts::{Facts, Record};
use crate::org::OrgCode;
use chrono::{Datelike, NaiveDate};
use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::{BuildHasherDefault, Hasher};

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

    /// Sorts periods the way lists show them: newest year first, each year before its
    /// quarters, newest quarter first.
    pub fn sort_newest_first(periods: &mut [Self]) {
        periods.sort_by_key(|p| match p {
            Self::Year(y) => (std::cmp::Reverse(*y), 0),
            Self::Quarter(y, q) => (std::cmp::Reverse(*y), 5 - i32::from(*q)),
        });
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
    /// Records the value rests on (cases, interventions, measurements, goals).
    pub n: i64,
    /// Distinct clients among those records: what disclosure control's threshold counts.
    /// Additive over clients (each client adds 1 to every cell it has a record in), so a
    /// delta of one client's records is a `Stats` too.
    pub people: i64,
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
        self.people += sign * other.people;
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
        self.n == 0 && self.people == 0 && self.hits == 0 && self.histogram.is_empty()
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
        people: 1,
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

/// A hasher for the computation's small integer keys (the FxHash mix): much cheaper than the
/// default SipHash, and unseeded, so a computation adds its rows in the same order on every
/// run.
#[derive(Debug, Default, Clone, Copy)]
struct KeyHasher(u64);

impl KeyHasher {
    fn mix(&mut self, word: u64) {
        self.0 = (self.0.rotate_left(5) ^ word).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

impl Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        bytes.iter().for_each(|b| self.mix(u64::from(*b)));
    }
    fn write_u8(&mut self, i: u8) {
        self.mix(u64::from(i));
    }
    fn write_u32(&mut self, i: u32) {
        self.mix(u64::from(i));
    }
    fn write_u64(&mut self, i: u64) {
        self.mix(i);
    }
    fn write_i32(&mut self, i: i32) {
        self.mix(u64::from(i as u32));
    }
    fn write_usize(&mut self, i: usize) {
        self.mix(i as u64);
    }
    fn write_isize(&mut self, i: isize) {
        self.mix(i as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

/// A map keyed by small integers, hashed with [`KeyHasher`].
type KeyMap<K, V> = HashMap<K, V, BuildHasherDefault<KeyHasher>>;

/// One indicator's rows keyed by (variant, node, period), as indices into [`Shape`].
type IndexedRows = KeyMap<(u32, u32, Period), Row>;

/// The strings a computation's rows refer to by index: variant names and organisation
/// nodes (every unit of the facts and its ancestors), with each node's parent and depth.
struct Shape {
    variants: Vec<String>,
    /// The variant of each of `Facts::instruments` and `Facts::intervention_types`.
    of_instrument: Vec<u32>,
    of_type: Vec<u32>,
    nodes: Vec<OrgCode>,
    parent: Vec<Option<u32>>,
    depth: Vec<usize>,
    /// The node of each of `Facts::units`.
    of_unit: Vec<u32>,
}

impl Shape {
    fn of(facts: &Facts) -> Self {
        let mut variants = vec![String::new()];
        let of_instrument = facts
            .instruments
            .iter()
            .map(|i| {
                variants.push(variant_name(VariantKey::Instrument, i));
                (variants.len() - 1) as u32
            })
            .collect();
        let of_type = facts
            .intervention_types
            .iter()
            .map(|t| {
                variants.push(variant_name(VariantKey::InterventionType, t));
                (variants.len() - 1) as u32
            })
            .collect();
        let mut shape = Self {
            variants,
            of_instrument,
            of_type,
            nodes: Vec::new(),
            parent: Vec::new(),
            depth: Vec::new(),
            of_unit: Vec::with_capacity(facts.units.len()),
        };
        let mut index: HashMap<OrgCode, u32> = HashMap::new();
        for unit in &facts.units {
            // From the nation down, so that each parent is known before its children.
            let mut parent = None;
            for (depth, code) in unit.lineage().iter().enumerate() {
                let node = *index.entry(code.clone()).or_insert_with(|| {
                    shape.nodes.push(code.clone());
                    shape.parent.push(parent);
                    shape.depth.push(depth);
                    (shape.nodes.len() - 1) as u32
                });
                parent = Some(node);
            }
            shape
                .of_unit
                .push(parent.expect("a lineage holds the unit itself"));
        }
        shape
    }
}

/// Where one record counts: its unit's node, its quarter, its three categories (total, sex,
/// age band) and its variants (the total first).
struct Placement {
    node: u32,
    quarter: Period,
    categories: [usize; 3],
    variants: Vec<u32>,
}

impl Placement {
    fn of(
        definition: &Definition,
        population: &Population,
        record: &Record,
        shape: &Shape,
    ) -> Self {
        let date = record.dates[population.dated_by].expect("admitted records are dated");
        let variants = definition.variants.iter().filter_map(|key| match key {
            VariantKey::Instrument => record.instrument.map(|i| shape.of_instrument[i as usize]),
            VariantKey::InterventionType => {
                record.intervention_type.map(|t| shape.of_type[t as usize])
            }
        });
        Self {
            node: shape.of_unit[record.unit as usize],
            quarter: Period::quarter_of(date),
            categories: [
                0,
                if record.female { 1 } else { 2 },
                age_category(date.year() - record.birth_year),
            ],
            variants: std::iter::once(0).chain(variants).collect(),
        }
    }
}

/// The rows of one base indicator: each record added to its unit's row for its quarter in
/// its categories, once per variant it belongs to; then each level of the organisation tree
/// summed into the one above (unit → municipality → county → nation), and every quarter into
/// its year; last, each client counted once per cell among the people.
fn indicator_rows(
    definition: &Definition,
    population: &Population,
    statistic: Statistic,
    facts: &Facts,
    shape: &Shape,
) -> IndexedRows {
    let depths = shape.depth.iter().max().map_or(0, |d| d + 1);
    let mut levels: Vec<IndexedRows> = (0..depths).map(|_| IndexedRows::default()).collect();
    // (client, record) of every counted record, to find clients counted more than once.
    let mut counted: Vec<(i64, u32)> = Vec::new();
    for (index, record) in facts.records.iter().enumerate() {
        if !population.admits(record) {
            continue;
        }
        let Some(stats) = contribution(statistic, record) else {
            continue;
        };
        counted.push((record.client, index as u32));
        let place = Placement::of(definition, population, record, shape);
        let level = &mut levels[shape.depth[place.node as usize]];
        for v in &place.variants {
            let row = level.entry((*v, place.node, place.quarter)).or_default();
            for c in place.categories {
                row[c].add(&stats, 1);
            }
        }
    }
    for depth in (1..depths).rev() {
        let (upper, lower) = levels.split_at_mut(depth);
        let above = &mut upper[depth - 1];
        for ((v, node, quarter), row) in &lower[0] {
            let parent = shape.parent[*node as usize].expect("a node below the top has a parent");
            add_row(above.entry((*v, parent, *quarter)).or_default(), row, 1);
        }
    }
    let mut rows = IndexedRows::default();
    rows.reserve(levels.iter().map(|l| l.len()).sum::<usize>() * 5 / 4);
    for level in levels {
        for ((v, node, quarter), row) in level {
            add_row(
                rows.entry((v, node, Period::Year(quarter.year())))
                    .or_default(),
                &row,
                1,
            );
            rows.insert((v, node, quarter), row);
        }
    }
    count_people_once(
        &mut rows,
        &mut counted,
        |index| {
            Placement::of(
                definition,
                population,
                &facts.records[index as usize],
                shape,
            )
        },
        shape,
    );
    rows
}

/// Every record added 1 to `people` in each cell it counts in; a client with several
/// records in one cell (two cases, two instruments, two interventions) is taken back to one
/// there. Only clients with more than one record need looking at.
fn count_people_once(
    rows: &mut IndexedRows,
    counted: &mut [(i64, u32)],
    place: impl Fn(u32) -> Placement,
    shape: &Shape,
) {
    counted.sort_unstable();
    let mut times: KeyMap<(u32, u32, Period, usize), i64> = KeyMap::default();
    for client in counted.chunk_by(|a, b| a.0 == b.0).filter(|c| c.len() > 1) {
        times.clear();
        for (_, index) in client {
            let at = place(*index);
            let mut node = Some(at.node);
            while let Some(n) = node {
                for period in [at.quarter, Period::Year(at.quarter.year())] {
                    for v in &at.variants {
                        for c in at.categories {
                            *times.entry((*v, n, period, c)).or_default() += 1;
                        }
                    }
                }
                node = shape.parent[n as usize];
            }
        }
        for ((v, node, period, c), m) in &times {
            if *m > 1 {
                let row = rows
                    .get_mut(&(*v, *node, *period))
                    .expect("a cell a record counts in has a row");
                row[*c].people -= m - 1;
            }
        }
    }
}

/// Runs `work` for each of `0..jobs` on as many threads as there are cores; the results in
/// job order.
pub(crate) fn parallel_map<T: Send>(jobs: usize, work: impl Fn(usize) -> T + Sync) -> Vec<T> {
    let threads = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .min(jobs);
    if threads <= 1 {
        return (0..jobs).map(work).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut done: Vec<(usize, T)> = std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Vec::new();
                    loop {
                        let job = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if job >= jobs {
                            return done;
                        }
                        done.push((job, work(job)));
                    }
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("a computation thread does not panic"))
            .collect()
    });
    done.sort_unstable_by_key(|(job, _)| *job);
    done.into_iter().map(|(_, t)| t).collect()
}

/// How many records make a computation worth spreading over threads.
const PARALLEL_RECORDS: usize = 50_000;

/// Every base indicator's rows, each with its definition; in parallel for many records.
fn all_rows<'s>(
    set: &'s IndicatorSet,
    facts: &Facts,
    shape: &Shape,
) -> Vec<(&'s str, IndexedRows)> {
    let bases: Vec<(&Definition, &Population, Statistic)> = set
        .definitions
        .iter()
        .filter_map(|d| match &d.measure {
            Measure::Base {
                population,
                statistic,
            } => Some((d, population, *statistic)),
            Measure::Difference { .. } | Measure::Survey { .. } => None,
        })
        .collect();
    let one = |i: usize| {
        let (definition, population, statistic) = bases[i];
        indicator_rows(definition, population, statistic, facts, shape)
    };
    // Threads pay off for a full computation, not for one case's delta.
    let rows = if facts.records.len() >= PARALLEL_RECORDS {
        parallel_map(bases.len(), one)
    } else {
        (0..bases.len()).map(one).collect()
    };
    bases
        .iter()
        .map(|(d, _, _)| d.id.as_str())
        .zip(rows)
        .collect()
}

/// Computes every base indicator of `set` over `facts`. Difference indicators have no rows
/// of their own: they are combined from their parts when published.
pub fn compute(set: &IndicatorSet, facts: &Facts) -> Cube {
    let shape = Shape::of(facts);
    let mut rows = HashMap::new();
    for (indicator, indexed) in all_rows(set, facts, &shape) {
        rows.reserve(indexed.len());
        for ((v, node, period), row) in indexed {
            let key = RowKey {
                indicator: indicator.to_owned(),
                variant: shape.variants[v as usize].clone(),
                period,
                node: shape.nodes[node as usize].clone(),
            };
            rows.insert(key, row);
        }
    }
    Cube { rows }
}

/// The rows of [`compute`] in key order: by indicator, variant, period and node, so that the
/// rows of each (indicator, variant, period) tree are together, nodes by code.
pub fn compute_sorted(set: &IndicatorSet, facts: &Facts) -> Vec<(RowKey, Row)> {
    let shape = Shape::of(facts);
    let rank = |names: &[&str]| {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by_key(|i| names[*i]);
        let mut rank = vec![0u32; names.len()];
        for (r, i) in order.into_iter().enumerate() {
            rank[i] = r as u32;
        }
        rank
    };
    let variant_rank = rank(
        &shape
            .variants
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    );
    let node_rank = rank(&shape.nodes.iter().map(OrgCode::as_str).collect::<Vec<_>>());
    let mut indicators = all_rows(set, facts, &shape);
    indicators.sort_by_key(|(id, _)| *id);
    let mut out = Vec::with_capacity(indicators.iter().map(|(_, r)| r.len()).sum());
    for (indicator, indexed) in indicators {
        let mut rows: Vec<((u32, u32, Period), Row)> = indexed.into_iter().collect();
        rows.sort_unstable_by_key(|((v, node, period), _)| {
            (
                variant_rank[*v as usize],
                *period,
                node_rank[*node as usize],
            )
        });
        out.extend(rows.into_iter().map(|((v, node, period), row)| {
            let key = RowKey {
                indicator: indicator.to_owned(),
                variant: shape.variants[v as usize].clone(),
                period,
                node: shape.nodes[node as usize].clone(),
            };
            (key, row)
        }));
    }
    out
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

/// Serialises a row for storage (little-endian; per category n, people, hits, sum, sum of squares
/// and the histogram's (value, count) pairs).
pub fn encode_row(row: &Row) -> Vec<u8> {
    let mut out = Vec::with_capacity(8 * 44);
    for s in row {
        out.extend(s.n.to_le_bytes());
        out.extend(s.people.to_le_bytes());
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
        s.people = i64::from_le_bytes(take(8)?.try_into().ok()?);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::indicator::{CaseFacts, ClientFacts, InterventionFacts};

    fn facts() -> Facts {
        let mut facts = Facts::as_of(NaiveDate::MAX);
        let on = |d: u32| {
            NaiveDate::from_ymd_opt(2025, 1, 1).map(|x| x + chrono::Days::new(u64::from(d)))
        };
        for (i, unit) in ["0180-0002", "1480-0001", "0180-0001", "0180", "2580-0003"]
            .into_iter()
            .cycle()
            .take(40)
            .enumerate()
        {
            let case = CaseFacts {
                unit: OrgCode::parse(unit).expect("a valid code"),
                client: ClientFacts {
                    id: i as i64,
                    female: i % 3 == 0,
                    birth_year: 1940 + (i as i32 * 7) % 70,
                },
                opened_on: on(i as u32 * 9).expect("a date"),
                first_follow_up_month: Some(3),
                interventions: vec![InterventionFacts {
                    type_code: ["T1", "T2"][i % 2].into(),
                    applied_on: on(i as u32 * 9),
                    decided_on: on(i as u32 * 9 + 5 + i as u32 % 4),
                    started_on: (i % 5 != 0).then(|| on(i as u32 * 9 + 20)).flatten(),
                    private_provider: i % 4 == 0,
                }],
                measurements: Vec::new(),
                goals: Vec::new(),
            };
            facts.add_case(&case, &HashMap::new());
        }
        facts
    }

    #[test]
    fn the_sorted_rows_are_the_cube_in_key_order() {
        let set = IndicatorSet::embedded();
        let facts = facts();
        let cube = compute(&set, &facts);
        let sorted = compute_sorted(&set, &facts);
        assert!(sorted.len() > 100, "{}", sorted.len());
        assert!(sorted.windows(2).all(|w| w[0].0 < w[1].0));
        assert_eq!(sorted.len(), cube.rows.len());
        for (key, row) in &sorted {
            assert_eq!(cube.rows.get(key), Some(row), "{key:?}");
        }
        // Every parent is the sum of its children, and every year of its quarters.
        let sum_of = |pick: &dyn Fn(&RowKey) -> bool| {
            let mut total = Row::default();
            for (_, row) in sorted.iter().filter(|(k, _)| pick(k)) {
                add_row(&mut total, row, 1);
            }
            total
        };
        for (key, row) in sorted.iter().filter(|(k, _)| k.node.as_str() == "SE") {
            let counties = sum_of(&|k: &RowKey| {
                (&k.indicator, &k.variant, k.period) == (&key.indicator, &key.variant, key.period)
                    && k.node.level() == crate::org::OrgLevel::County
            });
            assert_eq!(counties.map(|s| s.n), row.clone().map(|s| s.n), "{key:?}");
            if let Period::Year(y) = key.period {
                let quarters = sum_of(&|k: &RowKey| {
                    (&k.indicator, &k.variant, &k.node) == (&key.indicator, &key.variant, &key.node)
                        && matches!(k.period, Period::Quarter(q, _) if q == y)
                });
                assert_eq!(quarters.map(|s| s.n), row.clone().map(|s| s.n), "{key:?}");
            }
        }
    }
}
