//! Indicator definitions, read from JSON files (`data/indicators/*.json`) and checked when
//! loaded: every field named must exist for the record kind, a population must not be empty
//! by construction, and indicators built from others must not refer to themselves.

use super::facts::{FieldKind, RecordKind, find_field, schema};
pub use crate::text::Localised;
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
    },
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

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDefinition {
    id: String,
    version: u32,
    title: Localised,
    description: Localised,
    unit: ValueUnit,
    better: Better,
    #[serde(default)]
    denominator: Option<RawPopulation>,
    #[serde(default)]
    numerator: Option<RawNumerator>,
    #[serde(default)]
    difference_of: Option<[String; 2]>,
    #[serde(default)]
    survey: Option<RawSurvey>,
    #[serde(default)]
    variants: Vec<VariantKey>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSurvey {
    id: String,
    question: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPopulation {
    records: String,
    dated_by: String,
    #[serde(default, rename = "where")]
    filter: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawNumerator {
    #[serde(default)]
    share_where: Option<String>,
    #[serde(default)]
    mean_of: Option<String>,
    #[serde(default)]
    median_of: Option<String>,
}

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
        include_str!("../../../../data/indicators/EVI001.json"),
    ),
    (
        "EVI002.json",
        include_str!("../../../../data/indicators/EVI002.json"),
    ),
    (
        "EVI003.json",
        include_str!("../../../../data/indicators/EVI003.json"),
    ),
    (
        "EVI004.json",
        include_str!("../../../../data/indicators/EVI004.json"),
    ),
    (
        "EVI005.json",
        include_str!("../../../../data/indicators/EVI005.json"),
    ),
    (
        "EVI006.json",
        include_str!("../../../../data/indicators/EVI006.json"),
    ),
    (
        "EVI007.json",
        include_str!("../../../../data/indicators/EVI007.json"),
    ),
    (
        "EVI008.json",
        include_str!("../../../../data/indicators/EVI008.json"),
    ),
    (
        "EVI009.json",
        include_str!("../../../../data/indicators/EVI009.json"),
    ),
    (
        "EVI010.json",
        include_str!("../../../../data/indicators/EVI010.json"),
    ),
    (
        "EVI011.json",
        include_str!("../../../../data/indicators/EVI011.json"),
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

fn error(file: &str, field: &str, problem: impl Into<String>) -> DefinitionError {
    DefinitionError {
        file: file.to_owned(),
        field: field.to_owned(),
        problem: problem.into(),
    }
}

fn known(kind: RecordKind, wanted: impl Fn(FieldKind) -> bool) -> String {
    schema(kind)
        .iter()
        .filter(|f| wanted(f.kind))
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

fn parse_one(file: &str, text: &str) -> Result<Definition, DefinitionError> {
    let raw_value: serde_json::Value = serde_json::from_str(text).map_err(|e| {
        error(
            file,
            &format!("(line {}, column {})", e.line(), e.column()),
            e.to_string(),
        )
    })?;
    let raw: RawDefinition = serde_json::from_value(raw_value.clone()).map_err(|e| {
        let message = e.to_string();
        let field = message
            .split('`')
            .nth(1)
            .unwrap_or("(definition)")
            .to_owned();
        error(file, &field, message)
    })?;
    if raw.id.trim().is_empty()
        || !raw
            .id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(error(file, "id", "use letters, digits, - and _ only"));
    }
    let measure = match (
        raw.survey,
        raw.difference_of,
        raw.denominator,
        raw.numerator,
    ) {
        (Some(survey), None, None, None) => survey_measure(file, survey)?,
        (Some(_), _, _, _) => {
            return Err(error(
                file,
                "survey",
                "a survey indicator has no numerator, denominator or difference_of of its own",
            ));
        }
        (None, Some([a, b]), None, None) => {
            if a == raw.id || b == raw.id {
                return Err(error(
                    file,
                    "difference_of",
                    format!("the definition is circular: {} refers to itself", raw.id),
                ));
            }
            Measure::Difference {
                minuend: a,
                subtrahend: b,
            }
        }
        (None, Some(_), _, _) => {
            return Err(error(
                file,
                "difference_of",
                "a difference has no numerator or denominator of its own",
            ));
        }
        (None, None, Some(denominator), Some(numerator)) => {
            base_measure(file, &denominator, &numerator)?
        }
        (None, None, None, _) => return Err(error(file, "denominator", "missing")),
        (None, None, Some(_), None) => return Err(error(file, "numerator", "missing")),
    };
    if !raw.variants.is_empty() && !matches!(measure, Measure::Base { .. }) {
        return Err(error(
            file,
            "variants",
            "only indicators computed from records have variants",
        ));
    }
    Ok(Definition {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        description: raw.description,
        unit: raw.unit,
        better: raw.better,
        measure,
        variants: raw.variants,
        file: file.to_owned(),
        raw: raw_value,
    })
}

/// A survey measure: the survey must be one Evident ships, and the question one of its
/// scale questions (free text has no share).
fn survey_measure(file: &str, raw: RawSurvey) -> Result<Measure, DefinitionError> {
    let surveys = crate::participation::survey::embedded_surveys();
    let Some(survey) = surveys.iter().find(|s| s.id == raw.id) else {
        let known: Vec<&str> = surveys.iter().map(|s| s.id.as_str()).collect();
        return Err(error(
            file,
            "survey.id",
            format!("unknown survey '{}'; known: {}", raw.id, known.join(", ")),
        ));
    };
    if !survey.scale_questions().any(|(q, _)| q.id == raw.question) {
        let known: Vec<&str> = survey
            .scale_questions()
            .map(|(q, _)| q.id.as_str())
            .collect();
        return Err(error(
            file,
            "survey.question",
            format!(
                "survey '{}' has no scale question '{}'; known: {}",
                survey.id,
                raw.question,
                known.join(", ")
            ),
        ));
    }
    Ok(Measure::Survey {
        survey: raw.id,
        question: raw.question,
    })
}

fn base_measure(
    file: &str,
    denominator: &RawPopulation,
    numerator: &RawNumerator,
) -> Result<Measure, DefinitionError> {
    let records = RecordKind::parse(&denominator.records).ok_or_else(|| {
        let kinds: Vec<&str> = RecordKind::ALL.iter().map(|k| k.as_str()).collect();
        error(
            file,
            "denominator.records",
            format!(
                "unknown records '{}'; known: {}",
                denominator.records,
                kinds.join(", ")
            ),
        )
    })?;
    let lookup = |path: &str, name: &str, wanted: fn(FieldKind) -> bool, what: &str| {
        find_field(records, name)
            .filter(|f| wanted(f.kind))
            .ok_or_else(|| {
                error(
                    file,
                    path,
                    format!(
                        "unknown {what} '{name}' for records '{}'; known: {}",
                        records.as_str(),
                        known(records, wanted)
                    ),
                )
            })
    };
    let is_date = |k| matches!(k, FieldKind::Date(_));
    let is_flag = |k| matches!(k, FieldKind::Flag(_));
    let is_number = |k| matches!(k, FieldKind::Number(_));
    let dated = lookup(
        "denominator.dated_by",
        &denominator.dated_by,
        is_date,
        "date field",
    )?;
    let FieldKind::Date(dated_by) = dated.kind else {
        unreachable!("filtered to dates")
    };
    // Conditions as written, plus those implied by the date: a record without the date
    // never enters any period.
    let mut conditions: Vec<(String, bool, String)> = dated
        .requires
        .iter()
        .map(|r| ((*r).to_owned(), true, "denominator.dated_by".to_owned()))
        .collect();
    for (i, condition) in denominator.filter.iter().enumerate() {
        let path = format!("denominator.where[{i}]");
        let (name, on) = match condition.strip_prefix('!') {
            Some(rest) => (rest, false),
            None => (condition.as_str(), true),
        };
        lookup(&path, name, is_flag, "flag")?;
        conditions.push((name.to_owned(), on, path));
    }
    for (i, (name, on, path)) in conditions.iter().enumerate() {
        if let Some((_, _, other)) = conditions[..i]
            .iter()
            .find(|(n, o, _)| n == name && o != on)
        {
            return Err(error(
                file,
                path,
                format!(
                    "the population is empty: '{name}' is required both set and clear (see {other}), so the denominator is always 0"
                ),
            ));
        }
    }
    let filter: Vec<(u8, bool)> = conditions
        .iter()
        .map(
            |(name, on, _)| match find_field(records, name).map(|f| f.kind) {
                Some(FieldKind::Flag(bit)) => (bit, *on),
                _ => unreachable!("checked above"),
            },
        )
        .collect();
    let chosen: Vec<(&str, &String)> = [
        ("numerator.share_where", &numerator.share_where),
        ("numerator.mean_of", &numerator.mean_of),
        ("numerator.median_of", &numerator.median_of),
    ]
    .into_iter()
    .filter_map(|(path, v)| v.as_ref().map(|v| (path, v)))
    .collect();
    let [(path, name)] = chosen[..] else {
        return Err(error(
            file,
            "numerator",
            "give exactly one of share_where, mean_of, median_of",
        ));
    };
    let statistic = if path.ends_with("share_where") {
        let f = lookup(path, name, is_flag, "flag")?;
        let FieldKind::Flag(bit) = f.kind else {
            unreachable!()
        };
        Statistic::Share(bit)
    } else {
        let f = lookup(path, name, is_number, "number field")?;
        let FieldKind::Number(slot) = f.kind else {
            unreachable!()
        };
        // A number exists only where its flags are set; a population that excludes them has
        // nothing to average.
        for required in f.requires {
            if conditions.iter().any(|(n, on, _)| n == required && !on) {
                return Err(error(
                    file,
                    path,
                    format!(
                        "'{name}' needs '{required}', which the denominator excludes: it would divide by an empty population"
                    ),
                ));
            }
        }
        if path.ends_with("mean_of") {
            Statistic::Mean(slot)
        } else {
            Statistic::Median(slot)
        }
    };
    Ok(Measure::Base {
        population: Population {
            records,
            dated_by,
            filter,
        },
        statistic,
    })
}
