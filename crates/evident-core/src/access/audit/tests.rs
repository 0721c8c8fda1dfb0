//! Attacks on the chain: each is what someone with write access to the database but without
//! the audit key could do, and each must be named by the verifier.

use super::*;

fn key() -> AuditKey {
    AuditKey::parse("0f1e2d3c4b5a69788796a5b4c3d2e1f0").unwrap()
}

fn other_key() -> AuditKey {
    AuditKey::parse("attacker-chosen-key-of-enough-length").unwrap()
}

fn event(n: i64) -> AuditEvent {
    let actor = Actor {
        user_id: Some(3),
        label: "anna@kommun.example".into(),
        address: Some("10.0.0.7".into()),
    };
    AuditEvent::new(
        &actor,
        "unit.update",
        format!("unit:0380-{n:04}"),
        Outcome::Allowed,
    )
}

fn at(n: i64) -> String {
    format!("2026-11-22T10:00:{n:02}.000000Z")
}

/// Appends `n` entries sealed with `key` after `entries`.
fn extend(entries: &mut Vec<AuditEntry>, key: &AuditKey, n: i64) {
    for _ in 0..n {
        let id = entries.len() as i64 + 1;
        let prev = entries
            .last()
            .map_or(GENESIS_HASH.to_owned(), |e| e.hash.clone());
        entries.push(AuditEntry::seal(key, id, at(id), event(id), prev));
    }
}

fn trail(n: i64) -> Vec<AuditEntry> {
    let mut entries = Vec::new();
    extend(&mut entries, &key(), n);
    entries
}

/// An entry as written before the chain was keyed.
fn unkeyed(id: i64, prev_hash: String) -> AuditEntry {
    let event = event(id);
    let hash = event.unkeyed_chain_hash(id, &at(id), &prev_hash);
    AuditEntry {
        id,
        at: at(id),
        event,
        key_id: String::new(),
        prev_hash,
        hash,
    }
}

fn head(entries: &[AuditEntry]) -> Option<(i64, String)> {
    entries.last().map(|e| (e.id, e.hash.clone()))
}

fn verify(
    entries: &[AuditEntry],
    head: &Option<(i64, String)>,
) -> Result<ChainSummary, ChainBreak> {
    verify_chain(
        &key(),
        entries,
        head.as_ref().map(|(i, h)| (*i, h.as_str())),
    )
}

fn verify_with(
    entries: &[AuditEntry],
    checkpoints: Vec<Checkpoint>,
) -> Result<ChainSummary, ChainBreak> {
    let key = key();
    let mut verifier = ChainVerifier::new(&key, checkpoints);
    for entry in entries {
        verifier.push(entry)?;
    }
    let head = head(entries);
    verifier.finish(head.as_ref().map(|(i, h)| (*i, h.as_str())))
}

#[test]
fn an_untouched_trail_verifies() {
    let entries = trail(5);
    let summary = verify(&entries, &head(&entries)).unwrap();
    assert_eq!((summary.entries, summary.unkeyed), (5, 0));
    assert_eq!(verify(&[], &None).unwrap().entries, 0);
    assert_eq!(
        verify(&[], &Some((0, GENESIS_HASH.into())))
            .unwrap()
            .entries,
        0
    );
}

#[test]
fn an_edited_entry_is_named() {
    let mut entries = trail(5);
    let h = head(&entries);
    entries[2].event.detail = "nothing to see".into();
    let err = verify(&entries, &h).unwrap_err();
    assert_eq!(err.id, 3);
    assert!(
        err.problem.contains("changed after it was written"),
        "{err}"
    );
}

#[test]
fn rewriting_history_and_recomputing_the_hashes_without_the_key_is_caught() {
    // The attacker rewrites entry 2 and recomputes every later hash, as an unkeyed SHA-256
    // chain would let them, with the same key id copied over.
    let mut entries = trail(4);
    entries[1].event.record = "unit:0380-9999".into();
    for i in 1..entries.len() {
        let prev = entries[i - 1].hash.clone();
        let e = &mut entries[i];
        e.prev_hash = prev;
        e.hash = e.event.unkeyed_chain_hash(e.id, &e.at, &e.prev_hash);
    }
    let h = head(&entries);
    let err = verify(&entries, &h).unwrap_err();
    assert_eq!(err.id, 2);
    assert!(
        err.problem.contains("forged without the audit key"),
        "{err}"
    );

    // With a key of their own the hashes are MACs, but under another key id.
    let mut forged = trail(1);
    extend(&mut forged, &other_key(), 1);
    let h = head(&forged);
    let err = verify(&forged, &h).unwrap_err();
    assert_eq!(err.id, 2);
    assert!(err.problem.contains("not under the key given"), "{err}");

    // Claiming the real key's id does not help.
    let mut claimed = trail(1);
    extend(&mut claimed, &other_key(), 1);
    claimed[1].key_id = key().id();
    let h = head(&claimed);
    assert_eq!(verify(&claimed, &h).unwrap_err().id, 2);
}

#[test]
fn a_forged_entry_appended_with_the_head_moved_is_caught() {
    let mut entries = trail(3);
    let prev = entries[2].hash.clone();
    let forged = unkeyed(4, prev);
    entries.push(forged);
    let h = head(&entries);
    let err = verify(&entries, &h).unwrap_err();
    assert_eq!(err.id, 4);
    assert!(err.problem.contains("follows keyed entries"), "{err}");
}

#[test]
fn deleted_reordered_and_truncated_entries_are_named() {
    let entries = trail(5);
    let h = head(&entries);
    let mut deleted = entries.clone();
    deleted.remove(1);
    assert_eq!(verify(&deleted, &h).unwrap_err().id, 2);
    let mut swapped = entries.clone();
    swapped.swap(1, 2);
    assert_eq!(verify(&swapped, &h).unwrap_err().id, 2);
    let mut truncated = entries.clone();
    truncated.pop();
    let err = verify(&truncated, &h).unwrap_err();
    assert_eq!(err.id, 5);
    assert!(err.problem.contains("ends at entry 4"), "{err}");
    let err = verify(&entries, &None).unwrap_err();
    assert!(err.problem.contains("head is missing"), "{err}");
}

#[test]
fn entries_from_before_the_key_are_a_prefix_anchored_by_the_first_keyed_entry() {
    let mut entries = vec![unkeyed(1, GENESIS_HASH.into())];
    entries.push(unkeyed(2, entries[0].hash.clone()));
    extend(&mut entries, &key(), 2);
    let h = head(&entries);
    let summary = verify(&entries, &h).unwrap();
    assert_eq!((summary.entries, summary.unkeyed), (4, 2));

    // Rewriting an unkeyed entry and recomputing the unkeyed hashes breaks the keyed entry
    // that follows them.
    let mut rewritten = entries.clone();
    rewritten[0].event.detail = "rewritten".into();
    rewritten[0].hash = rewritten[0]
        .event
        .unkeyed_chain_hash(1, &rewritten[0].at, GENESIS_HASH);
    rewritten[1] = unkeyed(2, rewritten[0].hash.clone());
    let err = verify(&rewritten, &h).unwrap_err();
    assert_eq!(err.id, 3, "{err}");
}

#[test]
fn a_rollback_is_caught_by_an_earlier_checkpoint() {
    let key = key();
    let entries = trail(6);
    let checkpoint = Checkpoint::sign(&key, 6, &entries[5].hash, "2026-11-22T11:00:00Z");
    assert_eq!(
        verify_with(&entries, vec![checkpoint.clone()])
            .unwrap()
            .checkpoints,
        1
    );

    // Delete entries 5 and 6 and move the head back: consistent in itself.
    let rolled_back = entries[..4].to_vec();
    assert!(verify(&rolled_back, &head(&rolled_back)).is_ok());
    let err = verify_with(&rolled_back, vec![checkpoint.clone()]).unwrap_err();
    assert_eq!(err.id, 6);
    assert!(err.problem.contains("rolled back"), "{err}");

    // Roll back, then write new (genuine) entries past the checkpoint: entry 6 differs.
    let mut diverged = entries[..4].to_vec();
    for id in 5..=7 {
        let prev = diverged.last().unwrap().hash.clone();
        let mut ev = event(id);
        ev.detail = "after the rollback".into();
        diverged.push(AuditEntry::seal(&key, id, at(id), ev, prev));
    }
    let err = verify_with(&diverged, vec![checkpoint]).unwrap_err();
    assert_eq!(err.id, 6);
    assert!(err.problem.contains("differs from the checkpoint"), "{err}");
}

#[test]
fn checkpoints_cannot_be_altered_or_made_without_the_key() {
    let key = key();
    let good = Checkpoint::sign(&key, 3, "ab", "2026-11-22T11:00:00Z");
    good.verify(&key).unwrap();
    let mut moved = good.clone();
    moved.id = 2;
    assert_eq!(moved.verify(&key).unwrap_err().field, "mac");
    let foreign = Checkpoint::sign(&other_key(), 3, "ab", "2026-11-22T11:00:00Z");
    assert_eq!(foreign.verify(&key).unwrap_err().field, "key_id");
    let mut relabelled = foreign.clone();
    relabelled.key_id = key.id();
    assert_eq!(relabelled.verify(&key).unwrap_err().field, "mac");

    let log = format!("{}\n\n{}\n", good.to_line(), relabelled.to_line());
    let err = Checkpoint::parse_log(&log, &key).unwrap_err();
    assert!(err.problem.starts_with("line 3:"), "{err:?}");
    let err = Checkpoint::parse_log("{\"id\": 1}\n", &key).unwrap_err();
    assert!(
        err.problem.starts_with("line 1 is not a checkpoint"),
        "{err:?}"
    );
    let both = format!("{}\n{}\n", good.to_line(), good.to_line());
    assert_eq!(Checkpoint::parse_log(&both, &key).unwrap().len(), 2);
}

#[test]
fn fields_cannot_be_shifted_into_each_other() {
    let actor = Actor {
        user_id: None,
        label: "a".into(),
        address: None,
    };
    let key = key();
    let one = AuditEvent::new(&actor, "ab", "c", Outcome::Allowed);
    let two = AuditEvent::new(&actor, "a", "bc", Outcome::Allowed);
    assert_ne!(
        one.chain_hash(&key, 1, "t", GENESIS_HASH),
        two.chain_hash(&key, 1, "t", GENESIS_HASH)
    );
}

fn listing(clients: &[&str]) -> AuditEntry {
    let actor = Actor {
        user_id: Some(3),
        label: "anna@kommun.example".into(),
        address: None,
    };
    let event = AuditEvent::listing(
        &actor,
        "unit:0380-0001",
        clients.len() + 1,
        clients.iter().map(|c| (*c).to_owned()),
    );
    AuditEntry::seal(&key(), 1, at(1), event, GENESIS_HASH.to_owned())
}

#[test]
fn a_listing_names_each_client_once_in_its_detail() {
    let entry = listing(&["bb", "aa", "bb"]);
    assert_eq!(entry.event.action, LISTING_ACTION);
    assert_eq!(entry.event.detail, "4 cases; clients: aa bb");
    assert_eq!(entry.event.listed_clients(), ["aa", "bb"]);
    assert_eq!(listing(&[]).event.detail, "1 cases; clients:");
    assert!(listing(&[]).event.listed_clients().is_empty());
}

#[test]
fn only_a_listings_detail_names_listed_clients() {
    let mut reason = event(1).with_detail("urgent; clients: aa bb");
    assert!(reason.listed_clients().is_empty(), "not a listing");
    reason.action = LISTING_ACTION.into();
    assert_eq!(reason.listed_clients(), ["aa", "bb"]);
    let old = AuditEvent {
        action: LISTING_ACTION.into(),
        ..event(1).with_detail("3 cases")
    };
    assert!(
        old.listed_clients().is_empty(),
        "a listing from before names none"
    );
}

#[test]
fn listed_client_rows_added_or_deleted_are_named() {
    let entry = listing(&["aa", "bb"]);
    let rows =
        |clients: &[&str]| -> Vec<String> { clients.iter().map(|c| (*c).to_owned()).collect() };
    assert_eq!(verify_listed(&entry, &rows(&["bb", "aa"])), Ok(()));
    let added = verify_listed(&entry, &rows(&["aa", "bb", "cc"])).unwrap_err();
    assert_eq!(added.id, 1);
    assert!(
        added.problem.contains("client cc") && added.problem.contains("added"),
        "{added}"
    );
    let deleted = verify_listed(&entry, &rows(&["aa"])).unwrap_err();
    assert!(
        deleted.problem.contains("client bb") && deleted.problem.contains("deleted"),
        "{deleted}"
    );
    let twice = verify_listed(&entry, &rows(&["aa", "bb", "aa"])).unwrap_err();
    assert!(twice.problem.contains("twice"), "{twice}");
    let other = trail(1).pop().unwrap();
    assert_eq!(verify_listed(&other, &[]), Ok(()));
    assert!(
        verify_listed(&other, &rows(&["aa"])).is_err(),
        "no other entry lists clients"
    );
}
