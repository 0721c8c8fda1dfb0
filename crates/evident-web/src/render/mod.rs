//! The file formats Evident writes and the pictures it draws: one writer per format, so every
//! download of a kind looks the same wherever it comes from.
//!
//! # Layout
//! - [`csv`]: the one CSV writer (Swedish Excel convention, formula neutralisation), used by
//!   every CSV download and by the `evident` command.
//! - [`xlsx`]: tables as Excel workbooks.
//! - [`svg`]: escaping text for SVG, shared by the charts.
//! - [`chart`]: SVG line charts of a client's scores over time.
//! - [`funnel`]: SVG funnel plots for the indicator pages.
//!
//! [`Sheet`] and [`Cell`] are the table both download formats take, and [`download`] answers
//! a request for one in the format asked for.

pub mod chart;
pub mod csv;
pub mod funnel;
pub mod svg;
pub mod xlsx;

use axum::http::header::{CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;

/// One cell of a downloadable table.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Text. In a workbook, characters XML cannot carry are dropped, text beyond Excel's
    /// 32,767-character cell limit is cut off, and empty text is an empty cell.
    Text(String),
    /// A number. NaN and infinities have no spreadsheet form and are written as empty cells.
    Number(f64),
    /// No value.
    Empty,
}

/// A downloadable table: a name and rows of cells; the first row is the header.
///
/// The name becomes the worksheet's tab in a workbook, made acceptable to Excel when written
/// (characters it forbids become `_`, cut to 31 characters, numbered when taken).
#[derive(Debug, Clone, PartialEq)]
pub struct Sheet {
    /// The tab name shown in Excel.
    pub name: String,
    /// Rows of cells, header first. Rows may differ in length.
    pub rows: Vec<Vec<Cell>>,
}

/// A download format of a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum TableFormat {
    /// `;`-separated, decimal commas, UTF-8 with BOM (what Swedish Excel opens directly).
    Csv,
    /// An Excel workbook.
    Xlsx,
}

/// The `Content-Type` of every CSV download.
pub const CSV_CONTENT_TYPE: &str = "text/csv; charset=utf-8";

/// The `Content-Type` of every Excel download.
pub const XLSX_CONTENT_TYPE: &str =
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// `sheet` as a download response in `format`, as a file named `stem` (characters other than
/// ASCII letters, digits and `-` become `_`) with the format's extension.
pub fn download(sheet: Sheet, format: TableFormat, stem: &str) -> Response {
    let stem: String = stem
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' {
                c
            } else {
                '_'
            }
        })
        .collect();
    let (content_type, extension, body) = match format {
        TableFormat::Csv => (CSV_CONTENT_TYPE, "csv", csv::sheet(&sheet).into_bytes()),
        TableFormat::Xlsx => match xlsx::workbook(&[sheet]) {
            Ok(bytes) => (XLSX_CONTENT_TYPE, "xlsx", bytes),
            Err(error) => {
                return crate::AppError::Internal(
                    anyhow::Error::new(error).context("writing a workbook"),
                )
                .into_response();
            }
        },
    };
    (
        [
            (CONTENT_TYPE, content_type.to_owned()),
            (
                CONTENT_DISPOSITION,
                format!("attachment; filename=\"{stem}.{extension}\""),
            ),
        ],
        body,
    )
        .into_response()
}
