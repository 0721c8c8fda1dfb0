//! The one CSV writer: every CSV file Evident writes, in the web application and in the
//! `evident` command, comes out of [`CsvWriter`], so they all open the same way in Excel.
//!
//! The policy, in the convention a Swedish Excel reads without an import dialogue:
//! - a UTF-8 byte-order mark first, so Excel decodes Å, Ä and Ö as UTF-8;
//! - `;` between fields, because `,` is the decimal separator ([`decimal`] writes numbers so);
//! - CRLF after every row, as RFC 4180 says;
//! - a field is quoted only when it holds `;`, `"` or a line break, with `"` doubled;
//! - a field that a spreadsheet would run as a formula — one starting with `=`, `+`, `-`, `@`,
//!   a tab or a carriage return — gets a leading `'` (OWASP's advice on CSV injection), except
//!   a plain negative number such as `-3` or `-0,5`, which stays a number.

use super::{Cell, Sheet};
use std::io;

/// The byte-order mark that makes Excel read the file as UTF-8.
pub const BOM: &str = "\u{feff}";

/// Writes rows of text fields as CSV to `W` in the policy above; see the module docs.
pub struct CsvWriter<W: io::Write> {
    inner: ::csv::Writer<W>,
}

impl<W: io::Write> CsvWriter<W> {
    /// Starts a CSV file on `out` by writing the byte-order mark.
    ///
    /// # Errors
    /// When `out` cannot be written.
    pub fn new(mut out: W) -> io::Result<Self> {
        out.write_all(BOM.as_bytes())?;
        Ok(Self::continuing(out))
    }

    /// Continues on `out` a CSV file that a [`CsvWriter::new`] began (no byte-order mark), for
    /// a file written a part at a time.
    pub fn continuing(out: W) -> Self {
        let inner = ::csv::WriterBuilder::new()
            .delimiter(b';')
            .terminator(::csv::Terminator::CRLF)
            .quote_style(::csv::QuoteStyle::Necessary)
            // Rows of a downloaded table may differ in length (a heading row, a total row).
            .flexible(true)
            .from_writer(out);
        Self { inner }
    }

    /// Writes one row; each field is neutralised (see [`neutralise`]) and quoted as needed.
    ///
    /// # Errors
    /// When the underlying writer fails.
    pub fn row<I, S>(&mut self, fields: I) -> io::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        for field in fields {
            self.inner
                .write_field(neutralised(field.as_ref()).as_bytes())
                .map_err(into_io)?;
        }
        self.inner
            .write_record(std::iter::empty::<&[u8]>())
            .map_err(into_io)
    }

    /// Flushes what is buffered and gives back the output.
    ///
    /// # Errors
    /// When the final flush fails.
    pub fn finish(self) -> io::Result<W> {
        self.inner.into_inner().map_err(|e| e.into_error())
    }
}

/// A whole CSV file in memory, for a download.
pub fn to_string<R, I, S>(rows: R) -> String
where
    R: IntoIterator<Item = I>,
    I: IntoIterator<Item = S>,
    S: AsRef<str>,
{
    let mut writer = CsvWriter::new(Vec::new()).expect("writing to a Vec cannot fail");
    for row in rows {
        writer.row(row).expect("writing to a Vec cannot fail");
    }
    let bytes = writer.finish().expect("writing to a Vec cannot fail");
    String::from_utf8(bytes).expect("CSV of UTF-8 fields is UTF-8")
}

/// A table as a CSV file: text as it is, numbers rounded to six decimals with a decimal
/// comma, NaN, infinities and empty cells as empty fields.
pub fn sheet(sheet: &Sheet) -> String {
    to_string(sheet.rows.iter().map(|row| {
        row.iter().map(|cell| match cell {
            Cell::Text(text) => text.clone(),
            Cell::Number(n) if n.is_finite() => decimal((n * 1e6).round() / 1e6),
            Cell::Number(_) | Cell::Empty => String::new(),
        })
    }))
}

/// `number` with a decimal comma, as Swedish Excel reads it: `12.5` → `12,5`.
pub fn decimal(number: f64) -> String {
    number.to_string().replace('.', ",")
}

/// `field` as it is written: with a leading `'` when a spreadsheet would take it for a formula.
pub fn neutralise(field: &str) -> String {
    neutralised(field).into_owned()
}

/// [`neutralise`] without a copy when the field is written as it is (nearly always).
fn neutralised(field: &str) -> std::borrow::Cow<'_, str> {
    if field.starts_with(['=', '+', '-', '@', '\t', '\r']) && !is_negative_number(field) {
        std::borrow::Cow::Owned(format!("'{field}"))
    } else {
        std::borrow::Cow::Borrowed(field)
    }
}

/// Whether `field` is `-` then digits, with at most one decimal separator between digits.
fn is_negative_number(field: &str) -> bool {
    let Some(digits) = field.strip_prefix('-') else {
        return false;
    };
    let (whole, fraction) = match digits.split_once([',', '.']) {
        Some((whole, fraction)) => (whole, Some(fraction)),
        None => (digits, None),
    };
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && fraction.is_none_or(all_digits)
}

fn into_io(error: ::csv::Error) -> io::Error {
    match error.into_kind() {
        ::csv::ErrorKind::Io(e) => e,
        other => io::Error::other(format!("{other:?}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(field: &str) -> String {
        let file = to_string([[field]]);
        file.strip_prefix(BOM)
            .and_then(|f| f.strip_suffix("\r\n"))
            .expect("a BOM first and CRLF last")
            .to_owned()
    }

    #[test]
    fn fields_are_neutralised_quoted_and_kept_as_the_policy_says() {
        let cases = [
            // plain text and numbers pass through
            ("Göteborg", "Göteborg"),
            ("12,5", "12,5"),
            // a lone empty field is quoted, so readers do not skip the row as blank
            ("", "\"\""),
            ("3,6,12", "3,6,12"),
            // plain negative numbers stay numbers
            ("-3", "-3"),
            ("-0,5", "-0,5"),
            ("-12.25", "-12.25"),
            // formula prefixes get an apostrophe
            ("=1+1", "'=1+1"),
            ("+46701234567", "'+46701234567"),
            ("-2+3", "'-2+3"),
            ("-", "'-"),
            ("-1,", "'-1,"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "'\tx"),
            ("=HYPERLINK(\"x\")", "\"'=HYPERLINK(\"\"x\"\")\""),
            // only at the start
            ("a=b", "a=b"),
            // the separator, quotes and line breaks are quoted
            ("a;b", "\"a;b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("rad 1\nrad 2", "\"rad 1\nrad 2\""),
            ("rad 1\r\nrad 2", "\"rad 1\r\nrad 2\""),
            ("\rx", "\"'\rx\""),
        ];
        for (field, written) in cases {
            assert_eq!(one(field), written, "{field:?}");
        }
    }

    #[test]
    fn a_file_has_a_bom_semicolons_and_crlf_after_every_row() {
        let file = to_string([vec!["namn", "värde"], vec!["Åre", "-1,5"], vec!["kort rad"]]);
        assert_eq!(file, "\u{feff}namn;värde\r\nÅre;-1,5\r\nkort rad\r\n");
    }

    #[test]
    fn the_writer_streams_to_any_output() {
        let mut writer = CsvWriter::new(Vec::new()).unwrap();
        writer.row(["a", "b"]).unwrap();
        writer.row([String::from("c;d"), String::new()]).unwrap();
        let bytes = writer.finish().unwrap();
        assert_eq!(bytes, "\u{feff}a;b\r\n\"c;d\";\r\n".as_bytes());
    }

    #[test]
    fn a_sheet_writes_numbers_with_decimal_commas_and_defuses_formulas() {
        let sheet = Sheet {
            name: "x".into(),
            rows: vec![
                vec![Cell::Text("name".into()), Cell::Text("value".into())],
                vec![Cell::Text("=HYPERLINK(\"x\")".into()), Cell::Number(12.5)],
                vec![Cell::Text("a;b".into()), Cell::Empty],
                vec![Cell::Number(-1.0 / 3.0), Cell::Number(f64::NAN)],
            ],
        };
        assert_eq!(
            super::sheet(&sheet),
            "\u{feff}name;value\r\n\"'=HYPERLINK(\"\"x\"\")\";12,5\r\n\"a;b\";\r\n-0,333333;\r\n"
        );
    }

    #[test]
    fn decimals_use_a_comma() {
        assert_eq!(decimal(12.5), "12,5");
        assert_eq!(decimal(-0.25), "-0,25");
        assert_eq!(decimal(3.0), "3");
    }
}
