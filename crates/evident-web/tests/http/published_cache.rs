//! Published values are cached in each server and answered with an ETag of the indicators'
//! revision (issue 15). The attack: make a server cache an answer, change the data behind it —
//! through the store, as a write on another server sharing the database would — and ask both
//! servers again, with and without the old tag. A stale value or a `304` for changed data fails.
//!
//! The dataset: six clients at a unit in Uppsala, PHQ-9 at baseline on 2026-01-10 and followed
//! up on 2026-04-20 (first follow-up due at 3 months); indicators as of 2026-06-15, so EVI002
//! (share followed up) for the nation in 2026 is 6 of 6. A seventh client with a baseline on
//! 2026-01-10 and no follow-up (its window closed 2026-04-24) makes it 6 of 7.

use crate::common::{TestApp, day, phq9};
use evident_core::clock::Clock;
use evident_core::followup::TimePoint;
use evident_core::rng::SplitMix64;
use evident_store::testing::{ClientBuilder, TestDb};
use evident_web::server::refresh_indicators;
use reqwest::StatusCode;
use reqwest::header::{CACHE_CONTROL, ETAG, IF_NONE_MATCH};

#[tokio::test]
async fn sqlite() {
    let db = TestDb::sqlite().await;
    a_cached_answer_never_outlives_a_change_on_any_server(&db).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn postgres() {
    let db = TestDb::postgres().await;
    a_cached_answer_never_outlives_a_change_on_any_server(&db).await;
}

#[tokio::test]
async fn a_server_with_a_read_replica_publishes_the_replicas_values_and_works_on_the_primary() {
    // arrange: a primary with six clients followed up (6 of 6), copied as it is to a replica
    // file; then a seventh client without a follow-up on the primary only (6 of 7 there).
    let db = TestDb::sqlite().await;
    let primary = TestApp::start_at(&db, noon("2026-06-15")).await;
    assert!(refresh_indicators(&primary.state).await.unwrap().is_some());
    let unit = primary.unit("0380", "Uppsala A").await;
    let mut rng = SplitMix64::new(15);
    for _ in 0..6 {
        client(&unit, &mut rng, true).create(&primary.seed()).await;
    }
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("replica.db");
    let pool = sqlx::SqlitePool::connect(db.url.expose()).await.unwrap();
    sqlx::query("vacuum into $1")
        .bind(copy.to_str().unwrap())
        .execute(&pool)
        .await
        .unwrap();
    pool.close().await;
    client(&unit, &mut rng, false).create(&primary.seed()).await;
    let replica_url = evident_store::DatabaseUrl::sqlite_file(&copy);
    let replica =
        evident_store::open_read_only(&replica_url, &evident_store::testing::test_audit_key())
            .await
            .unwrap();
    let mut state = evident_web::AppState::with_config(db.store.clone(), TestApp::config())
        .with_analytics(replica);
    state.clock = noon("2026-06-15");

    // act
    let reading = TestApp::start_state(&db, state).await;

    // assert: open comparisons come from the replica, as of its copy ...
    assert_eq!(national_count(&primary, None).await.1, Some(7));
    let (_, count, tag) = national_count(&reading, None).await;
    assert_eq!(count, Some(6), "open values are read from the replica");
    assert_ne!(tag, national_count(&primary, None).await.2);
    let mut visitor = reading.browser();
    visitor
        .get("/indicators/EVI002?period=2026")
        .await
        .assert_status(StatusCode::OK);
    // ... and case work from the primary: a user and a client made after the copy exist.
    let mut caseworker = reading
        .api_as(evident_core::access::Role::UnitManager, unit.as_str())
        .await;
    caseworker
        .get("/api/v1/me")
        .await
        .assert_status(StatusCode::OK);
    let cases = caseworker.get(&format!("/api/v1/units/{unit}/cases")).await;
    cases.assert_status(StatusCode::OK);
    assert_eq!(cases.json()["cases"].as_array().unwrap().len(), 7);
}

const DATA: &str = "/api/v1/data/kpi/EVI002/municipality/SE/year/2026";

fn noon(date: &str) -> Clock {
    Clock::fixed(format!("{date}T10:00:00Z").parse().unwrap())
}

/// A client at `unit` with a baseline on 2026-01-10, followed up on 2026-04-20 or not.
fn client(unit: &evident_core::OrgCode, rng: &mut SplitMix64, followed_up: bool) -> ClientBuilder {
    let builder = ClientBuilder::new(unit)
        .synthetic_number(rng, 1980)
        .opened_on(day("2026-01-05"))
        .schedule(&[3])
        .measurement(phq9(TimePoint::Baseline, None, "2026-01-10", 15.0));
    if followed_up {
        builder.measurement(phq9(TimePoint::FollowUp, Some(3), "2026-04-20", 15.0))
    } else {
        builder
    }
}

/// The nation's 2026 count and the answer's ETag, from `app` (sending `tag` if given).
async fn national_count(app: &TestApp, tag: Option<&str>) -> (StatusCode, Option<u64>, String) {
    let mut visitor = app.anonymous();
    let reply = visitor
        .send(reqwest::Method::GET, DATA, |r| match tag {
            Some(tag) => r.header(IF_NONE_MATCH, tag),
            None => r,
        })
        .await;
    let etag = reply
        .headers
        .get(ETAG)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    if reply.status == StatusCode::NOT_MODIFIED {
        assert!(reply.body.is_empty(), "a 304 has no body: {}", reply.body);
        return (reply.status, None, etag);
    }
    reply.assert_status(StatusCode::OK);
    assert_eq!(
        reply.headers.get(CACHE_CONTROL).unwrap(),
        "public, no-cache",
        "open values may be kept but must be asked for again"
    );
    let answer = reply.json();
    let count = answer["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["municipality"] == "SE" && v["period"] == "2026")
        .and_then(|v| v["values"][0]["count"].as_u64());
    (reply.status, count, etag)
}

async fn a_cached_answer_never_outlives_a_change_on_any_server(db: &TestDb) {
    // arrange: two servers on one database, indicators as of 2026-06-15, six clients.
    let one = TestApp::start_at(db, noon("2026-06-15")).await;
    let two = TestApp::start_at(db, noon("2026-06-15")).await;
    assert!(refresh_indicators(&one.state).await.unwrap().is_some());
    let unit = one.unit("0380", "Uppsala A").await;
    let mut rng = SplitMix64::new(15);
    for _ in 0..6 {
        client(&unit, &mut rng, true).create(&one.seed()).await;
    }

    // Both servers read and cache 6 of 6; the same revision gives the same tag, and asking
    // with it is answered 304 without a body.
    let (_, count, tag) = national_count(&one, None).await;
    assert_eq!(count, Some(6));
    assert!(tag.starts_with("\"evident-r"), "{tag}");
    assert_eq!(national_count(&two, None).await.1, Some(6));
    assert_eq!(national_count(&two, None).await.2, tag);
    assert_eq!(
        national_count(&one, Some(&tag)).await.0,
        StatusCode::NOT_MODIFIED
    );

    // act: a seventh client, written outside both servers (as another server would).
    client(&unit, &mut rng, false).create(&one.seed()).await;

    // assert: neither server answers from its cache, and the old tag is not honoured.
    for server in [&one, &two] {
        let (status, count, new_tag) = national_count(server, Some(&tag)).await;
        assert_eq!(status, StatusCode::OK, "the data changed: no 304");
        assert_eq!(
            count,
            Some(7),
            "the cached 6 of 6 was served after the change"
        );
        assert_ne!(new_tag, tag);
    }

    // The next day's recompute is a change too.
    let (_, _, before) = national_count(&two, None).await;
    let mut later = one.state.clone();
    later.clock = noon("2026-06-16");
    assert!(refresh_indicators(&later).await.unwrap().is_some());
    let (status, count, after) = national_count(&two, Some(&before)).await;
    assert_eq!((status, count), (StatusCode::OK, Some(7)));
    assert_ne!(after, before);

    // A visitor's page (a browser keeping its cookies) has a tag per language; a signed-in
    // page has none.
    let mut visitor = one.browser();
    let page = visitor.get("/indicators/EVI002?period=2026").await;
    page.assert_status(StatusCode::OK);
    let page_tag = page
        .headers
        .get(ETAG)
        .expect("a visitor's page has a tag")
        .clone();
    let again = visitor
        .send(
            reqwest::Method::GET,
            "/indicators/EVI002?period=2026",
            |r| r.header(IF_NONE_MATCH, page_tag.clone()),
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_MODIFIED);
    visitor.get("/lang/en?next=/").await;
    let english = visitor
        .send(
            reqwest::Method::GET,
            "/indicators/EVI002?period=2026",
            |r| r.header(IF_NONE_MATCH, page_tag.clone()),
        )
        .await;
    assert_eq!(
        english.status,
        StatusCode::OK,
        "another language, another tag"
    );
    // The page is the same for every visitor reading Swedish: it holds no visitor's CSRF
    // token, so another visitor may be answered 304 with the first one's tag.
    let token = visitor
        .cookie("evident_csrf")
        .expect("a visitor's browser holds a CSRF token");
    assert!(
        !page.body.contains(&token),
        "a visitor's page carries their CSRF token"
    );
    let mut stranger = one.anonymous();
    let other = stranger
        .send(
            reqwest::Method::GET,
            "/indicators/EVI002?period=2026",
            |r| r.header(IF_NONE_MATCH, page_tag.clone()),
        )
        .await;
    assert_eq!(other.status, StatusCode::NOT_MODIFIED);
    let mut analyst = one
        .browser_as(&[(evident_core::access::Role::NationalAnalyst, "SE")])
        .await;
    let signed_in = analyst.get("/indicators/EVI002?period=2026").await;
    signed_in.assert_status(StatusCode::OK);
    assert!(signed_in.headers.get(ETAG).is_none());

    // A visitor's profile shows the comparison groups: a new group is a new revision, so the
    // kept page is not served and the group is listed.
    let profile = visitor.get("/orgs/0380/profile").await;
    profile.assert_status(StatusCode::OK);
    let profile_tag = profile.headers.get(ETAG).unwrap().clone();
    assert!(!profile.body.contains("Uppsalas grannar"));
    let group =
        evident_core::indicator::group::NewComparisonGroup::parse("Uppsalas grannar", "0380,0381")
            .unwrap();
    one.store
        .create_comparison_group(&group, &evident_core::access::audit::Actor::system())
        .await
        .unwrap();
    let profile = visitor
        .send(reqwest::Method::GET, "/orgs/0380/profile", |r| {
            r.header(IF_NONE_MATCH, profile_tag.clone())
        })
        .await;
    profile.assert_status(StatusCode::OK);
    assert!(
        profile.body.contains("Uppsalas grannar"),
        "a kept profile was served"
    );

    two.stop().await;
    one.stop().await;
}
