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
fn an_extended_mask_keeps_what_was_hidden_and_protects_the_new_small_cell() {
    let before = year_and_quarters([(3, 2), (4, 3), (4, 3), (1, 0)]);
    let previous = mask_rows(&before, 5);
    // Q2 drops to one woman and three men: a new small cell.
    let after = year_and_quarters([(3, 2), (1, 3), (4, 3), (1, 0)]);
    let masks = extend_tables_above(&after, &previous, 5, 0);
    assert!(
        masks.iter().zip(&previous).all(|(m, p)| m & p == *p),
        "a superset"
    );
    let refs: Vec<(&RowKey, &Row)> = after.iter().map(|(k, r)| (k, r)).collect();
    let hidden: Vec<bool> = masks
        .iter()
        .flat_map(|m| (0..8).map(move |c| m & (1 << c) != 0))
        .collect();
    for (i, (_, row)) in after.iter().enumerate() {
        for c in 0..8 {
            if row[c].n > 0 && row[c].people < 5 {
                assert!(hidden[i * 8 + c], "row {i} category {c}");
            }
        }
    }
    assert!(recoverable(&linked_table(&refs), &hidden).is_empty());
    // A hidden cell that has become empty: masked afresh, as the full computation does.
    let emptied = year_and_quarters([(3, 2), (4, 3), (4, 3), (0, 0)]);
    let with_empty = mask_rows(&before, 5);
    assert_eq!(
        extend_tables_above(&emptied, &with_empty, 5, 0),
        mask_rows(&emptied, 5)
    );
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

/// A random population: a few units in a few municipalities, clients with one or two
/// cases, interventions of a few types, PHQ-9 and GAD-7 before and after, over two years.
fn random_facts(rng: &mut crate::rng::SplitMix64) -> crate::indicator::Facts {
    use crate::indicator::{CaseFacts, ClientFacts, InterventionFacts, MeasurementFacts};
    let instruments: HashMap<String, crate::followup::instrument::Instrument> =
        crate::followup::library::embedded_instruments()
            .into_iter()
            .map(|i| (i.id.clone(), i))
            .collect();
    let units: Vec<String> = (0..1 + rng.below(6))
        .map(|u| {
            let municipality = ["0180", "0181", "1480", "0114"][rng.below(4) as usize];
            format!("{municipality}-{:04}", u + 1)
        })
        .collect();
    let day = |rng: &mut crate::rng::SplitMix64| {
        chrono::NaiveDate::from_ymd_opt(2025, 1, 1).expect("a date")
            + chrono::Days::new(rng.below(700))
    };
    let mut facts = crate::indicator::Facts::as_of(chrono::NaiveDate::MAX);
    for client in 0..rng.below(60) {
        let female = rng.below(2) == 0;
        let birth_year = 1940 + rng.below(80) as i32;
        for _ in 0..1 + rng.below(2) {
            let opened_on = day(rng);
            let later = |rng: &mut crate::rng::SplitMix64, days: u64| {
                opened_on + chrono::Days::new(rng.below(days))
            };
            let measurement =
                |rng: &mut crate::rng::SplitMix64, id: &str, baseline| MeasurementFacts {
                    instrument: id.into(),
                    baseline,
                    measured_on: if baseline {
                        later(rng, 20)
                    } else {
                        later(rng, 200) + chrono::Days::new(60)
                    },
                    score: Some(rng.below(21) as f64),
                };
            let mut measurements = Vec::new();
            for id in ["phq-9", "gad-7"] {
                if rng.below(3) > 0 {
                    measurements.push(measurement(rng, id, true));
                    if rng.below(3) > 0 {
                        measurements.push(measurement(rng, id, false));
                    }
                }
            }
            let case = CaseFacts {
                unit: OrgCode::parse(&units[rng.below(units.len() as u64) as usize])
                    .expect("a unit code"),
                client: ClientFacts {
                    id: client as i64,
                    female,
                    birth_year,
                },
                opened_on,
                first_follow_up_month: Some(3),
                interventions: vec![InterventionFacts {
                    type_code: ["T1", "T2", "T3"][rng.below(3) as usize].into(),
                    applied_on: Some(opened_on),
                    decided_on: Some(later(rng, 30)),
                    started_on: (rng.below(4) > 0).then(|| later(rng, 30) + chrono::Days::new(30)),
                    private_provider: rng.below(3) == 0,
                }],
                measurements,
                goals: Vec::new(),
            };
            facts.add_case(&case, &instruments);
        }
    }
    facts
}

#[test]
fn no_hidden_cell_of_any_random_population_can_be_worked_out() {
    let set = crate::indicator::IndicatorSet::embedded();
    let mut rng = crate::rng::SplitMix64::new(13);
    let (mut hidden_cells, mut tables) = (0, 0);
    for _ in 0..25 {
        let facts = random_facts(&mut rng);
        let rows = crate::indicator::cube::compute_sorted(&set, &facts);
        let k = 3 + rng.below(4);
        let masks = mask_rows(&rows, k);
        let mut by_table: BTreeMap<(&str, i32), Vec<usize>> = BTreeMap::new();
        for (i, (key, _)) in rows.iter().enumerate() {
            by_table
                .entry((key.indicator.as_str(), key.period.year()))
                .or_default()
                .push(i);
        }
        for members in by_table.values() {
            tables += 1;
            let refs: Vec<(&RowKey, &Row)> =
                members.iter().map(|i| (&rows[*i].0, &rows[*i].1)).collect();
            let table = linked_table(&refs);
            let hidden: Vec<bool> = members
                .iter()
                .flat_map(|i| {
                    let mask = masks[*i];
                    (0..8).map(move |c| mask & (1 << c) != 0)
                })
                .collect();
            for (cell, (n, h)) in table.cells.iter().zip(&hidden).enumerate() {
                let (row, c) = (cell / 8, cell % 8);
                let people = refs[row].1[c].people;
                if *n > 0 && (people as u64) < k {
                    assert!(h, "a cell of {people} people is published");
                }
                hidden_cells += usize::from(*h);
            }
            let exposed = recoverable(&table, &hidden);
            assert!(exposed.is_empty(), "recoverable cells {exposed:?}");
        }
    }
    assert!(
        hidden_cells > 1000 && tables > 60,
        "the populations exercise suppression: {hidden_cells} hidden in {tables} tables"
    );
}
