//! The disclosure audit: an attacker's view of what is published, written apart from the
//! suppressor ([`crate::stats::disclosure`], [`crate::indicator::mask`]) so that the two
//! cannot share a mistake.
//!
//! The input is what an analyst sees: for every cell its key, and whether it is published
//! (with its count `n`), known to be empty (no data, not applicable) or hidden. The audit
//! rebuilds the relations from the keys alone ([`relations`]), substitutes every known value,
//! and splits the hidden cells into connected groups (cells linked by a relation holding at
//! least one hidden cell). For each group it finds
//!
//! - the hidden cells determined exactly ([`exact`]: peeling, then exact integer
//!   elimination), with their values — the promise is that there are none;
//! - the feasible range of every other hidden cell by linear programming ([`range`]), for
//!   groups of at most [`AuditOptions::max_lp_unknowns`] unknowns: every hidden cell is at
//!   least 1 (an empty cell is published as no data, never as hidden), integrality relaxed.
//!
//! A variant relation is exact only for the variant kind every record of the indicator
//! carries ([`exact_variants`]); for the other kind the total also counts the records
//! without one, an unknown remainder ≥ 0 that the audit carries as one more unknown of the
//! relation (an analyst does not know it either).
//!
//! # Layout
//! - this module: input, options, report and the work per table and group.
//! - [`relations`]: the relations of one (indicator, year) table from its keys.
//! - [`exact`]: which hidden cells are determined, and their values.
//! - [`range`]: feasible ranges by linear programming.

mod exact;
mod range;
mod relations;

#[cfg(test)]
mod tests;

use crate::indicator::cube::{CATEGORIES, RowKey};
use crate::indicator::definition::{Definition, IndicatorSet, Measure};
use crate::indicator::facts::RecordKind;
use crate::indicator::publish::Published;
use range::Bound;
use serde::Serialize;
use std::collections::BTreeMap;
use std::fmt;

/// What an analyst sees of one cell.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Seen {
    /// Published, with its count.
    Count(u64),
    /// Known to hold nothing: no data, or not applicable.
    Empty,
    /// Suppressed.
    Hidden,
}

impl From<&Published> for Seen {
    fn from(published: &Published) -> Self {
        match published {
            Published::NoData | Published::NotApplicable => Self::Empty,
            Published::Suppressed => Self::Hidden,
            Published::Value { n, .. } => Self::Count(*n),
        }
    }
}

/// One published row: its key and what is seen of each of its categories
/// ([`CATEGORIES`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenRow {
    /// Indicator, variant, period and node.
    pub key: RowKey,
    /// Per category.
    pub cells: [Seen; 8],
}

/// How the audit runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuditOptions {
    /// A range narrower than this is reported (the minimum count of disclosure control).
    pub k: u64,
    /// Groups with more unknowns than this are not bounded by linear programming.
    pub max_lp_unknowns: usize,
    /// How many examples of each finding the report keeps.
    pub examples: usize,
    /// Per indicator, the variant prefixes whose relation to the total is exact
    /// ([`exact_variants`]); the others leave a remainder.
    pub exact_variants: BTreeMap<String, &'static [&'static str]>,
}

/// The variant prefixes (`instrument:`, `type:`) that every record of `definition` carries,
/// so that its variants of that kind sum exactly to the total: a measurement always has an
/// instrument, an intervention always has a type; a measurement's case may have no
/// intervention type, and an intervention has no instrument.
pub fn exact_variants(definition: &Definition) -> &'static [&'static str] {
    match &definition.measure {
        Measure::Base { population, .. } => match population.records {
            RecordKind::Baseline | RecordKind::Change => &["instrument:"],
            RecordKind::Intervention => &["type:"],
            RecordKind::Goal => &[],
        },
        _ => &[],
    }
}

/// [`exact_variants`] of every indicator of `set`.
pub fn exact_variants_of(set: &IndicatorSet) -> BTreeMap<String, &'static [&'static str]> {
    set.definitions
        .iter()
        .map(|d| (d.id.clone(), exact_variants(d)))
        .collect()
}

impl Default for AuditOptions {
    fn default() -> Self {
        Self {
            k: crate::indicator::DEFAULT_K,
            max_lp_unknowns: 400,
            examples: 20,
            exact_variants: BTreeMap::new(),
        }
    }
}

/// A cell, named for people.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CellName {
    /// Indicator id.
    pub indicator: String,
    /// Variant (`all` for the total).
    pub variant: String,
    /// Period, `2026` or `2026Q3`.
    pub period: String,
    /// Organisation node code.
    pub node: String,
    /// Breakdown category ([`CATEGORIES`]).
    pub category: &'static str,
}

impl CellName {
    fn of(key: &RowKey, category: usize) -> Self {
        Self {
            indicator: key.indicator.clone(),
            variant: if key.variant.is_empty() {
                "all".to_owned()
            } else {
                key.variant.clone()
            },
            period: key.period.to_string(),
            node: key.node.to_string(),
            category: CATEGORIES[category],
        }
    }
}

impl fmt::Display for CellName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} {} {} {}",
            self.indicator, self.variant, self.period, self.node, self.category
        )
    }
}

/// A hidden cell that can be worked out exactly.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Recovered {
    /// The cell.
    pub cell: CellName,
    /// Its value.
    pub value: i128,
}

/// A hidden cell whose feasible range is narrower than `k`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Narrow {
    /// The cell.
    pub cell: CellName,
    /// The least feasible value.
    pub min: f64,
    /// The greatest feasible value.
    pub max: f64,
}

/// What the audit found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct AuditReport {
    /// The threshold ranges are compared with.
    pub k: u64,
    /// The largest group bounded by linear programming.
    pub max_lp_unknowns: usize,
    /// (indicator, year) tables audited.
    pub tables: usize,
    /// Cells seen.
    pub cells: usize,
    /// Hidden cells.
    pub hidden: usize,
    /// Connected groups of hidden cells.
    pub groups: usize,
    /// Hidden cells of the largest group.
    pub largest_group: usize,
    /// Hidden cells determined exactly (the promise: none).
    pub recoverable: usize,
    /// Some of them, with their values.
    pub recoverable_examples: Vec<Recovered>,
    /// Hidden cells not determined whose feasible range is narrower than `k`.
    pub narrow: usize,
    /// Some of them, with their ranges.
    pub narrow_examples: Vec<Narrow>,
    /// Hidden cells bounded to `k` or more apart.
    pub wide: usize,
    /// Hidden cells with no upper bound.
    pub unbounded: usize,
    /// Groups with more unknowns than `max_lp_unknowns`, not bounded.
    pub too_large_groups: usize,
    /// Their unknowns, largest first (at most `examples` of them).
    pub too_large_sizes: Vec<usize>,
    /// Hidden cells in those groups.
    pub too_large_cells: usize,
    /// Groups whose linear programs failed (the published cells contradict the relations, or
    /// the solver gave up), with the solver's message.
    pub lp_failures: Vec<String>,
    #[serde(skip)]
    examples: usize,
}

impl AuditReport {
    /// An empty report for `options`.
    pub fn new(options: &AuditOptions) -> Self {
        Self {
            k: options.k,
            max_lp_unknowns: options.max_lp_unknowns,
            tables: 0,
            cells: 0,
            hidden: 0,
            groups: 0,
            largest_group: 0,
            recoverable: 0,
            recoverable_examples: Vec::new(),
            narrow: 0,
            narrow_examples: Vec::new(),
            wide: 0,
            unbounded: 0,
            too_large_groups: 0,
            too_large_sizes: Vec::new(),
            too_large_cells: 0,
            lp_failures: Vec::new(),
            examples: options.examples,
        }
    }

    /// Adds the findings of `other` (audited with the same options).
    pub fn merge(&mut self, other: AuditReport) {
        self.tables += other.tables;
        self.cells += other.cells;
        self.hidden += other.hidden;
        self.groups += other.groups;
        self.largest_group = self.largest_group.max(other.largest_group);
        self.recoverable += other.recoverable;
        self.narrow += other.narrow;
        self.wide += other.wide;
        self.unbounded += other.unbounded;
        self.too_large_groups += other.too_large_groups;
        self.too_large_cells += other.too_large_cells;
        let keep = self.examples;
        extend_up_to(
            &mut self.recoverable_examples,
            other.recoverable_examples,
            keep,
        );
        extend_up_to(&mut self.narrow_examples, other.narrow_examples, keep);
        extend_up_to(&mut self.lp_failures, other.lp_failures, keep);
        self.too_large_sizes.extend(other.too_large_sizes);
        self.too_large_sizes.sort_unstable_by(|a, b| b.cmp(a));
        self.too_large_sizes.truncate(keep);
    }

    /// Whether no hidden cell can be worked out exactly.
    pub fn is_safe(&self) -> bool {
        self.recoverable == 0
    }
}

fn extend_up_to<T>(list: &mut Vec<T>, more: Vec<T>, keep: usize) {
    let room = keep.saturating_sub(list.len());
    list.extend(more.into_iter().take(room));
}

impl fmt::Display for AuditReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "disclosure audit: {} tables, {} cells, {} hidden in {} groups (largest {})",
            self.tables, self.cells, self.hidden, self.groups, self.largest_group
        )?;
        writeln!(f, "exactly recoverable: {}", self.recoverable)?;
        for r in &self.recoverable_examples {
            writeln!(f, "  {} = {}", r.cell, r.value)?;
        }
        writeln!(
            f,
            "feasible range narrower than {}: {} (wide: {}, unbounded: {})",
            self.k, self.narrow, self.wide, self.unbounded
        )?;
        for n in &self.narrow_examples {
            writeln!(f, "  {} in [{}, {}]", n.cell, round(n.min), round(n.max))?;
        }
        write!(
            f,
            "groups too large to bound (> {} unknowns): {} ({} hidden cells)",
            self.max_lp_unknowns, self.too_large_groups, self.too_large_cells
        )?;
        if !self.too_large_sizes.is_empty() {
            let sizes: Vec<String> = self.too_large_sizes.iter().map(usize::to_string).collect();
            write!(f, "; sizes {}", sizes.join(", "))?;
        }
        writeln!(f)?;
        for failure in &self.lp_failures {
            writeln!(f, "linear program failed: {failure}")?;
        }
        Ok(())
    }
}

/// A bound for people: whole numbers as such, others to three decimals.
fn round(x: f64) -> String {
    if (x - x.round()).abs() < 1e-6 {
        format!("{}", x.round())
    } else {
        format!("{x:.3}")
    }
}

/// One equation over the unknowns of a group: `Σ coef · x[unknown] = rhs`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Equation {
    terms: Vec<(u32, i64)>,
    rhs: i128,
}

/// Audits `rows`: any indicators and years, each (indicator, year) complete as published.
pub fn audit(rows: &[SeenRow], options: &AuditOptions) -> AuditReport {
    let mut tables: BTreeMap<(&str, i32), Vec<&SeenRow>> = BTreeMap::new();
    for row in rows {
        tables
            .entry((row.key.indicator.as_str(), row.key.period.year()))
            .or_default()
            .push(row);
    }
    let tables: Vec<Vec<&SeenRow>> = tables.into_values().collect();
    let reports =
        crate::indicator::cube::parallel_map(tables.len(), |t| audit_table(&tables[t], options));
    let mut report = AuditReport::new(options);
    for r in reports {
        report.merge(r);
    }
    report
}

/// Audits one (indicator, year) table.
fn audit_table(rows: &[&SeenRow], options: &AuditOptions) -> AuditReport {
    let categories = CATEGORIES.len();
    let mut report = AuditReport::new(options);
    report.tables = 1;
    report.cells = rows.len() * categories;
    let keys: Vec<&RowKey> = rows.iter().map(|r| &r.key).collect();
    let seen = |cell: usize| rows[cell / categories].cells[cell % categories];
    let exact: &[&str] = keys
        .first()
        .and_then(|k| options.exact_variants.get(&k.indicator))
        .copied()
        .unwrap_or(&[]);
    let relations = relations::relations(&keys, exact);
    // Union–find over cells, joined through relations that hold a hidden cell.
    let mut parent: Vec<usize> = (0..report.cells).collect();
    fn root(parent: &mut [usize], mut x: usize) -> usize {
        while parent[x] != x {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        x
    }
    let mut touching: Vec<usize> = Vec::new();
    for (r, relation) in relations.iter().enumerate() {
        let mut hidden = relation
            .total
            .iter()
            .chain(&relation.parts)
            .filter(|c| seen(**c) == Seen::Hidden);
        if let Some(first) = hidden.next() {
            touching.push(r);
            let a = root(&mut parent, *first);
            for other in hidden {
                let b = root(&mut parent, *other);
                parent[b] = a;
            }
        }
    }
    // Groups: their hidden cells (local unknowns in cell order) and equations.
    let mut groups: BTreeMap<usize, (Vec<usize>, Vec<usize>)> = BTreeMap::new();
    for cell in (0..report.cells).filter(|c| seen(*c) == Seen::Hidden) {
        let g = root(&mut parent, cell);
        groups.entry(g).or_default().0.push(cell);
    }
    for r in touching {
        let relation = &relations[r];
        let hidden = relation
            .total
            .iter()
            .chain(&relation.parts)
            .find(|c| seen(**c) == Seen::Hidden)
            .expect("a touching relation holds a hidden cell");
        let g = root(&mut parent, *hidden);
        groups.get_mut(&g).expect("a hidden cell's group").1.push(r);
    }
    report.hidden = groups.values().map(|(cells, _)| cells.len()).sum();
    report.groups = groups.len();
    for (cells, members) in groups.values() {
        report.largest_group = report.largest_group.max(cells.len());
        let local: std::collections::HashMap<usize, u32> = cells
            .iter()
            .enumerate()
            .map(|(i, c)| (*c, i as u32))
            .collect();
        // Each inexact relation's remainder is one more unknown, after the cells.
        let mut remainders = 0;
        let equations: Vec<Equation> = members
            .iter()
            .map(|r| {
                let relation = &relations[*r];
                let mut terms = Vec::new();
                if !relation.exact {
                    terms.push(((cells.len() + remainders) as u32, -1));
                    remainders += 1;
                }
                let mut rhs: i128 = 0;
                let signed = relation
                    .total
                    .iter()
                    .map(|c| (*c, 1i64))
                    .chain(relation.parts.iter().map(|c| (*c, -1i64)));
                for (cell, sign) in signed {
                    match seen(cell) {
                        Seen::Hidden => terms.push((local[&cell], sign)),
                        Seen::Count(n) => rhs -= i128::from(sign) * i128::from(n),
                        Seen::Empty => {}
                    }
                }
                Equation { terms, rhs }
            })
            .collect();
        audit_group(rows, cells, remainders, &equations, options, &mut report);
    }
    report
}

/// Audits one group of hidden cells (`cells`, in the table) with its `equations` over them
/// and `remainders` more unknowns.
fn audit_group(
    rows: &[&SeenRow],
    cells: &[usize],
    remainders: usize,
    equations: &[Equation],
    options: &AuditOptions,
    report: &mut AuditReport,
) {
    let categories = CATEGORIES.len();
    let name = |u: usize| CellName::of(&rows[cells[u] / categories].key, cells[u] % categories);
    let unknowns = cells.len() + remainders;
    let determined = exact::determined(equations, unknowns);
    // Remainders are unknowns of the programs, never reported.
    let mut skip: Vec<bool> = (0..unknowns).map(|u| u >= cells.len()).collect();
    for (u, value) in determined.iter().enumerate().take(cells.len()) {
        if let Some(value) = value {
            skip[u] = true;
            report.recoverable += 1;
            if report.recoverable_examples.len() < options.examples {
                report.recoverable_examples.push(Recovered {
                    cell: name(u),
                    value: *value,
                });
            }
        }
    }
    let open = skip.iter().filter(|s| !**s).count();
    if open == 0 {
        return;
    }
    if open + remainders > options.max_lp_unknowns {
        report.too_large_groups += 1;
        report.too_large_cells += open;
        report.too_large_sizes.push(open);
        report.too_large_sizes.sort_unstable_by(|a, b| b.cmp(a));
        report.too_large_sizes.truncate(options.examples);
        return;
    }
    // The determined cells are known to the analyst: substitute them.
    let reduced: Vec<Equation> = equations
        .iter()
        .filter_map(|e| {
            let mut rhs = e.rhs;
            let mut terms = Vec::new();
            for (u, coef) in &e.terms {
                match determined[*u as usize] {
                    Some(value) => rhs -= i128::from(*coef) * value,
                    None => terms.push((*u, *coef)),
                }
            }
            (!terms.is_empty()).then_some(Equation { terms, rhs })
        })
        .collect();
    let lowest: Vec<f64> = (0..unknowns)
        .map(|u| if u < cells.len() { 1.0 } else { 0.0 })
        .collect();
    match range::bounds(&reduced, &skip, &lowest, options.k) {
        Ok(bounds) => {
            for (u, bound) in bounds.iter().enumerate() {
                match bound {
                    Some(Bound::Narrow { min, max }) => {
                        report.narrow += 1;
                        if report.narrow_examples.len() < options.examples {
                            report.narrow_examples.push(Narrow {
                                cell: name(u),
                                min: *min,
                                max: *max,
                            });
                        }
                    }
                    Some(Bound::Wide) => report.wide += 1,
                    Some(Bound::Unbounded) => report.unbounded += 1,
                    None => {}
                }
            }
        }
        Err(e) => {
            if report.lp_failures.len() < options.examples {
                report
                    .lp_failures
                    .push(format!("group of {} at {}: {e}", cells.len(), name(0)));
            }
        }
    }
}
