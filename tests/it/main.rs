//! rolesmith's integration tests, in one test binary (`cargo test --test it`): one module per
//! area, all sharing [`support`]. A test's path is `<module>::<test>`, so
//! `cargo test --test it plan_golden::` runs one area and
//! `cargo test --test it aws_account::drift_` the tests whose names start so.
//!
//! One binary links the crate and its dependencies once, where a binary per area linked them
//! once per area (docs/BENCHMARKS.md, "Test build and run time"). Snapshots live in
//! `tests/it/snapshots/`, named `it__<module>__<name>.snap`.
//!
//! Every module runs in one process, so mind what is process-wide when adding tests:
//! - [`fuzz`] installs the binary's `#[global_allocator]`, a counting wrapper around the system
//!   allocator. It counts per thread (each test runs on its own thread), so other tests running
//!   at the same time do not disturb the fuzz memory budgets; elsewhere it only costs a
//!   thread-local update per allocation.
//! - No test may change the process's environment or working directory: tests run in parallel
//!   threads of one process. Configure each child command instead (see [`support`]).

mod support;

mod architecture;
mod aws_account;
mod aws_ec2;
mod aws_errors;
mod aws_fleet;
mod aws_import;
mod aws_policies;
mod aws_providers;
mod cli;
mod cli_docs;
mod codes;
mod diagnostics_regressions;
mod expiry;
mod faults;
mod fleet_offline;
mod fleet_saved_plans;
mod fuzz;
mod gitops;
mod gitops_offline;
mod idempotency;
mod import;
mod import_regressions;
mod init;
mod interrupts;
mod invalid_manifests;
mod lint;
mod loud_manifests;
mod packaging;
mod plan_golden;
mod pr_comment;
mod progress;
mod readme;
mod regressions;
mod schema;
mod show;
mod target;
mod unused_access;
