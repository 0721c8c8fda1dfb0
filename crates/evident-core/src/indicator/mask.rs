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
use crate::org::OrgCode;
use crate::stats::disclosure::{Table, protect};
use std::collections::{BTreeMap, HashMap};

/// The suppression mask (bit `c` set: category `c` of [`CATEGORIES`] hidden) of each of
/// `rows`, in the order of `rows`. `rows` may hold any indicators and years; each
/// (indicator, year) must be complete — every row of it that has data — as a full
/// computation gives it or the store reads it for a re-mask. Identical tables (indicators
/// over the same population, such as the shares improved and deteriorated) are masked once.
pub fn mask_rows(rows: &[(RowKey, Row)], k: u64) -> Vec<u8> {
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

/// The masks of one (indicator, year) table, its rows in canonical order.
fn mask_table(rows: &[(&RowKey, &Row)], k: u64) -> Vec<u8> {
    let table = linked_table(rows);
    let categories = CATEGORIES.len();
    let primary: Vec<bool> = rows
        .iter()
        .flat_map(|(_, row)| row.iter())
        .map(|s| s.n > 0 && (s.people.max(0) as u64) < k)
        .collect();
    let hidden = protect(&table, &primary);
    hidden
        .chunks(categories)
        .map(|cells| {
            cells
                .iter()
                .enumerate()
                .fold(0u8, |mask, (c, h)| if *h { mask | 1 << c } else { mask })
        })
        .collect()
}

/// The cells (record counts; cell = row · 8 + category) and relations of one (indicator,
/// year) table.
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
mod tests {
    use super::*;
    use crate::indicator::cube::Stats;
    use crate::stats::disclosure::recoverable;

    /// A row whose every client has one record: `n` per category, sex and age split.
    fn row(women: i64, men: i64) -> Row {
        let mut row = Row::default();
        let mut set = |c: usize, n: i64| {
            row[c] = Stats {
                n,
                people: n,
                ..Stats::default()
            }
        };
        set(0, women + men);
        set(1, women);
        set(2, men);
        set(5, women + men);
        row
    }

    fn key(variant: &str, period: &str, node: &str) -> RowKey {
        RowKey {
            indicator: "EVI001".into(),
            variant: variant.into(),
            period: Period::parse(period).expect("a period"),
            node: OrgCode::parse(node).expect("a code"),
        }
    }

    /// One unit, its municipality, county and nation with the same rows: a year and its
    /// four quarters.
    fn year_and_quarters(quarters: [(i64, i64); 4]) -> Vec<(RowKey, Row)> {
        let mut rows = Vec::new();
        for node in ["SE", "01", "0180", "0180-0001"] {
            let (w, m) = quarters
                .iter()
                .fold((0, 0), |(w, m), (a, b)| (w + a, m + b));
            rows.push((key("", "2026", node), row(w, m)));
            for (q, (w, m)) in quarters.iter().enumerate() {
                rows.push((key("", &format!("2026Q{}", q + 1), node), row(*w, *m)));
            }
        }
        rows
    }

    #[test]
    fn a_small_quarter_is_not_recoverable_from_its_year() {
        // The finding: 20 (year) − 5 − 7 − 7 (Q1–Q3) = 1 (Q4).
        let rows = year_and_quarters([(3, 2), (4, 3), (4, 3), (1, 0)]);
        let masks = mask_rows(&rows, 5);
        let refs: Vec<(&RowKey, &Row)> = rows.iter().map(|(k, r)| (k, r)).collect();
        let table = linked_table(&refs);
        let hidden: Vec<bool> = masks
            .iter()
            .flat_map(|m| (0..8).map(move |c| m & (1 << c) != 0))
            .collect();
        let q4 = rows
            .iter()
            .position(|(k, _)| k.period == Period::Quarter(2026, 4) && k.node.as_str() == "SE")
            .expect("the nation's Q4");
        assert!(masks[q4] & 1 == 1, "1 < 5 is hidden");
        let other_quarter_hidden = rows.iter().zip(&masks).any(|((k, _), m)| {
            k.node.as_str() == "SE" && matches!(k.period, Period::Quarter(_, 1..=3)) && m & 1 == 1
        });
        assert!(other_quarter_hidden, "another quarter is hidden with it");
        assert!(recoverable(&table, &hidden).is_empty());
    }

    #[test]
    fn the_mask_counts_people_not_records() {
        // 8 records of 4 clients: hidden although n = 8.
        let mut rows = year_and_quarters([(10, 10), (10, 10), (10, 10), (10, 10)]);
        for (_, row) in rows.iter_mut() {
            row[0].people = 4;
        }
        let masks = mask_rows(&rows, 5);
        assert!(masks.iter().all(|m| m & 1 == 1), "{masks:?}");
    }

    #[test]
    fn the_mask_does_not_depend_on_the_order_of_the_rows() {
        let rows = year_and_quarters([(3, 2), (1, 3), (4, 3), (1, 0)]);
        let mut reversed = rows.clone();
        reversed.reverse();
        let mut backwards = mask_rows(&reversed, 5);
        backwards.reverse();
        assert_eq!(mask_rows(&rows, 5), backwards);
    }
}
