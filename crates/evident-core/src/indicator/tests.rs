//! The indicators on a small hand-made dataset, with the working written out, plus the
//! checks on definitions and the agreement of incremental updates with a full recompute.

use super::cube::{Period, Row, RowKey, add_row, category_index, compute, delta};
use super::definition::{IndicatorSet, Measure};
use super::facts::{CaseFacts, ClientFacts, Facts, InterventionFacts, MeasurementFacts};
use super::publish::{Published, difference, publish};
use crate::followup::instrument::Instrument;
use crate::followup::library::embedded_instruments;
use crate::org::OrgCode;
use crate::participation::survey::IntegrityMode;
use chrono::NaiveDate;
use std::collections::HashMap;

fn d(raw: &str) -> NaiveDate {
    raw.parse().unwrap()
}

fn instruments() -> HashMap<String, Instrument> {
    embedded_instruments()
        .into_iter()
        .map(|i| (i.id.clone(), i))
        .collect()
}

fn intervention(
    type_code: &str,
    applied: &str,
    decided: Option<&str>,
    started: Option<&str>,
    private_provider: bool,
) -> InterventionFacts {
    InterventionFacts {
        type_code: type_code.into(),
        applied_on: Some(d(applied)),
        decided_on: decided.map(d),
        started_on: started.map(d),
        private_provider,
    }
}

fn phq9(baseline: bool, on: &str, score: f64) -> MeasurementFacts {
    MeasurementFacts {
        instrument: "phq-9".into(),
        baseline,
        measured_on: d(on),
        score: Some(score),
    }
}

/// Four cases in 2025. PHQ-9: SD₀ 3.5, r 0.89, so SEdiff = 3.5·√2·√0.11 = 1.6417 and a change
/// is reliable beyond 1.96 · 1.6417 = 3.218 points; lower is better.
fn cases() -> Vec<CaseFacts> {
    let case = |unit: &str, female: bool, birth_year: i32, opened: &str| CaseFacts {
        unit: OrgCode::parse(unit).unwrap(),
        client: ClientFacts {
            id: i64::from(birth_year),
            female,
            birth_year,
        },
        opened_on: d(opened),
        first_follow_up_month: Some(3),
        interventions: vec![],
        measurements: vec![],
        goals: vec![],
    };
    // A: woman, 35 in 2025. Applied 01-02, decided 01-12 (10 d), started 01-20 (8 d).
    // Baseline 01-15 (20 points), follow-up 04-10 (12): −8, improved; window closes
    // 01-15 + 3 months + 14 days = 04-29, so followed up in time. Effect 8/3.5.
    let mut a = case("0180-0001", true, 1990, "2025-01-10");
    a.interventions = vec![intervention(
        "T1",
        "2025-01-02",
        Some("2025-01-12"),
        Some("2025-01-20"),
        false,
    )];
    a.measurements = vec![
        phq9(true, "2025-01-15", 20.0),
        phq9(false, "2025-04-10", 12.0),
    ];
    a.goals = vec![Some("achieved".into()), Some("not_achieved".into())];
    // B: man, 65. Applied 02-01, decided 02-21 (20 d), started 03-03 (10 d) at a private
    // provider. Baseline 02-05 (15), follow-up 06-20 (18): +3, not reliable; the window closed
    // 05-19, so not followed up in time. Effect −3/3.5.
    let mut b = case("0180-0001", false, 1960, "2025-02-01");
    b.interventions = vec![intervention(
        "T1",
        "2025-02-01",
        Some("2025-02-21"),
        Some("2025-03-03"),
        true,
    )];
    b.measurements = vec![
        phq9(true, "2025-02-05", 15.0),
        phq9(false, "2025-06-20", 18.0),
    ];
    b.goals = vec![Some("partly_achieved".into()), None];
    // C: girl, 15. Applied 04-01, decided 04-05 (4 d), not started. Baseline 04-03 (10),
    // follow-up 07-01 (14): +4, reliably worse; window closes 07-17, followed up. Effect −4/3.5.
    let mut c = case("0180-0002", true, 2010, "2025-04-02");
    c.interventions = vec![intervention(
        "T2",
        "2025-04-01",
        Some("2025-04-05"),
        None,
        false,
    )];
    c.measurements = vec![
        phq9(true, "2025-04-03", 10.0),
        phq9(false, "2025-07-01", 14.0),
    ];
    // D: man, 45, in Göteborg. Applied 04-20, decided 05-10 (20 d), started 05-11 (1 d). No
    // measurements.
    let mut dd = case("1480-0001", false, 1980, "2025-05-01");
    dd.interventions = vec![intervention(
        "T1",
        "2025-04-20",
        Some("2025-05-10"),
        Some("2025-05-11"),
        false,
    )];
    vec![a, b, c, dd]
}

fn facts_of(cases: &[CaseFacts]) -> Facts {
    let instruments = instruments();
    let mut facts = Facts::as_of(d("2026-01-01"));
    for c in cases {
        facts.add_case(c, &instruments);
    }
    facts
}

fn cell(
    set: &IndicatorSet,
    rows: &HashMap<RowKey, Row>,
    indicator: &str,
    variant: &str,
    period: &str,
    node: &str,
    category: &str,
) -> Published {
    let definition = set.get(indicator).unwrap();
    let key = RowKey {
        indicator: indicator.into(),
        variant: variant.into(),
        period: Period::parse(period).unwrap(),
        node: OrgCode::parse(node).unwrap(),
    };
    let stats = rows
        .get(&key)
        .map(|r| r[category_index(category).unwrap()].clone())
        .unwrap_or_default();
    publish(definition, &stats, false)
}

fn share(published: &Published) -> (u64, u64) {
    match published {
        Published::Value {
            numerator: Some(hits),
            n,
            ..
        } => (*hits, *n),
        other => panic!("expected a share, got {other:?}"),
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-6
}

#[test]
fn the_hand_made_dataset_gives_the_hand_computed_values() {
    let set = IndicatorSet::embedded();
    let rows = compute(&set, &facts_of(&cases())).rows;
    let at = |ind: &str, variant: &str, period: &str, node: &str, category: &str| {
        cell(&set, &rows, ind, variant, period, node, category)
    };
    // EVI001: started A (baseline 01-15 ≤ start + 14), B (02-05 ≤ 03-17), D (none); C did
    // not start. 2 of 3; women 1 of 1 (A); men 1 of 2 (B, D); age 30–49: A ✓, D ✗.
    assert_eq!(share(&at("EVI001", "", "2025", "SE", "all")), (2, 3));
    assert_eq!(share(&at("EVI001", "", "2025", "SE", "female")), (1, 1));
    assert_eq!(share(&at("EVI001", "", "2025", "SE", "male")), (1, 2));
    assert_eq!(share(&at("EVI001", "", "2025", "SE", "age_30_49")), (1, 2));
    assert_eq!(
        share(&at("EVI001", "", "2025", "SE", "age_65_plus")),
        (1, 1)
    );
    assert_eq!(share(&at("EVI001", "", "2025", "0180", "all")), (2, 2));
    assert_eq!(share(&at("EVI001", "", "2025", "14", "all")), (0, 1));
    // Quarters by start date: A 01-20 and B 03-03 in Q1, D 05-11 in Q2.
    assert_eq!(share(&at("EVI001", "", "2025Q1", "SE", "all")), (2, 2));
    assert_eq!(share(&at("EVI001", "", "2025Q2", "SE", "all")), (0, 1));
    assert_eq!(at("EVI001", "", "2024", "SE", "all"), Published::NoData);
    // EVI002 by window end: A (04-29, in time), B (05-19, late) in Q2; C (07-17, in time) Q3.
    assert_eq!(share(&at("EVI002", "", "2025", "SE", "all")), (2, 3));
    assert_eq!(share(&at("EVI002", "", "2025Q2", "SE", "all")), (1, 2));
    assert_eq!(share(&at("EVI002", "type:T1", "2025", "SE", "all")), (1, 2));
    assert_eq!(
        share(&at("EVI002", "type:T2", "2025", "0180-0002", "all")),
        (1, 1)
    );
    assert_eq!(
        share(&at("EVI002", "instrument:phq-9", "2025", "SE", "all")),
        (2, 3)
    );
    // EVI003/EVI004: A improved (−8), B unchanged (+3), C deteriorated (+4).
    assert_eq!(share(&at("EVI003", "", "2025", "SE", "all")), (1, 3));
    assert_eq!(share(&at("EVI004", "", "2025", "SE", "all")), (1, 3));
    assert_eq!(share(&at("EVI004", "", "2025", "SE", "age_0_17")), (1, 1));
    let net = difference(
        &at("EVI003", "", "2025", "SE", "all"),
        &at("EVI004", "", "2025", "SE", "all"),
    );
    assert!(close(net.value().unwrap(), 0.0));
    // EVI005: effects 16/7, −6/7, −8/7; mean 2/21 = 0.0952381. Deviations 46/21, −20/21,
    // −26/21; Σ² = 3192/441 = 7.2380952; s² = 3.6190476; se = √(s²/3) = 1.0983389;
    // CI = 2/21 ∓ 1.96 · 1.0983389 = (−2.0575061, 2.2479823).
    match at("EVI005", "", "2025", "SE", "all") {
        Published::Value {
            value,
            n,
            ci: Some((lo, hi)),
            ..
        } => {
            assert_eq!(n, 3);
            assert!(close(value, 2.0 / 21.0), "{value}");
            assert!(
                close(lo, -2.057_506_1) && close(hi, 2.247_982_3),
                "{lo} {hi}"
            );
        }
        other => panic!("{other:?}"),
    }
    // EVI006: assessed goals A achieved, A not achieved, B partly; B's unassessed goal is out.
    assert_eq!(share(&at("EVI006", "", "2025", "SE", "all")), (1, 3));
    // EVI007 by decision: 10, 20, 4, 20 days → 4, 10, 20, 20 → median (10 + 20)/2 = 15.
    assert_eq!(at("EVI007", "", "2025", "SE", "all").value(), Some(15.0));
    assert_eq!(at("EVI007", "", "2025", "0180", "all").value(), Some(10.0));
    // EVI008 by start: 8, 10, 1 → 8.
    assert_eq!(at("EVI008", "", "2025", "SE", "all").value(), Some(8.0));
    // EVI009: B of A, B, D is private.
    assert_eq!(share(&at("EVI009", "", "2025", "SE", "all")), (1, 3));
}

#[test]
fn a_parent_is_the_sum_of_its_children_in_every_category() {
    let set = IndicatorSet::embedded();
    let rows = compute(&set, &facts_of(&cases())).rows;
    for (key, row) in &rows {
        let children: Vec<&Row> = rows
            .iter()
            .filter(|(k, _)| {
                k.indicator == key.indicator
                    && k.variant == key.variant
                    && k.period == key.period
                    && k.node.parent().as_ref() == Some(&key.node)
            })
            .map(|(_, r)| r)
            .collect();
        if children.is_empty() {
            continue;
        }
        let mut sum: Row = Default::default();
        for child in children {
            add_row(&mut sum, child, 1);
        }
        assert_eq!(sum[0].n, row[0].n, "{key:?}");
        for (c, stats) in row.iter().enumerate() {
            assert_eq!(sum[c].n, stats.n, "{key:?} category {c}");
            assert_eq!(sum[c].hits, stats.hits, "{key:?} category {c}");
        }
        let sexes = row[1].n + row[2].n;
        let ages: i64 = row[3..8].iter().map(|s| s.n).sum();
        assert_eq!((sexes, ages), (row[0].n, row[0].n), "{key:?}");
    }
}

#[test]
fn an_incremental_update_agrees_with_a_full_recompute() {
    let set = IndicatorSet::embedded();
    let before_cases = cases();
    let mut after_cases = before_cases.clone();
    // D gets a baseline on 05-12 and a follow-up on 08-01 (−6: improved).
    after_cases[3].measurements = vec![
        phq9(true, "2025-05-12", 16.0),
        phq9(false, "2025-08-01", 10.0),
    ];
    let mut rows = compute(&set, &facts_of(&before_cases)).rows;
    let changes = delta(
        &set,
        &facts_of(&before_cases[3..]),
        &facts_of(&after_cases[3..]),
    );
    assert!(
        changes
            .iter()
            .all(|(k, _)| ["SE", "14", "1480", "1480-0001"].contains(&k.node.as_str())),
        "only D's lineage changes"
    );
    for (key, change) in changes {
        add_row(rows.entry(key).or_default(), &change, 1);
    }
    rows.retain(|_, row| row.iter().any(|s| !s.is_empty()));
    let expected = compute(&set, &facts_of(&after_cases)).rows;
    assert_eq!(rows.len(), expected.len());
    for (key, row) in &expected {
        let got = &rows[key];
        for (a, b) in got.iter().zip(row) {
            assert_eq!(
                (a.n, a.people, a.hits, &a.histogram),
                (b.n, b.people, b.hits, &b.histogram),
                "{key:?}"
            );
            assert!(close(a.sum, b.sum) && close(a.sum_sq, b.sum_sq), "{key:?}");
        }
    }
}

/// The same client (A) with a second case at the other unit of the municipality, with a
/// second instrument: records are counted each, the client once per cell.
fn a_client_with_two_cases() -> Vec<CaseFacts> {
    let mut cases = cases();
    let mut second = cases[0].clone();
    second.unit = OrgCode::parse("0180-0002").unwrap();
    second.measurements = vec![
        phq9(true, "2025-02-01", 18.0),
        phq9(false, "2025-05-01", 11.0),
        MeasurementFacts {
            instrument: "gad-7".into(),
            ..phq9(true, "2025-02-03", 12.0)
        },
        MeasurementFacts {
            instrument: "gad-7".into(),
            ..phq9(false, "2025-05-03", 5.0)
        },
    ];
    cases.push(second);
    cases
}

#[test]
fn a_client_counts_once_per_cell_whatever_its_number_of_records() {
    let set = IndicatorSet::embedded();
    let cases = a_client_with_two_cases();
    let rows = compute(&set, &facts_of(&cases)).rows;
    let stats = |indicator: &str, variant: &str, period: &str, node: &str| {
        let key = RowKey {
            indicator: indicator.into(),
            variant: variant.into(),
            period: Period::parse(period).unwrap(),
            node: OrgCode::parse(node).unwrap(),
        };
        let row = &rows[&key];
        (row[0].n, row[0].people)
    };
    // EVI002 (baselines, dated by the close of their window): A's second case adds a PHQ-9
    // and a GAD-7 baseline at 0180-0002 closing in Q2 (05-15, 05-17); A's first case has one
    // at 0180-0001 (04-29), B one there (05-19), C one at 0180-0002 closing in Q3.
    assert_eq!(
        stats("EVI002", "", "2025Q2", "0180-0002"),
        (2, 1),
        "A twice"
    );
    assert_eq!(
        stats("EVI002", "instrument:phq-9", "2025Q2", "0180-0002"),
        (1, 1)
    );
    assert_eq!(
        stats("EVI002", "", "2025Q2", "0180-0001"),
        (2, 2),
        "A and B"
    );
    // The municipality: A's three baselines, B's and C's, of three people; in Q2 A at both
    // units counts once.
    assert_eq!(stats("EVI002", "", "2025", "0180"), (5, 3));
    assert_eq!(stats("EVI002", "", "2025Q2", "0180"), (4, 2));
    assert_eq!(
        stats("EVI002", "", "2025", "SE"),
        (5, 3),
        "D has no baseline"
    );
    // The split by sex still sums to the total, in records and in people (A is a woman).
    let female = |node: &str| {
        let key = RowKey {
            indicator: "EVI002".into(),
            variant: String::new(),
            period: Period::Year(2025),
            node: OrgCode::parse(node).unwrap(),
        };
        (rows[&key][1].n, rows[&key][1].people)
    };
    assert_eq!(female("0180"), (4, 2), "A (three records) and C");
}

#[test]
fn a_change_to_one_of_a_clients_cases_is_applied_per_client() {
    // The incremental update re-reads all of the client's cases: the delta of the client's
    // facts before and after is what a full recompute changes, people included.
    let set = IndicatorSet::embedded();
    let before = a_client_with_two_cases();
    let mut after = before.clone();
    after[4].measurements.truncate(2);
    let of_client = |cases: &[CaseFacts]| {
        let client: Vec<CaseFacts> = cases
            .iter()
            .filter(|c| c.client.id == cases[0].client.id)
            .cloned()
            .collect();
        facts_of(&client)
    };
    let mut rows = compute(&set, &facts_of(&before)).rows;
    for (key, change) in delta(&set, &of_client(&before), &of_client(&after)) {
        add_row(rows.entry(key).or_default(), &change, 1);
    }
    rows.retain(|_, row| row.iter().any(|s| !s.is_empty()));
    let expected = compute(&set, &facts_of(&after)).rows;
    assert_eq!(rows.len(), expected.len());
    for (key, row) in &expected {
        let people = |r: &Row| r.iter().map(|s| (s.n, s.people)).collect::<Vec<_>>();
        assert_eq!(people(&rows[key]), people(row), "{key:?}");
    }
}

fn load(files: &[(&str, &str)]) -> Result<IndicatorSet, String> {
    IndicatorSet::parse(files.iter().map(|(f, t)| ((*f).to_owned(), *t))).map_err(|e| e.to_string())
}

const HEAD: &str = r#""version": 1, "title": {"sv": "t", "en": "t"}, "description": {"sv": "d", "en": "d"}, "unit": "percent", "better": "higher""#;

#[test]
fn a_definition_naming_an_unknown_field_is_rejected_with_file_and_field() {
    let text = format!(
        r#"{{"id": "X1", {HEAD}, "denominator": {{"records": "change", "dated_by": "measured_on"}}, "numerator": {{"share_where": "improvd"}}}}"#
    );
    let message = load(&[("x1.json", &text)]).unwrap_err();
    assert!(
        message.starts_with("x1.json: field numerator.share_where: unknown flag 'improvd'"),
        "{message}"
    );
    assert!(
        message.contains("known: improved, deteriorated"),
        "{message}"
    );
    let text = format!(
        r#"{{"id": "X1", {HEAD}, "denominator": {{"records": "changes", "dated_by": "measured_on"}}, "numerator": {{"share_where": "improved"}}}}"#
    );
    let message = load(&[("x1.json", &text)]).unwrap_err();
    assert!(
        message.contains("field denominator.records: unknown records 'changes'"),
        "{message}"
    );
    let text = format!(r#"{{"id": "X1", {HEAD}, "nominator": 1}}"#);
    let message = load(&[("x1.json", &text)]).unwrap_err();
    assert!(
        message.starts_with("x1.json: field nominator:"),
        "{message}"
    );
}

#[test]
fn a_breakdown_that_does_not_apply_is_marked_only_where_its_rule_says_and_only_when_empty() {
    use crate::indicator::publish::{Published, mark_not_applicable};
    use crate::org::UnitArea;
    let text = format!(
        r#"{{"id": "X1", {HEAD}, "denominator": {{"records": "change", "dated_by": "measured_on"}}, "numerator": {{"share_where": "improved"}},
            "not_applicable": [{{"unit_areas": ["elderly_care"], "breakdowns": ["age_0_17"]}}, {{"breakdowns": ["male"]}}]}}"#
    );
    let set = load(&[("x1.json", &text)]).unwrap();
    let definition = set.get("X1").unwrap();
    let (young, male) = (3, 2);
    assert!(!definition.applies(young, Some(UnitArea::ElderlyCare)));
    assert!(definition.applies(young, Some(UnitArea::ChildrenYouth)));
    assert!(
        definition.applies(young, None),
        "a municipality serves every age"
    );
    assert!(!definition.applies(male, None) && !definition.applies(male, Some(UnitArea::Other)));
    let value = Published::Value {
        value: 0.5,
        n: 10,
        numerator: Some(5),
        ci: None,
    };
    let mut cells = vec![value.clone(), Published::NoData, Published::Suppressed];
    mark_not_applicable(definition, Some(UnitArea::ElderlyCare), &mut cells);
    assert_eq!(
        cells.len(),
        8,
        "a short row is filled out to every category"
    );
    assert_eq!(cells[0], value);
    assert_eq!(
        cells[male],
        Published::Suppressed,
        "a hidden cell stays hidden"
    );
    assert_eq!(cells[young], Published::NotApplicable);
    assert_eq!(
        cells[4],
        Published::NoData,
        "age 18–29 applies: missing, not inapplicable"
    );
    let mut cells = vec![value.clone(), Published::NoData, Published::NoData];
    mark_not_applicable(definition, None, &mut cells);
    assert_eq!(cells[male], Published::NotApplicable);
    assert_eq!(cells[young], Published::NoData);

    for (rule, field) in [
        (
            r#"{"breakdowns": ["age_0_16"]}"#,
            "not_applicable[0].breakdowns[0]",
        ),
        (
            r#"{"breakdowns": ["male"], "unit_areas": ["eldercare"]}"#,
            "not_applicable[0].unit_areas[0]",
        ),
        (r#"{"breakdowns": []}"#, "not_applicable[0].breakdowns"),
    ] {
        let text = format!(
            r#"{{"id": "X1", {HEAD}, "denominator": {{"records": "change", "dated_by": "measured_on"}}, "numerator": {{"share_where": "improved"}}, "not_applicable": [{rule}]}}"#
        );
        let message = load(&[("x1.json", &text)]).unwrap_err();
        assert!(
            message.starts_with(&format!("x1.json: field {field}:")),
            "{message}"
        );
    }
}

#[test]
fn a_population_that_is_empty_by_construction_is_rejected() {
    let text = format!(
        r#"{{"id": "X1", {HEAD}, "denominator": {{"records": "intervention", "dated_by": "started_on", "where": ["!started"]}}, "numerator": {{"share_where": "has_baseline"}}}}"#
    );
    let message = load(&[("x1.json", &text)]).unwrap_err();
    assert!(
        message.starts_with("x1.json: field denominator.where[0]: the population is empty"),
        "{message}"
    );
    let text = format!(
        r#"{{"id": "X1", {HEAD}, "denominator": {{"records": "intervention", "dated_by": "decided_on", "where": ["!applied"]}}, "numerator": {{"median_of": "days_application_to_decision"}}}}"#
    );
    let message = load(&[("x1.json", &text)]).unwrap_err();
    assert!(
        message.contains("field numerator.median_of") && message.contains("empty population"),
        "{message}"
    );
}

#[test]
fn circular_and_dangling_references_are_rejected() {
    let a = format!(r#"{{"id": "A", {HEAD}, "difference_of": ["B", "EVI"]}}"#);
    let b = format!(r#"{{"id": "B", {HEAD}, "difference_of": ["A", "EVI"]}}"#);
    let base = format!(
        r#"{{"id": "EVI", {HEAD}, "denominator": {{"records": "change", "dated_by": "measured_on"}}, "numerator": {{"share_where": "improved"}}}}"#
    );
    let message = load(&[("a.json", &a), ("b.json", &b), ("evi.json", &base)]).unwrap_err();
    assert!(
        message.contains("field difference_of: the definition is circular: A → B → A"),
        "{message}"
    );
    let own = format!(r#"{{"id": "A", {HEAD}, "difference_of": ["A", "EVI"]}}"#);
    assert!(
        load(&[("a.json", &own), ("evi.json", &base)])
            .unwrap_err()
            .contains("circular")
    );
    let dangling = format!(r#"{{"id": "A", {HEAD}, "difference_of": ["EVI", "NOPE"]}}"#);
    let message = load(&[("a.json", &dangling), ("evi.json", &base)]).unwrap_err();
    assert_eq!(
        message,
        "a.json: field difference_of[1]: no indicator has the id 'NOPE'"
    );
    // In dependency order, parts come first.
    let set = IndicatorSet::embedded();
    assert!(set.position("EVI003").unwrap() < set.position("EVI010").unwrap());
}

#[test]
fn rows_survive_encoding() {
    let set = IndicatorSet::embedded();
    for row in compute(&set, &facts_of(&cases())).rows.values() {
        let bytes = super::cube::encode_row(row);
        assert_eq!(super::cube::decode_row(&bytes).as_ref(), Some(row));
    }
    assert_eq!(super::cube::decode_row(&[1, 2, 3]), None);
}

#[test]
fn a_survey_indicator_names_a_known_survey_and_scale_question() {
    let good = format!(
        r#"{{"id": "S1", {HEAD}, "survey": {{"id": "brukarundersokning-2026", "question": "helhet", "integrity": ["link", "codes", "link"]}}}}"#
    );
    let set = load(&[("s1.json", &good)]).unwrap();
    assert_eq!(
        set.get("S1").unwrap().measure,
        Measure::Survey {
            survey: "brukarundersokning-2026".into(),
            question: "helhet".into(),
            integrity: vec![IntegrityMode::Codes, IntegrityMode::Link],
        }
    );
    // No records are counted for it: the cube has no rows for it.
    assert!(
        compute(&set, &Facts::as_of(d("2026-01-01")))
            .rows
            .is_empty()
    );
    let embedded = IndicatorSet::embedded();
    assert!(matches!(
        embedded.get("EVI011").unwrap().measure,
        Measure::Survey { .. }
    ));
    let rows = compute(&embedded, &facts_of(&cases())).rows;
    assert!(!rows.is_empty());
    assert!(rows.keys().all(|k| k.indicator != "EVI011"));

    let unknown_survey = format!(
        r#"{{"id": "S1", {HEAD}, "survey": {{"id": "nojdhet-1999", "question": "helhet", "integrity": ["codes"]}}}}"#
    );
    let message = load(&[("s1.json", &unknown_survey)]).unwrap_err();
    assert!(
        message.starts_with("s1.json: field survey.id: unknown survey 'nojdhet-1999'"),
        "{message}"
    );
    for question in ["nojd", "fritext"] {
        let text = format!(
            r#"{{"id": "S1", {HEAD}, "survey": {{"id": "brukarundersokning-2026", "question": "{question}", "integrity": ["codes"]}}}}"#
        );
        let message = load(&[("s1.json", &text)]).unwrap_err();
        assert!(
            message.starts_with(&format!(
                "s1.json: field survey.question: survey 'brukarundersokning-2026' has no scale question '{question}'"
            )),
            "{message}"
        );
    }
    let mixed = format!(
        r#"{{"id": "S1", {HEAD}, "survey": {{"id": "brukarundersokning-2026", "question": "helhet", "integrity": ["codes"]}}, "numerator": {{"share_where": "improved"}}}}"#
    );
    assert!(
        load(&[("s1.json", &mixed)])
            .unwrap_err()
            .starts_with("s1.json: field survey: ")
    );
    let extra = format!(
        r#"{{"id": "S1", {HEAD}, "survey": {{"id": "brukarundersokning-2026", "question": "helhet", "integrity": ["codes"], "k": 3}}}}"#
    );
    assert!(
        load(&[("s1.json", &extra)])
            .unwrap_err()
            .contains("unknown field `k`")
    );
    for (integrity, wanted) in [
        ("", "missing field `integrity`"),
        (
            r#", "integrity": []"#,
            "field survey.integrity: name the integrity modes",
        ),
        (
            r#", "integrity": ["codes", "cookie"]"#,
            "field survey.integrity[1]: 'cookie' is not a mode",
        ),
    ] {
        let text = format!(
            r#"{{"id": "S1", {HEAD}, "survey": {{"id": "brukarundersokning-2026", "question": "helhet"{integrity}}}}}"#
        );
        let message = load(&[("s1.json", &text)]).unwrap_err();
        assert!(message.contains(wanted), "{message}");
    }
    let variants = format!(
        r#"{{"id": "S1", {HEAD}, "survey": {{"id": "brukarundersokning-2026", "question": "helhet", "integrity": ["codes"]}}, "variants": ["instrument"]}}"#
    );
    assert!(
        load(&[("s1.json", &variants)])
            .unwrap_err()
            .starts_with("s1.json: field variants: ")
    );
}
