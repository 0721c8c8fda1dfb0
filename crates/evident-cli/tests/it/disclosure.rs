//! `evident disclosure audit` on the demo: clean as published, and caught when a suppression
//! is undone in the database behind Evident's back.

use crate::{evident, stderr, stdout};
use evident_store::testing::TestDb;

/// The audit's count of exactly recoverable cells, from its report.
fn recoverable(report: &str) -> usize {
    report
        .lines()
        .find_map(|l| l.strip_prefix("exactly recoverable: "))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no count of recoverable cells in:\n{report}"))
}

/// Fills `url` with a small demo and audits it: exit 0, nothing recoverable.
fn demo_audits_clean(dir: &std::path::Path, url: &str) {
    let demo = evident(
        dir,
        &[
            "demo",
            "--seed",
            "5",
            "--clients",
            "300",
            "--database-url",
            url,
        ],
    );
    assert!(demo.status.success(), "{}", stderr(&demo));
    let audit = evident(dir, &["disclosure", "audit", "--database-url", url]);
    assert_eq!(
        audit.status.code(),
        Some(0),
        "{}{}",
        stdout(&audit),
        stderr(&audit)
    );
    assert_eq!(recoverable(&stdout(&audit)), 0, "{}", stdout(&audit));
}

#[tokio::test]
async fn the_demo_audits_clean_and_an_undone_suppression_is_caught() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("demo.db");
    let url = format!("sqlite:{}", path.display());
    demo_audits_clean(dir.path(), &url);
    let json = evident(
        dir.path(),
        &["disclosure", "audit", "--database-url", &url, "--json"],
    );
    let report: serde_json::Value = serde_json::from_slice(&json.stdout).expect("a JSON report");
    assert_eq!(report["recoverable"], 0);
    assert!(report["hidden"].as_u64().unwrap() > 0, "{report}");

    // Undo the suppression of one unit row after another (hidden to protect someone) until a
    // hidden cell elsewhere can be worked out: the audit must name it and fail.
    let pool = sqlx::SqlitePool::connect(&url).await.unwrap();
    let candidates: Vec<(String, String, String, String, i64)> = sqlx::query_as(
        r"
        select indicator_id, variant, period, node_code, suppressed
        from indicator_row
        where suppressed <> 0
          and node_code like '%-%'
        order by indicator_id, period, node_code, variant
        limit 12
        ",
    )
    .fetch_all(&pool)
    .await
    .unwrap();
    assert!(!candidates.is_empty(), "the demo hides unit cells");
    let mut caught = false;
    for (indicator, variant, period, node, mask) in candidates {
        let set = |mask: i64| {
            sqlx::query(
                r"
                update indicator_row
                set suppressed = $1
                where indicator_id = $2
                  and variant = $3
                  and period = $4
                  and node_code = $5
                ",
            )
            .bind(mask)
            .bind(indicator.clone())
            .bind(variant.clone())
            .bind(period.clone())
            .bind(node.clone())
        };
        set(0).execute(&pool).await.unwrap();
        let tampered = evident(dir.path(), &["disclosure", "audit", "--database-url", &url]);
        if tampered.status.code() == Some(1) {
            let out = stdout(&tampered);
            assert!(recoverable(&out) > 0, "{out}");
            assert!(
                out.lines()
                    .any(|l| l.starts_with("  EVI") && l.contains(" = ")),
                "a recoverable cell is named with its value:\n{out}"
            );
            assert!(
                stderr(&tampered).contains("can be worked out"),
                "{}",
                stderr(&tampered)
            );
            caught = true;
            break;
        }
        assert_eq!(tampered.status.code(), Some(0), "{}", stderr(&tampered));
        set(mask).execute(&pool).await.unwrap();
    }
    pool.close().await;
    assert!(
        caught,
        "undoing a unit row's suppression exposes a cell it protected"
    );
}

#[tokio::test]
#[ignore = "needs EVIDENT_TEST_POSTGRES_URL"]
async fn the_demo_on_postgres_audits_clean() {
    let db = TestDb::postgres().await;
    let url = db.url.expose().to_owned();
    let dir = tempfile::tempdir().unwrap();
    demo_audits_clean(dir.path(), &url);
}
