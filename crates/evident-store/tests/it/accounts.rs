use crate::{actor, contract, seed};
use evident_core::OrgCode;
use evident_core::access::account::NewUser;
use evident_core::access::credentials::FREE_LOGIN_FAILURES;
use evident_core::access::throttle::{Admission, ThrottlePolicy};
use evident_core::access::{Grant, Role};
use evident_core::text::Email;
use evident_store::audit::timestamp_text;
use evident_store::{StorageError, Store};
use std::sync::Arc;

fn grant(role: Role, org: &str) -> Grant {
    Grant::try_new(role, OrgCode::parse(org).unwrap()).unwrap()
}

fn later(seconds: i64) -> String {
    timestamp_text(chrono::Utc::now() + chrono::Duration::seconds(seconds))
}

contract!(
    users_hold_grants_and_an_email_address_is_taken_once,
    sessions_are_found_by_digest_until_they_expire_idle_or_end,
    a_password_change_revokes_tokens_and_ends_other_sessions,
    access_tokens_work_until_revoked_or_expired,
    repeated_login_failures_lock_the_account_for_a_bounded_time,
    expired_sessions_and_stale_throttle_rows_are_pruned,
    a_disabled_user_loses_sessions_and_tokens_until_enabled,
    a_grant_request_takes_effect_only_when_someone_else_approves_it,
);

fn acting(user_id: i64) -> evident_core::access::audit::Actor {
    evident_core::access::audit::Actor {
        user_id: Some(user_id),
        label: format!("user{user_id}@test.example"),
        address: None,
    }
}

async fn a_grant_request_takes_effect_only_when_someone_else_approves_it(store: &dyn Store) {
    let new = |email: &str| NewUser::parse(email, "Test", None).unwrap();
    let a = store
        .create_user(
            &new("a@test.example"),
            &[grant(Role::Admin, "03")],
            &actor(),
        )
        .await
        .unwrap();
    let b = store
        .create_user(
            &new("b@test.example"),
            &[grant(Role::Admin, "03")],
            &actor(),
        )
        .await
        .unwrap();
    let (x, pending) = store
        .create_user_requesting(
            &new("x@test.example"),
            &grant(Role::Practitioner, "0380"),
            &acting(a.id),
        )
        .await
        .unwrap();
    assert!(x.grants.is_empty());
    assert_eq!(pending.requested_by, Some(a.id));
    assert_eq!(store.pending_grants().await.unwrap(), vec![pending.clone()]);
    let again = store
        .request_grant(x.id, &grant(Role::Practitioner, "0380"), &acting(b.id))
        .await
        .unwrap_err();
    assert!(
        matches!(again, StorageError::Conflict { field: "grant" }),
        "{again:?}"
    );

    // Whatever the caller checked, the store does not let the requester or the grantee approve.
    for who in [a.id, x.id] {
        let refused = store
            .decide_grant_request(pending.id, true, &acting(who))
            .await
            .unwrap_err();
        assert!(matches!(refused, StorageError::NotFound(_)), "{refused:?}");
    }
    assert!(store.get_user(x.id).await.unwrap().grants.is_empty());
    store
        .decide_grant_request(pending.id, true, &acting(b.id))
        .await
        .unwrap();
    assert_eq!(
        store.get_user(x.id).await.unwrap().grants,
        vec![grant(Role::Practitioner, "0380")]
    );
    assert!(store.pending_grants().await.unwrap().is_empty());
    assert!(matches!(
        store.get_pending_grant(pending.id).await,
        Err(StorageError::NotFound(_))
    ));

    // A rejected request grants nothing and cannot be approved afterwards.
    let other = store
        .request_grant(x.id, &grant(Role::UnitManager, "0380"), &acting(a.id))
        .await
        .unwrap();
    store
        .decide_grant_request(other.id, false, &acting(b.id))
        .await
        .unwrap();
    assert!(
        store
            .decide_grant_request(other.id, true, &acting(b.id))
            .await
            .is_err()
    );
    assert_eq!(store.get_user(x.id).await.unwrap().grants.len(), 1);
    let actions: Vec<_> = store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .filter(|a| a.starts_with("grant."))
        .collect();
    assert_eq!(
        actions,
        [
            "grant.add",
            "grant.add",
            "grant.request",
            "grant.approve",
            "grant.request",
            "grant.reject"
        ]
    );
    // A request for a grant already held is a conflict.
    let held = store
        .request_grant(x.id, &grant(Role::Practitioner, "0380"), &acting(a.id))
        .await
        .unwrap_err();
    assert!(
        matches!(held, StorageError::Conflict { field: "grant" }),
        "{held:?}"
    );
}

async fn users_hold_grants_and_an_email_address_is_taken_once(store: &dyn Store) {
    let anna = NewUser::parse(
        "Anna.Berg@Kommun.example",
        "Anna Berg",
        Some("$argon2id$fake".into()),
    )
    .unwrap();
    let created = store.create_user(&anna, &[], &actor()).await.unwrap();
    assert_eq!(created.email.as_str(), "anna.berg@kommun.example");
    let again = store.create_user(&anna, &[], &actor()).await.unwrap_err();
    assert!(
        matches!(again, StorageError::Conflict { field: "email" }),
        "{again:?}"
    );

    store
        .add_grant(created.id, &grant(Role::Practitioner, "0380"), &actor())
        .await
        .unwrap();
    store
        .add_grant(created.id, &grant(Role::Admin, "03"), &actor())
        .await
        .unwrap();
    let twice = store
        .add_grant(created.id, &grant(Role::Admin, "03"), &actor())
        .await
        .unwrap_err();
    assert!(
        matches!(twice, StorageError::Conflict { field: "grant" }),
        "{twice:?}"
    );
    let nowhere = store
        .add_grant(created.id, &grant(Role::Admin, "0999"), &actor())
        .await
        .unwrap_err();
    assert!(matches!(nowhere, StorageError::NotFound(_)), "{nowhere:?}");

    let email = Email::parse("email", "anna.berg@kommun.example").unwrap();
    let (found, hash) = store.find_user_by_email(&email).await.unwrap().unwrap();
    assert_eq!(hash.as_deref(), Some("$argon2id$fake"));
    assert_eq!(
        found.grants,
        vec![grant(Role::Practitioner, "0380"), grant(Role::Admin, "03")]
    );

    store
        .remove_grant(created.id, &grant(Role::Practitioner, "0380"), &actor())
        .await
        .unwrap();
    assert_eq!(
        store.get_user(created.id).await.unwrap().grants,
        vec![grant(Role::Admin, "03")]
    );
    assert!(matches!(
        store
            .remove_grant(created.id, &grant(Role::Practitioner, "0380"), &actor())
            .await,
        Err(StorageError::NotFound(_))
    ));
    store
        .set_password(created.id, "$argon2id$other", None, &actor())
        .await
        .unwrap();
    assert_eq!(
        store
            .find_user_by_email(&email)
            .await
            .unwrap()
            .unwrap()
            .1
            .as_deref(),
        Some("$argon2id$other")
    );
    assert_eq!(store.list_users().await.unwrap().len(), 1);
    assert!(matches!(
        store.get_user(999).await,
        Err(StorageError::NotFound(_))
    ));
}

async fn sessions_are_found_by_digest_until_they_expire_idle_or_end(store: &dyn Store) {
    let user = seed(store)
        .user("per@kommun.example", "Per", None, &[])
        .await;
    let now = later(0);
    let idle_since = later(-1800);
    for (digest, csrf, expires, seen) in [
        ("digest-live", "csrf-1", later(3600), later(-60)),
        ("digest-old", "csrf-2", later(-1), later(-60)),
        ("digest-other", "csrf-3", later(3600), later(-60)),
        ("digest-idle", "csrf-4", later(3600), later(-1801)),
    ] {
        store
            .create_session(user.id, digest, csrf, &expires, &seen)
            .await
            .unwrap();
    }
    let find = |digest: &'static str| {
        let (now, idle_since) = (now.clone(), idle_since.clone());
        async move { store.find_session(digest, &now, &idle_since).await.unwrap() }
    };
    let live = find("digest-live").await.unwrap();
    assert_eq!(
        (live.user.id, live.csrf_token.as_str()),
        (user.id, "csrf-1")
    );
    assert!(find("digest-old").await.is_none(), "expired");
    assert!(find("digest-idle").await.is_none(), "idle too long");
    assert!(find("nope").await.is_none());
    store.touch_session("digest-live", &now).await.unwrap();
    assert_eq!(find("digest-live").await.unwrap().last_seen_at, now);
    let someone_else = seed(store)
        .user("eva@kommun.example", "Eva", None, &[])
        .await;
    store
        .create_session(someone_else.id, "digest-eva", "csrf-5", &later(3600), &now)
        .await
        .unwrap();
    let ended = store
        .delete_other_sessions(user.id, Some("digest-live"), &actor())
        .await
        .unwrap();
    assert_eq!(
        ended, 1,
        "the expired and idle ones went when they were looked up"
    );
    assert!(find("digest-other").await.is_none());
    assert!(find("digest-live").await.is_some(), "the one asking stays");
    assert!(find("digest-eva").await.is_some(), "another user's stays");
    let audited = store.audit_entries().await.unwrap();
    let entry = audited
        .iter()
        .find(|e| e.event.action == "logout.others")
        .expect("audited");
    assert_eq!(entry.event.record, format!("user:{}", user.id));
    assert!(
        entry.event.detail.contains("ended 1 other"),
        "{}",
        entry.event.detail
    );
    store.delete_session("digest-live").await.unwrap();
    assert!(find("digest-live").await.is_none());
}

async fn a_password_change_revokes_tokens_and_ends_other_sessions(store: &dyn Store) {
    let user = seed(store)
        .user("ida@kommun.example", "Ida", None, &[])
        .await;
    let other = seed(store)
        .user("olle@kommun.example", "Olle", None, &[])
        .await;
    for (owner, digest) in [(user.id, "t-1"), (user.id, "t-2"), (other.id, "t-3")] {
        store
            .create_token(owner, "script", digest, &later(86_400), &actor())
            .await
            .unwrap();
    }
    for (owner, digest) in [
        (user.id, "s-here"),
        (user.id, "s-there"),
        (other.id, "s-olle"),
    ] {
        store
            .create_session(owner, digest, "csrf", &later(3600), &later(0))
            .await
            .unwrap();
    }
    let ended = store
        .set_password(user.id, "$argon2id$new", Some("s-here"), &actor())
        .await
        .unwrap();
    assert_eq!((ended.tokens, ended.sessions), (2, 1));
    assert!(store.find_token_user("t-1").await.unwrap().is_none());
    assert!(store.find_token_user("t-2").await.unwrap().is_none());
    assert!(
        store.find_token_user("t-3").await.unwrap().is_some(),
        "another user's token"
    );
    let (now, idle_since) = (later(0), later(-1800));
    let live = |digest: &'static str| {
        let (now, idle_since) = (now.clone(), idle_since.clone());
        async move {
            store
                .find_session(digest, &now, &idle_since)
                .await
                .unwrap()
                .is_some()
        }
    };
    assert!(live("s-here").await, "the session that changed it stays");
    assert!(!live("s-there").await);
    assert!(live("s-olle").await, "another user's session");
    let ended = store
        .set_password(user.id, "$argon2id$newer", None, &actor())
        .await
        .unwrap();
    assert_eq!(
        (ended.tokens, ended.sessions),
        (0, 1),
        "without a session to keep, all end"
    );
}

async fn access_tokens_work_until_revoked_or_expired(store: &dyn Store) {
    let user = seed(store)
        .user("eva@kommun.example", "Eva", None, &[])
        .await;
    let token = store
        .create_token(user.id, "report script", "t-live", &later(86_400), &actor())
        .await
        .unwrap();
    store
        .create_token(user.id, "old", "t-expired", &later(-5), &actor())
        .await
        .unwrap();
    assert_eq!(
        store.find_token_user("t-live").await.unwrap().unwrap().id,
        user.id
    );
    assert!(store.find_token_user("t-expired").await.unwrap().is_none());
    assert_eq!(store.list_tokens(user.id).await.unwrap().len(), 2);

    let stranger = seed(store).user("x@kommun.example", "X", None, &[]).await;
    assert!(matches!(
        store.revoke_token(stranger.id, token.id, &actor()).await,
        Err(StorageError::NotFound(_))
    ));
    store
        .revoke_token(user.id, token.id, &actor())
        .await
        .unwrap();
    assert!(store.find_token_user("t-live").await.unwrap().is_none());
    assert!(
        store.list_tokens(user.id).await.unwrap()[1]
            .revoked_at
            .is_some()
            || store.list_tokens(user.id).await.unwrap()[0]
                .revoked_at
                .is_some()
    );
    assert!(
        matches!(
            store.revoke_token(user.id, token.id, &actor()).await,
            Err(StorageError::NotFound(_))
        ),
        "revoked once"
    );
}

async fn repeated_login_failures_lock_the_account_for_a_bounded_time(store: &dyn Store) {
    let policy = ThrottlePolicy::default();
    let (account, address) = ("account:anna@kommun.example", "address:10.0.0.1");
    for _ in 0..FREE_LOGIN_FAILURES {
        let admitted = store.admit_login(account, address, &policy).await.unwrap();
        assert!(
            matches!(admitted, Admission::Proceed { .. }),
            "{admitted:?}"
        );
    }
    let Admission::Locked { until, audit } =
        store.admit_login(account, address, &policy).await.unwrap()
    else {
        panic!("locked after the free failures");
    };
    assert!(until > chrono::Utc::now() && timestamp_text(until) <= later(2));
    assert_eq!(audit, Some(1), "the first refusal is audited");
    let again = store.admit_login(account, address, &policy).await.unwrap();
    assert!(
        matches!(again, Admission::Locked { audit: None, .. }),
        "later refusals are only counted: {again:?}"
    );
    let other = store
        .admit_login("account:bo@kommun.example", address, &policy)
        .await
        .unwrap();
    assert!(
        matches!(other, Admission::Proceed { .. }),
        "another account from the same address is not locked: {other:?}"
    );
    assert_eq!(
        store.login_succeeded(account, address).await.unwrap(),
        1,
        "the unaudited refusal is reported"
    );
    let cleared = store.admit_login(account, address, &policy).await.unwrap();
    assert!(matches!(cleared, Admission::Proceed { .. }), "{cleared:?}");
}

async fn parallel_guesses_are_admitted_only_up_to_the_free_failures(store: Arc<dyn Store>) {
    let policy = ThrottlePolicy::default();
    let mut guesses = tokio::task::JoinSet::new();
    for n in 0..40 {
        let store = store.clone();
        let policy = policy.clone();
        guesses.spawn(async move {
            store
                .admit_login(
                    "account:anna@kommun.example",
                    &format!("address:10.0.0.{n}"),
                    &policy,
                )
                .await
                .unwrap()
        });
    }
    let admitted = guesses
        .join_all()
        .await
        .into_iter()
        .filter(|a| matches!(a, Admission::Proceed { .. }))
        .count();
    assert_eq!(admitted as i64, FREE_LOGIN_FAILURES);
}

async fn expired_sessions_and_stale_throttle_rows_are_pruned(store: &dyn Store) {
    let user = seed(store)
        .user("per@kommun.example", "Per", None, &[])
        .await;
    store
        .create_session(user.id, "digest-live", "csrf-1", &later(3600), &later(0))
        .await
        .unwrap();
    store
        .create_session(user.id, "digest-old", "csrf-2", &later(-1), &later(0))
        .await
        .unwrap();
    let policy = ThrottlePolicy::default();
    store
        .admit_login("account:per@kommun.example", "address:10.0.0.1", &policy)
        .await
        .unwrap();
    let now = chrono::Utc::now();
    let day = chrono::Duration::hours(24);
    let pruned = store.prune_expired(now, day).await.unwrap();
    assert_eq!((pruned.sessions, pruned.throttle_rows), (1, 0));
    assert!(
        store
            .find_session("digest-live", &later(0), &later(-1800))
            .await
            .unwrap()
            .is_some()
    );
    let pruned = store.prune_expired(now + day, day).await.unwrap();
    assert_eq!(
        (pruned.sessions, pruned.throttle_rows),
        (1, 2),
        "a day later the session has expired and both throttle rows are quiet"
    );
}

async fn a_disabled_user_loses_sessions_and_tokens_until_enabled(store: &dyn Store) {
    let user = seed(store)
        .user(
            "eva@kommun.example",
            "Eva",
            Some("$argon2id$fake".into()),
            &[],
        )
        .await;
    store
        .create_session(user.id, "digest-live", "csrf-1", &later(3600), &later(0))
        .await
        .unwrap();
    store
        .create_token(user.id, "script", "t-live", &later(86_400), &actor())
        .await
        .unwrap();
    store
        .set_user_disabled(user.id, true, &actor())
        .await
        .unwrap();
    assert!(store.get_user(user.id).await.unwrap().disabled);
    let email = Email::parse("email", "eva@kommun.example").unwrap();
    let (found, _) = store.find_user_by_email(&email).await.unwrap().unwrap();
    assert!(found.disabled, "sign-in can see it");
    assert!(
        store
            .find_session("digest-live", &later(0), &later(-1800))
            .await
            .unwrap()
            .is_none()
    );
    assert!(store.find_token_user("t-live").await.unwrap().is_none());
    // A session started in a race with the disabling is void too.
    store
        .create_session(user.id, "digest-race", "csrf-2", &later(3600), &later(0))
        .await
        .unwrap();
    assert!(
        store
            .find_session("digest-race", &later(0), &later(-1800))
            .await
            .unwrap()
            .is_none()
    );

    store
        .set_user_disabled(user.id, false, &actor())
        .await
        .unwrap();
    assert!(!store.get_user(user.id).await.unwrap().disabled);
    assert!(
        store.find_token_user("t-live").await.unwrap().is_none(),
        "revoked tokens stay revoked"
    );
    let actions: Vec<_> = store
        .audit_entries()
        .await
        .unwrap()
        .into_iter()
        .map(|e| e.event.action)
        .filter(|a| a.starts_with("user.") && a != "user.create")
        .collect();
    assert_eq!(actions, ["user.disable", "user.enable"]);
    assert!(matches!(
        store.set_user_disabled(999_999, true, &actor()).await,
        Err(StorageError::NotFound(_))
    ));
}

mod parallel_guesses_are_admitted_only_up_to_the_free_failures {
    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    async fn sqlite() {
        let db = evident_store::testing::TestDb::sqlite().await;
        super::parallel_guesses_are_admitted_only_up_to_the_free_failures(db.store.clone()).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 4)]
    #[ignore = "needs PostgreSQL (EVIDENT_TEST_POSTGRES_URL)"]
    async fn postgres() {
        let db = evident_store::testing::TestDb::postgres().await;
        super::parallel_guesses_are_admitted_only_up_to_the_free_failures(db.store.clone()).await;
    }
}
