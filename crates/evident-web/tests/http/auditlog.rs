//! Following up the log: every client a listing or an export touched shows in that client's
//! own record, and reading the trail or a case's self-report links is itself on the trail.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use evident_core::access::audit::{Actor, AuditEvent, Outcome};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both!(
    listing_and_exporting_a_units_cases_shows_in_each_clients_own_record,
    reading_the_audit_trail_and_listing_self_report_links_are_on_the_trail,
    auditors_follow_up_emergency_accesses_denials_reads_outside_units_and_volumes,
);

/// The `(action, record)` pairs of a client record's accesses.
fn accesses(record: &serde_json::Value) -> Vec<(String, String)> {
    record["accesses"]
        .as_array()
        .expect("a list of accesses")
        .iter()
        .map(|a| {
            (
                a["action"].as_str().unwrap().to_owned(),
                a["record"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn listing_and_exporting_a_units_cases_shows_in_each_clients_own_record(app: &TestApp) {
    // arrange: two clients at a unit, a colleague who lists and exports them
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let cases = [
        app.case(unit.as_str(), "811218-9876").await,
        app.case(unit.as_str(), "121212-1212").await,
    ];
    let mut colleague = app.api_as(Role::Practitioner, unit.as_str()).await;
    // act
    colleague
        .get(&format!("/api/v1/units/{unit}/cases"))
        .await
        .assert_status(StatusCode::OK);
    colleague
        .get(&format!("/api/v1/units/{unit}/measurements"))
        .await
        .assert_status(StatusCode::OK);
    let mut browser = app.browser_as(&[(Role::Practitioner, unit.as_str())]).await;
    browser
        .get(&format!("/orgs/{unit}/cases"))
        .await
        .assert_status(StatusCode::OK);
    // assert: each client's own record names both accesses to its unit
    let mut manager = app.api_as(Role::Practitioner, unit.as_str()).await;
    for case in cases {
        let client = app.store.get_case(case).await.unwrap().client_id;
        let record = manager
            .get(&format!("/api/v1/clients/{client}/record"))
            .await;
        record.assert_status(StatusCode::OK);
        let seen = accesses(&record.json());
        let unit_record = format!("unit:{unit}");
        let lists = seen
            .iter()
            .filter(|(action, on)| action == "case.list" && *on == unit_record)
            .count();
        assert_eq!(lists, 2, "the API's and the page's listings: {seen:?}");
        assert!(
            seen.contains(&("export".to_owned(), unit_record.clone())),
            "the export shows in the client's record: {seen:?}"
        );
    }
    let entries = app.store.audit_entries().await.unwrap();
    let exports: Vec<_> = entries
        .iter()
        .filter(|e| e.event.action == "export")
        .collect();
    assert_eq!(
        exports.len(),
        3,
        "one entry for the unit and one per client, not one per measurement"
    );
}

async fn reading_the_audit_trail_and_listing_self_report_links_are_on_the_trail(app: &TestApp) {
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let case = app.case(unit.as_str(), "811218-9876").await;
    let mut practitioner = app.api_as(Role::Practitioner, unit.as_str()).await;
    practitioner
        .get(&format!("/api/v1/cases/{case}/self-report-links"))
        .await
        .assert_status(StatusCode::OK);
    let mut auditor = app.api_as(Role::Auditor, "SE").await;
    auditor
        .get("/api/v1/audit?action=case.read")
        .await
        .assert_status(StatusCode::OK);
    auditor
        .get("/api/v1/audit/verify")
        .await
        .assert_status(StatusCode::OK);
    let mut browser = app.browser_as(&[(Role::Auditor, "SE")]).await;
    browser.get("/audit").await.assert_status(StatusCode::OK);

    let entries = app.store.audit_entries().await.unwrap();
    let count = |action: &str| entries.iter().filter(|e| e.event.action == action).count();
    assert_eq!(count("audit.read"), 2, "the API's and the page's searches");
    assert_eq!(count("audit.verify"), 2, "the API and the page each verify");
    let read = entries
        .iter()
        .find(|e| e.event.action == "audit.read")
        .unwrap();
    assert!(
        read.event.detail.contains("action=case.read"),
        "the search is named: {}",
        read.event.detail
    );
    let listed = entries
        .iter()
        .find(|e| e.event.action == "selfreport.list")
        .expect("listing a case's self-report links is audited");
    let client = app.store.get_case(case).await.unwrap().client_id;
    let pseudonym = app
        .store
        .get_client(client)
        .await
        .unwrap()
        .pseudonym
        .to_string();
    assert_eq!(listed.event.client.as_deref(), Some(pseudonym.as_str()));
}

async fn auditors_follow_up_emergency_accesses_denials_reads_outside_units_and_volumes(
    app: &TestApp,
) {
    // arrange: an emergency access and a read under it, a probe into another municipality,
    // and a user who read sixty clients in a day
    let own = app.unit("0380", "Enhet A").await;
    let sibling = app.unit("0380", "Enhet B").await;
    let elsewhere = app.unit("1480", "Enhet C").await;
    let near = app.case(sibling.as_str(), "811218-9876").await;
    let far = app.case(elsewhere.as_str(), "121212-1212").await;
    let mut practitioner = app.api_as(Role::Practitioner, own.as_str()).await;
    practitioner
        .json(
            Method::POST,
            "/api/v1/break-glass",
            json!({ "case_id": near, "reason": "Akut, behöver se insatserna" }),
        )
        .await
        .assert_status(StatusCode::CREATED);
    practitioner
        .get(&format!("/api/v1/cases/{near}"))
        .await
        .assert_status(StatusCode::OK);
    practitioner
        .get(&format!("/api/v1/cases/{far}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
    let busy = Actor {
        user_id: None,
        label: "busy@test.example".into(),
        address: None,
    };
    let reads: Vec<AuditEvent> = (0..60)
        .map(|n| {
            let mut read =
                AuditEvent::new(&busy, "case.read", format!("case:{n}"), Outcome::Allowed);
            read.client = Some(format!("pseudonym-{n}"));
            read
        })
        .collect();
    app.store.append_audit_many(&reads).await.unwrap();

    // act
    let mut auditor = app.api_as(Role::Auditor, "SE").await;
    let all = auditor.get("/api/v1/audit/follow-up").await;
    all.assert_status(StatusCode::OK);
    let all = all.json();

    // assert
    let kinds = |items: &serde_json::Value, kind: &str| -> Vec<serde_json::Value> {
        items
            .as_array()
            .unwrap()
            .iter()
            .filter(|i| i["kind"] == kind)
            .cloned()
            .collect()
    };
    let glass = kinds(&all, "break_glass");
    assert_eq!(glass.len(), 1, "{all}");
    assert!(glass[0]["detail"].as_str().unwrap().contains("Akut"));
    assert!(
        kinds(&all, "denied")
            .iter()
            .any(|d| d["record"] == format!("case:{far}")),
        "the probe is listed: {all}"
    );
    let outside = kinds(&all, "outside_units");
    assert_eq!(outside.len(), 1, "{all}");
    assert_eq!(outside[0]["action"], "case.read");
    let volume = kinds(&all, "volume");
    assert_eq!(volume.len(), 1, "{all}");
    assert_eq!(volume[0]["actor"], "busy@test.example");

    let only = auditor
        .get("/api/v1/audit/follow-up?kind=break_glass")
        .await
        .json();
    assert_eq!(only.as_array().unwrap().len(), 1, "{only}");
    let nobody = auditor
        .get("/api/v1/audit/follow-up?user=nobody@test.example")
        .await
        .json();
    assert_eq!(nobody.as_array().unwrap().len(), 0, "{nobody}");
    auditor
        .get("/api/v1/audit/follow-up?kind=everything")
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    let csv = auditor.get("/api/v1/audit/follow-up?format=csv").await;
    csv.assert_status(StatusCode::OK);
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}kind;at;actor;action;record;client;detail"
    );
    assert_eq!(lines.count(), all.as_array().unwrap().len());

    let mut browser = app.browser_as(&[(Role::Auditor, "SE")]).await;
    let page = browser.get("/audit/follow-up?kind=volume").await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("busy@test.example"));
    browser
        .get("/audit/follow-up.csv?kind=volume")
        .await
        .assert_status(StatusCode::OK);
    let mut staff = app.browser_as(&[(Role::Practitioner, own.as_str())]).await;
    staff
        .get("/audit/follow-up")
        .await
        .assert_status(StatusCode::FORBIDDEN);
}
