//! The server's "today" is the Swedish calendar day: between midnight and 01:00 (02:00 in
//! summer) Swedish time, UTC still says yesterday, and a server that took its date from UTC
//! dated cases on the wrong day and read ten-digit personal numbers in the wrong century.

use crate::common::TestApp;
use evident_core::access::Role;
use evident_core::clock::Clock;
use evident_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::json;

/// A personal number `yymmdd-nnn` with its Luhn check digit, computed here so the test does
/// not lean on the code it checks.
fn with_check_digit(first_nine: &str) -> String {
    let digits: Vec<u32> = first_nine.chars().filter_map(|c| c.to_digit(10)).collect();
    let sum: u32 = digits
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let p = if i % 2 == 0 { d * 2 } else { *d };
            p / 10 + p % 10
        })
        .sum();
    format!("{first_nine}{}", (10 - sum % 10) % 10)
}

async fn on_new_years_night(db: &TestDb) {
    // 00:30 on 1 January 2027 in Stockholm (CET, UTC+1) is still 31 December in UTC.
    let clock = Clock::fixed("2026-12-31T23:30:00Z".parse().unwrap());
    let app = TestApp::start_at(db, clock).await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    let born_today = with_check_digit("270101-238");
    let opened = api
        .json(
            Method::POST,
            &format!("/api/v1/units/{unit}/cases"),
            json!({ "personal_number": born_today }),
        )
        .await;
    opened.assert_status(StatusCode::CREATED);
    let opened = opened.json();
    assert_eq!(
        opened["case"]["opened_on"], "2027-01-01",
        "a case opened without a date is dated today in Sweden"
    );
    assert_eq!(
        opened["client"]["birth_year"], 2027,
        "a ten-digit number born today in Sweden is of this century, not 1927"
    );
    app.stop().await;
}

#[tokio::test]
async fn today_is_the_swedish_day_on_sqlite() {
    on_new_years_night(&TestDb::sqlite().await).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn today_is_the_swedish_day_on_postgres() {
    on_new_years_night(&TestDb::postgres().await).await;
}
