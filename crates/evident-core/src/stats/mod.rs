//! The statistics behind everything published: intervals, funnel limits and colouring for open
//! comparisons, and disclosure control so that no small cell can be recovered.
//!
//! # Layout
//! - [`audit`]: the disclosure audit — an attacker's view of what is published, apart from
//!   the suppressor.
//! - [`comparison`]: Wilson intervals, Spiegelhalter funnel limits and tertile colouring.
//! - [`disclosure`]: primary and complementary suppression so no small cell can be recovered.

pub mod audit;
pub mod comparison;
pub mod disclosure;
