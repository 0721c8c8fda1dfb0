//! The agreements API over HTTP: import through the API, read the document back unchanged,
//! money moving only within the decision, a required reason, the calendar and a performance
//! grant's allocation.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

const AGREEMENT: &str = include_str!("../../../../data/agreements/agreement-2011.json");
const DISBURSEMENT: &str = include_str!("../../../../data/agreements/disbursement-2011-03-24.json");
const DECISION: &str = "S2011/986/FST-2011-03-24";

on_both!(agreements_import_round_trip_and_record_money_with_reasons);

async fn agreements_import_round_trip_and_record_money_with_reasons(app: &TestApp) {
    let mut admin = app.api_as(Role::GrantAdmin, "SE").await;
    let document: Value = serde_json::from_str(AGREEMENT).unwrap();

    // A reason is required; an amount with decimals is named.
    let detail = admin
        .json(
            Method::POST,
            "/api/v1/agreements",
            json!({"reason": " ", "document": document}),
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.starts_with("reason:"), "{detail}");
    let mut decimals = document.clone();
    decimals["initiatives"][2]["amount_ore"] = json!(12.5);
    let detail = admin
        .json(
            Method::POST,
            "/api/v1/agreements",
            json!({"reason": "x", "document": decimals}),
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        detail.contains("initiatives[2].amount_ore: 12.5 has decimals"),
        "{detail}"
    );

    let imported = admin
        .json(
            Method::POST,
            "/api/v1/agreements",
            json!({"reason": "signed 2011-01-27", "document": document}),
        )
        .await;
    imported.assert_status(StatusCode::CREATED);
    assert_eq!(imported.json()["consistent"], true);
    let decision: Value = serde_json::from_str(DISBURSEMENT).unwrap();
    admin
        .json(
            Method::POST,
            "/api/v1/disbursements",
            json!({"reason": "decided 2011-03-24", "document": decision}),
        )
        .await
        .assert_status(StatusCode::CREATED);

    // Round trip: the document comes back exactly as imported.
    let back = admin
        .get("/api/v1/agreements/ebp-2011/document")
        .await
        .json();
    assert_eq!(back, document);

    // Money: a payment before a requisition is refused; a requisition within the line is not.
    let line = format!("grant:{DECISION}:1:3.2.5");
    let event = |kind: &str, amount: i64, reason: &str| json!({"kind": kind, "target": line, "amount_ore": amount, "occurred_on": "2011-04-15", "note": "R1", "reason": reason});
    let path = "/api/v1/agreements/ebp-2011/events";
    let detail = admin
        .json(Method::POST, path, event("payment", 100, "paying"))
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        detail.contains("more than the 0 kr requisitioned and not yet paid"),
        "{detail}"
    );
    admin
        .json(
            Method::POST,
            path,
            event("requisition", 440_000_000, "the whole line"),
        )
        .await
        .assert_status(StatusCode::CREATED);
    let detail = admin
        .json(Method::POST, path, event("requisition", 1, "once more"))
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        detail.contains("0 kr decided and not yet requisitioned"),
        "{detail}"
    );
    admin
        .json(Method::POST, path, event("payment", 440_000_000, ""))
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");

    // Others may read but not write.
    let mut analyst = app.api_as(Role::NationalAnalyst, "SE").await;
    analyst
        .json(Method::POST, path, event("payment", 1, "x"))
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    let detail = analyst.get("/api/v1/agreements/ebp-2011").await.json();
    insta::assert_json_snapshot!("ebp_2011_after_one_requisition", detail, {
        ".history[].id" => "[id]",
        ".history[].recorded_at" => "[timestamp]",
    });
    let row = detail["initiatives"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == "3.2.5")
        .unwrap()
        .clone();
    assert_eq!(row["decided_ore"], 440_000_000);
    assert_eq!(row["requisitioned_ore"], 440_000_000);
    assert_eq!(row["paid_ore"], 0);
    let history = detail["history"].as_array().unwrap();
    assert_eq!(history.len(), 1);
    assert_eq!(history[0]["reason"], "the whole line");
    assert!(history[0]["recorded_by"].as_str().unwrap().contains('@'));

    // The calendar: the report (2011-12-01) and repayment (2012-06-30) are overdue today;
    // once the report is submitted it is done.
    let calendar = analyst.get("/api/v1/grant-calendar").await.json();
    let status = |calendar: &Value, date: &str| {
        calendar
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["date"] == date)
            .unwrap_or_else(|| panic!("no deadline on {date}: {calendar}"))["status"]
            .clone()
    };
    assert_eq!(status(&calendar, "2011-12-01"), "overdue");
    assert_eq!(status(&calendar, "2012-06-30"), "overdue");
    assert_eq!(
        status(&calendar, "2011-06-30"),
        "done",
        "a use-by date that has passed"
    );
    admin
        .json(
            Method::POST,
            path,
            json!({"kind": "report", "target": format!("report:{DECISION}:1"), "occurred_on": "2011-11-28", "reason": "submitted"}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    let calendar = analyst.get("/api/v1/grant-calendar").await.json();
    assert_eq!(status(&calendar, "2011-12-01"), "done");

    admin
        .get("/api/v1/performance-grants/none")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    let tapering = analyst.get("/api/v1/counties/03/tapering").await.json();
    assert_eq!(tapering, json!([]));
    analyst
        .get("/api/v1/counties/0380/tapering")
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
}
