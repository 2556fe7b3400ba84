//! Apply converges: after an apply the plan is empty, a second apply changes nothing, and the
//! steps of a plan can run twice. Exercised through the binary on the demo account and in
//! process on every plan fixture.

use std::path::{Path, PathBuf};

use rolesmith::account::AccountReader;
use rolesmith::account::snapshot::SnapshotAccount;
use rolesmith::plan::Plan;
use rolesmith::state::AccountState;

use crate::support::plans::{fixture, fixture_live, fixture_prune, load_live, plan_for, scenarios};
use crate::support::snapshot;
use crate::support::{DEMO, Run, finish, offline, root};

/// A copy of the demo account in a fresh temp dir.
fn demo_copy() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("account.json");
    std::fs::copy(root().join(DEMO), &path).unwrap();
    (dir, path)
}

/// Runs the binary offline with `args` and `stdin`.
fn run(args: &[&str], stdin: &str) -> Run {
    finish(offline(), args, stdin)
}

#[test]
fn demo_plan_shows_creates_and_updates_and_leaves_unowned_roles_alone() {
    let r = run(
        &[
            "plan",
            "examples/manifests",
            "--snapshot",
            DEMO,
            "--detailed-exitcode",
        ],
        "",
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let out = &r.stdout;
    assert!(
        out.contains("+ role.cloudwatch-agent will be created"),
        "{out}"
    );
    assert!(out.contains("+ instance_profile.cloudwatch-agent will be created"));
    assert!(out.contains("~ role.orders-lambda will be updated in place"));
    // An update with a policy diff.
    assert!(out.contains("~ inline policy orders-table:"));
    assert!(out.contains("-        \"dynamodb:Scan\""));
    assert!(out.contains("+        \"dynamodb:Query\","));
    // The unowned role is no business of this plan.
    assert!(!out.contains("legacy-admin"), "{out}");
    insta::assert_snapshot!("demo-plan", out);
}

#[test]
fn apply_then_plan_shows_no_changes_and_apply_again_changes_nothing() {
    let (_dir, path) = demo_copy();
    let snapshot = path.to_str().unwrap();
    let before = std::fs::read(&path).unwrap();

    let r = run(
        &[
            "apply",
            "examples/manifests",
            "--snapshot",
            snapshot,
            "--auto-approve",
        ],
        "",
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("Apply complete:"), "{}", r.stdout);
    let applied = std::fs::read(&path).unwrap();
    assert_ne!(before, applied, "apply rewrote the snapshot");

    let r = run(
        &[
            "plan",
            "examples/manifests",
            "--snapshot",
            snapshot,
            "--detailed-exitcode",
        ],
        "",
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("No changes"), "{}", r.stdout);

    let r = run(
        &[
            "apply",
            "examples/manifests",
            "--snapshot",
            snapshot,
            "--auto-approve",
        ],
        "",
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(
        std::fs::read(&path).unwrap(),
        applied,
        "second apply changed the file"
    );

    // The unowned role survived untouched.
    let live = load_live(&path);
    let demo = load_live(&root().join(DEMO));
    assert_eq!(live.roles["legacy-admin"], demo.roles["legacy-admin"]);
}

#[test]
fn apply_without_auto_approve_on_a_pipe_refuses() {
    let (_dir, path) = demo_copy();
    let before = std::fs::read(&path).unwrap();
    // Even a piped "yes" is not a confirmation.
    let r = run(
        &[
            "apply",
            "examples/manifests",
            "--snapshot",
            path.to_str().unwrap(),
        ],
        "yes\n",
    );
    assert_eq!(r.code, Some(1), "{}\n{}", r.stdout, r.stderr);
    insta::assert_snapshot!("apply-on-a-pipe-refused", snapshot::render(&r));
    assert_eq!(
        std::fs::read(&path).unwrap(),
        before,
        "the file is unchanged"
    );
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap()
}

/// Applies `plan` to `state` through a snapshot account writing into `dir`; returns the result.
fn apply_in_memory(plan: &Plan, state: AccountState, dir: &Path) -> AccountState {
    let account = SnapshotAccount::from_state(dir.join("account.json"), state);
    let rt = runtime();
    let report = rt
        .block_on(rolesmith::apply::apply(
            plan,
            &account,
            &rolesmith::apply::OwnershipGuard::unchecked(),
            Default::default(),
            &|_, _, _| {},
        ))
        .unwrap_or_else(|e| panic!("apply failed: {e}"));
    assert_eq!(report.applied, plan.steps.len());
    let state = rt.block_on(account.read()).unwrap();
    // What was checkpointed is what is in memory.
    if !plan.steps.is_empty() {
        assert_eq!(load_live(&dir.join("account.json")), state);
    }
    state
}

/// Apply, re-plan (no steps left), and run the old plan's steps once more (no error, no change).
fn converges(manifests: &Path, live: AccountState, prune: bool, what: &str) {
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_for(manifests, &live, prune);
    let after = apply_in_memory(&plan, live, dir.path());
    let replan = plan_for(manifests, &after, prune);
    assert!(
        replan.steps.is_empty() && replan.changes.is_empty(),
        "{what}: changes left after apply: {:#?}\n{:#?}",
        replan.changes,
        replan.steps
    );
    assert_eq!(
        replan.conflicts, plan.conflicts,
        "{what}: apply does not touch conflicts"
    );
    let again = apply_in_memory(&plan, after.clone(), dir.path());
    assert_eq!(
        again, after,
        "{what}: running the steps twice changed the state"
    );
}

#[test]
fn demo_converges_in_process() {
    let live = load_live(&root().join(DEMO));
    let manifests = root().join("examples/manifests");
    let dir = tempfile::tempdir().unwrap();
    let plan = plan_for(&manifests, &live, false);
    assert!(!plan.is_empty());
    let after = apply_in_memory(&plan, live.clone(), dir.path());
    assert!(plan_for(&manifests, &after, false).is_empty());
    converges(&manifests, live, false, "demo");
}

#[test]
fn every_plan_fixture_converges() {
    let scenarios = scenarios();
    assert!(scenarios.len() >= 20, "{scenarios:?}");
    for scenario in scenarios {
        converges(
            &fixture(&scenario).join("manifests"),
            fixture_live(&scenario),
            fixture_prune(&scenario),
            &scenario,
        );
    }
}
