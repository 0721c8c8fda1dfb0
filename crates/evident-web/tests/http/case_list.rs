//! A unit's case list a page at a time, over the API (`?after=&limit=`, a `next` cursor) and
//! in the browser (50 a page, a link to the next): every case once, newest first, each page
//! audited as one entry naming the clients on it.

use crate::common::TestApp;
use crate::on_both;
use evident_core::OrgCode;
use evident_core::access::Role;
use evident_core::rng::SplitMix64;
use evident_store::testing::{ClientBuilder, day};
use reqwest::StatusCode;
use std::collections::BTreeSet;

on_both!(
    the_api_pages_through_a_units_cases_to_the_end_each_once_newest_first,
    the_case_list_page_shows_fifty_cases_and_links_to_the_next_page,
);

/// Opens `n` cases at `unit`, on days that repeat and run out of id order.
async fn cases(app: &TestApp, unit: &OrgCode, n: usize) {
    let mut rng = SplitMix64::new(15);
    let days = [
        "2026-01-10",
        "2025-06-01",
        "2026-03-02",
        "2026-01-10",
        "2024-12-31",
    ];
    for i in 0..n {
        ClientBuilder::new(unit)
            .synthetic_number(&mut rng, 1940 + (i % 60) as i32)
            .opened_on(day(days[i % days.len()]))
            .create(&app.seed())
            .await;
    }
}

async fn the_api_pages_through_a_units_cases_to_the_end_each_once_newest_first(app: &TestApp) {
    // arrange: seven cases at a unit, one at another
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let other = app.unit("0380", "Familjecentralen").await;
    cases(app, &unit, 7).await;
    cases(app, &other, 1).await;
    let all: Vec<i64> = app
        .store
        .list_unit_cases(&unit)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    let listed_before = app.store.audit_entries().await.unwrap().len();

    // act: pages of three, following `next`
    let mut paged = Vec::new();
    let mut sizes = Vec::new();
    let mut path = format!("/api/v1/units/{unit}/cases?limit=3");
    loop {
        let reply = api.get(&path).await;
        reply.assert_status(StatusCode::OK);
        let page = reply.json();
        let ids: Vec<i64> = page["cases"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["id"].as_i64().unwrap())
            .collect();
        sizes.push(ids.len());
        paged.extend(ids);
        match page["next"].as_i64() {
            Some(next) => path = format!("/api/v1/units/{unit}/cases?limit=3&after={next}"),
            None => break,
        }
        assert!(sizes.len() <= 7, "paging ends: {sizes:?}");
    }

    // assert: every case of the unit once, in the order of the whole list
    assert_eq!(sizes, [3, 3, 1]);
    assert_eq!(paged, all);
    // each page audited as one entry naming the clients on it: seven clients, once each
    let entries = app.store.audit_entries().await.unwrap();
    let views: Vec<_> = entries[listed_before..]
        .iter()
        .filter(|e| e.event.action == "case.list")
        .collect();
    assert_eq!(views.len(), 3, "one entry per page: {views:?}");
    assert!(views.iter().all(|e| e.event.client.is_none()));
    assert!(
        views[0].event.detail.starts_with("3 cases; clients: "),
        "{}",
        views[0].event.detail
    );
    let listed: Vec<&str> = views
        .iter()
        .flat_map(|e| e.event.listed_clients())
        .collect();
    assert_eq!(listed.len(), 7, "{listed:?}");
    assert_eq!(listed.iter().collect::<BTreeSet<_>>().len(), 7);
    // and a search of the trail by a listed client finds its page
    let found = app
        .store
        .search_audit(&evident_store::AuditFilter {
            client: Some(listed[6].to_owned()),
            action: Some("case.list".into()),
            limit: 10,
            ..evident_store::AuditFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].id, views[2].id);

    // without parameters one page of up to 100 holds them all
    let whole = api.get(&format!("/api/v1/units/{unit}/cases")).await.json();
    assert_eq!(whole["cases"].as_array().unwrap().len(), 7, "{whole}");
    assert!(whole["next"].is_null(), "{whole}");
    assert_eq!(whole["cases"][0]["id"], all[0]);

    // limits outside 1 to 1000, or a cursor that is not a number, are refused
    for bad in ["limit=0", "limit=1001", "after=abc", "limit=-1"] {
        api.get(&format!("/api/v1/units/{unit}/cases?{bad}"))
            .await
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    }
    // a cursor of another unit's case lists nothing of this unit
    let theirs = app.store.list_unit_cases(&other).await.unwrap()[0].id;
    let none = api
        .get(&format!("/api/v1/units/{unit}/cases?after={theirs}"))
        .await
        .json();
    assert_eq!(none["cases"].as_array().unwrap().len(), 0, "{none}");
    assert!(none["next"].is_null());
}

async fn the_case_list_page_shows_fifty_cases_and_links_to_the_next_page(app: &TestApp) {
    // arrange
    let unit = app.unit("0380", "Beroendemottagningen").await;
    cases(app, &unit, 52).await;
    let all: Vec<i64> = app
        .store
        .list_unit_cases(&unit)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let mut browser = app.browser_as(&[(Role::Practitioner, unit.as_str())]).await;
    let case_links = |body: &str| -> Vec<i64> {
        body.split("<a href=\"/cases/")
            .skip(1)
            .map(|rest| rest.split('"').next().unwrap().parse().unwrap())
            .collect()
    };

    // act: the first page
    let first = browser.get(&format!("/orgs/{unit}/cases")).await;
    first.assert_status(StatusCode::OK);

    // assert: the 50 newest, and a link to the rest
    assert_eq!(case_links(&first.body), all[..50]);
    let next = format!("/orgs/{unit}/cases?after={}", all[49]);
    assert!(
        first
            .body
            .contains(&format!("<a href=\"{next}\" rel=\"next\">Nästa sida</a>")),
        "{}",
        first.body
    );
    assert!(!first.body.contains("Första sidan"));

    let second = browser.get(&next).await;
    second.assert_status(StatusCode::OK);
    assert_eq!(case_links(&second.body), all[50..]);
    assert!(!second.body.contains("rel=\"next\""), "the last page");
    assert!(
        second
            .body
            .contains(&format!("<a href=\"/orgs/{unit}/cases\">Första sidan</a>")),
        "{}",
        second.body
    );
    browser
        .get(&format!("/orgs/{unit}/cases?after=abc"))
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
}
