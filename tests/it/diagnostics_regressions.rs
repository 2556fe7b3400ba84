//! Regression tests for how diagnostics are shown, each named after the problem it pins.
//!
//! These run the real binary on generated manifests because the problems were in what the user
//! sees (the rendered text, JSON and SARIF), not in which diagnostic the library produced.

use std::path::Path;

use assert_cmd::Command;

/// Most bytes the output of one `validate` run may have when a manifest holds one enormous
/// line: a few capped excerpts and messages, far below the line itself. For SARIF it applies to
/// the results; the rules table is the whole code registry whatever the input (about 20 KB).
const OUTPUT_BUDGET: usize = 10 * 1024;

/// Ten megabytes of one character, the size of the line that printed a 47 MB error.
fn ten_megabytes() -> String {
    "a".repeat(10 * 1024 * 1024)
}

const HEAD: &str = "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n";

/// Runs `rolesmith validate DIR --format FORMAT` and returns (exit code, stdout + stderr).
fn validate(dir: &Path, format: &str) -> (Option<i32>, String) {
    let out = Command::cargo_bin("rolesmith")
        .expect("the rolesmith binary is built")
        .current_dir(dir)
        .env("NO_COLOR", "1")
        .env_remove("CLICOLOR_FORCE")
        .env_remove("RUST_LOG")
        .env_remove("RUST_BACKTRACE")
        .args(["validate", ".", "--format", format])
        .output()
        .expect("rolesmith runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code(), text)
}

/// Writes `manifest` as `role.yaml` in a fresh directory and checks every output format: exit
/// 1, a short output, and still the file, line, column and code of the problem.
fn assert_short_in_every_format(manifest: &str, line: usize, column: usize, code: &str) {
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("role.yaml"), manifest).expect("the manifest is written");
    for format in ["text", "json", "sarif"] {
        let (status, output) = validate(dir.path(), format);
        let head: String = output.chars().take(2_000).collect();
        assert_eq!(status, Some(1), "{format}: {head}");
        let measured = match format {
            "sarif" => {
                let v: serde_json::Value = serde_json::from_str(&output).expect("SARIF output");
                v["runs"][0]["results"].to_string()
            }
            _ => output.clone(),
        };
        assert!(
            measured.len() < OUTPUT_BUDGET,
            "{format}: {} bytes of output, starting with:\n{head}",
            measured.len()
        );
        assert!(output.contains(code), "{format} names `{code}`:\n{output}");
        match format {
            "text" => {
                let at = format!("role.yaml:{line}:{column}");
                assert!(output.contains(&at), "text names {at}:\n{output}");
            }
            "json" => {
                let v: serde_json::Value = serde_json::from_str(&output).expect("JSON output");
                let found = v.as_array().expect("a JSON array").iter().any(|d| {
                    d["code"] == code
                        && d["primary"]["location"]["line"] == line
                        && d["primary"]["location"]["column"] == column
                });
                assert!(found, "JSON has {code} at {line}:{column}:\n{output}");
            }
            _ => {
                let v: serde_json::Value = serde_json::from_str(&output).expect("SARIF output");
                let found = v["runs"][0]["results"]
                    .as_array()
                    .expect("SARIF results")
                    .iter()
                    .any(|r| {
                        let region = &r["locations"][0]["physicalLocation"]["region"];
                        r["ruleId"] == code
                            && region["startLine"] == line
                            && region["startColumn"] == column
                    });
                assert!(found, "SARIF has {code} at {line}:{column}:\n{output}");
            }
        }
    }
}

#[test]
fn ten_megabyte_line_error_is_short() {
    // A description IAM rejects for its length, all on line 8.
    let manifest = format!("{HEAD}  description: {}\n", ten_megabytes());
    assert_short_in_every_format(&manifest, 8, 16, "invalid-description");
}

#[test]
fn ten_megabyte_policy_value_error_is_short() {
    // An action the grammar rejects, whose message quotes the value, on line 11.
    let manifest = format!(
        "{HEAD}  inlinePolicies:\n    p:\n      Statement:\n        - Effect: Allow\n          Action: \"{}\"\n          Resource: \"*\"\n",
        ten_megabytes()
    );
    assert_short_in_every_format(&manifest, 12, 19, "invalid-action");
}

#[test]
fn ten_megabyte_key_error_is_short() {
    // A 10 MB key: YAML allows 1024 characters for a plain key, so this is a syntax error
    // pointing at the start of the line.
    let manifest = format!("{HEAD}  {}: 1\n", ten_megabytes());
    assert_short_in_every_format(&manifest, 8, 3, "yaml-syntax");
}

#[test]
fn ten_megabyte_kind_error_is_short() {
    // An unknown kind of 10 MB: the message quotes it and did-you-mean must not compare it.
    let manifest = format!("apiVersion: rolesmith/v1\nkind: R{}\n", ten_megabytes());
    assert_short_in_every_format(&manifest, 2, 7, "unknown-kind");
}

#[test]
fn ten_megabyte_line_in_invalid_yaml_error_is_short() {
    // A YAML syntax error at the end of a 10 MB line (a second `: ` in a plain scalar): the
    // excerpt must not print the line.
    let manifest = format!("{HEAD}  description: {}: x\n", ten_megabytes());
    let dir = tempfile::tempdir().expect("a temporary directory");
    std::fs::write(dir.path().join("role.yaml"), manifest).expect("the manifest is written");
    let (status, output) = validate(dir.path(), "text");
    let head: String = output.chars().take(2_000).collect();
    assert_eq!(status, Some(1), "{head}");
    assert!(
        output.len() < OUTPUT_BUDGET,
        "{} bytes:\n{head}",
        output.len()
    );
    assert!(
        output.contains("role.yaml:") && output.contains("[yaml-syntax]"),
        "{output}"
    );
}
