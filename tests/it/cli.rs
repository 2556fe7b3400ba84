//! The binary's surface: help, formats, exit codes, hints. Whole runs (exit code, stdout and
//! stderr) are pinned by snapshots (`support::snapshot`); what a run must do whatever its
//! wording (exit codes, JSON fields, read-only permissions) is asserted on its own.

use crate::support::plans::fixture;
use crate::support::snapshot;
use crate::support::{DEMO, finish, offline, run_offline as run};

#[test]
fn help_of_each_subcommand_mentions_its_flags() {
    let cases: [(&str, &[&str]); 4] = [
        ("validate", &["--format"]),
        (
            "plan",
            &[
                "--snapshot",
                "--format",
                "--detailed-exitcode",
                "--prune",
                "--ownership-tag",
                "--account-id",
            ],
        ),
        (
            "apply",
            &["--snapshot", "--auto-approve", "--prune", "--ownership-tag"],
        ),
        ("schema", &["--help"]),
    ];
    for (sub, flags) in cases {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, Some(0), "{sub} --help: {}", r.stderr);
        for flag in flags {
            assert!(
                r.stdout.contains(flag),
                "{sub} --help lacks {flag}:\n{}",
                r.stdout
            );
        }
        insta::assert_snapshot!(format!("help-{sub}"), snapshot::render(&r));
    }
    let r = run(&["--help"]);
    assert_eq!(r.code, Some(0));
    for sub in ["validate", "plan", "apply", "schema"] {
        assert!(r.stdout.contains(sub), "{}", r.stdout);
    }
    insta::assert_snapshot!("help", snapshot::render(&r));
}

#[test]
fn plan_json_has_format_version() {
    let r = run(&[
        "plan",
        "examples/manifests",
        "--snapshot",
        DEMO,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("\"format_version\""));
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("stdout is only JSON");
    assert_eq!(v["format_version"], rolesmith::plan::FORMAT_VERSION);
    assert_eq!(v["account_id"], "123456789012");
    assert_eq!(
        v["context"],
        serde_json::json!({"account_id": "123456789012", "account": "snapshot", "path": DEMO}),
        "the plan names what it ran against"
    );
}

#[test]
fn plan_markdown_starts_with_heading() {
    let r = run(&[
        "plan",
        "examples/manifests",
        "--snapshot",
        DEMO,
        "--format",
        "markdown",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stdout
            .starts_with("### rolesmith plan for account `123456789012`")
    );
    insta::assert_snapshot!("plan-markdown-demo", snapshot::render(&r));
}

#[test]
fn plan_against_an_unreachable_account_fails_clearly_without_leaking_credentials() {
    // Without --snapshot, plan reads the live account; here its endpoint is a closed loopback
    // port, so the run must fail fast with an error naming the call — and never print secrets,
    // even at the most verbose log level.
    let mut cmd = offline();
    cmd.env("AWS_ACCESS_KEY_ID", "AKIAFAKEKEYID0000000")
        .env("AWS_SECRET_ACCESS_KEY", "fake-secret-key-must-not-leak")
        .env("AWS_SESSION_TOKEN", "fake-session-token-must-not-leak")
        .env("AWS_REGION", "us-east-1")
        .env("AWS_EC2_METADATA_DISABLED", "true")
        .env_remove("AWS_PROFILE");
    let r = finish(
        cmd,
        &[
            "plan",
            "examples/manifests",
            "--endpoint-url",
            "http://127.0.0.1:1",
            "--max-attempts",
            "1",
            "-vvv",
        ],
        "",
    );
    let (stdout, stderr) = (&r.stdout, &r.stderr);
    assert_eq!(r.code, Some(1), "{stderr}");
    assert!(stderr.contains("error: GetCallerIdentity"), "{stderr}");
    assert!(stderr.contains("Connection refused"), "{stderr}");
    for secret in [
        "AKIAFAKEKEYID0000000",
        "fake-secret-key-must-not-leak",
        "fake-session-token-must-not-leak",
    ] {
        assert!(
            !stdout.contains(secret) && !stderr.contains(secret),
            "{secret} leaked"
        );
    }
}

#[test]
fn validate_examples_succeeds() {
    insta::assert_snapshot!(
        "validate-examples",
        snapshot::command(&["validate", "examples/manifests"])
    );
}

#[test]
fn validate_reports_errors_with_exit_1() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n  descripton: typo\n  trust:\n    - service: ec2.amazonaws.com\n",
    )
    .unwrap();
    insta::assert_snapshot!(
        "validate-unknown-field",
        snapshot::command(&["validate", dir.path().to_str().unwrap()])
    );
}

#[test]
fn detailed_exitcode_is_2_only_with_changes() {
    // Changes: 2 with the flag, 0 without.
    let r = run(&[
        "plan",
        "examples/manifests",
        "--snapshot",
        DEMO,
        "--detailed-exitcode",
    ]);
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let r = run(&["plan", "examples/manifests", "--snapshot", DEMO]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // No changes: 0 with the flag.
    let noop = fixture("noop");
    let r = run(&[
        "plan",
        noop.join("manifests").to_str().unwrap(),
        "--snapshot",
        noop.join("live.json").to_str().unwrap(),
        "--detailed-exitcode",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout.lines().nth(1),
        Some("No changes. The account matches the manifests."),
        "{}",
        r.stdout
    );
}

#[test]
fn invalid_ownership_tag_fails_with_a_hint() {
    insta::assert_snapshot!(
        "plan-invalid-ownership-tag",
        snapshot::command(&[
            "plan",
            "examples/manifests",
            "--snapshot",
            DEMO,
            "--ownership-tag",
            "rolesmith",
        ])
    );
}

#[test]
fn schema_subcommand_prints_the_committed_schema() {
    let r = run(&["schema"]);
    assert_eq!(r.code, Some(0));
    assert_eq!(r.stdout, rolesmith::schema::manifest_schema());
}

#[test]
fn permissions_for_plan_are_read_only_and_apply_adds_the_writes() {
    let actions = |for_command: &str| -> Vec<String> {
        let r = run(&["permissions", "--for", for_command]);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
        let policy: serde_json::Value = serde_json::from_str(&r.stdout).unwrap();
        policy["Statement"]
            .as_array()
            .unwrap()
            .iter()
            .flat_map(|s| s["Action"].as_array().unwrap().iter())
            .map(|a| a.as_str().unwrap().to_owned())
            .collect()
    };
    let plan = actions("plan");
    assert!(plan.contains(&"iam:GetAccountAuthorizationDetails".to_owned()));
    assert!(plan.contains(&"iam:ListRoles".to_owned()));
    for action in &plan {
        let name = action.split(':').nth(1).unwrap();
        assert!(
            ["Get", "List", "Describe"]
                .iter()
                .any(|p| name.starts_with(p)),
            "plan permission {action} is not read-only"
        );
    }
    let apply = actions("apply");
    for needed in [
        "iam:CreateRole",
        "iam:PutRolePolicy",
        "iam:DeleteRole",
        "iam:TagRole",
    ] {
        assert!(apply.contains(&needed.to_owned()), "apply lacks {needed}");
    }
    assert!(plan.iter().all(|a| apply.contains(a)));
}
