//! Evident's domain: the types every other crate speaks in, their validation, and all pure
//! logic. Nothing here does I/O, talks SQL or knows about HTTP, so most unit tests live here.
//!
//! # Layout
//! - [`access`]: roles, grants and [`access::decide`], the one policy function for every access.
//! - [`account`]: staff users, sessions and personal access tokens.
//! - [`audit`]: audit events and the hash chain that makes the trail tamper-evident.
//! - [`change`]: reliable change and the Jacobson–Truax classification of one client.
//! - [`comparison`]: Wilson intervals, Spiegelhalter funnel limits and tertile colouring.
//! - [`credentials`]: password hashing (Argon2id) and random secrets stored only as digests.
//! - [`disclosure`]: primary and complementary suppression so no small cell can be recovered.
//! - [`error`]: [`DomainError`], returned when input fails validation.
//! - [`fhir`]: instruments as FHIR R4 Questionnaires in and out; measurements as QuestionnaireResponses.
//! - [`grants`]: state agreements, disbursements, deadlines, tapering plans and performance-based grants.
//! - [`followup`]: intervention catalogue, legal bases, life areas, goal outcomes, time points.
//! - [`import`]: CSV import of cases and measurements — decoding, checking every row, pseudonymising.
//! - [`instrument`]: instruments and their scoring (reverse items, subscales, missing answers).
//! - [`library`]: the embedded instrument library (PHQ-9, GAD-7, AUDIT, WHO-5, K10).
//! - [`org`]: the organisation tree — [`OrgCode`], [`OrgLevel`], [`OrgNode`], units and their providers.
//! - [`person`]: personal identity and coordination numbers, and the keyed pseudonym that replaces them.
//! - [`progress`]: a case's follow-up schedule (done, due, overdue) and per-instrument change.
//! - [`registry`]: Sweden's 21 counties and 290 municipalities, embedded from `data/sweden/`.
//! - [`selfreport`]: single-use links through which a client answers an instrument without an account.
//! - [`support`]: regional support structures and their dialog partners.
//! - [`survey`]: client surveys as data, anonymous answers, and results through disclosure control.
//! - [`text`]: validated free-text values shared by several types (names, e-mail addresses).
//! - [`unit_followup`]: a unit's follow-up table with effect sizes and small-cell suppression.
//! - [`indicator`]: indicators as data, computed per node × period × breakdown, published through disclosure control.
//! - [`rng`]: a small deterministic random number generator for reproducible demo data.
//! - [`demo_population`]: a reproducible synthetic client population for the demo.
//! - [`demo`]: the plan for a plausible, synthetic demo organisation, built from a seed.
#![forbid(unsafe_code)]

pub mod access;
pub mod account;
pub mod audit;
pub mod change;
pub mod comparison;
pub mod credentials;
pub mod demo;
pub mod demo_population;
pub mod disclosure;
pub mod error;
pub mod fhir;
pub mod followup;
pub mod grants;
pub mod import;
pub mod indicator;
pub mod instrument;
pub mod library;
pub mod org;
pub mod person;
pub mod progress;
pub mod registry;
pub mod rng;
pub mod selfreport;
pub mod support;
pub mod survey;
pub mod text;
pub mod unit_followup;

pub use error::DomainError;
pub use org::{NewUnit, OrgCode, OrgLevel, OrgNode, Provider, Unit, UnitArea, UnitUpdate};
pub use registry::Registry;
pub use support::{DialogPartner, NewDialogPartner, SupportStructure};
