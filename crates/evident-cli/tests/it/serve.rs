use crate::{command, evident, stderr};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::Stdio;

/// A minimal HTTP/1.1 GET over a plain socket; returns the status code and body.
fn get(addr: &str, path: &str) -> (u16, String) {
    let mut stream = TcpStream::connect(addr).unwrap();
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let status = response[9..12].parse().unwrap();
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    (status, body)
}

#[test]
fn serve_answers_http_and_stops_cleanly_on_sigterm() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command(dir.path(), &["serve", "--addr", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let banner = lines.next().unwrap().unwrap();
    let addr = banner
        .split("http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("no address in {banner:?}"))
        .to_owned();

    let (status, body) = get(&addr, "/api/v1/health");
    assert_eq!(status, 200);
    assert!(body.contains(r#"{"status":"ok"}"#), "{body}");
    assert!(
        dir.path().join("evident.db").is_file(),
        "serve uses ./evident.db by default"
    );

    let killed = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    let status = child.wait().unwrap();
    assert!(status.success(), "graceful shutdown exits 0, got {status}");
}

#[test]
fn a_database_that_cannot_be_opened_is_one_clear_sentence_and_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    let output = evident(
        dir.path(),
        &[
            "serve",
            "--database-url",
            "sqlite:/nonexistent-dir/x/evident.db",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("error: cannot open the SQLite database"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );

    refuses_unreachable_postgres_without_its_password(dir.path(), "--database-url");
}

/// `evident serve FLAG <an unreachable PostgreSQL URL with a password>` exits 1 saying it
/// cannot connect, and the password is nowhere in what it prints.
fn refuses_unreachable_postgres_without_its_password(dir: &std::path::Path, flag: &str) {
    let output = evident(
        dir,
        &[
            "serve",
            flag,
            "postgres://evident:secret@127.0.0.1:1/evident",
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(
        err.contains("cannot connect to the PostgreSQL database"),
        "{err}"
    );
    assert!(!err.contains("secret"), "the password leaked: {err}");
}

#[test]
fn an_unsupported_database_url_is_refused_before_anything_runs() {
    let dir = tempfile::tempdir().unwrap();
    let output = evident(
        dir.path(),
        &["serve", "--database-url", "mysql://root@localhost/x"],
    );
    assert!(!output.status.success());
    assert!(
        stderr(&output).contains("is not supported"),
        "{}",
        stderr(&output)
    );
    let created: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .filter(|name| name != "evident-audit.key")
        .collect();
    assert!(
        created.is_empty(),
        "nothing was created beside the test's key file: {created:?}"
    );
}

#[test]
fn flags_can_come_from_evident_environment_variables() {
    let dir = tempfile::tempdir().unwrap();
    let output = command(dir.path(), &["serve"])
        .env(
            "EVIDENT_DATABASE_URL",
            "sqlite:/nonexistent-dir/from-env.db",
        )
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(
        stderr(&output).contains("from-env.db"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn help_and_version_speak_to_a_newcomer() {
    let dir = tempfile::tempdir().unwrap();
    let help = evident(dir.path(), &["--help"]);
    let text = String::from_utf8_lossy(&help.stdout);
    for expected in [
        "evidence-based practice",
        "evident demo --serve",
        "serve",
        "demo",
    ] {
        assert!(
            text.contains(expected),
            "--help lacks {expected:?}:\n{text}"
        );
    }
    let serve_help = evident(dir.path(), &["serve", "--help"]);
    let text = String::from_utf8_lossy(&serve_help.stdout);
    assert!(
        text.contains("EVIDENT_DATABASE_URL") && text.contains("EVIDENT_ADDR"),
        "{text}"
    );
    let version = evident(dir.path(), &["--version"]);
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        format!("evident {}", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_read_database_that_cannot_be_read_is_refused_by_name_and_never_created() {
    let dir = tempfile::tempdir().unwrap();
    // A replica file that does not exist is not created (a read database is never written).
    let missing = dir.path().join("replica.db");
    let output = evident(
        dir.path(),
        &[
            "serve",
            "--read-database-url",
            &format!("sqlite:{}", missing.display()),
        ],
    );
    assert_eq!(output.status.code(), Some(1));
    let err = stderr(&output);
    assert!(err.contains("cannot open the SQLite database"), "{err}");
    assert!(
        err.contains("replica.db"),
        "the message names the file: {err}"
    );
    assert!(!missing.exists(), "the read database was created");

    // An unreachable replica's password never reaches the message.
    refuses_unreachable_postgres_without_its_password(dir.path(), "--read-database-url");
}
