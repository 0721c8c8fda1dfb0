//! The JSON API's behaviour for a user who is allowed: the registry, units, support
//! structures, and the error shape for bad input.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both!(
    health_answers_without_signing_in,
    the_registry_lists_21_counties_and_290_municipalities_under_their_counties,
    orgs_can_be_listed_below_a_parent_at_any_depth,
    unknown_codes_and_bad_queries_get_the_error_shape,
    units_are_created_read_and_edited,
    bad_unit_bodies_are_422_naming_the_field,
    support_structures_take_and_lose_dialog_partners,
    the_caller_sees_themselves_and_manages_their_tokens,
);

async fn health_answers_without_signing_in(app: &TestApp) {
    let reply = app.anonymous().get("/api/v1/health").await;
    reply.assert_status(StatusCode::OK);
    assert_eq!(reply.json(), json!({"status": "ok"}));
}

async fn the_registry_lists_21_counties_and_290_municipalities_under_their_counties(app: &TestApp) {
    let mut api = app.api_as(Role::NationalAnalyst, "SE").await;
    let counties = api.get("/api/v1/orgs?level=county").await.json();
    let counties = counties.as_array().unwrap();
    assert_eq!(counties.len(), 21);
    for county in counties {
        assert_eq!(county["level"], "county");
        assert_eq!(county["parent"], "SE");
        assert_eq!(
            county.as_object().unwrap().len(),
            4,
            "{{code, name, level, parent}}: {county}"
        );
    }
    let municipalities = api.get("/api/v1/orgs?level=municipality").await.json();
    let municipalities = municipalities.as_array().unwrap();
    assert_eq!(municipalities.len(), 290);
    for m in municipalities {
        let code = m["code"].as_str().unwrap();
        assert_eq!(m["parent"].as_str().unwrap(), &code[..2], "{m}");
        assert_eq!(m["level"], "municipality");
    }
}

async fn orgs_can_be_listed_below_a_parent_at_any_depth(app: &TestApp) {
    let unit = app.unit("0380", "Hemtjänst Gränby").await;
    app.unit("1480", "Hemtjänst Angered").await;
    let mut api = app.api_as(Role::NationalAnalyst, "SE").await;
    let uppsala = api.get("/api/v1/orgs?parent=03").await.json();
    assert_eq!(
        uppsala.as_array().unwrap().len(),
        8,
        "Uppsala län has 8 municipalities"
    );
    let units = api.get("/api/v1/orgs?level=unit&parent=03").await.json();
    assert_eq!(
        units,
        json!([{"code": unit.as_str(), "name": "Hemtjänst Gränby", "level": "unit", "parent": "0380"}])
    );
    let detail = api.get(&format!("/api/v1/orgs/{unit}")).await.json();
    let path: Vec<_> = detail["path"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["code"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(path, ["SE", "03", "0380"]);
    assert_eq!(detail["unit"]["provider"], "public");
    assert_eq!(detail["unit"]["area"], "elderly_care");
}

async fn unknown_codes_and_bad_queries_get_the_error_shape(app: &TestApp) {
    let mut api = app.api_as(Role::NationalAnalyst, "SE").await;
    let detail = api
        .get("/api/v1/orgs/0999")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    assert!(detail.contains("0999"), "{detail}");
    api.get("/api/v1/orgs/garbage")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    let detail = api
        .get("/api/v1/orgs?level=region")
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("region"), "{detail}");
    let detail = api
        .get("/api/v1/orgs?level=county&parent=0380")
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.starts_with("level:"), "{detail}");
    api.get("/api/v1/orgs?parent=0999")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    let detail = api
        .get("/api/v1/nope")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    assert!(detail.starts_with("API route"), "{detail}");
}

async fn units_are_created_read_and_edited(app: &TestApp) {
    let mut api = app.api_as(Role::Admin, "03").await;
    let body = json!({"municipality": "0380", "name": "Hemtjänst Gränby", "provider": "public", "area": "elderly_care"});
    let created = api.json(Method::POST, "/api/v1/units", body).await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.location(), "/api/v1/units/0380-0001");
    assert_eq!(created.json()["code"], "0380-0001");

    let change = json!({"name": "Hemtjänst Gränby-Löten", "provider": "private", "operator": "Nordomsorg AB", "area": "elderly_care"});
    let updated = api
        .json(Method::PUT, "/api/v1/units/0380-0001", change.clone())
        .await;
    updated.assert_status(StatusCode::OK);
    assert_eq!(updated.json()["operator"], "Nordomsorg AB");
    let read = api.get("/api/v1/units/0380-0001").await.json();
    assert_eq!(read["name"], "Hemtjänst Gränby-Löten");
    assert_eq!(read["provider"], "private");
    api.json(Method::PUT, "/api/v1/units/0380-0099", change)
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");

    let audit = app.store.audit_entries().await.unwrap();
    let actions: Vec<_> = audit
        .iter()
        .filter(|e| e.event.record == "unit:0380-0001")
        .map(|e| e.event.action.as_str())
        .collect();
    assert_eq!(actions, ["unit.create", "unit.update"]);
}

async fn bad_unit_bodies_are_422_naming_the_field(app: &TestApp) {
    let mut api = app.api_as(Role::Admin, "SE").await;
    let cases = [
        (
            json!({"municipality": "0380", "name": "HVB Tallen", "provider": "private", "area": "children_youth"}),
            "operator",
        ),
        (
            json!({"municipality": "0380", "provider": "public", "area": "other"}),
            "name",
        ),
        (
            json!({"municipality": "0380", "name": "X", "provider": "communal", "area": "other"}),
            "provider",
        ),
        (
            json!({"municipality": "0999", "name": "X", "provider": "public", "area": "other"}),
            "municipality",
        ),
        (
            json!({"municipality": "03", "name": "X", "provider": "public", "area": "other"}),
            "municipality",
        ),
        (
            json!({"municipality": "0380", "name": "   ", "provider": "public", "area": "other"}),
            "name",
        ),
    ];
    for (body, field) in cases {
        let detail = api
            .json(Method::POST, "/api/v1/units", body.clone())
            .await
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert!(detail.contains(field), "{body} → {detail}");
    }
    let malformed = api
        .send(Method::POST, "/api/v1/units", |r| {
            r.header("content-type", "application/json")
                .body("{\"name\": ")
        })
        .await;
    let detail = malformed.assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("not valid JSON"), "{detail}");
    let wrong_type = api
        .send(Method::POST, "/api/v1/units", |r| {
            r.header("content-type", "text/plain").body("hello")
        })
        .await;
    let detail = wrong_type.assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        detail.contains("Content-Type: application/json"),
        "{detail}"
    );
    assert!(
        app.store
            .list_units(&evident_core::OrgCode::parse("0380").unwrap())
            .await
            .unwrap()
            .is_empty(),
        "nothing stored"
    );
}

async fn support_structures_take_and_lose_dialog_partners(app: &TestApp) {
    let mut api = app.api_as(Role::RegionalLeader, "03").await;
    let structure = api
        .get("/api/v1/counties/03/support-structure")
        .await
        .json();
    assert_eq!(structure["name"], "Regional stödstruktur Uppsala län");
    let partner = json!({"name": "Anna Berg", "role": "Regional utvecklingsledare", "email": "anna.berg@lan03.example"});
    let added = api
        .json(
            Method::POST,
            "/api/v1/counties/03/support-structure/partners",
            partner,
        )
        .await;
    added.assert_status(StatusCode::CREATED);
    let id = added.json()["id"].as_i64().unwrap();
    let bad = json!({"name": "Per", "role": "X", "email": "per.example"});
    let detail = api
        .json(
            Method::POST,
            "/api/v1/counties/03/support-structure/partners",
            bad,
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("email"), "{detail}");
    let path = format!("/api/v1/counties/03/support-structure/partners/{id}");
    api.send(Method::DELETE, &path, |r| r)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    api.send(Method::DELETE, &path, |r| r)
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    api.get("/api/v1/counties/0380/support-structure")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
}

async fn the_caller_sees_themselves_and_manages_their_tokens(app: &TestApp) {
    let user = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let mut api = app.token_for(user.id).await;
    let me = api.get("/api/v1/me").await.json();
    assert_eq!(
        me["grants"],
        json!([{"role": "practitioner", "org": "0380"}])
    );
    // Only a browser session, with the password again, makes tokens (tests/http/sessions.rs).
    let mut browser = app.browser();
    browser
        .login(user.email.as_str(), crate::common::PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let csrf = browser.csrf();
    let mut create = async |body: serde_json::Value| {
        let csrf = csrf.clone();
        browser
            .send(Method::POST, "/api/v1/tokens", |r| {
                r.header("x-csrf-token", csrf).json(&body)
            })
            .await
    };
    let created =
        create(json!({"label": "script", "expires_days": 30, "password": crate::common::PASSWORD}))
            .await;
    created.assert_status(StatusCode::CREATED);
    let token = created.json()["token"].as_str().unwrap().to_owned();
    let id = created.json()["id"].as_i64().unwrap();
    let listed = api.get("/api/v1/tokens").await.json();
    assert!(
        listed
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("token").is_none()),
        "secrets are never listed: {listed}"
    );

    let mut second = app.anonymous();
    second.auth = crate::common::Auth::Bearer(token.clone());
    second.get("/api/v1/me").await.assert_status(StatusCode::OK);
    api.send(Method::DELETE, &format!("/api/v1/tokens/{id}"), |r| r)
        .await
        .assert_status(StatusCode::NO_CONTENT);
    second
        .get("/api/v1/me")
        .await
        .assert_api_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let detail =
        create(json!({"label": "x", "expires_days": 1000, "password": crate::common::PASSWORD}))
            .await
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("expires_days"), "{detail}");
}
