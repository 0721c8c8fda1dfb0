use crate::{actor, contract};
use evident_core::grants::Ore;
use evident_core::grants::document::{Agreement, Disbursement};
use evident_core::grants::ledger::NewGrantEvent;
use evident_store::{PlanKind, StorageError, Store};

const AGREEMENT: &str = include_str!("../../../../data/agreements/agreement-2011.json");
const DISBURSEMENT: &str = include_str!("../../../../data/agreements/disbursement-2011-03-24.json");
const DECISION: &str = "S2011/986/FST-2011-03-24";

contract!(
    agreements_and_decisions_are_stored_as_written_and_checked_against_each_other,
    money_moves_only_within_what_was_decided_requisitioned_and_paid,
);

async fn agreements_and_decisions_are_stored_as_written_and_checked_against_each_other(
    store: &dyn Store,
) {
    let agreement = Agreement::parse("a.json", AGREEMENT).unwrap();
    let decision = Disbursement::parse("d.json", DISBURSEMENT).unwrap();
    // A decision needs its agreement first.
    assert!(matches!(
        store
            .import_disbursement(&decision, "d.json", "x", &actor())
            .await,
        Err(StorageError::NotFound(_))
    ));
    store
        .import_agreement(&agreement, "imported", &actor())
        .await
        .unwrap();
    assert!(matches!(
        store.import_agreement(&agreement, "again", &actor()).await,
        Err(StorageError::Conflict { field: "id" })
    ));
    store
        .import_disbursement(&decision, "d.json", "imported", &actor())
        .await
        .unwrap();
    assert_eq!(store.get_agreement("ebp-2011").await.unwrap(), agreement);
    assert_eq!(
        store.list_agreements().await.unwrap(),
        vec![agreement.clone()]
    );
    assert_eq!(
        store.list_disbursements(Some("ebp-2011")).await.unwrap(),
        vec![decision.clone()]
    );

    // A second decision paying 3.1.1 again exceeds what remains of it: rejected, nothing stored.
    let mut again = decision.clone();
    again.id = "second".into();
    let err = store
        .import_disbursement(&again, "second.json", "x", &actor())
        .await
        .unwrap_err();
    let StorageError::Rejected(problem) = err else {
        panic!("expected a rejection, got {err:?}");
    };
    assert!(
        problem.problem.starts_with("second.json: grants[0].lines[0].amount_ore: 22 500 000 kr is more than what remains of initiative 3.1.1 (0 kr of 22 500 000 kr"),
        "{problem}"
    );
    assert_eq!(store.list_disbursements(None).await.unwrap().len(), 1);

    // Plans are stored as documents and replaced by id.
    let plan = serde_json::json!({"id": "p", "title": "Plan"});
    store
        .save_grant_plan(PlanKind::Tapering, "p", &plan, "first", &actor())
        .await
        .unwrap();
    store
        .save_grant_plan(PlanKind::Tapering, "p", &plan, "again", &actor())
        .await
        .unwrap();
    assert_eq!(
        store.list_grant_plans(PlanKind::Tapering).await.unwrap(),
        vec![("p".to_owned(), plan)]
    );
    assert!(
        store
            .list_grant_plans(PlanKind::Performance)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn money_moves_only_within_what_was_decided_requisitioned_and_paid(store: &dyn Store) {
    store
        .import_agreement(
            &Agreement::parse("a", AGREEMENT).unwrap(),
            "imported",
            &actor(),
        )
        .await
        .unwrap();
    store
        .import_disbursement(
            &Disbursement::parse("d", DISBURSEMENT).unwrap(),
            "d",
            "imported",
            &actor(),
        )
        .await
        .unwrap();
    let line = format!("grant:{DECISION}:1:3.1.1");
    let event = |kind: &str, target: &str, amount: Option<i64>| {
        NewGrantEvent::parse(
            "ebp-2011",
            kind,
            target,
            amount,
            "2011-04-15",
            Some("ref 1"),
            "per the decision",
        )
        .unwrap()
    };
    // Nothing may be paid before it is requisitioned.
    let err = store
        .record_grant_event(&event("payment", &line, Some(100)), &actor())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StorageError::Rejected(p) if p.field == "amount_ore"),
        "{err:?}"
    );
    let requisition = store
        .record_grant_event(&event("requisition", &line, Some(2_250_000_000)), &actor())
        .await
        .unwrap();
    assert_eq!(requisition.event.amount, Some(Ore(2_250_000_000)));
    assert_eq!(requisition.recorded_by, "contract-test");
    assert_eq!(requisition.event.reason, "per the decision");
    store
        .record_grant_event(&event("payment", &line, Some(2_250_000_000)), &actor())
        .await
        .unwrap();
    assert!(
        store
            .record_grant_event(&event("requisition", &line, Some(1)), &actor())
            .await
            .is_err()
    );
    store
        .record_grant_event(&event("repayment", &line, Some(5_000)), &actor())
        .await
        .unwrap();
    // Unknown lines and obligations are refused.
    let err = store
        .record_grant_event(
            &event("requisition", &format!("grant:{DECISION}:1:3.2.1"), Some(1)),
            &actor(),
        )
        .await
        .unwrap_err();
    assert!(
        matches!(&err, StorageError::Rejected(p) if p.field == "target"),
        "{err:?}"
    );
    assert!(
        store
            .record_grant_event(
                &event("report", &format!("report:{DECISION}:2"), None),
                &actor()
            )
            .await
            .is_err()
    );
    store
        .record_grant_event(
            &event("report", &format!("report:{DECISION}:1"), None),
            &actor(),
        )
        .await
        .unwrap();

    let history = store.list_grant_events(Some("ebp-2011")).await.unwrap();
    let kinds: Vec<&str> = history.iter().map(|e| e.event.kind.as_str()).collect();
    assert_eq!(kinds, ["requisition", "payment", "repayment", "report"]);
    assert!(
        store
            .list_grant_events(Some("other"))
            .await
            .unwrap()
            .is_empty()
    );
    let audited: Vec<String> = store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .filter(|e| e.event.action.starts_with("grant."))
        .map(|e| e.event.action)
        .collect();
    assert_eq!(
        audited,
        [
            "grant.requisition",
            "grant.payment",
            "grant.repayment",
            "grant.report"
        ]
    );
}
