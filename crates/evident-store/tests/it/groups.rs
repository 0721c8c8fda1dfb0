use crate::actor;
use crate::contract;
use evident_core::indicator::group::NewComparisonGroup;
use evident_store::{StorageError, Store};

contract!(comparison_groups_are_created_listed_read_and_deleted_with_unique_names);

async fn comparison_groups_are_created_listed_read_and_deleted_with_unique_names(
    store: &dyn Store,
) {
    let cities = NewComparisonGroup::parse("Storstäder", "1480,0180,1280").unwrap();
    let north = NewComparisonGroup::parse("Norrland", "2480,2580").unwrap();
    let cities = store
        .create_comparison_group(&cities, &actor())
        .await
        .unwrap();
    let north = store
        .create_comparison_group(&north, &actor())
        .await
        .unwrap();
    let codes: Vec<&str> = cities.members.iter().map(|c| c.as_str()).collect();
    assert_eq!(codes, ["0180", "1280", "1480"]);

    // Listed by name.
    let all = store.list_comparison_groups().await.unwrap();
    assert_eq!(all, vec![north.clone(), cities.clone()]);
    assert_eq!(store.get_comparison_group(cities.id).await.unwrap(), cities);

    let again = NewComparisonGroup::parse("Storstäder", "0180,1480").unwrap();
    let err = store
        .create_comparison_group(&again, &actor())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::Conflict { field: "name" }),
        "{err:?}"
    );

    store
        .delete_comparison_group(cities.id, &actor())
        .await
        .unwrap();
    assert!(matches!(
        store.get_comparison_group(cities.id).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(matches!(
        store.delete_comparison_group(cities.id, &actor()).await,
        Err(StorageError::NotFound(_))
    ));
    assert_eq!(store.list_comparison_groups().await.unwrap(), vec![north]);

    let actions: Vec<String> = store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .filter(|a| a.starts_with("comparison_group."))
        .collect();
    assert_eq!(
        actions,
        [
            "comparison_group.create",
            "comparison_group.create",
            "comparison_group.delete"
        ]
    );
}
