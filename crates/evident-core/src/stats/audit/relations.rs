//! The relations an analyst knows, rebuilt from the keys of one (indicator, year) table alone:
//! a parent node is the sum of its children ([`OrgCode::parent`]), a year the sum of its
//! quarters, the total variant `""` the sum of the `instrument:` variants and, separately, of
//! the `type:` variants, and in every row the total category the sum of each breakdown
//! ([`BREAKDOWN_GROUPS`]). A row that is not published at all holds nothing, so a missing
//! total is a known zero.
//!
//! A variant relation is exact only when every record of the indicator carries that key
//! (every baseline has an instrument; a baseline's case need not have an intervention type):
//! otherwise the total also holds records outside every variant, and the relation is
//! `total = Σ parts + remainder` with an unknown remainder ≥ 0.

use crate::indicator::cube::{BREAKDOWN_GROUPS, CATEGORIES, Period, RowKey};
use crate::org::OrgCode;
use std::collections::{BTreeMap, HashMap};

/// `total = Σ parts` over cells of a table (cell = row · 8 + category); `None`: a total
/// with no row, known to be zero.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Relation {
    /// The total cell.
    pub total: Option<usize>,
    /// The part cells.
    pub parts: Vec<usize>,
    /// False when the total may also hold records outside the parts.
    pub exact: bool,
}

/// How a part row relates to its total row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Dimension {
    Node,
    Period,
    Instrument,
    Type,
}

/// The key of a row within its table.
type Coordinates<'a> = (&'a str, Period, &'a OrgCode);

/// Every relation between the cells of rows with `keys` (all of one indicator and year);
/// the variant relations of the prefixes in `exact_variants` are exact.
pub(super) fn relations(keys: &[&RowKey], exact_variants: &[&str]) -> Vec<Relation> {
    let categories = CATEGORIES.len();
    let index: HashMap<Coordinates<'_>, usize> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| ((k.variant.as_str(), k.period, &k.node), i))
        .collect();
    // (total's coordinates, dimension) → part rows. The total's node may be owned (a parent
    // code computed here), so the map keys own their strings.
    let mut parts: BTreeMap<(String, Period, OrgCode, Dimension), Vec<usize>> = BTreeMap::new();
    for (i, key) in keys.iter().enumerate() {
        if let Some(parent) = key.node.parent() {
            parts
                .entry((key.variant.clone(), key.period, parent, Dimension::Node))
                .or_default()
                .push(i);
        }
        if let Period::Quarter(year, _) = key.period {
            parts
                .entry((
                    key.variant.clone(),
                    Period::Year(year),
                    key.node.clone(),
                    Dimension::Period,
                ))
                .or_default()
                .push(i);
        }
        let kind = if key.variant.starts_with("instrument:") {
            Some(Dimension::Instrument)
        } else if key.variant.starts_with("type:") {
            Some(Dimension::Type)
        } else {
            None
        };
        if let Some(kind) = kind {
            parts
                .entry((String::new(), key.period, key.node.clone(), kind))
                .or_default()
                .push(i);
        }
    }
    let mut out = Vec::new();
    for ((variant, period, node, dimension), members) in &parts {
        let total = index.get(&(variant.as_str(), *period, node)).copied();
        let exact = match dimension {
            Dimension::Node | Dimension::Period => true,
            Dimension::Instrument => exact_variants.contains(&"instrument:"),
            Dimension::Type => exact_variants.contains(&"type:"),
        };
        for c in 0..categories {
            out.push(Relation {
                total: total.map(|t| t * categories + c),
                parts: members.iter().map(|m| m * categories + c).collect(),
                exact,
            });
        }
    }
    for row in 0..keys.len() {
        for group in &BREAKDOWN_GROUPS {
            out.push(Relation {
                total: Some(row * categories),
                parts: group.clone().map(|c| row * categories + c).collect(),
                exact: true,
            });
        }
    }
    out
}
