use crate::{command, evident, stderr, stdout};
use std::io::Write;
use std::process::Stdio;

fn db_url(dir: &std::path::Path) -> String {
    format!("sqlite:{}", dir.join("evident.db").display())
}

/// A small demo database in `dir` (40 clients), as its URL.
fn small_demo(dir: &std::path::Path) -> String {
    let url = db_url(dir);
    let demo = evident(
        dir,
        &[
            "demo",
            "--seed",
            "5",
            "--clients",
            "40",
            "--database-url",
            &url,
        ],
    );
    assert!(demo.status.success(), "{}", stderr(&demo));
    url
}

#[test]
fn users_are_added_granted_revoked_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let url = db_url(dir.path());
    let mut child = command(
        dir.path(),
        &[
            "users",
            "add",
            "--email",
            "Anna@Kommun.example",
            "--name",
            "Anna Berg",
            "--role",
            "practitioner",
            "--org",
            "0380",
            "--database-url",
            &url,
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    let added = child.wait_with_output().unwrap();
    assert!(added.status.success(), "{}", stderr(&added));
    assert!(
        stdout(&added).contains("practitioner on 0380"),
        "{}",
        stdout(&added)
    );
    assert!(
        !stdout(&added).contains("Password"),
        "a piped password is not echoed"
    );

    let granted = evident(
        dir.path(),
        &[
            "users",
            "grant",
            "--email",
            "anna@kommun.example",
            "--role",
            "auditor",
            "--org",
            "SE",
            "--database-url",
            &url,
        ],
    );
    assert!(granted.status.success(), "{}", stderr(&granted));
    let listed = evident(dir.path(), &["users", "list", "--database-url", &url]);
    let text = stdout(&listed);
    assert!(
        text.contains("anna@kommun.example")
            && text.contains("practitioner@0380")
            && text.contains("auditor@SE"),
        "{text}"
    );

    let revoked = evident(
        dir.path(),
        &[
            "users",
            "revoke",
            "--email",
            "anna@kommun.example",
            "--role",
            "practitioner",
            "--org",
            "0380",
            "--database-url",
            &url,
        ],
    );
    assert!(revoked.status.success(), "{}", stderr(&revoked));
    assert!(
        !stdout(&evident(
            dir.path(),
            &["users", "list", "--database-url", &url]
        ))
        .contains("practitioner@0380")
    );

    let wrong_level = evident(
        dir.path(),
        &[
            "users",
            "grant",
            "--email",
            "anna@kommun.example",
            "--role",
            "regional_leader",
            "--org",
            "0380",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(wrong_level.status.code(), Some(1));
    assert!(
        stderr(&wrong_level).contains("regional_leader is granted on a county"),
        "{}",
        stderr(&wrong_level)
    );
    let unknown = evident(
        dir.path(),
        &[
            "users",
            "grant",
            "--email",
            "nobody@kommun.example",
            "--role",
            "auditor",
            "--org",
            "SE",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        stderr(&unknown).contains("no user has the e-mail address"),
        "{}",
        stderr(&unknown)
    );
    let bad_role = evident(
        dir.path(),
        &[
            "users",
            "grant",
            "--email",
            "anna@kommun.example",
            "--role",
            "root",
            "--org",
            "SE",
            "--database-url",
            &url,
        ],
    );
    assert!(
        stderr(&bad_role).contains("the roles are practitioner"),
        "{}",
        stderr(&bad_role)
    );
}

#[test]
fn a_generated_password_is_printed_once_and_tokens_are_printed_once() {
    let dir = tempfile::tempdir().unwrap();
    let url = db_url(dir.path());
    let added = command(
        dir.path(),
        &[
            "users",
            "add",
            "--email",
            "per@kommun.example",
            "--name",
            "Per",
            "--role",
            "admin",
            "--org",
            "SE",
            "--database-url",
            &url,
        ],
    )
    .stdin(Stdio::null())
    .output()
    .unwrap();
    assert!(added.status.success(), "{}", stderr(&added));
    let text = stdout(&added);
    let password = text
        .lines()
        .find_map(|l| l.strip_prefix("Password (shown once, hand it over securely): "))
        .unwrap_or_else(|| panic!("{text}"));
    assert_eq!(password.len(), 20);

    let token = evident(
        dir.path(),
        &[
            "tokens",
            "create",
            "--email",
            "per@kommun.example",
            "--expires-days",
            "7",
            "--database-url",
            &url,
        ],
    );
    assert!(token.status.success(), "{}", stderr(&token));
    let secret = stdout(&token).trim().to_owned();
    assert!(secret.starts_with("evt_") && secret.len() == 68, "{secret}");
    let raw = std::fs::read(dir.path().join("evident.db")).unwrap();
    let wal = std::fs::read(dir.path().join("evident.db-wal")).unwrap_or_default();
    let contains =
        |hay: &[u8], needle: &str| hay.windows(needle.len()).any(|w| w == needle.as_bytes());
    assert!(
        !contains(&raw, &secret) && !contains(&wal, &secret),
        "the token itself is never stored"
    );
    assert!(
        !contains(&raw, password) && !contains(&wal, password),
        "the password itself is never stored"
    );
    let too_long = evident(
        dir.path(),
        &[
            "tokens",
            "create",
            "--email",
            "per@kommun.example",
            "--expires-days",
            "999",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(too_long.status.code(), Some(1));
}

#[test]
fn audit_verify_passes_untouched_and_names_the_entry_changed_with_sql() {
    let dir = tempfile::tempdir().unwrap();
    let url = small_demo(dir.path());
    let ok = evident(dir.path(), &["audit", "verify", "--database-url", &url]);
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("intact"), "{}", stdout(&ok));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        sqlx::query("drop trigger audit_event_no_update")
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query("update audit_event set detail = 'nothing happened' where id = 7")
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    });
    let broken = evident(dir.path(), &["audit", "verify", "--database-url", &url]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stderr(&broken).contains("audit entry 7"),
        "{}",
        stderr(&broken)
    );
}

/// The attack the checkpoint exists for, end to end: with a checkpoint kept outside the
/// database, deleting the newest entries and rolling the head back is caught; without one,
/// the consistent remainder verifies (and says so only for what it checked).
#[test]
fn audit_checkpoints_catch_a_rolled_back_trail() {
    let dir = tempfile::tempdir().unwrap();
    let url = small_demo(dir.path());
    let kept = dir.path().join("checkpoints.jsonl");
    let kept_arg = kept.to_str().unwrap();
    for _ in 0..2 {
        let taken = evident(
            dir.path(),
            &[
                "audit",
                "checkpoint",
                "--out",
                kept_arg,
                "--database-url",
                &url,
            ],
        );
        assert!(taken.status.success(), "{}", stderr(&taken));
    }
    let printed = evident(dir.path(), &["audit", "checkpoint", "--database-url", &url]);
    assert!(
        stdout(&printed).contains("evident-audit-checkpoint/1"),
        "{}",
        stdout(&printed)
    );
    assert_eq!(std::fs::read_to_string(&kept).unwrap().lines().count(), 2);
    let ok = evident(
        dir.path(),
        &[
            "audit",
            "verify",
            "--checkpoint",
            kept_arg,
            "--database-url",
            &url,
        ],
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    assert!(stdout(&ok).contains("2 checkpoints"), "{}", stdout(&ok));

    let runtime = tokio::runtime::Runtime::new().unwrap();
    let last = runtime.block_on(async {
        let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
        let (last,): (i64,) = sqlx::query_as("select last_id from audit_head")
            .fetch_one(&pool)
            .await
            .unwrap();
        for sql in [
            "drop trigger audit_event_no_delete",
            "drop trigger audit_head_forward_only",
            "delete from audit_event where id > (select last_id - 3 from audit_head)",
            "update audit_head set last_id = last_id - 3, \
             last_hash = (select hash from audit_event where id = audit_head.last_id - 3)",
        ] {
            sqlx::query(sqlx::AssertSqlSafe(sql))
                .execute(&pool)
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"));
        }
        pool.close().await;
        last
    });
    let alone = evident(dir.path(), &["audit", "verify", "--database-url", &url]);
    assert!(alone.status.success(), "{}", stderr(&alone));
    let caught = evident(
        dir.path(),
        &[
            "audit",
            "verify",
            "--checkpoint",
            kept_arg,
            "--database-url",
            &url,
        ],
    );
    assert_eq!(caught.status.code(), Some(1), "{}", stdout(&caught));
    assert!(
        stderr(&caught).contains(&format!("audit entry {last}"))
            && stderr(&caught).contains("rolled back"),
        "{}",
        stderr(&caught)
    );

    // A checkpoint edited to match the rolled-back trail no longer verifies.
    let edited = std::fs::read_to_string(&kept)
        .unwrap()
        .replace(&format!("\"id\":{last}"), &format!("\"id\":{}", last - 3));
    std::fs::write(&kept, edited).unwrap();
    let refused = evident(
        dir.path(),
        &[
            "audit",
            "verify",
            "--checkpoint",
            kept_arg,
            "--database-url",
            &url,
        ],
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("line 1: the signature does not match"),
        "{}",
        stderr(&refused)
    );
}

/// The audit key file: created private when missing, refused when others may read it, and a
/// database sealed under one key is not written under another.
#[test]
fn the_audit_key_file_is_private_and_must_be_the_trails() {
    use std::os::unix::fs::PermissionsExt as _;
    let dir = tempfile::tempdir().unwrap();
    let url = db_url(dir.path());
    let fresh = dir.path().join("fresh.key");
    let created = evident(
        dir.path(),
        &[
            "users",
            "list",
            "--database-url",
            &url,
            "--audit-key-file",
            fresh.to_str().unwrap(),
        ],
    );
    assert!(created.status.success(), "{}", stderr(&created));
    let mode = std::fs::metadata(&fresh).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let added = evident(
        dir.path(),
        &[
            "users",
            "add",
            "--email",
            "a@kommun.example",
            "--name",
            "A",
            "--role",
            "admin",
            "--org",
            "SE",
            "--database-url",
            &url,
            "--audit-key-file",
            fresh.to_str().unwrap(),
        ],
    );
    assert!(added.status.success(), "{}", stderr(&added));

    let other = dir.path().join("other.key");
    let wrong = evident(
        dir.path(),
        &[
            "users",
            "list",
            "--database-url",
            &url,
            "--audit-key-file",
            other.to_str().unwrap(),
        ],
    );
    assert_eq!(wrong.status.code(), Some(1));
    assert!(
        stderr(&wrong).contains("was last written under audit key"),
        "{}",
        stderr(&wrong)
    );
    assert!(
        !other.exists(),
        "a key nothing was sealed with is not left behind"
    );

    std::fs::set_permissions(&fresh, std::fs::Permissions::from_mode(0o644)).unwrap();
    let open = evident(
        dir.path(),
        &[
            "users",
            "list",
            "--database-url",
            &url,
            "--audit-key-file",
            fresh.to_str().unwrap(),
        ],
    );
    assert_eq!(open.status.code(), Some(1));
    assert!(
        stderr(&open).contains("may be read by others"),
        "{}",
        stderr(&open)
    );
}

#[test]
fn a_user_is_disabled_and_enabled_by_email_and_the_list_shows_it() {
    let dir = tempfile::tempdir().unwrap();
    let url = db_url(dir.path());
    let mut child = command(
        dir.path(),
        &[
            "users",
            "add",
            "--email",
            "eva@kommun.example",
            "--name",
            "Eva",
            "--role",
            "auditor",
            "--org",
            "SE",
            "--database-url",
            &url,
        ],
    )
    .stdin(Stdio::piped())
    .stdout(Stdio::piped())
    .stderr(Stdio::piped())
    .spawn()
    .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"a long enough password\n")
        .unwrap();
    assert!(child.wait_with_output().unwrap().status.success());

    let disabled = evident(
        dir.path(),
        &[
            "users",
            "disable",
            "eva@kommun.example",
            "--database-url",
            &url,
        ],
    );
    assert!(disabled.status.success(), "{}", stderr(&disabled));
    let listed = stdout(&evident(
        dir.path(),
        &["users", "list", "--database-url", &url],
    ));
    assert!(listed.contains("(disabled)"), "{listed}");

    let enabled = evident(
        dir.path(),
        &[
            "users",
            "enable",
            "eva@kommun.example",
            "--database-url",
            &url,
        ],
    );
    assert!(enabled.status.success(), "{}", stderr(&enabled));
    let listed = stdout(&evident(
        dir.path(),
        &["users", "list", "--database-url", &url],
    ));
    assert!(!listed.contains("(disabled)"), "{listed}");

    let unknown = evident(
        dir.path(),
        &[
            "users",
            "disable",
            "nobody@kommun.example",
            "--database-url",
            &url,
        ],
    );
    assert_eq!(unknown.status.code(), Some(1));
}
