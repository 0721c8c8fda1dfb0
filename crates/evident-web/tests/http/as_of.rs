//! Indicators as of a date (issue 13): a baseline whose follow-up window is still open is not
//! counted as a failure, the period holding the as-of date is published marked preliminary (in
//! the API, on the pages and in downloads), a period that has not begun is not published, and
//! when the clock moves to the next day the server's check recomputes.
//!
//! The dataset, all at one unit in Uppsala (0380), each case with its first follow-up at 3
//! months, so a window closes baseline + 3 months + 14 days:
//!
//! | clients | baseline   | window closes | followed up |
//! |---------|------------|---------------|-------------|
//! | 6       | 2026-01-10 | 2026-04-24    | 2026-04-20  |
//! | 1       | 2026-03-01 | 2026-06-15    | no          |
//! | 3       | 2026-05-01 | 2026-08-15    | no (yet)    |
//!
//! As of 2026-06-15 only the six windows have closed (the seventh closes that very day, and a
//! follow-up may still come): EVI002 is 6/6 = 100 % for 2026 and 2026Q2, where counting open
//! windows as failures would give 6/10. As of 2026-06-16 the seventh counts, not followed up:
//! 6/7 = 85.7 %. The three open windows would date 2026Q3, which has not begun.

use crate::common::{TestApp, day, phq9};
use crate::on_both;
use evident_core::clock::Clock;
use evident_core::followup::TimePoint;
use evident_core::rng::SplitMix64;
use evident_store::testing::ClientBuilder;
use evident_web::AppState;
use evident_web::server::refresh_indicators;
use reqwest::StatusCode;
use serde_json::Value;

on_both!(the_current_period_is_preliminary_a_future_one_unpublished_and_the_next_day_recomputes,);

/// The app's store under a clock fixed at noon (Swedish summer time) on `date`.
fn state_on(app: &TestApp, date: &str) -> AppState {
    let mut state = AppState::new(app.store.clone());
    state.clock = Clock::fixed(format!("{date}T10:00:00Z").parse().unwrap());
    state
}

/// The dataset of the module comment.
async fn dataset(app: &TestApp) {
    let seed = app.seed();
    let mut rng = SplitMix64::new(13);
    let unit = app.unit("0380", "Uppsala A").await;
    let mut client = |opened: &str, baseline: &str| {
        ClientBuilder::new(&unit)
            .synthetic_number(&mut rng, 1980)
            .opened_on(day(opened))
            .schedule(&[3])
            .measurement(phq9(TimePoint::Baseline, None, baseline, 20.0))
    };
    let mut clients = Vec::new();
    for _ in 0..6 {
        clients.push(client("2026-01-05", "2026-01-10").measurement(phq9(
            TimePoint::FollowUp,
            Some(3),
            "2026-04-20",
            12.0,
        )));
    }
    clients.push(client("2026-02-25", "2026-03-01"));
    for _ in 0..3 {
        clients.push(client("2026-04-25", "2026-05-01"));
    }
    for c in clients {
        c.create(&seed).await;
    }
}

/// The nation's total cell in `period` of a data answer, with the value's `preliminary`.
fn nation<'a>(answer: &'a Value, period: &str) -> (&'a Value, &'a Value) {
    let value = answer["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["municipality"] == "SE" && v["period"] == period)
        .unwrap_or_else(|| panic!("no value for SE in {period}: {answer}"));
    (&value["values"][0], &value["preliminary"])
}

async fn the_current_period_is_preliminary_a_future_one_unpublished_and_the_next_day_recomputes(
    app: &TestApp,
) {
    // arrange: the server's check on 2026-06-15 moves the (empty) rows to that day; the data
    // then arrives through the incremental update, as of the stored day.
    let first = state_on(app, "2026-06-15");
    assert!(refresh_indicators(&first).await.unwrap().is_some());
    assert!(
        refresh_indicators(&first).await.unwrap().is_none(),
        "the same day: nothing to do"
    );
    dataset(app).await;
    let mut visitor = app.anonymous();

    // The API: 2026 and 2026Q2 hold the as-of date and are preliminary, 2026Q1 is final.
    let answer = visitor
        .get("/api/v1/data/kpi/EVI002/municipality/SE/year/2026,2026Q2,2026Q1")
        .await;
    answer.assert_status(StatusCode::OK);
    let answer = answer.json();
    let (year, preliminary) = nation(&answer, "2026");
    assert_eq!((&year["count"], &year["value"]), (&6.into(), &100.0.into()));
    assert_eq!(preliminary, true);
    assert_eq!(nation(&answer, "2026Q2").1, true);
    let (q1, preliminary) = nation(&answer, "2026Q1");
    assert_eq!(
        (&q1["status"], preliminary),
        (&"Missing".into(), &false.into())
    );
    // 2026Q3 has not begun: not found, and not listed.
    let future = visitor
        .get("/api/v1/data/kpi/EVI002/municipality/SE/year/2026Q3")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    assert!(future.contains("2026Q3"), "{future}");
    let kpi = visitor.get("/api/v1/kpi/EVI002").await.json();
    let kpi = &kpi["values"][0];
    assert_eq!(kpi["as_of"], "2026-06-15");
    assert_eq!(kpi["periods"], serde_json::json!(["2026", "2026Q2"]));
    assert_eq!(
        kpi["preliminary_periods"],
        serde_json::json!(["2026", "2026Q2"])
    );

    // The pages say so: the period is labelled, the note is shown, and the date is given.
    let mut browser = app.browser();
    let page = browser.get("/indicators/EVI002").await;
    page.assert_status(StatusCode::OK);
    assert!(
        page.body.contains("<p class=\"notice preliminary\">"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains(">2026 (preliminär)</option>"),
        "{}",
        page.body
    );
    assert!(
        page.body.contains("beräknade per 2026-06-15"),
        "{}",
        page.body
    );
    let final_quarter = browser.get("/indicators/EVI003?period=2026Q1").await;
    assert!(!final_quarter.body.contains("notice preliminary"));
    browser
        .get("/indicators/EVI002?period=2026Q3")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let profile = browser.get("/orgs/0380/profile?period=2026").await;
    profile.assert_status(StatusCode::OK);
    assert!(
        profile.body.contains("<p class=\"notice preliminary\">"),
        "{}",
        profile.body
    );
    // And the downloads, on every row.
    let csv = browser
        .get("/indicators/EVI002/download?period=2026&format=csv")
        .await;
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert!(lines[0].ends_with(";status;preliminary"), "{}", lines[0]);
    assert!(
        lines.len() > 1 && lines[1..].iter().all(|l| l.ends_with(";true")),
        "{lines:?}"
    );
    let profile_csv = browser
        .get("/orgs/0380/profile/download?period=2026Q1&format=csv")
        .await;
    let lines: Vec<&str> = profile_csv
        .body
        .trim_start_matches('\u{feff}')
        .lines()
        .collect();
    assert!(lines[0].ends_with(";preliminary"), "{}", lines[0]);
    assert!(
        lines[1..].iter().all(|l| l.ends_with(";false")),
        "{lines:?}"
    );

    // act: the clock moves to the next day, and the server's check runs.
    let next = state_on(app, "2026-06-16");
    let summary = refresh_indicators(&next).await.unwrap();
    assert!(summary.is_some_and(|s| s.cases == 10), "recomputed");
    assert!(refresh_indicators(&next).await.unwrap().is_none());

    // assert: the seventh window closed yesterday without a follow-up: 6 of 7.
    assert_eq!(
        app.store.indicator_state().await.unwrap().as_of,
        day("2026-06-16")
    );
    let answer = visitor
        .get("/api/v1/data/kpi/EVI002/municipality/SE/year/2026")
        .await
        .json();
    let (year, _) = nation(&answer, "2026");
    assert_eq!(year["count"], 7);
    assert!(
        (year["value"].as_f64().unwrap() - 600.0 / 7.0).abs() < 1e-9,
        "{year}"
    );
    // Audited, as the system.
    let entries = app.store.audit_entries().await.unwrap();
    let last = entries
        .iter()
        .rev()
        .find(|e| e.event.action == "indicators.recompute")
        .unwrap();
    assert_eq!(last.event.actor, "system");
    assert!(
        last.event.detail.contains("as of 2026-06-16"),
        "{:?}",
        last.event
    );
}
