//! Self-report links over the API: a practitioner creates a link, the client (no account)
//! reads the questions and answers once; bad answers are named; a second submission is refused
//! and nothing is stored twice.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both!(a_client_answers_once_through_a_link_and_the_answer_becomes_a_measurement);

async fn a_client_answers_once_through_a_link_and_the_answer_becomes_a_measurement(app: &TestApp) {
    app.unit("0380", "Enhet A").await;
    app.toy_instrument().await;
    let case = app.case("0380-0001", "811218-9876").await;
    let mut staff = app.api_as(Role::Practitioner, "0380-0001").await;
    let created = staff
        .json(
            Method::POST,
            &format!("/api/v1/cases/{case}/self-report-links"),
            json!({"instrument": "toy", "time_point": "follow_up", "month": "3"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let body = created.json();
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(
        token.starts_with("sr_") && token.len() >= 3 + 64,
        "256 bits as hex: {token}"
    );
    assert_eq!(body["link"]["status"], "pending");
    // The token is not stored: only its digest finds the link.
    let digest = evident_core::access::credentials::Secret::presented(&token).digest();
    assert!(
        app.store
            .find_self_report_link(&token)
            .await
            .unwrap()
            .is_none()
    );
    assert!(
        app.store
            .find_self_report_link(&digest)
            .await
            .unwrap()
            .is_some()
    );

    let mut client = app.anonymous();
    let path = format!("/api/v1/self-report/{token}");
    let form = client.get(&path).await.json();
    assert_eq!(form["questions"].as_array().unwrap().len(), 3);

    let detail = client
        .json(Method::POST, &path, json!({"answers": {"1": "2"}}))
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(detail, "answers: question 2, 3 are not answered");
    let detail = client
        .json(
            Method::POST,
            &path,
            json!({"answers": {"1": "2", "2": "9", "3": "0"}}),
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        detail.contains("item 2: '9' is not one of its options"),
        "{detail}"
    );
    client
        .json(
            Method::POST,
            &path,
            json!({"answers": {"1": "2", "2": "1", "3": "0"}}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    client
        .json(
            Method::POST,
            &path,
            json!({"answers": {"1": "3", "2": "3", "3": "3"}}),
        )
        .await
        .assert_api_error(StatusCode::CONFLICT, "conflict");
    client
        .get(&path)
        .await
        .assert_api_error(StatusCode::CONFLICT, "conflict");

    let measurements = app.store.list_measurements(case).await.unwrap();
    assert_eq!(measurements.len(), 1, "stored once");
    assert_eq!(measurements[0].respondent.as_str(), "client");
    assert_eq!(measurements[0].score, Some(3.0));
    assert_eq!(measurements[0].month, Some(3));

    let links = staff
        .get(&format!("/api/v1/cases/{case}/self-report-links"))
        .await
        .json();
    assert_eq!(links[0]["status"], "answered");
    assert_eq!(links[0]["measurement_id"], measurements[0].id);
    let id = links[0]["id"].as_i64().unwrap();
    staff
        .send(
            Method::POST,
            &format!("/api/v1/cases/{case}/self-report-links/{id}/revoke"),
            |r| r,
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");

    // A revoked link says so.
    let second = staff
        .json(
            Method::POST,
            &format!("/api/v1/cases/{case}/self-report-links"),
            json!({"instrument": "toy", "time_point": "end", "expiry_days": "3"}),
        )
        .await
        .json();
    let id = second["link"]["id"].as_i64().unwrap();
    staff
        .send(
            Method::POST,
            &format!("/api/v1/cases/{case}/self-report-links/{id}/revoke"),
            |r| r,
        )
        .await
        .assert_status(StatusCode::OK);
    let detail = client
        .get(&format!(
            "/api/v1/self-report/{}",
            second["token"].as_str().unwrap()
        ))
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("withdrawn"), "{detail}");
    client
        .get("/api/v1/self-report/sr_nothing")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");

    // The client's own record holds the answer, and the extract is itself logged; the personal
    // number appears nowhere.
    let client_id = app.store.get_case(case).await.unwrap().client_id;
    let reply = staff
        .get(&format!("/api/v1/clients/{client_id}/record"))
        .await;
    reply.assert_status(StatusCode::OK);
    assert!(
        !reply.body.contains("811218"),
        "no personal number in the extract"
    );
    let record = reply.json();
    let measurements = record["cases"][0]["measurements"].as_array().unwrap();
    assert_eq!(measurements.len(), 1);
    assert_eq!(measurements[0]["respondent"], "client");
    let actions: Vec<&str> = record["accesses"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"client.record_extract"), "{actions:?}");
    let mut elsewhere = app.api_as(Role::Practitioner, "1480").await;
    elsewhere
        .get(&format!("/api/v1/clients/{client_id}/record"))
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
}
