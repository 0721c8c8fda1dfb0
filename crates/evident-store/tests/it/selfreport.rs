use crate::{actor, contract, seed, unit};
use evident_core::participation::selfreport::{LinkStatus, NewSelfReportLink};
use evident_core::rng::SplitMix64;
use evident_store::testing::{ClientBuilder, day};
use evident_store::{StorageError, Store, Unusable};

contract!(a_self_report_link_is_claimed_once_and_revoked_or_expired_links_say_so);

/// A case opened today (2026-11-22) with a follow-up at 3 months.
async fn case(store: &dyn Store) -> i64 {
    let unit = unit(store, "0380").await;
    ClientBuilder::new(&unit)
        .synthetic_number(&mut SplitMix64::new(5), 1980)
        .opened_on(day("2026-11-22"))
        .schedule(&[3])
        .create(&seed(store))
        .await
        .case
        .id
}

async fn a_self_report_link_is_claimed_once_and_revoked_or_expired_links_say_so(store: &dyn Store) {
    let case_id = case(store).await;
    let request = NewSelfReportLink::parse(
        case_id,
        ("phq-9".into(), "1".into()),
        "baseline",
        None,
        Some("14"),
    )
    .unwrap();
    let now = 1_000_000;
    let link = store
        .create_self_report_link(&request, "digest-a", now, &actor())
        .await
        .unwrap();
    assert_eq!(link.expires_at, now + 14 * 86_400);
    assert_eq!(link.status(now), LinkStatus::Pending);

    // Two claims: exactly one succeeds; the second learns the link is answered.
    let first = store
        .claim_self_report_link("digest-a", now + 10)
        .await
        .unwrap();
    assert_eq!(first.as_ref().map(|l| l.id), Ok(link.id));
    let second = store
        .claim_self_report_link("digest-a", now + 11)
        .await
        .unwrap();
    assert_eq!(second, Err(Unusable::Not(LinkStatus::Answered)));
    // Released after a failed answer, it can be claimed again.
    store.release_self_report_link(link.id).await.unwrap();
    assert!(
        store
            .claim_self_report_link("digest-a", now + 12)
            .await
            .unwrap()
            .is_ok()
    );

    assert_eq!(
        store.claim_self_report_link("nope", now).await.unwrap(),
        Err(Unusable::Unknown)
    );

    let other = store
        .create_self_report_link(&request, "digest-b", now, &actor())
        .await
        .unwrap();
    store
        .revoke_self_report_link(other.id, now + 5, &actor())
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_self_report_link("digest-b", now + 6)
            .await
            .unwrap(),
        Err(Unusable::Not(LinkStatus::Revoked))
    );
    assert!(matches!(
        store
            .revoke_self_report_link(other.id, now + 7, &actor())
            .await,
        Err(StorageError::Rejected(_))
    ));

    store
        .create_self_report_link(&request, "digest-c", now, &actor())
        .await
        .unwrap();
    assert_eq!(
        store
            .claim_self_report_link("digest-c", now + 14 * 86_400)
            .await
            .unwrap(),
        Err(Unusable::Not(LinkStatus::Expired))
    );
    let links = store.list_self_report_links(case_id).await.unwrap();
    assert_eq!(links.len(), 3);
    assert!(links[0].id > links[2].id, "newest first");
    assert!(matches!(
        store
            .create_self_report_link(
                &NewSelfReportLink {
                    case_id: 999_999,
                    ..request.clone()
                },
                "d",
                now,
                &actor()
            )
            .await,
        Err(StorageError::NotFound(_))
    ));
}
