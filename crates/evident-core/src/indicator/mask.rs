//! Disclosure control over everything Evident publishes about an indicator: the linked
//! table of one indicator in one year — every node of the organisation tree × every
//! breakdown category × the year and its quarters × the total and its variants — and its
//! suppression mask.
//!
//! A cell is hidden when fewer than `k` distinct clients stand behind it (primary
//! suppression); enough other cells are hidden (complementary suppression,
//! [`crate::stats::disclosure::protect`]) that no hidden cell follows from the published ones
//! through any combination of the relations an analyst knows:
//!
//! - a parent node's cell is the sum of its children's;
//! - the total is the sum of women and men, and the sum of the five age bands;
//! - a year is the sum of its quarters;
//! - the total variant is the sum of the instrument variants, and the sum of the
//!   intervention-type variants (treated as exact, as if the analyst also knew the records
//!   without an instrument or type — the cautious assumption).
//!
//! Years are independent of each other (no published relation joins them), so each
//! (indicator, year) is one table, masked on its own and in parallel. The mask depends only
//! on the table's counts, in a canonical order (variant, period, node code), so the same
//! facts give the same mask on every run and backend.

use super::cube::{BREAKDOWN_GROUPS, CATEGORIES, Period, Row, RowKey, parallel_map};
use crate::org::{OrgCode, OrgLevel};
use crate::stats::disclosure::{Table, release};
use std::collections::{BTreeMap, HashMap};

/// The suppression mask (bit `c` set: category `c` of [`CATEGORIES`] hidden) of each of
/// `rows`, in the order of `rows`. `rows` may hold any indicators and years; each
/// (indicator, year) must be complete — every row of it that has data — as a full
/// computation gives it or the store reads it for a re-mask. Identical tables (indicators
/// over the same population, such as the shares improved and deteriorated) are masked once.
pub fn mask_rows(rows: &[(RowKey, Row)], k: u64) -> Vec<u8> {
    let tables = tables_of(rows);
    // Tables with the same shape and counts get the same mask: solve each shape once.
    type Shape<'a> = Vec<(&'a str, Period, &'a OrgCode, [(i64, i64); 8])>;
    let mut first_of: HashMap<Shape<'_>, usize> = HashMap::new();
    let mut distinct: Vec<usize> = Vec::new();
    let same_as: Vec<usize> = tables
        .iter()
        .enumerate()
        .map(|(t, members)| {
            let shape: Shape<'_> = members
                .iter()
                .map(|i| {
                    let (key, row) = &rows[*i];
                    let counts = std::array::from_fn(|c| (row[c].n, row[c].people));
                    (key.variant.as_str(), key.period, &key.node, counts)
                })
                .collect();
            *first_of.entry(shape).or_insert_with(|| {
                distinct.push(t);
                distinct.len() - 1
            })
        })
        .collect();
    let masks = parallel_map(distinct.len(), |d| {
        let members = &tables[distinct[d]];
        let table: Vec<(&RowKey, &Row)> =
            members.iter().map(|i| (&rows[*i].0, &rows[*i].1)).collect();
        mask_table(&table, k)
    });
    let mut out = vec![0u8; rows.len()];
    for (members, d) in tables.iter().zip(same_as) {
        for (i, mask) in members.iter().zip(&masks[d]) {
            out[*i] = *mask;
        }
    }
    out
}

/// The masks of the rows of one or more (indicator, year) tables after a change, given each
/// row's mask before it (0 for a new row). A small table is masked afresh, as [`mask_rows`]
/// does. In a large one what was hidden stays hidden and only the cells that now need hiding
/// get hypercubes of their own — cheap enough for every write — unless a hidden cell has
/// become empty (its hypercube no longer holds), when it too is masked afresh. An extended
/// mask is safe but may hide more than [`mask_rows`] of the same facts; the next full
/// computation (daily) restores the canonical mask.
pub fn extend_masks(rows: &[(RowKey, Row)], previous: &[u8], k: u64) -> Vec<u8> {
    extend_tables_above(rows, previous, k, EXTEND_ABOVE_CELLS)
}

/// [`extend_masks`], extending tables of more than `above` cells.
fn extend_tables_above(rows: &[(RowKey, Row)], previous: &[u8], k: u64, above: usize) -> Vec<u8> {
    let mut out = vec![0u8; rows.len()];
    for members in tables_of(rows) {
        let table: Vec<(&RowKey, &Row)> =
            members.iter().map(|i| (&rows[*i].0, &rows[*i].1)).collect();
        let small = members.len() * CATEGORIES.len() <= above;
        let emptied = small
            || members.iter().any(|i| {
                (0..CATEGORIES.len()).any(|c| previous[*i] & (1 << c) != 0 && rows[*i].1[c].n <= 0)
            });
        let masks = if emptied {
            mask_table(&table, k)
        } else {
            let before: Vec<u8> = members.iter().map(|i| previous[*i]).collect();
            extend_table(&table, &before, k)
        };
        for (i, mask) in members.iter().zip(masks) {
            out[*i] = mask;
        }
    }
    out
}

/// The indices of `rows` by (indicator, year) table, each table's rows in canonical order
/// (variant, period, node code), tables in (indicator, year) order.
fn tables_of(rows: &[(RowKey, Row)]) -> Vec<Vec<usize>> {
    let mut tables: BTreeMap<(&str, i32), Vec<usize>> = BTreeMap::new();
    for (i, (key, _)) in rows.iter().enumerate() {
        tables
            .entry((key.indicator.as_str(), key.period.year()))
            .or_default()
            .push(i);
    }
    let mut tables: Vec<Vec<usize>> = tables.into_values().collect();
    for members in &mut tables {
        members.sort_by(|a, b| {
            let (a, b) = (&rows[*a].0, &rows[*b].0);
            (&a.variant, a.period, &a.node).cmp(&(&b.variant, b.period, &b.node))
        });
    }
    tables
}

/// The masks of one (indicator, year) table, its rows in canonical order.
fn mask_table(rows: &[(&RowKey, &Row)], k: u64) -> Vec<u8> {
    let mut masks = extend_table(rows, &vec![0; rows.len()], k);
    release_headlines(rows, &mut masks, k);
    masks
}

/// Publishes again the complementary suppressions among the headline cells — the total of
/// the total variant at a municipality, county or the nation, the figures comparisons are
/// read from — that no hidden cell turns out to need, largest first. The hypercubes are a
/// certificate, not an optimum: in a sparse table the only cubes that fit often run up to
/// the national total, hiding it although it rests on thousands of people. Each release is
/// checked exactly ([`release`]); tables with more than [`RELEASE_UP_TO_HIDDEN`] hidden
/// cells keep their hypercube mask (the elimination would take too long, and in tables that
/// large the headline cells are rarely hidden).
fn release_headlines(rows: &[(&RowKey, &Row)], masks: &mut [u8], k: u64) {
    let categories = CATEGORIES.len();
    let hidden_cells: usize = masks.iter().map(|m| m.count_ones() as usize).sum();
    if hidden_cells > RELEASE_UP_TO_HIDDEN {
        return;
    }
    let table = linked_table(rows);
    let mut hidden: Vec<bool> = (0..table.cells.len())
        .map(|cell| masks[cell / categories] & (1 << (cell % categories)) != 0)
        .collect();
    let mut candidates: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, (key, row))| {
            key.variant.is_empty()
                && key.node.level() != OrgLevel::Unit
                && row[0].n > 0
                && (row[0].people.max(0) as u64) >= k
        })
        .map(|(i, _)| i * categories)
        .filter(|cell| hidden[*cell])
        .collect();
    candidates.sort_by_key(|cell| (std::cmp::Reverse(table.cells[*cell]), *cell));
    if candidates.is_empty() {
        return;
    }
    release(&table, &mut hidden, &candidates);
    for (row, mask) in masks.iter_mut().enumerate() {
        *mask = (0..categories)
            .filter(|c| hidden[row * categories + c])
            .fold(0u8, |m, c| m | 1 << c);
    }
}

/// The masks of one table that keep every cell `previous` hid and add hypercubes for the
/// cells that now need hiding and are not: each cell hidden before stays inside the hypercube
/// that hid it, as long as none of its cells has become empty.
fn extend_table(rows: &[(&RowKey, &Row)], previous: &[u8], k: u64) -> Vec<u8> {
    let mut cube = LinkedCube::of(rows);
    let mut covered = vec![false; cube.n.len()];
    for ((key, _), mask) in rows.iter().zip(previous) {
        for c in (0..CATEGORIES.len()).filter(|c| mask & (1 << c) != 0) {
            let cell = cube.cell_of(key, c);
            cube.hidden[cell] = true;
            covered[cell] = true;
        }
    }
    let primary: Vec<usize> = rows
        .iter()
        .flat_map(|(key, row)| {
            let cube = &cube;
            row.iter()
                .enumerate()
                .filter(move |(_, s)| s.n > 0 && (s.people.max(0) as u64) < k)
                .map(move |(c, _)| cube.cell_of(key, c))
        })
        .collect();
    cube.protect(&primary, covered);
    rows.iter()
        .map(|(key, _)| {
            (0..CATEGORIES.len()).fold(0u8, |mask, c| {
                if cube.hidden[cube.cell_of(key, c)] {
                    mask | 1 << c
                } else {
                    mask
                }
            })
        })
        .collect()
}

/// The cells of one (indicator, year) table as a dense cube: variant × period (the year,
/// then its quarters) × node × category, with each cell's record count (0 where no row is).
struct LinkedCube<'a> {
    variants: Vec<&'a str>,
    nodes: Vec<&'a OrgCode>,
    parent: Vec<Option<usize>>,
    children: Vec<Vec<usize>>,
    /// The variants of each group that sums to the total (instruments, intervention types).
    groups: Vec<Vec<usize>>,
    n: Vec<u64>,
    hidden: Vec<bool>,
}

/// The supports of the null vectors of one dimension's relations that include a coordinate:
/// sets of coordinates, each to be hidden together.
type Supports = Vec<Vec<usize>>;

/// Tables with more cells than this are extended after a write rather than masked afresh.
const EXTEND_ABOVE_CELLS: usize = 40_000;

/// Tables with more hidden cells than this keep their hypercube mask as it is.
const RELEASE_UP_TO_HIDDEN: usize = 30_000;

/// How many fitting hypercubes are compared by their whole cost.
const COMPARED: usize = 8;

/// How many combinations of per-dimension supports are tried at most for one cell.
const MAX_TRIES: usize = 100_000;

/// How many supports of the node dimension are kept per level of the tree.
const NODE_SUPPORTS_PER_LEVEL: usize = 6;

impl<'a> LinkedCube<'a> {
    fn of(rows: &[(&'a RowKey, &'a Row)]) -> Self {
        let mut variants: Vec<&str> = rows.iter().map(|(k, _)| k.variant.as_str()).collect();
        variants.sort_unstable();
        variants.dedup();
        if variants.first() != Some(&"") {
            variants.insert(0, "");
        }
        let mut nodes: Vec<&OrgCode> = rows.iter().map(|(k, _)| &k.node).collect();
        nodes.sort_unstable();
        nodes.dedup();
        let node_index: HashMap<&OrgCode, usize> =
            nodes.iter().enumerate().map(|(i, c)| (*c, i)).collect();
        let parent: Vec<Option<usize>> = nodes
            .iter()
            .map(|c| c.parent().and_then(|p| node_index.get(&p).copied()))
            .collect();
        let mut children = vec![Vec::new(); nodes.len()];
        for (i, p) in parent.iter().enumerate() {
            if let Some(p) = p {
                children[*p].push(i);
            }
        }
        let groups: Vec<Vec<usize>> = ["instrument:", "type:"]
            .iter()
            .map(|prefix| {
                (0..variants.len())
                    .filter(|v| variants[*v].starts_with(prefix))
                    .collect::<Vec<_>>()
            })
            .filter(|g| !g.is_empty())
            .collect();
        let size = variants.len() * PERIODS * nodes.len() * CATEGORIES.len();
        let mut cube = Self {
            variants,
            nodes,
            parent,
            children,
            groups,
            n: vec![0; size],
            hidden: vec![false; size],
        };
        for (key, row) in rows {
            for (c, s) in row.iter().enumerate() {
                let cell = cube.cell_of(key, c);
                cube.n[cell] = s.n.max(0) as u64;
            }
        }
        cube
    }

    fn cell(&self, [v, p, node, c]: [usize; 4]) -> usize {
        ((v * PERIODS + p) * self.nodes.len() + node) * CATEGORIES.len() + c
    }

    fn coordinates(&self, cell: usize) -> [usize; 4] {
        let c = cell % CATEGORIES.len();
        let rest = cell / CATEGORIES.len();
        let node = rest % self.nodes.len();
        let rest = rest / self.nodes.len();
        [rest / PERIODS, rest % PERIODS, node, c]
    }

    fn cell_of(&self, key: &RowKey, category: usize) -> usize {
        let v = self
            .variants
            .binary_search(&key.variant.as_str())
            .expect("a variant of the table");
        let node = self
            .nodes
            .binary_search(&&key.node)
            .expect("a node of the table");
        let p = match key.period {
            Period::Year(_) => 0,
            Period::Quarter(_, q) => usize::from(q),
        };
        self.cell([v, p, node, category])
    }

    /// Hides every primary cell inside a hypercube of hidden cells: for each dimension a
    /// set of coordinates carrying a null vector of that dimension's relations (a cell and
    /// a sibling with opposite signs, or a part together with its totals), whose product is
    /// a vector that changes no relation's sum and is non-zero on every one of its cells.
    /// Adding it to the true values gives another table that publishes exactly the same, so
    /// none of its cells can be worked out. A primary cell already inside an earlier
    /// hypercube (`covered`) is protected by it.
    fn protect(&mut self, primary: &[usize], mut covered: Vec<bool>) {
        for cell in primary {
            self.hidden[*cell] = true;
        }
        for cell in primary {
            if covered[*cell] {
                continue;
            }
            let x = self.coordinates(*cell);
            let supports = [
                self.variant_supports(x[0]),
                period_supports(x[1]),
                self.node_supports(x),
                category_supports(x[3]),
            ];
            // No cube under the cautious reading of the variant relations (total = Σ of each
            // group exactly)? Where records lack a group's key (measurements of cases without
            // a typed intervention), that relation has an unpublished remainder and binds
            // nothing: cubes may leave the group out.
            let found = self.cheapest_hypercube(x, &supports).or_else(|| {
                let loose = self.groups_with_remainder(x);
                if !loose.iter().any(|l| *l) {
                    return None;
                }
                let mut supports = supports;
                supports[0] = self.variant_supports_skipping(x[0], &loose);
                self.cheapest_hypercube(x, &supports)
            });
            if let Some(cells) = found {
                for c in cells {
                    self.hidden[c] = true;
                    covered[c] = true;
                }
            }
        }
    }

    /// The cells of a cheap hypercube around `x` whose cells all hold records (a cell known
    /// to be empty cannot be hidden). Each dimension's supports are first narrowed to those
    /// whose cells along `x`'s own line hold records, and ranked by the records of the
    /// published cells they add along that line; combinations of the cheapest are tried
    /// cheapest first, then every combination in rank order. One always fits — the supports
    /// that go from `x` up to the totals through the categories and variants of any one of
    /// its records — so `None` is not expected.
    fn cheapest_hypercube(&self, x: [usize; 4], supports: &[Supports; 4]) -> Option<Vec<usize>> {
        let line = |d: usize, support: &[usize]| -> Option<u64> {
            let mut cost = 0;
            for y in support {
                let mut at = x;
                at[d] = *y;
                let cell = self.cell(at);
                match self.n[cell] {
                    0 => return None,
                    n if !self.hidden[cell] => cost += n,
                    _ => {}
                }
            }
            Some(cost)
        };
        let ranked: [Vec<(u64, usize)>; 4] = std::array::from_fn(|d| {
            let mut costs: Vec<(u64, usize)> = supports[d]
                .iter()
                .enumerate()
                .filter_map(|(i, o)| Some((line(d, o)?, i)))
                .collect();
            costs.sort_unstable();
            costs
        });
        let pick = |ranks: [usize; 4]| -> [&Vec<usize>; 4] {
            std::array::from_fn(|d| &supports[d][ranked[d][ranks[d]].1])
        };
        let cheap: [usize; 4] = std::array::from_fn(|d| ranked[d].len().min(4));
        let mut combos: Vec<(u64, [usize; 4])> = Vec::new();
        for ranks in product(cheap) {
            let cost = (0..4).map(|d| ranked[d][ranks[d]].0).sum();
            combos.push((cost, ranks));
        }
        combos.sort_unstable();
        // Of the first few that fit, the one adding the fewest records to what is hidden.
        let mut best: Option<(u64, Vec<usize>)> = None;
        for cells in combos
            .iter()
            .filter_map(|(_, ranks)| self.hypercube(pick(*ranks)))
            .take(COMPARED)
        {
            let cost = cells
                .iter()
                .filter(|c| !self.hidden[**c])
                .map(|c| self.n[*c])
                .sum::<u64>();
            if best.as_ref().is_none_or(|(b, _)| cost < *b) {
                best = Some((cost, cells));
            }
        }
        if let Some((_, cells)) = best {
            return Some(cells);
        }
        let all: [usize; 4] = std::array::from_fn(|d| ranked[d].len());
        product(all)
            .take(MAX_TRIES)
            .find_map(|ranks| self.hypercube(pick(ranks)))
    }

    /// The cells of the product of `supports`, if every one holds records.
    fn hypercube(&self, supports: [&Vec<usize>; 4]) -> Option<Vec<usize>> {
        let mut cells = Vec::with_capacity(supports.iter().map(|s| s.len()).product());
        for v in supports[0] {
            for p in supports[1] {
                for node in supports[2] {
                    for c in supports[3] {
                        let cell = self.cell([*v, *p, *node, *c]);
                        if self.n[cell] == 0 {
                            return None;
                        }
                        cells.push(cell);
                    }
                }
            }
        }
        Some(cells)
    }

    /// The variant dimension: the total equals the sum of each group. A variant pairs with
    /// another of its group, or goes up to the total with one variant of every other group;
    /// the total goes with one variant of every group.
    fn variant_supports(&self, v: usize) -> Supports {
        self.variant_supports_skipping(v, &vec![false; self.groups.len()])
    }

    /// Which variant groups do not sum to the total on `x`'s line: records there lack the
    /// group's key, so the relation holds only with an unpublished remainder.
    fn groups_with_remainder(&self, x: [usize; 4]) -> Vec<bool> {
        let at = |v: usize| self.n[self.cell([v, x[1], x[2], x[3]])];
        self.groups
            .iter()
            .map(|g| at(0) > g.iter().map(|v| at(*v)).sum::<u64>())
            .collect()
    }

    /// [`LinkedCube::variant_supports`], leaving out the relations of the groups in `skip`
    /// (their remainder takes up the change): a variant of such a group may stand alone.
    fn variant_supports_skipping(&self, v: usize, skip: &[bool]) -> Supports {
        let mine = self.groups.iter().position(|g| g.contains(&v));
        let mut out = Vec::new();
        if mine.is_some_and(|g| skip[g]) {
            out.push(vec![v]);
        }
        if let Some(g) = mine {
            out.extend(
                self.groups[g]
                    .iter()
                    .filter(|w| **w != v)
                    .map(|w| vec![v, *w]),
            );
        }
        // Up to the total (index 0) with one member of each other group.
        let mut partial: Vec<Vec<usize>> = vec![if v == 0 { vec![0] } else { vec![v, 0] }];
        for (g, members) in self.groups.iter().enumerate() {
            if Some(g) == mine || skip[g] {
                continue;
            }
            partial = partial
                .into_iter()
                .flat_map(|p| {
                    members.iter().map(move |m| {
                        let mut p = p.clone();
                        p.push(*m);
                        p
                    })
                })
                .collect();
        }
        out.extend(partial);
        out
    }

    /// The node dimension: a parent equals the sum of its children. At each level from the
    /// node up, the ancestor there (with the path down to the node, and on below it to a
    /// unit) pairs with one of its siblings (and a path down from it), or, at the top, stands
    /// alone. Siblings are kept cheapest first, a few per level.
    fn node_supports(&self, x: [usize; 4]) -> Supports {
        let published = |node: usize| {
            let cell = self.cell([x[0], x[1], node, x[3]]);
            if self.hidden[cell] { 0 } else { self.n[cell] }
        };
        let below = self.paths_down(x[2]);
        let mut out = Vec::new();
        let mut up = vec![x[2]];
        let mut at = x[2];
        loop {
            let Some(parent) = self.parent[at] else {
                for path in &below {
                    out.push([up.as_slice(), &path[1..]].concat());
                }
                break;
            };
            let mut siblings: Vec<usize> = self.children[parent]
                .iter()
                .copied()
                .filter(|s| *s != at)
                .collect();
            siblings.sort_by_key(|s| (published(*s), *s));
            for sibling in siblings.into_iter().take(NODE_SUPPORTS_PER_LEVEL) {
                let theirs = self.paths_down(sibling);
                for path in below.iter().take(2) {
                    for other in theirs.iter().take(2) {
                        out.push([up.as_slice(), &path[1..], other].concat());
                    }
                }
            }
            up.push(parent);
            at = parent;
        }
        out
    }

    /// The paths from `node` down to a node without children, each starting at `node`; at
    /// most a few dozen, in code order.
    fn paths_down(&self, node: usize) -> Vec<Vec<usize>> {
        const MAX_PATHS: usize = 64;
        let mut done = Vec::new();
        let mut stack = vec![vec![node]];
        while let Some(path) = stack.pop() {
            let last = *path.last().expect("a path is never empty");
            if self.children[last].is_empty() {
                done.push(path);
                if done.len() == MAX_PATHS {
                    break;
                }
                continue;
            }
            for child in self.children[last].iter().rev() {
                let mut longer = path.clone();
                longer.push(*child);
                stack.push(longer);
            }
        }
        done
    }
}

/// Every combination of one index below each of `sizes`, the last dimension fastest.
fn product(sizes: [usize; 4]) -> impl Iterator<Item = [usize; 4]> {
    let total: usize = sizes.iter().product();
    (0..total).map(move |mut i| {
        let mut out = [0; 4];
        for d in (0..4).rev() {
            out[d] = i % sizes[d];
            i /= sizes[d];
        }
        out
    })
}

/// The periods of a table: the year (0) and its four quarters (1–4).
const PERIODS: usize = 5;

/// The period dimension: the year equals the sum of its quarters. A quarter pairs with
/// another quarter, or goes up to the year; the year goes with one quarter.
fn period_supports(p: usize) -> Supports {
    if p == 0 {
        (1..PERIODS).map(|q| vec![0, q]).collect()
    } else {
        let mut out: Supports = (1..PERIODS)
            .filter(|q| *q != p)
            .map(|q| vec![p, q])
            .collect();
        out.push(vec![p, 0]);
        out
    }
}

/// The category dimension: the total equals women + men and the sum of the age bands. A
/// part pairs with another part of its breakdown, or goes up to the total with one part of
/// the other breakdown; the total goes with one part of each.
fn category_supports(c: usize) -> Supports {
    let [sex, age] = &BREAKDOWN_GROUPS;
    let (own, other) = if sex.contains(&c) {
        (sex.clone(), age.clone())
    } else if age.contains(&c) {
        (age.clone(), sex.clone())
    } else {
        return sex
            .clone()
            .flat_map(|s| age.clone().map(move |a| vec![0, s, a]))
            .collect();
    };
    let mut out: Supports = own.filter(|o| *o != c).map(|o| vec![c, o]).collect();
    out.extend(other.map(|o| vec![c, 0, o]));
    out
}

/// The cells (record counts; cell = row · 8 + category) and relations of one (indicator,
/// year) table, as the exact check of [`crate::stats::disclosure`] takes them: the
/// tests' independent check of the hypercubes.
fn linked_table(rows: &[(&RowKey, &Row)]) -> Table {
    let categories = CATEGORIES.len();
    let cell = |row: usize, category: usize| row * categories + category;
    let index: HashMap<(&str, Period, &OrgCode), usize> = rows
        .iter()
        .enumerate()
        .map(|(i, (key, _))| ((key.variant.as_str(), key.period, &key.node), i))
        .collect();
    // Each total row's parts along one dimension: (total row, dimension) → part rows.
    let mut parts: BTreeMap<(usize, u8), Vec<usize>> = BTreeMap::new();
    for (i, (key, _)) in rows.iter().enumerate() {
        let mut part_of = |total: Option<&usize>, dimension: u8| {
            if let Some(total) = total {
                parts.entry((*total, dimension)).or_default().push(i);
            }
        };
        let parent = key.node.parent();
        part_of(
            parent
                .as_ref()
                .and_then(|p| index.get(&(key.variant.as_str(), key.period, p))),
            0,
        );
        if let Period::Quarter(year, _) = key.period {
            part_of(
                index.get(&(key.variant.as_str(), Period::Year(year), &key.node)),
                1,
            );
        }
        let variant_group = match key.variant.split_once(':') {
            Some(("instrument", _)) => Some(2),
            Some(("type", _)) => Some(3),
            _ => None,
        };
        if let Some(dimension) = variant_group {
            part_of(index.get(&("", key.period, &key.node)), dimension);
        }
    }
    let mut relations = Vec::new();
    for ((total, _), members) in &parts {
        for category in 0..categories {
            relations.push((
                cell(*total, category),
                members.iter().map(|m| cell(*m, category)).collect(),
            ));
        }
    }
    for row in 0..rows.len() {
        for group in &BREAKDOWN_GROUPS {
            relations.push((cell(row, 0), group.clone().map(|c| cell(row, c)).collect()));
        }
    }
    Table {
        cells: rows
            .iter()
            .flat_map(|(_, row)| row.iter().map(|s| s.n.max(0) as u64))
            .collect(),
        relations,
    }
}

#[cfg(test)]
mod tests;
