//! The GitOps pieces that need no AWS: the example workflows run the commands as documented
//! (actionlint checks them in `packaging`), the bootstrap roles carry exactly the policy
//! `rolesmith permissions` prints, drift on a snapshot file (an instance rebound by hand; the
//! Markdown report), and `rolesmith.toml` precedence and errors.

use std::fs;
use std::path::Path;

use rolesmith::check::{ResolveContext, load_and_validate};
use rolesmith::policy::{NormalizeContext, Policy};
use serde_json::json;

use crate::support::snapshot;
use crate::support::{Run, arg as s, finish, offline, root};

/// Runs `rolesmith` in `dir` with no color, stdin empty.
fn rolesmith(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = offline();
    cmd.current_dir(dir);
    finish(cmd, args, "")
}

// ---------------------------------------------------------------------------------------------
// Workflows (actionlint runs on them in `packaging`, with the release and CI workflows).
// ---------------------------------------------------------------------------------------------

#[test]
fn workflows_use_the_commands_as_documented() {
    let read = |f: &str| fs::read_to_string(root().join("examples/github").join(f)).expect(f);
    let plan = read("plan.yml");
    assert!(plan.contains("pull_request:") && plan.contains("id-token: write"));
    assert!(plan.contains("rolesmith plan --format markdown --detailed-exitcode"));
    assert!(plan.contains("updateComment") && plan.contains("createComment"));
    let apply = read("apply.yml");
    assert!(apply.contains("rolesmith plan --out plan.json"));
    // The apply job applies only the plan whose id the plan job printed (a job output, not the
    // artifact an attacker could replace).
    assert!(apply.contains(r#"echo "plan_id=$(jq -r '.plan_id // ""' plan.json)""#));
    assert!(apply.contains("PLAN_ID: ${{ needs.plan.outputs.plan_id }}"));
    assert!(
        apply.contains(r#"rolesmith apply plan.json --expect-plan-id "$PLAN_ID" --auto-approve"#)
    );
    let drift = read("drift.yml");
    assert!(drift.contains("schedule:") && drift.contains("rolesmith drift"));
    let expire = read("expire.yml");
    assert!(expire.contains("schedule:") && expire.contains("rolesmith expire --write"));
    assert!(expire.contains("gh pr create") && expire.contains("rolesmith validate"));
    assert!(drift.contains("steps.drift.outputs.exitcode == '2'"));
    for (file, role) in [
        (&plan, "rolesmith-plan"),
        (&apply, "rolesmith-apply"),
        (&drift, "rolesmith-plan"),
    ] {
        assert!(
            file.contains(&format!(":role/rolesmith/{role}")),
            "{role} not assumed"
        );
    }
}

#[test]
fn organization_workflows_shard_plan_apply_and_drift_as_documented() {
    let read =
        |f: &str| fs::read_to_string(root().join("examples/github/organization").join(f)).expect(f);
    let (plan, apply, drift) = (read("plan.yml"), read("apply.yml"), read("drift.yml"));
    for file in [&plan, &apply, &drift] {
        assert!(file.contains(
            r#"rolesmith accounts --format github-matrix --shards "$SHARDS" >> "$GITHUB_OUTPUT""#
        ));
        assert!(file.contains("matrix: ${{ fromJSON(needs.shards.outputs.matrix) }}"));
        assert!(file.contains("ACCOUNTS: ${{ matrix.accounts }}") || file == &apply);
        assert!(file.contains(":role/rolesmith-hub"), "the hub role");
    }
    assert!(plan.contains("rolesmith plan $ACCOUNTS --out plan.json"));
    assert!(
        plan.contains(
            "rolesmith show --merge rolesmith-plan-*/plan.json --format markdown > plan.md"
        )
    );
    // The merged comment starts as `show --merge` writes it, so the comment is updated in place.
    assert!(plan.contains("c.body.startsWith('## rolesmith plan')"));
    assert!(apply.contains("rolesmith apply plan.json --auto-approve"));
    assert!(apply.contains("environment: production"));
    assert!(drift.contains("rolesmith drift $ACCOUNTS --format markdown > drift.md"));
    let gitlab = fs::read_to_string(root().join("examples/gitlab/organization.gitlab-ci.yml"))
        .expect("the GitLab example");
    assert!(gitlab.contains("parallel:") && gitlab.contains("- ACCOUNTS:"));
    assert!(gitlab.contains(r#"rolesmith plan $ACCOUNTS --out "plan-$CI_NODE_INDEX.json""#));
    assert!(gitlab.contains("rolesmith show --merge plan-*.json --format markdown > plan.md"));
}

#[test]
fn bootstrap_roles_carry_the_permissions_policy() {
    let ctx = ResolveContext::offline();
    let (desired, diagnostics, _) = load_and_validate(&[root().join("examples/bootstrap")], &ctx);
    assert!(
        !rolesmith::diagnostic::has_errors(&diagnostics),
        "{diagnostics:#?}"
    );
    for (role, apply) in [("rolesmith-plan", false), ("rolesmith-apply", true)] {
        let want = rolesmith::account::aws::operations::permissions_policy(apply);
        let want = serde_json::to_string(&want).expect("JSON");
        let want =
            Policy::from_json_str(&want, &NormalizeContext::default()).expect("permissions policy");
        let got = &desired.roles[role].role.inline_policies[role];
        assert_eq!(
            got,
            &want,
            "examples/bootstrap/{role}.yaml is out of date: regenerate its inline policy from `rolesmith permissions --for {}`",
            if apply { "apply" } else { "plan" }
        );
        let trust = desired.roles[role].role.trust_policy.to_pretty_json();
        assert!(
            trust.contains("token.actions.githubusercontent.com"),
            "{trust}"
        );
    }
}

#[test]
fn the_member_role_stackset_carries_the_apply_policy() {
    let path = root().join("examples/bootstrap/organization/member-role.stackset.yaml");
    let text = std::fs::read_to_string(&path).expect("the StackSet template");
    // The policy document is plain YAML below `PolicyDocument:` (the template's `!Sub` and
    // `!Ref` are elsewhere), read on its own.
    let lines: Vec<&str> = text.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.trim() == "PolicyDocument:")
        .expect("a PolicyDocument");
    let indent = lines[at + 1].len() - lines[at + 1].trim_start().len();
    let block: String = lines[at + 1..]
        .iter()
        .map(|l| l.get(indent..).unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let got: serde_json::Value = serde_saphyr::from_str(&block).expect("the policy parses");
    let got =
        Policy::from_json_str(&got.to_string(), &NormalizeContext::default()).expect("a policy");
    let want = rolesmith::account::aws::operations::permissions_policy(true);
    let want = Policy::from_json_str(&want.to_string(), &NormalizeContext::default())
        .expect("permissions policy");
    assert_eq!(
        got, want,
        "member-role.stackset.yaml is out of date: run scripts/update-bootstrap.py"
    );
}

// ---------------------------------------------------------------------------------------------
// Drift on a snapshot file.
// ---------------------------------------------------------------------------------------------

const INSTANCE: &str = "i-0123456789abcdef0";

#[test]
fn instance_rebound_by_hand_is_drift() {
    let dir = tempfile::tempdir().expect("temp dir");
    let manifests = dir.path().join("m");
    fs::create_dir(&manifests).expect("mkdir");
    fs::write(
        manifests.join("agent.yaml"),
        format!(
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: agent\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  instanceProfile: true\n  ec2:\n    instances: [{INSTANCE}]\n"
        ),
    )
    .expect("write");
    let snapshot = dir.path().join("account.json");
    fs::write(
        &snapshot,
        json!({
            "accountId": "123456789012",
            "instances": {INSTANCE: {"id": INSTANCE, "state": "running"}}
        })
        .to_string(),
    )
    .expect("write");
    let (m, snap) = (s(&manifests), s(&snapshot));
    let r = rolesmith(
        dir.path(),
        &["apply", &m, "--snapshot", &snap, "--auto-approve"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let r = rolesmith(dir.path(), &["drift", &m, "--snapshot", &snap]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);

    // Someone gives the instance another profile.
    let mut account: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&snapshot).expect("read")).expect("JSON");
    account["instanceProfiles"]["other"] = json!({"name": "other", "roles": []});
    account["instances"][INSTANCE]["association"] =
        json!({"id": "iip-assoc-0000000000000001", "profile": "other"});
    fs::write(&snapshot, account.to_string()).expect("write");

    let r = rolesmith(
        dir.path(),
        &["drift", &m, "--snapshot", &snap, "--format", "json"],
    );
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    let findings = v["findings"].as_array().expect("findings");
    assert_eq!(findings.len(), 1, "{v:#}");
    assert_eq!(
        findings[0]["address"],
        json!({"type": "binding", "name": INSTANCE})
    );
    let message = findings[0]["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("instance {INSTANCE}: "))
            && message.contains("carries instance profile other instead of agent"),
        "{message}"
    );

    // With takeover the same move is a modification: "rebound".
    let agent = manifests.join("agent.yaml");
    let text = fs::read_to_string(&agent).expect("read");
    fs::write(
        &agent,
        text.replace("    instances:", "    takeover: true\n    instances:"),
    )
    .expect("write");
    let r = rolesmith(dir.path(), &["drift", &m, "--snapshot", &snap]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stdout.contains(&format!(
            "~ instance {INSTANCE} was rebound outside rolesmith"
        )) && r
            .stdout
            .contains("carries instance profile other instead of agent outside rolesmith"),
        "{}",
        r.stdout
    );
}

#[test]
fn drift_markdown_report_of_the_demo_account() {
    // The snapshot's path relative to the crate root, as the header shows it.
    let r = rolesmith(
        &root(),
        &[
            "drift",
            "examples/manifests",
            "--snapshot",
            "examples/snapshots/demo-account.json",
            "--unmanaged",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    insta::assert_snapshot!("drift-markdown-demo", r.stdout);
}

// ---------------------------------------------------------------------------------------------
// rolesmith.toml.
// ---------------------------------------------------------------------------------------------

/// A dir with `m/keep.yaml` and a snapshot holding `keep` and an owned orphan.
fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    fs::create_dir(dir.path().join("m")).expect("mkdir");
    fs::write(
        dir.path().join("m/keep.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: keep\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n",
    )
    .expect("write");
    let trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}]});
    let role = |name: &str| json!({"name": name, "trustPolicy": trust, "tags": {"managed-by": "rolesmith", "team": "x"}});
    fs::write(
        dir.path().join("account.json"),
        json!({"accountId": "123456789012", "roles": {"keep": role("keep"), "orphan": role("orphan")}})
            .to_string(),
    )
    .expect("write");
    dir
}

#[test]
fn config_file_settings_and_flag_precedence() {
    let dir = project();
    fs::write(
        dir.path().join("rolesmith.toml"),
        "# project settings\npaths = [\"m\"]\nprune = true\nmax_deletions = 0\n",
    )
    .expect("write");
    let plan = |args: &[&str]| {
        let mut all = vec!["plan", "--snapshot", "account.json", "--format", "json"];
        all.extend(args);
        rolesmith(dir.path(), &all)
    };
    // paths and prune come from the file; max_deletions = 0 refuses the orphan's deletion.
    let r = plan(&[]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(
        r.stderr.contains(
            "refusing a plan that deletes 1 roles; at most 0 may be deleted at once: orphan"
        ),
        "{}",
        r.stderr
    );
    // Flags win over the file.
    let r = plan(&["--max-deletions", "1"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["summary"]["destroy"], 1, "{v:#}");
    let r = plan(&["--no-prune"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["summary"]["destroy"], 0, "{v:#}");
    // Another ownership tag from the file: nothing is owned, `keep` is in the way.
    fs::write(
        dir.path().join("other.toml"),
        "paths = [\"m\"]\n[ownership]\nkey = \"owner\"\nvalue = \"platform\"\n",
    )
    .expect("write");
    let r = plan(&["--config", "other.toml"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let v: serde_json::Value = serde_json::from_str(&r.stdout).expect("JSON");
    assert_eq!(v["conflicts"][0]["address"]["name"], "keep", "{v:#}");
}

#[test]
fn config_file_errors_name_file_line_and_column() {
    let dir = project();
    fs::write(
        dir.path().join("rolesmith.toml"),
        "paths = [\"m\"]\nmax_deletion = 100\n",
    )
    .expect("write");
    fs::write(
        dir.path().join("bad-lint.toml"),
        "[lint]\nwildcard-resource = \"loud\"\n",
    )
    .expect("write");
    let runs = [
        rolesmith(dir.path(), &["plan", "--snapshot", "account.json"]),
        rolesmith(
            dir.path(),
            &[
                "drift",
                "--config",
                "bad-lint.toml",
                "--snapshot",
                "account.json",
            ],
        ),
        rolesmith(dir.path(), &["plan", "--config", "missing.toml"]),
    ];
    insta::assert_snapshot!("config-file-errors", snapshot::session(&runs));
    assert!(runs.iter().all(|r| r.code == Some(1)), "every run fails");
}

#[test]
fn apply_takes_a_saved_plan_alone_and_only_a_saved_plan() {
    let dir = project();
    fs::write(
        dir.path().join("other.json"),
        "{\"format_version\": \"1.0\"}",
    )
    .expect("write");
    let run = |args: &[&str]| rolesmith(dir.path(), args);
    let runs = [
        // Not a saved plan.
        run(&[
            "apply",
            "other.json",
            "--snapshot",
            "account.json",
            "--auto-approve",
        ]),
        run(&[
            "plan",
            "m",
            "--snapshot",
            "account.json",
            "--out",
            "plan.json",
        ]),
        // A saved plan with manifests, or with a setting of its own: refused.
        run(&[
            "apply",
            "plan.json",
            "m",
            "--snapshot",
            "account.json",
            "--auto-approve",
        ]),
        run(&[
            "apply",
            "plan.json",
            "--prune",
            "--snapshot",
            "account.json",
            "--auto-approve",
        ]),
        // Alone: applied.
        run(&[
            "apply",
            "plan.json",
            "--snapshot",
            "account.json",
            "--auto-approve",
        ]),
    ];
    insta::assert_snapshot!("saved-plan-apply", snapshot::session(&runs));
    let codes: Vec<_> = runs.iter().map(|r| r.code).collect();
    assert_eq!(codes, [Some(1), Some(0), Some(1), Some(1), Some(0)]);
}
