//! Import round trips: live state → manifests → plan must be empty, and output is stable.

use std::path::Path;

use rolesmith::account::snapshot::SnapshotAccount;
use rolesmith::account::{AccountReader, AccountWriter};
use rolesmith::check::{ResolveContext, load_and_validate};
use rolesmith::diff::{DiffOptions, diff};
use rolesmith::import::{ImportOptions, import, write};
use rolesmith::plan::Plan;
use rolesmith::state::AccountState;

use crate::support::block_on;

/// The demo account after the examples were applied to it: every role kind of the seed.
fn applied_demo() -> AccountState {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acct.json");
    std::fs::copy("examples/snapshots/demo-account.json", &file).unwrap();
    let account = SnapshotAccount::open(&file, "123456789012").unwrap();
    let live = block_on(account.read()).unwrap();
    let ctx = ResolveContext {
        account_id: live.account_id.clone(),
        ..ResolveContext::offline()
    };
    let (desired, diags, _) = load_and_validate(&["examples/manifests".into()], &ctx);
    assert!(diags.is_empty(), "{diags:?}");
    let plan = Plan::build(
        diff(&desired, &live, &DiffOptions::default()),
        &live,
        &ctx.limits,
    );
    block_on(rolesmith::apply::apply(
        &plan,
        &account,
        &rolesmith::apply::OwnershipGuard::new(&live, &desired, &ctx.ownership),
        Default::default(),
        &|_, _, _| {},
    ))
    .unwrap();
    block_on(account.checkpoint()).unwrap();
    account.state().unwrap()
}

/// Imports `state` into `dir` and plans the result against the same state.
fn import_and_plan(state: &AccountState, opts: &ImportOptions, dir: &Path) -> Plan {
    let imported = import(state, opts);
    write(&imported, dir, &rolesmith::schema::manifest_schema(), false).unwrap();
    let ctx = ResolveContext {
        account_id: state.account_id.clone(),
        ..ResolveContext::offline()
    };
    let (desired, diags, _) = load_and_validate(&[dir.to_path_buf()], &ctx);
    assert!(
        !rolesmith::diagnostic::has_errors(&diags),
        "imported manifests do not validate: {diags:#?}"
    );
    Plan::build(
        diff(&desired, state, &DiffOptions::default()),
        state,
        &ctx.limits,
    )
}

#[test]
fn importing_the_demo_account_plans_nothing_but_adoptions() {
    let state = applied_demo();
    let dir = tempfile::tempdir().unwrap();
    let plan = import_and_plan(
        &state,
        &ImportOptions {
            adopt: true,
            with_bindings: true,
            ..ImportOptions::default()
        },
        dir.path(),
    );
    // The examples are owned; only the hand-made legacy-admin and the directory team's SAML
    // provider are adopted, by tagging them.
    let tagged: Vec<String> = plan.changes.iter().map(|c| c.address.to_string()).collect();
    assert_eq!(
        tagged,
        ["role.legacy-admin", "saml_provider.corporate-idp"],
        "{plan:#?}"
    );
    assert!(plan.conflicts.is_empty(), "{:#?}", plan.conflicts);
    assert!(
        plan.steps
            .iter()
            .all(|s| ["TagRole", "TagSAMLProvider"].contains(&s.mutation.operation())),
        "{:#?}",
        plan.steps
    );
}

#[test]
fn without_adopt_unowned_roles_are_conflicts_and_owned_ones_are_clean() {
    let state = applied_demo();
    let dir = tempfile::tempdir().unwrap();
    let plan = import_and_plan(&state, &ImportOptions::default(), dir.path());
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    // The hand-made role and the directory team's SAML provider.
    assert_eq!(plan.conflicts.len(), 2, "{:#?}", plan.conflicts);
    assert!(
        plan.conflicts
            .iter()
            .all(|c| c.help.contains("adopt: true"))
    );
}

#[test]
fn import_is_deterministic_and_refuses_to_overwrite() {
    let state = applied_demo();
    let opts = ImportOptions {
        adopt: true,
        ..ImportOptions::default()
    };
    let first = import(&state, &opts);
    let second = import(&applied_demo(), &opts);
    assert_eq!(first, second);
    let dir = tempfile::tempdir().unwrap();
    let schema = rolesmith::schema::manifest_schema();
    let report = write(&first, dir.path(), &schema, false).unwrap();
    assert_eq!(report.written.len(), first.files.len());
    let again = write(&first, dir.path(), &schema, false).unwrap();
    assert!(again.written.is_empty());
    assert_eq!(again.skipped.len(), first.files.len());
    let forced = write(&first, dir.path(), &schema, true).unwrap();
    assert_eq!(forced.written.len(), first.files.len());
}

#[test]
fn imported_files_look_like_this() {
    let state = applied_demo();
    let imported = import(
        &state,
        &ImportOptions {
            adopt: true,
            with_bindings: true,
            ..ImportOptions::default()
        },
    );
    for role in [
        "cloudwatch-agent",
        "github-deploy",
        "legacy-admin",
        "AWSServiceRoleForAutoScaling",
    ] {
        let file = imported.files.iter().find(|f| f.name == role).unwrap();
        insta::assert_snapshot!(role, format!("# {}\n{}", file.path.display(), file.text));
    }
}
