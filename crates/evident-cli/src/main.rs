//! The `evident` binary: parses the command line, sets up logging and runs the command.
#![forbid(unsafe_code)]

use clap::Parser;
use std::process::ExitCode;

/// mimalloc rather than glibc's malloc: under load the server frees on the async workers what
/// sqlx's SQLite threads allocated, and glibc's arenas then contend on their locks (a unit's
/// follow-up table went from 63 to … requests a second; bench/README.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = evident_cli::Cli::parse();
    evident_cli::init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("error: cannot start the async runtime: {e}");
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(evident_cli::run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            eprintln!("error: {failure}");
            ExitCode::from(failure.exit_code())
        }
    }
}
