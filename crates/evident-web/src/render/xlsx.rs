//! Tables as Excel workbooks (`.xlsx`), written with `rust_xlsxwriter`.
//!
//! What a download looks like: one worksheet per [`Sheet`], text and numbers in the General
//! format, a bold header row frozen at the top, and column widths fitted roughly to the
//! content. Output is deterministic for the same input (the document's creation time is
//! fixed), so a download can be compared byte for byte.

use super::{Cell, Sheet};
use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook, XlsxError};

/// The bytes of an `.xlsx` file holding `sheets`.
///
/// Excel needs at least one sheet, so an empty `sheets` gives one empty sheet named `Sheet1`.
/// Sheet names are made acceptable to Excel (see `sheet_names`); text is cut to Excel's
/// 32,767 characters per cell and loses characters XML cannot carry; NaN and infinities are
/// written as empty cells. Excel opens at most 1,048,576 rows and 16,384 columns per sheet.
///
/// # Errors
/// When a sheet is beyond Excel's row or column limits.
pub fn workbook(sheets: &[Sheet]) -> Result<Vec<u8>, XlsxError> {
    let placeholder = [Sheet {
        name: "Sheet1".to_owned(),
        rows: Vec::new(),
    }];
    let sheets = if sheets.is_empty() {
        &placeholder[..]
    } else {
        sheets
    };
    let mut workbook = Workbook::new();
    // A fixed creation time, so the same table gives the same bytes.
    let epoch = ExcelDateTime::from_ymd(2000, 1, 1)?;
    workbook.set_properties(&DocProperties::new().set_creation_datetime(&epoch));
    let bold = Format::new().set_bold();
    for (sheet, name) in sheets.iter().zip(sheet_names(sheets)) {
        let worksheet = workbook.add_worksheet();
        worksheet.set_name(name)?;
        worksheet.set_freeze_panes(1, 0)?;
        let mut widths: Vec<usize> = Vec::new();
        for (r, row) in sheet.rows.iter().enumerate() {
            let r = u32::try_from(r).map_err(|_| XlsxError::RowColumnLimitError)?;
            for (c, cell) in row.iter().enumerate() {
                let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
                let width = match cell {
                    Cell::Text(text) => {
                        let text = cell_text(text);
                        if text.is_empty() {
                            None
                        } else if r == 0 {
                            worksheet.write_string_with_format(r, c, &text, &bold)?;
                            Some(longest_line(&text))
                        } else {
                            worksheet.write_string(r, c, &text)?;
                            Some(longest_line(&text))
                        }
                    }
                    Cell::Number(number) if number.is_finite() => {
                        if r == 0 {
                            worksheet.write_number_with_format(r, c, *number, &bold)?;
                        } else {
                            worksheet.write_number(r, c, *number)?;
                        }
                        Some(number.to_string().len())
                    }
                    Cell::Number(_) | Cell::Empty => None,
                };
                if width.is_none() && r == 0 {
                    // Written anyway so an empty header cell keeps the header's style.
                    worksheet.write_blank(r, c, &bold)?;
                }
                let column = usize::from(c);
                if widths.len() <= column {
                    widths.resize(column + 1, 0);
                }
                widths[column] = widths[column].max(width.unwrap_or(0));
            }
        }
        for (c, longest) in widths.into_iter().enumerate() {
            // Character counts, plus room for the bold header and cell padding, within limits
            // that keep one long comment from pushing the rest of the table off screen.
            let width = (longest + 2).clamp(8, 60) as u32;
            let c = u16::try_from(c).map_err(|_| XlsxError::RowColumnLimitError)?;
            worksheet.set_column_width(c, width)?;
        }
    }
    workbook.save_to_buffer()
}

/// Roughly how many characters wide `text` shows: its longest line.
fn longest_line(text: &str) -> usize {
    text.lines()
        .map(|line| line.chars().count())
        .max()
        .unwrap_or(0)
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value as Json, json};

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
            rows: vec![vec![Cell::Text("a".to_owned()), Cell::Number(1.0)]],
        }];
        assert_eq!(workbook(&sheets).unwrap(), workbook(&sheets).unwrap());
        assert!(workbook(&[]).unwrap().starts_with(b"PK"));
    }

    /// Opens the workbook with Python's standard library and prints one JSON line per sheet
    /// name and per row; text as ["s", text], numbers as ["n", repr], empty cells as null.
    /// Excel's `_xHHHH_` escapes are decoded the way Excel reads them. Checks on the way that
    /// every part passes its CRC, the header row is bold and frozen, and rows and cells carry
    /// their references.
    const READ_BACK: &str = r#"
import json, posixpath, re, sys, zipfile
import xml.etree.ElementTree as ET

M = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
P = "{http://schemas.openxmlformats.org/package/2006/relationships}"

z = zipfile.ZipFile(sys.argv[1])
assert z.testzip() is None, "a part fails its CRC"
parts = {name: ET.fromstring(z.read(name)) for name in z.namelist() if name.endswith((".xml", ".rels"))}
rels = {r.get("Id"): r.get("Target") for r in parts["xl/_rels/workbook.xml.rels"].iter(P + "Relationship")}
styles = parts["xl/styles.xml"]
fonts = list(styles.find(M + "fonts"))
xfs = list(styles.find(M + "cellXfs"))
shared = [
    "".join(t.text or "" for t in si.iter(M + "t"))
    for si in parts.get("xl/sharedStrings.xml", ET.Element("sst"))
]

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
    expected = 1
    for row in ws.find(M + "sheetData"):
        # Rows without cells are left out; print them as empty rows.
        r = int(row.get("r"))
        while expected < r:
            print("[]")
            expected += 1
        expected += 1
        values = []
        for cell in row:
            ref = cell.get("r")
            column = re.match("[A-Z]+", ref).group(0)
            while letters(len(values)) != column:
                values.append(None)
            assert ref == column + str(r), ref
            assert bold(cell) == (r == 1), ref
            v = cell.find(M + "v")
            if cell.get("t") == "s":
                values.append(["s", unescape(shared[int(v.text)])])
            elif cell.get("t") in (None, "n") and v is not None:
                values.append(["n", repr(float(v.text))])
            else:
                assert cell.get("t") is None and len(cell) == 0, ref
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
    #[ignore = "needs python3 (scripts/test-all.sh installs it)"]
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
        std::fs::write(&file.0, workbook(&sheets).unwrap())
            .expect("writing the workbook to a temp file");

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
            json!([["s", "<b>&"], number(1e-7), ["s", "\"citat\" 'enkla'"]]),
            json!([
                ["s", "rad 1\nrad 2\tflik\r\nslut"],
                ["s", "ab"],
                ["s", "_x0041_"]
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
