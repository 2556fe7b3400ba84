//! Regression tests for what an independent trial found (issue 12): tampered saved plans, a
//! profile holding another owned role, a hand-added profile tag missed by drift, and a read made
//! before the manifests were known to be valid. Each is named after the problem it pins.

use std::collections::BTreeMap;
use std::path::Path;

use crate::support::ec2::ok;
use crate::support::iam::{dump, stats_table, writes};
use crate::support::moto::Moto;
use crate::support::proxy::Proxy;
use crate::support::{arg, block_on, run, run_live};
use aws_sdk_iam::types::Tag;
use serde_json::{Value, json};

const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

fn web_manifest(dir: &Path, action: &str) {
    std::fs::write(
        dir.join("web.yaml"),
        format!(
            r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: web
spec:
  trust:
    - service: ec2.amazonaws.com
  inlinePolicies:
    read:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: {action}
          Resource: "*"
"#
        ),
    )
    .expect("write web.yaml");
}

/// Rewrites the saved plan's id to the id of its (edited) steps, as an attacker who knows the
/// algorithm would, so the refusal below comes from the proof and not from the id check.
fn reseal(plan: &mut Value) {
    let doc: rolesmith::plan::wire::PlanDocument<Value> =
        rolesmith::plan::wire::from_json(plan.clone()).expect("a plan document");
    let id = rolesmith::plan::Plan::from(doc.plan).id();
    plan["plan_id"] = json!(id.to_string());
}

fn first_step_of(plan: &Value, op: &str) -> usize {
    plan["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .position(|s| s["mutation"]["op"] == op)
        .unwrap_or_else(|| panic!("no {op} step in {plan:#}"))
}

#[test]
fn tampered_saved_plans_are_refused_without_a_write_and_an_honest_one_applies() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    web_manifest(dir.path(), "s3:ListBucket");
    run_live(&moto, &["apply", &arg(dir.path()), "--auto-approve"]).success();
    // A role made by hand, without the ownership tag.
    block_on(async {
        ok(
            moto.iam()
                .create_role()
                .role_name("hand-made")
                .assume_role_policy_document(EC2_TRUST)
                .tags(Tag::builder().key("owner").value("alice").build().unwrap())
                .send()
                .await,
            "CreateRole",
        );
    });
    // The reviewed change: one inline policy edit.
    web_manifest(dir.path(), "s3:GetObject");
    let out = tempfile::tempdir().expect("temp dir");
    let saved = out.path().join("plan.json");
    let r = run_live(&moto, &["plan", &arg(dir.path()), "--out", &arg(&saved)]).success();
    assert!(r.stdout.contains("Plan id: sha256:"), "{}", r.stdout);
    let honest: Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("read")).expect("JSON");
    let reviewed_id = honest["plan_id"].as_str().expect("plan id").to_owned();
    assert!(r.stdout.contains(&reviewed_id), "{}", r.stdout);
    let put = first_step_of(&honest, "put_role_policy");

    let admin = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]});
    let foreign_trust = json!({"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": "arn:aws:iam::999999999999:root"}, "Action": "sts:AssumeRole"}]});
    let mut edits: Vec<(&str, Value)> = Vec::new();
    let mut wide = honest.clone();
    wide["steps"][put]["mutation"]["policy"] = admin.clone();
    edits.push(("inline policy widened to *:*", wide));
    let mut attach = honest.clone();
    attach["steps"].as_array_mut().unwrap().push(json!({
        "phase": "grant_policies", "operation": "AttachRolePolicy", "target": "role hand-made",
        "mutation": {"op": "attach_role_policy", "role_name": "hand-made",
                     "policy_arn": "arn:aws:iam::aws:policy/AdministratorAccess"}}));
    edits.push(("AdministratorAccess attached to another role", attach));
    let mut trust = honest.clone();
    trust["steps"].as_array_mut().unwrap().push(json!({
        "phase": "configure_roles", "operation": "UpdateAssumeRolePolicy", "target": "role web",
        "mutation": {"op": "update_assume_role_policy", "role_name": "web", "policy": foreign_trust}}));
    edits.push(("a foreign account may assume web", trust));
    let mut unowned = honest.clone();
    unowned["steps"][put]["mutation"]["role_name"] = json!("hand-made");
    edits.push(("step pointed at an unowned role", unowned));

    let before = dump(&moto);
    for (what, mut edited) in edits {
        // As written by hand: the id no longer matches the steps.
        let path = out.path().join("edited.json");
        std::fs::write(&path, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
        let r = run_live(&moto, &["apply", &arg(&path), "--auto-approve", "--stats"]);
        assert_eq!(r.code, Some(1), "{what}: must be refused\n{}", r.stderr);
        assert!(
            r.stderr
                .contains("the file was edited after `rolesmith plan` wrote it"),
            "{what}:\n{}",
            r.stderr
        );
        // Resealed with a matching id: the proof refuses it, after reading, before writing.
        reseal(&mut edited);
        std::fs::write(&path, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
        let r = run_live(&moto, &["apply", &arg(&path), "--auto-approve", "--stats"]);
        assert_eq!(r.code, Some(1), "{what}: must be refused\n{}", r.stderr);
        assert!(
            r.stderr
                .contains("is not the plan its manifests and the account yield"),
            "{what}:\n{}",
            r.stderr
        );
        assert_eq!(writes(&stats_table(&r.stderr)), BTreeMap::new(), "{what}");
        // The reviewed id pins the plan even without the proof's help.
        let r = run_live(
            &moto,
            &[
                "apply",
                &arg(&path),
                "--expect-plan-id",
                &reviewed_id,
                "--auto-approve",
            ],
        );
        assert_eq!(r.code, Some(1), "{what}\n{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("not the expected plan {reviewed_id}")),
            "{what}:\n{}",
            r.stderr
        );
        assert_eq!(before, dump(&moto), "{what}: the account changed");
    }

    // The honest plan, with the id that was reviewed, applies exactly its one step.
    let r = run_live(
        &moto,
        &[
            "apply",
            &arg(&saved),
            "--expect-plan-id",
            &reviewed_id,
            "--auto-approve",
            "--stats",
        ],
    )
    .success();
    assert!(r.stdout.contains(&reviewed_id), "{}", r.stdout);
    assert_eq!(
        writes(&stats_table(&r.stderr)),
        BTreeMap::from([("PutRolePolicy".to_owned(), 1)])
    );
    let r = run_live(&moto, &["plan", &arg(dir.path())]).success();
    assert!(r.stdout.contains("No changes"), "{}", r.stdout);
}

#[test]
fn a_saved_plan_cannot_widen_ownership_or_opt_into_deletions() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    web_manifest(dir.path(), "s3:ListBucket");
    run_live(&moto, &["apply", &arg(dir.path()), "--auto-approve"]).success();
    web_manifest(dir.path(), "s3:GetObject");
    let out = tempfile::tempdir().expect("temp dir");
    let saved = out.path().join("plan.json");
    run_live(&moto, &["plan", &arg(dir.path()), "--out", &arg(&saved)]).success();
    let honest: Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("read")).expect("JSON");
    for (what, field, value, flag) in [
        (
            "ownership",
            "ownership",
            json!({"key": "owner", "value": "alice"}),
            "--ownership-tag",
        ),
        ("prune", "prune", json!(true), "--prune"),
    ] {
        let mut edited = honest.clone();
        edited["provenance"]["settings"][field] = value;
        let path = out.path().join("edited.json");
        std::fs::write(&path, serde_json::to_string_pretty(&edited).unwrap()).unwrap();
        let r = run_live(&moto, &["apply", &arg(&path), "--auto-approve"]);
        assert_eq!(r.code, Some(1), "{what}\n{}", r.stderr);
        assert!(
            r.stderr
                .contains(&format!("{flag} differs from the setting")),
            "{what}:\n{}",
            r.stderr
        );
    }
}

#[test]
fn rejected_manifests_make_no_call_not_even_get_caller_identity() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("bad.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: \"no spaces allowed\"\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n",
    )
    .unwrap();
    for command in ["plan", "apply", "drift"] {
        let mut args = vec![command, dir.path().to_str().unwrap()];
        if command == "apply" {
            args.push("--auto-approve");
        }
        args.extend(["--endpoint-url", proxy.endpoint.as_str()]);
        let r = run(&moto, &args);
        assert_eq!(r.code, Some(1), "{command}: {}", r.stderr);
        assert!(
            r.stderr.contains("bad.yaml:4:"),
            "{command}: the error names file and line\n{}",
            r.stderr
        );
        assert_eq!(
            proxy.actions(),
            Vec::<String>::new(),
            "{command} made calls"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Offline: the snapshot account.
// ---------------------------------------------------------------------------------------------

const OWNED: (&str, &str) = ("managed-by", "rolesmith");

fn role_json(name: &str) -> Value {
    json!({
        "name": name,
        "trustPolicy": serde_json::from_str::<Value>(EC2_TRUST).unwrap(),
        "tags": {OWNED.0: OWNED.1},
    })
}

fn write_snapshot(path: &Path, profile_roles: &[&str], profile_tags: Value) {
    let snapshot = json!({
        "accountId": "123456789012",
        "roles": {"web": role_json("web"), "plain": role_json("plain"),
                  "legacy": {"name": "legacy", "trustPolicy": serde_json::from_str::<Value>(EC2_TRUST).unwrap()}},
        "instanceProfiles": {"web": {"name": "web", "roles": profile_roles, "tags": profile_tags}},
        "instances": {"i-0123456789abcdef0": {"id": "i-0123456789abcdef0", "tags": {"app": "web"},
            "association": {"id": "iip-assoc-1", "profile": "web"}}},
    });
    std::fs::write(path, serde_json::to_string_pretty(&snapshot).unwrap()).unwrap();
}

fn profile_manifests(dir: &Path) {
    std::fs::write(
        dir.join("roles.yaml"),
        r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: web
spec:
  trust:
    - service: ec2.amazonaws.com
  instanceProfile: true
  ec2:
    selector:
      tags:
        app: web
---
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: plain
spec:
  trust:
    - service: ec2.amazonaws.com
"#,
    )
    .unwrap();
}

/// Runs the binary offline in `dir` (the manifests and snapshot there).
fn offline(dir: &Path, args: &[&str]) -> crate::support::Run {
    let mut cmd = crate::support::offline();
    cmd.current_dir(dir);
    crate::support::finish(cmd, args, "")
}

/// Applies `roles.yaml` to the snapshot `account.json` in `dir`; must succeed.
fn apply_offline(dir: &Path) {
    offline(
        dir,
        &[
            "apply",
            "roles.yaml",
            "--snapshot",
            "account.json",
            "--auto-approve",
        ],
    )
    .success();
}

fn ops(plan: &Value) -> Vec<String> {
    plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["operation"].as_str().unwrap(),
                s["target"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn profile_holding_another_owned_role_gets_its_role_back_without_being_deleted() {
    let dir = tempfile::tempdir().unwrap();
    profile_manifests(dir.path());
    // By hand: web taken out of its profile, plain put in.
    write_snapshot(
        &dir.path().join("account.json"),
        &["plain"],
        json!({OWNED.0: OWNED.1}),
    );
    let r = offline(
        dir.path(),
        &[
            "plan",
            "roles.yaml",
            "--snapshot",
            "account.json",
            "--format",
            "json",
        ],
    )
    .success();
    let plan = r.json();
    assert!(
        plan["changes"]
            .as_array()
            .unwrap()
            .iter()
            .all(|c| c["action"] != "delete"),
        "nothing is destroyed: {plan:#}"
    );
    assert_eq!(
        ops(&plan),
        [
            "RemoveRoleFromInstanceProfile instance profile web role plain",
            "AddRoleToInstanceProfile instance profile web role web",
        ],
        "the instance keeps its profile throughout"
    );
    apply_offline(dir.path());
    let r = offline(
        dir.path(),
        &["plan", "roles.yaml", "--snapshot", "account.json"],
    )
    .success();
    assert!(r.stdout.contains("No changes"), "{}", r.stdout);
}

#[test]
fn tag_added_by_hand_to_a_managed_instance_profile_is_drift_and_is_removed() {
    let dir = tempfile::tempdir().unwrap();
    profile_manifests(dir.path());
    write_snapshot(
        &dir.path().join("account.json"),
        &["web"],
        json!({OWNED.0: OWNED.1, "cost-center": "42"}),
    );
    let r = offline(
        dir.path(),
        &["drift", "roles.yaml", "--snapshot", "account.json"],
    );
    assert_eq!(
        r.code,
        Some(2),
        "drift is reported\n{}\n{}",
        r.stdout,
        r.stderr
    );
    assert!(
        r.stdout.contains("instance profile web") && r.stdout.contains("tag cost-center=42 added"),
        "{}",
        r.stdout
    );
    let r = offline(
        dir.path(),
        &[
            "plan",
            "roles.yaml",
            "--snapshot",
            "account.json",
            "--format",
            "json",
        ],
    )
    .success();
    assert_eq!(
        ops(&r.json()),
        ["UntagInstanceProfile instance profile web"],
        "declared profile tags are enforced"
    );
    apply_offline(dir.path());
    let r = offline(
        dir.path(),
        &["drift", "roles.yaml", "--snapshot", "account.json"],
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
}

#[test]
fn saved_plan_round_trips_to_the_same_plan() {
    let dir = tempfile::tempdir().unwrap();
    profile_manifests(dir.path());
    // A hand-made role a manifest names: a conflict, so every part of the plan is exercised.
    std::fs::write(
        dir.path().join("legacy.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: legacy\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n",
    )
    .unwrap();
    write_snapshot(
        &dir.path().join("account.json"),
        &["plain"],
        json!({OWNED.0: OWNED.1, "team": "x"}),
    );
    offline(
        dir.path(),
        &[
            "plan",
            ".",
            "--snapshot",
            "account.json",
            "--out",
            "plan.json",
        ],
    )
    .success();
    let json = offline(
        dir.path(),
        &[
            "plan",
            ".",
            "--snapshot",
            "account.json",
            "--format",
            "json",
        ],
    )
    .success()
    .json();
    let saved = rolesmith::plan::saved::SavedPlan::load(&dir.path().join("plan.json"))
        .expect("a saved plan");
    let doc: rolesmith::plan::wire::PlanDocument<Value> =
        rolesmith::plan::wire::from_json(json.clone()).expect("the JSON plan reads back");
    let from_json = rolesmith::plan::Plan::from(doc.plan);
    assert_eq!(saved.plan, from_json, "one serialization");
    assert!(!saved.plan.changes.is_empty() && !saved.plan.conflicts.is_empty());
    assert_eq!(saved.plan_id.to_string(), json["plan_id"].as_str().unwrap());
    // And writing the read-back plan gives the same document.
    assert_eq!(
        rolesmith::render::json::render_with_stats(&from_json, doc.context.as_ref(), None),
        serde_json::to_string_pretty(&json).unwrap() + "\n"
    );
}

// ---------------------------------------------------------------------------------------------
// Loud failures (issue 13): a typo must not pass as "no changes".
// ---------------------------------------------------------------------------------------------

#[test]
fn plan_of_a_folder_without_manifests_is_an_error_unless_allowed() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("empty")).unwrap();
    std::fs::write(
        dir.path().join("account.json"),
        r#"{"accountId": "123456789012"}"#,
    )
    .unwrap();
    for command in ["plan", "drift"] {
        let r = offline(
            dir.path(),
            &[command, "empty", "--snapshot", "account.json"],
        );
        assert_eq!(r.code, Some(1), "{command}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("no manifests: the manifests in `empty` declare no role"),
            "{command}: {}",
            r.stderr
        );
        let r = offline(
            dir.path(),
            &[
                command,
                "empty",
                "--snapshot",
                "account.json",
                "--allow-empty",
            ],
        );
        assert_eq!(r.code, Some(0), "{command}: {}", r.stderr);
    }
}

#[test]
fn a_mistyped_snapshot_path_is_an_error_for_plan_and_drift_and_a_new_account_for_apply() {
    let dir = tempfile::tempdir().unwrap();
    profile_manifests(dir.path());
    for command in ["plan", "drift"] {
        let r = offline(
            dir.path(),
            &[command, "roles.yaml", "--snapshot", "acount.json"],
        );
        assert_eq!(r.code, Some(1), "{command}: {}", r.stderr);
        assert!(
            r.stderr
                .contains("error: snapshot acount.json does not exist"),
            "{command}: {}",
            r.stderr
        );
    }
    let r = offline(
        dir.path(),
        &[
            "apply",
            "roles.yaml",
            "--snapshot",
            "new.json",
            "--auto-approve",
        ],
    )
    .success();
    assert_eq!(
        r.stderr
            .matches("does not exist; starting from an empty account")
            .count(),
        1,
        "said once: {}",
        r.stderr
    );
    assert!(dir.path().join("new.json").exists());
}

#[test]
fn usage_errors_exit_1_never_the_changes_present_code() {
    for args in [
        &["plan", "--no-such-flag"][..],
        &["plan", "--format", "yaml"],
        &[],
    ] {
        let r = crate::support::run_offline(args);
        assert_eq!(r.code, Some(1), "{args:?}: {}", r.stderr);
    }
    assert_eq!(crate::support::run_offline(&["--help"]).code, Some(0));
    assert_eq!(crate::support::run_offline(&["--version"]).code, Some(0));
}

#[test]
fn a_refused_connection_fails_at_once_naming_the_endpoint_without_a_debug_dump() {
    // A loopback port nobody listens on (bound, then released).
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let endpoint = format!("http://127.0.0.1:{port}");
    let mut cmd = crate::support::offline();
    cmd.env("AWS_ACCESS_KEY_ID", "testing")
        .env("AWS_SECRET_ACCESS_KEY", "testing")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE");
    let started = std::time::Instant::now();
    let r = crate::support::finish(
        cmd,
        &["plan", "examples/manifests", "--endpoint-url", &endpoint],
        "",
    );
    let took = started.elapsed();
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        took < std::time::Duration::from_secs(2),
        "took {took:?}: {}",
        r.stderr
    );
    assert!(
        r.stderr.contains(&format!("(endpoint {endpoint})")),
        "{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("hint: the endpoint cannot be reached"),
        "{}",
        r.stderr
    );
    assert!(
        !r.stderr.contains("DispatchFailure("),
        "no debug dump: {}",
        r.stderr
    );
}

#[test]
fn plan_and_apply_append_the_markdown_plan_to_the_github_step_summary() {
    let dir = tempfile::tempdir().unwrap();
    profile_manifests(dir.path());
    write_snapshot(
        &dir.path().join("account.json"),
        &["plain"],
        json!({OWNED.0: OWNED.1}),
    );
    let summary = dir.path().join("summary.md");
    for args in [
        &["plan", "roles.yaml", "--snapshot", "account.json"][..],
        &[
            "apply",
            "roles.yaml",
            "--snapshot",
            "account.json",
            "--auto-approve",
        ],
    ] {
        let mut cmd = crate::support::offline();
        cmd.current_dir(dir.path())
            .env("GITHUB_STEP_SUMMARY", &summary);
        crate::support::finish(cmd, args, "").success();
    }
    let text = std::fs::read_to_string(&summary).expect("the summary was written");
    assert_eq!(
        text.matches("### rolesmith plan for account `123456789012`")
            .count(),
        2,
        "{text}"
    );
    assert!(text.contains("Plan id: `sha256:"), "{text}");
}

#[test]
fn plan_counts_the_yaml_files_that_are_not_manifests_in_a_note() {
    let dir = tempfile::tempdir().unwrap();
    profile_manifests(dir.path());
    std::fs::write(
        dir.path().join("mkdocs.yml"),
        "site_name: docs\nnav:\n  - index.md\n",
    )
    .unwrap();
    write_snapshot(
        &dir.path().join("account.json"),
        &["web"],
        json!({OWNED.0: OWNED.1}),
    );
    let r = offline(dir.path(), &["plan", ".", "--snapshot", "account.json"]).success();
    assert!(
        r.stderr
            .contains("note: skipped 1 YAML file(s) without `apiVersion: rolesmith/…`"),
        "{}",
        r.stderr
    );
}
