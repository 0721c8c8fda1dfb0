//! Indicator definitions, read from JSON files (`data/indicators/*.json`) and checked when
//! loaded: every field named must exist for the record kind, a population must not be empty
//! by construction, and indicators built from others must not refer to themselves.

mod parse;

use crate::indicator::facts::RecordKind;
use crate::participation::survey::IntegrityMode;
pub use crate::text::Localised;
use parse::{error, parse_one};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, HashMap};
use std::fmt;

/// What a value is measured in, which decides how it is shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ValueUnit {
    /// A share, stored as 0–1 and shown as per cent.
    Percent,
    /// A number of days.
    Days,
    /// A standardised effect size.
    EffectSize,
    /// Percentage points (a difference of two shares).
    PercentagePoints,
}

impl ValueUnit {
    /// The name as definitions, exports and the API write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Percent => "percent",
            Self::Days => "days",
            Self::EffectSize => "effect_size",
            Self::PercentagePoints => "percentage_points",
        }
    }
}

/// Which direction is better.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Better {
    /// Higher values are better.
    Higher,
    /// Lower values are better.
    Lower,
    /// Neither: the value describes, it does not rank (no colouring).
    Neutral,
}

/// A key a base indicator can also be split by, besides the organisation, period and
/// breakdown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VariantKey {
    /// Per instrument.
    Instrument,
    /// Per intervention type.
    InterventionType,
}

/// How the value is computed from the population.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Statistic {
    /// The share of the population with a flag set (flag bit).
    Share(u8),
    /// The mean of a number field (slot).
    Mean(usize),
    /// The median of a number field (slot), rounded to whole units when counted.
    Median(usize),
}

/// The records an indicator counts.
#[derive(Debug, Clone, PartialEq)]
pub struct Population {
    /// Which records.
    pub records: RecordKind,
    /// The date slot that places a record in a period.
    pub dated_by: usize,
    /// Flags that must be set (`true`) or clear (`false`), by bit.
    pub filter: Vec<(u8, bool)>,
}

impl Population {
    /// Whether `record` belongs to the population.
    pub fn admits(&self, record: &super::facts::Record) -> bool {
        record.kind == self.records
            && record.dates[self.dated_by].is_some()
            && self.filter.iter().all(|(bit, on)| record.flag(*bit) == *on)
    }
}

/// How an indicator is computed.
#[derive(Debug, Clone, PartialEq)]
pub enum Measure {
    /// From records.
    Base {
        /// The denominator: which records.
        population: Population,
        /// The numerator: what is computed over them.
        statistic: Statistic,
    },
    /// One indicator's value minus another's, cell by cell.
    Difference {
        /// The first indicator's id.
        minuend: String,
        /// The second indicator's id.
        subtrahend: String,
    },
    /// The share positive on one scale question of a client survey, per node and period,
    /// exactly as the survey's results publish it (`crate::participation::survey::results`). Not computed
    /// from records: the cube has no rows for it.
    Survey {
        /// The survey's id, e.g. `brukarundersokning-2026`.
        survey: String,
        /// The scale question's id.
        question: String,
        /// The integrity modes whose publications it counts, sorted (the stronger first);
        /// answers from publications of other modes are left out, and the modes are shown
        /// with the indicator.
        integrity: Vec<IntegrityMode>,
    },
}

/// Breakdowns that do not apply, for every node or at units of some areas: their cells are
/// "not applicable" rather than missing (an age band a unit never serves; a split that
/// anonymous survey answers cannot have).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotApplicable {
    /// The breakdown categories (indices into [`crate::indicator::CATEGORIES`]).
    pub categories: Vec<usize>,
    /// The unit areas where they do not apply; empty: at every node.
    pub unit_areas: Vec<crate::org::UnitArea>,
}

/// One checked indicator definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Definition {
    /// Stable id, e.g. `EVI001`.
    pub id: String,
    /// Bumped whenever the computation changes.
    pub version: u32,
    /// Title.
    pub title: Localised,
    /// What it measures and how, in words.
    pub description: Localised,
    /// The unit of its values.
    pub unit: ValueUnit,
    /// Which direction is better.
    pub better: Better,
    /// How it is computed.
    pub measure: Measure,
    /// Extra splits, besides the total.
    pub variants: Vec<VariantKey>,
    /// Breakdowns that do not apply, where.
    pub not_applicable: Vec<NotApplicable>,
    /// The file it was read from, for messages.
    pub file: String,
    /// The definition as written, for the API's metadata.
    pub raw: serde_json::Value,
}

impl Definition {
    /// Whether higher values are better.
    pub fn higher_is_better(&self) -> bool {
        self.better == Better::Higher
    }

    /// Whether breakdown `category` applies at a node: `area` is the unit's area, `None` for
    /// the nation, a county or a municipality (which serve every kind of client).
    pub fn applies(&self, category: usize, area: Option<crate::org::UnitArea>) -> bool {
        !self.not_applicable.iter().any(|rule| {
            rule.categories.contains(&category)
                && (rule.unit_areas.is_empty()
                    || area.is_some_and(|a| rule.unit_areas.contains(&a)))
        })
    }
}

/// A definition that cannot be used, naming the file and the field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DefinitionError {
    /// The file.
    pub file: String,
    /// The field, as a path (`denominator.where[1]`).
    pub field: String,
    /// What is wrong.
    pub problem: String,
}

impl fmt::Display for DefinitionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: field {}: {}", self.file, self.field, self.problem)
    }
}

impl std::error::Error for DefinitionError {}

/// A checked, ordered set of definitions: every indicator comes after those it is built from.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct IndicatorSet {
    /// The definitions, dependencies first.
    pub definitions: Vec<Definition>,
}

/// The files under `data/indicators/`, embedded in the binary.
const EMBEDDED: &[(&str, &str)] = &[
    (
        "EVI001.json",
        include_str!("../../../../../data/indicators/EVI001.json"),
    ),
    (
        "EVI002.json",
        include_str!("../../../../../data/indicators/EVI002.json"),
    ),
    (
        "EVI003.json",
        include_str!("../../../../../data/indicators/EVI003.json"),
    ),
    (
        "EVI004.json",
        include_str!("../../../../../data/indicators/EVI004.json"),
    ),
    (
        "EVI005.json",
        include_str!("../../../../../data/indicators/EVI005.json"),
    ),
    (
        "EVI006.json",
        include_str!("../../../../../data/indicators/EVI006.json"),
    ),
    (
        "EVI007.json",
        include_str!("../../../../../data/indicators/EVI007.json"),
    ),
    (
        "EVI008.json",
        include_str!("../../../../../data/indicators/EVI008.json"),
    ),
    (
        "EVI009.json",
        include_str!("../../../../../data/indicators/EVI009.json"),
    ),
    (
        "EVI010.json",
        include_str!("../../../../../data/indicators/EVI010.json"),
    ),
    (
        "EVI011.json",
        include_str!("../../../../../data/indicators/EVI011.json"),
    ),
];

impl IndicatorSet {
    /// The indicators shipped with Evident.
    pub fn embedded() -> Self {
        Self::parse(
            EMBEDDED
                .iter()
                .map(|(f, t)| (format!("data/indicators/{f}"), *t)),
        )
        .expect("the embedded indicator definitions are valid")
    }

    /// Reads and checks definitions given as (file name, JSON text).
    ///
    /// # Errors
    /// The first definition that is malformed, names an unknown field or indicator, has a
    /// population that is empty by construction, repeats an id, or depends on itself.
    pub fn parse<'a>(
        files: impl IntoIterator<Item = (String, &'a str)>,
    ) -> Result<Self, DefinitionError> {
        let mut definitions = Vec::new();
        for (file, text) in files {
            definitions.push(parse_one(&file, text)?);
        }
        let mut by_id: BTreeMap<String, usize> = BTreeMap::new();
        for (i, d) in definitions.iter().enumerate() {
            if let Some(first) = by_id.insert(d.id.clone(), i) {
                return Err(error(
                    &d.file,
                    "id",
                    format!(
                        "'{}' is already defined in {}",
                        d.id, definitions[first].file
                    ),
                ));
            }
        }
        for d in &definitions {
            if let Measure::Difference {
                minuend,
                subtrahend,
            } = &d.measure
            {
                for (k, other) in [minuend, subtrahend].into_iter().enumerate() {
                    if !by_id.contains_key(other) {
                        return Err(error(
                            &d.file,
                            &format!("difference_of[{k}]"),
                            format!("no indicator has the id '{other}'"),
                        ));
                    }
                }
            }
        }
        let order = dependency_order(&definitions, &by_id)?;
        let mut slots: Vec<Option<Definition>> = definitions.into_iter().map(Some).collect();
        Ok(Self {
            definitions: order.into_iter().filter_map(|i| slots[i].take()).collect(),
        })
    }

    /// The definition with `id`.
    pub fn get(&self, id: &str) -> Option<&Definition> {
        self.definitions.iter().find(|d| d.id == id)
    }

    /// The position of `id` in [`Self::definitions`].
    pub fn position(&self, id: &str) -> Option<usize> {
        self.definitions.iter().position(|d| d.id == id)
    }
}

/// Depth-first topological order; a cycle is an error naming the file and the chain.
fn dependency_order(
    definitions: &[Definition],
    by_id: &BTreeMap<String, usize>,
) -> Result<Vec<usize>, DefinitionError> {
    fn visit(
        i: usize,
        definitions: &[Definition],
        by_id: &BTreeMap<String, usize>,
        state: &mut HashMap<usize, bool>,
        chain: &mut Vec<String>,
        order: &mut Vec<usize>,
    ) -> Result<(), DefinitionError> {
        match state.get(&i) {
            Some(true) => return Ok(()),
            Some(false) => {
                chain.push(definitions[i].id.clone());
                return Err(error(
                    &definitions[i].file,
                    "difference_of",
                    format!("the definition is circular: {}", chain.join(" → ")),
                ));
            }
            None => {}
        }
        state.insert(i, false);
        chain.push(definitions[i].id.clone());
        if let Measure::Difference {
            minuend,
            subtrahend,
        } = &definitions[i].measure
        {
            for other in [minuend, subtrahend] {
                visit(by_id[other], definitions, by_id, state, chain, order)?;
            }
        }
        chain.pop();
        state.insert(i, true);
        order.push(i);
        Ok(())
    }
    let mut state = HashMap::new();
    let mut order = Vec::new();
    for i in 0..definitions.len() {
        visit(
            i,
            definitions,
            by_id,
            &mut state,
            &mut Vec::new(),
            &mut order,
        )?;
    }
    Ok(order)
}
