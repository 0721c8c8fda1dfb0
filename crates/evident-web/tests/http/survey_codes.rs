//! One-time respondent codes, attacked over HTTP: a publication by codes takes no answer
//! without an unused code of its own — not by its link alone, not twice with one code, not
//! with another publication's code, not with many racing requests — and an address guessing
//! codes is stopped and flagged. Staff issue codes on their pages (printable slips, CSV) and
//! over the API; respondents answer at `/q` with the code alone; the mode is shown with the
//! results.

use crate::common::{Client, TestApp};
use crate::on_both;
use evident_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both!(
    a_publication_by_codes_takes_one_answer_per_code_of_its_own,
    staff_issue_printable_codes_and_respondents_answer_with_the_code_alone
);

const SURVEY: &str = "brukarundersokning-2026";

fn answers(code: Option<&str>) -> Value {
    let mut body =
        json!({"answers": {"respekt": "4", "inflytande": "4", "information": "4", "helhet": "5"}});
    if let Some(code) = code {
        body["code"] = json!(code);
    }
    body
}

/// Publishes by codes at `unit`; answers the token.
async fn publish_by_codes(staff: &mut Client, unit: &str) -> (i64, String) {
    let created = staff
        .json(
            Method::POST,
            &format!("/api/v1/units/{unit}/survey-publications"),
            json!({"survey": SURVEY, "period": "2026Q4", "integrity": "codes"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let body = created.json();
    assert_eq!(body["publication"]["integrity"], "codes");
    (
        body["publication"]["id"].as_i64().unwrap(),
        body["token"].as_str().unwrap().to_owned(),
    )
}

async fn issue(staff: &mut Client, publication: i64, count: usize) -> Vec<String> {
    let reply = staff
        .json(
            Method::POST,
            &format!("/api/v1/survey-publications/{publication}/codes"),
            json!({ "count": count }),
        )
        .await;
    reply.assert_status(StatusCode::CREATED);
    reply.json()["codes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c.as_str().unwrap().to_owned())
        .collect()
}

async fn answer_link(app: &TestApp, token: &str, code: Option<&str>) -> StatusCode {
    app.anonymous()
        .json(Method::POST, &format!("/api/v1/q/{token}"), answers(code))
        .await
        .status
}

async fn a_publication_by_codes_takes_one_answer_per_code_of_its_own(app: &TestApp) {
    // arrange: two units, each with a publication by codes
    app.unit("0380", "Enhet A").await;
    app.unit("0380", "Enhet B").await;
    let mut staff_a = app.api_as(Role::Practitioner, "0380-0001").await;
    let mut staff_b = app.api_as(Role::Practitioner, "0380-0002").await;
    let (id_a, token_a) = publish_by_codes(&mut staff_a, "0380-0001").await;
    let (id_b, _) = publish_by_codes(&mut staff_b, "0380-0002").await;
    let codes_a = issue(&mut staff_a, id_a, 5).await;
    let codes_b = issue(&mut staff_b, id_b, 1).await;
    assert_eq!(codes_a.len(), 5);
    for code in &codes_a {
        assert_eq!(code.len(), 11, "{code}");
        assert_eq!(&code[5..6], "-", "{code}");
    }
    let form = app
        .anonymous()
        .get(&format!("/api/v1/q/{token_a}"))
        .await
        .json();
    assert_eq!(form["needs_code"], true);

    // act and assert: the link alone, or with a made-up code, is no way in
    let unprocessable = StatusCode::UNPROCESSABLE_ENTITY;
    assert_eq!(answer_link(app, &token_a, None).await, unprocessable);
    assert_eq!(
        answer_link(app, &token_a, Some("00000-00000")).await,
        unprocessable
    );
    assert_eq!(
        answer_link(app, &token_a, Some("not a code at all")).await,
        unprocessable
    );
    // each code once; typed in lower case without the dash it is the same code
    assert_eq!(
        answer_link(app, &token_a, Some(&codes_a[0])).await,
        StatusCode::CREATED
    );
    assert_eq!(
        answer_link(app, &token_a, Some(&codes_a[0])).await,
        unprocessable,
        "a used code"
    );
    let sloppy = codes_a[1].to_lowercase().replace('-', " ");
    assert_eq!(
        answer_link(app, &token_a, Some(&sloppy)).await,
        StatusCode::CREATED
    );
    // another publication's code does not open this one, but does its own (by the code alone)
    assert_eq!(
        answer_link(app, &token_a, Some(&codes_b[0])).await,
        unprocessable
    );
    let by_code = app
        .anonymous()
        .json(Method::POST, "/api/v1/q", answers(Some(&codes_b[0])))
        .await;
    by_code.assert_status(StatusCode::CREATED);
    // eight requests racing with one code: exactly one answer
    let racers: Vec<_> = (0..8)
        .map(|_| {
            let mut client = app.anonymous();
            let path = format!("/api/v1/q/{token_a}");
            let body = answers(Some(&codes_a[2]));
            tokio::spawn(async move { client.json(Method::POST, &path, body).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for racer in racers {
        statuses.push(racer.await.unwrap());
    }
    assert_eq!(
        statuses
            .iter()
            .filter(|s| **s == StatusCode::CREATED)
            .count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(app.store.count_survey_answers(id_a).await.unwrap(), 3);
    assert_eq!(app.store.count_survey_answers(id_b).await.unwrap(), 1);
    let listed = staff_a
        .get("/api/v1/units/0380-0001/survey-publications")
        .await
        .json();
    assert_eq!(listed[0]["codes_issued"], 5);
    assert_eq!(listed[0]["codes_used"], 3);
    assert_eq!(listed[0]["answers"], 3);

    // Codes are not kept: no audit entry holds one.
    let trail = format!("{:?}", app.store.audit_entries().await.unwrap());
    for code in codes_a.iter().chain(&codes_b) {
        assert!(!trail.contains(&code[..5]), "{code} in the trail");
    }
    // Only the unit's staff issue codes, and only for an open publication by codes.
    staff_b
        .json(
            Method::POST,
            &format!("/api/v1/survey-publications/{id_a}/codes"),
            json!({"count": 1}),
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let by_link = staff_a
        .json(
            Method::POST,
            "/api/v1/units/0380-0001/survey-publications",
            json!({"survey": SURVEY, "period": "2026Q4"}),
        )
        .await
        .json();
    assert_eq!(by_link["publication"]["integrity"], "link", "the default");
    let link_id = by_link["publication"]["id"].as_i64().unwrap();
    for (publication, count) in [(link_id, 1), (id_a, 0), (id_a, 5_001)] {
        staff_a
            .json(
                Method::POST,
                &format!("/api/v1/survey-publications/{publication}/codes"),
                json!({ "count": count }),
            )
            .await
            .assert_status(unprocessable);
    }
    staff_a
        .json(
            Method::POST,
            "/api/v1/units/0380-0001/survey-publications",
            json!({"survey": SURVEY, "period": "2026Q4", "integrity": "cookie"}),
        )
        .await
        .assert_status(unprocessable);

    // The results say how the answers were collected.
    let results = staff_a
        .get(&format!(
            "/api/v1/surveys/{SURVEY}/results?period=2026Q4&node=0380"
        ))
        .await
        .json();
    assert_eq!(results["integrity"], json!(["codes", "link"]));
}

async fn staff_issue_printable_codes_and_respondents_answer_with_the_code_alone(app: &TestApp) {
    // arrange: a unit manager publishes by codes on the staff page
    app.unit("0380", "Enhet A").await;
    let mut staff = app.browser_as(&[(Role::UnitManager, "0380-0001")]).await;
    let page = staff.get("/orgs/0380-0001/surveys").await;
    assert!(
        page.body
            .contains("name=\"integrity\" value=\"codes\" checked")
    );
    staff
        .post_form(
            "/orgs/0380-0001/surveys",
            &[
                ("survey", SURVEY),
                ("period", "2026"),
                ("integrity", "codes"),
            ],
        )
        .await
        .assert_status(StatusCode::OK);
    let id = app
        .store
        .list_survey_publications(&evident_core::OrgCode::parse("0380-0001").unwrap())
        .await
        .unwrap()[0]
        .id;

    // act: printable slips, then a CSV for text messages
    let slips = staff
        .post_form(
            &format!("/survey-publications/{id}/codes"),
            &[("count", "3"), ("format", "html")],
        )
        .await;
    let csv = staff
        .post_form(
            &format!("/survey-publications/{id}/codes"),
            &[("count", "2"), ("format", "csv")],
        )
        .await;

    // assert: three slips, each with a code and where to type it
    slips.assert_status(StatusCode::OK);
    assert_eq!(slips.headers["cache-control"], "no-store");
    assert_eq!(slips.body.matches("class=\"code-slip\"").count(), 3);
    assert!(slips.body.contains("/q"));
    let printed: Vec<String> = slips
        .body
        .split("<span class=\"code\">")
        .skip(1)
        .map(|rest| rest.chars().take(11).collect())
        .filter(|c: &String| c.len() == 11 && &c[5..6] == "-")
        .collect();
    assert_eq!(printed.len(), 3, "{}", slips.body);
    csv.assert_status(StatusCode::OK);
    let lines: Vec<&str> = csv.body.lines().collect();
    assert_eq!(lines[0].trim_start_matches('\u{feff}'), "code;link");
    assert_eq!(lines.len(), 3);
    assert!(lines[1].contains("/q?kod="), "{}", lines[1]);
    let listed = staff.get("/orgs/0380-0001/surveys").await;
    assert!(
        listed.body.contains("5 utdelade, 0 använda"),
        "{}",
        listed.body
    );
    for code in &printed {
        assert!(!listed.body.contains(code.as_str()), "shown once");
    }

    // A respondent types a code at /q: the survey opens with the code filled in.
    let mut respondent = app.browser();
    let wrong = respondent.get("/q?kod=00000-00000").await;
    wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("Koden stämmer inte"));
    let opened = respondent.get(&format!("/q?kod={}", printed[0])).await;
    opened.assert_status(StatusCode::OK);
    assert!(opened.body.contains(&format!("value=\"{}\"", printed[0])));
    let mut fields: Vec<(&str, &str)> = ["q:respekt", "q:inflytande", "q:information"]
        .into_iter()
        .map(|q| (q, "4"))
        .collect();
    fields.push(("q:helhet", "5"));
    // Missing answers bring the form back with the code kept.
    let partial = respondent
        .post_form("/q", &[("code", printed[0].as_str()), ("q:helhet", "5")])
        .await;
    partial.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(partial.body.contains(&format!("value=\"{}\"", printed[0])));
    let mut with_code = fields.clone();
    with_code.push(("code", printed[0].as_str()));
    let thanks = respondent.post_form("/q", &with_code).await;
    thanks.assert_status(StatusCode::OK);
    assert!(
        thanks.body.contains("Tack för dina svar"),
        "{}",
        thanks.body
    );
    // The same browser answers again with the next code (a kiosk at the unit), but not with
    // the used one.
    let again = respondent.post_form("/q", &with_code).await;
    again.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(again.body.contains("Koden stämmer inte"));
    let mut next = fields.clone();
    next.push(("code", printed[1].as_str()));
    respondent
        .post_form("/q", &next)
        .await
        .assert_status(StatusCode::OK);
    assert_eq!(app.store.count_survey_answers(id).await.unwrap(), 2);
    // The results page names the mode.
    let results = staff
        .get(&format!(
            "/surveys/{SURVEY}/results?period=2026&node=0380-0001"
        ))
        .await;
    assert!(
        results.body.contains("insamlade med: engångskoder"),
        "{}",
        results.body
    );
}

/// Guessing codes: one address gets ten wrong codes an hour per publication (the default
/// configuration) and at the code page; then even a right code is refused with 429, and the
/// burst is audited once, without the address.
#[tokio::test]
async fn an_address_guessing_codes_is_stopped_and_flagged() {
    // arrange: the default limits, not the tests' relaxed ones
    let db = evident_store::testing::TestDb::sqlite().await;
    let config = evident_web::state::WebConfig {
        survey_code_guesses_per_address: evident_web::service::survey::CODE_GUESSES_PER_ADDRESS,
        ..TestApp::config()
    };
    let app = TestApp::start_with(&db, evident_core::clock::Clock::system(), config).await;
    app.unit("0380", "Enhet A").await;
    let mut staff = app.api_as(Role::Practitioner, "0380-0001").await;
    let (id, token) = publish_by_codes(&mut staff, "0380-0001").await;
    let codes = issue(&mut staff, id, 2).await;

    // act: ten wrong guesses on the link, then the right code; the same at the code page
    let mut on_link = Vec::new();
    for i in 0..10 {
        let guess = format!("{:05}-{:05}", i, i);
        on_link.push(answer_link(&app, &token, Some(&guess)).await);
    }
    let right_after = answer_link(&app, &token, Some(&codes[0])).await;
    let mut on_code_page = Vec::new();
    for i in 0..11 {
        let guess = format!("{:05}-{:05}", i, i);
        on_code_page.push(
            app.anonymous()
                .json(
                    Method::POST,
                    "/api/v1/q/questions",
                    json!({ "code": guess }),
                )
                .await
                .status,
        );
    }

    // assert
    assert_eq!(on_link, [StatusCode::UNPROCESSABLE_ENTITY; 10]);
    assert_eq!(right_after, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(&on_code_page[..10], [StatusCode::UNPROCESSABLE_ENTITY; 10]);
    assert_eq!(on_code_page[10], StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(app.store.count_survey_answers(id).await.unwrap(), 0);
    let bursts: Vec<_> = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "survey.burst")
        .collect();
    assert_eq!(bursts.len(), 2, "once per publication and page: {bursts:?}");
    assert!(bursts.iter().all(|b| b.event.address.is_none()));
    assert!(bursts[0].event.detail.contains("wrong respondent codes"));
    app.stop().await;
}
