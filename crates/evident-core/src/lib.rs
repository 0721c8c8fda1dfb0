//! Evident's domain: the types every other crate speaks in, their validation, and all pure
//! logic. Nothing here does I/O, talks SQL or knows about HTTP, so most unit tests live here.
//! Modules are the areas DESIGN.md names; each folder's `mod.rs` lists what it holds.
//!
//! # Layout
//! - [`org`]: the organisation tree, Sweden's registry of counties and municipalities, support structures.
//! - [`access`]: roles, grants and [`access::decide`], the one policy; accounts, credentials, the audit trail.
//! - [`followup`]: local follow-up — catalogue, instruments and scoring, reliable change, schedules,
//!   a unit's table, FHIR, CSV import.
//! - [`participation`]: self-report links and anonymous client surveys.
//! - [`indicator`]: indicators as data, computed per node × period × breakdown, published through disclosure control.
//! - [`stats`]: intervals, funnel limits and tertiles; disclosure control (suppression).
//! - [`grants`]: state agreements, disbursements, money, deadlines, tapering plans and performance-based grants.
//! - [`demo`]: the plan for a plausible, synthetic demo organisation and its client population.
//! - [`clock`]: the one clock; today is a Swedish calendar day (`Europe/Stockholm`).
//! - [`person`]: personal identity and coordination numbers, and the keyed pseudonym that replaces them.
//! - [`key_text`]: the one rule for secret keys given as text: long enough, not repetitive.
//! - [`text`]: validated free-text values shared by several types (names, e-mail addresses, bilingual texts).
//! - [`error`]: [`DomainError`], returned when input fails validation.
//! - [`rng`]: a small deterministic random number generator for reproducible demo data.
#![forbid(unsafe_code)]

pub mod access;
pub mod clock;
pub mod demo;
pub mod error;
pub mod followup;
pub mod grants;
pub mod indicator;
pub mod key_text;
pub mod org;
pub mod participation;
pub mod person;
pub mod rng;
pub mod stats;
pub mod text;

pub use error::DomainError;
pub use org::registry::Registry;
pub use org::support::{DialogPartner, NewDialogPartner, SupportStructure};
pub use org::{NewUnit, OrgCode, OrgLevel, OrgNode, Provider, Unit, UnitArea, UnitUpdate};
