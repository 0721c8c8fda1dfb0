//! Reading one definition file: the JSON shape as written, and the checks that turn it into a
//! [`Definition`] — fields that exist for the record kind, populations that cannot be empty by
//! construction, survey questions that exist.

use super::*;
use crate::indicator::facts::{FieldKind, RecordKind, find_field, schema};
use crate::text::Localised;
use serde::Deserialize;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawDefinition {
    pub(super) id: String,
    pub(super) version: u32,
    pub(super) title: Localised,
    pub(super) description: Localised,
    pub(super) unit: ValueUnit,
    pub(super) better: Better,
    #[serde(default)]
    pub(super) denominator: Option<RawPopulation>,
    #[serde(default)]
    pub(super) numerator: Option<RawNumerator>,
    #[serde(default)]
    pub(super) difference_of: Option<[String; 2]>,
    #[serde(default)]
    pub(super) survey: Option<RawSurvey>,
    #[serde(default)]
    pub(super) variants: Vec<VariantKey>,
    #[serde(default)]
    pub(super) not_applicable: Vec<RawNotApplicable>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNotApplicable {
    pub(super) breakdowns: Vec<String>,
    #[serde(default)]
    pub(super) unit_areas: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawSurvey {
    pub(super) id: String,
    pub(super) question: String,
    pub(super) integrity: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawPopulation {
    pub(super) records: String,
    pub(super) dated_by: String,
    #[serde(default, rename = "where")]
    pub(super) filter: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawNumerator {
    #[serde(default)]
    pub(super) share_where: Option<String>,
    #[serde(default)]
    pub(super) mean_of: Option<String>,
    #[serde(default)]
    pub(super) median_of: Option<String>,
}

pub(super) fn error(file: &str, field: &str, problem: impl Into<String>) -> DefinitionError {
    DefinitionError {
        file: file.to_owned(),
        field: field.to_owned(),
        problem: problem.into(),
    }
}

pub(super) fn known(kind: RecordKind, wanted: impl Fn(FieldKind) -> bool) -> String {
    schema(kind)
        .iter()
        .filter(|f| wanted(f.kind))
        .map(|f| f.name)
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn parse_one(file: &str, text: &str) -> Result<Definition, DefinitionError> {
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
    let not_applicable = raw
        .not_applicable
        .iter()
        .enumerate()
        .map(|(i, rule)| not_applicable_rule(file, i, rule))
        .collect::<Result<_, _>>()?;
    Ok(Definition {
        id: raw.id,
        version: raw.version,
        title: raw.title,
        description: raw.description,
        unit: raw.unit,
        better: raw.better,
        measure,
        variants: raw.variants,
        not_applicable,
        file: file.to_owned(),
        raw: raw_value,
    })
}

/// One `not_applicable` rule: known breakdown names and unit areas, at least one breakdown.
fn not_applicable_rule(
    file: &str,
    index: usize,
    raw: &RawNotApplicable,
) -> Result<NotApplicable, DefinitionError> {
    use crate::indicator::CATEGORIES;
    use crate::indicator::cube::category_index;
    if raw.breakdowns.is_empty() {
        return Err(error(
            file,
            &format!("not_applicable[{index}].breakdowns"),
            "name at least one breakdown",
        ));
    }
    let categories = raw
        .breakdowns
        .iter()
        .enumerate()
        .map(|(j, name)| {
            category_index(name).ok_or_else(|| {
                error(
                    file,
                    &format!("not_applicable[{index}].breakdowns[{j}]"),
                    format!("'{name}' is not one of {}", CATEGORIES.join(", ")),
                )
            })
        })
        .collect::<Result<_, _>>()?;
    let unit_areas = raw
        .unit_areas
        .iter()
        .enumerate()
        .map(|(j, area)| {
            crate::org::UnitArea::parse(area).map_err(|e| {
                error(
                    file,
                    &format!("not_applicable[{index}].unit_areas[{j}]"),
                    e.problem,
                )
            })
        })
        .collect::<Result<_, _>>()?;
    Ok(NotApplicable {
        categories,
        unit_areas,
    })
}

/// A survey measure: the survey must be one Evident ships, and the question one of its
/// scale questions (free text has no share).
pub(super) fn survey_measure(file: &str, raw: RawSurvey) -> Result<Measure, DefinitionError> {
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
    if raw.integrity.is_empty() {
        return Err(error(
            file,
            "survey.integrity",
            "name the integrity modes whose publications count: codes, link or both",
        ));
    }
    let mut integrity = raw
        .integrity
        .iter()
        .enumerate()
        .map(|(i, mode)| {
            IntegrityMode::parse(mode)
                .map_err(|e| error(file, &format!("survey.integrity[{i}]"), e.problem))
        })
        .collect::<Result<Vec<_>, _>>()?;
    IntegrityMode::strongest_first(&mut integrity);
    Ok(Measure::Survey {
        survey: raw.id,
        question: raw.question,
        integrity,
    })
}

pub(super) fn base_measure(
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
