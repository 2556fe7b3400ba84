//! `--target ADDRESS` (issue 13): a partial plan and apply of named resources and what they
//! need, said to be partial, recorded in a saved plan, and refusing addresses that name nothing.

use std::path::Path;

use crate::support::{Run, finish, offline};

/// Two new roles, each with an instance profile, in `dir`; and a copy of the demo account.
fn setup(dir: &Path) {
    for name in ["alpha", "beta"] {
        std::fs::write(
            dir.join(format!("{name}.yaml")),
            format!(
                "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: {name}\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  instanceProfile: true\n"
            ),
        )
        .unwrap();
    }
    std::fs::create_dir(dir.join("account")).unwrap();
    std::fs::copy(
        crate::support::root().join("examples/snapshots/demo-account.json"),
        dir.join("account/demo.json"),
    )
    .unwrap();
}

fn run(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = offline();
    cmd.current_dir(dir);
    finish(cmd, args, "")
}

/// The addresses of the plan's changes, from its JSON.
fn changed(dir: &Path, args: &[&str]) -> Vec<String> {
    let mut all = vec![
        "plan",
        "alpha.yaml",
        "beta.yaml",
        "--snapshot",
        "account/demo.json",
    ];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--format", "json"]);
    let r = run(dir, &all);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    addresses(&r.stdout)
}

/// The addresses of a JSON plan's changes, as plans print them (`role.web`).
fn addresses(json: &str) -> Vec<String> {
    let plan: serde_json::Value = serde_json::from_str(json).unwrap();
    plan["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let a = &c["address"];
            format!(
                "{}.{}",
                a["type"].as_str().unwrap(),
                a["name"].as_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn a_role_target_plans_the_role_with_its_profile_and_says_the_plan_is_partial() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    assert_eq!(changed(dir.path(), &[]).len(), 4);
    assert_eq!(
        changed(dir.path(), &["--target", "role.alpha"]),
        ["role.alpha", "instance_profile.alpha"]
    );
    // A profile needs its role: the role's creation comes along.
    assert_eq!(
        changed(dir.path(), &["--target", "instance_profile.beta"]),
        ["role.beta", "instance_profile.beta"]
    );

    let text = run(
        dir.path(),
        &[
            "plan",
            ".",
            "--snapshot",
            "account/demo.json",
            "--target",
            "role.alpha",
        ],
    );
    assert_eq!(text.code, Some(0), "{}", text.stderr);
    assert!(
        text.stdout.contains(
            "warning: partial plan (--target role.alpha): 2 other change(s) and 0 conflict(s) are left out; plan without --target to see everything"
        ),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout
            .contains("Plan: 2 to add, 0 to change, 0 to destroy."),
        "{}",
        text.stdout
    );
}

#[test]
fn a_role_target_takes_the_managed_policy_it_attaches_and_the_provider_it_trusts() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    std::fs::write(
        dir.path().join("deploy.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: deploy\nspec:\n  trust:\n    - githubActions: {repo: example-org/app, ref: main}\n  managedPolicies: [policy:deploy-bucket]\n---\napiVersion: rolesmith/v1\nkind: ManagedPolicy\nmetadata:\n  name: deploy-bucket\nspec:\n  document:\n    Version: '2012-10-17'\n    Statement:\n      - {Effect: Allow, Action: s3:PutObject, Resource: 'arn:aws:s3:::deploy/*'}\n---\napiVersion: rolesmith/v1\nkind: ManagedPolicy\nmetadata:\n  name: unrelated\nspec:\n  document:\n    Version: '2012-10-17'\n    Statement:\n      - {Effect: Allow, Action: s3:GetObject, Resource: 'arn:aws:s3:::other/*'}\n---\napiVersion: rolesmith/v1\nkind: OIDCProvider\nmetadata:\n  name: github\nspec:\n  github: true\n",
    )
    .unwrap();
    let r = run(
        dir.path(),
        &[
            "plan",
            ".",
            "--snapshot",
            "account/demo.json",
            "--target",
            "role.deploy",
            "--format",
            "json",
        ],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let mut addresses = addresses(&r.stdout);
    addresses.sort();
    assert_eq!(
        addresses,
        [
            "oidc_provider.token.actions.githubusercontent.com",
            "policy.deploy-bucket",
            "role.deploy"
        ]
    );
}

#[test]
fn a_target_that_names_nothing_is_refused_and_a_malformed_one_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let typo = run(
        dir.path(),
        &[
            "plan",
            ".",
            "--snapshot",
            "account/demo.json",
            "--target",
            "role.alpah",
        ],
    );
    assert_eq!(typo.code, Some(1), "{}", typo.stderr);
    assert!(
        typo.stderr.contains(
            "error: --target `role.alpah`: no manifest declares it and the account does not have it; nothing was planned"
        ),
        "{}",
        typo.stderr
    );
    let malformed = run(
        dir.path(),
        &[
            "plan",
            ".",
            "--snapshot",
            "account/demo.json",
            "--target",
            "aws_iam_role.alpha",
        ],
    );
    assert_eq!(malformed.code, Some(1), "{}", malformed.stderr);
    assert!(
        malformed
            .stderr
            .contains("`aws_iam_role` is not a resource kind"),
        "{}",
        malformed.stderr
    );
}

#[test]
fn a_saved_partial_plan_applies_only_its_targets_and_keeps_them() {
    let dir = tempfile::tempdir().unwrap();
    setup(dir.path());
    let d = dir.path();
    let plan = run(
        d,
        &[
            "plan",
            ".",
            "--snapshot",
            "account/demo.json",
            "--target",
            "role.alpha",
            "--out",
            "plan.json",
        ],
    );
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("plan.json")).unwrap()).unwrap();
    assert_eq!(
        saved["provenance"]["settings"]["targets"],
        serde_json::json!([{"type": "role", "name": "alpha"}])
    );

    // Another target at apply time is refused: the reviewed plan runs as it was planned.
    let other = run(
        d,
        &[
            "apply",
            "plan.json",
            "--snapshot",
            "account/demo.json",
            "--target",
            "role.beta",
            "--auto-approve",
        ],
    );
    assert_eq!(other.code, Some(1), "{}", other.stderr);
    assert!(
        other.stderr.contains("--target differs"),
        "{}",
        other.stderr
    );

    let apply = run(
        d,
        &[
            "apply",
            "plan.json",
            "--snapshot",
            "account/demo.json",
            "--auto-approve",
        ],
    );
    assert_eq!(apply.code, Some(0), "{}", apply.stderr);
    // alpha is done; beta is still to come.
    assert_eq!(
        changed(d, &[]),
        ["role.beta", "instance_profile.beta"],
        "after the partial apply"
    );
}
