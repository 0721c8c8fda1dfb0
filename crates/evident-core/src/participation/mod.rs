//! Client participation: clients answer for themselves, without an account.
//!
//! # Layout
//! - [`selfreport`]: single-use links through which a client answers an instrument.
//! - [`respondent_code`]: one-time codes, printed or sent by SMS, each good for one survey answer.
//! - [`survey`]: client surveys as data, anonymous answers, and results through disclosure control.

pub mod respondent_code;
pub mod selfreport;
pub mod survey;
