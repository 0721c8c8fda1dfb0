//! A cases file: one row per intervention, rows with the same client, unit and opening date
//! forming one case.

use super::*;
use crate::followup::{InterventionDates, LegalBasis, parse_schedule};
use crate::person::{PersonalNumber, Pseudonym, RecordedSex, StatisticalKey};
use crate::{OrgCode, OrgLevel};
use chrono::NaiveDate;
use std::collections::HashMap;

/// A client named in a file: what is kept of a personal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportClient {
    /// The pseudonym at the authority.
    pub pseudonym: Pseudonym,
    /// The key that counts the person once across authorities.
    pub statistical_key: StatisticalKey,
    /// The authority (municipality) whose client this is.
    pub authority: OrgCode,
    /// Year of birth.
    pub birth_year: i32,
    /// Recorded sex.
    pub sex: RecordedSex,
}

/// A case from a cases file: the rows with the same client, unit and opening date.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportCase {
    /// The first line that names it.
    pub line: u64,
    /// Index into [`CaseFile::clients`].
    pub client: usize,
    /// Index into [`CaseFile::units`].
    pub unit: usize,
    /// When it was opened.
    pub opened_on: NaiveDate,
    /// The follow-up schedule in months.
    pub schedule: Vec<u32>,
    /// Its interventions, one per row.
    pub interventions: Vec<ImportIntervention>,
}

/// One row of a cases file: an intervention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportIntervention {
    /// Its line.
    pub line: u64,
    /// The catalogue code.
    pub type_code: String,
    /// The law.
    pub legal_basis: LegalBasis,
    /// Index into [`CaseFile::units`] of the providing unit.
    pub provider: usize,
    /// Its dates, in order.
    pub dates: InterventionDates,
    /// Why it ended.
    pub end_reason: Option<String>,
}

/// A checked cases file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseFile {
    /// The file's name as the user gave it.
    pub file: String,
    /// The clients, each once.
    pub clients: Vec<ImportClient>,
    /// The unit codes named (as case unit or provider), each once.
    pub units: Vec<OrgCode>,
    /// The cases, in the order they first appear.
    pub cases: Vec<ImportCase>,
}

impl CaseFile {
    /// How many data rows (interventions) the file had.
    pub fn rows(&self) -> usize {
        self.cases.iter().map(|c| c.interventions.len()).sum()
    }
}

/// Clients and units, each kept once, by index.
#[derive(Default)]
pub(super) struct Interner {
    pub(super) clients: Vec<ImportClient>,
    pub(super) client_index: HashMap<Pseudonym, usize>,
    pub(super) units: Vec<OrgCode>,
    pub(super) unit_index: HashMap<OrgCode, usize>,
}

impl Interner {
    /// Parses a personal number, keeps only the keys of the client it is at `authority`, and
    /// returns the client's index. The number is dropped before this returns; the error never
    /// repeats it.
    pub(super) fn client(
        &mut self,
        raw: &str,
        authority: &OrgCode,
        ctx: &ImportContext<'_>,
    ) -> Result<usize, String> {
        let client = {
            let number = PersonalNumber::parse(raw, ctx.today).map_err(|e| e.problem)?;
            let keys = ctx.key.client_keys(&number, authority);
            ImportClient {
                pseudonym: keys.pseudonym,
                statistical_key: keys.statistical_key,
                authority: authority.clone(),
                birth_year: number.birth_year(),
                sex: number.recorded_sex(),
            }
        };
        Ok(match self.client_index.get(&client.pseudonym) {
            Some(&i) => i,
            None => {
                let i = self.clients.len();
                self.client_index.insert(client.pseudonym.clone(), i);
                self.clients.push(client);
                i
            }
        })
    }

    /// The client and the unit of a row — the first two columns of both file formats — each
    /// checked and kept once. The client is the one at the unit's authority; a number next to
    /// a bad unit is still checked.
    pub(super) fn client_and_unit(
        &mut self,
        check: &mut RowCheck<'_>,
        personal_number: &str,
        unit: &str,
        ctx: &ImportContext<'_>,
    ) -> (Option<usize>, Option<usize>) {
        // The authority is read ahead, so that errors still come in column order.
        let authority = OrgCode::parse_at("unit", unit.trim(), OrgLevel::Unit)
            .ok()
            .and_then(|u| u.authority())
            .unwrap_or_else(OrgCode::nation);
        let client = check
            .required("personal_number", personal_number)
            .and_then(|raw| check.check("personal_number", self.client(raw, &authority, ctx)));
        let unit = check
            .required("unit", unit)
            .and_then(|raw| check.check("unit", self.unit("unit", raw)));
        (client, unit)
    }

    pub(super) fn unit(&mut self, field: &'static str, raw: &str) -> Result<usize, String> {
        let code = OrgCode::parse_at(field, raw, OrgLevel::Unit).map_err(|e| e.problem)?;
        Ok(match self.unit_index.get(&code) {
            Some(&i) => i,
            None => {
                let i = self.units.len();
                self.unit_index.insert(code.clone(), i);
                self.units.push(code);
                i
            }
        })
    }
}

/// Checks a cases file (one row per intervention; rows with the same personal number, unit
/// and opening date form one case) and returns its typed rows. `progress` is called now and
/// then with how many bytes of `text` have been read.
///
/// # Errors
/// Every bad row, as `file:line: field: problem`.
pub fn parse_cases(
    file: &str,
    text: &str,
    ctx: &ImportContext<'_>,
    progress: &mut dyn FnMut(u64),
) -> Result<CaseFile, RowErrors> {
    let mut errors = RowErrors::default();
    let mut interner = Interner::default();
    let mut cases: Vec<ImportCase> = Vec::new();
    let mut case_index: HashMap<(usize, usize, NaiveDate), usize> = HashMap::new();
    read_rows(
        file,
        text,
        CASE_COLUMNS,
        false,
        &mut errors,
        progress,
        |header, line, record, errors| {
            let get = |i: usize| header.get(record, i);
            let mut check = RowCheck::new(file, line, errors);
            let (client, unit) = interner.client_and_unit(&mut check, get(0), get(1), ctx);
            let opened_on = check.required("opened_on", get(2)).and_then(|raw| {
                check.check(
                    "opened_on",
                    parse_date(raw).and_then(|d| not_in_future(d, ctx.today)),
                )
            });
            let schedule = check.required("schedule", get(3)).and_then(|raw| {
                check.check("schedule", parse_schedule(raw).map_err(|e| e.problem))
            });
            let kind = check.required("intervention_type", get(4)).and_then(|raw| {
                check.check(
                    "intervention_type",
                    ctx.catalogue
                        .find(raw)
                        .ok_or_else(|| format!("'{raw}' is not in the intervention catalogue")),
                )
            });
            let legal_basis = check.required("legal_basis", get(5)).and_then(|raw| {
                check.check("legal_basis", LegalBasis::parse(raw).map_err(|e| e.problem))
            });
            if let (Some(kind), Some(basis)) = (kind, legal_basis)
                && !kind.legal_bases.contains(&basis)
            {
                let allowed: Vec<&str> = kind.legal_bases.iter().map(|b| b.as_str()).collect();
                check.fail(
                    "legal_basis",
                    format!(
                        "{} is not decided under {} (allowed: {})",
                        kind.code,
                        basis.as_str(),
                        allowed.join(", ")
                    ),
                );
            }
            let provider = check
                .required("provider_unit", get(6))
                .and_then(|raw| check.check("provider_unit", interner.unit("provider_unit", raw)));
            let dates = InterventionDates {
                applied_on: optional_date(&mut check, "applied_on", get(7)),
                decided_on: optional_date(&mut check, "decided_on", get(8)),
                started_on: optional_date(&mut check, "started_on", get(9)),
                ended_on: optional_date(&mut check, "ended_on", get(10)),
            };
            if let Err(e) = dates.validate() {
                check.fail(e.field, e.problem);
            }
            let end_reason = Some(get(11)).filter(|r| !r.is_empty()).map(str::to_owned);
            let (
                Some(client),
                Some(unit),
                Some(opened_on),
                Some(schedule),
                Some(kind),
                Some(legal_basis),
                Some(provider),
                false,
            ) = (
                client,
                unit,
                opened_on,
                schedule,
                kind,
                legal_basis,
                provider,
                check.bad,
            )
            else {
                return;
            };
            let intervention = ImportIntervention {
                line,
                type_code: kind.code.clone(),
                legal_basis,
                provider,
                dates,
                end_reason,
            };
            match case_index.get(&(client, unit, opened_on)) {
                Some(&i) if cases[i].schedule != schedule => check.fail(
                    "schedule",
                    format!(
                        "differs from line {}, which has the same client, unit and opened_on",
                        cases[i].line
                    ),
                ),
                Some(&i) => cases[i].interventions.push(intervention),
                None => {
                    case_index.insert((client, unit, opened_on), cases.len());
                    cases.push(ImportCase {
                        line,
                        client,
                        unit,
                        opened_on,
                        schedule,
                        interventions: vec![intervention],
                    });
                }
            }
        },
    );
    errors.into_result(CaseFile {
        file: file.to_owned(),
        clients: interner.clients,
        units: interner.units,
        cases,
    })
}
