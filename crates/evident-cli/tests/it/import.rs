use crate::{command, stderr, stdout};
use evident_core::OrgCode;
use evident_core::person::{PersonalNumber, PseudonymKey};
use evident_store::testing::Seed;
use evident_store::{AuditFilter, DatabaseUrl};
use std::path::Path;
use std::process::Output;

const KEY: &str = "an import test key that is long enough for hmac";

/// Runs `evident import …` in `dir` with the pseudonym key set.
fn import(dir: &Path, args: &[&str]) -> Output {
    let mut full = vec!["import"];
    full.extend_from_slice(args);
    command(dir, &full)
        .env("EVIDENT_PSEUDONYM_KEY", KEY)
        .output()
        .expect("running evident import")
}

/// A database in `dir` with one unit in Västerås; returns its URL and the unit's code.
async fn database(dir: &Path) -> (String, OrgCode) {
    let path = dir.join("evident.db");
    let store = evident_store::open(
        &DatabaseUrl::sqlite_file(&path),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let unit = Seed::new(&*store).unit("1980", "Hemtjänst Västerås").await;
    store.close().await;
    (format!("sqlite:{}", path.display()), unit)
}

/// `text` in Windows-1252 (which agrees with Latin-1 on every letter these tests use).
fn windows_1252(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| u8::try_from(u32::from(c)).expect("a Latin-1 character"))
        .collect()
}

const CASES_HEADER: &str = "personal_number;unit;opened_on;schedule;intervention_type;legal_basis;provider_unit;decided_on;started_on;ended_on;end_reason";

#[tokio::test]
async fn a_windows_1252_file_with_semicolons_and_decimal_commas_imports() {
    // arrange
    let dir = tempfile::tempdir().unwrap();
    let (url, unit) = database(dir.path()).await;
    std::fs::write(
        dir.path().join("insatser.csv"),
        windows_1252(&format!(
            "{CASES_HEADER}\r\n\
             811218-9876;{unit};2026-01-10;3,6,12;hemtjanst;SoL;{unit};2026-01-08;2026-01-10;2026-06-30;Flyttat till Västerås\r\n\
             121212-1212;{unit};2026-02-01;6;hemtjanst;SoL;{unit};;;;\r\n"
        )),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("mätningar.csv"),
        windows_1252(&format!(
            "personal_number;unit;instrument;instrument_version;time_point;month;measured_on;respondent;score\r\n\
             19811218-9876;{unit};phq-9;1;baseline;;2026-01-10;client;12,5\r\n\
             8112189876;{unit};phq-9;;follow_up;3;20260410;client;7,25\r\n\
             121212-1212;{unit};phq-9;1;baseline;;2026-02-01;staff;20\r\n"
        )),
    )
    .unwrap();

    // act
    let output = import(
        dir.path(),
        &[
            "cases",
            "insatser.csv",
            "--measurements",
            "mätningar.csv",
            "--database-url",
            &url,
        ],
    );

    // assert
    assert!(output.status.success(), "{}", stderr(&output));
    let out = stdout(&output);
    assert!(
        out.contains("insatser.csv: 2 rows (Windows-1252, separated by ';')"),
        "{out}"
    );
    assert!(
        out.contains(
            "Imported 2 interventions in 2 cases (2 new) for 2 clients (2 new).\nImported 3 measurements."
        ),
        "{out}"
    );
    let store = evident_store::open(
        &DatabaseUrl::parse(&url).unwrap(),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    let cases = store.list_unit_cases(&unit).await.unwrap();
    let first = cases.iter().find(|c| c.schedule == [3, 6, 12]).unwrap();
    let interventions = store.list_interventions(first.id).await.unwrap();
    assert_eq!(
        interventions[0].end_reason.as_deref(),
        Some("Flyttat till Västerås")
    );
    let scores: Vec<_> = store
        .list_measurements(first.id)
        .await
        .unwrap()
        .into_iter()
        .map(|m| m.score)
        .collect();
    assert_eq!(scores, [Some(12.5), Some(7.25)]);
    store.close().await;
}

#[tokio::test]
async fn a_bad_file_exits_1_listing_every_bad_row_and_writes_nothing() {
    // arrange
    let dir = tempfile::tempdir().unwrap();
    let (url, unit) = database(dir.path()).await;
    std::fs::write(
        dir.path().join("cases.csv"),
        format!(
            "{CASES_HEADER}\n\
             811218-9876;{unit};2026-01-10;3,6,12;hemtjanst;SoL;{unit};;;;\n\
             811218-9875;{unit};2026-01-10;3,6,12;hemtjanst;SoL;{unit};;;;\n\
             121212-1212;{unit};2026-02-01;6;hemtjanst;LSS;{unit};;;;\n\
             121212-1212;{unit};2026-02-01;6;hemtjanst;SoL;{unit};2026-03-01;2026-02-01;;\n"
        ),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("unknown-unit.csv"),
        format!("{CASES_HEADER}\n811218-9876;1980-0077;2026-01-10;3;hemtjanst;SoL;{unit};;;;\n"),
    )
    .unwrap();

    // act
    let output = import(dir.path(), &["cases", "cases.csv", "--database-url", &url]);
    let in_database = import(
        dir.path(),
        &["cases", "unknown-unit.csv", "--database-url", &url],
    );

    // assert
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let err = stderr(&output);
    for expected in [
        "cases.csv:3: personal_number: the check digit",
        "cases.csv:4: legal_basis: hemtjanst is not decided under LSS (allowed: SoL)",
        "cases.csv:5: started_on: 2026-02-01 comes before decided_on (2026-03-01)",
        "error: 3 problems found; nothing was imported",
    ] {
        assert!(err.contains(expected), "missing {expected:?} in:\n{err}");
    }
    assert!(
        !err.contains("9875") && !err.contains("811218"),
        "stderr repeats a personal number:\n{err}"
    );
    assert_eq!(in_database.status.code(), Some(1));
    assert!(
        stderr(&in_database)
            .contains("unknown-unit.csv:2: unit: there is no unit 1980-0077 in Evident"),
        "{}",
        stderr(&in_database)
    );
    let store = evident_store::open(
        &DatabaseUrl::parse(&url).unwrap(),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    assert!(store.list_unit_cases(&unit).await.unwrap().is_empty());
    let imports = store
        .search_audit(&AuditFilter {
            action: Some("import.cases".into()),
            limit: 10,
            ..AuditFilter::default()
        })
        .await
        .unwrap();
    assert!(imports.is_empty(), "a refused import is not an import");
    store.close().await;
}

#[tokio::test]
async fn an_import_without_the_pseudonym_key_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cases.csv"), CASES_HEADER).unwrap();
    let output = command(dir.path(), &["import", "cases", "cases.csv"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("importing needs the pseudonym key"),
        "{}",
        stderr(&output)
    );
    assert!(
        !dir.path().join("evident.db").exists(),
        "nothing is opened without a key"
    );
}

/// A key on the command line is readable by every user of the machine in `ps`: the flag is
/// refused with directions, and the key is not echoed back.
#[test]
fn the_pseudonym_key_on_the_command_line_is_refused_pointing_to_the_file_or_variable() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("cases.csv"), CASES_HEADER).unwrap();
    let output = crate::evident(
        dir.path(),
        &["import", "cases", "cases.csv", "--pseudonym-key", KEY],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("--pseudonym-key is no longer accepted"),
        "{err}"
    );
    assert!(err.contains("--pseudonym-key-file"), "{err}");
    assert!(err.contains("EVIDENT_PSEUDONYM_KEY"), "{err}");
    assert!(!err.contains(KEY), "the key is not echoed: {err}");
    assert!(!dir.path().join("evident.db").exists());
}

/// Placeholder and patterned keys are refused, from the variable, a key file, and for the
/// audit key; a random key in a private file works.
#[tokio::test]
async fn repetitive_pseudonym_and_audit_keys_are_refused_naming_the_rule() {
    use std::os::unix::fs::PermissionsExt as _;
    // arrange
    let dir = tempfile::tempdir().unwrap();
    let (url, unit) = database(dir.path()).await;
    std::fs::write(
        dir.path().join("cases.csv"),
        format!("{CASES_HEADER}\n811218-9876;{unit};2026-01-10;3;hemtjanst;SoL;{unit};;;;\n"),
    )
    .unwrap();
    let private = |name: &str, text: &str| {
        let path = dir.path().join(name);
        std::fs::write(&path, text).unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        path.to_str().unwrap().to_owned()
    };
    let patterned = private("patterned.key", "0123456789abcdef0123456789abcdef\n");
    let random = private(
        "random.key",
        "9c4d0be2a8f1736e5d2c90b14a7f83e6c1d5b9a0f2e47c36d8a1b50e9f7c2d43\n",
    );
    let cases = ["import", "cases", "cases.csv", "--database-url", &url];

    // act and assert: the variable
    let from_env = command(dir.path(), &cases)
        .env("EVIDENT_PSEUDONYM_KEY", "k".repeat(40))
        .output()
        .unwrap();
    assert_eq!(from_env.status.code(), Some(1));
    assert!(
        stderr(&from_env)
            .contains("EVIDENT_PSEUDONYM_KEY: pseudonym_key: has only 1 different characters"),
        "{}",
        stderr(&from_env)
    );
    // a key file
    let mut with_file = cases.to_vec();
    with_file.extend(["--pseudonym-key-file", &patterned]);
    let from_file = crate::evident(dir.path(), &with_file);
    assert_eq!(from_file.status.code(), Some(1));
    assert!(
        stderr(&from_file).contains("pseudonym_key: repeats its first 16 characters"),
        "{}",
        stderr(&from_file)
    );
    // the audit key
    let mut with_audit = cases.to_vec();
    with_audit.extend([
        "--pseudonym-key-file",
        &random,
        "--audit-key-file",
        &patterned,
    ]);
    let audit = crate::evident(dir.path(), &with_audit);
    assert_eq!(audit.status.code(), Some(1));
    assert!(
        stderr(&audit).contains("audit_key: repeats its first 16 characters"),
        "{}",
        stderr(&audit)
    );
    // a random key in a private file
    let mut good = cases.to_vec();
    good.extend(["--pseudonym-key-file", &random]);
    let imported = crate::evident(dir.path(), &good);
    assert!(imported.status.success(), "{}", stderr(&imported));
}

#[tokio::test]
async fn the_database_files_hold_no_personal_number_after_an_import() {
    // arrange
    let dir = tempfile::tempdir().unwrap();
    let (url, unit) = database(dir.path()).await;
    let numbers = ["811218-9876", "19121212-1212", "701063-2391"];
    let rows: String = numbers
        .iter()
        .map(|n| format!("{n};{unit};2026-01-10;3,6;hemtjanst;SoL;{unit};;;;\n"))
        .collect();
    std::fs::write(
        dir.path().join("cases.csv"),
        format!("{CASES_HEADER}\n{rows}"),
    )
    .unwrap();
    let measurements: String = numbers
        .iter()
        .map(|n| format!("{n};{unit};phq-9;baseline;2026-01-10;client;14\n"))
        .collect();
    std::fs::write(
        dir.path().join("m.csv"),
        format!("personal_number;unit;instrument;time_point;measured_on;respondent;score\n{measurements}"),
    )
    .unwrap();

    // act
    let output = import(
        dir.path(),
        &[
            "cases",
            "cases.csv",
            "--measurements",
            "m.csv",
            "--database-url",
            &url,
        ],
    );
    assert!(output.status.success(), "{}", stderr(&output));

    // assert
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm"] {
        if let Ok(content) = std::fs::read(dir.path().join(format!("evident.db{suffix}"))) {
            bytes.extend(content);
        }
    }
    let contains = |needle: &str| bytes.windows(needle.len()).any(|w| w == needle.as_bytes());
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 22).unwrap();
    let key = PseudonymKey::parse(KEY).unwrap();
    for number in numbers {
        let digits: String = number.chars().filter(char::is_ascii_digit).collect();
        let twelve = if digits.len() == 12 {
            digits.clone()
        } else {
            format!("19{digits}")
        };
        let ten = twelve[2..].to_owned();
        for form in [
            ten.clone(),
            twelve.clone(),
            format!("{}-{}", &ten[..6], &ten[6..]),
            format!("{}-{}", &twelve[..8], &twelve[8..]),
        ] {
            assert!(!contains(&form), "the database files contain {form}");
        }
        // The check above reads real data: the client's pseudonym at the unit's authority is
        // there; the person's digest, which would link authorities, is not.
        let number = PersonalNumber::parse(number, today).unwrap();
        let authority = unit.authority().unwrap();
        let keys = key.client_keys(&number, &authority);
        assert!(
            contains(keys.pseudonym.as_str()),
            "no pseudonym for {number:?}"
        );
        assert!(!contains(key.person_digest(&number).as_str()));
    }
}

#[test]
fn an_instrument_is_imported_from_a_questionnaire_once_per_version() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("evident.db").display());
    let mut questionnaire: serde_json::Value =
        serde_json::from_str(include_str!("../../../../data/instruments/gad-7.json")).unwrap();
    questionnaire["id"] = serde_json::json!("gad-7-local");
    let file = dir.path().join("gad-7-local.json");
    std::fs::write(&file, questionnaire.to_string()).unwrap();
    let file = file.to_str().unwrap();
    let added = crate::evident(
        dir.path(),
        &["import", "instrument", file, "--database-url", &url],
    );
    assert!(added.status.success(), "{}", crate::stderr(&added));
    assert!(
        crate::stdout(&added).contains("Added gad-7-local version 1 (7 items)"),
        "{}",
        crate::stdout(&added)
    );
    let again = crate::evident(
        dir.path(),
        &["import", "instrument", file, "--database-url", &url],
    );
    assert_eq!(again.status.code(), Some(1));
    assert!(
        crate::stderr(&again).contains("exists already"),
        "{}",
        crate::stderr(&again)
    );
    std::fs::write(
        dir.path().join("bad.json"),
        r#"{"resourceType": "Patient"}"#,
    )
    .unwrap();
    let bad = crate::evident(
        dir.path(),
        &[
            "import",
            "instrument",
            dir.path().join("bad.json").to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        crate::stderr(&bad).contains("not a FHIR Questionnaire"),
        "{}",
        crate::stderr(&bad)
    );
}

#[test]
fn an_instrument_whose_id_is_a_spreadsheet_formula_is_refused_naming_the_id() {
    // arrange: a questionnaire whose id would run as a formula in an exported spreadsheet
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite:{}", dir.path().join("evident.db").display());
    let mut questionnaire: serde_json::Value =
        serde_json::from_str(include_str!("../../../../data/instruments/gad-7.json")).unwrap();
    questionnaire["id"] = serde_json::json!("=HYPERLINK(\"http://evil.example\",\"GAD-7\")");
    let file = dir.path().join("formula.json");
    std::fs::write(&file, questionnaire.to_string()).unwrap();

    // act
    let refused = crate::evident(
        dir.path(),
        &[
            "import",
            "instrument",
            file.to_str().unwrap(),
            "--database-url",
            &url,
        ],
    );

    // assert
    assert_eq!(
        refused.status.code(),
        Some(1),
        "{}",
        crate::stderr(&refused)
    );
    let err = crate::stderr(&refused);
    assert!(
        err.contains("formula.json: id: an instrument id may hold only a-z, 0-9"),
        "{err}"
    );
}

/// A 40 MB header line once cost the import almost a gigabyte of memory and a 40 MB error:
/// now the file is refused at the first overlong line, quickly, with one short message.
#[tokio::test]
async fn a_file_with_a_40_mb_header_line_is_refused_quickly_with_a_short_error() {
    // arrange
    let dir = tempfile::tempdir().unwrap();
    let (url, _) = database(dir.path()).await;
    let mut header = String::from("personal_number;");
    header.push_str(&"x".repeat(40 << 20));
    header.push('\n');
    std::fs::write(dir.path().join("huge.csv"), header).unwrap();

    // act
    let started = std::time::Instant::now();
    let output = import(dir.path(), &["cases", "huge.csv", "--database-url", &url]);
    let took = started.elapsed();

    // assert
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("huge.csv:1: columns: the line is longer than 64 KiB"),
        "{err:.500}"
    );
    assert!(err.len() < 500, "{} bytes of error", err.len());
    assert!(took < std::time::Duration::from_secs(10), "took {took:?}");
}

/// An ANSI escape in a field (or in a file name) reaches the terminal escaped, not obeyed.
#[tokio::test]
async fn an_ansi_escape_in_a_field_is_shown_escaped() {
    let dir = tempfile::tempdir().unwrap();
    let (url, unit) = database(dir.path()).await;
    std::fs::write(
        dir.path().join("cases.csv"),
        format!(
            "{CASES_HEADER}\n811218-9876;{unit};2026-01-10;3;\u{1b}[2J\u{1b}[31mhemtjanst;SoL;{unit};;;;\n"
        ),
    )
    .unwrap();
    let output = import(dir.path(), &["cases", "cases.csv", "--database-url", &url]);
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        !err.contains('\u{1b}'),
        "a raw escape reached stderr: {err:?}"
    );
    assert!(
        err.contains("cases.csv:2: intervention_type: '\\x1b[2J\\x1b[31mhemtjanst'"),
        "{err}"
    );
}

#[test]
fn json_documents_over_16_mib_are_refused_naming_the_file_before_they_are_read() {
    // arrange: a (sparse) file one byte over the limit, and a real agreement padded to it
    let dir = tempfile::tempdir().unwrap();
    let database = dir.path().join("evident.db");
    let url = format!("sqlite:{}", database.display());
    let huge = dir.path().join("huge.json");
    std::fs::File::create(&huge)
        .unwrap()
        .set_len((16 << 20) + 1)
        .unwrap();
    let huge = huge.to_str().unwrap();
    let agreement = include_str!("../../../../data/agreements/agreement-2011.json");
    let padded = dir.path().join("padded.json");
    std::fs::write(
        &padded,
        format!("{agreement}{}", " ".repeat((16 << 20) - agreement.len())),
    )
    .unwrap();

    // act and assert
    for kind in ["instrument", "agreement", "disbursement"] {
        let refused = crate::evident(dir.path(), &["import", kind, huge, "--database-url", &url]);
        assert_eq!(refused.status.code(), Some(1), "{kind}");
        let message = crate::stderr(&refused);
        assert!(
            message.contains(&format!("{huge}: the file is larger than 16 MiB")),
            "{kind}: {message}"
        );
    }
    assert!(!database.exists(), "refused before the database is opened");
    let at_the_limit = crate::evident(
        dir.path(),
        &["agreements", "check", padded.to_str().unwrap()],
    );
    assert!(
        at_the_limit.status.success(),
        "exactly 16 MiB is read: {}",
        crate::stderr(&at_the_limit)
    );
}
