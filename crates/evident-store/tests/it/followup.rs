use crate::{actor, contract, seed, unit};
use evident_core::OrgCode;
use evident_core::followup::instrument::Answers;
use evident_core::followup::{
    GoalOutcome, InterventionDates, LegalBasis, LifeArea, Respondent, TimePoint,
};
use evident_store::followup::{NewIntervention, NewMeasurement};
use evident_store::testing::{day, toy_instrument};
use evident_store::{StorageError, Store};

contract!(
    a_client_is_registered_once_per_person,
    cases_hold_interventions_needs_goals_and_measurements,
    instrument_versions_never_change_once_stored,
    a_client_is_found_by_pseudonym_only_at_its_own_authority,
);

async fn a_client_is_registered_once_per_person(store: &dyn Store) {
    let (first, created) = store
        .register_client(&seed(store).new_client("811218-9876"), &actor())
        .await
        .unwrap();
    assert!(created);
    assert_eq!(first.birth_year, 1981);
    let (again, created) = store
        .register_client(&seed(store).new_client("198112189876"), &actor())
        .await
        .unwrap();
    assert!(!created, "the same person is found, not registered twice");
    assert_eq!(again, first);
    let (other, _) = store
        .register_client(&seed(store).new_client("121212-1212"), &actor())
        .await
        .unwrap();
    assert_ne!(other.id, first.id);
    let audit = store.audit_entries().await.unwrap();
    assert_eq!(audit[0].event.action, "client.register");
    assert_eq!(audit[1].event.action, "client.find");
    assert_eq!(
        audit[0].event.client.as_deref(),
        Some(first.pseudonym.as_str())
    );
}

async fn a_client_is_found_by_pseudonym_only_at_its_own_authority(store: &dyn Store) {
    let here = seed(store).client_at("0380", "811218-9876").await;
    let there = seed(store).client_at("1480", "811218-9876").await;
    assert_ne!(
        here.pseudonym, there.pseudonym,
        "one pseudonym per authority"
    );
    let found = |authority: &'static str, client: &evident_core::followup::Client| {
        let pseudonym = client.pseudonym.clone();
        async move { store.find_client(authority, &pseudonym).await.unwrap() }
    };
    assert_eq!(found("0380", &here).await, Some(here.clone()));
    assert_eq!(found("1480", &there).await, Some(there.clone()));
    assert_eq!(
        found("0380", &there).await,
        None,
        "another authority's client"
    );
    assert_eq!(found("1480", &here).await, None);
    let unknown = evident_core::person::Pseudonym::parse(&"0".repeat(64)).unwrap();
    assert_eq!(store.find_client("0380", &unknown).await.unwrap(), None);
}

async fn cases_hold_interventions_needs_goals_and_measurements(store: &dyn Store) {
    let at = unit(store, "0380").await;
    let provider = unit(store, "0380").await;
    let (client, _) = store
        .register_client(&seed(store).new_client("811218-9876"), &actor())
        .await
        .unwrap();
    let case = store
        .open_case(client.id, &at, day("2026-01-10"), &[3, 6], &actor())
        .await
        .unwrap();
    assert_eq!(store.get_case(case.id).await.unwrap(), case);
    assert_eq!(
        store.list_unit_cases(&at).await.unwrap(),
        vec![case.clone()]
    );
    assert_eq!(
        store.list_client_cases(client.id).await.unwrap(),
        vec![case.clone()]
    );
    let nowhere = store
        .open_case(
            client.id,
            &OrgCode::parse("0380-0099").unwrap(),
            day("2026-01-10"),
            &[],
            &actor(),
        )
        .await;
    assert!(
        matches!(nowhere, Err(StorageError::NotFound(_))),
        "{nowhere:?}"
    );

    let dates = InterventionDates {
        applied_on: Some(day("2026-01-02")),
        decided_on: Some(day("2026-01-09")),
        started_on: Some(day("2026-01-12")),
        ended_on: None,
    };
    let new = NewIntervention {
        type_code: "oppenvard_missbruk".into(),
        legal_basis: LegalBasis::SoL,
        provider: provider.clone(),
        dates,
        end_reason: None,
    };
    let intervention = store
        .add_intervention(case.id, &new, &actor())
        .await
        .unwrap();
    assert_eq!(
        store.list_interventions(case.id).await.unwrap(),
        vec![intervention]
    );
    let backwards = NewIntervention {
        dates: InterventionDates {
            started_on: Some(day("2026-01-01")),
            ..dates
        },
        ..new.clone()
    };
    assert!(
        store
            .add_intervention(case.id, &backwards, &actor())
            .await
            .is_err(),
        "dates out of order"
    );

    let need = store
        .add_need(
            case.id,
            LifeArea::Housing,
            "Behöver stöd att behålla bostaden",
            &actor(),
        )
        .await
        .unwrap();
    let goal = store
        .add_goal(need, "Har kvar sin lägenhet efter sex månader", &actor())
        .await
        .unwrap();
    store
        .set_goal_outcome(goal, GoalOutcome::PartlyAchieved, &actor())
        .await
        .unwrap();
    let needs = store.list_needs(case.id).await.unwrap();
    assert_eq!(needs[0].area, LifeArea::Housing);
    assert_eq!(needs[0].goals[0].outcome, Some(GoalOutcome::PartlyAchieved));

    store
        .save_instrument(&toy_instrument("1", "Toy"))
        .await
        .unwrap();
    let answers: Answers = [
        ("1".to_string(), "3".to_string()),
        ("2".to_string(), "2".to_string()),
    ]
    .into_iter()
    .collect();
    let measured = NewMeasurement {
        instrument: ("toy".into(), "1".into()),
        time_point: TimePoint::Baseline,
        month: None,
        measured_on: day("2026-01-12"),
        respondent: Respondent::Client,
        answers,
        score: Some(7.5),
    };
    let m = store
        .record_measurement(case.id, &measured, &actor())
        .await
        .unwrap();
    assert_eq!(store.list_measurements(case.id).await.unwrap(), vec![m]);
    let unknown = NewMeasurement {
        instrument: ("nope".into(), "1".into()),
        ..measured
    };
    assert!(
        store
            .record_measurement(case.id, &unknown, &actor())
            .await
            .is_err(),
        "instrument must exist"
    );

    let audited: Vec<_> = store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.client.as_deref() == Some(client.pseudonym.as_str()))
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        audited,
        [
            "client.register",
            "case.open",
            "intervention.add",
            "need.add",
            "goal.add",
            "goal.follow_up",
            "measurement.record"
        ]
    );
}

async fn instrument_versions_never_change_once_stored(store: &dyn Store) {
    store
        .save_instrument(&toy_instrument("1", "Toy"))
        .await
        .unwrap();
    store
        .save_instrument(&toy_instrument("1", "Toy, edited in place"))
        .await
        .unwrap();
    assert_eq!(
        store.get_instrument("toy", "1").await.unwrap().title,
        "Toy",
        "a stored version is never overwritten"
    );
    store
        .save_instrument(&toy_instrument("2", "Toy, second edition"))
        .await
        .unwrap();
    let listed = store.list_instruments().await.unwrap();
    let toys: Vec<_> = listed.iter().filter(|i| i.id == "toy").collect();
    assert_eq!(toys.len(), 1, "only the newest version is listed");
    assert_eq!(toys[0].version, "2");
    assert_eq!(
        listed.len(),
        1 + evident_core::followup::library::embedded_instruments().len(),
        "with the embedded library"
    );
    assert!(matches!(
        store.get_instrument("toy", "3").await,
        Err(StorageError::NotFound(_))
    ));
}

/// A database from before pseudonyms were per authority: one client row per person, under the
/// person's digest, with cases at Uppsala (0380) and Enköping (0381); the same person was also
/// registered at Enköping since the upgrade. Rekeying gives Uppsala its own client, moves the
/// Enköping case to Enköping's client, keeps the old pseudonym for the audit entries written
/// under it, and the person still counts once.
async fn legacy_clients_are_rekeyed_per_authority(backend: evident_store::Backend) {
    let db = evident_store::testing::TestDb::on(backend).await;
    let store = &*db.store;
    let uppsala = unit(store, "0380").await;
    let enkoping = unit(store, "0381").await;
    let key = evident_core::person::PseudonymKey::parse(evident_store::testing::SEED_PSEUDONYM_KEY)
        .unwrap();
    let number =
        evident_core::person::PersonalNumber::parse("811218-9876", day("2026-11-22")).unwrap();
    let digest = key.person_digest(&number);
    crate::audit::raw_sql(
        &db,
        &[&format!(
            "insert into client (pseudonym, birth_year, sex, person_id) values ('{}', 1981, 'male', null)",
            digest.as_str()
        ),
        "update client set person_id = id"],
    )
    .await
    .unwrap();
    let legacy = store.list_unit_cases(&uppsala).await.unwrap();
    assert!(legacy.is_empty());
    let legacy_id: i64 = 1;
    let here = store
        .open_case(legacy_id, &uppsala, day("2025-01-10"), &[3], &actor())
        .await
        .unwrap();
    let there = store
        .open_case(legacy_id, &enkoping, day("2025-02-10"), &[3], &actor())
        .await
        .unwrap();
    let registered = seed(store).client_at("0381", "811218-9876").await;
    let joined = store
        .open_case(registered.id, &enkoping, day("2026-03-10"), &[3], &actor())
        .await
        .unwrap();

    let rekey = |d: &evident_core::person::Pseudonym, a: &OrgCode| key.client_keys_of_digest(d, a);
    let done = store.rekey_legacy_clients(&rekey, &actor()).await.unwrap();
    assert_eq!((done.clients, done.split, done.without_cases), (1, 0, 0));

    let at_uppsala = store
        .get_client(store.get_case(here.id).await.unwrap().client_id)
        .await
        .unwrap();
    assert_eq!(at_uppsala.id, legacy_id, "rekeyed in place");
    assert_eq!(at_uppsala.authority, "0380");
    assert_eq!(
        at_uppsala.pseudonym,
        key.client_keys(&number, &OrgCode::parse("0380").unwrap())
            .pseudonym
    );
    assert_eq!(
        store.get_case(there.id).await.unwrap().client_id,
        registered.id,
        "the Enköping case joined Enköping's client"
    );
    assert_eq!(
        store.get_case(joined.id).await.unwrap().client_id,
        registered.id
    );
    assert_eq!(
        store.legacy_pseudonym(legacy_id).await.unwrap().as_deref(),
        Some(digest.as_str())
    );
    let mut people = std::collections::BTreeSet::new();
    store
        .for_each_case_facts(&mut |_, facts| {
            people.insert(facts.client.id);
        })
        .await
        .unwrap();
    assert_eq!(people.len(), 1, "one person across both authorities");
    assert!(!store.indicator_state().await.unwrap().current);
    let entries = store.audit_entries().await.unwrap();
    assert!(entries.iter().any(|e| e.event.action == "clients.rekey"));
    assert_eq!(
        store.rekey_legacy_clients(&rekey, &actor()).await.unwrap(),
        evident_store::followup::rekey::Rekeyed::default(),
        "nothing is left to rekey"
    );
}

#[tokio::test]
async fn legacy_clients_are_rekeyed_per_authority_on_sqlite() {
    legacy_clients_are_rekeyed_per_authority(evident_store::Backend::Sqlite).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
async fn legacy_clients_are_rekeyed_per_authority_on_postgres() {
    legacy_clients_are_rekeyed_per_authority(evident_store::Backend::Postgres).await;
}
