//! Client participation: clients answer for themselves, without an account.
//!
//! # Layout
//! - [`selfreport`]: single-use links through which a client answers an instrument.
//! - [`survey`]: client surveys as data, anonymous answers, and results through disclosure control.

pub mod selfreport;
pub mod survey;
