//! The bulk reads of follow-up records: a unit's cases in keyset pages, and the unit-wide and
//! client-wide reads that replace one query per case — each checked against the per-case reads
//! it replaces.

use crate::{actor, contract, seed};
use evident_core::OrgCode;
use evident_core::followup::progress::MeasuredScore;
use evident_core::followup::{GoalOutcome, LifeArea, Measurement, Respondent, TimePoint};
use evident_core::rng::SplitMix64;
use evident_store::Store;
use evident_store::followup::NewMeasurement;
use evident_store::testing::{ClientBuilder, day, toy_instrument};

contract!(
    a_units_cases_come_page_by_page_each_once_in_list_order,
    unit_and_client_wide_reads_equal_the_per_case_reads,
    an_exports_page_of_measurements_is_its_cases_measurements_up_to_its_extent,
);

/// A unit called `name` in Uppsala (0380).
async fn unit_named(store: &dyn Store, name: &str) -> OrgCode {
    seed(store)
        .unit_in_area("0380", name, "individual_family")
        .await
}

/// A toy measurement at `time_point` on `measured_on` scoring `score`.
fn toy(time_point: TimePoint, month: Option<u32>, measured_on: &str, score: f64) -> NewMeasurement {
    NewMeasurement {
        instrument: ("toy".into(), "1".into()),
        time_point,
        month,
        measured_on: day(measured_on),
        respondent: Respondent::Client,
        answers: [("1".to_string(), "1".to_string())].into_iter().collect(),
        score: Some(score),
    }
}

async fn a_units_cases_come_page_by_page_each_once_in_list_order(store: &dyn Store) {
    // arrange: eleven cases at a unit, several opened on the same day and out of id order,
    // and cases at another unit
    let mut rng = SplitMix64::new(15);
    let here = unit_named(store, "Norr").await;
    let there = unit_named(store, "Söder").await;
    let days = [
        "2026-01-10",
        "2025-06-01",
        "2026-01-10",
        "2026-03-02",
        "2025-06-01",
        "2026-01-10",
        "2024-12-31",
        "2026-03-02",
        "2026-01-10",
        "2025-01-01",
        "2026-02-14",
    ];
    for (i, opened_on) in days.iter().enumerate() {
        ClientBuilder::new(&here)
            .synthetic_number(&mut rng, 1950 + i as i32)
            .opened_on(day(opened_on))
            .create(&seed(store))
            .await;
        ClientBuilder::new(&there)
            .synthetic_number(&mut rng, 1960 + i as i32)
            .opened_on(day(opened_on))
            .create(&seed(store))
            .await;
    }
    let all = store.list_unit_cases(&here).await.unwrap();
    assert_eq!(all.len(), days.len());

    // act: page through in pages of 3
    let mut paged = Vec::new();
    let mut after = None;
    let mut pages = 0;
    loop {
        let page = store.list_unit_cases_page(&here, after, 3).await.unwrap();
        assert!(page.len() <= 3, "a page holds at most its limit");
        let Some((last, _)) = page.last() else {
            break;
        };
        after = Some(last.id);
        pages += 1;
        for (case, client) in page {
            assert_eq!(
                client,
                store.get_client(case.client_id).await.unwrap(),
                "each case comes with its own client"
            );
            paged.push(case);
        }
        assert!(pages <= days.len(), "paging ends");
    }

    // assert: every case of the unit exactly once, in the order of the whole list
    assert_eq!(pages, 4, "11 cases in pages of 3");
    assert_eq!(paged, all);
    for limit in [1, 2, 5, 11, 12, 100] {
        let mut again = Vec::new();
        let mut after = None;
        loop {
            let page = store
                .list_unit_cases_page(&here, after, limit)
                .await
                .unwrap();
            let Some((last, _)) = page.last() else {
                break;
            };
            after = Some(last.id);
            again.extend(page.into_iter().map(|(case, _)| case));
        }
        assert_eq!(again, all, "pages of {limit}");
    }

    // a case opened meanwhile, newest of all, does not shift the later pages
    let first = store.list_unit_cases_page(&here, None, 4).await.unwrap();
    ClientBuilder::new(&here)
        .synthetic_number(&mut rng, 1990)
        .opened_on(day("2026-12-24"))
        .create(&seed(store))
        .await;
    let rest = store
        .list_unit_cases_page(&here, Some(first.last().unwrap().0.id), 100)
        .await
        .unwrap();
    let continued: Vec<_> = first
        .into_iter()
        .chain(rest)
        .map(|(case, _)| case)
        .collect();
    assert_eq!(continued, all);

    // a cursor that is not one of the unit's cases gives nothing of the unit
    let theirs = store.list_unit_cases(&there).await.unwrap()[0].id;
    assert!(
        store
            .list_unit_cases_page(&here, Some(theirs), 100)
            .await
            .unwrap()
            .is_empty()
    );
    assert!(
        store
            .list_unit_cases_page(&here, Some(i64::MAX), 100)
            .await
            .unwrap()
            .is_empty()
    );
}

/// Concatenates the per-case reads of `cases`, in case id order.
async fn per_case<T, F>(cases: &[i64], read: impl Fn(i64) -> F) -> Vec<T>
where
    F: std::future::Future<Output = evident_store::Result<Vec<T>>>,
{
    let mut ids = cases.to_vec();
    ids.sort_unstable();
    let mut all = Vec::new();
    for id in ids {
        all.extend(read(id).await.unwrap());
    }
    all
}

async fn unit_and_client_wide_reads_equal_the_per_case_reads(store: &dyn Store) {
    // arrange: a unit with several clients, one of them with a second case there and a case at
    // another unit; measurements recorded out of date order, interventions, needs and goals
    store
        .save_instrument(&toy_instrument("1", "Toy"))
        .await
        .unwrap();
    let here = unit_named(store, "Norr").await;
    let there = unit_named(store, "Söder").await;
    let mut cases = Vec::new();
    let mut twice = None;
    for (i, number) in ["811218-9876", "121212-1212", "19400101-0026", "811218-9876"]
        .into_iter()
        .enumerate()
    {
        let made = ClientBuilder::new(&here)
            .personal_number(number)
            .opened_on(day("2025-03-01"))
            .intervention(evident_store::followup::NewIntervention {
                type_code: "oppenvard_missbruk".into(),
                legal_basis: evident_core::followup::LegalBasis::SoL,
                provider: there.clone(),
                dates: evident_core::followup::InterventionDates {
                    applied_on: Some(day("2025-02-20")),
                    decided_on: None,
                    started_on: (i % 2 == 0).then(|| day("2025-03-02")),
                    ended_on: None,
                },
                end_reason: None,
            })
            .measurement(toy(
                TimePoint::FollowUp,
                Some(3),
                "2025-06-01",
                10.0 + i as f64,
            ))
            .measurement(toy(TimePoint::Baseline, None, "2025-03-01", 20.0))
            .measurement(toy(TimePoint::End, None, "2025-09-01", 5.0))
            .create(&seed(store))
            .await;
        let need = store
            .add_need(made.case.id, LifeArea::Housing, "Bostad", &actor())
            .await
            .unwrap();
        let goal = store
            .add_goal(need, "Behåller lägenheten", &actor())
            .await
            .unwrap();
        store
            .set_goal_outcome(goal, GoalOutcome::Achieved, &actor())
            .await
            .unwrap();
        store
            .add_need(made.case.id, LifeArea::D8, "Arbete", &actor())
            .await
            .unwrap();
        cases.push(made.case.id);
        if i == 3 {
            twice = Some(made.client);
        }
    }
    let client = twice.unwrap();
    let elsewhere = ClientBuilder::new(&there)
        .personal_number("811218-9876")
        .measurement(toy(TimePoint::Baseline, None, "2026-01-12", 1.0))
        .create(&seed(store))
        .await;
    assert_eq!(elsewhere.client, client, "one client at both units");
    let empty = ClientBuilder::new(&here)
        .personal_number("20000101-0024")
        .create(&seed(store))
        .await;
    cases.push(empty.case.id);

    // act and assert: the unit's scores are the per-case measurements without their answers,
    // the cases in list order, and its started types those of the per-case interventions
    let in_list_order: Vec<i64> = store
        .list_unit_cases(&here)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    let mut measurements: Vec<Measurement> = Vec::new();
    for id in &in_list_order {
        measurements.extend(store.list_measurements(*id).await.unwrap());
    }
    let scores = store.list_unit_scores(&here).await.unwrap();
    assert_eq!(
        scores,
        measurements
            .iter()
            .map(|m| MeasuredScore {
                id: m.id,
                case_id: m.case_id,
                instrument_id: m.instrument_id.clone(),
                instrument_version: m.instrument_version.clone(),
                time_point: m.time_point,
                measured_on: m.measured_on,
                score: m.score,
            })
            .collect::<Vec<_>>()
    );
    assert_eq!(scores.len(), 12);
    assert!(
        scores.iter().all(|s| s.case_id != elsewhere.case.id),
        "another unit's scores stay out"
    );
    let mut started: Vec<(i64, String)> = per_case(&cases, |id| store.list_interventions(id))
        .await
        .into_iter()
        .filter(|i| i.dates.started_on.is_some())
        .map(|i| (i.case_id, i.type_code))
        .collect();
    started.dedup();
    assert_eq!(started.len(), 2, "the first and third cases started theirs");
    assert_eq!(store.list_unit_started_types(&here).await.unwrap(), started);
    let mut clients = Vec::new();
    for id in &cases {
        clients.push(
            store
                .get_client(store.get_case(*id).await.unwrap().client_id)
                .await
                .unwrap(),
        );
    }
    clients.sort_by_key(|c| c.id);
    clients.dedup();
    assert_eq!(store.list_unit_clients(&here).await.unwrap(), clients);
    assert_eq!(clients.len(), 4, "the client with two cases once");

    // the client-wide reads are the per-case reads over every case of the client
    let own: Vec<i64> = store
        .list_client_cases(client.id)
        .await
        .unwrap()
        .iter()
        .map(|c| c.id)
        .collect();
    assert_eq!(own.len(), 3, "two cases here, one there");
    assert_eq!(
        store.list_client_measurements(client.id).await.unwrap(),
        per_case(&own, |id| store.list_measurements(id)).await
    );
    assert_eq!(
        store.list_client_interventions(client.id).await.unwrap(),
        per_case(&own, |id| store.list_interventions(id)).await
    );
    let needs = store.list_client_needs(client.id).await.unwrap();
    assert_eq!(needs, per_case(&own, |id| store.list_needs(id)).await);
    assert_eq!(needs.len(), 4);
    assert_eq!(needs[0].goals[0].outcome, Some(GoalOutcome::Achieved));
    assert!(
        store
            .list_client_measurements(empty.client.id)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn an_exports_page_of_measurements_is_its_cases_measurements_up_to_its_extent(
    store: &dyn Store,
) {
    // arrange: cases opened on a few days, each with measurements
    store
        .save_instrument(&toy_instrument("1", "Toy"))
        .await
        .unwrap();
    let mut rng = SplitMix64::new(16);
    let here = unit_named(store, "Norr").await;
    let there = unit_named(store, "Söder").await;
    for (i, opened_on) in [
        "2025-01-01",
        "2025-05-05",
        "2025-01-01",
        "2025-03-03",
        "2025-05-05",
    ]
    .into_iter()
    .enumerate()
    {
        for at in [&here, &there] {
            ClientBuilder::new(at)
                .synthetic_number(&mut rng, 1970 + i as i32)
                .opened_on(day(opened_on))
                .measurement(toy(TimePoint::Baseline, None, opened_on, i as f64))
                .measurement(toy(TimePoint::FollowUp, Some(3), "2025-09-09", 1.0))
                .create(&seed(store))
                .await;
        }
    }
    let (count, through) = store.unit_measurement_extent(&here).await.unwrap();
    assert_eq!(count, 10);
    let through = through.unwrap();
    let mut all = Vec::new();
    for case in store.list_unit_cases(&here).await.unwrap() {
        all.extend(store.list_measurements(case.id).await.unwrap());
    }
    assert_eq!(through, all.iter().map(|m| m.id).max().unwrap());

    // a measurement recorded after the export began is not part of it
    let newest = store.list_unit_cases(&here).await.unwrap()[0].id;
    store
        .record_measurement(
            newest,
            &toy(TimePoint::End, None, "2025-12-01", 0.0),
            &actor(),
        )
        .await
        .unwrap();

    // act: the measurements page by page of two cases
    let mut paged = Vec::new();
    let mut after = None;
    loop {
        let page = store.list_unit_cases_page(&here, after, 2).await.unwrap();
        let (Some((first, _)), Some((last, _))) = (page.first(), page.last()) else {
            break;
        };
        after = Some(last.id);
        let measurements = store
            .list_unit_page_measurements(&here, first.id, last.id, through)
            .await
            .unwrap();
        let ids: Vec<i64> = page.iter().map(|(case, _)| case.id).collect();
        assert_eq!(
            measurements,
            per_case(&ids, |id| store.list_measurements(id))
                .await
                .into_iter()
                .filter(|m| m.id <= through)
                .collect::<Vec<_>>(),
            "page {ids:?}"
        );
        paged.extend(measurements);
    }

    // assert: every measurement of the unit up to the extent, once
    paged.sort_by_key(|m| m.id);
    assert_eq!(paged.len(), 10);
    let mut before: Vec<_> = all;
    before.sort_by_key(|m| m.id);
    assert_eq!(paged, before);
    assert_eq!(
        store.unit_measurement_extent(&there).await.unwrap().0,
        10,
        "each unit counts its own"
    );
    let nobody = unit_named(store, "Väster").await;
    assert_eq!(
        store.unit_measurement_extent(&nobody).await.unwrap(),
        (0, None)
    );
}
