//! The agreement pages over HTTP, on the 2011 agreement on evidence-based practice
//! (`data/agreements/agreement-2011.json`, 104 500 000 kr) and its disbursement decision of
//! 2011-03-24 (89 200 000 kr over nine initiative lines, plus a seminar grant without lines):
//! the list, the agreement with its money and history, recording an event through the form
//! (with a reason, or refused), the calendar (the 2011 deadlines are long overdue), the
//! downloads, a county's tapering plan and a performance grant's allocation.
//!
//! The performance grant is judged on EVI003 (share of clients reliably improved on PHQ-9) in
//! 2025, on a dataset worked out by hand: Stockholm 4 of 5 clients improved (80 %), Göteborg 3
//! of 10 (30 %). With an absolute target of 50 %, Stockholm qualifies and Göteborg does not, so
//! Stockholm receives the whole pool.

use crate::common::{Reply, TestApp};
use crate::on_both;
use evident_core::access::Role;
use evident_core::grants::Ore;
use evident_core::grants::performance::{PerformanceGrant, Split, Target};
use evident_core::grants::tapering::{TaperingPlan, YearShare};
use evident_core::rng::SplitMix64;
use evident_store::testing::{ClientBuilder, setup_actor};
use reqwest::StatusCode;

const AGREEMENT: &str = include_str!("../../../../data/agreements/agreement-2011.json");
const DECISION: &str = "S2011/986/FST-2011-03-24";
const PAGE: &str = "/agreements/ebp-2011";

/// Imports the 2011 agreement and its decision directly in the store.
async fn import(app: &TestApp) {
    app.seed().agreements_2011("test data").await;
}

/// The part of `body` from `start` up to `end` (or the end).
fn between<'a>(body: &'a str, start: &str, end: &str) -> &'a str {
    let from = body
        .find(start)
        .unwrap_or_else(|| panic!("no {start:?} in the page"));
    let rest = &body[from..];
    rest.find(end).map_or(rest, |to| &rest[..to])
}

/// "1 234,56 kr" → 123456 öre.
fn ore(text: &str) -> i64 {
    let digits: String = text
        .trim()
        .trim_end_matches("kr")
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect();
    let (whole, decimals) = digits.split_once(',').unwrap_or((&digits, "0"));
    whole.parse::<i64>().unwrap() * 100 + format!("{decimals:0<2}").parse::<i64>().unwrap()
}

/// The text of every `<td class="num">` cell in `row`.
fn numbers(row: &str) -> Vec<String> {
    row.split("<td class=\"num\">")
        .skip(1)
        .map(|cell| cell.split("</td>").next().unwrap().trim().to_owned())
        .collect()
}

on_both!(
    the_list_and_the_agreement_show_the_money_and_findings,
    a_grant_admin_records_events_with_a_reason_and_others_may_not,
    the_calendar_shows_the_2011_deadlines_overdue,
    downloads_answer_with_csv_excel_and_the_document,
    the_county_page_splits_each_year_between_principals_and_state,
    the_performance_page_shows_who_qualifies_and_the_arithmetic,
);

async fn the_list_and_the_agreement_show_the_money_and_findings(app: &TestApp) {
    import(app).await;
    // Visitors are sent to sign in.
    let visitor = app.browser().get("/agreements").await;
    assert!(
        visitor.status.is_redirection() || visitor.status == StatusCode::UNAUTHORIZED,
        "{}",
        visitor.status
    );

    let mut analyst = app.browser_as(&[(Role::MunicipalityAnalyst, "0380")]).await;
    let list = analyst.get("/agreements").await;
    list.assert_status(StatusCode::OK);
    assert!(
        list.body.contains("href=\"/agreements\">Statsbidrag</a>"),
        "nav link"
    );
    assert!(list.body.contains("href=\"/agreements/ebp-2011\""));
    assert!(list.body.contains("104,5 mnkr"));
    assert!(list.body.contains("href=\"/agreements/calendar\""));
    assert!(
        list.body.contains("href=\"/agreements/counties/03\""),
        "Uppsala län"
    );
    assert_eq!(
        list.body.matches("href=\"/agreements/counties/").count(),
        21,
        "every county"
    );

    let page = analyst.get(PAGE).await;
    page.assert_status(StatusCode::OK);
    let body = &page.body;
    assert!(body.contains("104 500 000 kr") && body.contains("104,5 mnkr"));
    assert!(body.contains("Sveriges Kommuner och Landsting"));
    assert!(body.contains("S2011/986/FST"));
    assert!(body.contains("2011-01-27"));
    assert!(body.contains("Överenskommelsens belopp stämmer"));
    // The totals row: the decided total counts the nine lines (the seminar grant has none).
    let totals = between(body, "<tr class=\"totals\">", "</tr>");
    let cells = numbers(totals);
    assert_eq!(cells[0], "104 500 000 kr", "allocated: {totals}");
    assert_eq!(cells[1], "89 200 000 kr", "decided: {totals}");
    assert_eq!(cells[2], "0 kr");
    assert_eq!(cells[5], "0,0 %", "requisitioned of decided");
    // An initiative without a decided amount shows a dash for its shares.
    let unfunded = between(body, "<span class=\"code\">3.1.3</span>", "</tr>");
    assert!(
        numbers(unfunded).iter().all(|c| c == "–" || c == "0 kr"),
        "{unfunded}"
    );
    // The decision: payer, payee, grants with lines and appropriations, repayment deadline.
    assert!(body.contains("Kammarkollegiet"));
    assert!(body.contains("2012-06-30"));
    assert!(body.contains("Bidrag 2:"));
    assert!(body.contains("Inget är registrerat ännu."));
    // Reading is not managing: no form.
    assert!(!body.contains("action=\"/agreements/ebp-2011/events\""));

    analyst
        .get("/agreements/nope")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn a_grant_admin_records_events_with_a_reason_and_others_may_not(app: &TestApp) {
    import(app).await;
    let line = format!("grant:{DECISION}:1:3.1.1");
    let mut admin = app.browser_as(&[(Role::GrantAdmin, "SE")]).await;
    let page = admin.get(PAGE).await;
    page.assert_status(StatusCode::OK);
    let form = between(
        &page.body,
        "<form method=\"post\" action=\"/agreements/ebp-2011/events\"",
        "</form>",
    );
    assert!(form.contains(&format!("value=\"{line}\"")), "{form}");
    assert!(
        form.contains(&format!("value=\"grant:{DECISION}:2\"")),
        "the seminar grant"
    );
    assert!(
        form.contains(&format!("value=\"report:{DECISION}:1\"")),
        "the report"
    );
    assert!(form.contains("name=\"reason\""));

    // A requisition of 1 000 000 kr on 3.1.1 (22 500 000 kr decided).
    let reply = admin
        .post_form(
            "/agreements/ebp-2011/events",
            &[
                ("kind", "requisition"),
                ("target", &line),
                ("amount", "1 000 000"),
                ("occurred_on", "2011-04-01"),
                ("note", "Rekvisition nr 1"),
                ("reason", "Rekvisition enligt beslutet"),
            ],
        )
        .await;
    reply.assert_status(StatusCode::SEE_OTHER);
    assert!(reply.location().starts_with(PAGE), "{}", reply.location());
    let events = app.store.list_grant_events(Some("ebp-2011")).await.unwrap();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].event.amount, Some(Ore(100_000_000)));
    assert_eq!(events[0].event.reason, "Rekvisition enligt beslutet");

    let page = admin.get(PAGE).await;
    let history = between(&page.body, "id=\"history\"", "</section>");
    assert!(history.contains("Rekvisition enligt beslutet"), "{history}");
    assert!(history.contains("1 000 000 kr"));
    assert!(history.contains("2011-04-01"));
    assert!(history.contains("Rekvisition nr 1"));
    assert!(
        history.contains("@test.example"),
        "who recorded it: {history}"
    );
    let row = between(&page.body, "<span class=\"code\">3.1.1</span>", "</tr>");
    let cells = numbers(row);
    assert_eq!(cells[2], "1 000 000 kr", "requisitioned: {row}");
    assert_eq!(cells[5], "4,4 %", "1 of 22.5 million");

    // Without a reason: refused, the form shown again naming the reason, nothing stored.
    let refused = admin
        .post_form(
            "/agreements/ebp-2011/events",
            &[
                ("kind", "payment"),
                ("target", &line),
                ("amount", "1000000.00"),
                ("occurred_on", "2011-04-15"),
                ("note", ""),
                ("reason", "  "),
            ],
        )
        .await;
    refused.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    let alert = between(&refused.body, "role=\"alert\"", "</div>");
    assert!(alert.contains("Skäl"), "{alert}");
    assert!(refused.body.contains("id=\"e-reason\" name=\"reason\" rows=\"3\" required aria-describedby=\"e-reason-hint event-problem\" aria-invalid=\"true\""));
    assert!(
        refused.body.contains("value=\"1000000.00\""),
        "what was entered is kept"
    );
    // An amount that is not kronor is named too.
    let bad_amount = admin
        .post_form(
            "/agreements/ebp-2011/events",
            &[
                ("kind", "payment"),
                ("target", &line),
                ("amount", "1,000,000"),
                ("occurred_on", "2011-04-15"),
                ("reason", "Utbetalning"),
            ],
        )
        .await;
    bad_amount.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(between(&bad_amount.body, "role=\"alert\"", "</div>").contains("Belopp i kronor"));
    // More than was requisitioned may not be paid.
    let too_much = admin
        .post_form(
            "/agreements/ebp-2011/events",
            &[
                ("kind", "payment"),
                ("target", &line),
                ("amount", "1 000 000,01"),
                ("occurred_on", "2011-04-15"),
                ("reason", "Utbetalning"),
            ],
        )
        .await;
    too_much.assert_status(StatusCode::UNPROCESSABLE_ENTITY);
    assert!(between(&too_much.body, "role=\"alert\"", "</div>").contains("1 000 000,01 kr"));
    assert_eq!(
        app.store
            .list_grant_events(Some("ebp-2011"))
            .await
            .unwrap()
            .len(),
        1,
        "nothing refused was stored"
    );

    // The decision's report, submitted: the calendar marks it done.
    admin
        .post_form(
            "/agreements/ebp-2011/events",
            &[
                ("kind", "report"),
                ("target", &format!("report:{DECISION}:1")),
                ("amount", ""),
                ("occurred_on", "2011-11-30"),
                ("note", "Lägesrapport 2011"),
                ("reason", "Inkommen rapport"),
            ],
        )
        .await
        .assert_status(StatusCode::SEE_OTHER);
    let calendar = admin.get("/agreements/calendar").await;
    let done = between(&calendar.body, "id=\"done\"", "</section>");
    assert!(
        done.contains("2011-12-01") && done.contains("2011-11-30"),
        "{done}"
    );

    // A practitioner reads but gets no form, and a post of theirs is refused.
    let unit = app.unit("0380", "Enheten").await;
    let mut practitioner = app.browser_as(&[(Role::Practitioner, unit.as_str())]).await;
    let page = practitioner.get(PAGE).await;
    page.assert_status(StatusCode::OK);
    assert!(!page.body.contains("name=\"reason\""));
    practitioner
        .post_form(
            "/agreements/ebp-2011/events",
            &[
                ("kind", "requisition"),
                ("target", &line),
                ("amount", "1"),
                ("occurred_on", "2011-04-01"),
                ("reason", "Försök"),
            ],
        )
        .await
        .assert_status(StatusCode::FORBIDDEN);
    assert_eq!(
        app.store
            .list_grant_events(Some("ebp-2011"))
            .await
            .unwrap()
            .len(),
        2
    );
}

async fn the_calendar_shows_the_2011_deadlines_overdue(app: &TestApp) {
    import(app).await;
    let mut reader = app.browser_as(&[(Role::NationalAnalyst, "SE")]).await;
    let calendar = reader.get("/agreements/calendar").await;
    calendar.assert_status(StatusCode::OK);
    let overdue = between(&calendar.body, "id=\"overdue\"", "</section>");
    assert!(overdue.contains("2011-12-01"), "the report: {overdue}");
    assert!(overdue.contains("2012-06-30"), "the repayment: {overdue}");
    assert!(overdue.contains("Återrapportering") && overdue.contains("Återbetalning"));
    assert!(overdue.contains("href=\"/agreements/ebp-2011\""));
    assert!(overdue.contains("badge status-overdue"));
    // The use-by date has passed, which makes it done, not overdue.
    let done = between(&calendar.body, "id=\"done\"", "</section>");
    assert!(done.contains("2011-06-30"), "{done}");
    assert!(!overdue.contains("2011-06-30"));
    // The agreement page lists the same deadlines.
    let page = reader.get(PAGE).await;
    let deadlines = between(&page.body, "id=\"deadlines-heading\"", "</section>");
    assert!(deadlines.contains("2011-12-01") && deadlines.contains("Försenat"));
}

fn assert_csv(reply: &Reply) -> Vec<String> {
    reply.assert_status(StatusCode::OK);
    assert!(
        reply.headers["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    assert!(reply.body.starts_with('\u{feff}'), "a BOM for Excel");
    let lines: Vec<String> = reply
        .body
        .trim_start_matches('\u{feff}')
        .lines()
        .map(str::to_owned)
        .collect();
    assert!(lines[0].contains(';'), "{}", lines[0]);
    lines
}

fn assert_xlsx(reply: &Reply) {
    reply.assert_status(StatusCode::OK);
    assert!(reply.body.starts_with("PK"), "a ZIP container");
    assert!(
        reply.headers["content-disposition"]
            .to_str()
            .unwrap()
            .ends_with(".xlsx\"")
    );
}

async fn downloads_answer_with_csv_excel_and_the_document(app: &TestApp) {
    import(app).await;
    save_plans(app).await;
    let mut reader = app.browser_as(&[(Role::MunicipalityAnalyst, "0380")]).await;

    let csv = assert_csv(&reader.get("/agreements/ebp-2011/download?format=csv").await);
    assert!(csv[0].starts_with("area;code;title;allocated_kr;decided_kr"));
    let first = csv.iter().find(|l| l.starts_with("3.1;3.1.1;")).unwrap();
    assert!(first.contains(";22500000;22500000;0;0;0;0;0"), "{first}");
    let total = csv.last().unwrap();
    assert!(total.contains(";total;104500000;89200000;"), "{total}");
    assert_xlsx(
        &reader
            .get("/agreements/ebp-2011/download?format=xlsx")
            .await,
    );
    reader
        .get("/agreements/ebp-2011/download?format=pdf")
        .await
        .assert_status(StatusCode::UNPROCESSABLE_ENTITY);

    let document = reader.get("/agreements/ebp-2011/document").await;
    document.assert_status(StatusCode::OK);
    assert_eq!(
        document.headers["content-disposition"],
        "attachment; filename=\"ebp-2011.json\""
    );
    assert!(
        document.body.contains("\n  \"id\": \"ebp-2011\""),
        "pretty-printed"
    );
    let round_trip =
        evident_core::grants::document::Agreement::parse("download", &document.body).unwrap();
    assert_eq!(
        round_trip,
        evident_core::grants::document::Agreement::parse("a", AGREEMENT).unwrap()
    );

    let calendar = assert_csv(&reader.get("/agreements/calendar/download?format=csv").await);
    assert!(calendar[0].starts_with("date;status;kind;what"));
    assert!(
        calendar
            .iter()
            .any(|l| l.starts_with("2011-12-01;overdue;report;"))
    );
    assert_xlsx(
        &reader
            .get("/agreements/calendar/download?format=xlsx")
            .await,
    );

    let county = assert_csv(
        &reader
            .get("/agreements/counties/03/download?format=csv")
            .await,
    );
    assert!(county[0].starts_with("plan;title;year;principal_percent"));
    assert_eq!(county.len(), 1 + 4, "four years");
    assert_xlsx(
        &reader
            .get("/agreements/counties/03/download?format=xlsx")
            .await,
    );

    let performance = assert_csv(
        &reader
            .get("/agreements/performance/evi003-2025/download?format=csv")
            .await,
    );
    assert!(
        performance[0].starts_with("code;name;population;baseline;current;threshold;qualified")
    );
    assert_xlsx(
        &reader
            .get("/agreements/performance/evi003-2025/download?format=xlsx")
            .await,
    );
}

/// A tapering plan of 10 000 000 kr a year that the principals take over from 2014 to 2016,
/// and a performance grant of 1 000 000 kr on EVI003 in 2025 with a target of 50 %.
async fn save_plans(app: &TestApp) {
    let plan = TaperingPlan {
        id: "utvecklingsledare".into(),
        title: "Regionala utvecklingsledare".into(),
        annual_ore: Ore::kronor(10_000_000),
        shares: vec![
            YearShare {
                year: 2014,
                principal_percent: 25,
            },
            YearShare {
                year: 2015,
                principal_percent: 50,
            },
            YearShare {
                year: 2016,
                principal_percent: 100,
            },
        ],
    };
    app.store
        .save_grant_plan(
            evident_store::PlanKind::Tapering,
            &plan.id,
            &serde_json::to_value(&plan).unwrap(),
            "test plan",
            &setup_actor(),
        )
        .await
        .unwrap();
    let grant = PerformanceGrant {
        id: "evi003-2025".into(),
        title: "Prestationsbidrag för förbättrade resultat 2025".into(),
        pool: Ore::kronor(1_000_000),
        indicator: "EVI003".into(),
        higher_is_better: true,
        baseline_period: "2024".into(),
        period: "2025".into(),
        target: Target::Absolute { level: 0.5 },
        split: Split::ByPopulation,
    };
    app.store
        .save_grant_plan(
            evident_store::PlanKind::Performance,
            &grant.id,
            &serde_json::to_value(&grant).unwrap(),
            "test grant",
            &setup_actor(),
        )
        .await
        .unwrap();
}

async fn the_county_page_splits_each_year_between_principals_and_state(app: &TestApp) {
    save_plans(app).await;
    let mut reader = app.browser_as(&[(Role::RegionalLeader, "03")]).await;
    let list = reader.get("/agreements").await;
    assert!(list.body.contains("Regionala utvecklingsledare"));
    let page = reader.get("/agreements/counties/03").await;
    page.assert_status(StatusCode::OK);
    assert!(page.body.contains("Uppsala"));
    let rows: Vec<&str> = page
        .body
        .split("<tr class=\"tapering-year\">")
        .skip(1)
        .map(|r| r.split("</tr>").next().unwrap())
        .collect();
    assert_eq!(rows.len(), 4, "2014 to one year after the last share");
    let mut seen = Vec::new();
    for row in rows {
        let cells = numbers(row);
        let (total, principal, state) = (ore(&cells[1]), ore(&cells[2]), ore(&cells[3]));
        assert!(total > 0, "{row}");
        assert_eq!(
            principal + state,
            total,
            "principals and state add up: {row}"
        );
        seen.push((cells[0].clone(), principal * 100 / total.max(1)));
    }
    assert_eq!(seen[0].0, "25 %");
    assert!((24..=25).contains(&seen[0].1), "{seen:?}");
    assert_eq!(seen[3], ("100 %".to_owned(), 100));

    reader
        .get("/agreements/counties/0380")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}

async fn the_performance_page_shows_who_qualifies_and_the_arithmetic(app: &TestApp) {
    save_plans(app).await;
    let mut rng = SplitMix64::new(7);
    let stockholm = app.unit("0180", "Stockholm A").await;
    let goteborg = app.unit("1480", "Göteborg A").await;
    // PHQ-9 from 20 at baseline to 12 (a reliable improvement) or 19 (not), in 2025.
    let seed = app.seed();
    for (unit, clients, improved) in [(&stockholm, 5, 4), (&goteborg, 10, 3)] {
        for i in 0..clients {
            let follow_up = if i < improved { 12.0 } else { 19.0 };
            ClientBuilder::new(unit)
                .synthetic_number(&mut rng, 1980)
                .phq9_in_2025(20.0, follow_up)
                .create(&seed)
                .await;
        }
    }
    let mut reader = app
        .browser_as(&[(Role::Practitioner, stockholm.as_str())])
        .await;
    let list = reader.get("/agreements").await;
    assert!(
        list.body
            .contains("href=\"/agreements/performance/evi003-2025\"")
    );

    let page = reader.get("/agreements/performance/evi003-2025").await;
    page.assert_status(StatusCode::OK);
    let body = &page.body;
    // The rule in words.
    let rule = between(body, "id=\"rule-heading\"", "</section>");
    assert!(rule.contains("EVI003"), "{rule}");
    assert!(rule.contains("2024") && rule.contains("2025"));
    assert!(rule.contains("minst 50,0 %"), "{rule}");
    assert!(rule.contains("Efter folkmängd"));
    assert!(rule.contains("1 000 000 kr"));
    assert!(rule.contains("största rest"), "the rounding rule");

    let row = |code: &str| {
        body.split("<tr class=\"recipient ")
            .skip(1)
            .find(|r| r.contains(&format!("<span class=\"code\">{code}</span>")))
            .map(|r| r.split("</tr>").next().unwrap().to_owned())
            .unwrap_or_else(|| panic!("no row for {code}"))
    };
    let stockholm_row = row("0180");
    assert!(stockholm_row.starts_with("qualified"), "{stockholm_row}");
    assert!(stockholm_row.contains("80,0 %") && stockholm_row.contains("når tröskeln"));
    let cells = numbers(&stockholm_row);
    assert_eq!(
        cells.last().unwrap(),
        "1 000 000 kr",
        "the whole pool: {stockholm_row}"
    );
    assert!(
        cells.iter().any(|c| c.contains("= 100 %")),
        "weight / total: {cells:?}"
    );
    let goteborg_row = row("1480");
    assert!(goteborg_row.starts_with("not-qualified"), "{goteborg_row}");
    assert!(goteborg_row.contains("30,0 %") && goteborg_row.contains("når inte tröskeln"));
    assert_eq!(numbers(&goteborg_row).last().unwrap(), "0 kr");
    // The totals: the amounts add up to the pool.
    let totals = between(body, "<tr class=\"totals\">", "</tr>");
    assert!(totals.contains("1 000 000 kr"), "{totals}");
    assert!(body.contains("Beloppen summerar exakt till potten."));

    reader
        .get("/agreements/performance/nope")
        .await
        .assert_status(StatusCode::NOT_FOUND);
}
