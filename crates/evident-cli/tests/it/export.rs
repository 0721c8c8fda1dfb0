use crate::{command, stderr, stdout};
use evident_core::access::audit::Actor;
use evident_core::{NewUnit, UnitUpdate};
use evident_store::DatabaseUrl;

#[tokio::test]
async fn exports_come_out_of_the_one_csv_writer_with_bom_semicolons_and_crlf() {
    // arrange: a unit, two cases and three measurements, imported as a user would
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("evident.db");
    let store = evident_store::open(
        &DatabaseUrl::sqlite_file(&path),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let details = UnitUpdate::parse("Hemtjänst Västerås", "public", None, "elderly_care").unwrap();
    let actor = Actor {
        user_id: None,
        label: "test".into(),
        address: None,
    };
    let unit = store
        .create_unit(&NewUnit::parse("1980", details).unwrap(), &actor)
        .await
        .unwrap()
        .code;
    store.close().await;
    let url = format!("sqlite:{}", path.display());
    std::fs::write(
        dir.path().join("cases.csv"),
        format!(
            "personal_number;unit;opened_on;schedule;intervention_type;legal_basis;provider_unit;decided_on;started_on\r\n\
             811218-9876;{unit};2026-01-10;3,6,12;hemtjanst;SoL;{unit};2026-01-08;2026-01-10\r\n\
             121212-1212;{unit};2026-02-01;6;hemtjanst;SoL;{unit};;\r\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("measurements.csv"),
        format!(
            "personal_number;unit;instrument;instrument_version;time_point;month;measured_on;respondent;score\r\n\
             811218-9876;{unit};phq-9;1;baseline;;2026-01-10;client;12,5\r\n\
             811218-9876;{unit};phq-9;1;follow_up;3;2026-04-10;client;7\r\n\
             121212-1212;{unit};phq-9;1;baseline;;2026-02-01;staff;20\r\n"
        ),
    )
    .unwrap();
    let imported = command(
        dir.path(),
        &[
            "import",
            "cases",
            "cases.csv",
            "--measurements",
            "measurements.csv",
            "--database-url",
            &url,
        ],
    )
    .env(
        "EVIDENT_PSEUDONYM_KEY",
        "an export test key that is long enough for hmac",
    )
    .output()
    .unwrap();
    assert!(imported.status.success(), "{}", stderr(&imported));

    for (what, header, rows) in [
        (
            "measurements",
            "case_id;unit_code;female;birth_year;opened_on;first_follow_up_month;case_type;instrument_id;time_point;measured_on;score",
            3,
        ),
        (
            "interventions",
            "case_id;unit_code;female;birth_year;type_code;applied_on;decided_on;started_on;private_provider",
            2,
        ),
    ] {
        // act
        let output = command(dir.path(), &["export", what, "--database-url", &url])
            .output()
            .unwrap();

        // assert
        assert!(output.status.success(), "{}", stderr(&output));
        let text = stdout(&output);
        let body = text
            .strip_prefix('\u{feff}')
            .expect("a byte-order mark first");
        let lines: Vec<&str> = body
            .strip_suffix("\r\n")
            .expect("CRLF after the last row")
            .split("\r\n")
            .collect();
        assert_eq!(lines[0], header);
        assert_eq!(lines.len(), 1 + rows, "{text}");
        let fields = header.split(';').count();
        assert!(
            lines
                .iter()
                .all(|l| l.split(';').count() == fields && !l.contains('\n')),
            "{text}"
        );
        if what == "measurements" {
            assert!(
                lines
                    .iter()
                    .any(|l| l.ends_with(";phq-9;baseline;2026-01-10;12.5")),
                "scores keep a decimal point: {text}"
            );
        }
    }
}
