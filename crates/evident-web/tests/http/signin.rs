//! Attacks on signing in: floods of concurrent sign-ins (memory), parallel guesses racing the
//! throttle, forged forwarding headers, lockouts of a whole office behind one address, audit
//! floods, and disabled accounts.

use crate::common::{Client, PASSWORD, Reply, TestApp};
use evident_core::access::Role;
use evident_core::access::audit::Outcome;
use evident_core::access::credentials::FREE_LOGIN_FAILURES;
use evident_core::access::throttle::ThrottlePolicy;
use evident_web::auth::address::TrustedProxy;
use evident_web::state::WebConfig;
use reqwest::{Method, StatusCode};
use std::time::Duration;

/// Runs `$name(&app)` on SQLite and PostgreSQL, against a server configured by `$config`.
macro_rules! on_both_with {
    ($($name:ident => $config:expr),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            async fn sqlite() {
                let db = evident_store::testing::TestDb::sqlite().await;
                let app = super::TestApp::start_with(&db, evident_core::clock::Clock::system(), $config).await;
                super::within_a_minute(super::$name(&app)).await;
                app.stop().await;
            }

            #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
            #[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
            async fn postgres() {
                let db = evident_store::testing::TestDb::postgres().await;
                let app = super::TestApp::start_with(&db, evident_core::clock::Clock::system(), $config).await;
                super::within_a_minute(super::$name(&app)).await;
                app.stop().await;
            }
        }
    )+};
}

on_both_with!(
    concurrent_sign_ins_never_hash_more_than_the_permits_and_the_excess_get_503 => super::one_hash_at_a_time(),
    parallel_guesses_check_at_most_the_free_number_of_passwords => super::TestApp::config(),
    requests_beyond_the_concurrency_limit_get_503_rather_than_a_queue => super::one_request_at_a_time(),
    a_forged_forwarded_for_from_an_untrusted_peer_is_ignored => super::TestApp::config(),
    a_forwarded_for_from_a_trusted_proxy_names_the_client => super::behind_a_proxy(),
    failures_from_one_address_do_not_stop_another_accounts_right_password => super::quick_spacing(),
    two_hundred_throttled_attempts_add_a_bounded_number_of_audit_rows => super::TestApp::config(),
    a_disabled_account_cannot_sign_in_and_its_session_and_token_stop_at_once => super::TestApp::config(),
);

/// Fails a test that takes over a minute: a sign-in that hangs is a failure, not a wait.
async fn within_a_minute(test: impl std::future::Future<Output = ()>) {
    tokio::time::timeout(Duration::from_secs(60), test)
        .await
        .expect("no sign-in hangs");
}

fn one_hash_at_a_time() -> WebConfig {
    WebConfig {
        password_hash_permits: 1,
        password_hash_wait: Duration::from_millis(5),
        ..TestApp::config()
    }
}

fn one_request_at_a_time() -> WebConfig {
    WebConfig {
        max_concurrent_requests: 1,
        request_queue_wait: Duration::from_millis(100),
        // The second sign-in from the address waits three seconds for its turn, holding the
        // only request slot all the while.
        throttle: ThrottlePolicy {
            address_free_failures: 0,
            address_spacing: chrono::Duration::seconds(3),
            ..ThrottlePolicy::default()
        },
        ..TestApp::config()
    }
}

fn behind_a_proxy() -> WebConfig {
    WebConfig {
        trusted_proxies: vec![TrustedProxy::parse("127.0.0.0/8").unwrap()],
        ..TestApp::config()
    }
}

fn quick_spacing() -> WebConfig {
    WebConfig {
        throttle: ThrottlePolicy {
            address_free_failures: 5,
            address_spacing: chrono::Duration::milliseconds(50),
            ..ThrottlePolicy::default()
        },
        ..TestApp::config()
    }
}

/// A browser that has loaded the sign-in page (for its CSRF cookie).
async fn ready_browser(app: &TestApp) -> Client {
    let mut browser = app.browser();
    browser.get("/login").await.assert_status(StatusCode::OK);
    browser
}

/// Posts the sign-in form with `headers` added.
async fn sign_in(
    browser: &mut Client,
    email: &str,
    password: &str,
    headers: &[(&'static str, &str)],
) -> Reply {
    let csrf = browser.csrf();
    let form = [
        ("email", email.to_owned()),
        ("password", password.to_owned()),
        ("next", "/orgs".to_owned()),
        ("csrf", csrf),
    ];
    let headers: Vec<(&'static str, String)> =
        headers.iter().map(|(k, v)| (*k, (*v).to_owned())).collect();
    browser
        .send(Method::POST, "/login", move |mut r| {
            for (name, value) in headers {
                r = r.header(name, value);
            }
            r.form(&form)
        })
        .await
}

/// `n` sign-ins at once, the `i`-th as `email(i)`, each from its own browser.
async fn at_once(
    app: &TestApp,
    n: usize,
    email: impl Fn(usize) -> String,
    password: &'static str,
) -> Vec<Reply> {
    let mut browsers = Vec::new();
    for _ in 0..n {
        browsers.push(ready_browser(app).await);
    }
    let mut tasks = tokio::task::JoinSet::new();
    for (i, mut browser) in browsers.into_iter().enumerate() {
        let email = email(i);
        tasks.spawn(async move { sign_in(&mut browser, &email, password, &[]).await });
    }
    tasks.join_all().await
}

fn failed_logins(entries: &[evident_core::access::audit::AuditEntry]) -> Vec<&str> {
    entries
        .iter()
        .filter(|e| e.event.action == "login" && e.event.outcome == Outcome::Failed)
        .map(|e| e.event.detail.as_str())
        .collect()
}

async fn concurrent_sign_ins_never_hash_more_than_the_permits_and_the_excess_get_503(
    app: &TestApp,
) {
    // 32 wrong passwords at once, each for its own (unknown) account, so no lock stops them.
    let replies = at_once(
        app,
        32,
        |i| format!("nobody{i}@test.example"),
        "wrong password",
    )
    .await;
    assert!(
        app.state.passwords.peak() <= 1,
        "{} hashes ran at once",
        app.state.passwords.peak()
    );
    let busy: Vec<_> = replies
        .iter()
        .filter(|r| r.status == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(
        replies.iter().all(|r| matches!(
            r.status,
            StatusCode::UNAUTHORIZED | StatusCode::SERVICE_UNAVAILABLE
        )),
        "{:?}",
        replies.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(!busy.is_empty(), "the excess is turned away, not queued");
    for reply in busy {
        assert!(reply.headers.contains_key("retry-after"));
        assert!(
            reply.body.contains("loggar många in samtidigt"),
            "{}",
            reply.body
        );
    }
    // The API's user creation hashes through the same pool.
    let mut admin = app.api_as(Role::Admin, "SE").await;
    admin
        .json(
            Method::POST,
            "/api/v1/users",
            serde_json::json!({"email": "new@test.example", "name": "New", "role": "practitioner", "org": "0380"}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    assert!(app.state.passwords.peak() <= 1);
}

async fn parallel_guesses_check_at_most_the_free_number_of_passwords(app: &TestApp) {
    let user = app.create_user(&[(Role::Auditor, "SE")]).await;
    let email = user.email.to_string();
    let replies = at_once(app, 40, move |_| email.clone(), "a wrong guess at it").await;
    let checked = replies
        .iter()
        .filter(|r| r.status == StatusCode::UNAUTHORIZED)
        .count();
    let refused = replies
        .iter()
        .filter(|r| r.status == StatusCode::TOO_MANY_REQUESTS)
        .count();
    assert_eq!(checked + refused, 40);
    assert!(
        checked as i64 <= FREE_LOGIN_FAILURES,
        "{checked} passwords were checked in parallel"
    );
    let entries = app.store.audit_entries().await.unwrap();
    let wrong = failed_logins(&entries)
        .into_iter()
        .filter(|d| d.contains("wrong"))
        .count();
    assert_eq!(wrong, checked);
}

async fn requests_beyond_the_concurrency_limit_get_503_rather_than_a_queue(app: &TestApp) {
    let mut first = ready_browser(app).await;
    sign_in(&mut first, "a@test.example", "wrong password", &[])
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    let mut second = first.clone();
    let slow =
        tokio::spawn(
            async move { sign_in(&mut second, "b@test.example", "wrong password", &[]).await },
        );
    tokio::time::sleep(Duration::from_millis(700)).await;
    let api = app.anonymous().get("/api/v1/health").await;
    api.assert_api_error(StatusCode::SERVICE_UNAVAILABLE, "unavailable");
    assert_eq!(api.headers["retry-after"], "1");
    let page = app.anonymous().get("/login").await;
    page.assert_status(StatusCode::SERVICE_UNAVAILABLE);
    assert!(page.body.contains("Servern är upptagen"), "{}", page.body);
    assert!(page.headers.contains_key("retry-after"));
    slow.await.unwrap().assert_status(StatusCode::UNAUTHORIZED);
    app.anonymous()
        .get("/api/v1/health")
        .await
        .assert_status(StatusCode::OK);
}

async fn last_login_address(app: &TestApp) -> Option<String> {
    let entries = app.store.audit_entries().await.unwrap();
    entries
        .iter()
        .rev()
        .find(|e| e.event.action == "login")
        .and_then(|e| e.event.address.clone())
}

async fn a_forged_forwarded_for_from_an_untrusted_peer_is_ignored(app: &TestApp) {
    let mut browser = ready_browser(app).await;
    for header in [
        ("x-forwarded-for", "203.0.113.5"),
        ("forwarded", "for=203.0.113.5"),
    ] {
        sign_in(&mut browser, "x@test.example", "wrong password", &[header])
            .await
            .assert_status(StatusCode::UNAUTHORIZED);
        assert_eq!(last_login_address(app).await.as_deref(), Some("127.0.0.1"));
    }
}

async fn a_forwarded_for_from_a_trusted_proxy_names_the_client(app: &TestApp) {
    let mut browser = ready_browser(app).await;
    sign_in(
        &mut browser,
        "x@test.example",
        "wrong password",
        &[("x-forwarded-for", "6.6.6.6, 203.0.113.5")],
    )
    .await
    .assert_status(StatusCode::UNAUTHORIZED);
    assert_eq!(
        last_login_address(app).await.as_deref(),
        Some("203.0.113.5"),
        "the hop the proxy saw, not what the client prepended"
    );
    // Each client behind the proxy is throttled on its own address.
    for n in 0..(FREE_LOGIN_FAILURES + 2) {
        let address = format!("198.51.100.{n}");
        sign_in(
            &mut browser,
            &format!("y{n}@test.example"),
            "wrong password",
            &[("x-forwarded-for", address.as_str())],
        )
        .await;
    }
    let entries = app.store.audit_entries().await.unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.event.address.as_deref() == Some("198.51.100.3"))
    );
}

async fn failures_from_one_address_do_not_stop_another_accounts_right_password(app: &TestApp) {
    let a = app.create_user(&[(Role::Auditor, "SE")]).await;
    let b = app.create_user(&[(Role::Auditor, "SE")]).await;
    let mut attacker = ready_browser(app).await;
    for _ in 0..30 {
        sign_in(&mut attacker, a.email.as_str(), "a wrong guess at it", &[]).await;
    }
    let locked = sign_in(&mut attacker, a.email.as_str(), PASSWORD, &[]).await;
    locked.assert_status(StatusCode::TOO_MANY_REQUESTS);
    assert!(locked.headers.contains_key("retry-after"));
    // And spraying one guess over many accounts, to push the address past its free failures.
    for n in 0..20 {
        sign_in(
            &mut attacker,
            &format!("sprayed{n}@test.example"),
            "a wrong guess at it",
            &[],
        )
        .await;
    }
    let mut colleague = ready_browser(app).await;
    sign_in(&mut colleague, b.email.as_str(), PASSWORD, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
}

async fn two_hundred_throttled_attempts_add_a_bounded_number_of_audit_rows(app: &TestApp) {
    let user = app.create_user(&[(Role::Auditor, "SE")]).await;
    let mut browser = ready_browser(app).await;
    for _ in 0..FREE_LOGIN_FAILURES {
        sign_in(
            &mut browser,
            user.email.as_str(),
            "a wrong guess at it",
            &[],
        )
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    }
    let before = app.store.audit_entries().await.unwrap().len();
    // The lock lasts a second at first, so a few attempts may get through as it lapses; each
    // of those is audited in full. The refused ones must not be.
    let mut browsers = Vec::new();
    for _ in 0..20 {
        browsers.push(ready_browser(app).await);
    }
    let (mut checked, mut refused) = (0, 0);
    for _ in 0..10 {
        let mut tasks = tokio::task::JoinSet::new();
        for mut browser in browsers.drain(..) {
            let email = user.email.to_string();
            tasks.spawn(async move {
                let reply = sign_in(&mut browser, &email, "a wrong guess at it", &[]).await;
                (browser, reply.status)
            });
        }
        for (browser, status) in tasks.join_all().await {
            match status {
                StatusCode::UNAUTHORIZED => checked += 1,
                StatusCode::TOO_MANY_REQUESTS => refused += 1,
                other => panic!("{other}"),
            }
            browsers.push(browser);
        }
    }
    assert_eq!(checked + refused, 200);
    assert!(refused >= 150, "{refused} refused");
    let entries = app.store.audit_entries().await.unwrap();
    let added = entries.len() - before;
    assert!(
        added <= checked + 2,
        "{added} audit rows for {refused} refused and {checked} checked attempts"
    );
    let summary = failed_logins(&entries[before..]);
    assert!(
        summary.iter().any(|d| d.contains("throttled")),
        "the lock is audited: {summary:?}"
    );
}

async fn a_disabled_account_cannot_sign_in_and_its_session_and_token_stop_at_once(app: &TestApp) {
    let unit = app.unit("0380", "Enhet A").await;
    let user = app
        .create_user(&[(Role::Practitioner, unit.as_str()), (Role::Auditor, "SE")])
        .await;
    let mut browser = ready_browser(app).await;
    sign_in(&mut browser, user.email.as_str(), PASSWORD, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    browser.get("/account").await.assert_status(StatusCode::OK);
    let mut token = app.token_for(user.id).await;
    token.get("/api/v1/me").await.assert_status(StatusCode::OK);

    // A unit manager cannot take away a national role along with the unit's.
    let mut manager = app.api_as(Role::UnitManager, unit.as_str()).await;
    manager
        .send(
            Method::POST,
            &format!("/api/v1/users/{}/disable", user.id),
            |r| r,
        )
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    let mut admin = app.api_as(Role::Admin, "SE").await;
    admin
        .send(
            Method::POST,
            &format!("/api/v1/users/{}/disable", user.id),
            |r| r,
        )
        .await
        .assert_status(StatusCode::NO_CONTENT);

    browser
        .get("/account")
        .await
        .assert_status(StatusCode::SEE_OTHER);
    token
        .get("/api/v1/me")
        .await
        .assert_api_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let mut again = ready_browser(app).await;
    let refused = sign_in(&mut again, user.email.as_str(), PASSWORD, &[]).await;
    let wrong = sign_in(&mut again, user.email.as_str(), "not the password", &[]).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.body, wrong.body,
        "a disabled account looks like a wrong password"
    );
    let entries = app.store.audit_entries().await.unwrap();
    assert!(failed_logins(&entries).contains(&"account disabled"));
    assert!(entries.iter().any(|e| e.event.action == "user.disable"));

    admin
        .send(
            Method::POST,
            &format!("/api/v1/users/{}/enable", user.id),
            |r| r,
        )
        .await
        .assert_status(StatusCode::NO_CONTENT);
    let mut back = ready_browser(app).await;
    sign_in(&mut back, user.email.as_str(), PASSWORD, &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
}
