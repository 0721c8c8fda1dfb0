use crate::actor;
use crate::contract;
use evident_core::{NewDialogPartner, OrgCode};
use evident_store::{StorageError, Store};

contract!(every_county_has_a_support_structure_with_partners_to_add_and_remove);

async fn every_county_has_a_support_structure_with_partners_to_add_and_remove(store: &dyn Store) {
    let uppsala = OrgCode::parse("03").unwrap();
    let structure = store.get_support_structure(&uppsala).await.unwrap();
    assert_eq!(structure.name, "Regional stödstruktur Uppsala län");
    assert!(structure.partners.is_empty());

    let anna = NewDialogPartner::parse(
        "03",
        "Anna Berg",
        "Regional utvecklingsledare",
        "anna.berg@lan03.example",
    )
    .unwrap();
    let per = NewDialogPartner::parse(
        "03",
        "Per Ek",
        "Politisk dialogpartner",
        "per.ek@lan03.example",
    )
    .unwrap();
    let anna = store.add_dialog_partner(&anna, &actor()).await.unwrap();
    let per = store.add_dialog_partner(&per, &actor()).await.unwrap();
    let structure = store.get_support_structure(&uppsala).await.unwrap();
    assert_eq!(structure.partners, vec![anna.clone(), per.clone()]);

    let stockholm = OrgCode::parse("01").unwrap();
    let err = store
        .remove_dialog_partner(&stockholm, anna.id, &actor())
        .await
        .unwrap_err();
    assert!(
        matches!(err, StorageError::NotFound(_)),
        "another county's partner: {err:?}"
    );
    store
        .remove_dialog_partner(&uppsala, anna.id, &actor())
        .await
        .unwrap();
    assert_eq!(
        store
            .get_support_structure(&uppsala)
            .await
            .unwrap()
            .partners,
        vec![per]
    );

    let nowhere = NewDialogPartner::parse("99", "X Y", "Z", "x@y.example").unwrap();
    assert!(matches!(
        store.add_dialog_partner(&nowhere, &actor()).await,
        Err(StorageError::NotFound(_))
    ));
    assert!(matches!(
        store
            .get_support_structure(&OrgCode::parse("0380").unwrap())
            .await,
        Err(StorageError::NotFound(_))
    ));
}
