use super::*;
use crate::rng::SplitMix64;

/// An exact rational, for an independent check of determinability.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Q(i128, i128);

fn gcd(a: i128, b: i128) -> i128 {
    if b == 0 { a.abs() } else { gcd(b, a % b) }
}

impl Q {
    fn new(n: i128, d: i128) -> Self {
        let g = gcd(n, d).max(1) * d.signum();
        Q(n / g, d / g)
    }
    fn zero(self) -> bool {
        self.0 == 0
    }
    fn sub(self, o: Q) -> Q {
        Q::new(self.0 * o.1 - o.0 * self.1, self.1 * o.1)
    }
    fn mul(self, o: Q) -> Q {
        Q::new(self.0 * o.0, self.1 * o.1)
    }
    fn div(self, o: Q) -> Q {
        Q::new(self.0 * o.1, self.1 * o.0)
    }
}

/// Rank over the rationals.
fn rank(mut rows: Vec<Vec<Q>>) -> usize {
    let columns = rows.first().map_or(0, Vec::len);
    let mut r = 0;
    for c in 0..columns {
        let Some(p) = (r..rows.len()).find(|i| !rows[*i][c].zero()) else {
            continue;
        };
        rows.swap(r, p);
        for i in 0..rows.len() {
            if i != r && !rows[i][c].zero() {
                let f = rows[i][c].div(rows[r][c]);
                let pivot_row = rows[r].clone();
                for (value, pivot) in rows[i].iter_mut().zip(pivot_row) {
                    *value = value.sub(f.mul(pivot));
                }
            }
        }
        r += 1;
    }
    r
}

/// Whether `cell` is determined: adding its unit vector does not raise the rank.
fn determined_exactly(table: &Table, suppressed: &[bool], cell: usize) -> bool {
    let unknowns: Vec<usize> = (0..table.cells.len()).filter(|c| suppressed[*c]).collect();
    let all: Vec<usize> = (0..table.relations.len()).collect();
    let rows = residual_system(table, suppressed, &unknowns, &all);
    let to_q = |row: &Vec<f64>| {
        row.iter()
            .map(|v| Q::new(*v as i128, 1))
            .collect::<Vec<_>>()
    };
    let base: Vec<Vec<Q>> = rows.iter().map(to_q).collect();
    let mut with_unit = base.clone();
    with_unit.push(
        unknowns
            .iter()
            .map(|u| Q::new(i128::from(*u == cell), 1))
            .collect(),
    );
    rank(base) == rank(with_unit)
}

/// A random tree of up to `max_nodes` nodes with two breakdowns of the same total — sex
/// (all = women + men) and three age bands (all = a + b + c) — and consistent counts
/// built bottom-up from the leaves. Each leaf's individuals are split by sex and by age
/// independently, as real people are.
fn random_table(rng: &mut SplitMix64, max_nodes: usize) -> Table {
    let nodes = 2 + rng.below(max_nodes as u64 - 1) as usize;
    let parents: Vec<Option<usize>> = (0..nodes)
        .map(|i| (i > 0).then(|| rng.below(i as u64) as usize))
        .collect();
    let mut counts = vec![vec![0u64; 6]; nodes];
    for node in (0..nodes).rev() {
        let is_leaf = !parents.contains(&Some(node));
        if is_leaf {
            // Small counts are common, to exercise suppression.
            let total = if rng.unit_f64() < 0.5 {
                rng.below(8)
            } else {
                rng.below(60)
            };
            let women = rng.below(total + 1);
            let young = rng.below(total + 1);
            let middle = rng.below(total - young + 1);
            counts[node] = vec![
                total,
                women,
                total - women,
                young,
                middle,
                total - young - middle,
            ];
        }
        if let Some(parent) = parents[node] {
            let child = counts[node].clone();
            for (total, part) in counts[parent].iter_mut().zip(child) {
                *total += part;
            }
        }
    }
    breakdown_table(&parents, &counts, &[1..3, 3..6])
}

#[test]
fn a_redundant_suppression_is_published_again_and_a_needed_one_is_not() {
    // Total 0 = parts 1 + 2 + 3. Part 1 is small; parts 2 and 3 were both hidden with it.
    let table = Table {
        cells: vec![30, 2, 10, 18],
        relations: vec![(0, vec![1, 2, 3])],
    };
    let mut hidden = vec![false, true, true, true];
    let released = release(&table, &mut hidden, &[3, 2]);
    assert_eq!(released, 1);
    assert!(
        !hidden[3],
        "with part 3 published, parts 1 + 2 = 12 still hides part 1"
    );
    assert!(
        hidden[2],
        "part 2 published as well would give part 1 = 30 − 18 − 10"
    );
    assert!(!determined_exactly(&table, &hidden, 1));
    assert!(!determined_exactly(&table, &hidden, 2));
}

#[test]
fn releasing_never_makes_a_hidden_cell_recoverable() {
    let mut rng = SplitMix64::new(0x5EED_0013);
    let mut released_any = 0;
    for _ in 0..150 {
        let table = random_table(&mut rng, 9);
        let mut hidden = suppress(&table, 5);
        // Hide a few more published cells at random, then try to publish every hidden
        // cell that is not small, largest first.
        for (hide, n) in hidden.iter_mut().zip(&table.cells) {
            if *n > 0 && rng.unit_f64() < 0.2 {
                *hide = true;
            }
        }
        let hidden = {
            let primary: Vec<bool> = table.cells.iter().map(|n| *n > 0 && *n < 5).collect();
            let mut safe = protect(&table, &hidden);
            let mut candidates: Vec<usize> = (0..table.cells.len())
                .filter(|c| safe[*c] && !primary[*c])
                .collect();
            candidates.sort_by_key(|c| std::cmp::Reverse(table.cells[*c]));
            released_any += release(&table, &mut safe, &candidates);
            assert!(
                primary.iter().zip(&safe).all(|(p, s)| !p || *s),
                "a small cell stays hidden"
            );
            safe
        };
        for cell in (0..table.cells.len()).filter(|c| hidden[*c]) {
            assert!(
                !determined_exactly(&table, &hidden, cell),
                "cell {cell} of {table:?} is recoverable after release"
            );
        }
    }
    assert!(released_any > 0, "the test exercises releases");
}

#[test]
fn a_single_small_cell_takes_a_sibling_with_it() {
    // Municipality 0 = units 1 + 2 + 3; no breakdown. Unit 1 has 3 clients.
    let table = tree_table(
        &[None, Some(0), Some(0), Some(0)],
        &[vec![40], vec![3], vec![17], vec![20]],
    );
    let hidden = suppress(&table, 5);
    assert!(hidden[1], "3 < 5");
    assert!(
        hidden[2],
        "the smallest sibling is hidden too, else 40 − 17 − 20 = 3"
    );
    assert!(!hidden[0] && !hidden[3]);
    assert!(recoverable(&table, &hidden).is_empty());
}

#[test]
fn a_small_breakdown_cell_is_protected_across_both_relations() {
    // Node 0 = node 1 + node 2, each with all = women + men.
    let counts = [vec![30, 12, 18], vec![14, 2, 12], vec![16, 10, 6]];
    let table = tree_table(&[None, Some(0), Some(0)], &counts);
    let hidden = suppress(&table, 5);
    assert!(
        hidden[3 + 1],
        "2 women at node 1 (cell node · 3 + category)"
    );
    assert!(recoverable(&table, &hidden).is_empty());
    for cell in (0..table.cells.len()).filter(|c| hidden[*c]) {
        assert!(
            !determined_exactly(&table, &hidden, cell),
            "cell {cell} is recoverable"
        );
    }
}

#[test]
fn zeros_and_large_cells_are_published() {
    let table = tree_table(&[None, Some(0), Some(0)], &[vec![50], vec![0], vec![50]]);
    assert_eq!(suppress(&table, 5), vec![false, false, false]);
}

#[test]
fn no_suppressed_cell_in_any_random_tree_can_be_recovered() {
    let mut rng = SplitMix64::new(2026);
    let mut suppressed_cells = 0;
    for _ in 0..300 {
        let table = random_table(&mut rng, 10);
        let k = 3 + rng.below(5);
        let hidden = suppress(&table, k);
        for (cell, n) in table.cells.iter().enumerate() {
            if *n > 0 && *n < k {
                assert!(
                    hidden[cell],
                    "primary suppression missed cell {cell} ({n} < {k})"
                );
            }
        }
        for cell in (0..table.cells.len()).filter(|c| hidden[*c]) {
            suppressed_cells += 1;
            assert!(
                !determined_exactly(&table, &hidden, cell),
                "cell {cell} of {table:?} is recoverable: {hidden:?}"
            );
        }
    }
    assert!(
        suppressed_cells > 500,
        "the random trees exercise suppression: {suppressed_cells}"
    );
}

#[test]
fn the_cells_found_determined_are_exactly_those_the_rationals_determine() {
    // Any suppression pattern, not only those `suppress` leaves: the solver over the
    // prime field must agree with exact rational arithmetic cell by cell.
    let mut rng = SplitMix64::new(61);
    let mut determined_cells = 0;
    for _ in 0..300 {
        let table = random_table(&mut rng, 8);
        let share = rng.unit_f64();
        let hidden: Vec<bool> = table.cells.iter().map(|_| rng.unit_f64() < share).collect();
        let mut found = recoverable(&table, &hidden);
        found.sort_unstable();
        let exact: Vec<usize> = (0..table.cells.len())
            .filter(|c| hidden[*c] && determined_exactly(&table, &hidden, *c))
            .collect();
        assert_eq!(found, exact, "{table:?} with {hidden:?}");
        determined_cells += exact.len();
    }
    assert!(
        determined_cells > 100,
        "the patterns exercise recovery: {determined_cells}"
    );
}

#[test]
fn a_national_tree_is_protected_in_one_pass() {
    // Nation → 21 counties → 290 municipalities → 3 units each, all = women + men,
    // with many small units: the shape the indicators publish.
    let mut rng = SplitMix64::new(7);
    let mut parents = vec![None];
    parents.extend((0..21).map(|_| Some(0)));
    parents.extend((0..290).map(|m| Some(1 + m % 21)));
    parents.extend((0..870).map(|u| Some(22 + u / 3)));
    let mut counts = vec![vec![0u64; 3]; parents.len()];
    for node in (0..parents.len()).rev() {
        if node >= 22 + 290 {
            let women = rng.below(12);
            let men = rng.below(12);
            counts[node] = vec![women + men, women, men];
        }
        if let Some(parent) = parents[node] {
            let child = counts[node].clone();
            for (total, part) in counts[parent].iter_mut().zip(child) {
                *total += part;
            }
        }
    }
    let table = tree_table(&parents, &counts);
    let hidden = suppress(&table, 5);
    assert!(hidden.iter().filter(|h| **h).count() > 300);
    assert!(recoverable(&table, &hidden).is_empty());
}
