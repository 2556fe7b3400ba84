//! Every manifest under `tests/fixtures/invalid/` is broken in one realistic way. For each one,
//! `rolesmith validate` must fail cleanly (exit 1, no panic), name `file:line:col` and a stable
//! code, and its rendered report is pinned by an insta snapshot. Directory fixtures (e.g.
//! `dup-across-files/`) are validated as a whole.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it invalid_manifests::`.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

use assert_cmd::Command;

const FIXTURES: &str = "tests/fixtures/invalid";

/// Fixtures in sorted order, as paths relative to the repository root.
fn fixtures() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut found: Vec<PathBuf> = std::fs::read_dir(root.join(FIXTURES))
        .expect("the fixtures directory exists")
        .map(|e| e.expect("readable directory entry").path())
        .filter(|p| p.is_dir() || p.extension().is_some_and(|x| x == "yaml" || x == "yml"))
        .map(|p| Path::new(FIXTURES).join(p.file_name().expect("entries have file names")))
        .collect();
    found.sort();
    found
}

fn name_of(fixture: &Path) -> String {
    fixture
        .file_stem()
        .expect("fixtures have names")
        .to_string_lossy()
        .into_owned()
}

fn validate(args: &[&str], fixture: &Path) -> std::process::Output {
    Command::cargo_bin("rolesmith")
        .expect("the rolesmith binary is built")
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .arg("validate")
        .args(args)
        .arg(fixture)
        .output()
        .expect("rolesmith runs")
}

/// The `FILE:LINE:COL: error [CODE]` header lines of a text report.
fn error_headers(stderr: &str) -> Vec<(String, usize, usize, String)> {
    stderr
        .lines()
        .filter_map(|line| {
            let (location, code) = line.split_once(": error [")?;
            let code = code.strip_suffix(']')?;
            let mut parts = location.rsplitn(3, ':');
            let column = parts.next()?.parse().ok()?;
            let line_no = parts.next()?.parse().ok()?;
            let file = parts.next()?.to_owned();
            Some((file, line_no, column, code.to_owned()))
        })
        .collect()
}

fn is_kebab_case(code: &str) -> bool {
    !code.is_empty()
        && !code.starts_with('-')
        && !code.ends_with('-')
        && !code.contains("--")
        && code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// Checks one fixture; panics (with the fixture named) on the first broken expectation.
fn check_fixture(fixture: &Path) {
    let name = name_of(fixture);
    let shown = fixture.display().to_string();

    // Text report.
    let out = validate(&[], fixture);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{name}: expected exit code 1 (invalid manifest)\nstdout:\n{stdout}\nstderr:\n{stderr}"
    );
    for text in [&stdout, &stderr] {
        assert!(
            !text.contains("panicked"),
            "{name}: rolesmith panicked:\n{text}"
        );
    }
    assert!(
        !stdout.contains("are valid"),
        "{name}: the manifest was accepted:\n{stdout}"
    );
    let headers = error_headers(&stderr);
    assert!(
        !headers.is_empty(),
        "{name}: no `FILE:LINE:COL: error [CODE]` line in:\n{stderr}"
    );
    for (file, line, column, code) in &headers {
        assert!(
            file.starts_with(&shown),
            "{name}: location names `{file}`, not the fixture `{shown}`"
        );
        assert!(
            *line > 0 && *column > 0,
            "{name}: location {file}:{line}:{column}"
        );
        assert!(
            is_kebab_case(code),
            "{name}: code `{code}` is not kebab-case"
        );
        assert!(
            stderr.contains(&format!("{file}:{line}:{column}")),
            "{name}: location missing"
        );
        assert!(
            stderr.contains(&format!("[{code}]")),
            "{name}: code missing"
        );
    }
    assert!(
        stderr.contains("help:"),
        "{name}: no `help:` line in:\n{stderr}"
    );
    insta::assert_snapshot!(name.as_str(), stderr);

    // JSON report: the same findings, with positions.
    let out = validate(&["--format", "json"], fixture);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(1),
        "{name}: --format json exit code"
    );
    assert!(
        !String::from_utf8_lossy(&out.stderr).contains("panicked"),
        "{name}: rolesmith panicked with --format json"
    );
    let json: serde_json::Value = serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("{name}: --format json is not JSON ({e}):\n{stdout}"));
    let findings = json.as_array().expect("a JSON array of diagnostics");
    let located_errors = findings
        .iter()
        .filter(|d| d["severity"] == "error")
        .filter(|d| {
            d["primary"]["location"]["line"]
                .as_u64()
                .is_some_and(|l| l > 0)
        })
        .count();
    assert!(
        located_errors >= 1,
        "{name}: no error with primary.location.line > 0 in:\n{stdout}"
    );
}

#[test]
fn every_invalid_manifest_is_rejected_with_a_located_report() {
    let fixtures = fixtures();
    assert!(
        fixtures.len() >= 30,
        "expected at least 30 invalid fixtures, found {}",
        fixtures.len()
    );
    // Check every fixture, then report all failures at once.
    let failures: Vec<String> = fixtures
        .iter()
        .filter(|f| catch_unwind(AssertUnwindSafe(|| check_fixture(f))).is_err())
        .map(|f| f.display().to_string())
        .collect();
    assert!(
        failures.is_empty(),
        "{} fixture(s) failed (see above): {failures:#?}",
        failures.len()
    );
}

/// Both declarations of a duplicated role are shown, whether in one file or two.
#[test]
fn duplicates_show_both_locations() {
    let out = validate(
        &[],
        Path::new("tests/fixtures/invalid/55-duplicate-role-in-file.yaml"),
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("55-duplicate-role-in-file.yaml:13:9: error [duplicate-role]"));
    assert!(stderr.contains("55-duplicate-role-in-file.yaml:5:9: first declared here"));

    let out = validate(&[], Path::new("tests/fixtures/invalid/dup-across-files"));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("dup-across-files/b.yaml:5:9: error [duplicate-role]"));
    assert!(stderr.contains("dup-across-files/a.yaml:4:9: first declared here"));
}

/// Errors in a later document of a multi-document file carry the file's own line numbers.
#[test]
fn later_documents_report_file_line_numbers() {
    for (fixture, expected) in [
        (
            "56-second-document-invalid.yaml",
            ":17:3: error [unknown-field]",
        ),
        (
            "57-second-document-invalid-value.yaml",
            ":18:23: error [invalid-max-session-duration]",
        ),
    ] {
        let out = validate(&[], &Path::new(FIXTURES).join(fixture));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains(&format!("{fixture}{expected}")),
            "{fixture}: expected `{expected}` in:\n{stderr}"
        );
    }
}
