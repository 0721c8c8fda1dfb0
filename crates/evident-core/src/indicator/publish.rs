//! What may leave the store: disclosure control over a tree of rows, and the published value
//! of one cell with its confidence interval. Raw statistics never leave; a suppressed cell
//! carries no number at all.

use super::cube::{BREAKDOWN_GROUPS, CATEGORIES, Row, RowKey, Stats};
use super::definition::{Definition, Measure, Statistic, ValueUnit};
use crate::org::OrgCode;
use crate::stats::comparison::wilson;
use crate::stats::disclosure::{breakdown_table, suppress};
use serde::Serialize;
use std::collections::HashMap;

/// The default minimum number of individuals behind a published value.
pub const DEFAULT_K: u64 = 5;

/// The suppression mask (bit per category of [`CATEGORIES`]) of each row of one
/// (indicator, variant, period) tree. Every ancestor of a node must be among `rows`, as the
/// computation guarantees.
pub fn suppression_masks(rows: &[(OrgCode, &Row)], k: u64) -> Vec<u8> {
    let index: HashMap<&OrgCode, usize> =
        rows.iter().enumerate().map(|(i, (c, _))| (c, i)).collect();
    let parents: Vec<Option<usize>> = rows
        .iter()
        .map(|(code, _)| code.parent().and_then(|p| index.get(&p).copied()))
        .collect();
    let counts: Vec<Vec<u64>> = rows
        .iter()
        .map(|(_, row)| row.iter().map(|s| s.n.max(0) as u64).collect())
        .collect();
    let table = breakdown_table(&parents, &counts, &BREAKDOWN_GROUPS);
    let hidden = suppress(&table, k);
    hidden
        .chunks(CATEGORIES.len())
        .map(|cells| {
            cells
                .iter()
                .enumerate()
                .fold(0u8, |mask, (c, h)| if *h { mask | 1 << c } else { mask })
        })
        .collect()
}

/// [`suppression_masks`] of many trees, in the order of `trees`. Trees with the same nodes
/// and counts (indicators over the same population, such as the shares improved and
/// deteriorated) have the same masks, which are computed once; the rest in parallel.
pub fn suppression_masks_of_trees(trees: &[Vec<(OrgCode, &Row)>], k: u64) -> Vec<Vec<u8>> {
    type Counts<'a> = Vec<(&'a str, [i64; 8])>;
    let mut first_of: HashMap<Counts<'_>, usize> = HashMap::new();
    let mut same_as = Vec::with_capacity(trees.len());
    let mut distinct = Vec::new();
    for (i, tree) in trees.iter().enumerate() {
        let key: Counts<'_> = tree
            .iter()
            .map(|(code, row)| (code.as_str(), std::array::from_fn(|c| row[c].n)))
            .collect();
        let j = *first_of.entry(key).or_insert_with(|| {
            distinct.push(i);
            distinct.len() - 1
        });
        same_as.push(j);
    }
    let masks = super::cube::parallel_map(distinct.len(), |j| {
        suppression_masks(&trees[distinct[j]], k)
    });
    same_as.into_iter().map(|j| masks[j].clone()).collect()
}

/// The suppression mask (bit per category) of each of `rows`, which are in key order (as
/// [`super::cube::compute_sorted`] gives them): everything published about an indicator is
/// masked together, so that no suppressed cell can be recovered from the others.
pub fn mask_rows(rows: &[(RowKey, Row)], k: u64) -> Vec<u8> {
    let same_tree = |a: &RowKey, b: &RowKey| {
        (&a.indicator, &a.variant, a.period) == (&b.indicator, &b.variant, b.period)
    };
    let trees: Vec<Vec<(OrgCode, &Row)>> = rows
        .chunk_by(|(a, _), (b, _)| same_tree(a, b))
        .map(|tree| {
            tree.iter()
                .map(|(key, row)| (key.node.clone(), row))
                .collect()
        })
        .collect();
    suppression_masks_of_trees(&trees, k).concat()
}

/// How a row's cells stand for disclosure: 0 nothing, 1 below `k`, 2 publishable. A change
/// that keeps every class keeps the existing suppression pattern safe, since the pattern
/// depends on nothing else.
pub fn disclosure_classes(row: &Row, k: u64) -> [u8; 8] {
    let mut out = [0u8; 8];
    for (o, s) in out.iter_mut().zip(row) {
        *o = match s.n {
            n if n <= 0 => 0,
            n if (n as u64) < k => 1,
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_masked_together_get_the_masks_each_gets_alone() {
        let tree = |counts: &[(&str, i64)]| -> Vec<(OrgCode, Row)> {
            counts
                .iter()
                .map(|(code, n)| {
                    let mut row = Row::default();
                    row[0].n = *n;
                    row[1].n = n / 2;
                    row[2].n = n - n / 2;
                    row[5].n = *n;
                    (OrgCode::parse(code).expect("a valid code"), row)
                })
                .collect()
        };
        let a = tree(&[
            ("SE", 40),
            ("01", 40),
            ("0180", 40),
            ("0180-0001", 3),
            ("0180-0002", 17),
            ("0180-0003", 20),
        ]);
        let b = tree(&[("SE", 9), ("01", 9), ("0180", 9), ("0180-0001", 9)]);
        let trees: Vec<Vec<(OrgCode, &Row)>> = [&a, &b, &a]
            .iter()
            .map(|t| t.iter().map(|(c, r)| (c.clone(), r)).collect())
            .collect();
        let together = suppression_masks_of_trees(&trees, 5);
        let alone: Vec<Vec<u8>> = trees.iter().map(|t| suppression_masks(t, 5)).collect();
        assert_eq!(together, alone);
        assert_ne!(together[0], together[1]);
        assert!(together[0][3] & 1 == 1, "3 < 5 is suppressed");
    }
}
