//! Local follow-up: what practitioners document about a client — cases, interventions, needs
//! and goals in the catalogue's vocabulary — and the instruments that measure the client before
//! and after, scored, compared over time and summarised per unit.
//!
//! # Layout
//! - [`catalogue`]: intervention catalogue, legal bases, life areas, goal outcomes, time points
//!   and respondents (re-exported here: `evident_core::followup::TimePoint`).
//! - [`instrument`]: instruments and their scoring (reverse items, subscales, missing answers).
//! - [`library`]: the embedded instrument library (PHQ-9, GAD-7, AUDIT, WHO-5, K10).
//! - [`change`]: reliable change and the Jacobson–Truax classification of one client.
//! - [`progress`]: a case's follow-up schedule (done, due, overdue) and per-instrument change.
//! - [`unit_table`]: a unit's follow-up table with effect sizes and small-cell suppression.
//! - [`fhir`]: instruments as FHIR R4 Questionnaires in and out; measurements as QuestionnaireResponses.
//! - [`import`]: CSV import of cases and measurements — decoding, checking every row, pseudonymising.

pub mod catalogue;
pub mod change;
pub mod fhir;
pub mod import;
pub mod instrument;
pub mod library;
pub mod progress;
pub mod unit_table;

pub use catalogue::*;
