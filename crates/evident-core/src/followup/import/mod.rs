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
//!
//! # Layout
//! - `decode`: bytes to text, and the separator.
//! - `errors`: [`RowError`] and [`RowErrors`], every bad row collected.
//! - `columns`: the file formats' columns, reading rows, dates and decimals.
//! - `cases`: [`parse_cases`] and the typed case rows.
//! - `measurements`: [`parse_measurements`], the typed measurement rows and scoring.

mod cases;
mod columns;
mod decode;
mod errors;
mod measurements;

pub use cases::*;
pub use columns::*;
pub use decode::*;
pub use errors::*;
pub use measurements::*;

use crate::followup::InterventionCatalogue;
use crate::person::PseudonymKey;
use chrono::NaiveDate;

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

#[cfg(test)]
mod tests;
