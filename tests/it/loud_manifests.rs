//! Failures must be loud and clear (issue 13): what is not a manifest is left alone, what IAM
//! would refuse is an error before apply, and `validate --strict` fails on warnings.

use crate::support::{Run, finish, offline, root, snapshot};

/// A repository root: a rolesmith manifest next to `mkdocs.yml` and a compose file.
const REPOSITORY: &str = "tests/fixtures/repository-root";

/// Runs `rolesmith ARGS` with `dir` (relative to the crate root) as the working directory.
fn run_in(dir: &str, args: &[&str]) -> Run {
    let mut cmd = offline();
    cmd.current_dir(root().join(dir));
    finish(cmd, args, "")
}

#[test]
fn other_yaml_found_in_a_directory_is_skipped_with_a_note() {
    let run = run_in(REPOSITORY, &["validate"]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("note: skipped 2 YAML file(s)"),
        "{}",
        run.stderr
    );
    assert!(run.stdout.contains("1 manifest(s) in 1 file(s) are valid."));
    insta::assert_snapshot!("repository_root", snapshot::render(&run));

    // `-v` names them.
    let verbose = run_in(REPOSITORY, &["-v", "validate"]);
    assert_eq!(verbose.code, Some(0), "{}", verbose.stderr);
    for file in ["docker-compose.yml", "mkdocs.yml"] {
        assert!(
            verbose
                .stderr
                .lines()
                .any(|l| l.contains("skipped") && l.contains(file)),
            "{file}: {}",
            verbose.stderr
        );
    }
}

#[test]
fn other_yaml_named_explicitly_is_an_error() {
    let run = run_in(REPOSITORY, &["validate", "mkdocs.yml"]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("mkdocs.yml:1:1: error [missing-api-version]"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("note: skipped"), "{}", run.stderr);
    insta::assert_snapshot!("named_other_yaml", snapshot::render(&run));
}

/// `FILE:LINE:COL: error [CODE]` and `help:` lines of a run's text report.
fn reported(run: &Run) -> (Vec<&str>, Vec<&str>) {
    let headers = run
        .stderr
        .lines()
        .filter(|l| l.contains(": error ["))
        .collect();
    let help = run
        .stderr
        .lines()
        .map(str::trim_start)
        .filter(|l| l.starts_with("help:"))
        .collect();
    (headers, help)
}

#[test]
fn a_trust_statement_that_names_nobody_is_an_error() {
    for (fixture, at) in [
        ("65-trust-policy-empty-principal.yaml", "10:20"),
        ("66-trust-policy-principal-empty-list.yaml", "11:11"),
    ] {
        let path = format!("tests/fixtures/invalid/{fixture}");
        let run = crate::support::run_offline(&["validate", &path]);
        assert_eq!(run.code, Some(1), "{fixture}: {}", run.stderr);
        let (headers, help) = reported(&run);
        assert_eq!(
            headers,
            [format!("{path}:{at}: error [empty-principal]")],
            "{fixture}: {}",
            run.stderr
        );
        assert_eq!(
            help,
            ["help: name who may assume the role, e.g. `Principal: {Service: ec2.amazonaws.com}`"],
            "{fixture}"
        );
    }
}

#[test]
fn a_policy_without_version_warns_and_can_be_suppressed() {
    let fixture = "tests/fixtures/lint/missing-policy-version/triggers.yaml";
    let run = crate::support::run_offline(&["validate", fixture]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.contains(": warning ["))
        .collect();
    assert_eq!(
        warnings,
        [
            format!("{fixture}:9:5: warning [missing-policy-version]"),
            format!("{fixture}:16:7: warning [missing-policy-version]"),
        ],
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("help: add `Version: \"2012-10-17\"` at the top of the document"),
        "{}",
        run.stderr
    );

    // Suppressed like every lint rule: per role, and by level in rolesmith.toml.
    let dir = tempfile::tempdir().expect("temp dir");
    let text = std::fs::read_to_string(root().join(fixture)).expect("fixture");
    let allowed = text.replace(
        "spec:\n",
        "spec:\n  lint:\n    allow: [missing-policy-version]\n    reason: legacy policy, tracked\n",
    );
    std::fs::write(dir.path().join("role.yaml"), allowed).expect("write manifest");
    let run = finish(
        offline(),
        &["validate", &crate::support::arg(dir.path())],
        "",
    );
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !run.stderr.contains("missing-policy-version"),
        "{}",
        run.stderr
    );

    let config = dir.path().join("rolesmith.toml");
    std::fs::write(&config, "[lint]\nmissing-policy-version = \"off\"\n").expect("write config");
    let run = crate::support::run_offline(&[
        "--config",
        &crate::support::arg(&config),
        "validate",
        fixture,
    ]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        !run.stderr.contains("missing-policy-version"),
        "{}",
        run.stderr
    );
}

/// A manifest whose only finding is a warning (`unknown-action` for `s3:GetObjekt`).
const WARNS: &str = "tests/fixtures/strict/unknown-action.yaml";

#[test]
fn strict_makes_warnings_fail_validate() {
    let run = crate::support::run_offline(&["validate", WARNS]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning [unknown-action]"),
        "{}",
        run.stderr
    );

    let strict = crate::support::run_offline(&["validate", "--strict", WARNS]);
    assert_eq!(strict.code, Some(1), "{}", strict.stderr);
    assert!(!strict.stdout.contains("are valid"), "{}", strict.stdout);
    insta::assert_snapshot!("strict", snapshot::render(&strict));

    // The exit code is the same whatever the format.
    let json = crate::support::run_offline(&["validate", "--strict", "--format", "json", WARNS]);
    assert_eq!(json.code, Some(1), "{}", json.stderr);
    assert_eq!(json.json()[0]["code"], "unknown-action", "{}", json.stdout);

    // `strict = true` in rolesmith.toml does the same.
    let dir = tempfile::tempdir().expect("temp dir");
    let config = dir.path().join("rolesmith.toml");
    std::fs::write(&config, "strict = true\n").expect("write config");
    let config = crate::support::arg(&config);
    let run = crate::support::run_offline(&["--config", &config, "validate", WARNS]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr.contains("fail validation in strict mode"),
        "{}",
        run.stderr
    );
    // Without warnings, strict passes.
    let clean = "tests/fixtures/lint/unknown-action/clean.yaml";
    let run = crate::support::run_offline(&["--config", &config, "validate", clean]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
}

#[test]
fn a_service_principal_typo_is_an_error_with_the_right_name() {
    for typo in ["ec2.amazonaws.co", "ec2.amazon.com", "ec2 amazonaws com"] {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("role.yaml");
        std::fs::write(
            &file,
            format!(
                "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: agent\nspec:\n  trust:\n    - service: \"{typo}\"\n"
            ),
        )
        .unwrap();
        let run = crate::support::run_offline(&["validate", file.to_str().unwrap()]);
        assert_eq!(run.code, Some(1), "{typo}: {}", run.stderr);
        let (headers, help) = reported(&run);
        assert_eq!(
            headers,
            [format!(
                "{}:7:16: error [invalid-service-principal]",
                file.display()
            )],
            "{typo}: {}",
            run.stderr
        );
        assert_eq!(help, ["help: did you mean `ec2.amazonaws.com`?"], "{typo}");
    }
}

#[test]
fn a_well_formed_unknown_service_principal_is_a_warning_that_strict_fails() {
    let fixture = "tests/fixtures/lint/unknown-service-principal/triggers.yaml";
    let run = crate::support::run_offline(&["validate", fixture]);
    assert_eq!(run.code, Some(0), "{}", run.stderr);
    assert!(
        run.stderr.contains("warning [unknown-service-principal]")
            && run.stderr.contains("did you mean `lambda.amazonaws.com`?"),
        "{}",
        run.stderr
    );
    let strict = crate::support::run_offline(&["validate", "--strict", fixture]);
    assert_eq!(strict.code, Some(1), "{}", strict.stderr);
}

#[test]
fn a_selector_that_matches_no_instance_is_a_warning() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("agent.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: agent\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  instanceProfile: true\n  ec2:\n    selector:\n      tags:\n        cloudwatch-agent: enabled\n",
    )
    .unwrap();
    let snapshot = dir.path().join("account.json");
    let (manifests, snapshot) = (dir.path().to_str().unwrap(), snapshot.to_str().unwrap());
    let warning = "warning: the `ec2` selector of instance profile agent (cloudwatch-agent=enabled) matches no running or stopped instance in this account and region; check the region and the tags";

    // An account with no instance at all: the apply creates the role and profile and says so.
    let apply = crate::support::run_offline(&[
        "apply",
        manifests,
        "--snapshot",
        snapshot,
        "--auto-approve",
    ]);
    assert_eq!(apply.code, Some(0), "{}", apply.stderr);
    assert!(apply.stdout.contains(warning), "{}", apply.stdout);

    // The next plan has nothing to do, and still warns, in every format.
    let plan = crate::support::run_offline(&["plan", manifests, "--snapshot", snapshot]);
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    assert!(
        plan.stdout.contains(&format!(
            "No changes. The account matches the manifests.\n{warning}\n"
        )),
        "{}",
        plan.stdout
    );
    let markdown = crate::support::run_offline(&[
        "plan",
        manifests,
        "--snapshot",
        snapshot,
        "--format",
        "markdown",
    ]);
    assert!(
        markdown.stdout.contains(&format!(
            "> [!WARNING]\n> {}",
            warning.trim_start_matches("warning: ")
        )),
        "{}",
        markdown.stdout
    );
    let json = crate::support::run_offline(&[
        "plan",
        manifests,
        "--snapshot",
        snapshot,
        "--format",
        "json",
    ]);
    let value: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert_eq!(
        value["warnings"][0].as_str(),
        Some(warning.trim_start_matches("warning: "))
    );
}
