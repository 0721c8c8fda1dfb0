//! A measurements file: one row per measurement, answers checked against the stored instrument
//! and scored, or a given total checked against its range.

use super::*;
use crate::OrgCode;
use crate::followup::instrument::{Answers, Instrument};
use crate::followup::{Respondent, TimePoint};
use chrono::NaiveDate;
use std::collections::HashMap;

/// Every stored version of every instrument, to check measurements against.
#[derive(Debug, Clone, Default)]
pub struct InstrumentLibrary {
    versions: Vec<Instrument>,
    by_id: HashMap<String, Vec<usize>>,
}

impl InstrumentLibrary {
    /// A library of `versions`, given oldest first for each id (the last one given is the
    /// newest, used when a row names no version).
    pub fn new(versions: Vec<Instrument>) -> Self {
        let mut by_id: HashMap<String, Vec<usize>> = HashMap::new();
        for (i, instrument) in versions.iter().enumerate() {
            by_id.entry(instrument.id.clone()).or_default().push(i);
        }
        Self { versions, by_id }
    }

    /// The instrument `id` in `version`, or its newest version.
    ///
    /// # Errors
    /// Names the field (`instrument` or `instrument_version`) and says what is stored.
    pub fn find(&self, id: &str, version: Option<&str>) -> Result<&Instrument, (String, String)> {
        let Some(indices) = self.by_id.get(id) else {
            let mut ids: Vec<&str> = self.by_id.keys().map(String::as_str).collect();
            ids.sort_unstable();
            let known = if ids.is_empty() {
                "none is stored yet".to_owned()
            } else {
                format!("stored: {}", ids.join(", "))
            };
            return Err((
                "instrument".into(),
                format!("'{id}' is not in the instrument library ({known})"),
            ));
        };
        let found = match version {
            None => indices.last(),
            Some(version) => indices
                .iter()
                .find(|&&i| self.versions[i].version == version),
        };
        found.map(|&i| &self.versions[i]).ok_or_else(|| {
            let stored: Vec<&str> = indices
                .iter()
                .map(|&i| self.versions[i].version.as_str())
                .collect();
            (
                "instrument_version".into(),
                format!(
                    "{id} has no version '{}' (stored: {})",
                    version.unwrap_or_default(),
                    stored.join(", ")
                ),
            )
        })
    }
}

/// One row of a measurements file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportMeasurement {
    /// Its line.
    pub line: u64,
    /// Index into [`MeasurementFile::clients`].
    pub client: usize,
    /// Index into [`MeasurementFile::units`].
    pub unit: usize,
    /// Index into [`MeasurementFile::instruments`].
    pub instrument: usize,
    /// Baseline, follow-up or end.
    pub time_point: TimePoint,
    /// The schedule month of a follow-up.
    pub month: Option<u32>,
    /// When it was answered.
    pub measured_on: NaiveDate,
    /// Who answered.
    pub respondent: Respondent,
    /// The answers (empty when the file gave only a total score).
    pub answers: Answers,
    /// The score: computed from the answers, or as given.
    pub score: Option<f64>,
}

/// A checked measurements file.
#[derive(Debug, Clone, PartialEq)]
pub struct MeasurementFile {
    /// The file's name as the user gave it.
    pub file: String,
    /// The clients, each once.
    pub clients: Vec<ImportClient>,
    /// The unit codes named, each once.
    pub units: Vec<OrgCode>,
    /// The instrument versions used, `(id, version)`, each once.
    pub instruments: Vec<(String, String)>,
    /// The measurements, in file order.
    pub measurements: Vec<ImportMeasurement>,
}

/// Checks a measurements file and returns its typed rows, scored. Answers come from
/// `item:<linkId>` columns (option codes) and are scored with the instrument; files with only
/// totals give a `score` column instead. `progress` is called now and then with how many bytes
/// of `text` have been read.
///
/// # Errors
/// Every bad row, as `file:line: field: problem`.
pub fn parse_measurements(
    file: &str,
    text: &str,
    ctx: &ImportContext<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<MeasurementFile, RowErrors> {
    let mut errors = RowErrors::default();
    let mut interner = Interner::default();
    let mut instruments: Vec<(String, String)> = Vec::new();
    let mut instrument_index: HashMap<(String, String), usize> = HashMap::new();
    let mut measurements = Vec::new();
    read_rows(
        file,
        text,
        MEASUREMENT_COLUMNS,
        true,
        &mut errors,
        progress,
        |header, line, record, errors| {
            let get = |i: usize| header.get(record, i);
            let mut check = RowCheck::new(file, line, errors);
            let (client, unit) = interner.client_and_unit(&mut check, get(0), get(1), ctx);
            let instrument = check.required("instrument", get(2)).and_then(|id| {
                let version = Some(get(3)).filter(|v| !v.is_empty());
                ctx.instruments
                    .find(id, version)
                    .map_err(|(field, problem)| check.fail(field, problem))
                    .ok()
            });
            let time_point = check.required("time_point", get(4)).and_then(|raw| {
                check.check("time_point", TimePoint::parse(raw).map_err(|e| e.problem))
            });
            let month_raw = get(5);
            let month = match time_point {
                Some(TimePoint::FollowUp) => check
                    .required("month", month_raw)
                    .and_then(|raw| {
                        check.check(
                            "month",
                            raw.parse::<u32>()
                                .ok()
                                .filter(|m| (1..=120).contains(m))
                                .ok_or_else(|| {
                                    format!("'{raw}' is not a number of months from 1 to 120")
                                }),
                        )
                    })
                    .map(Some),
                Some(_) if !month_raw.is_empty() && month_raw != "0" => {
                    check.fail("month", "only a follow_up has a month (leave it empty)");
                    None
                }
                _ => Some(None),
            };
            let measured_on = check.required("measured_on", get(6)).and_then(|raw| {
                check.check(
                    "measured_on",
                    parse_date(raw).and_then(|d| not_in_future(d, ctx.today)),
                )
            });
            let respondent = check.required("respondent", get(7)).and_then(|raw| {
                check.check("respondent", Respondent::parse(raw).map_err(|e| e.problem))
            });
            let score =
                instrument.and_then(|instrument| score_row(&mut check, header, record, instrument));
            let (
                Some(client),
                Some(unit),
                Some(instrument),
                Some(time_point),
                Some(month),
                Some(measured_on),
                Some(respondent),
                Some((answers, score)),
                false,
            ) = (
                client,
                unit,
                instrument,
                time_point,
                month,
                measured_on,
                respondent,
                score,
                check.bad,
            )
            else {
                return;
            };
            let key = (instrument.id.clone(), instrument.version.clone());
            let instrument = match instrument_index.get(&key) {
                Some(&i) => i,
                None => {
                    instrument_index.insert(key.clone(), instruments.len());
                    instruments.push(key);
                    instruments.len() - 1
                }
            };
            measurements.push(ImportMeasurement {
                line,
                client,
                unit,
                instrument,
                time_point,
                month,
                measured_on,
                respondent,
                answers,
                score,
            });
        },
    );
    errors.into_result(MeasurementFile {
        file: file.to_owned(),
        clients: interner.clients,
        units: interner.units,
        instruments,
        measurements,
    })
}

/// The answers and score of one measurement row: answers checked against the instrument and
/// scored, or a given total checked against its range (and against the answers when both are
/// given).
pub(super) fn score_row(
    check: &mut RowCheck<'_>,
    header: &Header,
    record: &csv::StringRecord,
    instrument: &Instrument,
) -> Option<(Answers, Option<f64>)> {
    let mut answers = Answers::new();
    let mut answers_ok = true;
    for (link_id, position) in &header.items {
        let code = record.get(*position).map_or("", str::trim);
        if code.is_empty() {
            continue;
        }
        let field = format!("{ITEM_PREFIX}{link_id}");
        let Some(item) = instrument.items.iter().find(|i| i.link_id == *link_id) else {
            check.fail(
                field,
                format!(
                    "{} version {} has no item {link_id}",
                    instrument.id, instrument.version
                ),
            );
            answers_ok = false;
            continue;
        };
        if !item.options.iter().any(|o| o.code == code) {
            let codes: Vec<&str> = item.options.iter().map(|o| o.code.as_str()).collect();
            check.fail(
                field,
                format!("'{code}' is not one of its options ({})", codes.join(", ")),
            );
            answers_ok = false;
            continue;
        }
        answers.insert(link_id.clone(), code.to_owned());
    }
    let given = match header.positions[SCORE]
        .and_then(|p| record.get(p))
        .map(str::trim)
    {
        Some(raw) if !raw.is_empty() => match parse_decimal(raw) {
            Ok(score) => {
                let (low, high) = instrument.range;
                if score < low || score > high {
                    check.fail(
                        "score",
                        format!(
                            "{raw} is outside {}'s range, {} to {}",
                            instrument.id,
                            decimal_text(low),
                            decimal_text(high)
                        ),
                    );
                    return None;
                }
                Some(score)
            }
            Err(problem) => {
                check.fail("score", problem);
                return None;
            }
        },
        _ => None,
    };
    if !answers_ok {
        return None;
    }
    if answers.is_empty() {
        return match given {
            Some(score) => Some((answers, Some(score))),
            None => {
                check.fail(
                    "score",
                    "no answers and no score: fill in the item:<linkId> columns or the score",
                );
                None
            }
        };
    }
    let computed = match instrument.score(&answers) {
        Ok(score) => score.total,
        Err(e) => {
            check.fail("answers", e.problem);
            return None;
        }
    };
    if let Some(given) = given
        && computed.is_none_or(|c| (c - given).abs() > 0.005)
    {
        check.fail(
            "score",
            format!(
                "{} does not match the score of the answers ({})",
                decimal_text(given),
                computed.map_or("too many answers missing".to_owned(), decimal_text)
            ),
        );
        return None;
    }
    Some((answers, computed))
}
