//! The `rolesmith` binary: parse arguments, run, exit with the status the CLI chose.

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    rolesmith::cli::run(rolesmith::cli::Cli::parse()).into()
}
