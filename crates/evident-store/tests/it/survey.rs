use crate::{actor, contract};
use chrono::NaiveDate;
use evident_core::survey::{SurveyAnswers, SurveyPeriod};
use evident_core::{NewUnit, OrgCode, UnitUpdate};
use evident_store::{NewSurveyPublication, Refused, StorageError, Store};

contract!(a_survey_answer_is_stored_once_per_browser_and_without_identifying_data);

async fn unit(store: &dyn Store) -> OrgCode {
    let details = UnitUpdate::parse("Enhet", "public", None, "individual_family").unwrap();
    store
        .create_unit(&NewUnit::parse("0380", details).unwrap(), &actor())
        .await
        .unwrap()
        .code
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
    let unit = unit(store).await;
    let new = NewSurveyPublication {
        survey: ("brukarundersokning-2026".into(), "1".into()),
        unit: unit.clone(),
        period: SurveyPeriod::parse("2026Q4").unwrap(),
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
        .record_survey_answer(publication.id, "nonce-a", day, &answers("4"))
        .await
        .unwrap();
    let again = store
        .record_survey_answer(publication.id, "nonce-a", day, &answers("1"))
        .await
        .unwrap();
    let other = store
        .record_survey_answer(publication.id, "nonce-b", day, &answers("2"))
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
        .survey_answers("brukarundersokning-2026", &new.period)
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
            .record_survey_answer(publication.id, "nonce-c", day, &answers("4"))
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
