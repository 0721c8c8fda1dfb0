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

/// The `evident` command, ready to run in `dir`.
pub fn command(dir: &Path, args: &[&str]) -> Command {
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
