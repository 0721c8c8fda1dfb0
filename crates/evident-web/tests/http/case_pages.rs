//! Local follow-up in the browser: opening a case by personal number, recording through the
//! forms, and seeing the chart, the change and the unit table.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use reqwest::StatusCode;

on_both!(
    a_practitioner_follows_a_client_up_through_the_pages,
    analysts_see_the_table_but_not_the_cases
);

async fn a_practitioner_follows_a_client_up_through_the_pages(app: &TestApp) {
    app.toy_instrument().await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let mut browser = app.browser_as(&[(Role::Practitioner, unit.as_str())]).await;
    let unit_page = browser.get(&format!("/orgs/{unit}")).await;
    assert!(
        unit_page
            .body
            .contains(&format!("href=\"/orgs/{unit}/cases\"")),
        "the unit links to its cases"
    );

    let bad = browser
        .post_form(
            &format!("/orgs/{unit}/cases"),
            &[
                ("personal_number", "811218-9875"),
                ("opened_on", "2026-01-10"),
                ("schedule", "3, 6"),
            ],
        )
        .await;
    bad.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("check digit"), "{}", bad.body);
    let opened = browser
        .post_form(
            &format!("/orgs/{unit}/cases"),
            &[
                ("personal_number", "811218-9876"),
                ("opened_on", "2026-01-10"),
                ("schedule", "3, 6"),
            ],
        )
        .await;
    opened.assert_status(StatusCode::SEE_OTHER);
    let case = opened.location().to_owned();
    assert!(case.starts_with("/cases/"), "{case}");

    for (path, fields) in [
        (
            format!("{case}/interventions"),
            vec![
                ("intervention_type", "oppenvard_missbruk"),
                ("legal_basis", "SoL"),
                ("provider", unit.as_str()),
                ("started_on", "2026-01-12"),
            ],
        ),
        (
            format!("{case}/needs"),
            vec![
                ("life_area", "housing"),
                ("description", "Behöver stöd i boendet"),
            ],
        ),
        (
            format!("{case}/measurements"),
            vec![
                ("instrument", "toy"),
                ("version", "1"),
                ("time_point", "baseline"),
                ("measured_on", "2026-01-12"),
                ("respondent", "client"),
                ("item:1", "3"),
                ("item:2", "3"),
                ("item:3", "3"),
            ],
        ),
        (
            format!("{case}/measurements"),
            vec![
                ("instrument", "toy"),
                ("version", "1"),
                ("time_point", "follow_up"),
                ("month", "3"),
                ("measured_on", "2026-04-12"),
                ("respondent", "client"),
                ("item:1", "1"),
                ("item:2", "0"),
                ("item:3", "1"),
            ],
        ),
    ] {
        browser
            .post_form(&path, &fields)
            .await
            .assert_status(StatusCode::SEE_OTHER);
    }
    let page = browser.get(&case).await;
    page.assert_status(StatusCode::OK);
    assert!(
        page.body.contains("<svg class=\"chart\""),
        "a chart of the scores"
    );
    assert!(
        page.body.contains("class=\"cutoff\""),
        "with the cut-off drawn in"
    );
    assert!(
        page.body.contains("Återhämtad"),
        "9 → 2 on the toy instrument is recovery"
    );
    assert!(page.body.contains("Öppenvård vid missbruk och beroende"));
    assert!(page.body.contains("Behöver stöd i boendet"));
    assert!(
        page.body.contains("status-done"),
        "the 3-month follow-up is done"
    );
    assert!(
        !page.body.contains("811218") && !page.body.contains("9876"),
        "the number is never shown"
    );
    let need = app
        .store
        .list_needs(case.trim_start_matches("/cases/").parse().unwrap())
        .await
        .unwrap()[0]
        .id;
    browser
        .post_form(
            &format!("{case}/needs/{need}/goals"),
            &[("description", "Kvar i lägenheten")],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let wrong = browser
        .post_form(
            &format!("{case}/measurements"),
            &[
                ("instrument", "toy"),
                ("time_point", "follow_up"),
                ("respondent", "client"),
                ("item:1", "1"),
            ],
        )
        .await;
    wrong.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(wrong.body.contains("month:"), "{}", wrong.body);
    assert!(
        page.body.contains(&format!("action=\"{case}/close\"")),
        "an open case offers closing"
    );
    browser
        .post_form(&format!("{case}/close"), &[("closed_on", "2026-08-01")])
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let closed = browser.get(&case).await;
    assert!(
        closed.body.contains("2026-08-01")
            && !closed.body.contains(&format!("action=\"{case}/close\""))
    );
    let form = browser.get(&format!("{case}/measure?instrument=toy")).await;
    assert_eq!(
        form.body.matches("type=\"radio\"").count(),
        12,
        "three items of four options"
    );
}

async fn analysts_see_the_table_but_not_the_cases(app: &TestApp) {
    let unit = app.unit("0380", "Beroendemottagningen").await;
    app.case(unit.as_str(), "811218-9876").await;
    let mut analyst = app.browser_as(&[(Role::MunicipalityAnalyst, "0380")]).await;
    let table = analyst.get(&format!("/orgs/{unit}/follow-up")).await;
    table.assert_status(StatusCode::OK);
    assert!(table.body.contains("Uppföljning av resultat"));
    analyst
        .get(&format!("/orgs/{unit}/cases"))
        .await
        .assert_status(StatusCode::FORBIDDEN);
    let case = app.store.list_unit_cases(&unit).await.unwrap()[0].id;
    analyst
        .get(&format!("/cases/{case}"))
        .await
        .assert_status(StatusCode::NOT_FOUND);
}
