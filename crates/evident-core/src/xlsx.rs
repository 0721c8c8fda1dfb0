//! A minimal Office Open XML (`.xlsx`) writer, so users can download any table as an Excel file.
//!
//! Spreadsheet crates pull in a deflate implementation, a ZIP reader and writer and a large
//! formatting model; we need none of that to hand a table to Excel. A workbook is a ZIP of a few
//! small XML parts, so this module writes those parts itself and stores them uncompressed. Output is
//! byte-for-byte deterministic for the same input (fixed timestamps, fixed part order).
//!
//! What it writes: one sheet per [`Sheet`], inline strings, numbers, a bold frozen header row and
//! column widths fitted roughly to the content. No formulas, dates, shared strings or ZIP64.

use std::fmt::Write as _;

/// One cell of a sheet.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text, written as an inline string. Characters that XML 1.0 cannot carry are dropped,
    /// text beyond Excel's 32,767-character cell limit is cut off, and text left empty is
    /// written as an empty cell.
    Text(String),
    /// A number. NaN and infinities have no spreadsheet form and are written as empty cells.
    Number(f64),
    /// No value.
    Empty,
}

/// A sheet: a name and rows of cells; the first row is the header and is shown bold and frozen.
///
/// The name is sanitised when written: characters Excel forbids (`[]:*?/\`) become `_`, it is cut
/// to 31 characters, and a name that is empty or already taken gets a number.
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The tab name shown in Excel.
    pub name: String,
    /// Rows of cells, header first. Rows may differ in length.
    pub rows: Vec<Vec<Cell>>,
}

/// Writes a workbook with the given sheets and returns the bytes of the `.xlsx` file.
///
/// Excel needs at least one sheet, so an empty `sheets` gives one empty sheet named `Sheet1`.
/// Excel opens at most 1,048,576 rows and 16,384 columns per sheet; stay inside those.
///
/// # Panics
/// When a part reaches 4 GiB or there are 65,535 parts, which would need ZIP64.
pub fn workbook(sheets: &[Sheet]) -> Vec<u8> {
    let placeholder = [Sheet {
        name: "Sheet1".to_owned(),
        rows: Vec::new(),
    }];
    let sheets = if sheets.is_empty() {
        &placeholder[..]
    } else {
        sheets
    };
    let names = sheet_names(sheets);

    let mut zip = ZipWriter::default();
    zip.add(
        "[Content_Types].xml",
        content_types(sheets.len()).as_bytes(),
    );
    zip.add("_rels/.rels", ROOT_RELS.as_bytes());
    zip.add("xl/workbook.xml", workbook_xml(&names).as_bytes());
    zip.add(
        "xl/_rels/workbook.xml.rels",
        workbook_rels(sheets.len()).as_bytes(),
    );
    zip.add("xl/styles.xml", STYLES.as_bytes());
    for (i, sheet) in sheets.iter().enumerate() {
        zip.add(
            &format!("xl/worksheets/sheet{}.xml", i + 1),
            worksheet_xml(&sheet.rows).as_bytes(),
        );
    }
    zip.finish()
}

// ---------------------------------------------------------------------------------------------
// Package parts

const XML_DECLARATION: &str = r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#;
const MAIN_NS: &str = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
const REL_NS: &str = "http://schemas.openxmlformats.org/officeDocument/2006/relationships";
const PACKAGE_REL_NS: &str = "http://schemas.openxmlformats.org/package/2006/relationships";

/// Index of the bold cell format in [`STYLES`]' `cellXfs`.
const HEADER_STYLE: u32 = 1;

const ROOT_RELS: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#,
    r#"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#,
    "</Relationships>",
);

// Excel rejects a stylesheet without the two built-in fills (none, gray125) and a Normal style.
const STYLES: &str = concat!(
    r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#,
    r#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
    r#"<fonts count="2">"#,
    r#"<font><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#,
    r#"<font><b/><sz val="11"/><name val="Calibri"/><family val="2"/></font>"#,
    "</fonts>",
    r#"<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>"#,
    r#"<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>"#,
    r#"<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>"#,
    r#"<cellXfs count="2">"#,
    r#"<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>"#,
    r#"<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>"#,
    "</cellXfs>",
    r#"<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>"#,
    "</styleSheet>",
);

fn content_types(sheet_count: usize) -> String {
    let mut xml = String::from(XML_DECLARATION);
    xml.push_str(concat!(
        r#"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#,
        r#"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#,
        r#"<Default Extension="xml" ContentType="application/xml"/>"#,
        r#"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#,
        r#"<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>"#,
    ));
    for n in 1..=sheet_count {
        push_fmt(
            &mut xml,
            format_args!(
                r#"<Override PartName="/xl/worksheets/sheet{n}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
            ),
        );
    }
    xml.push_str("</Types>");
    xml
}

fn workbook_xml(names: &[String]) -> String {
    let mut xml = String::from(XML_DECLARATION);
    push_fmt(
        &mut xml,
        format_args!(r#"<workbook xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">"#),
    );
    xml.push_str("<bookViews><workbookView/></bookViews><sheets>");
    for (i, name) in names.iter().enumerate() {
        let n = i + 1;
        push_fmt(
            &mut xml,
            format_args!(
                r#"<sheet name="{}" sheetId="{n}" r:id="rId{n}"/>"#,
                escape(name)
            ),
        );
    }
    xml.push_str("</sheets></workbook>");
    xml
}

fn workbook_rels(sheet_count: usize) -> String {
    let mut xml = String::from(XML_DECLARATION);
    push_fmt(
        &mut xml,
        format_args!(r#"<Relationships xmlns="{PACKAGE_REL_NS}">"#),
    );
    for n in 1..=sheet_count {
        push_fmt(
            &mut xml,
            format_args!(
                r#"<Relationship Id="rId{n}" Type="{REL_NS}/worksheet" Target="worksheets/sheet{n}.xml"/>"#
            ),
        );
    }
    let n = sheet_count + 1;
    push_fmt(
        &mut xml,
        format_args!(r#"<Relationship Id="rId{n}" Type="{REL_NS}/styles" Target="styles.xml"/>"#),
    );
    xml.push_str("</Relationships>");
    xml
}

fn worksheet_xml(rows: &[Vec<Cell>]) -> String {
    // Render every value once; the strings serve both the cells and the column widths.
    let rendered: Vec<Vec<Option<Value>>> = rows
        .iter()
        .map(|row| row.iter().map(Value::of).collect())
        .collect();
    let column_count = rendered.iter().map(Vec::len).max().unwrap_or(0);

    let mut xml = String::from(XML_DECLARATION);
    push_fmt(
        &mut xml,
        format_args!(r#"<worksheet xmlns="{MAIN_NS}" xmlns:r="{REL_NS}">"#),
    );
    // CT_Worksheet is a sequence: dimension, sheetViews, cols, sheetData must come in this order.
    if column_count > 0 {
        let last = format!("{}{}", column_letters(column_count - 1), rendered.len());
        push_fmt(&mut xml, format_args!(r#"<dimension ref="A1:{last}"/>"#));
    } else {
        xml.push_str(r#"<dimension ref="A1"/>"#);
    }
    xml.push_str(concat!(
        r#"<sheetViews><sheetView workbookViewId="0">"#,
        r#"<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>"#,
        "</sheetView></sheetViews>",
    ));
    if column_count > 0 {
        xml.push_str("<cols>");
        for column in 0..column_count {
            let longest = rendered
                .iter()
                .filter_map(|row| row.get(column).and_then(Option::as_ref))
                .map(Value::display_width)
                .max()
                .unwrap_or(0);
            // Character counts, plus room for the bold header and cell padding, within limits
            // that keep one long comment from pushing the rest of the table off screen.
            let width = (longest + 2).clamp(8, 60);
            let n = column + 1;
            push_fmt(
                &mut xml,
                format_args!(r#"<col min="{n}" max="{n}" width="{width}" customWidth="1"/>"#),
            );
        }
        xml.push_str("</cols>");
    }
    xml.push_str("<sheetData>");
    for (r, row) in rendered.iter().enumerate() {
        let row_number = r + 1;
        let style = if r == 0 {
            format!(r#" s="{HEADER_STYLE}""#)
        } else {
            String::new()
        };
        push_fmt(&mut xml, format_args!(r#"<row r="{row_number}">"#));
        for (c, value) in row.iter().enumerate() {
            let reference = format!("{}{row_number}", column_letters(c));
            match value {
                Some(Value::Text(text)) => push_fmt(
                    &mut xml,
                    format_args!(
                        r#"<c r="{reference}"{style} t="inlineStr"><is><t xml:space="preserve">{}</t></is></c>"#,
                        escape(text)
                    ),
                ),
                Some(Value::Number(number)) => push_fmt(
                    &mut xml,
                    format_args!(r#"<c r="{reference}"{style}><v>{number}</v></c>"#),
                ),
                // Written anyway so a header keeps its style and rows keep their length.
                None => push_fmt(&mut xml, format_args!(r#"<c r="{reference}"{style}/>"#)),
            }
        }
        xml.push_str("</row>");
    }
    xml.push_str("</sheetData></worksheet>");
    xml
}

/// A cell's value as it goes into the XML, before escaping; `None` is an empty cell.
enum Value {
    Text(String),
    /// The formatted number.
    Number(String),
}

impl Value {
    fn of(cell: &Cell) -> Option<Self> {
        match cell {
            Cell::Text(text) => {
                let text = cell_text(text);
                (!text.is_empty()).then_some(Self::Text(text))
            }
            Cell::Number(number) => number
                .is_finite()
                .then(|| Self::Number(format_number(*number))),
            Cell::Empty => None,
        }
    }

    /// Roughly how many characters wide the value shows: its longest line.
    fn display_width(&self) -> usize {
        match self {
            Self::Text(text) => text
                .lines()
                .map(|line| line.chars().count())
                .max()
                .unwrap_or(0),
            Self::Number(number) => number.len(),
        }
    }
}

/// Shortest text that parses back to exactly `number`, in the `xsd:double` form Excel reads.
fn format_number(number: f64) -> String {
    // `Display` never uses an exponent, so 1e-300 would be 300 digits; switch to one for very
    // small and very large magnitudes. Both forms print the shortest round-trip digits.
    let magnitude = number.abs();
    if number == 0.0 || (1e-4..1e16).contains(&magnitude) {
        format!("{number}")
    } else {
        format!("{number:E}")
    }
}

/// Excel's limit on the characters in one cell, counted in UTF-16 units.
const MAX_CELL_CHARS: usize = 32_767;

/// `text` without characters XML 1.0 forbids, cut to Excel's cell limit.
fn cell_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut units = 0;
    for ch in text.chars().filter(|&ch| is_xml_char(ch)) {
        units += ch.len_utf16();
        if units > MAX_CELL_CHARS {
            break;
        }
        out.push(ch);
    }
    out
}

/// Whether XML 1.0 allows `ch` in a document (`Char` production; surrogates cannot occur in `str`).
fn is_xml_char(ch: char) -> bool {
    matches!(ch, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// `text` escaped for XML content and attribute values; illegal characters are dropped.
///
/// Two cases beyond the five entities: a carriage return is written as a character reference,
/// because XML parsers turn a literal one into a line feed; and an underscore that starts
/// `_xHHHH_` is written as `_x005F_`, because Excel reads `_xHHHH_` as an escaped character
/// (ECMA-376 `ST_Xstring`) and would otherwise change the text.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for (i, ch) in text.char_indices() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            '_' if starts_excel_escape(&text[i..]) => out.push_str("_x005F_"),
            ch if is_xml_char(ch) => out.push(ch),
            _ => {}
        }
    }
    out
}

/// Whether `text` begins with `_xHHHH_` (four hex digits).
fn starts_excel_escape(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() >= 7
        && bytes.starts_with(b"_x")
        && bytes[2..6].iter().all(u8::is_ascii_hexdigit)
        && bytes[6] == b'_'
}

/// The column letters for a zero-based column index: 0 → A, 25 → Z, 26 → AA, 702 → AAA.
fn column_letters(index: usize) -> String {
    // Bijective base 26: there is no zero digit, so step down by one before each division.
    let mut letters = Vec::new();
    let mut n = index + 1;
    while n > 0 {
        n -= 1;
        letters.push(b'A' + (n % 26) as u8);
        n /= 26;
    }
    letters.reverse();
    String::from_utf8(letters).expect("column letters are ASCII")
}

/// Longest sheet name Excel accepts, counted in UTF-16 units.
const MAX_SHEET_NAME: usize = 31;

/// Names Excel will accept for `sheets`: sanitised, non-empty and unique ignoring case.
fn sheet_names(sheets: &[Sheet]) -> Vec<String> {
    let mut names: Vec<String> = Vec::with_capacity(sheets.len());
    for (i, sheet) in sheets.iter().enumerate() {
        let mut base = sanitise_sheet_name(&sheet.name);
        if base.is_empty() {
            base = format!("Sheet{}", i + 1);
        }
        let taken = |candidate: &str| {
            names
                .iter()
                .any(|name| name.to_lowercase() == candidate.to_lowercase())
        };
        let mut name = base.clone();
        let mut counter = 2;
        while taken(&name) {
            let suffix = format!(" ({counter})");
            name = truncate_utf16(&base, MAX_SHEET_NAME - suffix.len()) + &suffix;
            counter += 1;
        }
        names.push(name);
    }
    names
}

/// `name` with Excel's forbidden characters replaced, cut to 31 characters.
fn sanitise_sheet_name(name: &str) -> String {
    let replaced: String = name
        .chars()
        .filter(|&ch| is_xml_char(ch) && !ch.is_control())
        .map(|ch| {
            if matches!(ch, '[' | ']' | ':' | '*' | '?' | '/' | '\\') {
                '_'
            } else {
                ch
            }
        })
        .collect();
    // Excel also rejects a leading or trailing apostrophe, and "History", which it reserves.
    let trimmed = truncate_utf16(replaced.trim(), MAX_SHEET_NAME);
    let trimmed = trimmed.trim_matches('\'').trim();
    if trimmed.eq_ignore_ascii_case("history") {
        format!("{trimmed}_")
    } else {
        trimmed.to_owned()
    }
}

/// The longest prefix of `text` that fits in `max` UTF-16 units.
fn truncate_utf16(text: &str, max: usize) -> String {
    let mut units = 0;
    text.chars()
        .take_while(|ch| {
            units += ch.len_utf16();
            units <= max
        })
        .collect()
}

/// Appends formatted text to `xml`.
fn push_fmt(xml: &mut String, args: std::fmt::Arguments<'_>) {
    xml.write_fmt(args)
        .expect("writing to a String cannot fail");
}

// ---------------------------------------------------------------------------------------------
// ZIP container (APPNOTE.TXT 6.3): stored entries, no ZIP64, no data descriptors.

/// ZIP version needed to extract: 2.0, the baseline every reader supports.
const ZIP_VERSION: u16 = 20;
/// MS-DOS date for 1980-01-01, the earliest ZIP can express: (year − 1980) << 9 | month << 5 | day.
const DOS_DATE: u16 = (1 << 5) | 1;
/// MS-DOS time 00:00:00.
const DOS_TIME: u16 = 0;

#[derive(Default)]
struct ZipWriter {
    out: Vec<u8>,
    central_directory: Vec<u8>,
    entries: u16,
}

impl ZipWriter {
    /// Appends one stored (uncompressed) file.
    fn add(&mut self, name: &str, data: &[u8]) {
        let offset = u32::try_from(self.out.len())
            .expect("xlsx files stay under 4 GiB; ZIP64 is not written");
        let size =
            u32::try_from(data.len()).expect("xlsx parts stay under 4 GiB; ZIP64 is not written");
        let name_len = u16::try_from(name.len()).expect("part names are short");
        let crc = crc32(data);

        let local = &mut self.out;
        put_u32(local, 0x0403_4b50);
        put_u16(local, ZIP_VERSION);
        common_fields(local, crc, size, name_len);
        put_u16(local, 0); // extra field length
        local.extend_from_slice(name.as_bytes());
        local.extend_from_slice(data);

        let central = &mut self.central_directory;
        put_u32(central, 0x0201_4b50);
        put_u16(central, ZIP_VERSION); // version made by: 2.0, MS-DOS attributes
        put_u16(central, ZIP_VERSION);
        common_fields(central, crc, size, name_len);
        put_u16(central, 0); // extra field length
        put_u16(central, 0); // file comment length
        put_u16(central, 0); // disk number start
        put_u16(central, 0); // internal attributes
        put_u32(central, 0); // external attributes
        put_u32(central, offset);
        central.extend_from_slice(name.as_bytes());

        self.entries = self
            .entries
            .checked_add(1)
            .expect("fewer than 65,535 parts; ZIP64 is not written");
    }

    /// Appends the central directory and its end record; returns the archive.
    fn finish(mut self) -> Vec<u8> {
        let offset = u32::try_from(self.out.len())
            .expect("xlsx files stay under 4 GiB; ZIP64 is not written");
        let size =
            u32::try_from(self.central_directory.len()).expect("the central directory is small");
        self.out.append(&mut self.central_directory);
        let out = &mut self.out;
        put_u32(out, 0x0605_4b50);
        put_u16(out, 0); // this disk
        put_u16(out, 0); // disk with the central directory
        put_u16(out, self.entries); // entries on this disk
        put_u16(out, self.entries); // entries in total
        put_u32(out, size);
        put_u32(out, offset);
        put_u16(out, 0); // comment length
        self.out
    }
}

/// Fields shared by local and central headers, from general-purpose flags to the name length.
fn common_fields(out: &mut Vec<u8>, crc: u32, size: u32, name_len: u16) {
    put_u16(out, 0); // flags: names are ASCII, sizes are known up front
    put_u16(out, 0); // method: stored
    put_u16(out, DOS_TIME);
    put_u16(out, DOS_DATE);
    put_u32(out, crc);
    put_u32(out, size); // compressed size
    put_u32(out, size); // uncompressed size
    put_u16(out, name_len);
}

fn put_u16(out: &mut Vec<u8>, value: u16) {
    out.extend_from_slice(&value.to_le_bytes());
}

fn put_u32(out: &mut Vec<u8>, value: u32) {
    out.extend_from_slice(&value.to_le_bytes());
}

/// CRC-32 lookup table for the reflected IEEE 802.3 polynomial, built at compile time.
const CRC_TABLE: [u32; 256] = crc_table();

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut crc = i as u32;
        let mut bit = 0;
        while bit < 8 {
            crc = if crc & 1 == 1 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
            bit += 1;
        }
        table[i] = crc;
        i += 1;
    }
    table
}

/// The CRC-32 (IEEE 802.3) of `data`, as ZIP records it.
fn crc32(data: &[u8]) -> u32 {
    !data.iter().fold(!0u32, |crc, &byte| {
        CRC_TABLE[((crc ^ u32::from(byte)) & 0xFF) as usize] ^ (crc >> 8)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value as Json, json};

    #[test]
    fn crc32_matches_the_standard_check_value() {
        assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn column_letters_count_in_bijective_base_26() {
        for (index, letters) in [
            (0, "A"),
            (25, "Z"),
            (26, "AA"),
            (27, "AB"),
            (701, "ZZ"),
            (702, "AAA"),
            (16_383, "XFD"),
        ] {
            assert_eq!(column_letters(index), letters, "column {index}");
        }
    }

    #[test]
    fn numbers_use_the_shortest_round_trip_form() {
        for (number, text) in [
            (0.1, "0.1"),
            (-3.0, "-3"),
            (0.0, "0"),
            (1e-7, "1E-7"),
            (1e300, "1E300"),
            (12.5, "12.5"),
        ] {
            assert_eq!(format_number(number), text);
            assert_eq!(text.parse::<f64>(), Ok(number));
        }
    }

    #[test]
    fn escaping_covers_entities_illegal_characters_and_excel_escapes() {
        assert_eq!(
            escape(r#"<b>&"x"'y'"#),
            "&lt;b&gt;&amp;&quot;x&quot;&apos;y&apos;"
        );
        assert_eq!(
            escape("a\u{0}b\u{1F}c\u{FFFE}d\te\nf\rg"),
            "abcd\te\nf&#13;g"
        );
        assert_eq!(
            escape("_x0041_ and _x41_ and snake_case"),
            "_x005F_x0041_ and _x41_ and snake_case"
        );
    }

    #[test]
    fn sheet_names_are_sanitised_truncated_and_unique() {
        let sheet = |name: &str| Sheet {
            name: name.to_owned(),
            rows: Vec::new(),
        };
        let names = sheet_names(&[
            sheet("Kommuner: Göteborg/Mölndal [2024]"),
            sheet(""),
            sheet("data"),
            sheet("Data"),
            sheet("'quoted'"),
            sheet("History"),
            sheet("An exceedingly long sheet name!!"),
            sheet("An exceedingly long sheet name!?"),
        ]);
        assert_eq!(
            names,
            [
                "Kommuner_ Göteborg_Mölndal _202",
                "Sheet2",
                "data",
                "Data (2)",
                "quoted",
                "History_",
                "An exceedingly long sheet name!",
                "An exceedingly long sheet n (2)",
            ]
        );
    }

    #[test]
    fn output_is_deterministic() {
        let sheets = [Sheet {
            name: "A".to_owned(),
            rows: vec![vec![Cell::Number(1.0)]],
        }];
        assert_eq!(workbook(&sheets), workbook(&sheets));
    }

    /// Opens the workbook with Python's standard library, checks the package and prints one
    /// JSON line per sheet name and per row; text as ["s", text], numbers as ["n", repr], empty
    /// cells as null. Excel's `_xHHHH_` escapes are decoded the way Excel reads them.
    const READ_BACK: &str = r#"
import json, posixpath, re, struct, sys, zipfile
import xml.etree.ElementTree as ET

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
P = "{http://schemas.openxmlformats.org/package/2006/relationships}"
CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"

z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None, "a part fails its CRC"
for info in z.infolist():
    assert info.compress_type == zipfile.ZIP_STORED, info.filename
    assert info.date_time == (1980, 1, 1, 0, 0, 0), info.filename
    # zipfile trusts the central directory; check each local header agrees with it.
    with open(sys.argv[1], "rb") as f:
        f.seek(info.header_offset)
        local = struct.unpack("<IHHHHHIIIHH", f.read(30))
    assert local[0] == 0x04034B50 and local[1] == 20 and local[3] == 0, info.filename
    assert local[6:9] == (info.CRC, info.compress_size, info.file_size), info.filename
parts = {name: ET.fromstring(z.read(name)) for name in z.namelist()}

types = parts["[Content_Types].xml"]
defaults = {d.get("Extension") for d in types.iter(CT + "Default")}
overrides = {o.get("PartName") for o in types.iter(CT + "Override")}
for name in z.namelist():
    assert "/" + name in overrides or name.rsplit(".", 1)[-1] in defaults, name

office = [r.get("Target") for r in parts["_rels/.rels"].iter(P + "Relationship")
          if r.get("Type").endswith("/officeDocument")]
assert office == ["xl/workbook.xml"], office
rels = {r.get("Id"): r.get("Target") for r in parts["xl/_rels/workbook.xml.rels"].iter(P + "Relationship")}
styles = parts["xl/styles.xml"]
fonts = list(styles.find(M + "fonts"))
xfs = list(styles.find(M + "cellXfs"))

def bold(cell):
    xf = xfs[int(cell.get("s", "0"))]
    return fonts[int(xf.get("fontId"))].find(M + "b") is not None

def letters(index):
    out = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        out = chr(65 + rest) + out
    return out

def unescape(text):
    return re.sub("_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text)

for sheet in parts["xl/workbook.xml"].iter(M + "sheet"):
    print(json.dumps(["sheet", sheet.get("name")], ensure_ascii=False))
    ws = parts[posixpath.join("xl", rels[sheet.get(R + "id")])]
    pane = ws.find(f"{M}sheetViews/{M}sheetView/{M}pane")
    assert pane.get("state") == "frozen" and pane.get("ySplit") == "1", "header is not frozen"
    for r, row in enumerate(ws.find(M + "sheetData")):
        assert row.get("r") == str(r + 1), row.get("r")
        values = []
        for c, cell in enumerate(row):
            assert cell.get("r") == letters(c) + str(r + 1), cell.get("r")
            assert bold(cell) == (r == 0), cell.get("r")
            v = cell.find(M + "v")
            if cell.get("t") == "inlineStr":
                values.append(["s", unescape("".join(t.text or "" for t in cell.iter(M + "t")))])
            elif cell.get("t") in (None, "n") and v is not None:
                values.append(["n", repr(float(v.text))])
            else:
                assert cell.get("t") is None and len(cell) == 0, cell.get("r")
                values.append(None)
        print(json.dumps(values, ensure_ascii=False))
"#;

    /// Deletes the file when dropped, so a failing assertion leaves no litter.
    struct TempFile(std::path::PathBuf);

    impl Drop for TempFile {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }

    #[test]
    fn python_reads_back_exactly_what_was_written() {
        // arrange
        let text = |s: &str| Cell::Text(s.to_owned());
        let wide_row: Vec<Cell> = (0..28).map(|i| Cell::Number(f64::from(i))).collect();
        let sheets = [
            Sheet {
                name: "Kommuner".to_owned(),
                rows: vec![
                    vec![text("Ort"), text("Andel"), Cell::Empty, text("Antal")],
                    vec![
                        text("Göteborg"),
                        Cell::Number(0.1),
                        Cell::Empty,
                        Cell::Number(-3.0),
                    ],
                    vec![
                        text("<b>&"),
                        Cell::Number(1e-7),
                        text("\"citat\" 'enkla'"),
                        Cell::Number(f64::NAN),
                    ],
                    vec![
                        text("rad 1\nrad 2\tflik\r\nslut"),
                        text("a\u{1}b"),
                        text("_x0041_"),
                        text(""),
                    ],
                ],
            },
            Sheet {
                name: "Mölndal/Härryda [2024]".to_owned(),
                rows: vec![
                    vec![text("Bred")],
                    wide_row.clone(),
                    vec![],
                    vec![Cell::Number(f64::INFINITY), text("Å")],
                ],
            },
        ];
        let path = std::env::temp_dir().join(format!(
            "evident-xlsx-{}-{}.xlsx",
            std::process::id(),
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos())
        ));
        let file = TempFile(path);
        std::fs::write(&file.0, workbook(&sheets)).expect("writing the workbook to a temp file");

        // act
        let output = std::process::Command::new("python3")
            .arg("-c")
            .arg(READ_BACK)
            .arg(&file.0)
            .output()
            .unwrap_or_else(|e| {
                panic!("python3 is needed for the xlsx read-back test and could not be run: {e}")
            });
        assert!(
            output.status.success(),
            "python3 rejected the workbook:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let stdout = String::from_utf8(output.stdout).expect("python prints UTF-8");

        // assert: numbers come back as Python reprs; parse them so the comparison is on the value.
        let actual: Vec<Json> = stdout
            .lines()
            .map(|line| {
                let mut value: Json = serde_json::from_str(line).expect("python prints JSON lines");
                for cell in value.as_array_mut().into_iter().flatten() {
                    if cell[0] == "n" {
                        let number: f64 = cell[1]
                            .as_str()
                            .and_then(|s| s.parse().ok())
                            .expect("a float repr");
                        cell[1] = json!(number);
                    }
                }
                value
            })
            .collect();
        let number = |n: f64| json!(["n", n]);
        let expected = vec![
            json!(["sheet", "Kommuner"]),
            json!([["s", "Ort"], ["s", "Andel"], null, ["s", "Antal"]]),
            json!([["s", "Göteborg"], number(0.1), null, number(-3.0)]),
            json!([
                ["s", "<b>&"],
                number(1e-7),
                ["s", "\"citat\" 'enkla'"],
                null
            ]),
            json!([
                ["s", "rad 1\nrad 2\tflik\r\nslut"],
                ["s", "ab"],
                ["s", "_x0041_"],
                null
            ]),
            json!(["sheet", "Mölndal_Härryda _2024_"]),
            json!([["s", "Bred"]]),
            Json::Array((0..28).map(|i| number(f64::from(i))).collect()),
            json!([]),
            json!([null, ["s", "Å"]]),
        ];
        assert_eq!(actual, expected);
    }
}
