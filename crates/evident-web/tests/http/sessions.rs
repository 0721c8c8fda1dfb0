//! Attacks on sessions and the credentials they hand out: a planted or borrowed CSRF token, the
//! token from before sign-in, cookies readable over plain HTTP, a session left idle, a token
//! minting tokens, and credentials that outlive a password change.

use crate::common::{PASSWORD, Reply, TestApp};
use crate::on_both;
use evident_core::access::Role;
use evident_core::clock::Clock;
use evident_store::testing::TestDb;
use evident_web::auth::cookies::{CSRF_COOKIE, SESSION_COOKIE};
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both!(
    a_planted_csrf_cookie_with_a_matching_form_value_is_refused_for_a_signed_in_session,
    another_users_csrf_token_is_refused,
    the_csrf_token_from_before_sign_in_is_worthless_after_it,
    a_token_cannot_create_tokens_on_the_api_or_the_page,
    creating_a_token_needs_the_password_again,
    a_password_change_revokes_every_token_and_every_other_session,
    signing_out_other_sessions_keeps_this_one_and_needs_the_csrf_token,
    the_api_signs_out_the_other_sessions_of_the_caller_only,
);

const UNIT: [(&str, &str); 3] = [("name", "Enhet"), ("provider", "public"), ("area", "other")];

fn with_csrf(csrf: &str) -> Vec<(&str, &str)> {
    let mut fields = UNIT.to_vec();
    fields.push(("csrf", csrf));
    fields
}

async fn units_in_0380(app: &TestApp) -> usize {
    app.store
        .list_units(&evident_core::OrgCode::parse("0380").unwrap())
        .await
        .unwrap()
        .len()
}

async fn a_planted_csrf_cookie_with_a_matching_form_value_is_refused_for_a_signed_in_session(
    app: &TestApp,
) {
    let mut browser = app.browser_as(&[(Role::Admin, "SE")]).await;
    // A sibling subdomain, or any plain-HTTP response, can set a cookie without the __Host-
    // prefix; the attacker sets one and posts a form that echoes it.
    let planted = "planted-by-the-attacker";
    browser.set_cookie(CSRF_COOKIE, planted);
    browser
        .post_form("/orgs/0380/units", &with_csrf(planted))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    browser
        .send(Method::POST, "/api/v1/units", |r| {
            r.header("x-csrf-token", planted).json(&json!({"municipality": "0380", "name": "Planted", "provider": "public", "area": "other"}))
        })
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    assert_eq!(units_in_0380(app).await, 0);

    let own = browser.csrf();
    browser
        .post_form("/orgs/0380/units", &with_csrf(&own))
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(units_in_0380(app).await, 1, "the session's own token works");
}

async fn another_users_csrf_token_is_refused(app: &TestApp) {
    let mallory = app.browser_as(&[(Role::Practitioner, "0380")]).await;
    let mut victim = app.browser_as(&[(Role::Admin, "SE")]).await;
    let borrowed = mallory.csrf();
    assert!(!borrowed.is_empty());
    assert_ne!(
        borrowed,
        victim.csrf(),
        "every session has a token of its own"
    );
    victim.set_cookie(CSRF_COOKIE, &borrowed);
    victim
        .post_form("/orgs/0380/units", &with_csrf(&borrowed))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(units_in_0380(app).await, 0);
}

async fn the_csrf_token_from_before_sign_in_is_worthless_after_it(app: &TestApp) {
    let user = app.create_user(&[(Role::Admin, "SE")]).await;
    let mut browser = app.browser();
    browser.get("/login").await.assert_status(StatusCode::OK);
    let before = browser.csrf();
    assert_eq!(
        browser.cookie(CSRF_COOKIE).as_deref(),
        Some(before.as_str()),
        "before sign-in the form echoes the pre-session cookie"
    );
    browser
        .login(user.email.as_str(), PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    assert_eq!(browser.cookie(CSRF_COOKIE), None, "signing in drops it");
    assert_ne!(browser.csrf(), before);
    // Whoever saw the pre-session value (it was in a cookie and on the sign-in page) replays it.
    browser.set_cookie(CSRF_COOKIE, &before);
    browser
        .post_form("/orgs/0380/units", &with_csrf(&before))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(units_in_0380(app).await, 0);
}

async fn a_token_cannot_create_tokens_on_the_api_or_the_page(app: &TestApp) {
    let user = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let mut api = app.token_for(user.id).await;
    let detail = api
        .json(
            Method::POST,
            "/api/v1/tokens",
            json!({"label": "renewed", "expires_days": 365, "password": PASSWORD}),
        )
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    assert!(detail.contains("access token cannot create"), "{detail}");
    api.send(Method::POST, "/account/tokens", |r| {
        r.form(&[
            ("label", "renewed"),
            ("days", "365"),
            ("password", PASSWORD),
        ])
    })
    .await
    .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        app.store.list_tokens(user.id).await.unwrap().len(),
        1,
        "only the token the test made"
    );
}

async fn creating_a_token_needs_the_password_again(app: &TestApp) {
    let user = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let mut browser = app.browser();
    browser
        .login(user.email.as_str(), PASSWORD)
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let csrf = browser.csrf();
    let mut api = async |body: serde_json::Value| -> Reply {
        let csrf = csrf.clone();
        browser
            .send(Method::POST, "/api/v1/tokens", |r| {
                r.header("x-csrf-token", csrf).json(&body)
            })
            .await
    };
    let missing = api(json!({"label": "script"})).await;
    assert_eq!(
        missing.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{}",
        missing.body
    );
    api(json!({"label": "script", "password": "not my password"}))
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    api(json!({"label": "script", "password": PASSWORD}))
        .await
        .assert_status(StatusCode::CREATED);

    let mut page = app.browser();
    page.login(user.email.as_str(), PASSWORD).await;
    for password in ["", "not my password"] {
        let refused = page
            .post_form(
                "/account/tokens",
                &[("label", "page"), ("days", "30"), ("password", password)],
            )
            .await;
        refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
        assert!(
            refused
                .body
                .contains("Det nuvarande lösenordet stämmer inte."),
            "{}",
            refused.body
        );
        assert!(!refused.body.contains("class=\"secret\""));
    }
    let made = page
        .post_form(
            "/account/tokens",
            &[("label", "page"), ("days", "30"), ("password", PASSWORD)],
        )
        .await;
    made.assert_status(StatusCode::OK);
    assert!(made.body.contains("class=\"secret\">evt_"), "{}", made.body);
    assert_eq!(app.store.list_tokens(user.id).await.unwrap().len(), 2);
    let failed = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| {
            e.event.action == "token.create"
                && e.event.outcome == evident_core::access::audit::Outcome::Failed
        })
        .count();
    assert_eq!(failed, 3, "every wrong password is audited");
}

async fn a_password_change_revokes_every_token_and_every_other_session(app: &TestApp) {
    let user = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let mut api = app.token_for(user.id).await;
    api.get("/api/v1/me").await.assert_status(StatusCode::OK);
    let mut elsewhere = app.browser();
    elsewhere.login(user.email.as_str(), PASSWORD).await;
    let mut browser = app.browser();
    browser.login(user.email.as_str(), PASSWORD).await;
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
    let page = browser.get(changed.location()).await;
    page.assert_status(StatusCode::OK);
    assert!(
        page.body.contains(
            "Alla dina åtkomsttoken är återkallade och dina andra inloggningar är avslutade."
        ),
        "the page says what ended: {}",
        page.body
    );
    api.get("/api/v1/me")
        .await
        .assert_api_error(StatusCode::UNAUTHORIZED, "unauthorized");
    elsewhere
        .get("/account")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    browser.get("/account").await.assert_status(StatusCode::OK);
}

async fn signing_out_other_sessions_keeps_this_one_and_needs_the_csrf_token(app: &TestApp) {
    // arrange: the same user in two browsers, and with a token
    let user = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let mut api = app.token_for(user.id).await;
    let mut elsewhere = app.browser();
    elsewhere.login(user.email.as_str(), PASSWORD).await;
    let mut browser = app.browser();
    browser.login(user.email.as_str(), PASSWORD).await;
    let page = browser.get("/account").await;
    page.assert_status(StatusCode::OK);
    assert!(
        page.body
            .contains(r#"action="/account/sessions/end-others""#),
        "{}",
        page.body
    );

    // act: a forged post (no token of this session) changes nothing; the real one does
    browser
        .post_form("/account/sessions/end-others", &[("csrf", "forged")])
        .await
        .assert_status(StatusCode::FORBIDDEN);
    elsewhere
        .get("/account")
        .await
        .assert_status(StatusCode::OK);
    let ended = browser.post_form("/account/sessions/end-others", &[]).await;

    // assert: signed out elsewhere, still here, tokens untouched, audited
    ended.assert_status(StatusCode::SEE_OTHER);
    let page = browser.get(ended.location()).await;
    page.assert_status(StatusCode::OK);
    assert!(
        page.body.contains("Du är utloggad från alla andra enheter"),
        "the page says so: {}",
        page.body
    );
    elsewhere
        .get("/account")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    browser.get("/account").await.assert_status(StatusCode::OK);
    api.get("/api/v1/me").await.assert_status(StatusCode::OK);
    let audited: Vec<_> = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "logout.others")
        .collect();
    assert_eq!(audited.len(), 1);
    assert_eq!(audited[0].event.actor_id, Some(user.id));
    assert!(audited[0].event.detail.contains("ended 1 other"));
}

async fn the_api_signs_out_the_other_sessions_of_the_caller_only(app: &TestApp) {
    let user = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let someone = app.create_user(&[(Role::Practitioner, "0380")]).await;
    let mut theirs = app.browser();
    theirs.login(someone.email.as_str(), PASSWORD).await;
    let mut first = app.browser();
    first.login(user.email.as_str(), PASSWORD).await;
    let mut second = app.browser();
    second.login(user.email.as_str(), PASSWORD).await;

    // From a session: the others end, this one stays.
    let csrf = second.csrf();
    let reply = second
        .send(Method::POST, "/api/v1/sessions/end-others", |r| {
            r.header("x-csrf-token", csrf)
        })
        .await;
    reply.assert_status(StatusCode::OK);
    assert_eq!(reply.json(), json!({ "ended": 1 }));
    first
        .get("/account")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    second.get("/account").await.assert_status(StatusCode::OK);

    // With a token: every session of the caller ends, nobody else's.
    let mut api = app.token_for(user.id).await;
    let reply = api
        .send(Method::POST, "/api/v1/sessions/end-others", |r| r)
        .await;
    reply.assert_status(StatusCode::OK);
    assert_eq!(reply.json(), json!({ "ended": 1 }));
    second
        .get("/account")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    theirs.get("/account").await.assert_status(StatusCode::OK);
}

/// The `Set-Cookie` header for the cookie `name`, split into its attributes.
fn set_cookie(reply: &Reply, name: &str) -> Vec<String> {
    reply
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap())
        .find(|c| c.starts_with(&format!("{name}=")))
        .unwrap_or_else(|| panic!("no {name} cookie in {:?}", reply.headers))
        .split("; ")
        .map(str::to_owned)
        .collect()
}

fn header(reply: &Reply, name: &str) -> Option<String> {
    reply
        .headers
        .get(name)
        .map(|v| v.to_str().unwrap().to_owned())
}

/// Attributes every secret cookie has, and that a browser-session cookie lacks.
fn assert_browser_session_cookie(attributes: &[String], secure: bool) {
    for wanted in ["HttpOnly", "SameSite=Strict", "Path=/"] {
        assert!(attributes.iter().any(|a| a == wanted), "{attributes:?}");
    }
    assert_eq!(
        attributes.iter().any(|a| a == "Secure"),
        secure,
        "{attributes:?}"
    );
    assert!(
        !attributes.iter().any(|a| a.starts_with("Max-Age")
            || a.starts_with("Expires")
            || a.starts_with("Domain")),
        "a browser-session cookie for this host only: {attributes:?}"
    );
}

#[tokio::test]
async fn over_https_cookies_are_host_prefixed_secure_and_end_with_the_browser_and_hsts_is_sent() {
    let db = TestDb::sqlite().await;
    let config = evident_web::state::WebConfig {
        secure_cookies: true,
        ..TestApp::config()
    };
    let app = TestApp::start_with(&db, Clock::system(), config).await;
    let user = app.create_user(&[(Role::NationalAnalyst, "SE")]).await;
    let mut browser = app.browser();
    let login = browser.get("/login").await;
    assert_eq!(
        header(&login, "strict-transport-security").as_deref(),
        Some("max-age=31536000; includeSubDomains")
    );
    assert_browser_session_cookie(&set_cookie(&login, "__Host-evident_csrf"), true);
    let signed_in = browser
        .post_form(
            "/login",
            &[("email", user.email.as_str()), ("password", PASSWORD)],
        )
        .await;
    signed_in.assert_status(StatusCode::SEE_OTHER);
    let session = set_cookie(&signed_in, "__Host-evident_session");
    assert_browser_session_cookie(&session, true);
    assert!(
        set_cookie(&signed_in, "__Host-evident_csrf").contains(&"Max-Age=0".to_owned()),
        "the pre-session token is dropped"
    );
    let account = browser.get("/account").await;
    account.assert_status(StatusCode::OK);
    assert!(header(&account, "strict-transport-security").is_some());

    // The same secret under the unprefixed name, as a plain-HTTP response or a sibling
    // subdomain could set it, is not a session over HTTPS.
    let secret = session[0].split_once('=').unwrap().1.to_owned();
    let mut tossed = app.browser();
    tossed.set_cookie(SESSION_COOKIE, &secret);
    tossed
        .get("/account")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    app.stop().await;
}

#[tokio::test]
async fn over_plain_http_cookies_are_not_secure_and_no_hsts_is_sent() {
    let db = TestDb::sqlite().await;
    let app = TestApp::start(&db).await;
    let user = app.create_user(&[(Role::NationalAnalyst, "SE")]).await;
    let mut browser = app.browser();
    let login = browser.get("/login").await;
    assert_eq!(header(&login, "strict-transport-security"), None);
    assert_browser_session_cookie(&set_cookie(&login, CSRF_COOKIE), false);
    let signed_in = browser
        .post_form(
            "/login",
            &[("email", user.email.as_str()), ("password", PASSWORD)],
        )
        .await;
    assert_browser_session_cookie(&set_cookie(&signed_in, SESSION_COOKIE), false);
    let account = browser.get("/account").await;
    account.assert_status(StatusCode::OK);
    assert_eq!(header(&account, "strict-transport-security"), None);
    app.stop().await;
}

/// Signs in at the start, then asks for the account page `minutes` later on a server whose
/// clock says so (on the same database, with the same browser).
struct Timeline<'a> {
    db: &'a TestDb,
    start: chrono::DateTime<chrono::Utc>,
    config: evident_web::state::WebConfig,
}

impl Timeline<'_> {
    async fn account_after(&self, browser: &crate::common::Client, minutes: i64) -> StatusCode {
        let clock = Clock::fixed(self.start + chrono::Duration::minutes(minutes));
        let app = TestApp::start_with(self.db, clock, self.config.clone()).await;
        let status = app.reach(browser).get("/account").await.status;
        app.stop().await;
        status
    }

    async fn signed_in_browser(&self, email: &str) -> crate::common::Client {
        let app = TestApp::start_with(self.db, Clock::fixed(self.start), self.config.clone()).await;
        let hash = evident_core::access::credentials::NewPassword::parse(PASSWORD)
            .unwrap()
            .hash();
        app.seed()
            .user(
                email,
                "Tidslinje",
                Some(hash),
                &[(Role::NationalAnalyst, "SE")],
            )
            .await;
        let mut browser = app.browser();
        browser
            .login(email, PASSWORD)
            .await
            .assert_status(StatusCode::SEE_OTHER);
        app.stop().await;
        browser
    }
}

async fn sessions_end_when_idle_and_after_their_lifetime(db: &TestDb) {
    let idle = Timeline {
        db,
        start: chrono::Utc::now(),
        config: TestApp::config(),
    };
    let browser = idle.signed_in_browser("idle@test.example").await;
    // Used every 29 minutes, the session lives on: each request counts as use.
    assert_eq!(idle.account_after(&browser, 29).await, StatusCode::OK);
    assert_eq!(idle.account_after(&browser, 58).await, StatusCode::OK);
    // Left alone for 31 minutes, it is over, and stays over.
    assert_eq!(
        idle.account_after(&browser, 89).await,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        idle.account_after(&browser, 60).await,
        StatusCode::SEE_OTHER
    );

    // However active, a session ends 8 hours after sign-in.
    let lifetime = Timeline {
        db,
        start: chrono::Utc::now(),
        config: evident_web::state::WebConfig {
            session_idle_minutes: 600,
            ..TestApp::config()
        },
    };
    let browser = lifetime.signed_in_browser("busy@test.example").await;
    assert_eq!(lifetime.account_after(&browser, 479).await, StatusCode::OK);
    assert_eq!(
        lifetime.account_after(&browser, 481).await,
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn sessions_end_when_idle_and_after_their_lifetime_on_sqlite() {
    sessions_end_when_idle_and_after_their_lifetime(&TestDb::sqlite().await).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn sessions_end_when_idle_and_after_their_lifetime_on_postgres() {
    sessions_end_when_idle_and_after_their_lifetime(&TestDb::postgres().await).await;
}
