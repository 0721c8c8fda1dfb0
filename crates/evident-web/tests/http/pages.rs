//! The pages: signing in, browsing the organisation tree, forms, languages, errors.

use crate::common::{PASSWORD, TestApp};
use crate::on_both;
use evident_core::access::Role;
use reqwest::StatusCode;

fn count(haystack: &str, needle: &str) -> usize {
    haystack.matches(needle).count()
}

on_both!(
    the_home_page_is_public_and_swedish,
    pages_behind_sign_in_send_visitors_to_the_sign_in_page_and_back,
    the_organisation_browser_walks_from_nation_to_unit,
    an_admin_creates_and_edits_units_through_forms,
    a_practitioner_gets_no_forms_and_a_swedish_403,
    the_language_switch_is_remembered_and_refuses_other_sites,
    unknown_pages_get_a_swedish_404_page,
    wrong_passwords_are_refused_and_repeated_failures_throttled,
    signing_out_ends_the_session,
    a_password_change_needs_the_current_password,
    admins_create_users_and_auditors_search_the_trail,
);

async fn the_home_page_is_public_and_swedish(app: &TestApp) {
    let page = app.anonymous().get("/").await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("<html lang=\"sv\">"), "{}", page.body);
    assert!(page.body.contains("Evident hjälper socialtjänsten"));
}

async fn pages_behind_sign_in_send_visitors_to_the_sign_in_page_and_back(app: &TestApp) {
    let reply = app.anonymous().get("/orgs/03").await;
    reply.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(reply.location(), "/login?next=/orgs/03");
    let user = app.create_user(&[(Role::NationalAnalyst, "SE")]).await;
    let mut browser = app.browser();
    browser
        .get("/login?next=/orgs/03")
        .await
        .assert_status(StatusCode::OK);
    let signed_in = browser
        .post_form(
            "/login",
            &[
                ("email", user.email.as_str()),
                ("password", PASSWORD),
                ("next", "/orgs/03"),
            ],
        )
        .await;
    signed_in.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(signed_in.location(), "/orgs/03");
    let cookie = signed_in
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|c| c.starts_with("evident_session="))
        .unwrap();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    browser.get("/orgs/03").await.assert_status(StatusCode::OK);
}

async fn the_organisation_browser_walks_from_nation_to_unit(app: &TestApp) {
    let unit = app.unit("0380", "Hemtjänst Gränby").await;
    let mut browser = app.browser_as(&[(Role::NationalAnalyst, "SE")]).await;
    let nation = browser.get("/orgs").await;
    nation.assert_status(StatusCode::OK);
    let county_links = (1..=25)
        .filter(|n| nation.body.contains(&format!("href=\"/orgs/{n:02}\"")))
        .count();
    assert_eq!(county_links, 21, "{}", nation.body);
    let county = browser.get("/orgs/03").await;
    assert_eq!(
        count(&county.body, "href=\"/orgs/03"),
        8,
        "8 municipalities in Uppsala län"
    );
    assert!(county.body.contains("Regional stödstruktur Uppsala län"));
    let municipality = browser.get("/orgs/0380").await;
    assert!(
        municipality
            .body
            .contains(&format!("href=\"/orgs/{unit}\""))
    );
    assert!(municipality.body.contains("Hemtjänst Gränby"));
    let page = browser.get(&format!("/orgs/{unit}")).await;
    page.assert_status(StatusCode::OK);
    assert!(
        page.body.contains("Uppsala län") && page.body.contains("Sverige"),
        "breadcrumbs"
    );
}

async fn an_admin_creates_and_edits_units_through_forms(app: &TestApp) {
    let mut browser = app.browser_as(&[(Role::Admin, "03")]).await;
    let page = browser.get("/orgs/0380").await;
    assert!(
        page.body.contains("action=\"/orgs/0380/units\""),
        "the admin gets the form"
    );
    let rejected = browser
        .post_form(
            "/orgs/0380/units",
            &[
                ("name", "HVB Tallbacken"),
                ("provider", "private"),
                ("operator", ""),
                ("area", "children_youth"),
            ],
        )
        .await;
    rejected.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(rejected.body.contains("operator:"), "{}", rejected.body);
    assert!(
        rejected.body.contains("value=\"HVB Tallbacken\""),
        "the form keeps what was typed"
    );
    let created = browser
        .post_form(
            "/orgs/0380/units",
            &[
                ("name", "HVB Tallbacken"),
                ("provider", "private"),
                ("operator", "Nordvård AB"),
                ("area", "children_youth"),
            ],
        )
        .await;
    created.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(created.location(), "/orgs/0380-0001?saved=1");
    let shown = browser.get("/orgs/0380-0001?saved=1").await;
    assert!(
        shown.body.contains("HVB Tallbacken")
            && shown.body.contains("Nordvård AB")
            && shown.body.contains("Ändringarna är sparade")
    );
    let edited = browser
        .post_form(
            "/orgs/0380-0001",
            &[
                ("name", "HVB Tallbacken 2"),
                ("provider", "public"),
                ("operator", ""),
                ("area", "children_youth"),
            ],
        )
        .await;
    edited.assert_status(StatusCode::SEE_OTHER);
    assert!(
        browser
            .get("/orgs/0380-0001")
            .await
            .body
            .contains("HVB Tallbacken 2")
    );
}

async fn a_practitioner_gets_no_forms_and_a_swedish_403(app: &TestApp) {
    let mut browser = app.browser_as(&[(Role::Practitioner, "0380")]).await;
    let page = browser.get("/orgs/0380").await;
    page.assert_status(StatusCode::OK);
    assert!(
        !page.body.contains("action=\"/orgs/0380/units\""),
        "no form without the permission"
    );
    let refused = browser
        .post_form(
            "/orgs/0380/units",
            &[("name", "X"), ("provider", "public"), ("area", "other")],
        )
        .await;
    refused.assert_status(StatusCode::FORBIDDEN);
    assert!(refused.body.contains("Åtkomst nekad"), "{}", refused.body);
    assert!(
        refused.body.contains("needs the role admin"),
        "the page says which permission is missing"
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
    assert_eq!(denial.event.record, "org:0380");
}

async fn the_language_switch_is_remembered_and_refuses_other_sites(app: &TestApp) {
    let mut browser = app.browser_as(&[(Role::NationalAnalyst, "SE")]).await;
    let switched = browser.get("/lang/en?next=/orgs/03").await;
    switched.assert_status(StatusCode::SEE_OTHER);
    assert_eq!(switched.location(), "/orgs/03");
    assert!(
        switched
            .headers
            .get("set-cookie")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("evident_lang=en")
    );
    let page = browser.get("/orgs/03").await;
    assert!(
        page.body.contains("<html lang=\"en\">") && page.body.contains("Municipalities"),
        "{}",
        page.body
    );
    let home = browser.get("/").await;
    assert!(
        home.body.contains("Evident helps social services"),
        "remembered on the next page"
    );
    assert_eq!(
        browser.get("/lang/sv?next=//evil.example").await.location(),
        "/"
    );
    assert_eq!(
        browser
            .get("/lang/sv?next=https://evil.example")
            .await
            .location(),
        "/"
    );
}

async fn unknown_pages_get_a_swedish_404_page(app: &TestApp) {
    let mut browser = app.browser_as(&[(Role::NationalAnalyst, "SE")]).await;
    for path in ["/orgs/9999", "/orgs/nonsense", "/no-such-page"] {
        let page = browser.get(path).await;
        page.assert_status(StatusCode::NOT_FOUND);
        assert!(
            page.headers
                .get("content-type")
                .unwrap()
                .to_str()
                .unwrap()
                .starts_with("text/html"),
            "{path}"
        );
        assert!(
            page.body.contains("Sidan finns inte"),
            "{path}: {}",
            page.body
        );
    }
}

async fn wrong_passwords_are_refused_and_repeated_failures_throttled(app: &TestApp) {
    let user = app.create_user(&[(Role::Auditor, "SE")]).await;
    let mut browser = app.browser();
    let wrong = browser
        .login(user.email.as_str(), "not the password at all")
        .await;
    wrong.assert_status(StatusCode::UNAUTHORIZED);
    assert!(wrong.body.contains("Fel e-postadress eller lösenord"));
    let unknown = browser
        .login("nobody@test.example", "not the password at all")
        .await;
    assert_eq!(
        unknown.status,
        StatusCode::UNAUTHORIZED,
        "an unknown address looks the same"
    );
    for _ in 0..4 {
        browser
            .login(user.email.as_str(), "still wrong password")
            .await;
    }
    let throttled = browser.login(user.email.as_str(), PASSWORD).await;
    throttled.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(throttled.body.contains("För många misslyckade försök"));
    let failures = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .filter(|e| {
            e.event.action == "login"
                && e.event.outcome == evident_core::access::audit::Outcome::Failed
        })
        .count();
    assert!(failures >= 6, "every failed sign-in is audited: {failures}");
}

async fn signing_out_ends_the_session(app: &TestApp) {
    let mut browser = app.browser_as(&[(Role::NationalAnalyst, "SE")]).await;
    browser.get("/orgs").await.assert_status(StatusCode::OK);
    let out = browser.post_form("/logout", &[]).await;
    out.assert_status(StatusCode::SEE_OTHER);
    browser
        .get("/orgs")
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

async fn a_password_change_needs_the_current_password(app: &TestApp) {
    let user = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let mut browser = app.browser();
    browser
        .login(user.email.as_str(), PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let wrong = browser
        .post_form(
            "/account/password",
            &[
                ("current", "not it at all"),
                ("new", "a brand new password"),
                ("confirm", "a brand new password"),
            ],
        )
        .await;
    wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let short = browser
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "short"),
                ("confirm", "short"),
            ],
        )
        .await;
    short.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let changed = browser
        .post_form(
            "/account/password",
            &[
                ("current", PASSWORD),
                ("new", "a brand new password"),
                ("confirm", "a brand new password"),
            ],
        )
        .await;
    changed.assert_status(StatusCode::SEE_OTHER);
    let mut other = app.browser();
    other
        .login(user.email.as_str(), PASSWORD)
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    other
        .login(user.email.as_str(), "a brand new password")
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

async fn admins_create_users_and_auditors_search_the_trail(app: &TestApp) {
    let mut admin = app.browser_as(&[(Role::Admin, "SE")]).await;
    let created = admin
        .post_form(
            "/admin/users",
            &[
                ("email", "ny@kommun.example"),
                ("name", "Ny Person"),
                ("role", "practitioner"),
                ("org", "0380"),
            ],
        )
        .await;
    created.assert_status(StatusCode::OK);
    assert!(
        created.body.contains("ny@kommun.example") && created.body.contains("class=\"secret\""),
        "{}",
        created.body
    );
    let wrong_level = admin
        .post_form(
            "/admin/users",
            &[
                ("email", "x@kommun.example"),
                ("name", "X"),
                ("role", "regional_leader"),
                ("org", "0380"),
            ],
        )
        .await;
    wrong_level.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        wrong_level
            .body
            .contains("regional_leader is granted on a county")
    );

    let mut auditor = app.browser_as(&[(Role::Auditor, "SE")]).await;
    let page = auditor.get("/audit?action=user.create").await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("Kedjan är obruten"), "{}", page.body);
    assert!(page.body.contains("ny@kommun.example"));
    assert!(!page.body.contains(">login<"), "filtered by action");
}
