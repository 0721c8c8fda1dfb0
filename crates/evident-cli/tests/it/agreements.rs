//! `evident agreements check` and `evident import agreement|disbursement` on the 2011 documents
//! and altered copies of them.

use crate::{evident, stderr, stdout};
use evident_store::DatabaseUrl;
use std::path::Path;

fn data(name: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/agreements");
    std::fs::read_to_string(root.join(name)).unwrap()
}

#[test]
fn check_reports_the_2011_documents_consistent_and_altered_copies_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let path = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(path("agreement.json"), data("agreement-2011.json")).unwrap();
    std::fs::write(path("decision.json"), data("disbursement-2011-03-24.json")).unwrap();
    for file in ["agreement.json", "decision.json"] {
        let out = evident(dir.path(), &["agreements", "check", &path(file)]);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        assert!(stdout(&out).contains("is consistent"), "{}", stdout(&out));
    }

    // An initiative changed by 1 öre and an area subtotal that is off: exactly those two.
    let altered = data("agreement-2011.json")
        .replace("\"amount_ore\": 2140000000}", "\"amount_ore\": 2140000001}")
        .replace(
            "{\"code\": \"3.4\", \"name\": \"Brukarmedverkan\"}",
            "{\"code\": \"3.4\", \"name\": \"Brukarmedverkan\", \"amount_ore\": 140000000}",
        );
    std::fs::write(path("altered.json"), altered).unwrap();
    let out = evident(dir.path(), &["agreements", "check", &path("altered.json")]);
    assert_eq!(out.status.code(), Some(1));
    let lines: Vec<String> = stdout(&out).lines().map(str::to_owned).collect();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines[0].ends_with(
        "ebp-2011: the stated total is 104 500 000 kr but the initiatives add up to 104 500 000,01 kr (difference 0,01 kr)"
    ), "{}", lines[0]);
    assert!(lines[1].ends_with(
        "ebp-2011: area 3.4's stated subtotal is 1 400 000 kr but its initiatives add up to 1 300 000 kr (difference −100 000 kr)"
    ), "{}", lines[1]);
    assert!(stderr(&out).contains("2 disagreements (nothing was written)"));

    // Bad input names the file and field.
    let bad = data("agreement-2011.json")
        .replace("\"total_ore\": 10450000000", "\"total_ore\": 104500000.5");
    std::fs::write(path("bad.json"), bad).unwrap();
    let out = evident(dir.path(), &["agreements", "check", &path("bad.json")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("bad.json: total_ore: 104500000.5 has decimals"),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn import_stores_the_agreement_then_the_decision_and_refuses_what_does_not_fit() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("evident.db");
    let url = format!("sqlite:{}", db.display());
    let path = |name: &str| dir.path().join(name).display().to_string();
    std::fs::write(path("agreement.json"), data("agreement-2011.json")).unwrap();
    std::fs::write(path("decision.json"), data("disbursement-2011-03-24.json")).unwrap();

    // The decision first: its agreement is unknown; nothing is written.
    let out = evident(
        dir.path(),
        &[
            "import",
            "disbursement",
            &path("decision.json"),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("import the agreement first"),
        "{}",
        stderr(&out)
    );

    let out = evident(
        dir.path(),
        &[
            "import",
            "agreement",
            &path("agreement.json"),
            "--database-url",
            &url,
            "--reason",
            "the signed agreement",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("imported agreement ebp-2011 (104 500 000 kr)"));
    let out = evident(
        dir.path(),
        &[
            "import",
            "disbursement",
            &path("decision.json"),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("(89 275 000 kr)"), "{}", stdout(&out));

    // The same decision again under another id takes more than remains: refused with the figures.
    let again = data("disbursement-2011-03-24.json")
        .replace("\"id\": \"S2011/986/FST-2011-03-24\"", "\"id\": \"again\"");
    std::fs::write(path("again.json"), again).unwrap();
    let out = evident(
        dir.path(),
        &[
            "import",
            "disbursement",
            &path("again.json"),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).contains("again.json: grants[0].lines[0].amount_ore: 22 500 000 kr is more than what remains of initiative 3.1.1 (0 kr of 22 500 000 kr, 22 500 000 kr already disbursed)"),
        "{}",
        stderr(&out)
    );
    let out = evident(
        dir.path(),
        &[
            "import",
            "agreement",
            &path("agreement.json"),
            "--database-url",
            &url,
        ],
    );
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already stored"));

    let store = evident_store::open(
        &DatabaseUrl::sqlite_file(&db),
        &evident_store::testing::test_audit_key(),
    )
    .await
    .unwrap();
    assert_eq!(store.list_disbursements(None).await.unwrap().len(), 1);
    let audit = store.audit_entries().await.unwrap();
    assert!(
        audit
            .iter()
            .any(|e| e.event.action == "agreement.import"
                && e.event.detail == "the signed agreement")
    );
    store.close().await;
}
