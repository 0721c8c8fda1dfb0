//! The statistics behind everything published: intervals, funnel limits and colouring for open
//! comparisons, and disclosure control so that no small cell can be recovered.
//!
//! # Layout
//! - [`comparison`]: Wilson intervals, Spiegelhalter funnel limits and tertile colouring.
//! - [`disclosure`]: primary and complementary suppression so no small cell can be recovered.

pub mod comparison;
pub mod disclosure;
