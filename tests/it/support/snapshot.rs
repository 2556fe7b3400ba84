//! Whole-command snapshots: a run of the `rolesmith` binary as one string (command line, exit
//! code, stdout, stderr) with the values that change from run to run replaced by placeholders,
//! to be pinned with `insta::assert_snapshot!`:
//!
//! ```ignore
//! insta::assert_snapshot!("validate-examples", snapshot::command(&["validate", "examples/manifests"]));
//! ```
//!
//! renders as
//!
//! ```text
//! $ rolesmith validate examples/manifests
//! exit code: 0
//! ----- stdout -----
//! 7 manifest(s) in 7 file(s) are valid.
//! ----- stderr -----
//! ```
//!
//! Placeholders ([`filter`]): `[ROOT]` the crate root, `[TEMP]` a temp dir (the first path
//! component under the system temp dir), `[SHA256]` a hex SHA-256 (plan and manifest digests,
//! `sha256:…`), `[DURATION]` a measured duration, `[PORT]` a loopback port. Durations are
//! fractional seconds (`1.5s`, `0.25 s`), any count of ms, µs or ns, and whole seconds written
//! with a space (`retrying in 2 s`); whole seconds without one are settings and stay
//! (`max session duration: 3600s`).
//!
//! Assert specific properties (no write calls, a file left unchanged) separately: a snapshot
//! pins what a user sees, not why it matters.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::LazyLock;

use assert_cmd::Command;
use regex_lite::Regex;

use super::{Run, finish, offline, root};

/// Runs the binary offline ([`offline`]: from the crate root, no colors) with `args`, stdin
/// empty, and renders the run with [`render`].
pub fn command(args: &[&str]) -> String {
    command_with(offline(), args, "")
}

/// Runs `cmd` (the binary, configured: another working directory, the moto environment, ...)
/// with `args` and `stdin`, and renders the run with [`render`].
pub fn command_with(cmd: Command, args: &[&str], stdin: &str) -> String {
    render(&finish(cmd, args, stdin))
}

/// One string holding a finished run: `$ rolesmith ARGS`, the exit code (`signal` when it was
/// killed), stdout and stderr, each under a header; a stream that does not end with a newline
/// gets a `\ no newline at end` line. Volatile values are replaced ([`filter`]).
pub fn render(run: &Run) -> String {
    let mut out = format!("$ rolesmith {}\n", run.args);
    match run.code {
        Some(code) => writeln!(out, "exit code: {code}").expect("write to a String"),
        None => out.push_str("exit code: signal\n"),
    }
    for (name, text) in [("stdout", &run.stdout), ("stderr", &run.stderr)] {
        writeln!(out, "----- {name} -----").expect("write to a String");
        out.push_str(text);
        if !text.is_empty() && !text.ends_with('\n') {
            out.push_str("\n\\ no newline at end\n");
        }
    }
    filter(&out)
}

/// Renders several runs (a session of commands) as one string, a blank line between runs.
pub fn session(runs: &[Run]) -> String {
    runs.iter().map(render).collect::<Vec<_>>().join("\n")
}

/// Replaces what differs from run to run or machine to machine with placeholders: the crate
/// root (`[ROOT]`), temp dirs (`[TEMP]`), hex SHA-256 digests (`[SHA256]`), durations
/// (`[DURATION]`) and loopback ports (`[PORT]`).
pub fn filter(text: &str) -> String {
    let mut out = replace_path(text, &root(), "[ROOT]");
    for (re, with) in FILTERS.iter() {
        out = re.replace_all(&out, *with).into_owned();
    }
    out
}

/// The filters after the crate root, in order: temp dirs, digests, durations (see the module
/// doc), ports.
static FILTERS: LazyLock<Vec<(Regex, &'static str)>> = LazyLock::new(|| {
    let temp = temp_dirs()
        .into_iter()
        .map(|dir| format!(r#"{}/[^/\s"'`:,;()\[\]]+"#, regex_lite::escape(&dir)))
        .map(|pattern| (pattern, "[TEMP]"));
    let fixed = [
        (r"\b[0-9a-f]{64}\b", "[SHA256]"),
        (r"\b[0-9]+\.[0-9]+\s?(?:ns|µs|us|ms|s)\b", "[DURATION]"),
        (r"\b[0-9]+\s?(?:ns|µs|us|ms)\b", "[DURATION]"),
        (r"\b[0-9]+ s\b", "[DURATION]"),
        (
            r"(127\.0\.0\.1|localhost|\[::1\]|0\.0\.0\.0):[0-9]+\b",
            "$1:[PORT]",
        ),
    ]
    .map(|(pattern, with)| (pattern.to_owned(), with));
    temp.chain(fixed)
        .map(|(pattern, with)| (Regex::new(&pattern).expect("filter pattern"), with))
        .collect()
});

/// The system temp dir as given and resolved (they differ where it is a symlink), longest
/// first so the resolved form wins where it contains the other.
fn temp_dirs() -> Vec<String> {
    let given = std::env::temp_dir();
    let mut dirs = vec![trimmed(&given)];
    if let Ok(resolved) = given.canonicalize() {
        dirs.push(trimmed(&resolved));
    }
    dirs.sort_by_key(|d| std::cmp::Reverse(d.len()));
    dirs.dedup();
    dirs
}

/// A path as text without a trailing `/`.
fn trimmed(path: &Path) -> String {
    path.display().to_string().trim_end_matches('/').to_owned()
}

/// `text` with every occurrence of `path` replaced by `with`.
fn replace_path(text: &str, path: &Path, with: &str) -> String {
    text.replace(&trimmed(path), with)
}

/// Each filter replaces what it should and leaves settings (`3600s`) alone.
#[test]
fn filter_replaces_only_volatile_values() {
    let temp = std::env::temp_dir().join(".tmpAb12Cd");
    let text = format!(
        "{root}/examples: {temp}/m/web.yaml:1:1\n\
         plan sha256:{hex} made in 1.25s (20ms, 3 µs)\n\
         retrying in 2 s; max session duration: 3600s\n\
         --endpoint-url http://127.0.0.1:45123/ and localhost:8080\n",
        root = root().display(),
        temp = temp.display(),
        hex = "0123456789abcdef".repeat(4),
    );
    assert_eq!(
        filter(&text),
        "[ROOT]/examples: [TEMP]/m/web.yaml:1:1\n\
         plan sha256:[SHA256] made in [DURATION] ([DURATION], [DURATION])\n\
         retrying in [DURATION]; max session duration: 3600s\n\
         --endpoint-url http://127.0.0.1:[PORT]/ and localhost:[PORT]\n"
    );
}
