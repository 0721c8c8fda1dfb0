//! What may leave the store: the published value of one cell with its confidence interval,
//! after disclosure control ([`super::mask`]). Raw statistics never leave; a suppressed cell
//! carries no number at all.

use super::CATEGORIES;
use super::cube::{Row, Stats};
use super::definition::{Definition, Measure, Statistic, ValueUnit};
pub use super::mask::mask_rows;
use crate::stats::comparison::wilson;
use serde::Serialize;

/// The default minimum number of individuals behind a published value.
pub const DEFAULT_K: u64 = 5;

/// How a row's cells stand for disclosure: 0 nothing, 1 fewer than `k` people, 2
/// publishable. A change that keeps every class keeps the existing suppression pattern safe:
/// whether a hidden cell can be recovered depends only on which cells are hidden, which are
/// known zeros, and the relations — not on the published values.
pub fn disclosure_classes(row: &Row, k: u64) -> [u8; 8] {
    let mut out = [0u8; 8];
    for (o, s) in out.iter_mut().zip(row) {
        *o = match (s.n, s.people) {
            (n, _) if n <= 0 => 0,
            (_, people) if (people.max(0) as u64) < k => 1,
            _ => 2,
        };
    }
    out
}

/// One published cell.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "status", rename_all = "snake_case")]
pub enum Published {
    /// Nothing was counted: shown as "no data", never as 0.
    NoData,
    /// Too few individuals, or hidden to protect another cell.
    Suppressed,
    /// Nothing was counted, and nothing can be: the breakdown does not apply here (an age
    /// band a unit never serves). Distinct from no data, which may be a gap.
    NotApplicable,
    /// A value.
    Value {
        /// The value (shares 0–1).
        value: f64,
        /// Individuals it rests on.
        n: u64,
        /// The numerator count, for shares.
        #[serde(skip_serializing_if = "Option::is_none")]
        numerator: Option<u64>,
        /// The 95 % confidence interval, where one is computed.
        #[serde(skip_serializing_if = "Option::is_none")]
        ci: Option<(f64, f64)>,
    },
}

impl Published {
    /// The value, if published.
    pub fn value(&self) -> Option<f64> {
        match self {
            Self::Value { value, .. } => Some(*value),
            _ => None,
        }
    }

    /// The count, if published.
    pub fn n(&self) -> Option<u64> {
        match self {
            Self::Value { n, .. } => Some(*n),
            _ => None,
        }
    }

    /// The status word used by exports and the API.
    pub fn status(&self) -> &'static str {
        match self {
            Self::NoData => "no_data",
            Self::Suppressed => "suppressed",
            Self::NotApplicable => "not_applicable",
            Self::Value { .. } => "ok",
        }
    }
}

/// The published value of one cell of a base indicator.
pub fn publish(definition: &Definition, stats: &Stats, suppressed: bool) -> Published {
    let Measure::Base { statistic, .. } = definition.measure else {
        return Published::NoData;
    };
    if stats.n <= 0 {
        return Published::NoData;
    }
    if suppressed {
        return Published::Suppressed;
    }
    let n = stats.n as u64;
    match statistic {
        Statistic::Share(_) => {
            let hits = stats.hits.max(0) as u64;
            Published::Value {
                value: hits as f64 / n as f64,
                n,
                numerator: Some(hits),
                ci: wilson(hits, n, 1.96),
            }
        }
        Statistic::Mean(_) => {
            let mean = stats.sum / n as f64;
            let ci = (n >= 2).then(|| {
                let variance =
                    ((stats.sum_sq - stats.sum * stats.sum / n as f64) / (n - 1) as f64).max(0.0);
                let half = 1.96 * (variance / n as f64).sqrt();
                (mean - half, mean + half)
            });
            Published::Value {
                value: mean,
                n,
                numerator: None,
                ci,
            }
        }
        Statistic::Median(_) => match stats.median() {
            Some(median) => Published::Value {
                value: median,
                n,
                numerator: None,
                ci: None,
            },
            None => Published::NoData,
        },
    }
}

/// Marks the empty cells (one per category) of breakdowns that do not apply at a node as not
/// applicable; `area` is the unit's area, `None` above units. Cells with data keep it.
pub fn mark_not_applicable(
    definition: &Definition,
    area: Option<crate::org::UnitArea>,
    cells: &mut Vec<Published>,
) {
    cells.resize(CATEGORIES.len(), Published::NoData);
    for (category, cell) in cells.iter_mut().enumerate() {
        if *cell == Published::NoData && !definition.applies(category, area) {
            *cell = Published::NotApplicable;
        }
    }
}

/// A difference indicator's cell from its two parts: published only when both are.
pub fn difference(minuend: &Published, subtrahend: &Published) -> Published {
    match (minuend, subtrahend) {
        (Published::Value { value: a, n, .. }, Published::Value { value: b, n: m, .. }) => {
            Published::Value {
                value: a - b,
                n: (*n).min(*m),
                numerator: None,
                ci: None,
            }
        }
        (Published::NoData, _) | (_, Published::NoData) => Published::NoData,
        _ => Published::Suppressed,
    }
}

/// A value formatted for people: per cent with one decimal, days with one, effect sizes
/// with two; Swedish decimal comma unless `lang` is "en".
pub fn format_value(unit: ValueUnit, value: f64, lang: &str) -> String {
    let text = match unit {
        ValueUnit::Percent => format!("{:.1} %", value * 100.0),
        ValueUnit::PercentagePoints => format!("{:+.1} p.e.", value * 100.0),
        ValueUnit::Days => format!("{value:.1}"),
        ValueUnit::EffectSize => format!("{value:.2}"),
    };
    let text = if lang == "en" {
        text.replace("p.e.", "pp")
    } else {
        text.replace('.', ",").replace("p,e,", "p.e.")
    };
    text.replace('-', "−")
}
