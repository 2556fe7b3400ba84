//! `kind: ManagedPolicy`: validation and references offline, the gap-free replacement step by
//! step on the snapshot model, and the acceptance runs against moto (apply and re-plan, six
//! document edits, a deletion blocked by a hand-made role, a default version set by hand).
//!
//! The manifests are `tests/fixtures/policies/base` (a policy at a path attached to a role, and
//! a boundary policy), copied to a temp dir so a test can edit them.

use std::collections::BTreeMap;
use std::path::Path;

use rolesmith::account::snapshot::apply_mutation;
use rolesmith::state::AccountState;

use crate::support::iam::{stats_table, writes};
use crate::support::moto::{ACCOUNT_ID, Moto};
use crate::support::plans::plan_for;
use crate::support::{apply, arg, array, block_on, root, run_live, run_offline};

const REPORTS_ARN: &str = "arn:aws:iam::123456789012:policy/teams/data/reports-read";
const BOUNDARY_ARN: &str = "arn:aws:iam::123456789012:policy/boundary";

/// The fixture manifests in a fresh temp dir.
fn manifests() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for f in ["policies.yaml", "roles.yaml"] {
        std::fs::copy(
            root().join("tests/fixtures/policies/base").join(f),
            dir.path().join(f),
        )
        .expect("copy fixture");
    }
    dir
}

/// Replaces `from` with `to` in one manifest file (the edit must apply).
fn edit(dir: &Path, file: &str, from: &str, to: &str) {
    let path = dir.join(file);
    let text = std::fs::read_to_string(&path).expect("read manifest");
    assert!(text.contains(from), "{file} has no `{from}`");
    std::fs::write(&path, text.replacen(from, to, 1)).expect("write manifest");
}

/// The fixture manifests in a temp dir, applied to an empty snapshot-model account.
fn applied() -> (tempfile::TempDir, AccountState) {
    let dir = manifests();
    let mut state = AccountState::empty(ACCOUNT_ID, "aws");
    apply_stepwise(dir.path(), &mut state, |_, _| {});
    (dir, state)
}

/// A new description for `reports-read`: IAM cannot change it, so a replacement.
fn describe_anew(dir: &Path) {
    edit(
        dir,
        "policies.yaml",
        "description: Read the reports bucket",
        "description: Read the reports bucket (v2)",
    );
}

/// Applies the manifests to `state` in process (the snapshot account's semantics), step by
/// step, calling `each` after every step.
fn apply_stepwise(dir: &Path, state: &mut AccountState, each: impl FnMut(&str, &AccountState)) {
    apply_stepwise_pruning(dir, state, false, each);
}

/// [`apply_stepwise`], planned with `--prune` or not.
fn apply_stepwise_pruning(
    dir: &Path,
    state: &mut AccountState,
    prune: bool,
    mut each: impl FnMut(&str, &AccountState),
) {
    let plan = plan_for(dir, state, prune);
    for step in &plan.steps {
        apply_mutation(state, &step.mutation).unwrap_or_else(|e| {
            panic!(
                "{} {}: {e}",
                step.mutation.operation(),
                step.mutation.target()
            )
        });
        each(
            &format!("{} {}", step.mutation.operation(), step.mutation.target()),
            state,
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Offline.
// ---------------------------------------------------------------------------------------------

#[test]
fn a_reference_to_a_policy_declared_with_errors_is_not_reported_twice() {
    let dir = manifests();
    edit(
        dir.path(),
        "policies.yaml",
        "path: /teams/data/",
        "path: teams",
    );
    let run = run_offline(&["validate", &arg(dir.path()), "--format", "json"]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    let codes: Vec<&str> = out
        .as_array()
        .expect("a JSON array of diagnostics")
        .iter()
        .filter_map(|d| d["code"].as_str())
        .collect();
    assert_eq!(codes, ["invalid-path"], "{out:#}");
}

#[test]
fn an_undeclared_policy_reference_is_a_located_error_with_a_suggestion() {
    let dir = manifests();
    edit(
        dir.path(),
        "roles.yaml",
        "policy:reports-read",
        "policy:reports-raed",
    );
    let run = run_offline(&["validate", &arg(dir.path()), "--format", "json"]);
    assert_eq!(run.code, Some(1), "{}\n{}", run.stdout, run.stderr);
    let out = run.json();
    let found = out
        .as_array()
        .expect("a JSON array of diagnostics")
        .iter()
        .find(|d| d["code"] == "unknown-policy-reference")
        .unwrap_or_else(|| panic!("no unknown-policy-reference in {out:#}"));
    assert!(
        found["help"]
            .as_str()
            .unwrap()
            .contains("policy:reports-read"),
        "{found:#}"
    );
    let text = found.to_string();
    assert!(
        text.contains("roles.yaml") && text.contains("\"line\":9"),
        "{found:#}"
    );
}

#[test]
fn policy_references_resolve_to_the_arn_with_its_path() {
    let dir = manifests();
    let live = AccountState::empty(ACCOUNT_ID, "aws");
    let plan = plan_for(dir.path(), &live, false);
    let role = plan
        .steps
        .iter()
        .find_map(|s| match &s.mutation {
            rolesmith::account::Mutation::CreateRole { role } => Some(role),
            _ => None,
        })
        .expect("CreateRole");
    assert_eq!(role.permissions_boundary.as_deref(), Some(BOUNDARY_ARN));
    let phases: Vec<String> = plan
        .steps
        .iter()
        .map(|s| format!("{:?} {}", s.phase, s.mutation.operation()))
        .collect();
    assert_eq!(
        phases,
        [
            "CreatePolicies CreatePolicy",
            "CreatePolicies CreatePolicy",
            "CreateRoles CreateRole",
            "GrantPolicies AttachRolePolicy",
        ]
    );
}

/// The policies of `state` whose document grants what `reports-read` grants, attached to the
/// role, and the role's boundary if it is a policy that exists.
fn holds_permissions(state: &AccountState, want: &rolesmith::policy::Policy) -> (bool, bool) {
    let role = &state.roles["reports-reader"];
    let arn_of =
        |p: &rolesmith::state::ManagedPolicyState| p.arn(&state.partition, &state.account_id);
    let attached = state
        .policies
        .values()
        .any(|p| &p.document == want && role.managed_policies.contains(&arn_of(p)));
    let bounded = state
        .policies
        .values()
        .any(|p| Some(arn_of(p)) == role.permissions_boundary);
    (attached, bounded)
}

#[test]
fn a_description_or_path_change_never_leaves_the_role_without_its_permissions() {
    let (dir, mut state) = applied();
    let granted = state.policies["reports-read"].document.clone();
    // Both replaced at once: the attached policy's path and description, and the boundary's
    // description.
    edit(
        dir.path(),
        "policies.yaml",
        "path: /teams/data/",
        "path: /teams/analytics/",
    );
    edit(
        dir.path(),
        "policies.yaml",
        "description: Read the reports bucket",
        "description: Read the reports bucket (analytics)",
    );
    edit(
        dir.path(),
        "policies.yaml",
        "  name: boundary\nspec:\n",
        "  name: boundary\nspec:\n  description: The most any data role may do\n",
    );
    let plan = plan_for(dir.path(), &state, false);
    let replaced: Vec<String> = plan
        .changes
        .iter()
        .filter(|c| c.action == rolesmith::plan::Action::Replace)
        .map(|c| c.address.to_string())
        .collect();
    assert_eq!(replaced, ["policy.boundary", "policy.reports-read"]);
    let mut steps = 0;
    apply_stepwise(dir.path(), &mut state, |step, state| {
        steps += 1;
        let (attached, bounded) = holds_permissions(state, &granted);
        assert!(
            attached,
            "after {step} no attached policy grants the role's permissions"
        );
        assert!(bounded, "after {step} the role's boundary is no policy");
    });
    assert!(steps >= 10, "only {steps} steps");
    let role = &state.roles["reports-reader"];
    assert_eq!(
        role.managed_policies.iter().collect::<Vec<_>>(),
        ["arn:aws:iam::123456789012:policy/teams/analytics/reports-read"]
    );
    assert_eq!(role.permissions_boundary.as_deref(), Some(BOUNDARY_ARN));
    assert_eq!(
        state.policies.keys().collect::<Vec<_>>(),
        ["boundary", "reports-read"],
        "the temporary copies are gone"
    );
    assert!(plan_for(dir.path(), &state, false).is_empty());
}

#[test]
fn a_pruned_policy_is_detached_stripped_of_versions_and_deleted_after_the_role_changes() {
    let (dir, mut state) = applied();
    // A second version, so the deletion has a non-default version to remove first.
    edit(
        dir.path(),
        "policies.yaml",
        "s3:ListBucket\"]",
        "s3:ListBucket\", \"s3:GetObjectTagging\"]",
    );
    apply_stepwise(dir.path(), &mut state, |_, _| {});
    assert_eq!(state.policies["reports-read"].versions.len(), 2);
    // The role stops attaching it and its manifest goes.
    edit(
        dir.path(),
        "roles.yaml",
        "  managedPolicies:\n    - policy:reports-read\n",
        "",
    );
    let text = std::fs::read_to_string(dir.path().join("policies.yaml")).expect("read");
    let boundary_only = &text[text.find("---\n").expect("two documents") + 4..];
    std::fs::write(dir.path().join("policies.yaml"), boundary_only).expect("write");

    let kept = plan_for(dir.path(), &state, false);
    assert!(
        kept.notes
            .iter()
            .any(|n| n.contains("reports-read") && n.contains("--prune")),
        "{:?}",
        kept.notes
    );
    let plan = plan_for(dir.path(), &state, true);
    assert_eq!(plan.deletions(), ["policy reports-read"]);
    let order: Vec<String> = plan
        .steps
        .iter()
        .map(|s| format!("{:?} {}", s.phase, s.mutation.operation()))
        .collect();
    assert_eq!(
        order,
        [
            "RevokePolicies DetachRolePolicy",
            "DeletePolicies DeletePolicyVersion",
            "DeletePolicies DeletePolicy",
        ]
    );
    apply_stepwise_pruning(dir.path(), &mut state, true, |_, _| {});
    assert!(!state.policies.contains_key("reports-read"));
    assert!(plan_for(dir.path(), &state, true).is_empty());
}

// ---------------------------------------------------------------------------------------------
// Against moto.
// ---------------------------------------------------------------------------------------------

fn ok<T, E: std::error::Error>(result: Result<T, E>, what: &str) -> T {
    result.unwrap_or_else(|e| {
        panic!(
            "{what}: {}",
            aws_smithy_types::error::display::DisplayErrorContext(&e)
        )
    })
}

/// `plan --stats --format json`: the plan and the calls it made.
fn plan_with_stats(
    moto: &Moto,
    dir: &Path,
    extra: &[&str],
) -> (serde_json::Value, BTreeMap<String, u64>) {
    let path = arg(dir);
    let mut args = vec!["plan", path.as_str(), "--format", "json", "--stats"];
    args.extend(extra);
    let run = run_live(moto, &args);
    assert!(
        matches!(run.code, Some(0 | 2)),
        "{}\n{}",
        run.stdout,
        run.stderr
    );
    (run.json(), stats_table(&run.stderr))
}

fn versions(moto: &Moto, arn: &str) -> (Vec<String>, String) {
    let iam = moto.iam();
    block_on(async {
        let out = ok(
            iam.list_policy_versions().policy_arn(arn).send().await,
            "ListPolicyVersions",
        );
        let mut ids: Vec<String> = out
            .versions()
            .iter()
            .filter_map(|v| v.version_id().map(str::to_owned))
            .collect();
        ids.sort_by_key(|id| id[1..].parse::<u32>().unwrap_or(0));
        let default = out
            .versions()
            .iter()
            .find(|v| v.is_default_version())
            .and_then(|v| v.version_id())
            .unwrap_or_default()
            .to_owned();
        (ids, default)
    })
}

#[test]
fn policies_referenced_by_roles_apply_and_replan_empty_at_the_stated_cost() {
    let moto = Moto::start();
    let dir = manifests();
    let path = arg(dir.path());
    apply(&moto, &[&path]);
    let iam = moto.iam();
    block_on(async {
        let role = ok(
            iam.get_role().role_name("reports-reader").send().await,
            "GetRole",
        );
        let role = role.role().expect("role");
        assert_eq!(
            role.permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn()),
            Some(BOUNDARY_ARN)
        );
        let attached = ok(
            iam.list_attached_role_policies()
                .role_name("reports-reader")
                .send()
                .await,
            "ListAttachedRolePolicies",
        );
        let arns: Vec<&str> = attached
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_arn())
            .collect();
        assert_eq!(arns, [REPORTS_ARN]);
        let tags = ok(
            iam.list_policy_tags().policy_arn(REPORTS_ARN).send().await,
            "ListPolicyTags",
        );
        let tags: BTreeMap<&str, &str> = tags.tags().iter().map(|t| (t.key(), t.value())).collect();
        assert_eq!(
            tags,
            BTreeMap::from([("managed-by", "rolesmith"), ("team", "data")])
        );
    });
    // A no-change plan: the bulk pages (one ListRoles, one GetAccountAuthorizationDetails with
    // roles and customer managed policies), one ListPolicyTags per declared policy, the
    // identity and the listing of empty profiles; only reads.
    let (plan, stats) = plan_with_stats(&moto, dir.path(), &[]);
    assert!(array(&plan, "steps").is_empty(), "{plan:#}");
    assert!(array(&plan, "changes").is_empty(), "{plan:#}");
    assert!(writes(&stats).is_empty(), "{stats:?}");
    let declared = 2;
    assert_eq!(stats.get("ListPolicyTags"), Some(&declared), "{stats:?}");
    assert_eq!(
        stats.get("GetAccountAuthorizationDetails"),
        Some(&1),
        "{stats:?}"
    );
    assert_eq!(stats.get("ListEntitiesForPolicy"), None, "{stats:?}");
    // With --prune, every customer managed policy's tags are read (here: only the two).
    let (_, pruned) = plan_with_stats(&moto, dir.path(), &["--prune"]);
    assert_eq!(pruned.get("ListPolicyTags"), Some(&declared), "{pruned:?}");
}

#[test]
fn six_document_edits_leave_five_versions_with_the_latest_default() {
    let moto = Moto::start();
    let dir = manifests();
    let path = arg(dir.path());
    apply(&moto, &[&path]);
    let mut last = "\"arn:aws:s3:::reports/*\"]".to_owned();
    for i in 1..=6 {
        let next = format!("\"arn:aws:s3:::reports/*\", \"arn:aws:s3:::archive-{i}\"]");
        edit(dir.path(), "policies.yaml", &last, &next);
        last = next;
        let run = apply(&moto, &[&path]);
        assert!(
            run.stdout.contains("CreatePolicyVersion")
                || run.stderr.contains("CreatePolicyVersion"),
            "edit {i}: {}\n{}",
            run.stdout,
            run.stderr
        );
    }
    let (ids, default) = versions(&moto, REPORTS_ARN);
    assert_eq!(ids, ["v3", "v4", "v5", "v6", "v7"]);
    assert_eq!(default, "v7");
    let (plan, _) = plan_with_stats(&moto, dir.path(), &[]);
    assert!(array(&plan, "steps").is_empty(), "{plan:#}");
}

#[test]
fn deleting_a_policy_a_hand_made_role_attaches_is_a_conflict_and_no_call() {
    let moto = Moto::start();
    let dir = manifests();
    let path = arg(dir.path());
    apply(&moto, &[&path]);
    let iam = moto.iam();
    block_on(async {
        ok(
            iam.create_role()
                .role_name("hand-made")
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .send()
                .await,
            "CreateRole hand-made",
        );
        ok(
            iam.attach_role_policy()
                .role_name("hand-made")
                .policy_arn(REPORTS_ARN)
                .send()
                .await,
            "AttachRolePolicy hand-made",
        );
    });
    // The role stops using the policy and the policy's manifest goes.
    edit(
        dir.path(),
        "roles.yaml",
        "  managedPolicies:\n    - policy:reports-read\n",
        "",
    );
    let text = std::fs::read_to_string(dir.path().join("policies.yaml")).expect("read");
    let boundary_only = &text[text.find("---\n").expect("two documents") + 4..];
    std::fs::write(dir.path().join("policies.yaml"), boundary_only).expect("write");

    let (plan, _) = plan_with_stats(&moto, dir.path(), &["--prune"]);
    let conflicts = array(&plan, "conflicts");
    assert!(
        conflicts.iter().any(|c| c["code"] == "policy-in-use"
            && c["message"]
                .as_str()
                .is_some_and(|m| m.contains("role hand-made"))),
        "{plan:#}"
    );
    let run = run_live(
        &moto,
        &["apply", &path, "--prune", "--auto-approve", "--stats"],
    );
    assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
    let done = writes(&stats_table(&run.stderr));
    assert_eq!(
        done,
        BTreeMap::from([("DetachRolePolicy".to_owned(), 1)]),
        "only the managed role's detach runs; nothing touches the policy"
    );
    let (ids, _) = versions(&moto, REPORTS_ARN);
    assert_eq!(ids, ["v1"], "the policy is still there");
}

#[test]
fn a_default_version_set_by_hand_is_drift_and_one_apply_restores_it() {
    let moto = Moto::start();
    let dir = manifests();
    let path = arg(dir.path());
    apply(&moto, &[&path]);
    let iam = moto.iam();
    block_on(async {
        ok(
            iam.create_policy_version()
                .policy_arn(REPORTS_ARN)
                .policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
                )
                .set_as_default(true)
                .send()
                .await,
            "CreatePolicyVersion by hand",
        );
    });
    // Edited by hand (a new default version), then switched back by hand to that edit after
    // rolesmith restored the manifest's: each time drift, and one apply with one call restores.
    for (round, want) in [(1, "v3"), (2, "v4")] {
        let drift = run_live(&moto, &["drift", &path]);
        assert_eq!(
            drift.code,
            Some(2),
            "round {round}: {}\n{}",
            drift.stdout,
            drift.stderr
        );
        assert!(drift.stdout.contains("reports-read"), "{}", drift.stdout);
        let run = run_live(&moto, &["apply", &path, "--auto-approve", "--stats"]);
        assert_eq!(run.code, Some(0), "{}\n{}", run.stdout, run.stderr);
        assert_eq!(
            writes(&stats_table(&run.stderr)),
            BTreeMap::from([("CreatePolicyVersion".to_owned(), 1)]),
            "round {round}"
        );
        let (_, default) = versions(&moto, REPORTS_ARN);
        assert_eq!(default, want, "round {round}");
        block_on(async {
            ok(
                iam.set_default_policy_version()
                    .policy_arn(REPORTS_ARN)
                    .version_id("v2")
                    .send()
                    .await,
                "SetDefaultPolicyVersion v2 by hand",
            );
        });
    }
    let (ids, _) = versions(&moto, REPORTS_ARN);
    assert_eq!(ids, ["v1", "v2", "v3", "v4"]);
}

#[test]
fn imported_policies_are_referenced_by_name_and_plan_nothing_but_the_ownership_tags() {
    let moto = Moto::start();
    let iam = moto.iam();
    let hand_arn = "arn:aws:iam::123456789012:policy/teams/hand-made";
    block_on(async {
        ok(
            iam.create_policy()
                .policy_name("hand-made")
                .path("/teams/")
                .description("made in the console")
                .policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::reports/*"}]}"#,
                )
                .send()
                .await,
            "CreatePolicy hand-made",
        );
        ok(
            iam.create_policy()
                .policy_name("hand-boundary")
                .policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","Resource":"*"}]}"#,
                )
                .send()
                .await,
            "CreatePolicy hand-boundary",
        );
        ok(
            iam.create_role()
                .role_name("console-role")
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .permissions_boundary("arn:aws:iam::123456789012:policy/hand-boundary")
                .send()
                .await,
            "CreateRole console-role",
        );
        for arn in [hand_arn, "arn:aws:iam::aws:policy/ReadOnlyAccess"] {
            ok(
                iam.attach_role_policy()
                    .role_name("console-role")
                    .policy_arn(arn)
                    .send()
                    .await,
                "AttachRolePolicy",
            );
        }
    });

    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("imported");
    let r = run_live(&moto, &["import", "--out", &arg(&out), "--adopt"]).success();
    assert!(
        r.stderr.contains("1 role(s) and 2 managed policy file(s)"),
        "{}",
        r.stderr
    );
    let role = std::fs::read_to_string(out.join("console-role.yaml")).expect("role manifest");
    // Customer managed policies by name, AWS managed ones stay references.
    for want in [
        "policy:hand-made",
        "aws:ReadOnlyAccess",
        "permissionsBoundary: policy:hand-boundary",
    ] {
        assert!(role.contains(want), "{want} in:\n{role}");
    }
    let policy =
        std::fs::read_to_string(out.join("policies/teams/hand-made.yaml")).expect("policy file");
    for want in [
        "kind: ManagedPolicy",
        "path: /teams/",
        "description: made in the console",
        "adopt: true",
        "s3:GetObject",
    ] {
        assert!(policy.contains(want), "{want} in:\n{policy}");
    }
    assert!(out.join("policies/hand-boundary.yaml").is_file());
    // Round trip: only the ownership tags, then nothing.
    let (plan, _) = plan_with_stats(&moto, &out, &[]);
    let mut ops: Vec<&str> = array(&plan, "steps")
        .iter()
        .filter_map(|s| s["operation"].as_str())
        .collect();
    ops.sort_unstable();
    assert_eq!(ops, ["TagPolicy", "TagPolicy", "TagRole"], "{plan:#}");
    assert!(array(&plan, "conflicts").is_empty(), "{plan:#}");
    apply(&moto, &[&arg(&out)]);
    let (plan, _) = plan_with_stats(&moto, &out, &[]);
    assert!(array(&plan, "steps").is_empty(), "{plan:#}");
}

#[test]
fn max_deletions_counts_pruned_policies_and_providers_with_the_roles() {
    let dir = tempfile::tempdir().expect("temp dir");
    let doc = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "*"}]});
    let policy = |name: &str| {
        serde_json::json!({
            "name": name, "path": "/", "document": doc, "defaultVersion": "v1",
            "versions": [{"id": "v1", "document": doc}], "tags": {"managed-by": "rolesmith"}
        })
    };
    let account = dir.path().join("account.json");
    std::fs::write(
        &account,
        serde_json::json!({
            "accountId": ACCOUNT_ID,
            "policies": {"old-a": policy("old-a"), "old-b": policy("old-b")},
            "oidcProviders": {"auth.example.com": {"url": "auth.example.com",
                "clientIds": ["app"], "tags": {"managed-by": "rolesmith"}}}
        })
        .to_string(),
    )
    .expect("write snapshot");
    // One declared provider, so providers are compared (and the undeclared owned one pruned).
    std::fs::write(
        dir.path().join("m.yaml"),
        "apiVersion: rolesmith/v1\nkind: OIDCProvider\nmetadata:\n  name: github\nspec:\n  github: true\n",
    )
    .expect("write manifest");
    let plan = |max: &str| {
        run_offline(&[
            "plan",
            &arg(&dir.path().join("m.yaml")),
            "--snapshot",
            &arg(&account),
            "--prune",
            "--max-deletions",
            max,
        ])
    };
    let refused = plan("2");
    assert_eq!(
        refused.code,
        Some(1),
        "{}{}",
        refused.stdout,
        refused.stderr
    );
    assert!(
        refused.stderr.contains(
            "refusing a plan that deletes 3 roles, managed policies and identity providers; at most 2 may be deleted at once: OIDC provider auth.example.com, policy old-a, policy old-b"
        ),
        "{}",
        refused.stderr
    );
    let allowed = plan("3");
    assert_eq!(allowed.code, Some(0), "{}", allowed.stderr);
}

// ---------------------------------------------------------------------------------------------
// Review findings: each of these failed before its fix.
// ---------------------------------------------------------------------------------------------

/// The fixture applied, then the manifests swapped for `roles` (and `policies`, if any).
fn applied_then(roles: &str, policies: Option<&str>) -> (tempfile::TempDir, AccountState) {
    let (dir, state) = applied();
    std::fs::write(dir.path().join("roles.yaml"), roles).expect("write roles");
    match policies {
        Some(p) => std::fs::write(dir.path().join("policies.yaml"), p).expect("write policies"),
        None => std::fs::remove_file(dir.path().join("policies.yaml")).expect("remove"),
    }
    (dir, state)
}

#[test]
fn prune_keeps_an_undeclared_policy_a_declared_role_still_uses_by_arn() {
    let roles = format!(
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: reports-reader\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  managedPolicies:\n    - {REPORTS_ARN}\n  permissionsBoundary: {BOUNDARY_ARN}\n"
    );
    let (dir, state) = applied_then(&roles, None);
    let plan = plan_for(dir.path(), &state, true);
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    let codes: Vec<(String, &str)> = plan
        .conflicts
        .iter()
        .map(|c| (c.address.to_string(), c.code.code))
        .collect();
    assert_eq!(
        codes,
        [
            ("policy.boundary".to_owned(), "policy-still-referenced"),
            ("policy.reports-read".to_owned(), "policy-still-referenced")
        ]
    );
}

#[test]
fn a_role_is_not_pointed_at_a_policy_whose_change_is_blocked() {
    // The policy exists at another path without the ownership tag: its manifest is a conflict,
    // so the role must not move to the declared ARN, which does not exist.
    let (dir, mut state) = applied();
    let policy = state.policies.get_mut("reports-read").expect("applied");
    policy.path = "/other/".into();
    policy.tags.clear();
    let old = "arn:aws:iam::123456789012:policy/other/reports-read".to_owned();
    state
        .roles
        .get_mut("reports-reader")
        .expect("applied")
        .managed_policies = [old.clone()].into_iter().collect();
    let plan = plan_for(dir.path(), &state, false);
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    let codes: Vec<&str> = plan.conflicts.iter().map(|c| c.code.code).collect();
    assert_eq!(
        codes,
        ["unowned-policy", "needs-blocked-policy"],
        "{:#?}",
        plan.conflicts
    );
}

#[test]
fn the_temporary_copy_suffix_is_reserved_and_long_names_get_distinct_copies() {
    let dir = manifests();
    edit(
        dir.path(),
        "policies.yaml",
        "name: boundary",
        "name: reports-read.rolesmith-swap",
    );
    let r = run_offline(&["validate", &arg(dir.path())]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("which rolesmith reserves for the"),
        "{}",
        r.stderr
    );
    let a = format!("{}a", "p".repeat(127));
    let b = format!("{}b", "p".repeat(127));
    let (ca, cb) = (
        rolesmith::diff::bridge_name(&a),
        rolesmith::diff::bridge_name(&b),
    );
    assert_ne!(ca, cb);
    assert!(ca.len() <= 128 && ca.ends_with(".rolesmith-swap"), "{ca}");
}

#[test]
fn an_interrupted_replacement_converges_after_the_document_changes_too() {
    for interrupted_after in 1..=4 {
        let (dir, mut state) = applied();
        describe_anew(dir.path());
        let plan = plan_for(dir.path(), &state, false);
        for step in plan.steps.iter().take(interrupted_after) {
            apply_mutation(&mut state, &step.mutation).expect("step");
        }
        // The next commit edits the document as well.
        edit(
            dir.path(),
            "policies.yaml",
            "\"s3:ListBucket\"]",
            "\"s3:ListBucket\", \"s3:GetObjectTagging\"]",
        );
        apply_stepwise(dir.path(), &mut state, |_, _| {});
        assert!(
            plan_for(dir.path(), &state, false).is_empty(),
            "after {interrupted_after} step(s)"
        );
        assert_eq!(
            state.policies.keys().collect::<Vec<_>>(),
            ["boundary", "reports-read"],
            "after {interrupted_after} step(s): the copy is gone"
        );
    }
}

#[test]
fn an_unowned_policy_named_like_the_copy_blocks_the_replacement_in_the_plan() {
    let (dir, mut state) = applied();
    let mut squatter = state.policies["boundary"].clone();
    squatter.name = "reports-read.rolesmith-swap".into();
    squatter.tags.clear();
    state.policies.insert(squatter.name.clone(), squatter);
    describe_anew(dir.path());
    let plan = plan_for(dir.path(), &state, false);
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    assert!(
        plan.conflicts
            .iter()
            .any(|c| c.code.code == "unowned-policy" && c.message.contains("temporary copy")),
        "{:#?}",
        plan.conflicts
    );
}

#[test]
fn import_keeps_a_policy_as_an_arn_when_its_file_would_take_a_roles_place() {
    let (_dir, mut state) = applied();
    // A role at path /policies/ named like the boundary policy: both would be
    // policies/boundary.yaml.
    let mut twin = state.roles["reports-reader"].clone();
    twin.name = "boundary".into();
    twin.path = "/policies/".into();
    state.roles.insert(twin.name.clone(), twin);
    let imported = rolesmith::import::import(&state, &rolesmith::import::ImportOptions::default());
    let out = tempfile::tempdir().expect("temp dir");
    rolesmith::import::write(&imported, out.path(), "{}", false).expect("write");
    let plan = plan_for(out.path(), &state, false);
    assert!(plan.is_empty(), "{:#?}", plan.changes);
    assert!(
        imported
            .notes
            .iter()
            .any(|n| n.contains("roles name it by ARN")),
        "{:?}",
        imported.notes
    );
}

#[test]
fn a_reused_copy_is_attached_where_it_is_and_the_role_keeps_its_permissions() {
    // Interrupted after each step of a description change, then the path changes too: the
    // copy left at the old path is the one attached, never an ARN that does not exist.
    for interrupted_after in 1..=7 {
        let (dir, mut state) = applied();
        let granted = state.policies["reports-read"].document.clone();
        describe_anew(dir.path());
        let plan = plan_for(dir.path(), &state, false);
        for step in plan.steps.iter().take(interrupted_after) {
            apply_mutation(&mut state, &step.mutation).expect("step");
        }
        edit(
            dir.path(),
            "policies.yaml",
            "path: /teams/data/",
            "path: /teams/y/",
        );
        apply_stepwise(dir.path(), &mut state, |step, state| {
            let (attached, _) = holds_permissions(state, &granted);
            assert!(
                attached,
                "interrupted after {interrupted_after}: after {step} no attached policy grants the permissions"
            );
        });
        assert!(
            plan_for(dir.path(), &state, false).is_empty(),
            "interrupted after {interrupted_after}"
        );
    }
}

#[test]
fn a_replacement_is_refused_while_a_role_names_the_current_arn_literally() {
    let (dir, state) = applied();
    edit(dir.path(), "roles.yaml", "policy:reports-read", REPORTS_ARN);
    edit(
        dir.path(),
        "policies.yaml",
        "path: /teams/data/",
        "path: /teams/x/",
    );
    let plan = plan_for(dir.path(), &state, false);
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    assert!(
        plan.conflicts
            .iter()
            .any(|c| c.code.code == "policy-still-referenced"),
        "{:#?}",
        plan.conflicts
    );
}

#[test]
fn a_leftover_copy_used_outside_rolesmith_blocks_the_replacement() {
    let (dir, mut state) = applied();
    describe_anew(dir.path());
    let plan = plan_for(dir.path(), &state, false);
    apply_mutation(&mut state, &plan.steps[0].mutation).expect("the copy is created");
    state
        .policies
        .get_mut("reports-read.rolesmith-swap")
        .expect("copy")
        .attached_elsewhere = vec!["user bob".into()];
    let plan = plan_for(dir.path(), &state, false);
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    assert!(
        plan.conflicts
            .iter()
            .any(|c| c.code.code == "policy-in-use" && c.message.contains("user bob")),
        "{:#?}",
        plan.conflicts
    );
}

#[test]
fn path_prefix_limits_a_snapshot_as_it_limits_the_live_account() {
    let dir = manifests();
    let account = dir.path().join("account.json");
    let applied = run_offline(&[
        "apply",
        &arg(dir.path()),
        "--snapshot",
        &arg(&account),
        "--auto-approve",
    ]);
    assert_eq!(applied.code, Some(0), "{}", applied.stderr);
    // A manifest set for /app/ only, pruning: the role at / is outside and stays.
    let app = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        app.path().join("app.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: app-web\nspec:\n  path: /app/\n  trust:\n    - service: ec2.amazonaws.com\n",
    )
    .expect("write");
    let plan = run_offline(&[
        "plan",
        &arg(app.path()),
        "--snapshot",
        &arg(&account),
        "--prune",
        "--path-prefix",
        "/app/",
        "--format",
        "json",
    ]);
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    let plan = plan.json();
    assert!(
        !array(&plan, "changes")
            .iter()
            .any(|c| c["address"]["name"] == "reports-reader"),
        "{plan:#}"
    );
}
