//! The columns of the two file formats, finding them in a header, reading rows, and the values
//! fields hold (dates, decimals).

use super::*;
use chrono::NaiveDate;

/// How often (in rows) the progress callback is called while parsing.
pub(super) const PROGRESS_EVERY: u64 = 8192;

/// A column of a file format.
pub(super) struct Column {
    pub(super) name: &'static str,
    pub(super) required: bool,
}

pub(super) const fn required(name: &'static str) -> Column {
    Column {
        name,
        required: true,
    }
}

pub(super) const fn optional(name: &'static str) -> Column {
    Column {
        name,
        required: false,
    }
}

pub(super) const CASE_COLUMNS: &[Column] = &[
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
pub(super) const SCORE: usize = 8;

pub(super) const MEASUREMENT_COLUMNS: &[Column] = &[
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
pub(super) const ITEM_PREFIX: &str = "item:";

/// Where each column of a file's format sits.
pub(super) struct Header {
    /// Position per column of the format (same order), when present.
    pub(super) positions: Vec<Option<usize>>,
    /// `(linkId, position)` of each answer column.
    pub(super) items: Vec<(String, usize)>,
    /// How many fields every row must have.
    pub(super) width: usize,
}

impl Header {
    /// Maps the header row to the format's columns; header problems are errors on line 1.
    pub(super) fn read(
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
    pub(super) fn get<'r>(&self, record: &'r csv::StringRecord, index: usize) -> &'r str {
        self.positions[index]
            .and_then(|p| record.get(p))
            .map_or("", str::trim)
    }
}

/// Reads a file's rows with the right separator, calling `each(line, record)` for every row
/// that has as many fields as the header, and reporting the others.
pub(super) fn read_rows(
    file: &str,
    text: &str,
    columns: &[Column],
    allow_items: bool,
    errors: &mut RowErrors,
    progress: &mut dyn FnMut(u64),
    mut each: impl FnMut(&Header, u64, &csv::StringRecord, &mut RowErrors),
) {
    if let Err(line) = LineMeter::default().feed(text.as_bytes()) {
        errors.push(line_too_long(file, line));
        return;
    }
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

pub(super) fn optional_date(check: &mut RowCheck<'_>, field: &str, raw: &str) -> Option<NaiveDate> {
    if raw.is_empty() {
        None
    } else {
        check.check(field, parse_date(raw))
    }
}

pub(super) fn not_in_future(date: NaiveDate, today: NaiveDate) -> Result<NaiveDate, String> {
    if date > today {
        Err(format!("{date} is in the future"))
    } else {
        Ok(date)
    }
}

/// A number as Swedish files write it: decimal comma, no trailing zeros.
pub(super) fn decimal_text(value: f64) -> String {
    let text = format!("{value:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    text.replace('.', ",")
}
