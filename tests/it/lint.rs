//! The policy linter against its fixture table: every directory under `tests/fixtures/lint/` is
//! named after a finding code and holds `triggers.yaml` (reports the code) and `clean.yaml` (a
//! close variant that does not). A few rendered reports are pinned by insta snapshots; SARIF
//! output is checked for the fields code scanning needs and against the SARIF 2.1.0 schema; the
//! Markdown plan's "Lint findings" section is pinned and checked against the comment budget.
//!
//! Update the snapshots with `INSTA_UPDATE=always cargo test --test it lint::`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use rolesmith::check::{ResolveContext, validate};
use rolesmith::diagnostic::{Diagnostic, Severity};
use rolesmith::lint::{LintSettings, RULES};
use rolesmith::manifest::load_paths;

const FIXTURES: &str = "tests/fixtures/lint";

fn lint(path: &Path, ctx: &ResolveContext) -> Vec<Diagnostic> {
    validate(&load_paths(&[path.to_path_buf()]), ctx).1
}

fn codes(found: &[Diagnostic]) -> Vec<&'static str> {
    found.iter().map(|d| d.code).collect()
}

fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(FIXTURES)
        .expect("the lint fixtures exist")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    dirs
}

#[test]
fn every_rule_has_a_triggering_and_a_clean_fixture() {
    let ctx = ResolveContext::offline();
    let dirs = fixture_dirs();
    let names: Vec<String> = dirs
        .iter()
        .map(|d| d.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    for rule in RULES {
        assert!(
            names.iter().any(|n| n == rule.code),
            "no fixture for `{}`",
            rule.code
        );
    }
    let mut failures = Vec::new();
    for (dir, code) in dirs.iter().zip(&names) {
        let rule = rolesmith::lint::find_rule(code)
            .unwrap_or_else(|| panic!("fixture `{code}` names no rule"));
        let triggers = lint(&dir.join("triggers.yaml"), &ctx);
        let hit: Vec<&Diagnostic> = triggers.iter().filter(|d| d.code == code).collect();
        match hit.first() {
            None => failures.push(format!(
                "{code}: triggers.yaml reports {:?}",
                codes(&triggers)
            )),
            Some(d) => {
                let at = d.primary.as_ref().expect("findings are located");
                if d.severity != rule.severity
                    || at.location.line <= 5
                    || d.help.as_deref().is_none_or(str::is_empty)
                {
                    failures.push(format!("{code}: {d:#?}"));
                }
            }
        }
        let clean = lint(&dir.join("clean.yaml"), &ctx);
        if !clean.is_empty() {
            failures.push(format!("{code}: clean.yaml reports {:?}", codes(&clean)));
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

fn render(fixture: &str) -> String {
    let found = lint(
        &Path::new(FIXTURES).join(fixture),
        &ResolveContext::offline(),
    );
    rolesmith::render::diagnostics::render(&found, false)
}

#[test]
fn rendered_findings_name_file_line_col() {
    insta::assert_snapshot!(
        "github-oidc-broad-sub",
        render("github-oidc-broad-sub/triggers.yaml")
    );
    insta::assert_snapshot!("unknown-action", render("unknown-action/triggers.yaml"));
    insta::assert_snapshot!(
        "cross-account-without-external-id",
        render("cross-account-without-external-id/triggers.yaml")
    );
    insta::assert_snapshot!(
        "lint-allow-without-reason",
        render("lint-allow-without-reason/triggers.yaml")
    );
}

#[test]
fn configured_severities_and_own_accounts_apply() {
    let path = Path::new(FIXTURES).join("cross-account-without-external-id/triggers.yaml");
    let mut ctx = ResolveContext::offline();
    ctx.lint = LintSettings {
        severities: [(
            "cross-account-without-external-id".to_owned(),
            Severity::Error,
        )]
        .into(),
        ..LintSettings::default()
    };
    let found = lint(&path, &ctx);
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].severity, Severity::Error);

    ctx.lint.own_accounts.insert("210987654321".to_owned());
    assert_eq!(lint(&path, &ctx), Vec::new());
}

#[test]
fn suppression_with_a_reason_hides_only_the_named_code() {
    let ctx = ResolveContext::offline();
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("role.yaml");
    let text = std::fs::read_to_string(Path::new(FIXTURES).join("wildcard-resource/clean.yaml"))
        .unwrap()
        .replace("ec2:DescribeInstances", "s3:GetObject")
        .replace(
            "    - account: ${AWS::AccountId}",
            "    - account: \"210987654321\"",
        );
    std::fs::write(&path, &text).unwrap();
    let mut found = codes(&lint(&path, &ctx));
    found.sort();
    assert_eq!(
        found,
        ["cross-account-without-external-id", "wildcard-resource"]
    );
    std::fs::write(
        &path,
        format!("{text}  lint:\n    allow: [wildcard-resource]\n    reason: Bucket chosen at deploy time\n"),
    )
    .unwrap();
    assert_eq!(
        codes(&lint(&path, &ctx)),
        ["cross-account-without-external-id"]
    );
}

/// The shipped examples have no errors or warnings; infos are intended.
#[test]
fn examples_lint_clean() {
    let found = lint(Path::new("examples/manifests"), &ResolveContext::offline());
    let loud: Vec<_> = found
        .iter()
        .filter(|d| d.severity > Severity::Info)
        .collect();
    assert!(loud.is_empty(), "{loud:#?}");
}

/// `validate --format sarif` writes a SARIF 2.1.0 log with the fields code scanning requires.
#[test]
fn sarif_output_has_the_required_shape() {
    let out = Command::cargo_bin("rolesmith")
        .unwrap()
        .args(["validate", "--format", "sarif", FIXTURES])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(1),
        "the fixtures include errors: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
    assert_eq!(log["version"], "2.1.0");
    assert!(log["$schema"].as_str().unwrap().contains("sarif"));
    let runs = log["runs"].as_array().expect("runs");
    assert_eq!(runs.len(), 1);
    let driver = &runs[0]["tool"]["driver"];
    assert_eq!(driver["name"], "rolesmith");
    let rules = driver["rules"].as_array().expect("rules");
    for r in rules {
        assert!(r["id"].is_string(), "{r}");
        assert!(r["shortDescription"]["text"].is_string(), "{r}");
    }
    let results = runs[0]["results"].as_array().expect("results");
    assert!(results.len() >= RULES.len(), "{} results", results.len());
    for res in results {
        let i = res["ruleIndex"].as_u64().expect("ruleIndex") as usize;
        assert_eq!(rules[i]["id"], res["ruleId"], "{res}");
        assert!(
            ["error", "warning", "note"].contains(&res["level"].as_str().unwrap()),
            "{res}"
        );
        assert!(res["message"]["text"].is_string(), "{res}");
        let loc = &res["locations"][0]["physicalLocation"];
        let uri = loc["artifactLocation"]["uri"].as_str().expect("uri");
        assert!(uri.starts_with(FIXTURES) && uri.ends_with(".yaml"), "{uri}");
        assert!(loc["region"]["startLine"].as_u64().unwrap() >= 1, "{res}");
        assert!(loc["region"]["startColumn"].as_u64().unwrap() >= 1, "{res}");
    }
}

/// The OASIS SARIF 2.1.0 schema, committed under `tests/fixtures/sarif/` (see its README). It is
/// draft-04 and refers only to its own definitions, so it compiles with no network.
fn sarif_validator() -> jsonschema::Validator {
    let text = std::fs::read_to_string("tests/fixtures/sarif/sarif-schema-2.1.0.json")
        .expect("the SARIF schema is committed");
    let schema: serde_json::Value = serde_json::from_str(&text).expect("the schema is JSON");
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft4)
        .should_validate_formats(true)
        .build(&schema)
        .expect("the SARIF schema compiles offline")
}

/// `validate --format sarif` output validates against the SARIF 2.1.0 schema: for the whole
/// fixture table (every code, errors included), a warning and an info finding alone, a clean
/// manifest (no results), and manifests that fail validation before linting.
#[test]
fn sarif_output_validates_against_the_sarif_schema() {
    let validator = sarif_validator();
    let cases = [
        (FIXTURES.to_owned(), Some(1), RULES.len()),
        (
            format!("{FIXTURES}/cross-account-without-external-id/triggers.yaml"),
            Some(0),
            1,
        ),
        (
            format!("{FIXTURES}/service-without-source-condition/triggers.yaml"),
            Some(0),
            1,
        ),
        (format!("{FIXTURES}/wildcard-action/clean.yaml"), Some(0), 0),
        ("tests/fixtures/invalid".to_owned(), Some(1), 1),
    ];
    for (path, status, min_results) in cases {
        let out = Command::cargo_bin("rolesmith")
            .unwrap()
            .args(["validate", "--format", "sarif", &path])
            .output()
            .unwrap();
        assert_eq!(
            out.status.code(),
            status,
            "{path}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        let log: serde_json::Value = serde_json::from_slice(&out.stdout).expect("SARIF is JSON");
        let errors: Vec<String> = validator
            .iter_errors(&log)
            .map(|e| format!("{} (at {}): {e}", e.instance_path, e.schema_path))
            .collect();
        assert!(errors.is_empty(), "{path}: {errors:#?}");
        let results = log["runs"][0]["results"].as_array().expect("results");
        assert!(
            results.len() >= min_results,
            "{path}: {} results",
            results.len()
        );
        if min_results == 0 {
            assert!(results.is_empty(), "{path}: {results:#?}");
        }
    }

    // The validator is not vacuous: a log missing `version`, or with an unknown level, fails.
    let out = Command::cargo_bin("rolesmith")
        .unwrap()
        .args(["validate", "--format", "sarif", FIXTURES])
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let mut broken = log.clone();
    broken.as_object_mut().unwrap().remove("version");
    assert!(!validator.is_valid(&broken));
    let mut broken = log;
    broken["runs"][0]["results"][0]["level"] = "fatal".into();
    assert!(!validator.is_valid(&broken));
}

/// `[lint]` in rolesmith.toml changes what plan does with a finding: `error` stops it, `off`
/// silences it.
#[test]
fn config_lint_levels_drive_plan() {
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("admin.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: admin\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  inlinePolicies:\n    all:\n      Version: \"2012-10-17\"\n      Statement:\n        - Effect: Allow\n          Action: \"*\"\n          Resource: \"*\"\n",
    )
    .unwrap();
    // An empty account (a missing snapshot file is an error for plan).
    std::fs::write(
        dir.path().join("acct.json"),
        r#"{"accountId": "123456789012"}"#,
    )
    .unwrap();
    let plan = |level: &str| {
        let config = dir.path().join(format!("{level}.toml"));
        std::fs::write(&config, format!("[lint]\nwildcard-action = \"{level}\"\n")).unwrap();
        let out = assert_cmd::Command::cargo_bin("rolesmith")
            .unwrap()
            .env("NO_COLOR", "1")
            .args([
                "plan",
                manifest.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ])
            .args(["--snapshot", dir.path().join("acct.json").to_str().unwrap()])
            .output()
            .unwrap();
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    };
    let (code, stderr) = plan("warning");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("warning [wildcard-action]"), "{stderr}");
    let (code, stderr) = plan("error");
    assert_eq!(code, Some(1), "{stderr}");
    assert!(stderr.contains("error [wildcard-action]"), "{stderr}");
    let (code, stderr) = plan("off");
    assert_eq!(code, Some(0), "{stderr}");
    assert!(!stderr.contains("wildcard-action"), "{stderr}");
    // validate reads the same levels, so it reports exactly what plan would.
    let validate = |level: &str| {
        let config = dir.path().join(format!("{level}.toml"));
        assert_cmd::Command::cargo_bin("rolesmith")
            .unwrap()
            .env("NO_COLOR", "1")
            .args([
                "validate",
                manifest.to_str().unwrap(),
                "--config",
                config.to_str().unwrap(),
            ])
            .output()
            .unwrap()
            .status
            .code()
    };
    assert_eq!(validate("error"), Some(1));
    assert_eq!(validate("warning"), Some(0));
}

/// Runs `rolesmith plan --format markdown` in a temporary directory holding the given lint
/// fixtures (copied to `manifests/<name>.yaml`, so locations are relative), against an empty
/// snapshot account.
fn plan_markdown(fixtures: &[(&str, &str)]) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("manifests")).unwrap();
    std::fs::write(
        dir.path().join("account.json"),
        r#"{"accountId": "123456789012"}"#,
    )
    .unwrap();
    for (name, fixture) in fixtures {
        std::fs::copy(
            Path::new(FIXTURES).join(fixture),
            dir.path().join("manifests").join(format!("{name}.yaml")),
        )
        .unwrap();
    }
    let out = Command::cargo_bin("rolesmith")
        .unwrap()
        .current_dir(dir.path())
        .env("NO_COLOR", "1")
        .args([
            "plan",
            "manifests",
            "--format",
            "markdown",
            "--snapshot",
            "account.json",
        ])
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The PR Markdown plan lists the warnings and infos `plan` prints, with code, file:line:col,
/// message and help, in a collapsible section after the summary.
#[test]
fn markdown_plan_includes_lint_findings() {
    let (code, md, stderr) = plan_markdown(&[
        ("partner", "cross-account-without-external-id/triggers.yaml"),
        ("queue", "service-without-source-condition/triggers.yaml"),
    ]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(stderr.contains("warning [cross-account-without-external-id]"));
    let findings = &md[md.find("<details open><summary>Lint findings").expect(&md)..];
    let findings = &findings[..findings.find("</details>").unwrap() + "</details>".len()];
    insta::assert_snapshot!("plan-markdown-lint-findings", findings);
    assert!(
        md.find("Lint findings") < md.find("<code>role."),
        "the findings come before the changes:\n{md}"
    );
}

/// With no findings the Markdown plan has no findings section: the CLI output is the renderer's
/// plain output (which the plan golden snapshots pin).
#[test]
fn markdown_plan_without_findings_has_no_section() {
    let (code, md, stderr) = plan_markdown(&[("clean", "wildcard-action/clean.yaml")]);
    assert_eq!(code, Some(0), "{stderr}");
    assert!(md.contains("<code>role."), "{md}");
    assert!(!md.contains("Lint findings"), "{md}");
}

/// Many findings stay within the comment budget: the section takes at most a quarter of it and
/// counts what it leaves out; the plan keeps its changes.
#[test]
fn markdown_lint_findings_stay_within_the_budget() {
    use rolesmith::diff::{DiffOptions, diff};
    use rolesmith::plan::Plan;
    use rolesmith::render::markdown::{render, render_with_findings};

    let ctx = ResolveContext::offline();
    let path = Path::new(FIXTURES).join("cross-account-without-external-id/triggers.yaml");
    let (desired, found) = validate(&load_paths(&[path]), &ctx);
    assert_eq!(codes(&found), ["cross-account-without-external-id"]);
    let live = rolesmith::state::AccountState::empty(&ctx.account_id, &ctx.partition);
    let plan = Plan::build(
        diff(&desired, &live, &DiffOptions::default()),
        &live,
        &ctx.limits,
    );
    assert_eq!(
        render_with_findings(&plan, &[], 65_536),
        render(&plan, 65_536)
    );

    let many = vec![found[0].clone(); 2_000];
    for limit in [4_000, 20_000, 65_536] {
        let md = render_with_findings(&plan, &many, limit);
        assert!(
            md.chars().count() <= limit,
            "{limit}: {}",
            md.chars().count()
        );
        let section = &md[md.find("<details open><summary>Lint findings").unwrap()..];
        let section = &section[..section.find("</details>").unwrap()];
        assert!(section.chars().count() <= limit / 4, "{limit}");
        assert!(
            section.contains("Lint findings: 2000 warning(s)"),
            "{section}"
        );
        let listed = section.matches("\n- **warning**").count();
        assert!(listed >= 1, "{limit}: {section}");
        assert!(
            section.contains(&format!(
                "_… {} more finding(s); run `rolesmith validate` for all of them._",
                2_000 - listed
            )),
            "{limit}: {section}"
        );
        assert!(md.contains("<code>role."), "{limit}: the change survives");
    }
}
