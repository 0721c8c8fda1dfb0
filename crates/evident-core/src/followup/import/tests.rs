use super::*;
use crate::followup::instrument::toy;
use crate::followup::{Respondent, TimePoint};
use crate::person::RecordedSex;
use std::borrow::Cow;

const FILE: &str = "in.csv";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn key() -> PseudonymKey {
    PseudonymKey::parse("a test key that is long enough for hmac").unwrap()
}

/// A three-item instrument, options `0`–`3` scored 0–3, range 0–9, in versions 1 and 2
/// (version 2 adds no item, only to have two).
fn library() -> InstrumentLibrary {
    InstrumentLibrary::new(vec![toy("1", "Toy"), toy("2", "Toy")])
}

fn cases(text: &str) -> Result<CaseFile, RowErrors> {
    let (key, catalogue, library) = (key(), InterventionCatalogue::embedded(), library());
    let ctx = ImportContext {
        today: today(),
        key: &key,
        catalogue: &catalogue,
        instruments: &library,
    };
    parse_cases(FILE, text, &ctx, &mut |_| {})
}

fn measurements(text: &str) -> Result<MeasurementFile, RowErrors> {
    let (key, catalogue, library) = (key(), InterventionCatalogue::embedded(), library());
    let ctx = ImportContext {
        today: today(),
        key: &key,
        catalogue: &catalogue,
        instruments: &library,
    };
    parse_measurements(FILE, text, &ctx, &mut |_| {})
}

/// The errors as lines of text.
fn lines(errors: &RowErrors) -> Vec<String> {
    errors.listed().iter().map(ToString::to_string).collect()
}

/// Asserts that `text` fails with exactly one error, which starts with `expected`.
#[track_caller]
fn one_error(result: Result<impl std::fmt::Debug, RowErrors>, expected: &str) {
    let errors = result.expect_err("the file must be refused");
    let lines = lines(&errors);
    assert_eq!(lines.len(), 1, "{lines:#?}");
    assert!(
        lines[0].starts_with(expected),
        "expected {expected:?}, got {:?}",
        lines[0]
    );
}

const CASES_HEADER: &str = "personal_number;unit;opened_on;schedule;intervention_type;legal_basis;provider_unit;applied_on;decided_on;started_on;ended_on;end_reason";
const MEASUREMENTS_HEADER: &str = "personal_number;unit;instrument;instrument_version;time_point;month;measured_on;respondent;item:1;item:2;item:3";

fn case_file(rows: &[&str]) -> String {
    std::iter::once(CASES_HEADER)
        .chain(rows.iter().copied())
        .collect::<Vec<_>>()
        .join("\n")
}

fn measurement_file(rows: &[&str]) -> String {
    std::iter::once(MEASUREMENTS_HEADER)
        .chain(rows.iter().copied())
        .collect::<Vec<_>>()
        .join("\n")
}

const GOOD_CASE: &str = "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0002;2026-01-02;2026-01-08;2026-01-10;;";
const GOOD_MEASUREMENT: &str = "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;client;1;2;3";

#[test]
fn a_good_cases_file_groups_rows_into_cases() {
    let file = cases(&case_file(&[
            GOOD_CASE,
            // The same client in the 12-digit form: the same case, a second intervention.
            "19811218-9876;0180-0001;20260110;3,6,12;trygghetslarm;SoL;0180-0001;;;2026-01-12;2026-06-01;Avslutad enligt plan",
            "121212-1212;0180-0001;2026-02-01;\"3, 6\";hemtjanst;SoL;0180-0001;;;;;",
        ]))
        .unwrap();
    assert_eq!(file.clients.len(), 2);
    assert_eq!(file.cases.len(), 2);
    assert_eq!(file.rows(), 3);
    let first = &file.cases[0];
    assert_eq!((first.line, first.interventions.len()), (2, 2));
    assert_eq!(first.schedule, vec![3, 6, 12]);
    assert_eq!(file.units[first.unit].as_str(), "0180-0001");
    assert_eq!(
        file.units[first.interventions[0].provider].as_str(),
        "0180-0002"
    );
    let second = &first.interventions[1];
    assert_eq!(second.line, 3);
    assert_eq!(second.end_reason.as_deref(), Some("Avslutad enligt plan"));
    assert_eq!(second.dates.ended_on, NaiveDate::from_ymd_opt(2026, 6, 1));
    assert_eq!(file.cases[1].schedule, vec![3, 6]);
    assert_eq!(file.clients[0].birth_year, 1981);
    assert_eq!(file.clients[0].sex, RecordedSex::Male);
}

#[test]
fn a_comma_separated_file_with_a_quoted_schedule_and_columns_in_any_order_reads() {
    let text = "Unit,Personal_Number,Schedule,Opened_On,Intervention_Type,Legal_Basis,Provider_Unit\r\n\
                    0180-0001,811218-9876,\"3,6,12\",2026-01-10,hemtjanst,SoL,0180-0001\r\n";
    let file = cases(text).unwrap();
    assert_eq!(file.cases[0].schedule, vec![3, 6, 12]);
    assert_eq!(file.cases[0].interventions[0].dates.applied_on, None);
}

#[test]
fn every_kind_of_bad_cases_row_is_named_by_line_and_field() {
    let errors = cases(&case_file(&[
        GOOD_CASE,
        // 3: wrong column count
        "811218-9876;0180-0001;2026-01-10",
        // 4: missing required field
        ";0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
        // 5: bad personal number: check digit
        "811218-9875;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
        // 6: bad personal number: date
        "810230-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
        // 7: bad personal number: shape
        "81121-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
        // 8: not a unit code
        "811218-9876;0180;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
        // 9: unknown intervention type
        "811218-9876;0180-0001;2026-01-10;3,6,12;massage;SoL;0180-0001;;;;;",
        // 10: legal basis not allowed for the type
        "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;LSS;0180-0001;;;;;",
        // 11: unknown legal basis
        "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;BBIC;0180-0001;;;;;",
        // 12: dates out of order
        "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;2026-01-05;2026-01-02;;;",
        // 13: bad date
        "811218-9876;0180-0001;10/1/2026;3,6,12;hemtjanst;SoL;0180-0001;;;;;",
        // 14: a date that does not exist
        "811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;2026-02-30;;;",
        // 15: a bad schedule
        "811218-9876;0180-0001;2026-01-10;6,3;hemtjanst;SoL;0180-0001;;;;;",
        // 16: the same case with another schedule
        "811218-9876;0180-0001;2026-01-10;3,6;hemtjanst;SoL;0180-0001;;;;;",
        // 17: opened in the future
        "811218-9876;0180-0001;2027-01-10;3;hemtjanst;SoL;0180-0001;;;;;",
    ]))
    .unwrap_err();
    assert_eq!(
        lines(&errors),
        vec![
            "in.csv:3: columns: expected 12 fields, as in the header, found 3",
            "in.csv:4: personal_number: required, but empty",
            "in.csv:5: personal_number: the check digit (the last digit) is wrong: check the last four digits",
            "in.csv:6: personal_number: the date 1981-02-30 does not exist",
            "in.csv:7: personal_number: not a personal identity number: expected YYYYMMDD-XXXX, YYMMDD-XXXX or YYMMDD+XXXX (the dash may be left out)",
            "in.csv:8: unit: '0180' is a municipality code, not a unit code",
            "in.csv:9: intervention_type: 'massage' is not in the intervention catalogue",
            "in.csv:10: legal_basis: hemtjanst is not decided under LSS (allowed: SoL)",
            "in.csv:11: legal_basis: 'BBIC' is not one of SoL, LSS, LVU, LVM, HSL",
            "in.csv:12: decided_on: 2026-01-02 comes before applied_on (2026-01-05)",
            "in.csv:13: opened_on: '10/1/2026' is not a date: write YYYY-MM-DD or YYYYMMDD",
            "in.csv:14: decided_on: 2026-02-30 does not exist",
            "in.csv:15: schedule: the months must increase, e.g. 3, 6, 12",
            "in.csv:16: schedule: differs from line 2, which has the same client, unit and opened_on",
            "in.csv:17: opened_on: 2027-01-10 is in the future",
        ]
    );
    for line in lines(&errors) {
        assert!(
            !line.contains("9876") && !line.contains("811218") && !line.contains("9875"),
            "an error repeats a personal number: {line}"
        );
    }
}

#[test]
fn a_row_with_several_bad_fields_reports_each() {
    let errors = cases(&case_file(&[
        "811218-9875;0180;2026-13-01;3;hemtjanst;SoL;;;;;;",
    ]))
    .unwrap_err();
    let fields: Vec<&str> = errors.listed().iter().map(|e| e.field.as_str()).collect();
    assert_eq!(
        fields,
        ["personal_number", "unit", "opened_on", "provider_unit"]
    );
}

#[test]
fn header_problems_are_reported_on_line_one_and_rows_are_not_read() {
    let errors = cases(
        "personal_number;unit;opened_on;intervention_type;legal_basis;provider_unit;colour;unit\n\
             x;y;z;a;b;c;d;e\n",
    )
    .unwrap_err();
    assert_eq!(
        lines(&errors),
        vec![
            "in.csv:1: colour: unknown column (the columns are personal_number, unit, opened_on, schedule, intervention_type, legal_basis, provider_unit, applied_on, decided_on, started_on, ended_on, end_reason)",
            "in.csv:1: unit: the column appears twice",
            "in.csv:1: schedule: the column is missing from the header",
        ]
    );
    one_error(cases(""), "in.csv:1: columns: the file is empty");
}

#[test]
fn a_good_measurements_file_is_scored_with_the_stored_instrument() {
    let file = measurements(&measurement_file(&[
        GOOD_MEASUREMENT,
        // Newest version when none is named; one of three answers missing is prorated.
        "811218-9876;0180-0001;toy;;follow_up;3;20260410;client;2;;3",
        "121212-1212;0180-0001;toy;1;end;0;2026-06-01;staff;0;0;0",
    ]))
    .unwrap();
    assert_eq!(file.clients.len(), 2);
    assert_eq!(
        file.instruments,
        vec![("toy".into(), "1".into()), ("toy".into(), "2".into())]
    );
    let [first, second, third] = &file.measurements[..] else {
        panic!("three rows")
    };
    assert_eq!((first.line, first.score), (2, Some(6.0)));
    assert_eq!(first.answers.len(), 3);
    assert_eq!(
        (second.time_point, second.month, second.instrument),
        (TimePoint::FollowUp, Some(3), 1)
    );
    assert_eq!(second.score, Some(7.5), "(2 + 3) / 2 × 3");
    assert_eq!((third.month, third.respondent), (None, Respondent::Staff));
}

#[test]
fn totals_with_decimal_commas_are_read_and_checked_against_the_range() {
    let text = "personal_number;unit;instrument;time_point;month;measured_on;respondent;score\n\
                    811218-9876;0180-0001;toy;baseline;;2026-01-10;client;7,5\n\
                    811218-9876;0180-0001;toy;follow_up;6;2026-07-10;client;4.25\n\
                    811218-9876;0180-0001;toy;follow_up;12;2026-10-10;client;9\n";
    let file = measurements(text).unwrap();
    let scores: Vec<_> = file.measurements.iter().map(|m| m.score).collect();
    assert_eq!(scores, vec![Some(7.5), Some(4.25), Some(9.0)]);
    assert!(file.measurements.iter().all(|m| m.answers.is_empty()));
}

#[test]
fn every_kind_of_bad_measurement_row_is_named_by_line_and_field() {
    let errors = measurements(
        &(measurement_file(&[
            GOOD_MEASUREMENT,
            // 3: unknown instrument
            "811218-9876;0180-0001;phq-9;;baseline;;2026-01-10;client;1;2;3",
            // 4: unknown version
            "811218-9876;0180-0001;toy;7;baseline;;2026-01-10;client;1;2;3",
            // 5: answer code not an option of the item
            "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;client;1;9;3",
            // 6: bad time point
            "811218-9876;0180-0001;toy;1;after;;2026-01-10;client;1;2;3",
            // 7: bad respondent
            "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;neighbour;1;2;3",
            // 8: month missing for follow_up
            "811218-9876;0180-0001;toy;1;follow_up;;2026-04-10;client;1;2;3",
            // 9: a month on a baseline
            "811218-9876;0180-0001;toy;1;baseline;3;2026-01-10;client;1;2;3",
            // 10: bad date
            "811218-9876;0180-0001;toy;1;baseline;;2026-1-10;client;1;2;3",
            // 11: no answers at all
            "811218-9876;0180-0001;toy;1;baseline;;2026-01-10;client;;;",
            // 12: bad personal number
            "811218-9875;0180-0001;toy;1;baseline;;2026-01-10;client;1;2;3",
        ])),
    )
    .unwrap_err();
    assert_eq!(
        lines(&errors),
        vec![
            "in.csv:3: instrument: 'phq-9' is not in the instrument library (stored: toy)",
            "in.csv:4: instrument_version: toy has no version '7' (stored: 1, 2)",
            "in.csv:5: item:2: '9' is not one of its options (0, 1, 2, 3)",
            "in.csv:6: time_point: 'after' is not one of baseline, follow_up, end",
            "in.csv:7: respondent: 'neighbour' is not one of client, staff, relative",
            "in.csv:8: month: required, but empty",
            "in.csv:9: month: only a follow_up has a month (leave it empty)",
            "in.csv:10: measured_on: '2026-1-10' is not a date: write YYYY-MM-DD or YYYYMMDD",
            "in.csv:11: score: no answers and no score: fill in the item:<linkId> columns or the score",
            "in.csv:12: personal_number: the check digit (the last digit) is wrong: check the last four digits",
        ]
    );
}

#[test]
fn an_item_column_the_instrument_does_not_have_is_named() {
    let text = "personal_number;unit;instrument;time_point;measured_on;respondent;item:1;item:q9\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;1;2\n\
                    811218-9876;0180-0001;toy;end;2026-02-10;client;1;\n";
    one_error(
        measurements(text),
        "in.csv:2: item:q9: toy version 2 has no item q9",
    );
}

#[test]
fn bad_scores_are_named() {
    let text = "personal_number;unit;instrument;time_point;measured_on;respondent;score;item:1;item:2;item:3\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;tolv;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;12,5;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;-1;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;1e3;;;\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;5;1;1;1\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client;3,0;1;1;1\n";
    let errors = measurements(text).unwrap_err();
    assert_eq!(
        lines(&errors),
        vec![
            "in.csv:2: score: 'tolv' is not a number (write e.g. 12 or 12,5)",
            "in.csv:3: score: 12,5 is outside toy's range, 0 to 9",
            "in.csv:4: score: -1 is outside toy's range, 0 to 9",
            "in.csv:5: score: '1e3' is not a number (write e.g. 12 or 12,5)",
            "in.csv:6: score: 5 does not match the score of the answers (3)",
        ]
    );
}

#[test]
fn the_score_column_index_names_the_score() {
    assert_eq!(MEASUREMENT_COLUMNS[SCORE].name, "score");
}

#[test]
fn a_measurements_file_needs_answer_columns_or_a_score_column() {
    let text = "personal_number;unit;instrument;time_point;measured_on;respondent\n\
                    811218-9876;0180-0001;toy;baseline;2026-01-10;client\n";
    one_error(
        measurements(text),
        "in.csv:1: score: give the answers in item:<linkId> columns, or a score column",
    );
}

#[test]
fn a_windows_1252_file_with_swedish_letters_decodes() {
    // "Västerås;Hemtjänst" in Windows-1252: ä = E4, å = E5.
    let bytes = b"unit_name;what\nV\xe4ster\xe5s;Hemtj\xe4nst\n";
    let (text, encoding) = decode(bytes);
    assert_eq!(encoding, TextEncoding::Windows1252);
    assert_eq!(text, "unit_name;what\nVästerås;Hemtjänst\n");
    // The same text in UTF-8 is left as it is, borrowed.
    let utf8 = "unit_name;what\nVästerås;Hemtjänst\n";
    let (text, encoding) = decode(utf8.as_bytes());
    assert_eq!(encoding, TextEncoding::Utf8);
    assert!(matches!(text, Cow::Borrowed(_)));
    // A Windows-1252 cases file with an end reason in Swedish imports as it should.
    let mut file = CASES_HEADER.as_bytes().to_vec();
    file.extend_from_slice(
            b"\n811218-9876;0180-0001;2026-01-10;3,6,12;hemtjanst;SoL;0180-0001;;;;2026-03-01;Flyttat till V\xe4ster\xe5s\n",
        );
    let (text, _) = decode(&file);
    let parsed = cases(&text).unwrap();
    assert_eq!(
        parsed.cases[0].interventions[0].end_reason.as_deref(),
        Some("Flyttat till Västerås")
    );
}

#[test]
fn byte_order_marks_are_honoured_and_removed() {
    let mut bytes = vec![0xEF, 0xBB, 0xBF];
    bytes.extend_from_slice(case_file(&[GOOD_CASE]).as_bytes());
    let (text, encoding) = decode(&bytes);
    assert_eq!(encoding, TextEncoding::Utf8Bom);
    assert!(text.starts_with("personal_number;"));
    assert_eq!(cases(&text).unwrap().cases.len(), 1);

    let utf16: Vec<u8> = [0xFF, 0xFE]
        .into_iter()
        .chain(
            "unit\tname\n0180-0001\tÅby"
                .encode_utf16()
                .flat_map(u16::to_le_bytes),
        )
        .collect();
    let (text, encoding) = decode(&utf16);
    assert_eq!(encoding, TextEncoding::Utf16Le);
    assert_eq!(text, "unit\tname\n0180-0001\tÅby");
}

#[test]
fn the_separator_is_read_off_the_header() {
    assert_eq!(sniff_separator("a;b;c\n1,5;2;3"), b';');
    assert_eq!(sniff_separator("a,b,c\n\"1;2\",2,3"), b',');
    assert_eq!(sniff_separator("a\tb\tc"), b'\t');
    assert_eq!(sniff_separator("\"a;b\",c,d"), b',');
    assert_eq!(sniff_separator("a"), b',');
}

#[test]
fn dates_and_decimals_have_the_documented_forms() {
    let d = NaiveDate::from_ymd_opt(2026, 3, 5);
    assert_eq!(parse_date("2026-03-05").ok(), d);
    assert_eq!(parse_date("20260305").ok(), d);
    assert_eq!(parse_date(" 2026-03-05 ").ok(), d);
    for bad in [
        "5/3/2026",
        "2026-3-5",
        "2026/03/05",
        "26-03-05",
        "",
        "2026-03-05T00:00",
    ] {
        assert!(
            parse_date(bad).unwrap_err().contains("is not a date"),
            "{bad}"
        );
    }
    assert_eq!(
        parse_date("20260229").unwrap_err(),
        "2026-02-29 does not exist"
    );
    assert_eq!(parse_decimal("12,5"), Ok(12.5));
    assert_eq!(parse_decimal("12.5"), Ok(12.5));
    assert_eq!(parse_decimal("-3"), Ok(-3.0));
    for bad in ["1 234,5", "1.234,5", "NaN", "inf", ",5", "5,", "1e3", ""] {
        assert!(parse_decimal(bad).is_err(), "{bad}");
    }
    assert_eq!(decimal_text(12.5), "12,5");
    assert_eq!(decimal_text(9.0), "9");
}

#[test]
fn only_the_first_thousand_errors_are_listed_and_the_rest_counted() {
    let rows: Vec<String> = (0..1500)
        .map(|_| "811218-9876;0180-0001;2026-01-10;3;massage;SoL;0180-0001;;;;;".to_owned())
        .collect();
    let rows: Vec<&str> = rows.iter().map(String::as_str).collect();
    let errors = cases(&case_file(&rows)).unwrap_err();
    assert_eq!(errors.total(), 1500);
    assert_eq!(errors.listed().len(), MAX_REPORTED_ERRORS);
    assert!(errors.to_string().ends_with("\n… and 500 more"));
}

#[test]
fn empty_rows_and_trailing_empty_columns_are_ignored() {
    let text = format!("{CASES_HEADER};;\n{GOOD_CASE};;\n;;;;;;;;;;;;;;\n\n");
    assert_eq!(cases(&text).unwrap().rows(), 1);
}

#[test]
fn progress_reaches_the_end_of_the_text() {
    let text = case_file(&[GOOD_CASE]);
    let (key, catalogue, library) = (key(), InterventionCatalogue::embedded(), library());
    let ctx = ImportContext {
        today: today(),
        key: &key,
        catalogue: &catalogue,
        instruments: &library,
    };
    let mut last = 0;
    parse_cases(FILE, &text, &ctx, &mut |b| last = b).unwrap();
    assert_eq!(last, text.len() as u64);
}

#[test]
fn a_line_longer_than_the_cap_is_refused_with_a_short_error_naming_file_and_line() {
    let huge = format!(
        "{CASES_HEADER}\n{GOOD_CASE}\n{}\n",
        "x".repeat(MAX_LINE_BYTES + 1)
    );
    let errors = cases(&huge).unwrap_err();
    assert_eq!(
        lines(&errors),
        [
            "in.csv:3: columns: the line is longer than 64 KiB, far longer than a row: is this the right file, saved as CSV?"
        ]
    );
    // the same when the header is the long line, and fed in pieces
    let mut meter = LineMeter::default();
    assert_eq!(meter.feed(b"a;b\n"), Ok(()));
    assert_eq!(meter.feed(&vec![b'x'; MAX_LINE_BYTES]), Ok(()));
    assert_eq!(meter.feed(b"x"), Err(2));
}

#[test]
fn control_characters_in_echoed_input_are_escaped_and_long_values_cut() {
    let evil = "\u{1b}[2J\u{1b}[31mHACKED";
    let long = "y".repeat(100_000);
    let errors = cases(&format!(
        "{CASES_HEADER};{long}\n811218-9876;{evil};2026-01-10;3;hemtjanst;SoL;0180-0001;;;;;;\n"
    ))
    .unwrap_err();
    let shown = errors.to_string();
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
    assert!(shown.len() < 1000, "{} bytes", shown.len());
    let errors = cases(&case_file(&[&format!(
        "811218-9876;{evil};2026-01-10;3;hemtjanst;SoL;0180-0001;;;;;"
    )]))
    .unwrap_err();
    let shown = errors.to_string();
    assert!(shown.contains("\\x1b[2J\\x1b[31mHACKED"), "{shown}");
    assert!(!shown.contains('\u{1b}'), "{shown:?}");
}
