//! Open comparisons over HTTP: the Kolada-shaped API, the indicator page with its funnel
//! plot and drill-down, the municipality profile with similar and user-defined groups, the
//! downloads, and bad input — on a small dataset whose values are worked out by hand here.
//!
//! The dataset (EVI003, share of clients reliably improved on PHQ-9: baseline 20, follow-up 12
//! is a reliable improvement, 19 is not; all follow-ups in 2025):
//!
//! | unit      | municipality        | clients | improved |
//! |-----------|---------------------|---------|----------|
//! | 0380-0001 | Uppsala (0380)      | 7       | 3        |
//! | 0380-0002 | Uppsala (0380)      | 2       | 2        |
//! | 1480-0001 | Göteborg (1480)     | 10      | 3        |
//! | 0180-0001 | Stockholm (0180)    | 5       | 4        |
//!
//! So Uppsala 5/9 = 55.6 %, Göteborg 3/10 = 30.0 %, Stockholm 4/5 = 80.0 %, the nation
//! 12/24 = 50.0 %. Unit 0380-0002 rests on 2 < 5 clients and is suppressed; 0380-0001 is
//! suppressed with it, or Uppsala's total minus it would give 0380-0002 away. Göteborg, Stockholm
//! and Uppsala all have 200 000 inhabitants or more, so Göteborg's similar group is the mean of
//! Stockholm and Uppsala: (80.0 + 55.56) / 2 = 67.8 %.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use evident_core::rng::SplitMix64;
use evident_store::testing::ClientBuilder;
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};

/// The dataset of the module comment.
async fn dataset(app: &TestApp) {
    let seed = app.seed();
    let mut rng = SplitMix64::new(11);
    let uppsala_a = app.unit("0380", "Uppsala A").await;
    let uppsala_b = app.unit("0380", "Uppsala B").await;
    let goteborg = app.unit("1480", "Göteborg A").await;
    let stockholm = app.unit("0180", "Stockholm A").await;
    for (unit, clients, improved) in [
        (&uppsala_a, 7, 3),
        (&uppsala_b, 2, 2),
        (&goteborg, 10, 3),
        (&stockholm, 5, 4),
    ] {
        for i in 0..clients {
            let follow_up = if i < improved { 12.0 } else { 19.0 };
            ClientBuilder::new(unit)
                .synthetic_number(&mut rng, 1980)
                .phq9_in_2025(20.0, follow_up)
                .create(&seed)
                .await;
        }
    }
}

/// The total (`T`) cell of a node in a data answer.
fn total<'a>(answer: &'a Value, node: &str) -> &'a Value {
    answer["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["municipality"] == node || v["ou"] == node)
        .unwrap_or_else(|| panic!("no value for {node}: {answer}"))["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["gender"] == "T")
        .unwrap()
}

fn close(value: &Value, expected: f64) -> bool {
    value.as_f64().is_some_and(|v| (v - expected).abs() < 1e-9)
}

on_both!(
    the_api_gives_hand_computed_values_missing_for_no_data_and_hides_small_units,
    the_indicator_page_ranks_draws_the_funnel_and_drills_down_by_role,
    the_profile_compares_with_county_nation_similar_and_own_groups,
    tables_download_as_csv_and_excel_and_bad_input_is_named,
    auditors_and_unit_staff_cannot_make_comparison_groups_and_creators_stay_anonymous,
);

/// Comparison groups follow the policy (analysts and admins make them), and the public list
/// never names who made a group.
async fn auditors_and_unit_staff_cannot_make_comparison_groups_and_creators_stay_anonymous(
    app: &TestApp,
) {
    app.unit("0380", "Enhet A").await;
    let denied = || async {
        app.store
            .audit_entries()
            .await
            .unwrap()
            .iter()
            .filter(|e| {
                e.event.action == "comparison_group.create"
                    && e.event.outcome == evident_core::access::audit::Outcome::Denied
            })
            .count()
    };
    for (role, org) in [
        (Role::Auditor, "SE"),
        (Role::Practitioner, "0380-0001"),
        (Role::GrantAdmin, "SE"),
    ] {
        let before = denied().await;
        let mut client = app.api_as(role, org).await;
        client
            .json(
                Method::POST,
                "/api/v1/comparison-groups",
                json!({"name": format!("Global {role}"), "members": ["1480", "0180"]}),
            )
            .await
            .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
        assert_eq!(denied().await, before + 1, "{role}: the refusal is audited");
    }
    // Nor through the profile page's form, which they are not offered.
    let mut auditor = app.browser_as(&[(Role::Auditor, "SE")]).await;
    let page = auditor.get("/orgs/1480/profile").await;
    assert!(!page.body.contains("action=\"/comparison-groups\""));
    auditor
        .post_form(
            "/comparison-groups",
            &[
                ("name", "Smyg"),
                ("members", "1480, 1280"),
                ("back", "1480"),
            ],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert!(app.store.list_comparison_groups().await.unwrap().is_empty());

    let maker = app
        .create_user(&[(Role::MunicipalityAnalyst, "1480")])
        .await;
    let mut analyst = app.token_for(maker.id).await;
    analyst
        .json(
            Method::POST,
            "/api/v1/comparison-groups",
            json!({"name": "Västkusten", "members": ["1480", "1280"]}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    for mut client in [app.anonymous(), analyst] {
        let list = client.get("/api/v1/comparison-groups").await;
        list.assert_status(StatusCode::OK);
        let group = &list.json()[0];
        assert_eq!(group["name"], "Västkusten");
        assert!(group.get("created_by").is_none(), "{group}");
    }
}

async fn the_api_gives_hand_computed_values_missing_for_no_data_and_hides_small_units(
    app: &TestApp,
) {
    dataset(app).await;
    let mut visitor = app.anonymous();
    let reply = visitor
        .get("/api/v1/data/kpi/EVI003/municipality/SE,0380,1480,0180,0114/year/2025")
        .await;
    reply.assert_status(StatusCode::OK);
    let in_2025 = reply.json();
    // The whole answer as it goes over the wire, on both backends alike; the values in it are
    // checked against the hand computation below.
    insta::assert_json_snapshot!("evi003_data_by_municipality_2025", in_2025);
    // Five organisations, one period.
    assert_eq!(in_2025["count"], 5, "{in_2025}");
    let se = total(&in_2025, "SE");
    assert!(close(&se["value"], 50.0), "{se}");
    assert_eq!(se["count"], 24);
    assert_eq!(se["status"], "");
    let uppsala = total(&in_2025, "0380");
    assert!(close(&uppsala["value"], 500.0 / 9.0), "{uppsala}");
    assert_eq!(uppsala["count"], 9);
    assert!(close(&total(&in_2025, "1480")["value"], 30.0));
    assert!(close(&total(&in_2025, "0180")["value"], 80.0));
    // Wilson 95 % for 3/10: 10.78 % – 60.32 % (by hand: centre (0.3 + 1.92/10)/(1 + 3.84/10),
    // half-width 1.96/1.384 · √(0.021 + 0.00096)).
    let goteborg = total(&in_2025, "1480");
    assert!(
        (goteborg["ci_low"].as_f64().unwrap() - 10.779).abs() < 0.01,
        "{goteborg}"
    );
    assert!(
        (goteborg["ci_high"].as_f64().unwrap() - 60.322).abs() < 0.01,
        "{goteborg}"
    );
    // No data (Nyköping has no units in the dataset) is null with status Missing, never 0.
    let nothing = total(&in_2025, "0114");
    assert_eq!(nothing["status"], "Missing");
    assert!(nothing["value"].is_null() && nothing["count"].is_null());

    // What does not exist is not found, naming it, rather than answered as missing data: an
    // organisation code in no registry, a year before the indicator's first data, a quarter
    // that has not begun, an unknown indicator.
    for (path, named) in [
        (
            "/api/v1/data/kpi/EVI003/municipality/SE,9999/year/2025",
            "'9999'",
        ),
        (
            "/api/v1/data/kpi/EVI003/municipality/0380/year/1990",
            "1990",
        ),
        (
            "/api/v1/data/kpi/EVI003/municipality/0380/year/2025,2024",
            "2024",
        ),
        ("/api/v1/data/kpi/EVI003/year/1990", "1990"),
        (
            "/api/v1/data/kpi/EVI003/municipality/0380/year/2030Q1",
            "2030Q1",
        ),
        (
            "/api/v1/data/kpi/EVI099/municipality/0380/year/2025",
            "EVI099",
        ),
    ] {
        let reply = visitor.get(path).await;
        let detail = reply.assert_api_error(StatusCode::NOT_FOUND, "not_found");
        assert!(detail.contains(named), "{path}: {detail}");
    }
    let mut browser = app.browser();
    let page = browser.get("/indicators/EVI003?period=1990").await;
    page.assert_status(StatusCode::NOT_FOUND);
    assert!(page.body.contains("1990"), "{}", page.body);
    browser
        .get("/indicators/EVI003?node=9999")
        .await
        .assert_status(StatusCode::NOT_FOUND);

    // Every municipality with data, in code order.
    let all = visitor
        .get("/api/v1/data/kpi/EVI003/year/2025")
        .await
        .json();
    let codes: Vec<&str> = all["values"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["municipality"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["0180", "0380", "1480"]);

    // Units: not for visitors; a role at the municipality sees both cells suppressed, with no
    // number in them.
    visitor
        .get("/api/v1/oudata/kpi/EVI003/ou/0380-0002/year/2025")
        .await
        .assert_api_error(StatusCode::UNAUTHORIZED, "unauthorized");
    let mut analyst = app.api_as(Role::MunicipalityAnalyst, "0380").await;
    let units = analyst
        .get("/api/v1/oudata/kpi/EVI003/ou/0380-0001,0380-0002/year/2025")
        .await
        .json();
    for unit in ["0380-0001", "0380-0002"] {
        let cell = total(&units, unit);
        assert_eq!(cell["status"], "Suppressed", "{unit}: {cell}");
        assert!(cell["value"].is_null() && cell["count"].is_null() && cell["ci_low"].is_null());
    }
    // The dataset's units are elderly care (the seed's default area) and its clients were born
    // in 1980: the age bands EVI003's definition says an elderly-care unit never serves are
    // not applicable, 50–64 is merely missing, 30–49 is hidden with the rest of the unit.
    let age = |cell: &Value, band: &str| {
        cell["age"]
            .as_array()
            .unwrap()
            .iter()
            .find(|a| a["band"] == band)
            .unwrap()["status"]
            .clone()
    };
    let unit = units["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["ou"] == "0380-0001")
        .unwrap();
    assert_eq!(age(unit, "age_0_17"), "NotApplicable", "{unit}");
    assert_eq!(age(unit, "age_18_29"), "NotApplicable", "{unit}");
    assert_eq!(age(unit, "age_30_49"), "Suppressed", "{unit}");
    assert_eq!(age(unit, "age_50_64"), "Missing", "{unit}");
    // A municipality serves every age: nothing there is inapplicable.
    let municipality = in_2025["values"]
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["municipality"] == "1480")
        .unwrap();
    assert_eq!(age(municipality, "age_0_17"), "Missing", "{municipality}");
    // On the page of Uppsala's units, broken down by age 0–17, in words.
    let mut analyst_browser = app.browser_as(&[(Role::MunicipalityAnalyst, "0380")]).await;
    let page = analyst_browser
        .get("/indicators/EVI003?period=2025&node=0380&breakdown=age_0_17")
        .await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("Ej tillämpligt"), "{}", page.body);
    let goteborg_unit = analyst
        .get("/api/v1/oudata/kpi/EVI003/ou/1480-0001/year/2025")
        .await;
    goteborg_unit.assert_api_error(StatusCode::FORBIDDEN, "forbidden");

    // Metadata: one indicator, Kolada-shaped, with the periods that have data. The rows are as
    // of the day the test database was made, so the date is not pinned.
    let kpi = visitor.get("/api/v1/kpi/EVI003").await.json();
    insta::assert_json_snapshot!("evi003_metadata", kpi, {".values[].as_of" => "[as of]"});
    visitor
        .get("/api/v1/kpi/EVI999")
        .await
        .assert_api_error(StatusCode::NOT_FOUND, "not_found");
}

async fn the_indicator_page_ranks_draws_the_funnel_and_drills_down_by_role(app: &TestApp) {
    dataset(app).await;
    let mut visitor = app.browser();
    let page = visitor.get("/indicators/EVI003?period=2025").await;
    page.assert_status(StatusCode::OK);
    let body = &page.body;
    assert!(
        body.contains(
            "<title>Andel klienter med tillförlitlig förbättring · Sverige · Evident</title>"
        ),
        "{body}"
    );
    // Ranked best first: Stockholm, Uppsala, Göteborg.
    let at = |text: &str| {
        body.find(text)
            .unwrap_or_else(|| panic!("'{text}' is not on the page"))
    };
    assert!(
        at("Stockholm <span") < at("Uppsala <span") && at("Uppsala <span") < at("Göteborg <span")
    );
    assert!(body.contains("80,0 %") && body.contains("55,6 %") && body.contains("30,0 %"));
    assert!(
        body.contains("Hela riket:</strong> 50,0 %"),
        "the national value"
    );
    // Colours: three municipalities, one in each third.
    assert!(
        body.contains("tertile best")
            && body.contains("tertile middle")
            && body.contains("tertile worst")
    );
    // The funnel names each point.
    assert!(body.contains("<svg class=\"chart funnel\""));
    assert!(
        body.contains("<title>Göteborg (1480): 30,0 % (n = 10)</title>"),
        "{body}"
    );
    // Only municipalities with data are listed; the rest are counted.
    assert!(body.contains("287 kommuner saknar uppgifter"));

    // A period without data (the dataset's follow-ups are all in the spring) says so and never
    // shows 0 %.
    let empty = visitor.get("/indicators/EVI003?period=2025Q4").await;
    assert!(empty.body.contains("Hela riket:</strong> Uppgift saknas"));
    assert!(!empty.body.contains("0,0 %"));

    // Drill-down: a visitor gets no link to units, and asking is refused.
    assert!(!body.contains("node=0380\""));
    visitor
        .get("/indicators/EVI003?period=2025&node=0380")
        .await
        .assert_status(StatusCode::UNAUTHORIZED);
    // A practitioner at one unit sees that unit only, suppressed, and is told one is hidden.
    let mut practitioner = app.browser_as(&[(Role::Practitioner, "0380-0001")]).await;
    let units = practitioner
        .get("/indicators/EVI003?period=2025&node=0380")
        .await;
    units.assert_status(StatusCode::OK);
    assert!(units.body.contains("Uppsala A") && !units.body.contains("Uppsala B"));
    assert!(units.body.contains("Dolt (röjandeskydd)"));
    assert!(units.body.contains("1 enheter visas inte"));
    // Counties rank under the nation on request.
    let counties = visitor
        .get("/indicators/EVI003?period=2025&level=county")
        .await;
    assert!(
        counties.body.contains("Uppsala län") && counties.body.contains("Västra Götalands län")
    );
}

async fn the_profile_compares_with_county_nation_similar_and_own_groups(app: &TestApp) {
    dataset(app).await;
    let mut visitor = app.browser();
    let profile = visitor.get("/orgs/1480/profile?period=2025").await;
    profile.assert_status(StatusCode::OK);
    let row = profile
        .body
        .split("<tr class=\"profile-row\">")
        .find(|r| r.contains("EVI003"))
        .expect("a row for EVI003");
    // Own value, rank 3 of 3, county (only Göteborg has data in it), nation, similar group.
    assert!(row.contains("30,0 %"), "{row}");
    assert!(row.contains("3 av 3"), "{row}");
    assert!(row.contains("50,0 %"), "{row}");
    assert!(row.contains("67,8 % (2)"), "{row}");
    // Visitors may not make groups.
    assert!(!profile.body.contains("action=\"/comparison-groups\""));

    let mut analyst = app.api_as(Role::NationalAnalyst, "SE").await;
    let group = analyst
        .json(
            Method::POST,
            "/api/v1/comparison-groups",
            json!({"name": "Göteborg och Stockholm", "members": ["1480", "0180"]}),
        )
        .await;
    group.assert_status(StatusCode::CREATED);
    let id = group.json()["id"].as_i64().unwrap();
    let with_group = visitor
        .get(&format!("/orgs/1480/profile?period=2025&group={id}"))
        .await;
    let row = with_group
        .body
        .split("<tr class=\"profile-row\">")
        .find(|r| r.contains("EVI003"))
        .unwrap();
    // The group without Göteborg itself: Stockholm alone, 80 %.
    assert!(row.contains("80,0 % (1)"), "{row}");

    // Someone else may not remove the analyst's group; the analyst may.
    let mut other = app.api_as(Role::NationalAnalyst, "SE").await;
    other
        .send(
            Method::DELETE,
            &format!("/api/v1/comparison-groups/{id}"),
            |r| r,
        )
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
    analyst
        .send(
            Method::DELETE,
            &format!("/api/v1/comparison-groups/{id}"),
            |r| r,
        )
        .await
        .assert_status(StatusCode::NO_CONTENT);

    // A group form with a bad member is shown again with the problem named.
    let mut signed_in = app.browser_as(&[(Role::MunicipalityAnalyst, "1480")]).await;
    let form_page = signed_in.get("/orgs/1480/profile").await;
    assert!(form_page.body.contains("action=\"/comparison-groups\""));
    let rejected = signed_in
        .post_form(
            "/comparison-groups",
            &[("name", "Fel"), ("members", "1480, 9999"), ("back", "1480")],
        )
        .await;
    rejected.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        rejected.body.contains("members: &#39;9999&#39;")
            || rejected.body.contains("members: '9999'"),
        "{}",
        rejected.body
    );
    let created = signed_in
        .post_form(
            "/comparison-groups",
            &[
                ("name", "Västkusten"),
                ("members", "1480, 1280"),
                ("back", "1480"),
            ],
        )
        .await;
    created.assert_status(StatusCode::SEE_OTHER);
    assert!(created.location().starts_with("/orgs/1480/profile?group="));
}

async fn tables_download_as_csv_and_excel_and_bad_input_is_named(app: &TestApp) {
    dataset(app).await;
    let mut visitor = app.browser();
    let csv = visitor
        .get("/indicators/EVI003/download?period=2025&format=csv")
        .await;
    csv.assert_status(StatusCode::OK);
    assert!(
        csv.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let lines: Vec<&str> = csv.body.trim_start_matches('\u{feff}').lines().collect();
    assert_eq!(
        lines[0],
        "rank;code;name;value;ci_low;ci_high;n;change;colour;funnel;status;preliminary"
    );
    // 2025 is over (the rows are as of the day the test database was made).
    assert!(
        lines[1..].iter().all(|l| l.ends_with(";false")),
        "{lines:?}"
    );
    // Rows in the order shown: Stockholm first, Göteborg last with 30 % of 10.
    assert!(lines[1].starts_with("1;0180;Stockholm;80;"), "{}", lines[1]);
    assert!(lines[3].starts_with("3;1480;Göteborg;30;"), "{}", lines[3]);
    assert!(lines[3].contains(";10;;worst;"), "{}", lines[3]);
    assert_eq!(lines.len(), 4);

    let xlsx = visitor
        .get("/indicators/EVI003/download?period=2025&format=xlsx")
        .await;
    xlsx.assert_status(StatusCode::OK);
    assert!(xlsx.body.starts_with("PK"), "a ZIP container");
    assert!(
        xlsx.headers["content-disposition"]
            .to_str()
            .unwrap()
            .contains("EVI003-SE-2025-all.xlsx")
    );

    let profile = visitor
        .get("/orgs/0380/profile/download?period=2025&format=csv")
        .await;
    let evi003 = profile
        .body
        .lines()
        .find(|l| l.starts_with("EVI003;"))
        .unwrap();
    assert!(evi003.contains(";55,5555"), "{evi003}");

    // Bad input names the field.
    let bad = visitor.get("/indicators/EVI003?period=20x5").await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("period"), "{}", bad.body);
    visitor
        .get("/indicators/EVI003?breakdown=children")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    visitor
        .get("/indicators/NOPE")
        .await
        .assert_status(StatusCode::NOT_FOUND);
    visitor
        .get("/indicators/EVI003/download?format=pdf")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let mut api = app.anonymous();
    let detail = api
        .get("/api/v1/data/kpi/EVI003/municipality/0380/year/2025Q5")
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("period: '2025Q5'"), "{detail}");
}
