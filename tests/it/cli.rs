//! The binary's surface: help, formats, exit codes, hints. Whole runs (exit code, stdout and
//! stderr) are pinned by snapshots (`support::snapshot`); what a run must do whatever its
//! wording (exit codes, JSON fields, read-only permissions) is asserted on its own.

use crate::support::plans::fixture;
use crate::support::snapshot;
use crate::support::{DEMO, finish, offline, run_offline as run};

/// Every visible subcommand, as `rolesmith --help` lists them.
const SUBCOMMANDS: [&str; 15] = [
    "init",
    "validate",
    "plan",
    "apply",
    "show",
    "drift",
    "snapshot",
    "import",
    "accounts",
    "expire",
    "permissions",
    "explain",
    "schema",
    "completions",
    "man",
];

#[test]
fn help_of_each_subcommand_shows_what_applies_to_it_and_ends_with_examples() {
    // (subcommand, flags and texts its help has, ones it must not have)
    let cases: [(&str, &[&str], &[&str]); 15] = [
        ("init", &["--github", "[DIR]"], &["--snapshot"]),
        ("validate", &["--format", "--strict"], &["--snapshot"]),
        (
            "plan",
            &[
                "--snapshot",
                "It must exist",
                "--format",
                "--detailed-exitcode",
                "--prune",
                "--ownership-tag",
                "--out",
            ],
            &[
                "saved plan file",
                "apply rewrites",
                "writes the changes",
                "--propagation-timeout",
                "--parallelism",
                "--account-id",
                "--auto-approve",
            ],
        ),
        (
            "apply",
            &[
                "--snapshot",
                "apply writes the changes to it",
                "--account-id",
                "--auto-approve",
                "--expect-plan-id",
                "--prune",
                "--parallelism",
                "--propagation-timeout",
                "saved plan file",
            ],
            &["--detailed-exitcode", "It must exist"],
        ),
        (
            "show",
            &["<PLAN>", "--format"],
            &["--snapshot", "--profile", "--prune"],
        ),
        (
            "drift",
            &[
                "--snapshot",
                "It must exist",
                "--unmanaged",
                "--allow-empty",
            ],
            &[
                "rewrites",
                "writes the changes",
                "--propagation-timeout",
                "--account-id",
                "--prune",
            ],
        ),
        (
            "snapshot",
            &["--out", "--profile", "Only capture roles"],
            &["--propagation-timeout", "manage roles"],
        ),
        (
            "import",
            &["--out", "--adopt", "--snapshot", "Only import roles"],
            &["--propagation-timeout", "manage roles"],
        ),
        (
            "accounts",
            &["--check", "--shards", "--account"],
            &["--snapshot", "--prune"],
        ),
        (
            "expire",
            &["--write", "[PATHS]"],
            &["--snapshot", "--profile"],
        ),
        ("permissions", &["--for"], &["--snapshot"]),
        ("explain", &["--all", "--markdown"], &["--snapshot"]),
        ("schema", &["--help"], &["--snapshot"]),
        ("completions", &["bash", "powershell"], &["--snapshot"]),
        ("man", &["[COMMAND]", "--list"], &["--snapshot"]),
    ];
    assert_eq!(
        cases.map(|(sub, ..)| sub),
        SUBCOMMANDS,
        "one case per subcommand"
    );
    for (sub, has, lacks) in cases {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, Some(0), "{sub} --help: {}", r.stderr);
        for text in has {
            assert!(
                r.stdout.contains(text),
                "{sub} --help lacks {text}:\n{}",
                r.stdout
            );
        }
        for text in lacks {
            assert!(
                !r.stdout.contains(text),
                "{sub} --help shows {text}, which does not apply to it:\n{}",
                r.stdout
            );
        }
        let examples = r
            .stdout
            .split("\nExamples:\n")
            .nth(1)
            .unwrap_or_else(|| panic!("{sub} --help has no examples:\n{}", r.stdout));
        let count = examples
            .lines()
            .filter(|l| l.trim_start().starts_with("rolesmith "))
            .count();
        assert!(
            (2..=5).contains(&count),
            "{sub} --help has {count} examples"
        );
        insta::assert_snapshot!(format!("help-{sub}"), snapshot::render(&r));
    }
    let r = run(&["--help"]);
    assert_eq!(r.code, Some(0));
    for sub in SUBCOMMANDS {
        assert!(r.stdout.contains(&format!("\n  {sub} ")), "{}", r.stdout);
    }
    insta::assert_snapshot!("help", snapshot::render(&r));
}

#[test]
fn flags_hidden_where_they_do_nothing_are_still_accepted() {
    // Scripts pass one set of flags to plan and apply; hiding a flag must not break them.
    let r = run(&[
        "plan",
        "examples/manifests",
        "--snapshot",
        DEMO,
        "--propagation-timeout",
        "5",
        "--parallelism",
        "2",
        "--account-id",
        "111111111111",
        "--format",
        "json",
    ]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(r.json()["account_id"], "123456789012");
    let r = run(&[
        "drift",
        "examples/manifests",
        "--snapshot",
        DEMO,
        "--propagation-timeout",
        "5",
        "--account-id",
        "111111111111",
    ]);
    assert!(matches!(r.code, Some(0 | 2)), "{}", r.stderr);
}

#[test]
fn version_shows_the_commit_and_build_date() {
    let r = run(&["--version"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let pattern =
        regex_lite::Regex::new(r"^rolesmith \d+\.\d+\.\d+ \([0-9a-f]{7,} \d{4}-\d\d-\d\d\)$")
            .unwrap();
    assert!(pattern.is_match(r.stdout.trim_end()), "{:?}", r.stdout);
    let commit = std::process::Command::new("git")
        .args(["rev-parse", "--short", "HEAD"])
        .current_dir(crate::support::root())
        .output()
        .expect("git runs in this checkout");
    let commit = String::from_utf8_lossy(&commit.stdout).trim().to_owned();
    assert!(
        r.stdout.contains(&format!("({commit} ")),
        "{} does not name HEAD {commit}",
        r.stdout
    );
}

#[test]
fn version_subcommand_prints_what_version_flag_prints() {
    let flag = run(&["--version"]);
    let sub = run(&["version"]);
    assert_eq!(sub.code, Some(0), "{}", sub.stderr);
    assert_eq!(sub.stdout, flag.stdout);
    assert!(!sub.stderr.contains("similar"), "{}", sub.stderr);
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
