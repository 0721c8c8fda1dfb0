//! Local follow-up over the API: registering clients by personal number, cases, measurements
//! with reliable change, the unit table with suppression, and the guarantee that no personal
//! number ever reaches the database file.

use crate::common::TestApp;
use crate::on_both;
use evident_core::access::Role;
use reqwest::{Method, StatusCode};
use serde_json::json;

on_both!(
    a_client_is_registered_by_any_typed_form_and_found_again,
    bad_personal_numbers_say_whether_the_date_or_the_check_digit_is_wrong,
    a_case_collects_interventions_needs_goals_and_measurements_with_reliable_change,
    bad_measurements_and_interventions_are_422_naming_the_field,
    the_unit_table_suppresses_fewer_than_five_clients,
    the_unit_table_equals_the_table_of_whole_records_case_by_case,
    instruments_import_as_fhir_and_are_versioned,
    measurements_export_as_swedish_csv_and_as_a_fhir_bundle,
    a_closed_case_owes_no_more_follow_ups,
);

async fn a_closed_case_owes_no_more_follow_ups(app: &TestApp) {
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let case = app.case(unit.as_str(), "811218-9876").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    let early = api
        .json(
            Method::POST,
            &format!("/api/v1/cases/{case}/close"),
            json!({"closed_on": "2025-12-31"}),
        )
        .await;
    assert!(
        early
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            .starts_with("closed_on")
    );
    api.json(
        Method::POST,
        &format!("/api/v1/cases/{case}/close"),
        json!({"closed_on": "2026-05-01"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    api.json(
        Method::POST,
        &format!("/api/v1/cases/{case}/close"),
        json!({}),
    )
    .await
    .assert_api_error(StatusCode::NOT_FOUND, "not_found");
    let detail = api.get(&format!("/api/v1/cases/{case}")).await.json();
    assert_eq!(detail["case"]["closed_on"], "2026-05-01");
    // Opened 2026-01-10 with follow-ups at 3 and 6 months: 2026-04-10 was missed before the
    // closing; 2026-07-10 falls after it.
    let statuses: Vec<_> = detail["schedule"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["overdue", "closed"]);
    let audited = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .any(|e| e.event.action == "case.close" && e.event.client.is_some());
    assert!(audited, "closing is audited with the client's pseudonym");
}

async fn measurements_export_as_swedish_csv_and_as_a_fhir_bundle(app: &TestApp) {
    app.toy_instrument().await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let case = app.case(unit.as_str(), "811218-9876").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    // Two of three items answered: prorated (1 + 2) / 2 · 3 = 4.5.
    api.json(Method::POST, &format!("/api/v1/cases/{case}/measurements"), json!({"instrument": "toy", "time_point": "baseline", "measured_on": "2026-01-12", "respondent": "staff", "answers": {"1": "1", "2": "2"}}))
        .await
        .assert_status(StatusCode::CREATED);
    let csv = api.get(&format!("/api/v1/units/{unit}/measurements")).await;
    csv.assert_status(StatusCode::OK);
    assert!(
        csv.headers
            .get("content-type")
            .unwrap()
            .to_str()
            .unwrap()
            .starts_with("text/csv")
    );
    let mut lines = csv.body.lines();
    assert_eq!(
        lines.next().unwrap(),
        "\u{feff}case_id;pseudonym;unit;instrument;instrument_version;time_point;month;measured_on;respondent;score"
    );
    let row: Vec<&str> = lines.next().unwrap().split(';').collect();
    assert_eq!(
        row[2..],
        [
            unit.as_str(),
            "toy",
            "1",
            "baseline",
            "",
            "2026-01-12",
            "staff",
            "4,5"
        ]
    );
    assert!(!csv.body.contains("9876"));
    let bundle = api
        .get(&format!("/api/v1/units/{unit}/measurements?format=fhir"))
        .await
        .json();
    insta::assert_json_snapshot!("toy_measurements_bundle", bundle, {
        ".entry[].resource.id" => "[id]",
        ".entry[].resource.subject.identifier.value" => "[pseudonym]",
    });
    let exports = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .iter()
        .filter(|e| e.event.action == "export" && e.event.client.is_none())
        .count();
    assert_eq!(exports, 2, "every export is audited");
}

async fn a_client_is_registered_by_any_typed_form_and_found_again(app: &TestApp) {
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    let path = format!("/api/v1/units/{unit}/cases");
    let first = api
        .json(
            Method::POST,
            &path,
            json!({"personal_number": "811218-9876", "opened_on": "2026-01-10"}),
        )
        .await;
    first.assert_status(StatusCode::CREATED);
    let first = first.json();
    assert_eq!(first["client_created"], true);
    assert_eq!(first["client"]["birth_year"], 1981);
    assert_eq!(first["client"]["sex"], "male");
    assert_eq!(first["case"]["schedule"], json!([3, 6, 12]));
    let again = api
        .json(
            Method::POST,
            &path,
            json!({"personal_number": "198112189876", "schedule": "6,12"}),
        )
        .await
        .json();
    assert_eq!(
        again["client_created"], false,
        "the same person is found by pseudonym"
    );
    assert_eq!(again["client"]["pseudonym"], first["client"]["pseudonym"]);
    assert_ne!(
        again["case"]["id"], first["case"]["id"],
        "a new case for the same client"
    );
    let listed = api.get(&path).await.json();
    assert_eq!(listed["cases"].as_array().unwrap().len(), 2, "{listed}");
    assert!(listed["next"].is_null(), "one page holds both: {listed}");
}

async fn bad_personal_numbers_say_whether_the_date_or_the_check_digit_is_wrong(app: &TestApp) {
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    let path = format!("/api/v1/units/{unit}/cases");
    let date = api
        .json(
            Method::POST,
            &path,
            json!({"personal_number": "900230-1234"}),
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        date.contains("personal_number") && date.contains("1990-02-30 does not exist"),
        "{date}"
    );
    let check = api
        .json(
            Method::POST,
            &path,
            json!({"personal_number": "811218-9875"}),
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(
        check.contains("check digit") && !check.contains("9875"),
        "{check}"
    );
    let shape = api
        .json(Method::POST, &path, json!({"personal_number": "12345"}))
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(shape.contains("YYMMDD-XXXX"), "{shape}");
    assert!(app.store.list_unit_cases(&unit).await.unwrap().is_empty());
}

async fn a_case_collects_interventions_needs_goals_and_measurements_with_reliable_change(
    app: &TestApp,
) {
    app.toy_instrument().await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let mut api = app.api_as(Role::UnitManager, unit.as_str()).await;
    let opened = api
        .json(
            Method::POST,
            &format!("/api/v1/units/{unit}/cases"),
            json!({"personal_number": "121212-1212", "opened_on": "2026-01-10"}),
        )
        .await
        .json();
    let case = opened["case"]["id"].as_i64().unwrap();
    let base = format!("/api/v1/cases/{case}");
    api.json(Method::POST, &format!("{base}/interventions"), json!({"intervention_type": "oppenvard_missbruk", "legal_basis": "SoL", "provider": unit.as_str(), "applied_on": "2026-01-02", "decided_on": "2026-01-08", "started_on": "2026-01-12"}))
        .await
        .assert_status(StatusCode::CREATED);
    let need = api
        .json(
            Method::POST,
            &format!("{base}/needs"),
            json!({"life_area": "d7", "description": "Relationer"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    let goal = api
        .json(
            Method::POST,
            &format!("{base}/needs/{need}/goals"),
            json!({"description": "Träffar vänner varje vecka"}),
        )
        .await
        .json()["id"]
        .as_i64()
        .unwrap();
    api.json(
        Method::PUT,
        &format!("{base}/goals/{goal}"),
        json!({"outcome": "partly_achieved"}),
    )
    .await
    .assert_status(StatusCode::NO_CONTENT);
    // Toy: SD 3, r 0.8 → SEdiff = 3 · √2 · √0.2 = 1.897367; baseline 9 → follow-up 2:
    // RCI = −7 / 1.897367 = −3.689324, reliable improvement, and 9 ≥ 5 → 2 < 5: recovered.
    let baseline = api.json(Method::POST, &format!("{base}/measurements"), json!({"instrument": "toy", "time_point": "baseline", "measured_on": "2026-01-12", "respondent": "client", "answers": {"1": "3", "2": "3", "3": "3"}})).await;
    baseline.assert_status(StatusCode::CREATED);
    assert_eq!(baseline.json()["score"], 9.0);
    api.json(Method::POST, &format!("{base}/measurements"), json!({"instrument": "toy", "time_point": "follow_up", "month": 3, "measured_on": "2026-04-14", "respondent": "client", "answers": {"1": "1", "2": "1", "3": "0"}}))
        .await
        .assert_status(StatusCode::CREATED);
    let detail = api.get(&base).await.json();
    assert_eq!(
        detail["interventions"][0]["type_code"],
        "oppenvard_missbruk"
    );
    assert_eq!(detail["needs"][0]["goals"][0]["outcome"], "partly_achieved");
    let progress = &detail["progress"][0];
    assert_eq!(
        (progress["baseline"].as_f64(), progress["latest"].as_f64()),
        (Some(9.0), Some(2.0))
    );
    assert!(
        (progress["change"]["rci"].as_f64().unwrap() + 3.689_324).abs() < 1e-5,
        "{progress}"
    );
    assert_eq!(progress["change"]["class"], "recovered");
    assert_eq!(detail["schedule"][0]["status"], "done");
    assert_eq!(detail["schedule"][1]["due_on"], "2026-07-12");
    let reads = app
        .store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action == "case.read")
        .count();
    assert_eq!(reads, 1, "reading identified data is audited");
}

async fn bad_measurements_and_interventions_are_422_naming_the_field(app: &TestApp) {
    app.toy_instrument().await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let case = app.case(unit.as_str(), "811218-9876").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    let m = format!("/api/v1/cases/{case}/measurements");
    let cases = [
        (
            json!({"instrument": "nope", "time_point": "baseline", "respondent": "client", "answers": {}}),
            "instrument",
        ),
        (
            json!({"instrument": "toy", "time_point": "later", "respondent": "client", "answers": {}}),
            "time_point",
        ),
        (
            json!({"instrument": "toy", "time_point": "follow_up", "respondent": "client", "answers": {}}),
            "month",
        ),
        (
            json!({"instrument": "toy", "time_point": "baseline", "respondent": "neighbour", "answers": {}}),
            "respondent",
        ),
        (
            json!({"instrument": "toy", "time_point": "baseline", "respondent": "client", "answers": {"1": "7"}}),
            "item 1: '7' is not one of its options",
        ),
        (
            json!({"instrument": "toy", "time_point": "baseline", "respondent": "client", "measured_on": "12/1/2026", "answers": {}}),
            "measured_on",
        ),
    ];
    for (body, needle) in cases {
        let detail = api
            .json(Method::POST, &m, body.clone())
            .await
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
        assert!(detail.contains(needle), "{body} → {detail}");
    }
    let i = format!("/api/v1/cases/{case}/interventions");
    let wrong_law = api.json(Method::POST, &i, json!({"intervention_type": "daglig_verksamhet", "legal_basis": "SoL", "provider": unit.as_str()})).await;
    assert!(
        wrong_law
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            .contains("decided under LSS")
    );
    let unknown = api
        .json(
            Method::POST,
            &i,
            json!({"intervention_type": "yoga", "legal_basis": "SoL", "provider": unit.as_str()}),
        )
        .await;
    assert!(
        unknown
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            .contains("not in the catalogue")
    );
    let backwards = api.json(Method::POST, &i, json!({"intervention_type": "hemtjanst", "legal_basis": "SoL", "provider": unit.as_str(), "decided_on": "2026-02-01", "started_on": "2026-01-01"})).await;
    assert!(
        backwards
            .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid")
            .starts_with("started_on")
    );
    assert!(app.store.list_measurements(case).await.unwrap().is_empty());
}

async fn the_unit_table_suppresses_fewer_than_five_clients(app: &TestApp) {
    app.toy_instrument().await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let mut api = app.api_as(Role::UnitManager, unit.as_str()).await;
    // Six clients start outpatient treatment, five of them also family therapy. Baselines for
    // all, follow-ups for four in each group.
    let numbers = crate::common::SIX_PERSONAL_NUMBERS;
    for (n, number) in numbers.iter().enumerate() {
        let case = app.case(unit.as_str(), number).await;
        let base = format!("/api/v1/cases/{case}");
        let kinds: &[&str] = if n == 0 {
            &["oppenvard_missbruk"]
        } else {
            &["oppenvard_missbruk", "familjebehandling"]
        };
        for kind in kinds {
            api.json(Method::POST, &format!("{base}/interventions"), json!({"intervention_type": kind, "legal_basis": "SoL", "provider": unit.as_str(), "started_on": "2026-01-12"}))
                .await
                .assert_status(StatusCode::CREATED);
        }
        api.json(Method::POST, &format!("{base}/measurements"), json!({"instrument": "toy", "time_point": "baseline", "measured_on": "2026-01-12", "respondent": "client", "answers": {"1": "3", "2": "2", "3": (n % 3).to_string()}}))
            .await
            .assert_status(StatusCode::CREATED);
        if n >= 2 {
            api.json(Method::POST, &format!("{base}/measurements"), json!({"instrument": "toy", "time_point": "follow_up", "month": 3, "measured_on": "2026-04-12", "respondent": "client", "answers": {"1": "1", "2": "0", "3": "0"}}))
                .await
                .assert_status(StatusCode::CREATED);
        }
    }
    let table = api
        .get(&format!("/api/v1/units/{unit}/follow-up"))
        .await
        .json();
    let row = |kind: &str| {
        table
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["intervention_type"] == kind)
            .cloned()
            .unwrap()
    };
    let outpatient = row("oppenvard_missbruk");
    assert_eq!(outpatient["started"], 6);
    assert_eq!(outpatient["with_baseline"], 6);
    assert!(
        outpatient["with_follow_up"].is_null() && outpatient["mean_change"].is_null(),
        "4 followed up: suppressed: {outpatient}"
    );
    let family = row("familjebehandling");
    assert_eq!(family["started"], 5);
    assert!(family["effect_size"].is_null(), "{family}");
    let mut analyst = app.api_as(Role::MunicipalityAnalyst, "0380").await;
    analyst
        .get(&format!("/api/v1/units/{unit}/follow-up"))
        .await
        .assert_status(StatusCode::OK);
    analyst
        .get(&format!("/api/v1/units/{unit}/cases"))
        .await
        .assert_api_error(StatusCode::FORBIDDEN, "forbidden");
}

/// The table reads only scores and started types; its numbers must be, to the last digit, those
/// of the whole records of every case read one by one, the cases in list order (the order of
/// the sums), each instrument judged at the version of its earliest measurement.
async fn the_unit_table_equals_the_table_of_whole_records_case_by_case(app: &TestApp) {
    use evident_core::followup::progress::instrument_progress;
    use evident_core::followup::unit_table::{
        ClientOutcome, DEFAULT_K, FollowUpRow, follow_up_table,
    };
    use evident_core::followup::{InterventionDates, LegalBasis, Respondent, TimePoint};
    use evident_core::rng::SplitMix64;
    use evident_store::followup::{NewIntervention, NewMeasurement};
    use evident_store::testing::{ClientBuilder, day, toy_instrument};

    // arrange: two instruments, one in two versions that disagree on the direction; 60 cases
    // opened on days out of id order, with scores that do not add up exactly in binary
    let toy_2 = evident_core::followup::instrument::Instrument {
        higher_is_better: true,
        ..toy_instrument("2", "Toy")
    };
    let other = evident_core::followup::instrument::Instrument {
        id: "other".into(),
        ..toy_instrument("1", "Other")
    };
    for instrument in [&toy_instrument("1", "Toy"), &toy_2, &other] {
        app.seed().instrument(instrument).await;
    }
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let elsewhere = app.unit("0380", "Familjecentralen").await;
    let mut rng = SplitMix64::new(560);
    let days = [
        "2025-01-10",
        "2025-06-01",
        "2025-03-02",
        "2025-01-10",
        "2024-12-31",
    ];
    let kinds = ["oppenvard_missbruk", "familjebehandling", "mst"];
    for i in 0..60 {
        let at = if i % 13 == 12 { &elsewhere } else { &unit };
        let mut client = ClientBuilder::new(at)
            .synthetic_number(&mut rng, 1950 + (i % 50) as i32)
            .opened_on(day(days[i % days.len()]));
        for _ in 0..rng.below(3) {
            client = client.intervention(NewIntervention {
                type_code: (*rng.pick(&kinds)).to_owned(),
                legal_basis: LegalBasis::SoL,
                provider: unit.clone(),
                dates: InterventionDates {
                    applied_on: Some(day("2025-01-02")),
                    decided_on: None,
                    started_on: (rng.below(4) > 0).then(|| day("2025-01-05")),
                    ended_on: None,
                },
                end_reason: None,
            });
        }
        let measured = [
            (TimePoint::Baseline, None, "2025-01-12"),
            (TimePoint::Baseline, None, "2025-01-12"),
            (TimePoint::FollowUp, Some(3), "2025-04-12"),
            (TimePoint::FollowUp, Some(6), "2025-07-12"),
            (TimePoint::FollowUp, Some(6), "2025-07-12"),
            (TimePoint::End, None, "2025-09-01"),
        ];
        for (time_point, month, on) in measured {
            if rng.below(3) == 0 {
                continue;
            }
            let (id, version) = *rng.pick(&[("toy", "1"), ("toy", "2"), ("other", "1")]);
            client = client.measurement(NewMeasurement {
                instrument: (id.into(), version.into()),
                time_point,
                month,
                measured_on: day(on),
                respondent: Respondent::Client,
                answers: Default::default(),
                score: (rng.below(6) > 0).then(|| rng.below(90) as f64 / 10.0 + 0.1),
            });
        }
        client.create(&app.seed()).await;
    }

    // act
    let mut api = app.api_as(Role::UnitManager, unit.as_str()).await;
    let table = api
        .get(&format!("/api/v1/units/{unit}/follow-up"))
        .await
        .json();

    // assert: the table of whole records, case by case
    let mut outcomes = Vec::new();
    for case in app.store.list_unit_cases(&unit).await.unwrap() {
        let measurements = app.store.list_measurements(case.id).await.unwrap();
        let interventions = app.store.list_interventions(case.id).await.unwrap();
        let mut instrument_ids: Vec<&str> = measurements
            .iter()
            .map(|m| m.instrument_id.as_str())
            .collect();
        instrument_ids.sort_unstable();
        instrument_ids.dedup();
        let mut types: Vec<&str> = interventions
            .iter()
            .filter(|i| i.dates.started_on.is_some())
            .map(|i| i.type_code.as_str())
            .collect();
        types.sort_unstable();
        types.dedup();
        for instrument_id in instrument_ids {
            let version = &measurements
                .iter()
                .find(|m| m.instrument_id == instrument_id)
                .unwrap()
                .instrument_version;
            let instrument = app
                .store
                .get_instrument(instrument_id, version)
                .await
                .unwrap();
            let progress = instrument_progress(&instrument, &measurements);
            for kind in &types {
                outcomes.push(ClientOutcome {
                    intervention_type: (*kind).to_owned(),
                    instrument_id: instrument_id.to_owned(),
                    higher_is_better: instrument.higher_is_better,
                    baseline: progress.baseline,
                    follow_up: progress.latest,
                    class: progress.change.map(|c| c.class),
                });
            }
        }
    }
    let expected: Vec<FollowUpRow> = follow_up_table(&outcomes, DEFAULT_K);
    assert!(
        expected
            .iter()
            .any(|r| r.effect_size.value().is_some() && r.mean_change.value().is_some()),
        "some cells are shown, so their digits are compared: {expected:?}"
    );
    // As the API writes it, and read back as the answer was: both through the same parser.
    let expected: Vec<serde_json::Value> = expected
        .into_iter()
        .map(|r| {
            json!({
                "intervention_type": r.intervention_type,
                "instrument": r.instrument_id,
                "started": r.started.value(),
                "with_baseline": r.with_baseline.value(),
                "with_follow_up": r.with_follow_up.value(),
                "dropout_share": r.dropout_share.value(),
                "mean_change": r.mean_change.value(),
                "effect_size": r.effect_size.value(),
                "effect_size_ci": r.effect_size_ci.value(),
                "improved_share": r.improved_share.value(),
                "deteriorated_share": r.deteriorated_share.value(),
            })
        })
        .collect();
    let expected: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&expected).unwrap()).unwrap();
    assert_eq!(table, expected);
}

async fn instruments_import_as_fhir_and_are_versioned(app: &TestApp) {
    app.toy_instrument().await;
    let mut admin = app.api_as(Role::Admin, "SE").await;
    let mut questionnaire = admin.get("/api/v1/instruments/toy").await.json();
    insta::assert_json_snapshot!("toy_questionnaire", questionnaire);
    admin
        .json(Method::POST, "/api/v1/instruments", questionnaire.clone())
        .await
        .assert_api_error(StatusCode::CONFLICT, "conflict");
    questionnaire["version"] = json!("2");
    questionnaire["title"] = json!("Toy, second edition");
    let added = admin
        .json(Method::POST, "/api/v1/instruments", questionnaire)
        .await;
    added.assert_status(StatusCode::CREATED);
    let listed = admin.get("/api/v1/instruments").await.json();
    let toy = listed
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["id"] == "toy")
        .unwrap()
        .clone();
    assert_eq!(toy["version"], "2");
    assert_eq!(
        admin.get("/api/v1/instruments/toy?version=1").await.json()["title"],
        "Toy",
        "version 1 is kept as it was"
    );
    let detail = admin
        .json(
            Method::POST,
            "/api/v1/instruments",
            json!({"resourceType": "Patient"}),
        )
        .await
        .assert_api_error(StatusCode::UNPROCESSABLE_ENTITY, "invalid");
    assert!(detail.contains("not a FHIR Questionnaire"), "{detail}");
}

/// Every way a registered number could be written down.
fn digit_strings(number: &str) -> Vec<String> {
    let digits: String = number.chars().filter(char::is_ascii_digit).collect();
    let twelve = if digits.len() == 12 {
        digits.clone()
    } else {
        format!("19{digits}")
    };
    vec![
        twelve.clone(),
        twelve[2..].to_owned(),
        format!("{}-{}", &twelve[2..8], &twelve[8..]),
        format!("{}-{}", &twelve[..8], &twelve[8..]),
    ]
}

#[tokio::test]
async fn no_personal_number_reaches_the_sqlite_file_or_its_wal() {
    let db = evident_store::testing::TestDb::sqlite().await;
    let app = TestApp::start(&db).await;
    let unit = app.unit("0380", "Beroendemottagningen").await;
    let mut api = app.api_as(Role::Practitioner, unit.as_str()).await;
    let numbers = ["811218-9876", "19701063-2391", "000229-1235"];
    for number in numbers {
        api.json(
            Method::POST,
            &format!("/api/v1/units/{unit}/cases"),
            json!({"personal_number": number}),
        )
        .await
        .assert_status(StatusCode::CREATED);
    }
    let path = db.url.sqlite_path().unwrap().to_owned();
    let mut bytes = std::fs::read(&path).unwrap();
    bytes.extend(std::fs::read(format!("{path}-wal")).unwrap_or_default());
    assert!(bytes.len() > 10_000, "the database was written");
    for number in numbers {
        let written = if number.starts_with("0002") {
            "20000229-1235".to_owned()
        } else {
            number.to_owned()
        };
        for form in digit_strings(&written) {
            assert!(
                !bytes.windows(form.len()).any(|w| w == form.as_bytes()),
                "{form} is in the database file"
            );
        }
    }
    app.stop().await;
}
