//! Disclosure control for published counts: primary suppression of cells resting on fewer
//! than `k` individuals, and complementary suppression so that no suppressed cell can be
//! recovered by subtraction from the published cells and the table's additive relations
//! (a parent equals the sum of its children; a total equals the sum of each breakdown).
//!
//! A suppressed cell is *recoverable* when its value is determined by the linear equations
//! left after substituting every published value — exactly when its unit vector lies in the
//! row space of those equations. [`protect`] first makes every relation hold either no
//! suppressed cell or at least two (the classic local rule, cheap), then checks exactly, one
//! connected group of suppressed cells at a time, and adds complementary suppressions until
//! no suppressed cell is recoverable — choosing the smallest published cell next to each
//! exposed one (the least information lost, as statistical offices do). The exact check is
//! sparse Gaussian elimination over a prime field; the tests verify the result with an
//! independent exact-rational check on random trees, and `evident disclosure audit` checks
//! what is actually published. The tables come from [`crate::indicator::mask`]: one linked
//! table per indicator and year.

use std::collections::HashSet;
use std::ops::Range;

/// Cells and the additive relations between them: `cells[total] = Σ cells[parts]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    /// Counts of individuals per cell.
    pub cells: Vec<u64>,
    /// Each relation as (total cell, part cells).
    pub relations: Vec<(usize, Vec<usize>)>,
}

/// Builds the table of a tree (parent → children) crossed with one breakdown (the "all"
/// category and its parts, e.g. all = women + men). `counts[node][category]`, category 0 is
/// "all". Cell index = `node * categories + category`.
pub fn tree_table(parents: &[Option<usize>], counts: &[Vec<u64>]) -> Table {
    let categories = counts.first().map_or(0, Vec::len);
    let groups: Vec<Range<usize>> = (categories > 1)
        .then_some(1..categories)
        .into_iter()
        .collect();
    breakdown_table(parents, counts, &groups)
}

/// Builds the table of a tree crossed with several breakdowns of the same total: category 0
/// is "all" and each range in `groups` is a breakdown whose categories sum to it (e.g. sex
/// `1..3` and age band `3..8`). Cell index = `node * categories + category`.
pub fn breakdown_table(
    parents: &[Option<usize>],
    counts: &[Vec<u64>],
    groups: &[Range<usize>],
) -> Table {
    let categories = counts.first().map_or(0, Vec::len);
    let cell = |node: usize, category: usize| node * categories + category;
    let mut children = vec![Vec::new(); parents.len()];
    for (node, parent) in parents.iter().enumerate() {
        if let Some(parent) = parent {
            children[*parent].push(node);
        }
    }
    let mut relations = Vec::new();
    for (node, kids) in children.iter().enumerate() {
        if !kids.is_empty() {
            for category in 0..categories {
                relations.push((
                    cell(node, category),
                    kids.iter().map(|c| cell(*c, category)).collect(),
                ));
            }
        }
        for group in groups {
            relations.push((
                cell(node, 0),
                group.clone().map(|c| cell(node, c)).collect(),
            ));
        }
    }
    Table {
        cells: counts.iter().flatten().copied().collect(),
        relations,
    }
}

/// The relations each cell takes part in.
fn relations_by_cell(table: &Table) -> Vec<Vec<usize>> {
    let mut by_cell = vec![Vec::new(); table.cells.len()];
    for (r, (total, parts)) in table.relations.iter().enumerate() {
        by_cell[*total].push(r);
        for part in parts {
            by_cell[*part].push(r);
        }
    }
    by_cell
}

/// The members of relation `r`: its total and its parts.
fn members(table: &Table, r: usize) -> impl Iterator<Item = usize> + '_ {
    let (total, parts) = &table.relations[r];
    std::iter::once(*total).chain(parts.iter().copied())
}

/// The equations left when every published cell is known, over the suppressed cells in
/// `unknowns` (only relations touching them).
#[cfg(test)]
fn residual_system(
    table: &Table,
    suppressed: &[bool],
    unknowns: &[usize],
    relations: &[usize],
) -> Vec<Vec<f64>> {
    let column: std::collections::HashMap<usize, usize> =
        unknowns.iter().enumerate().map(|(i, u)| (*u, i)).collect();
    relations
        .iter()
        .filter_map(|r| {
            let (total, parts) = &table.relations[*r];
            let mut row = vec![0.0; unknowns.len()];
            if suppressed[*total] {
                row[column[total]] += 1.0;
            }
            for part in parts.iter().filter(|p| suppressed[**p]) {
                row[column[part]] -= 1.0;
            }
            row.iter().any(|v| *v != 0.0).then_some(row)
        })
        .collect()
}

/// Arithmetic modulo the Mersenne prime 2⁶¹ − 1, in which the residual systems are solved
/// exactly: their coefficients are small integers, so eliminating over this field finds the
/// same row space as over the rationals, without rounding and without the growth of exact
/// fractions.
mod field {
    /// The modulus.
    pub const P: u64 = (1 << 61) - 1;

    /// `a · b mod P`.
    pub fn mul(a: u64, b: u64) -> u64 {
        let t = u128::from(a) * u128::from(b);
        reduce((t & u128::from(P)) as u64 + (t >> 61) as u64)
    }

    /// `a + b mod P`.
    pub fn add(a: u64, b: u64) -> u64 {
        reduce(a + b)
    }

    /// `−a mod P`.
    pub fn neg(a: u64) -> u64 {
        if a == 0 { 0 } else { P - a }
    }

    /// The inverse of a non-zero `a` (Fermat; ±1, the common case, at once).
    pub fn inv(a: u64) -> u64 {
        if a == 1 || a == P - 1 {
            return a;
        }
        let (mut base, mut exp, mut out) = (a, P - 2, 1);
        while exp > 0 {
            if exp & 1 == 1 {
                out = mul(out, base);
            }
            base = mul(base, base);
            exp >>= 1;
        }
        out
    }

    fn reduce(x: u64) -> u64 {
        let x = (x & P) + (x >> 61);
        if x >= P { x - P } else { x }
    }
}

/// A sparse row over [`field`]: (column, non-zero coefficient), by column.
type SparseRow = Vec<(u32, u64)>;

/// `row + factor · other`, dropping zeros.
fn add_scaled(row: &[(u32, u64)], other: &[(u32, u64)], factor: u64) -> SparseRow {
    let mut out = Vec::with_capacity(row.len() + other.len());
    let (mut i, mut j) = (0, 0);
    while i < row.len() || j < other.len() {
        let a = row.get(i).map_or(u32::MAX, |e| e.0);
        let b = other.get(j).map_or(u32::MAX, |e| e.0);
        let (column, value) = if a < b {
            i += 1;
            (a, row[i - 1].1)
        } else if b < a {
            j += 1;
            (b, field::mul(factor, other[j - 1].1))
        } else {
            i += 1;
            j += 1;
            (
                a,
                field::add(row[i - 1].1, field::mul(factor, other[j - 1].1)),
            )
        };
        if value != 0 {
            out.push((column, value));
        }
    }
    out
}

/// An echelon basis of the residual system of one group of suppressed cells: for each
/// column at most one row whose first entry is that column, with coefficient 1.
struct Echelon {
    rows: Vec<Option<SparseRow>>,
}

impl Echelon {
    /// Eliminates the equations of `relations` over the suppressed cells `unknowns` (sorted).
    fn of(table: &Table, suppressed: &[bool], unknowns: &[usize], relations: &[usize]) -> Self {
        let column = |cell: usize| {
            unknowns
                .binary_search(&cell)
                .expect("a suppressed member of the group's relations is in the group")
                as u32
        };
        Self::with_columns(table, suppressed, unknowns.len(), relations, column)
    }

    /// [`Echelon::of`] with the column of each suppressed cell given by `column`.
    fn with_columns(
        table: &Table,
        suppressed: &[bool],
        columns: usize,
        relations: &[usize],
        column: impl Fn(usize) -> u32,
    ) -> Self {
        let mut basis = Self {
            rows: vec![None; columns],
        };
        for r in relations {
            let (total, parts) = &table.relations[*r];
            let mut row: SparseRow = Vec::new();
            if suppressed[*total] {
                row.push((column(*total), 1));
            }
            row.extend(
                parts
                    .iter()
                    .filter(|p| suppressed[**p])
                    .map(|p| (column(*p), field::P - 1)),
            );
            row.sort_unstable_by_key(|e| e.0);
            // A cell appearing twice in one relation: combine its coefficients.
            let mut merged: SparseRow = Vec::with_capacity(row.len());
            for (c, v) in row {
                match merged.last_mut() {
                    Some(last) if last.0 == c => last.1 = field::add(last.1, v),
                    _ => merged.push((c, v)),
                }
            }
            merged.retain(|e| e.1 != 0);
            basis.insert(merged);
        }
        basis
    }

    /// Reduces `row` by the basis; keeps what is left as a new basis row. Returns whether
    /// `row` was independent of the basis.
    fn insert(&mut self, row: SparseRow) -> bool {
        self.insert_at(row).is_some()
    }

    /// [`Echelon::insert`], returning the pivot column of the new row (to take it out again).
    fn insert_at(&mut self, mut row: SparseRow) -> Option<usize> {
        while let Some(&(c, v)) = row.first() {
            match &self.rows[c as usize] {
                Some(pivot) => row = add_scaled(&row, pivot, field::neg(v)),
                None => {
                    if v != 1 {
                        let scale = field::inv(v);
                        row.iter_mut().for_each(|e| e.1 = field::mul(e.1, scale));
                    }
                    self.rows[c as usize] = Some(row);
                    return Some(c as usize);
                }
            }
        }
        None
    }

    /// Whether the unit vector of `column` lies in the row space: the cell's value follows.
    fn spans_unit(&self, column: usize) -> bool {
        let mut row: SparseRow = vec![(column as u32, 1)];
        while let Some(&(c, v)) = row.first() {
            match &self.rows[c as usize] {
                Some(pivot) => row = add_scaled(&row, pivot, field::neg(v)),
                None => return false,
            }
        }
        true
    }

    /// The columns that may be determined, ascending: those where a pseudo-random vector of
    /// the null space is zero. Every determined column is among them; any other is, with
    /// probability about 2⁻⁶¹, and [`Echelon::spans_unit`] tells them apart.
    fn candidates(&self) -> Vec<usize> {
        let x = self.null_vector(0);
        (0..x.len()).filter(|c| x[*c] == 0).collect()
    }

    /// A pseudo-random vector of the null space (`seed` picks which): free columns get
    /// non-zero values, pivot columns what makes their rows hold.
    fn null_vector(&self, seed: u64) -> Vec<u64> {
        let mut x = vec![0u64; self.rows.len()];
        let mut state = 0x9E37_79B9_7F4A_7C15u64 ^ seed.wrapping_mul(0xD1B5_4A32_D192_ED03);
        for c in (0..self.rows.len()).rev() {
            x[c] = match &self.rows[c] {
                // Back-substitution: the pivot's value makes its row hold.
                Some(row) => row[1..].iter().fold(0, |acc, (j, v)| {
                    field::add(acc, field::neg(field::mul(*v, x[*j as usize])))
                }),
                // A free column: a pseudo-random non-zero value (SplitMix64).
                None => {
                    state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
                    let mut z = state;
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    1 + (z ^ (z >> 31)) % (field::P - 1)
                }
            };
        }
        x
    }
}

/// The suppressed cells whose value the published cells determine.
pub fn recoverable(table: &Table, suppressed: &[bool]) -> Vec<usize> {
    let by_cell = relations_by_cell(table);
    components(table, suppressed, &by_cell)
        .flat_map(|(unknowns, relations)| {
            determined(table, suppressed, &unknowns, &relations, false)
        })
        .collect()
}

/// The suppressed cells in `unknowns` (sorted) that the relations in `relations` determine,
/// ascending; only the first when `first_only`.
fn determined(
    table: &Table,
    suppressed: &[bool],
    unknowns: &[usize],
    relations: &[usize],
    first_only: bool,
) -> Vec<usize> {
    let basis = Echelon::of(table, suppressed, unknowns, relations);
    let mut out = Vec::new();
    for c in basis.candidates() {
        if basis.spans_unit(c) {
            out.push(unknowns[c]);
            if first_only {
                break;
            }
        }
    }
    out
}

/// The suppressed cells grouped by the relations that connect them, each group (cells
/// ascending) with its relations: the residual system splits into these independent blocks.
/// Groups come in the order of their smallest cell, one at a time, so that a search can stop
/// at the first that matters.
fn components<'a>(
    table: &'a Table,
    suppressed: &'a [bool],
    by_cell: &'a [Vec<usize>],
) -> impl Iterator<Item = (Vec<usize>, Vec<usize>)> + 'a {
    let mut seen_cell = vec![false; table.cells.len()];
    let mut seen_relation = vec![false; table.relations.len()];
    (0..table.cells.len()).filter_map(move |start| {
        if !suppressed[start] || seen_cell[start] {
            return None;
        }
        seen_cell[start] = true;
        let (mut cells, mut relations, mut stack) = (vec![start], Vec::new(), vec![start]);
        while let Some(cell) = stack.pop() {
            for r in &by_cell[cell] {
                if std::mem::replace(&mut seen_relation[*r], true) {
                    continue;
                }
                relations.push(*r);
                for m in members(table, *r) {
                    if suppressed[m] && !std::mem::replace(&mut seen_cell[m], true) {
                        cells.push(m);
                        stack.push(m);
                    }
                }
            }
        }
        cells.sort_unstable();
        Some((cells, relations))
    })
}

/// Which cells to suppress: those with `0 < n < k`, and enough others that none of them can
/// be recovered. Zero cells are published (they reveal nothing about any individual).
pub fn suppress(table: &Table, k: u64) -> Vec<bool> {
    let primary: Vec<bool> = table.cells.iter().map(|n| *n > 0 && *n < k).collect();
    protect(table, &primary)
}

/// Which cells to suppress to protect the `primary` cells: those, and enough others (the
/// complementary suppressions) that no suppressed cell's value follows from the published
/// cells and the relations. Cells of value zero are never hidden: they are published as "no
/// data" whatever the mask says, so an attacker knows them.
///
/// Each round applies the local rule, then solves every connected group of hidden cells not
/// already found safe, and for each cell found determined hides the smallest published cell
/// next to it — several per group in one round, as long as they touch different relations,
/// so that a large group is solved a few times rather than once per cell.
pub fn protect(table: &Table, primary: &[bool]) -> Vec<bool> {
    let by_cell = relations_by_cell(table);
    let mut suppressed: Vec<bool> = primary
        .iter()
        .zip(&table.cells)
        .map(|(p, n)| *p && *n > 0)
        .collect();
    // Groups found to leak nothing. A group's relations are those of its cells, so the same
    // cells mean the same equations and the same answer: only changed groups are solved again.
    let mut safe: HashSet<Vec<usize>> = HashSet::new();
    loop {
        local_rule(table, &by_cell, &mut suppressed);
        let mut exposed = Vec::new();
        let groups: Vec<(Vec<usize>, Vec<usize>)> =
            components(table, &suppressed, &by_cell).collect();
        for (unknowns, relations) in groups {
            if safe.contains(&unknowns) {
                continue;
            }
            let found = determined(table, &suppressed, &unknowns, &relations, false);
            if found.is_empty() {
                safe.insert(unknowns);
            }
            exposed.extend(found);
        }
        exposed.sort_unstable();
        let mut touched = vec![false; table.cells.len()];
        let mut hid = false;
        for cell in exposed {
            if touched[cell] {
                continue;
            }
            // `None`: every cell connected to it is hidden already and it is still
            // determined — the relations force its value; nothing more can help.
            if let Some(c) = nearest_published(table, &by_cell, &suppressed, cell) {
                suppressed[c] = true;
                hid = true;
                for r in &by_cell[c] {
                    members(table, *r).for_each(|m| touched[m] = true);
                }
            }
        }
        if !hid {
            return suppressed;
        }
    }
}

/// Publishes again, one at a time in the order given, the `candidates` (hidden cells no
/// primary cell needs for itself) whose publication leaves every hidden cell undetermined:
/// complementary suppressions that turned out redundant, as a heuristic such as the
/// hypercube method leaves many. Returns how many were published again.
///
/// The residual system is eliminated once. Publishing a cell adds its unit vector to the
/// equations; the hidden cells stay undetermined exactly when a random vector of the new null
/// space is non-zero on every one of them (a cell that is not determined is zero there with
/// probability about 2⁻⁶¹, and then the cell simply stays hidden). So the result is as safe as
/// `suppressed` was.
pub fn release(table: &Table, suppressed: &mut [bool], candidates: &[usize]) -> usize {
    let mut unknowns: Vec<usize> = (0..table.cells.len()).filter(|c| suppressed[*c]).collect();
    let relations: Vec<usize> = (0..table.relations.len())
        .filter(|r| members(table, *r).any(|m| suppressed[m]))
        .collect();
    // Finest cells first (those that total the fewest relations): far less fill-in than
    // cell order when the totals are eliminated last.
    let mut totals = vec![0usize; table.cells.len()];
    for (total, _) in &table.relations {
        totals[*total] += 1;
    }
    unknowns.sort_by_key(|c| (totals[*c], *c));
    let mut column_of = vec![u32::MAX; table.cells.len()];
    for (i, u) in unknowns.iter().enumerate() {
        column_of[*u] = i as u32;
    }
    let mut basis = Echelon::with_columns(table, suppressed, unknowns.len(), &relations, |c| {
        column_of[c]
    });
    let mut released = 0;
    for (seed, cell) in candidates.iter().enumerate() {
        if !suppressed[*cell] || column_of[*cell] == u32::MAX {
            continue;
        }
        let column = column_of[*cell] as usize;
        let Some(pivot) = basis.insert_at(vec![(column as u32, 1)]) else {
            // Already determined by the rest: not expected of a safe mask; keep it hidden.
            continue;
        };
        let x = basis.null_vector(seed as u64);
        let safe = unknowns
            .iter()
            .zip(&x)
            .all(|(u, v)| *u == *cell || !suppressed[*u] || *v != 0);
        if safe {
            suppressed[*cell] = false;
            released += 1;
        } else {
            basis.rows[pivot] = None;
        }
    }
    released
}

/// Until no relation holds exactly one suppressed cell (which would be its total minus the
/// rest), hides the smallest non-zero published cell of each such relation.
fn local_rule(table: &Table, by_cell: &[Vec<usize>], suppressed: &mut [bool]) {
    let mut pending: Vec<usize> = (0..table.relations.len()).collect();
    while let Some(r) = pending.pop() {
        let hidden = members(table, r).filter(|m| suppressed[*m]).count();
        if hidden != 1 {
            continue;
        }
        let pick = members(table, r)
            .filter(|m| !suppressed[*m] && table.cells[*m] > 0)
            .min_by_key(|m| (table.cells[*m], *m));
        if let Some(m) = pick {
            suppressed[m] = true;
            pending.extend(&by_cell[m]);
        }
    }
}

/// The published cell to hide next to protect `cell`: the smallest non-zero published cell of
/// a relation involving `cell`, or — when all of those are hidden already — of a relation
/// reached through hidden cells (the value leaks along such chains), nearest first.
fn nearest_published(
    table: &Table,
    by_cell: &[Vec<usize>],
    suppressed: &[bool],
    cell: usize,
) -> Option<usize> {
    let mut frontier = vec![cell];
    let mut seen = vec![false; table.cells.len()];
    seen[cell] = true;
    while !frontier.is_empty() {
        let mut candidates = Vec::new();
        let mut next = Vec::new();
        for f in &frontier {
            for r in &by_cell[*f] {
                for m in members(table, *r) {
                    if !suppressed[m] {
                        candidates.push(m);
                    } else if !seen[m] {
                        seen[m] = true;
                        next.push(m);
                    }
                }
            }
        }
        let pick = candidates
            .iter()
            .copied()
            .filter(|c| table.cells[*c] > 0)
            .min_by_key(|c| (table.cells[*c], *c));
        if pick.is_some() {
            return pick;
        }
        frontier = next;
    }
    None
}

#[cfg(test)]
mod tests;
