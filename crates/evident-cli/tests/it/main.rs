//! End-to-end tests of the `evident` binary: real processes, real files, real HTTP.

mod accounts;
mod agreements;
mod browser;
mod demo;
mod disclosure;
mod export;
mod import;
mod serve;

use std::path::Path;
use std::process::{Command, Output};

/// Runs `evident` with `args` in `dir`, with no `EVIDENT_*` variables leaking in from the
/// environment of the test run.
pub fn evident(dir: &Path, args: &[&str]) -> Output {
    command(dir, args)
        .output()
        .expect("running the evident binary")
}

/// The `evident` command, ready to run in `dir`, with the audit key of the test databases in
/// `dir`'s default key file (so a test may open the same database in-process).
pub fn command(dir: &Path, args: &[&str]) -> Command {
    write_test_audit_key(dir);
    let mut command = Command::new(env!("CARGO_BIN_EXE_evident"));
    command.args(args).current_dir(dir).env("RUST_LOG", "warn");
    for (key, _) in std::env::vars() {
        if key.starts_with("EVIDENT_") {
            command.env_remove(key);
        }
    }
    command
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// Standard error as text.
pub fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Writes [`evident_store::testing::TEST_AUDIT_KEY`] to `dir/evident-audit.key` (mode 0600),
/// unless the file exists.
pub fn write_test_audit_key(dir: &Path) {
    use std::io::Write as _;
    use std::os::unix::fs::OpenOptionsExt as _;
    let path = dir.join("evident-audit.key");
    if path.exists() {
        return;
    }
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(&path)
        .and_then(|mut f| f.write_all(evident_store::testing::TEST_AUDIT_KEY.as_bytes()))
        .expect("writing the test audit key");
}
