//! Client surveys over HTTP: unit staff publish, respondents answer anonymously once per
//! browser, and results leave the server only after disclosure control — on the page, in the
//! API's JSON and in the CSV — with free text shown escaped and only to the unit's staff.

use crate::common::{Client, TestApp};
use crate::on_both;
use evident_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

on_both!(
    a_survey_is_answered_once_per_browser_and_results_are_withheld_below_five,
    staff_publish_and_close_a_survey_on_their_pages,
    survey_answers_feed_the_share_of_satisfied_clients_indicator
);

const SURVEY: &str = "brukarundersokning-2026";

fn form(code: &str, free: &str) -> Vec<(String, String)> {
    ["respekt", "inflytande", "information"]
        .iter()
        .map(|q| (format!("q:{q}"), code.to_owned()))
        .chain([
            ("q:helhet".to_owned(), "5".to_owned()),
            ("q:fritext".to_owned(), free.to_owned()),
        ])
        .collect()
}

fn answers(code: &str) -> Value {
    json!({"answers": {"respekt": code, "inflytande": code, "information": code, "helhet": "4"}})
}

async fn publish(staff: &mut Client, unit: &str) -> String {
    let created = staff
        .json(
            Method::POST,
            &format!("/api/v1/units/{unit}/survey-publications"),
            json!({"survey": SURVEY, "period": "2026q4"}),
        )
        .await;
    created.assert_status(StatusCode::CREATED);
    let body = created.json();
    assert_eq!(body["publication"]["period"], "2026Q4");
    assert_eq!(body["publication"]["status"], "open");
    let token = body["token"].as_str().unwrap().to_owned();
    assert!(token.starts_with("q_") && token.len() >= 2 + 64, "{token}");
    assert_eq!(body["path"], format!("/q/{token}"));
    token
}

/// Answers through the API as a fresh client (no cookie: a new nonce each time).
async fn answer_fresh(app: &TestApp, token: &str, code: &str) {
    app.anonymous()
        .json(Method::POST, &format!("/api/v1/q/{token}"), answers(code))
        .await
        .assert_status(StatusCode::CREATED);
}

fn row<'a>(results: &'a Value, code: &str) -> &'a Value {
    results["rows"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["code"] == code)
        .unwrap_or_else(|| panic!("no row {code}: {results}"))
}

async fn a_survey_is_answered_once_per_browser_and_results_are_withheld_below_five(app: &TestApp) {
    // arrange: two units of one municipality, each with a publication
    app.unit("0380", "Enhet A").await;
    app.unit("0380", "Enhet B").await;
    let mut staff_a = app.api_as(Role::Practitioner, "0380-0001").await;
    let mut staff_b = app.api_as(Role::Practitioner, "0380-0002").await;
    let token_a = publish(&mut staff_a, "0380-0001").await;
    let token_b = publish(&mut staff_b, "0380-0002").await;
    // The token is not stored: only its digest finds the publication.
    assert!(
        app.store
            .find_survey_publication(&token_a)
            .await
            .unwrap()
            .is_none()
    );

    // act: a browser opens the page, gets its nonce cookie, answers with a script as free text
    let mut phone = app.browser();
    let page = phone.get(&format!("/q/{token_a}")).await;
    page.assert_status(StatusCode::OK);
    let cookie = page
        .headers
        .get_all("set-cookie")
        .iter()
        .map(|v| v.to_str().unwrap().to_owned())
        .find(|v| v.starts_with("evident_survey="))
        .expect("a nonce cookie");
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
        "{cookie}"
    );
    assert!(page.body.contains("<fieldset") && page.body.contains("<legend>1. "));
    assert!(page.body.contains("data-draft-key="));
    let script = "<script>alert('x')</script>";
    let fields = form("4", script);
    let fields: Vec<(&str, &str)> = fields
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let thanks = phone.post_form(&format!("/q/{token_a}"), &fields).await;
    thanks.assert_status(StatusCode::OK);
    assert!(
        thanks.body.contains("Tack för dina svar"),
        "{}",
        thanks.body
    );

    // assert: the same browser is refused, kindly, and nothing is stored twice
    let again = phone.post_form(&format!("/q/{token_a}"), &fields).await;
    again.assert_status(StatusCode::CONFLICT);
    assert!(again.body.contains("Du har redan svarat"), "{}", again.body);
    // Coming back to the link, the browser is told at once instead of given the form again.
    let back = phone.get(&format!("/q/{token_a}")).await;
    back.assert_status(StatusCode::CONFLICT);
    assert!(back.body.contains("Du har redan svarat") && !back.body.contains("<form"));
    let mut phone_api = phone.clone();
    phone_api
        .json(Method::POST, &format!("/api/v1/q/{token_a}"), answers("4"))
        .await
        .assert_api_error(StatusCode::CONFLICT, "conflict");

    // Missing and bad answers are named; an oversized body is refused.
    let mut other = app.browser();
    other.get(&format!("/q/{token_a}")).await;
    let missing = other
        .post_form(&format!("/q/{token_a}"), &[("q:respekt", "4")])
        .await;
    missing.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(missing.body.contains("aria-invalid=\"true\""));
    assert!(missing.body.contains("måste besvaras"));
    let mut api = app.anonymous();
    let detail = api
        .json(
            Method::POST,
            &format!("/api/v1/q/{token_a}"),
            json!({"answers": {"respekt": "4"}}),
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert_eq!(
        detail,
        "answers: question inflytande, information, helhet are not answered"
    );
    let detail = api
        .json(Method::POST, &format!("/api/v1/q/{token_a}"), answers("9"))
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        detail.contains("question respekt: '9' is not one of its options"),
        "{detail}"
    );
    let mut long = answers("4");
    long["answers"]["fritext"] = json!("x".repeat(2001));
    let detail = api
        .json(Method::POST, &format!("/api/v1/q/{token_a}"), long)
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("at most 2000"), "{detail}");
    let mut huge = answers("4");
    huge["answers"]["fritext"] = json!("x".repeat(3 * 1024 * 1024));
    let status = api
        .json(Method::POST, &format!("/api/v1/q/{token_a}"), huge)
        .await
        .status;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(app.store.count_survey_answers(1).await.unwrap(), 1);

    // Unit A has 3 answers, B has 6.
    answer_fresh(app, &token_a, "1").await;
    answer_fresh(app, &token_a, "3").await;
    for _ in 0..6 {
        answer_fresh(app, &token_b, "4").await;
    }
    let mut analyst = app.api_as(Role::MunicipalityAnalyst, "0380").await;
    let results = analyst
        .get(&format!(
            "/api/v1/surveys/{SURVEY}/results?period=2026Q4&node=0380"
        ))
        .await
        .json();
    assert_eq!(row(&results, "0380")["respondents"], 9);
    assert_eq!(row(&results, "SE")["respondents"], 9);
    for unit in ["0380-0001", "0380-0002"] {
        // A has too few; B is withheld with it, or A would be 9 − 6.
        assert_eq!(row(&results, unit)["suppressed"], true, "{unit}: {results}");
        assert_eq!(row(&results, unit)["respondents"], Value::Null);
        assert_eq!(
            row(&results, unit)["questions"][0]["share_positive"],
            Value::Null
        );
    }
    assert_eq!(results["free_text"], Value::Null, "never for an analyst");
    let mut browser_a = app.browser_as(&[(Role::Practitioner, "0380-0001")]).await;
    let page = browser_a
        .get(&format!(
            "/surveys/{SURVEY}/results?period=2026Q4&node=0380-0001"
        ))
        .await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("för få svar"), "{}", page.body);
    assert!(
        !page.body.contains("alert("),
        "no free text below five answers"
    );
    let csv = browser_a
        .get(&format!(
            "/surveys/{SURVEY}/results.csv?period=2026Q4&node=0380"
        ))
        .await;
    csv.assert_status(StatusCode::OK);
    assert!(
        csv.body.contains("0380-0001;respondents;för få svar;"),
        "{}",
        csv.body
    );
    assert!(csv.body.contains("0380;respondents;9;"), "{}", csv.body);
    assert!(
        !csv.body.contains("0380-0001;respondents;3"),
        "{}",
        csv.body
    );

    // Two more answers at A: five, and both units are shown.
    answer_fresh(app, &token_a, "4").await;
    answer_fresh(app, &token_a, "2").await;
    let results = analyst
        .get(&format!(
            "/api/v1/surveys/{SURVEY}/results?period=2026Q4&node=0380"
        ))
        .await
        .json();
    assert_eq!(row(&results, "0380-0001")["respondents"], 5);
    // respekt: 4, 1, 3, 4, 2 → 3 positive of 5
    assert_eq!(
        row(&results, "0380-0001")["questions"][0]["share_positive"],
        0.6
    );
    assert_eq!(row(&results, "0380-0002")["respondents"], 6);
    let csv = browser_a
        .get(&format!(
            "/surveys/{SURVEY}/results.csv?period=2026Q4&node=0380"
        ))
        .await;
    assert!(csv.body.contains("0380-0001;respekt;5;60"), "{}", csv.body);
    let page = browser_a
        .get(&format!(
            "/surveys/{SURVEY}/results?period=2026Q4&node=0380-0001"
        ))
        .await;
    assert!(page.body.contains(">5<"), "{}", page.body);
    // The unit's staff see the free text, escaped: the script is inert text.
    assert!(
        page.body.contains("alert("),
        "the free text is shown: {}",
        page.body
    );
    assert!(!page.body.contains(script));
    let json = staff_a
        .get(&format!(
            "/api/v1/surveys/{SURVEY}/results?period=2026Q4&node=0380-0001"
        ))
        .await
        .json();
    assert_eq!(json["free_text"], json!([script]), "stored as given");
    // Another unit's staff may not read A's results at all.
    staff_b
        .get(&format!(
            "/api/v1/surveys/{SURVEY}/results?period=2026Q4&node=0380-0001"
        ))
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
}

async fn staff_publish_and_close_a_survey_on_their_pages(app: &TestApp) {
    app.unit("0380", "Enhet A").await;
    app.unit("0380", "Enhet B").await;
    let mut staff = app.browser_as(&[(Role::UnitManager, "0380-0001")]).await;
    let page = staff.get("/orgs/0380-0001/surveys").await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("<label for=\"survey-period\">"));
    let bad = staff
        .post_form(
            "/orgs/0380-0001/surveys",
            &[("survey", SURVEY), ("period", "2026Q5")],
        )
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("2026Q5"), "{}", bad.body);
    let created = staff
        .post_form(
            "/orgs/0380-0001/surveys",
            &[("survey", SURVEY), ("period", "2026")],
        )
        .await;
    created.assert_status(StatusCode::OK);
    let start = created.body.find("/q/q_").expect("the link is shown");
    let token: String = created.body[start + 3..]
        .chars()
        .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
        .collect();
    let list = staff.get("/orgs/0380-0001/surveys").await;
    assert!(!list.body.contains(&token), "shown once");
    let id = app
        .store
        .list_survey_publications(&evident_core::OrgCode::parse("0380-0001").unwrap())
        .await
        .unwrap()[0]
        .id;
    staff
        .post_form(&format!("/survey-publications/{id}/close"), &[])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let closed = app.browser().get(&format!("/q/{token}")).await;
    closed.assert_status(StatusCode::GONE);
    assert!(closed.body.contains("Enkäten är stängd"));
    let unknown = app.browser().get("/q/q_nothing").await;
    unknown.assert_status(StatusCode::NOT_FOUND);
    // A practitioner elsewhere may not publish here.
    let mut stranger = app.browser_as(&[(Role::Practitioner, "0380-0002")]).await;
    stranger
        .post_form(
            "/orgs/0380-0001/surveys",
            &[("survey", SURVEY), ("period", "2026")],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
}

/// Posts `positive` answers satisfied overall ("helhet" 5) and `negative` not ("helhet" 2),
/// each as a fresh browser.
async fn answer_overall(app: &TestApp, token: &str, positive: usize, negative: usize) {
    for i in 0..positive + negative {
        let overall = if i < positive { "5" } else { "2" };
        app.anonymous()
            .json(
                Method::POST,
                &format!("/api/v1/q/{token}"),
                json!({"answers": {"respekt": "1", "inflytande": "4", "information": "3", "helhet": overall}}),
            )
            .await
            .assert_status(StatusCode::CREATED);
    }
}

fn kpi_total<'a>(answer: &'a Value, node: &str) -> &'a Value {
    let genders = answer["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["municipality"] == node || v["ou"] == node)
        .unwrap_or_else(|| panic!("no value for {node}: {answer}"))["values"]
        .as_array()
        .unwrap();
    assert!(
        genders
            .iter()
            .filter(|g| g["gender"] != "T")
            .all(|g| g["status"] == "NotApplicable" && g["value"].is_null()),
        "anonymous answers have no sex, so the split does not apply: {answer}"
    );
    genders.iter().find(|g| g["gender"] == "T").unwrap()
}

async fn survey_answers_feed_the_share_of_satisfied_clients_indicator(app: &TestApp) {
    // arrange: three units of one municipality with 3, 6 and 8 answers
    for name in ["Enhet A", "Enhet B", "Enhet C"] {
        app.unit("0380", name).await;
    }
    let mut tokens = Vec::new();
    for unit in ["0380-0001", "0380-0002", "0380-0003"] {
        let mut staff = app.api_as(Role::Practitioner, unit).await;
        tokens.push(publish(&mut staff, unit).await);
    }
    answer_overall(app, &tokens[0], 2, 1).await; // 3: too few
    answer_overall(app, &tokens[1], 3, 3).await; // 6: withheld with A, or A = 17 − 6 − 8
    answer_overall(app, &tokens[2], 7, 1).await; // 8

    // act
    let mut visitor = app.anonymous();
    let public = visitor
        .get("/api/v1/data/kpi/EVI011/municipality/SE,0380/year/2026Q4")
        .await
        .json();
    let mut analyst = app.api_as(Role::MunicipalityAnalyst, "0380").await;
    let units = analyst
        .get("/api/v1/oudata/kpi/EVI011/ou/0380-0001,0380-0002,0380-0003/year/2026Q4")
        .await
        .json();

    // assert: the same figures as the survey results, in per cent
    let close = |v: &Value, expected: f64| v.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9);
    let nation = kpi_total(&public, "SE");
    assert!(close(&nation["value"], 100.0 * 12.0 / 17.0), "{nation}");
    assert_eq!(nation["count"], 17);
    let municipality = kpi_total(&public, "0380");
    assert!(
        close(&municipality["value"], 100.0 * 12.0 / 17.0),
        "{municipality}"
    );
    for unit in ["0380-0001", "0380-0002"] {
        let cell = kpi_total(&units, unit);
        assert_eq!(cell["status"], "Suppressed", "{unit}: {cell}");
        assert!(cell["value"].is_null() && cell["count"].is_null());
    }
    let big = kpi_total(&units, "0380-0003");
    assert!(close(&big["value"], 100.0 * 7.0 / 8.0), "{big}");
    assert_eq!(big["count"], 8);
    let results = analyst
        .get(&format!(
            "/api/v1/surveys/{SURVEY}/results?period=2026Q4&node=0380"
        ))
        .await
        .json();
    assert_eq!(
        row(&results, "0380-0003")["questions"][3]["share_positive"],
        json!(7.0 / 8.0),
        "{results}"
    );
    let kpi = visitor.get("/api/v1/kpi/EVI011").await.json();
    assert_eq!(kpi["values"][0]["periods"], json!(["2026Q4"]), "{kpi}");
    let page = app.browser().get("/indicators/EVI011?period=2026Q4").await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("Andel nöjda brukare"));
}

/// Survey stuffing without the nonce cookie: one address sending fresh answers gets three an
/// hour per publication (the default configuration); the fourth is refused with 429, and the
/// burst is audited once, without the address.
#[tokio::test]
async fn open_mode_refuses_the_fourth_answer_within_the_hour_from_one_address() {
    // arrange: the default limit, not the tests' relaxed one
    let db = evident_store::testing::TestDb::sqlite().await;
    let config = evident_web::state::WebConfig {
        survey_answers_per_address: evident_web::service::survey::SURVEY_ANSWERS_PER_ADDRESS,
        ..TestApp::config()
    };
    let app = TestApp::start_with(&db, evident_core::clock::Clock::system(), config).await;
    app.unit("0380", "Enhet A").await;
    let mut staff = app.api_as(Role::Practitioner, "0380-0001").await;
    let token = publish(&mut staff, "0380-0001").await;

    // act: three fresh browsers from one address, then two more
    for _ in 0..3 {
        answer_fresh(&app, &token, "4").await;
    }
    let mut refused = Vec::new();
    for _ in 0..2 {
        refused.push(
            app.anonymous()
                .json(Method::POST, &format!("/api/v1/q/{token}"), answers("4"))
                .await
                .status,
        );
    }

    // assert
    assert_eq!(refused, [StatusCode::TOO_MANY_REQUESTS; 2]);
    let bursts: Vec<_> = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "survey.burst")
        .collect();
    assert_eq!(bursts.len(), 1, "a burst is flagged once: {bursts:?}");
    assert!(
        bursts[0].event.address.is_none(),
        "the address is not written"
    );
    assert!(bursts[0].event.record.starts_with("survey_publication:"));
    app.stop().await;
}
