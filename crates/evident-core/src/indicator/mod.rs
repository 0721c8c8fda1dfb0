//! Indicators for open comparisons: definitions as data, the records they count, the
//! computation over the organisation tree with periods and breakdowns, and what may be
//! published after disclosure control, all as of a date (`as_of`: which periods are final,
//! preliminary or not yet published).

pub mod as_of;
pub mod cube;
pub mod definition;
pub mod facts;
pub mod group;
pub mod mask;
pub mod publish;
pub mod report;
pub mod survey;

pub use as_of::PeriodStatus;
pub use cube::{CATEGORIES, Cube, Period, Row, RowKey, Stats, compute, delta};
pub use definition::{Better, Definition, DefinitionError, IndicatorSet, Measure, ValueUnit};
pub use facts::{CaseFacts, ClientFacts, Facts, InterventionFacts, MeasurementFacts};
pub use mask::{extend_masks, mask_rows};
pub use publish::{DEFAULT_K, Published, publish};

#[cfg(test)]
mod tests;
