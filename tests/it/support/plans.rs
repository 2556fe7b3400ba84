//! The plan fixtures on disk (`tests/fixtures/plans/<scenario>`: manifests and `live.json`), the
//! real plan pipeline run in process on them, and their renderings.

use std::path::{Path, PathBuf};

use rolesmith::account::Mutation;
use rolesmith::account::snapshot::parse;
use rolesmith::check::{ResolveContext, validate};
use rolesmith::diagnostic::has_errors;
use rolesmith::diff::{DiffOptions, diff};
use rolesmith::manifest::load_paths;
use rolesmith::plan::{Action, Plan};
use rolesmith::render;
use rolesmith::state::AccountState;

use super::root;

/// `tests/fixtures/plans/<scenario>`.
pub fn fixture(scenario: &str) -> PathBuf {
    root().join("tests/fixtures/plans").join(scenario)
}

/// Every scenario directory under `tests/fixtures/plans`, sorted.
pub fn scenarios() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("tests/fixtures/plans"))
        .expect("fixtures directory")
        .map(|e| {
            e.expect("dir entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .collect();
    names.sort();
    names
}

/// Reads a snapshot file into the normalized model.
pub fn load_live(path: &Path) -> AccountState {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    parse(path, &text).unwrap_or_else(|e| panic!("{e}"))
}

/// The scenario's live account (`live.json`).
pub fn fixture_live(scenario: &str) -> AccountState {
    load_live(&fixture(scenario).join("live.json"))
}

/// Runs the real pipeline: load → validate (account id from the live state) → diff → plan.
pub fn plan_for(manifests: &Path, live: &AccountState, prune: bool) -> Plan {
    let loaded = load_paths(&[manifests.to_path_buf()]);
    let ctx = ResolveContext {
        account_id: live.account_id.clone(),
        partition: live.partition.clone(),
        ..ResolveContext::offline()
    };
    let (desired, diagnostics) = validate(&loaded, &ctx);
    assert!(
        !has_errors(&diagnostics),
        "manifests in {} have errors: {diagnostics:#?}",
        manifests.display()
    );
    assert!(
        !desired.roles.is_empty(),
        "no roles loaded from {}",
        manifests.display()
    );
    let d = diff(
        &desired,
        live,
        &DiffOptions {
            prune,
            ..DiffOptions::default()
        },
    );
    Plan::build(d, live, &ctx.limits)
}

/// Whether a scenario is planned with `--prune` (its directory holds a `prune` marker file).
pub fn fixture_prune(scenario: &str) -> bool {
    fixture(scenario).join("prune").exists()
}

/// Plans a fixture scenario against its `live.json`.
pub fn fixture_plan(scenario: &str) -> (Plan, AccountState) {
    let live = fixture_live(scenario);
    let plan = plan_for(
        &fixture(scenario).join("manifests"),
        &live,
        fixture_prune(scenario),
    );
    (plan, live)
}

/// The three renderings of a plan.
pub struct Rendered {
    /// `render::text::render(plan, false)`.
    pub text: String,
    /// `render::json::render(plan)`.
    pub json: String,
    /// `render::markdown::render(plan, 65_536)`.
    pub markdown: String,
}

/// Renders a plan in every format.
pub fn render_all(plan: &Plan) -> Rendered {
    Rendered {
        text: render::text::render(plan, false),
        json: render::json::render(plan),
        markdown: render::markdown::render(plan, 65_536),
    }
}

/// Index of the first step whose mutation matches.
pub fn step_index(plan: &Plan, pred: impl Fn(&Mutation) -> bool) -> Option<usize> {
    plan.steps.iter().position(|s| pred(&s.mutation))
}

/// Structural properties every plan must have: phases in order, deletions first in `changes`.
pub fn assert_plan_invariants(plan: &Plan) {
    assert!(
        plan.steps.windows(2).all(|w| w[0].phase <= w[1].phase),
        "steps are not in phase order: {:#?}",
        plan.steps
    );
    let first_non_delete = plan
        .changes
        .iter()
        .position(|c| c.action != Action::Delete)
        .unwrap_or(plan.changes.len());
    assert!(
        plan.changes[first_non_delete..]
            .iter()
            .all(|c| c.action != Action::Delete),
        "deletions are not listed first: {:#?}",
        plan.changes
    );
}
