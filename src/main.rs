//! The `rolesmith` binary: parse arguments, run, exit with the status the CLI chose.
//!
//! A usage error (unknown flag, bad value, no subcommand) exits 1, not clap's 2: under
//! `--detailed-exitcode` 2 means "changes present", and a CI gate must never read a typo as
//! changes. `--help` and `--version` exit 0.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    match rolesmith::cli::Cli::try_parse() {
        Ok(cli) => rolesmith::cli::run(cli).into(),
        Err(e) => {
            let _ = e.print();
            if e.use_stderr() {
                rolesmith::cli::ExitStatus::Failure.into()
            } else {
                rolesmith::cli::ExitStatus::Success.into()
            }
        }
    }
}
