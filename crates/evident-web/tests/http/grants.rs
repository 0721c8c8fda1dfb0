//! Who may hand out which role to whom: roles that read identified data take a second
//! person's approval and are never self-granted (four eyes), and a manager changes only the
//! accounts whose every role it may hand out. Each test carries out the attack.

use crate::common::{Client, TestApp};
use crate::on_both;
use evident_core::access::Role;
use evident_core::access::audit::Outcome;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both!(
    an_admin_cannot_grant_itself_a_role_that_reads_identified_data,
    a_practitioner_role_takes_effect_only_when_a_second_admin_approves_it,
    a_rejected_or_withdrawn_request_never_takes_effect,
    roles_that_do_not_read_identified_data_are_granted_at_once,
    a_unit_manager_cannot_change_the_roles_of_users_above_or_outside_its_unit,
    the_users_page_lists_requests_and_a_second_admin_approves_there,
    a_unit_manager_lists_only_the_accounts_it_may_change,
);

/// The audit entries with this action and outcome.
async fn audited(app: &TestApp, action: &str, outcome: Outcome) -> usize {
    app.store
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == action && e.event.outcome == outcome)
        .count()
}

/// A case at 0380-0001: identified data that only unit staff there may read.
async fn identified_case(app: &TestApp) -> String {
    app.unit("0380", "Enhet A").await;
    app.toy_instrument().await;
    let case = app.case("0380-0001", "811218-9876").await;
    format!("/api/v1/cases/{case}")
}

async fn reads(client: &mut Client, case: &str) -> bool {
    let reply = client.get(case).await;
    assert!(
        reply.status == StatusCode::OK || reply.status == StatusCode::NOT_FOUND,
        "{} {}",
        reply.status,
        reply.body
    );
    reply.status == StatusCode::OK
}

async fn an_admin_cannot_grant_itself_a_role_that_reads_identified_data(app: &TestApp) {
    let case = identified_case(app).await;
    let me = app.create_user(&[(Role::Admin, "0380")]).await;
    let mut admin = app.token_for(me.id).await;
    for role in ["practitioner", "unit_manager"] {
        let reply = admin
            .json(
                Method::POST,
                &format!("/api/v1/users/{}/grants", me.id),
                json!({"role": role, "org": "0380-0001"}),
            )
            .await;
        let detail = reply.assert_api_error(StatusCode::FORBIDDEN, "forbidden");
        assert!(detail.contains("grant yourself"), "{detail}");
    }
    assert_eq!(audited(app, "grant.request", Outcome::Denied).await, 2);
    assert_eq!(audited(app, "grant.request", Outcome::Allowed).await, 0);
    assert!(app.store.pending_grants().await.unwrap().is_empty());
    assert!(!reads(&mut admin, &case).await);

    // Nor through the page.
    let mut browser = app.browser();
    browser
        .login(me.email.as_str(), crate::common::PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    browser
        .get("/admin/users")
        .await
        .assert_status(StatusCode::OK);
    browser
        .post_form(
            &format!("/admin/users/{}/grants", me.id),
            &[("role", "practitioner"), ("org", "0380-0001")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(audited(app, "grant.request", Outcome::Denied).await, 3);
    assert!(app.store.get_user(me.id).await.unwrap().grants.len() == 1);
}

async fn a_practitioner_role_takes_effect_only_when_a_second_admin_approves_it(app: &TestApp) {
    let case = identified_case(app).await;
    let mut a = app.api_as(Role::Admin, "0380").await;
    let mut b = app.api_as(Role::Admin, "0380").await;
    // X may itself grant roles on its unit, so only the rule about its own role stops it.
    let x = app.create_user(&[(Role::Admin, "0380-0001")]).await;
    let mut x_client = app.token_for(x.id).await;

    let requested = a
        .json(
            Method::POST,
            &format!("/api/v1/users/{}/grants", x.id),
            json!({"role": "practitioner", "org": "0380-0001"}),
        )
        .await;
    requested.assert_status(StatusCode::ACCEPTED);
    let id = requested.json()["id"].as_i64().unwrap();
    assert_eq!(requested.json()["role"], "practitioner");
    assert_eq!(audited(app, "grant.request", Outcome::Allowed).await, 1);
    assert!(!reads(&mut x_client, &case).await, "not before approval");
    let listed = b.get("/api/v1/grant-requests").await;
    listed.assert_status(StatusCode::OK);
    assert_eq!(listed.json()[0]["id"], id);

    // A asked; it cannot also approve.
    let own = a
        .send(
            Method::POST,
            &format!("/api/v1/grant-requests/{id}/approve"),
            |r| r,
        )
        .await;
    own.assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    // X is the grantee; it cannot approve its own role.
    let grantee = x_client
        .send(
            Method::POST,
            &format!("/api/v1/grant-requests/{id}/approve"),
            |r| r,
        )
        .await;
    grantee.assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(audited(app, "grant.approve", Outcome::Denied).await, 2);
    assert!(
        !reads(&mut x_client, &case).await,
        "the refusals granted nothing"
    );

    let approved = b
        .send(
            Method::POST,
            &format!("/api/v1/grant-requests/{id}/approve"),
            |r| r,
        )
        .await;
    approved.assert_status(StatusCode::OK);
    assert!(approved.body.contains("practitioner"), "{}", approved.body);
    assert_eq!(audited(app, "grant.approve", Outcome::Allowed).await, 1);
    assert!(
        reads(&mut x_client, &case).await,
        "in effect after approval"
    );
    // Decided once: a second approval finds no open request.
    b.send(
        Method::POST,
        &format!("/api/v1/grant-requests/{id}/approve"),
        |r| r,
    )
    .await
    .assert_api_error(StatusCode::NOT_FOUND, "not_found");
}

async fn a_rejected_or_withdrawn_request_never_takes_effect(app: &TestApp) {
    let case = identified_case(app).await;
    let mut a = app.api_as(Role::Admin, "0380").await;
    let mut b = app.api_as(Role::Admin, "0380").await;
    let x = app.create_user(&[]).await;
    let mut x_client = app.token_for(x.id).await;

    let request = |client: &mut Client| {
        let mut client = client.clone();
        let path = format!("/api/v1/users/{}/grants", x.id);
        async move {
            let reply = client
                .json(
                    Method::POST,
                    &path,
                    json!({"role": "practitioner", "org": "0380-0001"}),
                )
                .await;
            reply.assert_status(StatusCode::ACCEPTED);
            reply.json()["id"].as_i64().unwrap()
        }
    };
    let id = request(&mut a).await;
    // A second request for the same grant while one is open is a conflict.
    a.json(
        Method::POST,
        &format!("/api/v1/users/{}/grants", x.id),
        json!({"role": "practitioner", "org": "0380-0001"}),
    )
    .await
    .assert_api_error(StatusCode::CONFLICT, "conflict");
    // The grantee cannot reject (nor approve) it.
    x_client
        .send(
            Method::POST,
            &format!("/api/v1/grant-requests/{id}/reject"),
            |r| r,
        )
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    b.send(
        Method::POST,
        &format!("/api/v1/grant-requests/{id}/reject"),
        |r| r,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    assert_eq!(audited(app, "grant.reject", Outcome::Allowed).await, 1);
    a.send(
        Method::POST,
        &format!("/api/v1/grant-requests/{id}/approve"),
        |r| r,
    )
    .await
    .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    b.send(
        Method::POST,
        &format!("/api/v1/grant-requests/{id}/approve"),
        |r| r,
    )
    .await
    .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    assert!(app.store.get_user(x.id).await.unwrap().grants.is_empty());
    assert!(!reads(&mut x_client, &case).await);

    // The requester may withdraw its own request; that, too, grants nothing.
    let again = request(&mut a).await;
    a.send(
        Method::POST,
        &format!("/api/v1/grant-requests/{again}/reject"),
        |r| r,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    b.send(
        Method::POST,
        &format!("/api/v1/grant-requests/{again}/approve"),
        |r| r,
    )
    .await
    .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    assert!(app.store.get_user(x.id).await.unwrap().grants.is_empty());
    assert!(app.store.pending_grants().await.unwrap().is_empty());
}

async fn roles_that_do_not_read_identified_data_are_granted_at_once(app: &TestApp) {
    app.unit("0380", "Enhet A").await;
    let mut admin = app.api_as(Role::Admin, "0380").await;
    let x = app.create_user(&[]).await;
    let reply = admin
        .json(
            Method::POST,
            &format!("/api/v1/users/{}/grants", x.id),
            json!({"role": "municipality_analyst", "org": "0380"}),
        )
        .await;
    reply.assert_status(StatusCode::OK);
    assert_eq!(reply.json()["grants"][0]["role"], "municipality_analyst");
    // A new user with a role that reads identified data is created without it, and requested.
    let created = admin
        .json(
            Method::POST,
            "/api/v1/users",
            json!({"email": "ny@test.example", "name": "Ny", "role": "practitioner", "org": "0380-0001"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    assert_eq!(created.json()["grants"], json!([]));
    assert_eq!(created.json()["pending_grant"]["role"], "practitioner");
}

async fn a_unit_manager_cannot_change_the_roles_of_users_above_or_outside_its_unit(app: &TestApp) {
    app.unit("0380", "Enhet A").await;
    let manager = app.create_user(&[(Role::UnitManager, "0380-0001")]).await;
    let mut um = app.token_for(manager.id).await;
    let analyst = app
        .create_user(&[
            (Role::NationalAnalyst, "SE"),
            (Role::Practitioner, "0380-0001"),
        ])
        .await;
    let admin = app
        .create_user(&[(Role::Admin, "0380"), (Role::Practitioner, "0380-0001")])
        .await;
    let plain_analyst = app.create_user(&[(Role::NationalAnalyst, "SE")]).await;
    let practitioner = app.create_user(&[(Role::Practitioner, "0380-0001")]).await;

    for target in [&analyst, &admin, &plain_analyst] {
        let before = audited(app, "manage_users", Outcome::Denied).await;
        um.send(
            Method::DELETE,
            &format!("/api/v1/users/{}/grants/practitioner/0380-0001", target.id),
            |r| r,
        )
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
        um.json(
            Method::POST,
            &format!("/api/v1/users/{}/grants", target.id),
            json!({"role": "unit_manager", "org": "0380-0001"}),
        )
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
        um.send(
            Method::POST,
            &format!("/api/v1/users/{}/disable", target.id),
            |r| r,
        )
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(
            audited(app, "manage_users", Outcome::Denied).await,
            before + 3,
            "each refusal is audited"
        );
    }
    assert_eq!(
        app.store.get_user(analyst.id).await.unwrap().grants.len(),
        2
    );
    assert_eq!(app.store.get_user(admin.id).await.unwrap().grants.len(), 2);
    assert!(app.store.pending_grants().await.unwrap().is_empty());

    // Nor through the page.
    let mut browser = app.browser();
    browser
        .login(manager.email.as_str(), crate::common::PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    browser
        .get("/admin/users")
        .await
        .assert_status(StatusCode::OK);
    browser
        .post_form(
            &format!("/admin/users/{}/grants/remove", admin.id),
            &[("role", "practitioner"), ("org", "0380-0001")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(app.store.get_user(admin.id).await.unwrap().grants.len(), 2);

    // A practitioner of its own unit is its to manage.
    um.json(
        Method::POST,
        &format!("/api/v1/users/{}/grants", practitioner.id),
        json!({"role": "unit_manager", "org": "0380-0001"}),
    )
    .await
    .assert_status(StatusCode::ACCEPTED);
    um.send(
        Method::DELETE,
        &format!(
            "/api/v1/users/{}/grants/practitioner/0380-0001",
            practitioner.id
        ),
        |r| r,
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
}

async fn the_users_page_lists_requests_and_a_second_admin_approves_there(app: &TestApp) {
    app.unit("0380", "Enhet A").await;
    let x = app
        .create_user(&[(Role::MunicipalityAnalyst, "0380")])
        .await;
    let mut a = app.browser_as(&[(Role::Admin, "0380")]).await;
    a.get("/admin/users").await.assert_status(StatusCode::OK);
    let requested = a
        .post_form(
            &format!("/admin/users/{}/grants", x.id),
            &[("role", "practitioner"), ("org", "0380-0001")],
        )
        .await;
    requested.assert_status(StatusCode::SEE_OTHER);
    let page = a.get(requested.location()).await;
    assert!(page.body.contains("är därför begärd"), "{}", page.body);
    assert!(
        page.body.contains("Dra tillbaka"),
        "the requester may withdraw"
    );
    let id = app.store.pending_grants().await.unwrap()[0].id;
    assert!(
        !page
            .body
            .contains(&format!("/admin/grant-requests/{id}/approve")),
        "the requester is not offered the approval"
    );

    let mut b = app.browser_as(&[(Role::Admin, "0380")]).await;
    let page = b.get("/admin/users").await;
    assert!(page.body.contains("Begärda roller"), "{}", page.body);
    b.post_form(&format!("/admin/grant-requests/{id}/approve"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let grants = app.store.get_user(x.id).await.unwrap().grants;
    assert!(
        grants.iter().any(|g| g.role == Role::Practitioner),
        "{grants:?}"
    );
}

async fn a_unit_manager_lists_only_the_accounts_it_may_change(app: &TestApp) {
    // arrange: colleagues at the manager's unit, some of whom also hold roles above or
    // outside it, someone elsewhere, and a user without roles
    app.unit("0380", "Enhet A").await;
    app.unit("0380", "Enhet B").await;
    let manager = app.create_user(&[(Role::UnitManager, "0380-0001")]).await;
    let practitioner = app.create_user(&[(Role::Practitioner, "0380-0001")]).await;
    let also_analyst = app
        .create_user(&[
            (Role::NationalAnalyst, "SE"),
            (Role::Practitioner, "0380-0001"),
        ])
        .await;
    let also_admin = app
        .create_user(&[(Role::Admin, "0380"), (Role::Practitioner, "0380-0001")])
        .await;
    let also_sibling = app
        .create_user(&[
            (Role::Practitioner, "0380-0001"),
            (Role::Practitioner, "0380-0002"),
        ])
        .await;
    let sibling = app.create_user(&[(Role::Practitioner, "0380-0002")]).await;
    let roleless = app.create_user(&[]).await;
    let admin = app.create_user(&[(Role::Admin, "SE")]).await;
    let everyone = [
        &manager,
        &practitioner,
        &also_analyst,
        &also_admin,
        &also_sibling,
        &sibling,
        &roleless,
        &admin,
    ];

    // act
    let listed = |users: serde_json::Value| -> Vec<i64> {
        let mut ids: Vec<i64> = users
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_i64().unwrap())
            .collect();
        ids.sort_unstable();
        ids
    };
    let by_manager = app.token_for(manager.id).await.get("/api/v1/users").await;
    by_manager.assert_status(StatusCode::OK);
    let by_admin = app.token_for(admin.id).await.get("/api/v1/users").await;
    by_admin.assert_status(StatusCode::OK);
    let mut browser = app.browser();
    browser
        .login(manager.email.as_str(), crate::common::PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let page = browser.get("/admin/users").await;
    page.assert_status(StatusCode::OK);

    // assert: the manager sees itself and its unit's practitioner, nobody it may not change
    assert_eq!(listed(by_manager.json()), vec![manager.id, practitioner.id]);
    let mut all: Vec<i64> = everyone.iter().map(|u| u.id).collect();
    all.sort_unstable();
    assert_eq!(
        listed(by_admin.json()),
        all,
        "an admin of the nation sees all"
    );
    for shown in [&manager, &practitioner] {
        assert!(page.body.contains(shown.email.as_str()), "{}", page.body);
    }
    for hidden in [
        &also_analyst,
        &also_admin,
        &also_sibling,
        &sibling,
        &roleless,
        &admin,
    ] {
        assert!(
            !page.body.contains(hidden.email.as_str()),
            "{} is not the manager's to change: {}",
            hidden.email,
            page.body
        );
    }
}
