//! The file formats Evident writes and the pictures it draws: one writer per format, so every
//! download of a kind looks the same wherever it comes from.
//!
//! # Layout
//! - [`svg`]: escaping text for SVG, shared by the charts.
//! - [`chart`]: SVG line charts of a client's scores over time.
//! - [`funnel`]: SVG funnel plots for the indicator pages.

pub mod chart;
pub mod funnel;
pub mod svg;
