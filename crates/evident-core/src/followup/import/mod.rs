//! Importing cases and measurements from CSV files, in the format `docs/IMPORT.md` describes
//! and in the shapes Swedish municipalities' Excel exports actually have: `;` separators,
//! decimal commas, UTF-8 with or without a byte order mark, or Windows-1252.
//!
//! Everything here is pure: [`decode`] turns the file's bytes into text, [`sniff_separator`]
//! reads the separator off the header line, and [`parse_cases`] / [`parse_measurements`] check
//! every row and turn the file into typed rows — or collect every bad row as a [`RowError`]
//! (`file:line: field: problem`). Personal numbers are parsed, turned into pseudonyms with the
//! [`PseudonymKey`] passed in, and dropped at once: the typed rows hold only pseudonyms, and no
//! error message repeats a number. What needs the database (does the unit exist, does the
//! client have a case) is checked by the store, inside the import's transaction.

use crate::followup::instrument::{Answers, Instrument};
use crate::followup::{
    InterventionCatalogue, InterventionDates, LegalBasis, Respondent, TimePoint, parse_schedule,
};
use crate::person::{PersonalNumber, Pseudonym, PseudonymKey, RecordedSex};
use crate::{OrgCode, OrgLevel};
use chrono::NaiveDate;
use std::borrow::Cow;
use std::collections::HashMap;

/// At most this many bad rows are listed; the rest are counted ("… and N more").
pub const MAX_REPORTED_ERRORS: usize = 1000;

/// How often (in rows) the progress callback is called while parsing.
const PROGRESS_EVERY: u64 = 8192;

/// The text encoding a file turned out to be in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte order mark.
    Utf8,
    /// UTF-8 with a byte order mark (what Excel writes for "CSV UTF-8").
    Utf8Bom,
    /// UTF-16, little-endian, with its byte order mark (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16, big-endian, with its byte order mark.
    Utf16Be,
    /// Windows-1252, the fallback for bytes that are not valid UTF-8 (Excel's plain "CSV" on
    /// Swedish Windows).
    Windows1252,
}

impl TextEncoding {
    /// The encoding's usual name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 with BOM",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
            Self::Windows1252 => "Windows-1252",
        }
    }
}

/// Decodes a file: a byte order mark decides (UTF-8 or UTF-16, mark removed); without one, the
/// bytes are UTF-8 when they are valid UTF-8 and Windows-1252 otherwise. Valid UTF-8 without a
/// mark is borrowed, not copied.
pub fn decode(bytes: &[u8]) -> (Cow<'_, str>, TextEncoding) {
    if let Some((encoding, bom)) = encoding_rs::Encoding::for_bom(bytes) {
        let kind = if encoding == encoding_rs::UTF_8 {
            TextEncoding::Utf8Bom
        } else if encoding == encoding_rs::UTF_16LE {
            TextEncoding::Utf16Le
        } else {
            TextEncoding::Utf16Be
        };
        // Invalid sequences after a mark become U+FFFD; a damaged value then fails its own
        // validation and is reported with its line.
        let (text, _) = encoding.decode_without_bom_handling(&bytes[bom..]);
        return (text, kind);
    }
    match std::str::from_utf8(bytes) {
        Ok(text) => (Cow::Borrowed(text), TextEncoding::Utf8),
        Err(_) => {
            let (text, _) = encoding_rs::WINDOWS_1252.decode_without_bom_handling(bytes);
            (text, TextEncoding::Windows1252)
        }
    }
}

/// The field separator of a file, judged from its header line: whichever of `;`, `,` and tab
/// occurs most often outside quotes (`;` wins a tie, being what Swedish Excel writes; `,` when
/// there is none at all).
pub fn sniff_separator(text: &str) -> u8 {
    let header = text.split('\n').next().unwrap_or_default();
    let (mut semicolons, mut commas, mut tabs) = (0usize, 0usize, 0usize);
    let mut quoted = false;
    for c in header.chars() {
        match c {
            '"' => quoted = !quoted,
            ';' if !quoted => semicolons += 1,
            ',' if !quoted => commas += 1,
            '\t' if !quoted => tabs += 1,
            _ => {}
        }
    }
    if semicolons == 0 && commas == 0 && tabs == 0 {
        b','
    } else if semicolons >= commas && semicolons >= tabs {
        b';'
    } else if tabs >= commas {
        b'\t'
    } else {
        b','
    }
}

/// One bad row (or header): where it is, which field, and what is wrong, shown as
/// `file:line: field: problem`. It never contains a personal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// The file's name as the user gave it.
    pub file: String,
    /// The physical line in the file (the header is line 1).
    pub line: u64,
    /// The column (`personal_number`, `item:3`, …), or `columns` for the shape of the row.
    pub field: String,
    /// What is wrong, in plain words.
    pub problem: String,
}

impl std::fmt::Display for RowError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{}:{}: {}: {}",
            self.file, self.line, self.field, self.problem
        )
    }
}

/// Every bad row of an import: the first [`MAX_REPORTED_ERRORS`] listed, the rest counted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowErrors {
    listed: Vec<RowError>,
    total: usize,
}

impl RowErrors {
    /// Adds an error (listing it while fewer than [`MAX_REPORTED_ERRORS`] are listed).
    pub fn push(&mut self, error: RowError) {
        self.total += 1;
        if self.listed.len() < MAX_REPORTED_ERRORS {
            self.listed.push(error);
        }
    }

    /// Adds an error at `file:line` for `field`.
    pub fn add(
        &mut self,
        file: &str,
        line: u64,
        field: impl Into<String>,
        problem: impl Into<String>,
    ) {
        self.push(RowError {
            file: file.to_owned(),
            line,
            field: field.into(),
            problem: problem.into(),
        });
    }

    /// Adds all of `other`'s errors.
    pub fn extend(&mut self, other: RowErrors) {
        let unlisted = other.total - other.listed.len();
        for error in other.listed {
            self.push(error);
        }
        self.total += unlisted;
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.total == 0
    }

    /// How many errors there are in all, listed or not.
    pub fn total(&self) -> usize {
        self.total
    }

    /// The listed errors.
    pub fn listed(&self) -> &[RowError] {
        &self.listed
    }

    /// Puts the listed errors in file order (files in the order they first appear), then line
    /// order, keeping errors of one line in the order they were found.
    pub fn sort(&mut self) {
        let mut files: Vec<String> = Vec::new();
        for error in &self.listed {
            if !files.contains(&error.file) {
                files.push(error.file.clone());
            }
        }
        self.listed.sort_by_key(|e| {
            (
                files
                    .iter()
                    .position(|f| *f == e.file)
                    .unwrap_or(usize::MAX),
                e.line,
            )
        });
    }

    /// `Ok(value)` when there are no errors, otherwise the errors.
    ///
    /// # Errors
    /// When any error was added.
    pub fn into_result<T>(self, value: T) -> Result<T, RowErrors> {
        if self.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for RowErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for (i, error) in self.listed.iter().enumerate() {
            if i > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{error}")?;
        }
        let more = self.total - self.listed.len();
        if more > 0 {
            write!(f, "\n… and {more} more")?;
        }
        Ok(())
    }
}

impl std::error::Error for RowErrors {}

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

/// What an import checks rows against.
#[derive(Debug, Clone, Copy)]
pub struct ImportContext<'a> {
    /// Today, for the century of ten-digit personal numbers and to refuse future dates.
    pub today: NaiveDate,
    /// The key that turns personal numbers into pseudonyms.
    pub key: &'a PseudonymKey,
    /// The intervention types.
    pub catalogue: &'a InterventionCatalogue,
    /// The stored instruments (only measurements need them).
    pub instruments: &'a InstrumentLibrary,
}

/// A client named in a file: what is kept of a personal number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportClient {
    /// The pseudonym.
    pub pseudonym: Pseudonym,
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

/// A column of a file format.
struct Column {
    name: &'static str,
    required: bool,
}

const fn required(name: &'static str) -> Column {
    Column {
        name,
        required: true,
    }
}

const fn optional(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

const CASE_COLUMNS: &[Column] = &[
    required("personal_number"),
    required("unit"),
    required("opened_on"),
    required("schedule"),
    required("intervention_type"),
    required("legal_basis"),
    required("provider_unit"),
    optional("applied_on"),
    optional("decided_on"),
    optional("started_on"),
    optional("ended_on"),
    optional("end_reason"),
];

/// Where `score` sits in [`MEASUREMENT_COLUMNS`].
const SCORE: usize = 8;

const MEASUREMENT_COLUMNS: &[Column] = &[
    required("personal_number"),
    required("unit"),
    required("instrument"),
    optional("instrument_version"),
    required("time_point"),
    optional("month"),
    required("measured_on"),
    required("respondent"),
    optional("score"),
];

/// The prefix of answer columns: `item:<linkId>`.
const ITEM_PREFIX: &str = "item:";

/// Where each column of a file's format sits.
struct Header {
    /// Position per column of the format (same order), when present.
    positions: Vec<Option<usize>>,
    /// `(linkId, position)` of each answer column.
    items: Vec<(String, usize)>,
    /// How many fields every row must have.
    width: usize,
}

impl Header {
    /// Maps the header row to the format's columns; header problems are errors on line 1.
    fn read(
        file: &str,
        names: &csv::StringRecord,
        columns: &[Column],
        allow_items: bool,
        errors: &mut RowErrors,
    ) -> Self {
        let mut positions = vec![None; columns.len()];
        let mut items: Vec<(String, usize)> = Vec::new();
        for (position, raw) in names.iter().enumerate() {
            let name = raw.trim();
            if name.is_empty() {
                // Excel adds empty columns after the last one; they are ignored.
                continue;
            }
            let lower = name.to_lowercase();
            if allow_items && lower.starts_with(ITEM_PREFIX) {
                let link_id = name[ITEM_PREFIX.len()..].trim().to_owned();
                if link_id.is_empty() {
                    errors.add(
                        file,
                        1,
                        name,
                        "an answer column names its item: item:<linkId>",
                    );
                } else if items.iter().any(|(id, _)| *id == link_id) {
                    errors.add(file, 1, name, "the column appears twice");
                } else {
                    items.push((link_id, position));
                }
                continue;
            }
            match columns.iter().position(|c| c.name == lower) {
                Some(i) if positions[i].is_some() => {
                    errors.add(file, 1, lower, "the column appears twice");
                }
                Some(i) => positions[i] = Some(position),
                None => {
                    let known: Vec<&str> = columns.iter().map(|c| c.name).collect();
                    let items_hint = if allow_items { ", item:<linkId>" } else { "" };
                    errors.add(
                        file,
                        1,
                        name,
                        format!(
                            "unknown column (the columns are {}{items_hint})",
                            known.join(", ")
                        ),
                    );
                }
            }
        }
        for (column, position) in columns.iter().zip(&positions) {
            if column.required && position.is_none() {
                errors.add(
                    file,
                    1,
                    column.name,
                    "the column is missing from the header",
                );
            }
        }
        // A measurements file (the one format with answer columns) needs answers or totals.
        if allow_items && items.is_empty() && positions[SCORE].is_none() {
            errors.add(
                file,
                1,
                "score",
                "give the answers in item:<linkId> columns, or a score column",
            );
        }
        Self {
            positions,
            items,
            width: names.len(),
        }
    }

    /// The trimmed value of format column `index` in `record` (empty when the column is absent).
    fn get<'r>(&self, record: &'r csv::StringRecord, index: usize) -> &'r str {
        self.positions[index]
            .and_then(|p| record.get(p))
            .map_or("", str::trim)
    }
}

/// Reads a file's rows with the right separator, calling `each(line, record)` for every row
/// that has as many fields as the header, and reporting the others.
fn read_rows(
    file: &str,
    text: &str,
    columns: &[Column],
    allow_items: bool,
    errors: &mut RowErrors,
    progress: &mut dyn FnMut(u64),
    mut each: impl FnMut(&Header, u64, &csv::StringRecord, &mut RowErrors),
) {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(sniff_separator(text))
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut record = csv::StringRecord::new();
    // The text is valid UTF-8 and read from memory, so reading cannot fail; stop if it does.
    if !matches!(reader.read_record(&mut record), Ok(true)) {
        errors.add(
            file,
            1,
            "columns",
            "the file is empty: expected a header line",
        );
        return;
    }
    let header = Header::read(file, &record, columns, allow_items, errors);
    if !errors.is_empty() {
        return;
    }
    let mut rows = 0u64;
    while let Ok(true) = reader.read_record(&mut record) {
        let line = record.position().map_or(0, csv::Position::line);
        rows += 1;
        if rows.is_multiple_of(PROGRESS_EVERY) {
            progress(record.position().map_or(0, csv::Position::byte));
        }
        if record.iter().all(|f| f.trim().is_empty()) {
            continue;
        }
        if record.len() != header.width {
            errors.add(
                file,
                line,
                "columns",
                format!(
                    "expected {} fields, as in the header, found {}",
                    header.width,
                    record.len()
                ),
            );
            continue;
        }
        each(&header, line, &record, errors);
    }
    progress(text.len() as u64);
}

/// Collects one row's errors, so every bad field of a row is reported.
struct RowCheck<'a> {
    file: &'a str,
    line: u64,
    errors: &'a mut RowErrors,
    bad: bool,
}

impl RowCheck<'_> {
    fn fail(&mut self, field: impl Into<String>, problem: impl Into<String>) {
        self.bad = true;
        self.errors.add(self.file, self.line, field, problem);
    }

    /// `value` when it is present; otherwise records "required".
    fn required<'v>(&mut self, field: &str, value: &'v str) -> Option<&'v str> {
        if value.is_empty() {
            self.fail(field, "required, but empty");
            None
        } else {
            Some(value)
        }
    }

    fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|problem| self.fail(field, problem)).ok()
    }
}

/// Clients and units, each kept once, by index.
#[derive(Default)]
struct Interner {
    clients: Vec<ImportClient>,
    client_index: HashMap<Pseudonym, usize>,
    units: Vec<OrgCode>,
    unit_index: HashMap<OrgCode, usize>,
}

impl Interner {
    /// Parses a personal number, keeps only its pseudonym, and returns the client's index.
    /// The number is dropped before this returns; the error never repeats it.
    fn client(&mut self, raw: &str, ctx: &ImportContext<'_>) -> Result<usize, String> {
        let client = {
            let number = PersonalNumber::parse(raw, ctx.today).map_err(|e| e.problem)?;
            ImportClient {
                pseudonym: ctx.key.pseudonym(&number),
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

    fn unit(&mut self, field: &'static str, raw: &str) -> Result<usize, String> {
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

/// Parses a date written `YYYY-MM-DD` or `YYYYMMDD`.
///
/// # Errors
/// When it has another shape, or names a day that does not exist.
pub fn parse_date(raw: &str) -> Result<NaiveDate, String> {
    let raw = raw.trim();
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    let parts = match raw.len() {
        10 if raw.as_bytes()[4] == b'-' && raw.as_bytes()[7] == b'-' => {
            Some((&raw[..4], &raw[5..7], &raw[8..]))
        }
        8 => Some((&raw[..4], &raw[4..6], &raw[6..])),
        _ => None,
    }
    .filter(|(y, m, d)| digits(y) && digits(m) && digits(d));
    let Some((y, m, d)) = parts else {
        return Err(format!(
            "'{raw}' is not a date: write YYYY-MM-DD or YYYYMMDD"
        ));
    };
    let (y, m, d) = (
        y.parse::<i32>().unwrap_or_default(),
        m.parse::<u32>().unwrap_or_default(),
        d.parse::<u32>().unwrap_or_default(),
    );
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| format!("{y:04}-{m:02}-{d:02} does not exist"))
}

/// Parses a decimal number written with a decimal comma (`12,5`) or point (`12.5`).
///
/// # Errors
/// When it is anything else (thousands separators, exponents and `NaN` included).
pub fn parse_decimal(raw: &str) -> Result<f64, String> {
    let raw = raw.trim();
    let unsigned = raw
        .strip_prefix('-')
        .or_else(|| raw.strip_prefix('+'))
        .unwrap_or(raw);
    let (whole, fraction) = match unsigned.split_once([',', '.']) {
        Some((w, f)) => (w, Some(f)),
        None => (unsigned, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || fraction.is_some_and(|f| !digits(f)) {
        return Err(format!("'{raw}' is not a number (write e.g. 12 or 12,5)"));
    }
    raw.replace(',', ".")
        .parse::<f64>()
        .map_err(|_| format!("'{raw}' is not a number (write e.g. 12 or 12,5)"))
}

fn optional_date(check: &mut RowCheck<'_>, field: &str, raw: &str) -> Option<NaiveDate> {
    if raw.is_empty() {
        None
    } else {
        check.check(field, parse_date(raw))
    }
}

fn not_in_future(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, String> {
    if date > today {
        Err(format!("{date} is in the future"))
    } else {
        Ok(date)
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
            let mut check = RowCheck {
                file,
                line,
                errors,
                bad: false,
            };
            let client = check
                .required("personal_number", get(0))
                .and_then(|raw| check.check("personal_number", interner.client(raw, ctx)));
            let unit = check
                .required("unit", get(1))
                .and_then(|raw| check.check("unit", interner.unit("unit", raw)));
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
            let mut check = RowCheck {
                file,
                line,
                errors,
                bad: false,
            };
            let client = check
                .required("personal_number", get(0))
                .and_then(|raw| check.check("personal_number", interner.client(raw, ctx)));
            let unit = check
                .required("unit", get(1))
                .and_then(|raw| check.check("unit", interner.unit("unit", raw)));
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
fn score_row(
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

/// A number as Swedish files write it: decimal comma, no trailing zeros.
fn decimal_text(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::followup::instrument::{AnswerOption, Item, ScoringMethod};

    const FILE: &str = "in.csv";

    fn today() -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
    }

    fn key() -> PseudonymKey {
        PseudonymKey::parse("a test key that is long enough for hmac").unwrap()
    }

    /// A three-item instrument, options `0`–`3` scored 0–3, range 0–9, in versions 1 and 2
    /// (version 2 adds no item, only to have two).
    fn library() -> InstrumentLibrary {
        let options: Vec<AnswerOption> = (0..4)
            .map(|s| AnswerOption {
                code: s.to_string(),
                display: s.to_string(),
                score: f64::from(s),
            })
            .collect();
        let instrument = |version: &str| Instrument {
            id: "toy".into(),
            version: version.into(),
            title: "Toy".into(),
            items: (1..=3)
                .map(|i| Item {
                    link_id: i.to_string(),
                    text: format!("Q{i}"),
                    options: options.clone(),
                    reverse: false,
                })
                .collect(),
            method: ScoringMethod::Sum,
            range: (0.0, 9.0),
            higher_is_better: false,
            max_missing_fraction: 0.34,
            reliability: 0.8,
            normative_sd: 3.0,
            cutoff: Some(5.0),
            subscales: vec![],
            copyright: "test".into(),
        };
        InstrumentLibrary::new(vec![instrument("1"), instrument("2")])
    }

    fn cases(text: &str) -> Result<CaseFile, RowErrors> {
        let (key, catalogue, library) = (key(), InterventionCatalogue::embedded(), library());
        let ctx = ImportContext {
            today: today(),
            key: &key,
            catalogue: &catalogue,
            instruments: &library,
        };
        parse_cases(FILE, text, &ctx, &mut |_| {})
    }

    fn measurements(text: &str) -> Result<MeasurementFile, RowErrors> {
        let (key, catalogue, library) = (key(), InterventionCatalogue::embedded(), library());
        let ctx = ImportContext {
            today: today(),
            key: &key,
            catalogue: &catalogue,
            instruments: &library,
        };
        parse_measurements(FILE, text, &ctx, &mut |_| {})
    }

    /// The errors as lines of text.
    fn lines(errors: &RowErrors) -> Vec<String> {
        errors.listed().iter().map(ToString::to_string).collect()
    }

    /// Asserts that `text` fails with exactly one error, which starts with `expected`.
    #[track_caller]
    fn one_error(result: Result<impl std::fmt::Debug, RowErrors>, expected: &str) {
        let errors = result.expect_err("the file must be refused");
        let lines = lines(&errors);
        assert_eq!(lines.len(), 1, "{lines:#?}");
        assert!(
            lines[0].starts_with(expected),
            "expected {expected:?}, got {:?}",
            lines[0]
        );
    }

    const CASES_HEADER: &str = "personal_number;unit;opened_on;schedule;intervention_type;legal_basis;provider_unit;applied_on;decided_on;started_on;ended_on;end_reason";
    const MEASUREMENTS_HEADER: &str = "personal_number;unit;instrument;instrument_version;time_point;month;measured_on;respondent;item:1;item:2;item:3";

    fn case_file(rows: &[&str]) -> String {
        std::iter::once(CASES_HEADER)
            .chain(rows.iter().copied())
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn measurement_file(rows: &[&str]) -> String {
        std::iter::once(MEASUREMENTS_HEADER)
            .chain(rows.iter().copied())
            .collect::<Vec<_>>()
            .join("\n")
    }

    const GOOD_CASE: &str = "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0002;2026-01-02;2026-01-08;2026-01-10;;";
    const GOOD_MEASUREMENT: &str = "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;client;1;2;3";

    #[test]
    fn a_good_cases_file_groups_rows_into_cases() {
        let file = cases(&case_file(&[
            GOOD_CASE,
            // The same client in the 12-digit form: the same case, a second intervention.
            "19811218-9876;0180-0001;20260110;3,6,12;trygghetslarm;SoL;0180-0001;;;2026-01-12;2026-06-01;Avslutad enligt plan",
            "121212-1212;0180-0001;2026-02-01;\"3, 6\";hemtjanst;SoL;0180-0001;;;;;",
        ]))
        .unwrap();
        assert_eq!(file.clients.len(), 2);
        assert_eq!(file.cases.len(), 2);
        assert_eq!(file.rows(), 3);
        let first = &file.cases[0];
        assert_eq!((first.line, first.interventions.len()), (2, 2));
        assert_eq!(first.schedule, vec![3, 6, 12]);
        assert_eq!(file.units[first.unit].as_str(), "0180-0001");
        assert_eq!(
            file.units[first.interventions[0].provider].as_str(),
            "0180-0002"
        );
        let second = &first.interventions[1];
        assert_eq!(second.line, 3);
        assert_eq!(second.end_reason.as_deref(), Some("Avslutad enligt plan"));
        assert_eq!(second.dates.ended_on, NaiveDate::from_ymd_opt(2026, 6, 1));
        assert_eq!(file.cases[1].schedule, vec![3, 6]);
        assert_eq!(file.clients[0].birth_year, 1981);
        assert_eq!(file.clients[0].sex, RecordedSex::Male);
    }

    #[test]
    fn a_comma_separated_file_with_a_quoted_schedule_and_columns_in_any_order_reads() {
        let text = "Unit,Personal_Number,Schedule,Opened_On,Intervention_Type,Legal_Basis,Provider_Unit\r\n\
                    0180-0001,811218-9876,\"3,6,12\",2026-01-10,hemtjanst,SoL,0180-0001\r\n";
        let file = cases(text).unwrap();
        assert_eq!(file.cases[0].schedule, vec![3, 6, 12]);
        assert_eq!(file.cases[0].interventions[0].dates.applied_on, None);
    }

    #[test]
    fn every_kind_of_bad_cases_row_is_named_by_line_and_field() {
        let errors = cases(&case_file(&[
            GOOD_CASE,
            // 3: wrong column count
            "811218-9876;0180-0001;2026-01-10",
            // 4: missing required field
            ";0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
            // 5: bad personal number: check digit
            "811218-9875;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
            // 6: bad personal number: date
            "810230-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
            // 7: bad personal number: shape
            "81121-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
            // 8: not a unit code
            "811218-9876;0180;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
            // 9: unknown intervention type
            "811218-9876;0180-0001;2026-01-10;3,6,12;massage;SoL;0180-0001;;;;;",
            // 10: legal basis not allowed for the type
            "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;LSS;0180-0001;;;;;",
            // 11: unknown legal basis
            "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;BBIC;0180-0001;;;;;",
            // 12: dates out of order
            "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;2026-01-05;2026-01-02;;;",
            // 13: bad date
            "811218-9876;0180-0001;10/1/2026;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
            // 14: a date that does not exist
            "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;2026-02-30;;;",
            // 15: a bad schedule
            "811218-9876;0180-0001;2026-01-10;6,3;hemtjanst;SoL;0180-0001;;;;;",
            // 16: the same case with another schedule
            "811218-9876;0180-0001;2026-01-10;3,6;hemtjanst;SoL;0180-0001;;;;;",
            // 17: opened in the future
            "811218-9876;0180-0001;2027-01-10;3;hemtjanst;SoL;0180-0001;;;;;",
        ]))
        .unwrap_err();
        assert_eq!(
            lines(&errors),
            vec![
                "in.csv:3: columns: expected 12 fields, as in the header, found 3",
                "in.csv:4: personal_number: required, but empty",
                "in.csv:5: personal_number: the check digit (the last digit) is wrong: check the last four digits",
                "in.csv:6: personal_number: the date 1981-02-30 does not exist",
                "in.csv:7: personal_number: not a personal identity number: expected YYYYMMDD-XXXX, YYMMDD-XXXX or YYMMDD+XXXX (the dash may be left out)",
                "in.csv:8: unit: '0180' is a municipality code, not a unit code",
                "in.csv:9: intervention_type: 'massage' is not in the intervention catalogue",
                "in.csv:10: legal_basis: hemtjanst is not decided under LSS (allowed: SoL)",
                "in.csv:11: legal_basis: 'BBIC' is not one of SoL, LSS, LVU, LVM, HSL",
                "in.csv:12: decided_on: 2026-01-02 comes before applied_on (2026-01-05)",
                "in.csv:13: opened_on: '10/1/2026' is not a date: write YYYY-MM-DD or YYYYMMDD",
                "in.csv:14: decided_on: 2026-02-30 does not exist",
                "in.csv:15: schedule: the months must increase, e.g. 3, 6, 12",
                "in.csv:16: schedule: differs from line 2, which has the same client, unit and opened_on",
                "in.csv:17: opened_on: 2027-01-10 is in the future",
            ]
        );
        for line in lines(&errors) {
            assert!(
                !line.contains("9876") && !line.contains("811218") && !line.contains("9875"),
                "an error repeats a personal number: {line}"
            );
        }
    }

    #[test]
    fn a_row_with_several_bad_fields_reports_each() {
        let errors = cases(&case_file(&[
            "811218-9875;0180;2026-13-01;3;hemtjanst;SoL;;;;;;",
        ]))
        .unwrap_err();
        let fields: Vec<&str> = errors.listed().iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["personal_number", "unit", "opened_on", "provider_unit"]
        );
    }

    #[test]
    fn header_problems_are_reported_on_line_one_and_rows_are_not_read() {
        let errors = cases(
            "personal_number;unit;opened_on;intervention_type;legal_basis;provider_unit;colour;unit\n\
             x;y;z;a;b;c;d;e\n",
        )
        .unwrap_err();
        assert_eq!(
            lines(&errors),
            vec![
                "in.csv:1: colour: unknown column (the columns are personal_number, unit, opened_on, schedule, intervention_type, legal_basis, provider_unit, applied_on, decided_on, started_on, ended_on, end_reason)",
                "in.csv:1: unit: the column appears twice",
                "in.csv:1: schedule: the column is missing from the header",
            ]
        );
        one_error(cases(""), "in.csv:1: columns: the file is empty");
    }

    #[test]
    fn a_good_measurements_file_is_scored_with_the_stored_instrument() {
        let file = measurements(&measurement_file(&[
            GOOD_MEASUREMENT,
            // Newest version when none is named; one of three answers missing is prorated.
            "811218-9876;0180-0001;toy;;follow_up;3;20260410;client;2;;3",
            "121212-1212;0180-0001;toy;1;end;0;2026-06-01;staff;0;0;0",
        ]))
        .unwrap();
        assert_eq!(file.clients.len(), 2);
        assert_eq!(
            file.instruments,
            vec![("toy".into(), "1".into()), ("toy".into(), "2".into())]
        );
        let [first, second, third] = &file.measurements[..] else {
            panic!("three rows")
        };
        assert_eq!((first.line, first.score), (2, Some(6.0)));
        assert_eq!(first.answers.len(), 3);
        assert_eq!(
            (second.time_point, second.month, second.instrument),
            (TimePoint::FollowUp, Some(3), 1)
        );
        assert_eq!(second.score, Some(7.5), "(2 + 3) / 2 × 3");
        assert_eq!((third.month, third.respondent), (None, Respondent::Staff));
    }

    #[test]
    fn totals_with_decimal_commas_are_read_and_checked_against_the_range() {
        let text = "personal_number;unit;instrument;time_point;month;measured_on;respondent;score\n\
                    811218-9876;0180-0001;toy;baseline;;2026-01-10;client;7,5\n\
                    811218-9876;0180-0001;toy;follow_up;6;2026-07-10;client;4.25\n\
                    811218-9876;0180-0001;toy;follow_up;12;2026-10-10;client;9\n";
        let file = measurements(text).unwrap();
        let scores: Vec<_> = file.measurements.iter().map(|m| m.score).collect();
        assert_eq!(scores, vec![Some(7.5), Some(4.25), Some(9.0)]);
        assert!(file.measurements.iter().all(|m| m.answers.is_empty()));
    }

    #[test]
    fn every_kind_of_bad_measurement_row_is_named_by_line_and_field() {
        let errors = measurements(
            &(measurement_file(&[
                GOOD_MEASUREMENT,
                // 3: unknown instrument
                "811218-9876;0180-0001;phq-9;;baseline;;2026-01-10;client;1;2;3",
                // 4: unknown version
                "811218-9876;0180-0001;toy;7;baseline;;2026-01-10;client;1;2;3",
                // 5: answer code not an option of the item
                "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;client;1;9;3",
                // 6: bad time point
                "811218-9876;0180-0001;toy;1;after;;2026-01-10;client;1;2;3",
                // 7: bad respondent
                "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;neighbour;1;2;3",
                // 8: month missing for follow_up
                "811218-9876;0180-0001;toy;1;follow_up;;2026-04-10;client;1;2;3",
                // 9: a month on a baseline
                "811218-9876;0180-0001;toy;1;baseline;3;2026-01-10;client;1;2;3",
                // 10: bad date
                "811218-9876;0180-0001;toy;1;baseline;;2026-1-10;client;1;2;3",
                // 11: no answers at all
                "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;client;;;",
                // 12: bad personal number
                "811218-9875;0180-0001;toy;1;baseline;;2026-01-10;client;1;2;3",
            ])),
        )
        .unwrap_err();
        assert_eq!(
            lines(&errors),
            vec![
                "in.csv:3: instrument: 'phq-9' is not in the instrument library (stored: toy)",
                "in.csv:4: instrument_version: toy has no version '7' (stored: 1, 2)",
                "in.csv:5: item:2: '9' is not one of its options (0, 1, 2, 3)",
                "in.csv:6: time_point: 'after' is not one of baseline, follow_up, end",
                "in.csv:7: respondent: 'neighbour' is not one of client, staff, relative",
                "in.csv:8: month: required, but empty",
                "in.csv:9: month: only a follow_up has a month (leave it empty)",
                "in.csv:10: measured_on: '2026-1-10' is not a date: write YYYY-MM-DD or YYYYMMDD",
                "in.csv:11: score: no answers and no score: fill in the item:<linkId> columns or the score",
                "in.csv:12: personal_number: the check digit (the last digit) is wrong: check the last four digits",
            ]
        );
    }

    #[test]
    fn an_item_column_the_instrument_does_not_have_is_named() {
        let text = "personal_number;unit;instrument;time_point;measured_on;respondent;item:1;item:q9\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;1;2\n\
                    811218-9876;0180-0001;toy;end;2026-02-10;client;1;\n";
        one_error(
            measurements(text),
            "in.csv:2: item:q9: toy version 2 has no item q9",
        );
    }

    #[test]
    fn bad_scores_are_named() {
        let text = "personal_number;unit;instrument;time_point;measured_on;respondent;score;item:1;item:2;item:3\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;tolv;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;12,5;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;-1;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;1e3;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;5;1;1;1\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;3,0;1;1;1\n";
        let errors = measurements(text).unwrap_err();
        assert_eq!(
            lines(&errors),
            vec![
                "in.csv:2: score: 'tolv' is not a number (write e.g. 12 or 12,5)",
                "in.csv:3: score: 12,5 is outside toy's range, 0 to 9",
                "in.csv:4: score: -1 is outside toy's range, 0 to 9",
                "in.csv:5: score: '1e3' is not a number (write e.g. 12 or 12,5)",
                "in.csv:6: score: 5 does not match the score of the answers (3)",
            ]
        );
    }

    #[test]
    fn the_score_column_index_names_the_score() {
        assert_eq!(MEASUREMENT_COLUMNS[SCORE].name, "score");
    }

    #[test]
    fn a_measurements_file_needs_answer_columns_or_a_score_column() {
        let text = "personal_number;unit;instrument;time_point;measured_on;respondent\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client\n";
        one_error(
            measurements(text),
            "in.csv:1: score: give the answers in item:<linkId> columns, or a score column",
        );
    }

    #[test]
    fn a_windows_1252_file_with_swedish_letters_decodes() {
        // "Västerås;Hemtjänst" in Windows-1252: ä = E4, å = E5.
        let bytes = b"unit_name;what\nV\xe4ster\xe5s;Hemtj\xe4nst\n";
        let (text, encoding) = decode(bytes);
        assert_eq!(encoding, TextEncoding::Windows1252);
        assert_eq!(text, "unit_name;what\nVästerås;Hemtjänst\n");
        // The same text in UTF-8 is left as it is, borrowed.
        let utf8 = "unit_name;what\nVästerås;Hemtjänst\n";
        let (text, encoding) = decode(utf8.as_bytes());
        assert_eq!(encoding, TextEncoding::Utf8);
        assert!(matches!(text, Cow::Borrowed(_)));
        // A Windows-1252 cases file with an end reason in Swedish imports as it should.
        let mut file = CASES_HEADER.as_bytes().to_vec();
        file.extend_from_slice(
            b"\n811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;2026-03-01;Flyttat till V\xe4ster\xe5s\n",
        );
        let (text, _) = decode(&file);
        let parsed = cases(&text).unwrap();
        assert_eq!(
            parsed.cases[0].interventions[0].end_reason.as_deref(),
            Some("Flyttat till Västerås")
        );
    }

    #[test]
    fn byte_order_marks_are_honoured_and_removed() {
        let mut bytes = vec![0xEF, 0xBB, 0xBF];
        bytes.extend_from_slice(case_file(&[GOOD_CASE]).as_bytes());
        let (text, encoding) = decode(&bytes);
        assert_eq!(encoding, TextEncoding::Utf8Bom);
        assert!(text.starts_with("personal_number;"));
        assert_eq!(cases(&text).unwrap().cases.len(), 1);

        let utf16: Vec<u8> = [0xFF, 0xFE]
            .into_iter()
            .chain(
                "unit\tname\n0180-0001\tÅby"
                    .encode_utf16()
                    .flat_map(u16::to_le_bytes),
            )
            .collect();
        let (text, encoding) = decode(&utf16);
        assert_eq!(encoding, TextEncoding::Utf16Le);
        assert_eq!(text, "unit\tname\n0180-0001\tÅby");
    }

    #[test]
    fn the_separator_is_read_off_the_header() {
        assert_eq!(sniff_separator("a;b;c\n1,5;2;3"), b';');
        assert_eq!(sniff_separator("a,b,c\n\"1;2\",2,3"), b',');
        assert_eq!(sniff_separator("a\tb\tc"), b'\t');
        assert_eq!(sniff_separator("\"a;b\",c,d"), b',');
        assert_eq!(sniff_separator("a"), b',');
    }

    #[test]
    fn dates_and_decimals_have_the_documented_forms() {
        let d = NaiveDate::from_ymd_opt(2026, 3, 5);
        assert_eq!(parse_date("2026-03-05").ok(), d);
        assert_eq!(parse_date("20260305").ok(), d);
        assert_eq!(parse_date(" 2026-03-05 ").ok(), d);
        for bad in [
            "5/3/2026",
            "2026-3-5",
            "2026/03/05",
            "26-03-05",
            "",
            "2026-03-05T00:00",
        ] {
            assert!(
                parse_date(bad).unwrap_err().contains("is not a date"),
                "{bad}"
            );
        }
        assert_eq!(
            parse_date("20260229").unwrap_err(),
            "2026-02-29 does not exist"
        );
        assert_eq!(parse_decimal("12,5"), Ok(12.5));
        assert_eq!(parse_decimal("12.5"), Ok(12.5));
        assert_eq!(parse_decimal("-3"), Ok(-3.0));
        for bad in ["1 234,5", "1.234,5", "NaN", "inf", ",5", "5,", "1e3", ""] {
            assert!(parse_decimal(bad).is_err(), "{bad}");
        }
        assert_eq!(decimal_text(12.5), "12,5");
        assert_eq!(decimal_text(9.0), "9");
    }

    #[test]
    fn only_the_first_thousand_errors_are_listed_and_the_rest_counted() {
        let rows: Vec<String> = (0..1500)
            .map(|_| "811218-9876;0180-0001;2026-01-10;3;massage;SoL;0180-0001;;;;;".to_owned())
            .collect();
        let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
        let errors = cases(&case_file(&rows)).unwrap_err();
        assert_eq!(errors.total(), 1500);
        assert_eq!(errors.listed().len(), MAX_REPORTED_ERRORS);
        assert!(errors.to_string().ends_with("\n… and 500 more"));
    }

    #[test]
    fn empty_rows_and_trailing_empty_columns_are_ignored() {
        let text = format!("{CASES_HEADER};;\n{GOOD_CASE};;\n;;;;;;;;;;;;;;\n\n");
        assert_eq!(cases(&text).unwrap().rows(), 1);
    }

    #[test]
    fn progress_reaches_the_end_of_the_text() {
        let text = case_file(&[GOOD_CASE]);
        let (key, catalogue, library) = (key(), InterventionCatalogue::embedded(), library());
        let ctx = ImportContext {
            today: today(),
            key: &key,
            catalogue: &catalogue,
            instruments: &library,
        };
        let mut last = 0;
        parse_cases(FILE, &text, &ctx, &mut |b| last = b).unwrap();
        assert_eq!(last, text.len() as u64);
    }
}
