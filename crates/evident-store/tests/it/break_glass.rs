//! Emergency accesses in the store: open only inside their window, for their user and client,
//! written with their audit entry; and many audit entries appended as one.

use crate::{actor, contract, seed, unit};
use evident_core::access::audit::{AuditEvent, Outcome};
use evident_core::access::break_glass::Reason;
use evident_store::testing::ClientBuilder;
use evident_store::{BreakGlassFilter, NewBreakGlass, Store};

contract!(
    an_emergency_access_is_open_only_inside_its_window_and_is_audited,
    many_audit_entries_are_appended_in_order_and_verify,
);

async fn an_emergency_access_is_open_only_inside_its_window_and_is_audited(store: &dyn Store) {
    let at = unit(store, "0380").await;
    let seeded = ClientBuilder::new(&at)
        .personal_number("811218-9876")
        .create(&seed(store))
        .await;
    let user = seed(store).user("bg@test.example", "BG", None, &[]).await;
    let new = NewBreakGlass {
        user_id: user.id,
        client_id: seeded.client.id,
        case_id: seeded.case.id,
        authority: "0380".into(),
        reason: Reason::parse("akut inläggning på natten").unwrap(),
        now: "2026-12-04T10:00:00.000000Z".into(),
        expires_at: "2026-12-04T14:00:00.000000Z".into(),
    };
    let opened = store.open_break_glass(&new, &actor()).await.unwrap();
    assert_eq!(opened.user, "bg@test.example");
    let active = |now: &'static str, user_id: i64, client_id: i64| async move {
        store
            .active_break_glass(user_id, client_id, now)
            .await
            .unwrap()
            .map(|g| g.id)
    };
    let (u, c) = (user.id, seeded.client.id);
    assert_eq!(active("2026-12-04T09:59:59.000000Z", u, c).await, None);
    assert_eq!(
        active("2026-12-04T10:00:00.000000Z", u, c).await,
        Some(opened.id)
    );
    assert_eq!(
        active("2026-12-04T13:59:59.999999Z", u, c).await,
        Some(opened.id)
    );
    assert_eq!(active("2026-12-04T14:00:00.000000Z", u, c).await, None);
    assert_eq!(active("2026-12-04T11:00:00.000000Z", u + 1, c).await, None);
    assert_eq!(active("2026-12-04T11:00:00.000000Z", u, c + 1).await, None);

    let listed = store
        .list_break_glass(&BreakGlassFilter {
            user: Some("bg@test.example".into()),
            limit: 10,
            ..BreakGlassFilter::default()
        })
        .await
        .unwrap();
    assert_eq!(listed, [opened]);
    let entries = store.audit_entries().await.unwrap();
    let entry = entries.last().unwrap();
    assert_eq!(entry.event.action, "break_glass");
    assert_eq!(
        entry.event.client.as_deref(),
        Some(seeded.client.pseudonym.to_string().as_str())
    );
    assert!(entry.event.detail.contains("akut inläggning på natten"));
}

async fn many_audit_entries_are_appended_in_order_and_verify(store: &dyn Store) {
    let events: Vec<AuditEvent> = (0..3)
        .map(|n| AuditEvent::new(&actor(), "case.list", format!("unit:{n}"), Outcome::Allowed))
        .collect();
    let written = store.append_audit_many(&events).await.unwrap();
    assert_eq!(written.iter().map(|e| e.id).collect::<Vec<_>>(), [1, 2, 3]);
    let verdict = evident_store::audit::verify_audit_trail(store, Vec::new())
        .await
        .unwrap()
        .map(|s| s.entries);
    assert_eq!(verdict, Ok(3));
}
