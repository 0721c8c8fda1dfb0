use crate::{actor, contract, unit};
use chrono::NaiveDate;
use evident_core::OrgCode;
use evident_core::participation::respondent_code::RespondentCode;
use evident_core::participation::survey::{IntegrityMode, SurveyAnswers, SurveyPeriod};
use evident_store::{Admission, NewSurveyPublication, Refused, StorageError, Store};

contract!(a_survey_answer_is_stored_once_per_browser_and_without_identifying_data);

fn nonce(digest: &str) -> Admission {
    Admission::Nonce(digest.to_owned())
}

fn answers(code: &str) -> SurveyAnswers {
    [("respekt", code), ("fritext", "<script>x</script>")]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect()
}

async fn a_survey_answer_is_stored_once_per_browser_and_without_identifying_data(
    store: &dyn Store,
) {
    // arrange
    let unit = unit(store, "0380").await;
    let new = NewSurveyPublication {
        survey: ("brukarundersokning-2026".into(), "1".into()),
        unit: unit.clone(),
        period: SurveyPeriod::parse("2026Q4").unwrap(),
        integrity: IntegrityMode::Link,
    };
    let publication = store
        .create_survey_publication(&new, "digest-q", 1_000, &actor())
        .await
        .unwrap();
    assert!(publication.is_open());
    assert_eq!(
        store
            .find_survey_publication("digest-q")
            .await
            .unwrap()
            .map(|p| p.id),
        Some(publication.id)
    );
    let day: NaiveDate = "2026-11-30".parse().unwrap();

    // act: one browser twice, another once
    let first = store
        .record_survey_answer(publication.id, &nonce("nonce-a"), day, &answers("4"))
        .await
        .unwrap();
    let again = store
        .record_survey_answer(publication.id, &nonce("nonce-a"), day, &answers("1"))
        .await
        .unwrap();
    let other = store
        .record_survey_answer(publication.id, &nonce("nonce-b"), day, &answers("2"))
        .await
        .unwrap();

    // assert
    assert_eq!(first, Ok(()));
    assert_eq!(again, Err(Refused::NonceUsed), "the nonce is refused twice");
    assert_eq!(other, Ok(()));
    assert_eq!(store.count_survey_answers(publication.id).await.unwrap(), 2);
    assert!(
        store
            .survey_nonce_used(publication.id, "nonce-a")
            .await
            .unwrap()
    );
    assert!(
        !store
            .survey_nonce_used(publication.id, "nonce-c")
            .await
            .unwrap()
    );
    let stored = store
        .survey_answers("brukarundersokning-2026", &new.period, &IntegrityMode::ALL)
        .await
        .unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(stored[0].0, unit);
    let mut codes: Vec<&str> = stored[0].1.iter().map(|a| a["respekt"].as_str()).collect();
    codes.sort_unstable();
    assert_eq!(codes, ["2", "4"], "the refused answer was not stored");
    assert_eq!(stored[0].1[0]["fritext"], "<script>x</script>", "as given");

    // The answer table holds the publication, the answers and the day: nothing else.
    let columns: Vec<String> = store
        .schema_columns()
        .await
        .unwrap()
        .into_iter()
        .filter(|(table, _)| table == "survey_answer" || table == "survey_nonce")
        .map(|(table, column)| format!("{table}.{column}"))
        .collect();
    assert_eq!(
        columns,
        [
            "survey_answer.answered_on",
            "survey_answer.answers",
            "survey_answer.id",
            "survey_answer.publication_id",
            "survey_nonce.nonce_digest",
            "survey_nonce.publication_id",
        ]
    );
    // Answering writes no audit entry (it would carry a time and an address).
    let entries = store.audit_entries().await.unwrap();
    assert!(entries.iter().all(|e| !e.event.action.contains("answer")));
    assert!(entries.iter().any(|e| e.event.action == "survey.publish"));

    // Closed: no more answers, and closing twice is refused.
    let closed = store
        .close_survey_publication(publication.id, 2_000, &actor())
        .await
        .unwrap();
    assert_eq!(closed.closed_at, Some(2_000));
    assert_eq!(
        store
            .record_survey_answer(publication.id, &nonce("nonce-c"), day, &answers("4"))
            .await
            .unwrap(),
        Err(Refused::Closed)
    );
    assert!(matches!(
        store
            .close_survey_publication(publication.id, 3_000, &actor())
            .await,
        Err(StorageError::Rejected(_))
    ));
    assert_eq!(
        store.list_survey_publications(&unit).await.unwrap().len(),
        1
    );
    // An unknown unit is named.
    let mut elsewhere = new.clone();
    elsewhere.unit = OrgCode::parse("0380-0099").unwrap();
    assert!(matches!(
        store
            .create_survey_publication(&elsewhere, "digest-r", 1_000, &actor())
            .await,
        Err(StorageError::NotFound(_))
    ));
}

contract!(survey_answers_feed_the_share_of_satisfied_clients_through_disclosure_control);

/// Publishes the survey for `unit` and `period` and posts `positive` answers that are
/// satisfied overall ("helhet" 5) and `negative` that are not ("helhet" 2).
async fn answered(
    store: &dyn Store,
    unit: &OrgCode,
    period: &str,
    positive: usize,
    negative: usize,
) {
    let new = NewSurveyPublication {
        survey: ("brukarundersokning-2026".into(), "1".into()),
        unit: unit.clone(),
        period: SurveyPeriod::parse(period).unwrap(),
        integrity: IntegrityMode::Link,
    };
    let digest = format!("digest-{unit}-{period}");
    let publication = store
        .create_survey_publication(&new, &digest, 1_000, &actor())
        .await
        .unwrap();
    let day: NaiveDate = "2026-11-30".parse().unwrap();
    for i in 0..positive + negative {
        let overall = if i < positive { "5" } else { "2" };
        let answers: SurveyAnswers = [
            ("respekt", "4"),
            ("inflytande", "3"),
            ("information", "1"),
            ("helhet", overall),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        store
            .record_survey_answer(publication.id, &nonce(&format!("nonce-{i}")), day, &answers)
            .await
            .unwrap()
            .unwrap();
    }
}

async fn survey_answers_feed_the_share_of_satisfied_clients_through_disclosure_control(
    store: &dyn Store,
) {
    use evident_core::indicator::{CATEGORIES, Period, Published};
    use evident_core::stats::comparison::wilson;

    // arrange: three units in one municipality, one in another county
    let big = unit(store, "0380").await;
    let small = unit(store, "0380").await;
    let middle = unit(store, "0380").await;
    let far = unit(store, "1480").await;
    answered(store, &big, "2026Q4", 6, 2).await; // 8 answers, 6 satisfied
    answered(store, &small, "2026Q4", 1, 2).await; // 3: too few
    answered(store, &middle, "2026Q4", 2, 4).await; // 6, withheld to protect the small one
    answered(store, &far, "2026Q4", 4, 1).await; // 5
    answered(store, &far, "2027", 0, 0).await; // published, never answered

    // act
    let quarter = Period::Quarter(2026, 4);
    let rows = store.published_rows("EVI011", "", quarter).await.unwrap();
    let periods = store.indicator_periods("EVI011").await.unwrap();
    let variants = store.indicator_variants("EVI011").await.unwrap();

    // assert
    let cell = |code: &str| -> Published {
        let row = rows
            .iter()
            .find(|r| r.node.as_str() == code)
            .unwrap_or_else(|| panic!("no row for {code}"));
        assert_eq!(row.period, quarter);
        assert_eq!(row.cells.len(), CATEGORIES.len());
        assert!(
            row.cells[1..].iter().all(|c| *c == Published::NoData),
            "anonymous answers have no sex or age: {code}"
        );
        row.cells[0].clone()
    };
    let share = |positive: u64, n: u64| Published::Value {
        value: positive as f64 / n as f64,
        n,
        numerator: Some(positive),
        ci: wilson(positive, n, 1.96),
    };
    assert_eq!(rows[0].node.as_str(), "SE", "nation first");
    assert_eq!(cell(big.as_str()), share(6, 8));
    assert_eq!(cell(small.as_str()), Published::Suppressed);
    assert_eq!(
        cell(middle.as_str()),
        Published::Suppressed,
        "complementary"
    );
    assert_eq!(cell(far.as_str()), share(4, 5));
    assert_eq!(cell("0380"), share(6 + 1 + 2, 8 + 3 + 6));
    assert_eq!(cell("14"), share(4, 5));
    assert_eq!(cell("SE"), share(6 + 1 + 2 + 4, 8 + 3 + 6 + 5));
    assert_eq!(
        rows.len(),
        9,
        "4 units, 2 municipalities, 2 counties, the nation"
    );
    assert_eq!(periods, [quarter], "2027 has no answers");
    assert!(variants.is_empty());
    assert!(
        store
            .published_rows("EVI011", "PHQ-9", quarter)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .published_rows("EVI011", "", Period::Year(2027))
            .await
            .unwrap()
            .is_empty()
    );
}

contract!(respondent_codes_admit_one_answer_each_and_leave_nothing_to_pair_them_with);

async fn respondent_codes_admit_one_answer_each_and_leave_nothing_to_pair_them_with(
    store: &dyn Store,
) {
    // arrange: a publication by codes and one by link, in one unit
    let unit = unit(store, "0380").await;
    let publish = |digest: &'static str, integrity| {
        let new = NewSurveyPublication {
            survey: ("brukarundersokning-2026".into(), "1".into()),
            unit: unit.clone(),
            period: SurveyPeriod::parse("2026Q4").unwrap(),
            integrity,
        };
        async move {
            store
                .create_survey_publication(&new, digest, 1_000, &actor())
                .await
                .unwrap()
        }
    };
    let by_codes = publish("digest-codes", IntegrityMode::Codes).await;
    let by_link = publish("digest-link", IntegrityMode::Link).await;
    assert_eq!(by_codes.integrity, IntegrityMode::Codes);
    let codes = RespondentCode::generate_many(3);
    let digests =
        |codes: &[RespondentCode]| -> Vec<String> { codes.iter().map(|c| c.digest()).collect() };
    let issued = store
        .issue_respondent_codes(by_codes.id, &digests(&codes), &actor())
        .await
        .unwrap()
        .unwrap();
    assert_eq!((issued.codes_issued, issued.codes_used), (3, 0));
    let day: NaiveDate = "2026-11-30".parse().unwrap();
    let with_code = |code: &RespondentCode| Admission::Code(code.digest());
    // A code finds its publication; a used one no longer does.
    let found = store
        .find_survey_publication_by_code(&codes[0].digest())
        .await
        .unwrap();
    assert_eq!(found.map(|p| p.id), Some(by_codes.id));
    let answer = |admission: Admission| async move {
        store
            .record_survey_answer(by_codes.id, &admission, day, &answers("4"))
            .await
            .unwrap()
    };

    // act and assert: a browser nonce is not a code
    assert_eq!(answer(nonce("nonce-a")).await, Err(Refused::CodeNeeded));
    // each code once
    assert_eq!(answer(with_code(&codes[0])).await, Ok(()));
    assert_eq!(
        answer(with_code(&codes[0])).await,
        Err(Refused::CodeNotValid)
    );
    // a code that was never issued, and one issued for another publication, are no codes
    assert_eq!(
        answer(with_code(&RespondentCode::generate())).await,
        Err(Refused::CodeNotValid)
    );
    let other = publish("digest-other", IntegrityMode::Codes).await;
    let theirs = RespondentCode::generate_many(1);
    store
        .issue_respondent_codes(other.id, &digests(&theirs), &actor())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        answer(with_code(&theirs[0])).await,
        Err(Refused::CodeNotValid)
    );
    // A digest taken already (by any publication) stores nothing of the batch.
    let clash = vec![RespondentCode::generate().digest(), theirs[0].digest()];
    assert_eq!(
        store
            .issue_respondent_codes(by_codes.id, &clash, &actor())
            .await
            .unwrap(),
        None
    );
    assert_eq!(
        store
            .find_survey_publication_by_code(&clash[0])
            .await
            .unwrap(),
        None
    );
    // a code is no way into a publication by link
    assert_eq!(
        store
            .record_survey_answer(
                by_link.id,
                &Admission::Code(codes[1].digest()),
                day,
                &answers("4")
            )
            .await
            .unwrap(),
        Err(Refused::CodeNotValid)
    );
    // eight answers racing with one code: exactly one gets in
    let raced = futures_util::future::join_all((0..8).map(|_| answer(with_code(&codes[1])))).await;
    assert_eq!(raced.iter().filter(|r| r.is_ok()).count(), 1, "{raced:?}");
    assert_eq!(store.count_survey_answers(by_codes.id).await.unwrap(), 2);
    assert_eq!(
        store
            .find_survey_publication_by_code(&codes[0].digest())
            .await
            .unwrap(),
        None
    );
    let after = store.get_survey_publication(by_codes.id).await.unwrap();
    assert_eq!((after.codes_issued, after.codes_used), (3, 2));

    // Codes are for open publications by codes only.
    assert!(matches!(
        store
            .issue_respondent_codes(by_link.id, &digests(&codes), &actor())
            .await,
        Err(StorageError::Rejected(_))
    ));
    store
        .close_survey_publication(other.id, 2_000, &actor())
        .await
        .unwrap();
    assert!(matches!(
        store
            .issue_respondent_codes(other.id, &["x".to_owned()], &actor())
            .await,
        Err(StorageError::Rejected(_))
    ));
    assert!(matches!(
        store.issue_respondent_codes(9_999, &[], &actor()).await,
        Err(StorageError::NotFound(_))
    ));

    // What is kept of codes: digests of the unused ones and counts, nothing that pairs a code
    // with an answer (no used flag, no time).
    let columns: Vec<String> = store
        .schema_columns()
        .await
        .unwrap()
        .into_iter()
        .filter(|(table, _)| table == "survey_code")
        .map(|(_, column)| column)
        .collect();
    assert_eq!(columns, ["code_digest", "publication_id"]);
    // Issuing is audited with the number, never a code.
    let entries = store.audit_entries().await.unwrap();
    let issuing: Vec<_> = entries
        .iter()
        .filter(|e| e.event.action == "survey.codes")
        .collect();
    assert_eq!(issuing.len(), 2);
    for entry in &issuing {
        let text = format!("{:?}", entry.event);
        for code in codes.iter().chain(&theirs) {
            assert!(!text.contains(&code.printed()[..5]), "{text}");
        }
    }
    assert!(issuing[0].event.detail.contains("3 respondent codes"));

    // Results read the modes asked for.
    let period = SurveyPeriod::parse("2026Q4").unwrap();
    store
        .record_survey_answer(by_link.id, &nonce("nonce-z"), day, &answers("1"))
        .await
        .unwrap()
        .unwrap();
    let count = |modes: &'static [IntegrityMode]| {
        let period = period.clone();
        async move {
            store
                .survey_answers("brukarundersokning-2026", &period, modes)
                .await
                .unwrap()
                .iter()
                .map(|(_, a)| a.len())
                .sum::<usize>()
        }
    };
    assert_eq!(count(&[IntegrityMode::Codes]).await, 2);
    assert_eq!(count(&[IntegrityMode::Link]).await, 1);
    assert_eq!(count(&IntegrityMode::ALL).await, 3);
    assert_eq!(
        store
            .survey_integrity("brukarundersokning-2026", &period)
            .await
            .unwrap(),
        [
            (unit.clone(), IntegrityMode::Link),
            (unit.clone(), IntegrityMode::Codes)
        ]
    );
}
