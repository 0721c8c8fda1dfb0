use crate::actor;
use crate::contract;
use evident_core::{NewUnit, OrgCode, OrgLevel, Provider, UnitArea, UnitUpdate};
use evident_store::{StorageError, Store};

fn code(raw: &str) -> OrgCode {
    OrgCode::parse(raw).unwrap()
}

fn unit(municipality: &str, name: &str, provider: &str, operator: Option<&str>) -> NewUnit {
    NewUnit::parse(
        municipality,
        UnitUpdate::parse(name, provider, operator, "elderly_care").unwrap(),
    )
    .unwrap()
}

contract!(
    the_registry_holds_the_nation_21_counties_and_290_municipalities,
    an_unknown_code_is_not_found,
    units_get_consecutive_codes_per_municipality_and_are_listed_under_it,
    a_unit_under_a_municipality_that_does_not_exist_is_not_found,
    updating_a_unit_changes_its_name_provider_and_area,
    syncing_the_registry_again_keeps_units_and_changes_nothing,
    concurrent_unit_creations_get_distinct_codes,
    hostile_text_is_stored_verbatim,
);

async fn the_registry_holds_the_nation_21_counties_and_290_municipalities(store: &dyn Store) {
    let nation = store.list_orgs(OrgLevel::Nation, None).await.unwrap();
    assert_eq!(nation.len(), 1);
    assert_eq!(nation[0].parent, None);
    let counties = store.list_orgs(OrgLevel::County, None).await.unwrap();
    assert_eq!(counties.len(), 21);
    assert!(counties.iter().all(|c| c.parent == Some(OrgCode::nation())));
    let municipalities = store.list_orgs(OrgLevel::Municipality, None).await.unwrap();
    assert_eq!(municipalities.len(), 290);
    for m in &municipalities {
        assert_eq!(
            m.parent.as_ref().unwrap().as_str(),
            &m.code.as_str()[..2],
            "{}",
            m.code
        );
    }
    let in_uppsala_county = store
        .list_orgs(OrgLevel::Municipality, Some(&code("03")))
        .await
        .unwrap();
    assert_eq!(in_uppsala_county.len(), 8);
    assert_eq!(store.get_org(&code("0380")).await.unwrap().name, "Uppsala");
}

async fn an_unknown_code_is_not_found(store: &dyn Store) {
    let err = store.get_org(&code("0999")).await.unwrap_err();
    assert!(
        matches!(err, StorageError::NotFound(ref what) if what == "organisation 0999"),
        "{err:?}"
    );
    let err = store.get_unit(&code("0380")).await.unwrap_err();
    assert!(
        matches!(err, StorageError::NotFound(_)),
        "a municipality is not a unit: {err:?}"
    );
}

async fn units_get_consecutive_codes_per_municipality_and_are_listed_under_it(store: &dyn Store) {
    let first = store
        .create_unit(&unit("0380", "Hemtjänst Gränby", "public", None), &actor())
        .await
        .unwrap();
    let second = store
        .create_unit(
            &unit(
                "0380",
                "Omsorgsboendet Eken",
                "private",
                Some("Nordomsorg AB"),
            ),
            &actor(),
        )
        .await
        .unwrap();
    let elsewhere = store
        .create_unit(&unit("0180", "Hemtjänst Kista", "public", None), &actor())
        .await
        .unwrap();
    assert_eq!(first.code.as_str(), "0380-0001");
    assert_eq!(second.code.as_str(), "0380-0002");
    assert_eq!(elsewhere.code.as_str(), "0180-0001");

    let units = store.list_units(&code("0380")).await.unwrap();
    assert_eq!(units, vec![first.clone(), second.clone()]);
    assert_eq!(units[1].provider, Provider::Private);
    assert_eq!(
        units[1].operator.as_ref().unwrap().as_str(),
        "Nordomsorg AB"
    );

    let nodes = store
        .list_orgs(OrgLevel::Unit, Some(&code("0380")))
        .await
        .unwrap();
    let names: Vec<_> = nodes.iter().map(|n| n.name.as_str()).collect();
    assert_eq!(names, ["Hemtjänst Gränby", "Omsorgsboendet Eken"]);
    assert_eq!(nodes[0].parent, Some(code("0380")));
    assert_eq!(
        store.list_orgs(OrgLevel::Unit, None).await.unwrap().len(),
        3
    );
    assert_eq!(
        store.get_org(&second.code).await.unwrap().level,
        OrgLevel::Unit
    );
}

async fn a_unit_under_a_municipality_that_does_not_exist_is_not_found(store: &dyn Store) {
    let err = store
        .create_unit(&unit("0999", "Nowhere", "public", None), &actor())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::NotFound(ref what) if what == "municipality 0999"),
        "{err:?}"
    );
    assert!(
        store
            .list_orgs(OrgLevel::Unit, None)
            .await
            .unwrap()
            .is_empty(),
        "nothing half-written"
    );
}

async fn updating_a_unit_changes_its_name_provider_and_area(store: &dyn Store) {
    let created = store
        .create_unit(&unit("2480", "Hemtjänst Väst", "public", None), &actor())
        .await
        .unwrap();
    let update = UnitUpdate::parse(
        "Hemtjänst Väster",
        "private",
        Some("Trygga Händer AB"),
        "disability",
    )
    .unwrap();
    let updated = store
        .update_unit(&created.code, &update, &actor())
        .await
        .unwrap();
    assert_eq!(updated.name.as_str(), "Hemtjänst Väster");
    assert_eq!(updated.provider, Provider::Private);
    assert_eq!(updated.area, UnitArea::Disability);
    assert_eq!(store.get_unit(&created.code).await.unwrap(), updated);
    assert_eq!(
        store.get_org(&created.code).await.unwrap().name,
        "Hemtjänst Väster"
    );

    let err = store
        .update_unit(&code("2480-0099"), &update, &actor())
        .await
        .unwrap_err();
    assert!(matches!(err, StorageError::NotFound(_)), "{err:?}");
}

async fn syncing_the_registry_again_keeps_units_and_changes_nothing(store: &dyn Store) {
    let created = store
        .create_unit(&unit("0180", "Hemtjänst Kista", "public", None), &actor())
        .await
        .unwrap();
    store
        .sync_registry(&evident_core::Registry::sweden())
        .await
        .unwrap();
    assert_eq!(store.get_unit(&created.code).await.unwrap(), created);
    assert_eq!(
        store
            .list_orgs(OrgLevel::Municipality, None)
            .await
            .unwrap()
            .len(),
        290
    );
}

async fn concurrent_unit_creations_get_distinct_codes(store: &dyn Store) {
    let creations = (0..8).map(|i| {
        let new = unit("1480", &format!("Enhet {i}"), "public", None);
        async move { store.create_unit(&new, &actor()).await }
    });
    let mut codes: Vec<_> = futures_join_all(creations)
        .await
        .into_iter()
        .map(|u| u.unwrap().code)
        .collect();
    codes.sort();
    codes.dedup();
    assert_eq!(codes.len(), 8);
}

async fn hostile_text_is_stored_verbatim(store: &dyn Store) {
    let hostile = "Robert'); drop table org_node;-- <script>alert(1)</script>";
    let created = store
        .create_unit(&unit("0380", hostile, "public", None), &actor())
        .await
        .unwrap();
    assert_eq!(
        store.get_unit(&created.code).await.unwrap().name.as_str(),
        hostile
    );
    assert_eq!(
        store.list_orgs(OrgLevel::County, None).await.unwrap().len(),
        21
    );
}

/// Runs futures concurrently on the current task (the store's pool does the parallel work).
async fn futures_join_all<F: std::future::Future>(
    futures: impl IntoIterator<Item = F>,
) -> Vec<F::Output> {
    let mut pinned: Vec<_> = futures.into_iter().map(Box::pin).collect();
    let mut outputs: Vec<Option<F::Output>> = pinned.iter().map(|_| None).collect();
    std::future::poll_fn(|cx| {
        let mut pending = false;
        for (future, output) in pinned.iter_mut().zip(outputs.iter_mut()) {
            if output.is_none() {
                match future.as_mut().poll(cx) {
                    std::task::Poll::Ready(value) => *output = Some(value),
                    std::task::Poll::Pending => pending = true,
                }
            }
        }
        if pending {
            std::task::Poll::Pending
        } else {
            std::task::Poll::Ready(())
        }
    })
    .await;
    outputs
        .into_iter()
        .map(|o| o.expect("every future finished"))
        .collect()
}
