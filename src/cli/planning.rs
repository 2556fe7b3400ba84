//! From settings to a plan: which account, which manifests, what to read, and the guards
//! (deletion limit, path prefix, binding regions) checked before anything is written.

use super::*;
use crate::codes;
use crate::diff::{select_targets, unknown_targets};
use crate::plan::{AccountSource, CiRun, RunContext};

/// The snapshot file when one is given, else the live account.
pub(super) fn open_account(
    settings: &Settings,
    runtime: &tokio::runtime::Runtime,
) -> Result<AnyAccount, BoxError> {
    let target = &settings.account;
    Ok(match &target.snapshot {
        Some(path) if !target.create_missing_snapshot && !path.exists() => {
            return Err(Box::new(UserError::new(
                format!("snapshot {} does not exist", path.display()),
                "check the path; `rolesmith snapshot --out FILE` captures the live account, and `rolesmith apply --snapshot FILE` starts a new snapshot from an empty account",
            )));
        }
        Some(path) => {
            AnyAccount::Snapshot(SnapshotAccount::open(path, &target.snapshot_account_id)?)
        }
        None => AnyAccount::Aws(runtime.block_on(AwsAccount::connect(settings.aws_options()))?),
    })
}

/// Manifests resolved against an account, and the account read.
pub(super) struct Planned {
    pub(super) plan: Plan,
    pub(super) account: AnyAccount,
    pub(super) desired: DesiredState,
    pub(super) live: AccountState,
    pub(super) scope: ReadScope,
    pub(super) files: Vec<PathBuf>,
    /// The manifests' warnings and infos (errors end the run before a plan).
    pub(super) findings: Vec<Diagnostic>,
    /// What the run ran against, for the headers.
    pub(super) context: RunContext,
}

/// What this run runs against, for the headers of plan, drift and apply: the account, the
/// snapshot file or how the live account was reached (the region and endpoint the SDK resolved,
/// the profile chosen), and the GitHub Actions run when its variables are set.
pub(super) fn run_context(
    settings: &Settings,
    account: &AnyAccount,
    account_id: &str,
) -> RunContext {
    let source = match (account, &settings.account.snapshot) {
        (AnyAccount::Aws(aws), _) => AccountSource::Live {
            region: aws.region().map(str::to_owned),
            profile: settings
                .account
                .live
                .profile
                .clone()
                .or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty())),
            endpoint_url: aws.endpoint_url().map(str::to_owned),
        },
        (AnyAccount::Snapshot(_), path) => AccountSource::Snapshot {
            path: path.clone().unwrap_or_default(),
        },
    };
    RunContext {
        account_id: account_id.to_owned(),
        source,
        ci: github_run(|name| std::env::var(name).ok().filter(|v| !v.is_empty())),
    }
}

/// The GitHub Actions run, from its default variables (`GITHUB_SHA`, `GITHUB_SERVER_URL`,
/// `GITHUB_REPOSITORY`, `GITHUB_RUN_ID`) as `var` reads them; `None` outside Actions.
pub(super) fn github_run(var: impl Fn(&str) -> Option<String>) -> Option<CiRun> {
    let commit = var("GITHUB_SHA");
    let repo_url = match (var("GITHUB_SERVER_URL"), var("GITHUB_REPOSITORY")) {
        (Some(server), Some(repo)) => Some(format!("{}/{repo}", server.trim_end_matches('/'))),
        _ => None,
    };
    let run = CiRun {
        commit_url: repo_url
            .as_ref()
            .zip(commit.as_ref())
            .map(|(repo, sha)| format!("{repo}/commit/{sha}")),
        run_url: repo_url
            .as_ref()
            .zip(var("GITHUB_RUN_ID"))
            .map(|(repo, id)| format!("{repo}/actions/runs/{id}")),
        commit,
    };
    (run != CiRun::default()).then_some(run)
}

/// The resolve context for `settings` in the account `identity` names.
fn resolve_context(settings: &Settings, identity: crate::account::Identity) -> ResolveContext {
    ResolveContext {
        account_id: identity.account_id,
        partition: identity.partition,
        ownership: settings.ownership.clone(),
        limits: settings.limits,
        lint: settings.lint.settings(),
        account: settings.account.scope.clone(),
        now: settings.now,
    }
}

/// The message of a run stopped by manifest errors.
pub(super) const MANIFEST_ERRORS: &str =
    "the manifests have errors; nothing was planned or changed";

fn manifest_errors() -> BoxError {
    Box::new(UserError::new(
        MANIFEST_ERRORS,
        "fix the errors above (`rolesmith validate` shows them without reading the account)",
    ))
}

/// Nothing is read from a live account until every manifest is valid: before connecting, the
/// manifests are checked as `validate` checks them (placeholders resolved against a stand-in
/// account). Only errors are printed here; the full pass after connecting prints the rest.
pub(super) fn check_before_connecting(settings: &Settings) -> Result<(), BoxError> {
    if !settings.account.is_live() {
        // A snapshot's identity is in the file: no call is made, and one pass suffices.
        return Ok(());
    }
    let ctx = ResolveContext {
        ownership: settings.ownership.clone(),
        limits: settings.limits,
        lint: settings.lint.settings(),
        account: settings.account.scope.clone(),
        now: settings.now,
        ..ResolveContext::offline()
    };
    let (desired, diagnostics, ..) = checked(settings, &ctx);
    if has_errors(&diagnostics) {
        print_diagnostics(&diagnostics);
        return Err(manifest_errors());
    }
    check_not_empty(settings, &desired)
}

/// The manifests validated in `ctx`: parsed from the settings' paths, or once for the whole
/// run over the inventory. Also the files read and those skipped.
fn checked(
    settings: &Settings,
    ctx: &ResolveContext,
) -> (DesiredState, Vec<Diagnostic>, Vec<PathBuf>, Vec<PathBuf>) {
    match &settings.manifests {
        Some(shared) => {
            let (desired, diagnostics) = crate::check::validate(&shared.0, ctx);
            (desired, diagnostics, shared.0.files.clone(), Vec::new())
        }
        None => crate::check::load_and_validate_noting_skipped(&settings.paths, ctx),
    }
}

/// Loads and validates the manifests against the account's identity. Diagnostics are printed;
/// errors end the run before anything is read beyond the identity. Returns the warnings and
/// infos too, for the Markdown plan.
pub(super) fn load_desired(
    settings: &Settings,
    account: &AnyAccount,
    runtime: &tokio::runtime::Runtime,
) -> Result<(DesiredState, ResolveContext, Vec<PathBuf>, Vec<Diagnostic>), BoxError> {
    let identity = runtime.block_on(account.identity())?;
    let ctx = resolve_context(settings, identity);
    let (mut desired, mut diagnostics, files, skipped) = checked(settings, &ctx);
    note_skipped(&skipped);
    if let Some(prefix) = &settings.path_prefix {
        scope_to_prefix(&mut desired, &mut diagnostics, prefix);
    }
    if matches!(account, AnyAccount::Aws(_)) {
        check_binding_regions(&desired, settings.region.as_deref(), &mut diagnostics);
    }
    print_diagnostics(&diagnostics);
    if has_errors(&diagnostics) {
        return Err(manifest_errors());
    }
    Ok((desired, ctx, files, diagnostics))
}

/// The plan of `desired` against `live`: the diff ordered into steps. The one place a plan is
/// computed, for `plan`, `apply` and the proof of a saved plan.
pub(super) fn derive_plan(
    settings: &Settings,
    desired: &DesiredState,
    live: &AccountState,
) -> Plan {
    let d = diff(
        desired,
        live,
        &DiffOptions {
            ownership: settings.ownership.clone(),
            prune: settings.prune,
        },
    );
    let mut plan = Plan::build(select_targets(d, &settings.targets), live, &settings.limits);
    crate::plan::expiries::annotate(
        &mut plan,
        &desired.expiring,
        settings.now,
        settings.warn_expiring_within,
    );
    plan
}

/// A `--target` that no manifest declares and the account does not have is a typo: refused,
/// rather than planned as "No changes".
fn check_targets(
    settings: &Settings,
    desired: &DesiredState,
    live: &AccountState,
) -> Result<(), BoxError> {
    let unknown = unknown_targets(&settings.targets, desired, live);
    if unknown.is_empty() {
        return Ok(());
    }
    let shown: Vec<String> = unknown.iter().map(|a| format!("`{a}`")).collect();
    Err(Box::new(UserError::new(
        format!(
            "--target {}: no manifest declares it and the account does not have it; nothing was planned",
            shown.join(", ")
        ),
        "addresses are written as plans print them: `role.NAME`, `instance_profile.NAME`, `binding.INSTANCE_ID`, `policy.NAME`, `oidc_provider.URL`, `saml_provider.NAME`",
    )))
}

/// Loads, validates, reads the account and plans, with the deletion guards. Diagnostics are
/// printed; errors end the run.
pub(super) fn make_plan(
    settings: &Settings,
    runtime: &tokio::runtime::Runtime,
) -> Result<Planned, BoxError> {
    check_before_connecting(settings)?;
    let account = open_account(settings, runtime)?;
    let (desired, _, files, findings) = load_desired(settings, &account, runtime)?;
    check_not_empty(settings, &desired)?;
    let scope = ReadScope::needed_by(&desired, settings.prune);
    let live = read_within_prefix(runtime, &account, &scope, settings)?;
    check_targets(settings, &desired, &live)?;
    let plan = derive_plan(settings, &desired, &live);
    check_deletions(&plan.deletions(), settings.max_deletions)?;
    let context = run_context(settings, &account, &live.account_id);
    Ok(Planned {
        plan,
        account,
        desired,
        live,
        scope,
        files,
        findings,
        context,
    })
}

/// The account read within `scope`, limited to `--path-prefix` as the live reader limits it
/// (`ListRoles` with the prefix), so a snapshot plans as the live account would.
pub(super) fn read_within_prefix(
    runtime: &tokio::runtime::Runtime,
    account: &AnyAccount,
    scope: &ReadScope,
    settings: &Settings,
) -> Result<AccountState, BoxError> {
    let mut live = read_account(runtime, account, scope)?;
    if let Some(prefix) = &settings.path_prefix {
        live.roles
            .retain(|_, r| r.path.starts_with(prefix.as_str()));
    }
    Ok(live)
}

/// An empty manifest set is almost always a mistyped path: plan, apply and drift refuse it
/// unless `--allow-empty` says it is meant (with `--prune` it would delete every owned role).
pub(super) fn check_not_empty(settings: &Settings, desired: &DesiredState) -> Result<(), BoxError> {
    if !desired.roles.is_empty()
        || !desired.policies.is_empty()
        || desired.declares_providers()
        || settings.allow_empty
    {
        return Ok(());
    }
    let paths = describe_paths(&settings.paths);
    Err(Box::new(if settings.prune {
        UserError::new(
            format!(
                "refusing to prune with no manifests: {paths} declare no role, so every role rolesmith owns would be deleted"
            ),
            "check the manifest paths; if deleting every owned role is really intended, pass --allow-empty",
        )
    } else {
        UserError::new(
            format!("no manifests: {paths} declare no role; nothing was read or planned"),
            "check the manifest paths (or `paths` in rolesmith.toml); pass --allow-empty if an empty set is intended",
        )
    }))
}

pub(super) fn describe_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        "the manifests under the current directory".to_owned()
    } else {
        let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
        format!("the manifests in {}", shown.join(", "))
    }
}

/// The `--max-deletions` guard.
pub(super) fn check_deletions(deleted: &[String], max: usize) -> Result<(), UserError> {
    if deleted.len() <= max {
        return Ok(());
    }
    let mut names = deleted
        .iter()
        .take(20)
        .map(String::as_str)
        .collect::<Vec<_>>()
        .join(", ");
    if deleted.len() > 20 {
        names.push_str(&format!(", … ({} more)", deleted.len() - 20));
    }
    // Roles are listed by name; other kinds say what they are (`policy NAME`).
    let what = if deleted.iter().all(|d| !d.contains(' ')) {
        "roles"
    } else {
        "roles, managed policies and identity providers"
    };
    Err(UserError::new(
        format!(
            "refusing a plan that deletes {} {what}; at most {max} may be deleted at once: {names}",
            deleted.len()
        ),
        format!(
            "if these deletions are intended, raise the limit with --max-deletions {} (or `max_deletions` in rolesmith.toml)",
            deleted.len()
        ),
    ))
}

/// The location of a manifest document's first line, for findings about a whole role.
pub(super) fn origin_location(
    origin: &crate::state::Origin,
) -> Option<crate::diagnostic::Location> {
    let text = fs_err::read_to_string(&origin.file).ok()?;
    Some(crate::manifest::source::SourceText::new(&origin.file, text).location(origin.line, 1, 1))
}

/// One run reads and binds instances in one region. A manifest whose `ec2.region` is not the
/// run's region is an error rather than silently bound in the wrong region.
pub(super) fn check_binding_regions(
    desired: &DesiredState,
    run_region: Option<&str>,
    diagnostics: &mut Vec<Diagnostic>,
) {
    let env_region = std::env::var("AWS_REGION")
        .or_else(|_| std::env::var("AWS_DEFAULT_REGION"))
        .ok();
    let run = run_region.map(str::to_owned).or(env_region);
    for (name, role) in &desired.roles {
        let Some(wanted) = role.bindings.as_ref().and_then(|b| b.region.as_deref()) else {
            continue;
        };
        if run.as_deref() != Some(wanted) {
            diagnostics.push(
                Diagnostic::new(
                    codes::BINDING_REGION_MISMATCH,
                    format!(
                        "role `{name}` binds instances in `{wanted}`, but this run's region is {}",
                        run.as_deref().map_or("not set".to_owned(), |r| format!("`{r}`"))
                    ),
                )
                .at_opt(origin_location(&role.origin), "this role")
                .with_help(format!(
                    "rolesmith binds instances in one region per run: run with --region {wanted} (for the roles of that region)"
                )),
            );
        }
    }
}

/// With `--path-prefix`, a manifest for a role outside the prefix is an error: rolesmith would
/// neither read nor manage it.
pub(super) fn scope_to_prefix(
    desired: &mut crate::state::DesiredState,
    diagnostics: &mut Vec<Diagnostic>,
    prefix: &str,
) {
    desired.roles.retain(|name, role| {
        let inside = role.role.path.starts_with(prefix);
        if !inside {
            diagnostics.push(
                Diagnostic::new(
                    codes::OUTSIDE_PATH_PREFIX,
                    format!(
                        "role `{name}` has path `{}`, outside --path-prefix `{prefix}`",
                        role.role.path
                    ),
                )
                .at_opt(origin_location(&role.origin), "this role")
                .with_help("move the role under the prefix, or run without --path-prefix"),
            );
        }
        inside
    });
}
