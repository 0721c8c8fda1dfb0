//! A unit's follow-up table is kept by each server with the unit's data version (issue 15).
//! The attack: make one server keep the table, then change the unit's data on another server
//! sharing the database, and ask the first again. A table without the change fails.
//!
//! The dataset: six clients at a unit in outpatient treatment with the toy instrument at
//! baseline, four followed up, so the number followed up (4) is suppressed; a fifth follow-up
//! recorded on the other server makes it 5, shown.

use crate::common::TestApp;
use evident_core::access::Role;
use evident_store::testing::TestDb;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

#[tokio::test]
async fn sqlite() {
    let db = TestDb::sqlite().await;
    a_kept_table_never_outlives_a_write_on_any_server(&db).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn postgres() {
    let db = TestDb::postgres().await;
    a_kept_table_never_outlives_a_write_on_any_server(&db).await;
}

/// The outpatient row of the unit's table, as the API of `client`'s server answers it.
async fn outpatient(client: &mut crate::common::Client, unit: &str) -> Value {
    let table = client
        .get(&format!("/api/v1/units/{unit}/follow-up"))
        .await
        .json();
    table
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["intervention_type"] == "oppenvard_missbruk")
        .cloned()
        .unwrap()
}

fn follow_up() -> Value {
    json!({"instrument": "toy", "time_point": "follow_up", "month": 3, "measured_on": "2026-04-12", "respondent": "client", "answers": {"1": "1", "2": "0", "3": "0"}})
}

async fn a_kept_table_never_outlives_a_write_on_any_server(db: &TestDb) {
    // arrange: two servers on one database, one unit manager with a token on each.
    let one = TestApp::start(db).await;
    let two = TestApp::start(db).await;
    one.toy_instrument().await;
    let unit = one.unit("0380", "Beroendemottagningen").await;
    let manager = one.create_user(&[(Role::UnitManager, unit.as_str())]).await;
    let mut on_one = one.token_for(manager.id).await;
    let mut on_two = two.token_for(manager.id).await;
    let numbers = crate::common::SIX_PERSONAL_NUMBERS;
    let mut cases = Vec::new();
    for (n, number) in numbers.iter().enumerate() {
        let case = one.case(unit.as_str(), number).await;
        let base = format!("/api/v1/cases/{case}");
        on_one
            .json(Method::POST, &format!("{base}/interventions"), json!({"intervention_type": "oppenvard_missbruk", "legal_basis": "SoL", "provider": unit.as_str(), "started_on": "2026-01-12"}))
            .await
            .assert_status(StatusCode::CREATED);
        on_one
            .json(Method::POST, &format!("{base}/measurements"), json!({"instrument": "toy", "time_point": "baseline", "measured_on": "2026-01-12", "respondent": "client", "answers": {"1": "3", "2": "2", "3": (n % 3).to_string()}}))
            .await
            .assert_status(StatusCode::CREATED);
        if n >= 2 {
            on_one
                .json(Method::POST, &format!("{base}/measurements"), follow_up())
                .await
                .assert_status(StatusCode::CREATED);
        }
        cases.push(case);
    }
    // Server one computes and keeps the table, and answers the same again from it.
    let kept = outpatient(&mut on_one, unit.as_str()).await;
    assert!(kept["with_follow_up"].is_null(), "4 followed up: {kept}");
    assert_eq!(outpatient(&mut on_one, unit.as_str()).await, kept);

    // act: a fifth follow-up, recorded on the other server.
    on_two
        .json(
            Method::POST,
            &format!("/api/v1/cases/{}/measurements", cases[1]),
            follow_up(),
        )
        .await
        .assert_status(StatusCode::CREATED);

    // assert: both servers show it.
    assert_eq!(
        outpatient(&mut on_one, unit.as_str()).await["with_follow_up"],
        5
    );
    assert_eq!(
        outpatient(&mut on_two, unit.as_str()).await["with_follow_up"],
        5
    );
}
