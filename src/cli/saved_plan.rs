//! `apply plan.json`: a saved plan runs only once it has proved itself.
//!
//! A plan file is an artifact that anyone with write access to CI storage could replace, so
//! nothing in it is trusted on its word. In order, before any write:
//! 1. its steps must hash to the plan id it states (and to `--expect-plan-id`, the id the
//!    reviewer saw);
//! 2. the settings that decide ownership and deletions (ownership tag, path prefix, prune) must
//!    be the ones this apply resolves itself from its flags and `rolesmith.toml`;
//! 3. the manifests must be byte-identical to the ones it was made from;
//! 4. the account must be the one it was made for, and the resources it read must not have
//!    moved (the fingerprint names what did);
//! 5. re-deriving the plan from those manifests and the re-read account must give exactly the
//!    saved plan (the proof);
//! 6. the ownership guard refuses any step on an unowned resource.
//!
//! Apply then runs the saved steps; the re-derived plan is evidence, never what runs.

use super::*;
use crate::plan::PlanId;

/// How a refusal ends, with the way out.
pub(super) fn refuse(message: String, hint: impl Into<String>) -> BoxError {
    Box::new(UserError::new(message, hint))
}

/// `apply plan.json`.
pub(super) fn apply_saved(
    settings: Settings,
    saved: SavedPlan,
    path: &Path,
    auto_approve: bool,
    expect_plan_id: Option<&str>,
) -> Result<ExitStatus, BoxError> {
    check_expected_id(&saved.plan_id, path, expect_plan_id)?;
    let Proved {
        settings,
        runtime,
        account,
        desired,
        live,
    } = prove_saved(settings, &saved, path)?;
    let s = saved.plan.summary();
    let context = run_context(&settings, &account, &live.account_id);
    println!("{}", render::header::text_line(&context));
    println!(
        "Saved plan {} ({}) for account {}: {} to add, {} to change, {} to destroy; {} step(s).",
        path.display(),
        saved.plan_id,
        saved.plan.account_id,
        s.add,
        s.change,
        s.destroy,
        saved.plan.steps.len()
    );
    print!("{}", step_list(&saved.plan));
    append_step_summary(&saved.plan, &context, &[]);
    if saved.plan.steps.is_empty() {
        if settings.account.live.stats {
            print_stats(&account);
        }
        return Ok(ExitStatus::Success);
    }
    if !confirm(auto_approve)? {
        return Ok(ExitStatus::Failure);
    }
    let guard = OwnershipGuard::new(&live, &desired, &settings.ownership);
    run_steps(
        &saved.plan,
        &account,
        &guard,
        &settings,
        &runtime,
        (s.add, s.change, s.destroy),
        AFTER_FAILURE,
    )
}

/// The hint after a saved plan's step failed.
pub(super) const AFTER_FAILURE: &str = "every step that succeeded is in the account, so this saved plan no longer matches it: \
     make a new plan (`rolesmith plan --out`) and apply that";

/// One line per step: what apply is about to run.
pub(super) fn step_list(plan: &Plan) -> String {
    plan.steps
        .iter()
        .map(|step| {
            format!(
                "  {} {}\n",
                step.mutation.operation(),
                step.mutation.target()
            )
        })
        .collect()
}

/// A saved plan that proved itself against its account (steps 2 to 5), with what applying it
/// needs: the settings it resolved, the account opened on its runtime, and the desired and
/// live state the ownership guard checks.
pub(super) struct Proved {
    /// This apply's settings, with the plan's manifest paths.
    pub(super) settings: Settings,
    /// The runtime the account's clients were made on.
    pub(super) runtime: tokio::runtime::Runtime,
    /// The account.
    pub(super) account: AnyAccount,
    /// The manifests' desired state.
    pub(super) desired: DesiredState,
    /// The account as re-read.
    pub(super) live: AccountState,
}

/// Steps 2 to 5 of the module docs for `saved`, and the deletion limit; nothing is written.
pub(super) fn prove_saved(
    settings: Settings,
    saved: &SavedPlan,
    path: &Path,
) -> Result<Proved, BoxError> {
    let mut settings = saved_plan_settings(settings, &saved.provenance.settings, path)?;
    // The plan is proved at the instant it was made at; an `expiresAt` between then and now
    // would have changed it, and refuses it below.
    let applying_at = settings.now;
    let planned_at = saved.provenance.planned_at.unwrap_or(applying_at);
    settings.now = planned_at;
    check_manifests_unchanged(saved, &settings, path)?;
    check_before_connecting(&settings)?;
    let runtime = tokio_runtime()?;
    let account = open_account(&settings, &runtime)?;
    let proved = prove_against_account(saved, &settings, &account, &runtime, path);
    let (desired, live) = match proved {
        Ok(evidence) => evidence,
        Err(e) => {
            if settings.account.live.stats {
                print_stats(&account);
            }
            return Err(e);
        }
    };
    check_no_expiry_between(&desired, planned_at, applying_at, path)?;
    check_deletions(&saved.plan.deletions(), settings.max_deletions)?;
    settings.now = applying_at;
    Ok(Proved {
        settings,
        runtime,
        account,
        desired,
        live,
    })
}

/// Refuses a plan made before an `expiresAt` that has passed since: what it would run is no
/// longer what the manifests say.
fn check_no_expiry_between(
    desired: &DesiredState,
    planned_at: crate::expiry::Instant,
    applying_at: crate::expiry::Instant,
    path: &Path,
) -> Result<(), BoxError> {
    let ended: Vec<String> = desired
        .expiring
        .iter()
        .filter(|e| planned_at < e.at && e.at <= applying_at)
        .map(|e| {
            format!(
                "{}: {} expired {} ({})",
                e.address, e.element, e.at, e.location
            )
        })
        .collect();
    if ended.is_empty() {
        return Ok(());
    }
    Err(refuse(
        format!(
            "{} was planned at {planned_at}, and since then {} element(s) of its manifests expired: {}; nothing was changed",
            path.display(),
            ended.len(),
            ended.join("; ")
        ),
        replan(path),
    ))
}

/// The way out of a refused saved plan.
pub(super) fn replan(path: &Path) -> String {
    format!(
        "make a new plan with `rolesmith plan --out {}`, review it, and apply that",
        path.display()
    )
}

/// Step 1: the id the reviewer saw.
pub(super) fn check_expected_id(
    plan_id: &PlanId,
    path: &Path,
    expected: Option<&str>,
) -> Result<(), BoxError> {
    match expected {
        Some(id) if !plan_id.matches(id) => Err(refuse(
            format!(
                "{} is plan {}, not the expected plan {id}; nothing was changed",
                path.display(),
                plan_id
            ),
            "apply only the plan that was reviewed: the plan id is printed with the plan and in the PR comment",
        )),
        _ => Ok(()),
    }
}

/// Step 2: this apply's own settings, with the manifest paths the plan names
/// ([`Settings::for_saved_plan`]).
fn saved_plan_settings(
    settings: Settings,
    fixed: &PlanSettings,
    path: &Path,
) -> Result<Settings, BoxError> {
    settings.for_saved_plan(fixed).map_err(|m| {
        refuse(
            format!(
                "{} differs from the setting {} was planned with: it was planned {}, but this apply resolves {}; nothing was changed",
                m.flag,
                path.display(),
                m.planned,
                m.resolved
            ),
            m.hint,
        )
    })
}

/// Step 3: the manifests, byte for byte.
fn check_manifests_unchanged(
    saved: &SavedPlan,
    settings: &Settings,
    path: &Path,
) -> Result<(), BoxError> {
    let files = crate::manifest::load::manifest_files(&settings.paths);
    let changed = saved
        .provenance
        .manifests
        .changes(&ManifestDigest::of_files(&files)?);
    if changed.is_empty() {
        return Ok(());
    }
    let list = |v: &[PathBuf]| {
        v.iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let what: Vec<String> = [
        ("edited", &changed.edited),
        ("added", &changed.added),
        ("removed", &changed.removed),
    ]
    .into_iter()
    .filter(|(_, files)| !files.is_empty())
    .map(|(how, files)| format!("{how}: {}", list(files)))
    .collect();
    Err(refuse(
        format!(
            "the manifests changed since {} was made ({}); nothing was changed",
            path.display(),
            what.join("; ")
        ),
        replan(path),
    ))
}

/// Steps 4 and 5: the account, what moved in it, and the proof. Returns the desired and live
/// state the guard needs.
fn prove_against_account(
    saved: &SavedPlan,
    settings: &Settings,
    account: &AnyAccount,
    runtime: &tokio::runtime::Runtime,
    path: &Path,
) -> Result<(DesiredState, AccountState), BoxError> {
    let (desired, ctx, ..) = load_desired(settings, account, runtime)?;
    let account_id = &saved.plan.account_id;
    if ctx.account_id != *account_id {
        return Err(refuse(
            format!(
                "{} was made for account {account_id}, but the credentials reach account {}",
                path.display(),
                ctx.account_id
            ),
            "use the credentials of the account the plan was made for",
        ));
    }
    let fixed = &saved.provenance.settings;
    let scope = ReadScope::needed_by(&desired, settings.prune);
    if scope != fixed.scope {
        return Err(refuse(
            format!(
                "{} reads other EC2 state than its manifests need (its saved read scope was edited); nothing was changed",
                path.display()
            ),
            replan(path),
        ));
    }
    let live = read_within_prefix(runtime, account, &scope, settings)?;
    let fingerprint = &saved.provenance.live;
    let moved = fingerprint.moved(&fingerprint.retake(&live, &settings.ownership));
    if !moved.is_empty() {
        for m in &moved {
            eprintln!("{}", render::drift::describe_moved(m));
        }
        eprintln!();
        return Err(refuse(
            format!(
                "{} is stale: {} resource(s) changed since it was made; nothing was changed",
                path.display(),
                moved.len()
            ),
            replan(path),
        ));
    }
    let derived = derive_plan(settings, &desired, &live);
    if let Err(unproven) = saved::prove(&saved.plan, &derived) {
        return Err(refuse(
            format!(
                "{} is not the plan its manifests and the account yield ({unproven}); nothing was changed",
                path.display()
            ),
            format!(
                "the file was edited or made by another rolesmith: {}",
                replan(path)
            ),
        ));
    }
    Ok((desired, live))
}
