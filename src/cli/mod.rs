//! The command line: clap arguments, resolved into calls on the library, and exit codes.
//!
//! Library code never prints or exits; this module owns stdout (data), stderr (diagnostics and
//! progress) and the exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod args;
mod capture;
mod settings;

pub use args::{AccountArgs, Cli, Command, DiagnosticFormat, LiveArgs, PermissionsFor, PlanArgs};
pub use settings::{DEFAULT_MAX_DELETIONS, Settings};

use crate::account::aws::{AwsAccount, AwsOptions};
use crate::account::snapshot::SnapshotAccount;
use crate::account::{AccountReader, AnyAccount, ReadScope};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, has_errors};
use crate::diff::{DiffOptions, diff};
use crate::manifest::{ResolveContext, load_and_validate, load_paths, validate};
use crate::plan::saved::{self, LiveFingerprint, ManifestDigest, PlanSettings, SavedPlan};
use crate::plan::{Action, Address, Plan};
use crate::render::{self, Format};
use crate::state::{AccountState, DesiredState};

/// How the process ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExitStatus {
    /// Success, or no changes.
    Success,
    /// An error (bad input, failed apply).
    Failure,
    /// Changes present (with `--detailed-exitcode`).
    Changes,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
        })
    }
}

/// A failure reported to the user with a hint.
#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct UserError {
    message: String,
    hint: Option<String>,
}

impl UserError {
    pub(crate) fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
        Self {
            message: message.into(),
            hint: Some(hint.into()),
        }
    }
}

fn stderr_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stderr().is_terminal()
}

fn stdout_color() -> bool {
    std::env::var_os("NO_COLOR").is_none() && std::io::stdout().is_terminal()
}

/// Runs the CLI and returns the exit status. Errors are printed here, once.
pub fn run(cli: Cli) -> ExitStatus {
    init_logging(cli.verbose);
    let config = || -> Result<Config, BoxError> {
        Ok(Config::discover(cli.config.as_deref(), Path::new("."))?)
    };
    let result = match cli.command {
        Command::Validate { paths, format } => config().map(|config| {
            let paths = if paths.is_empty() {
                config.paths
            } else {
                paths
            };
            let ctx = ResolveContext {
                ownership: config.ownership.clone().unwrap_or_default(),
                limits: config.limits,
                lint: lint_settings(&config.lint),
                ..ResolveContext::offline()
            };
            validate_command(&paths, format, &ctx)
        }),
        Command::Plan {
            common,
            format,
            detailed_exitcode,
            out,
        } => config().and_then(|config| {
            plan_command(&common, &config, format, detailed_exitcode, out.as_deref())
        }),
        Command::Apply {
            common,
            auto_approve,
        } => config().and_then(|config| apply_command(&common, &config, auto_approve)),
        Command::Drift {
            paths,
            account,
            ownership_tag,
            format,
            unmanaged,
            include_reserved,
        } => config().and_then(|config| {
            let settings = Settings::common(&paths, &account, ownership_tag.as_deref(), &config)?;
            drift_command(&settings, &account, format, unmanaged, include_reserved)
        }),
        Command::Snapshot { out, live } => capture::snapshot_command(&out, &live),
        Command::Import {
            out,
            name,
            adopt,
            with_bindings,
            force,
            snapshot,
            ownership_tag,
            live,
        } => capture::import_command(&capture::ImportArgs {
            out,
            name,
            adopt,
            with_bindings,
            force,
            snapshot,
            ownership_tag,
            live,
        }),
        Command::Permissions { for_command } => {
            let policy = crate::account::aws::operations::permissions_policy(
                for_command == PermissionsFor::Apply,
            );
            println!(
                "{}",
                serde_json::to_string_pretty(&policy).unwrap_or_default()
            );
            Ok(ExitStatus::Success)
        }
        Command::Schema => {
            print!("{}", crate::schema::manifest_schema());
            Ok(ExitStatus::Success)
        }
    };
    match result {
        Ok(status) => status,
        Err(e) => {
            eprintln!("error: {e}");
            let mut source = std::error::Error::source(&*e);
            while let Some(s) = source {
                eprintln!("  caused by: {s}");
                source = s.source();
            }
            if let Some(hint) = e.downcast_ref::<UserError>().and_then(|u| u.hint.as_ref()) {
                eprintln!("\nhint: {hint}");
            }
            ExitStatus::Failure
        }
    }
}

fn init_logging(verbose: u8) {
    let level = match verbose {
        0 => "warn",
        1 => "info",
        2 => "debug",
        _ => "trace",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("rolesmith={level}")));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(stderr_color())
        .without_time()
        .try_init();
}

fn print_diagnostics(diagnostics: &[Diagnostic]) {
    if !diagnostics.is_empty() {
        eprint!(
            "{}",
            render::diagnostics::render(diagnostics, stderr_color())
        );
    }
}

/// `rolesmith validate`: the manifests alone, with the quotas, ownership tag and lint levels of
/// `rolesmith.toml` (so it reports exactly what `plan` would).
fn validate_command(
    paths: &[PathBuf],
    format: DiagnosticFormat,
    ctx: &ResolveContext,
) -> ExitStatus {
    let loaded = load_paths(paths);
    let (desired, diagnostics) = validate(&loaded, ctx);
    match format {
        DiagnosticFormat::Json => print!("{}", render::diagnostics::render_json(&diagnostics)),
        DiagnosticFormat::Sarif => print!("{}", crate::lint::sarif::render(&diagnostics)),
        DiagnosticFormat::Text => {
            print_diagnostics(&diagnostics);
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                .count();
            if errors == 0 {
                println!(
                    "{} manifest(s) in {} file(s) are valid.",
                    desired.roles.len(),
                    loaded.files.len()
                );
            } else {
                eprintln!(
                    "{errors} error(s) in {} file(s); nothing was changed.",
                    loaded.files.len()
                );
            }
        }
    }
    if has_errors(&diagnostics) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub(crate) fn aws_options(live: &LiveArgs) -> AwsOptions {
    AwsOptions {
        region: live.region.clone(),
        profile: live.profile.clone(),
        endpoint_url: live.endpoint_url.clone(),
        path_prefix: live.path_prefix.clone(),
        propagation_timeout: std::time::Duration::from_secs(live.propagation_timeout),
        max_attempts: live.max_attempts,
    }
}

/// The snapshot file when one is given, else the live account.
fn open_account(
    account: &AccountArgs,
    settings: &Settings,
    runtime: &tokio::runtime::Runtime,
) -> Result<AnyAccount, BoxError> {
    Ok(match &account.snapshot {
        Some(path) => AnyAccount::Snapshot(SnapshotAccount::open(path, &account.account_id)?),
        None => {
            AnyAccount::Aws(runtime.block_on(AwsAccount::connect(settings.aws_options(account)))?)
        }
    })
}

/// Manifests resolved against an account, and the account read.
struct Planned {
    plan: Plan,
    account: AnyAccount,
    desired: DesiredState,
    live: AccountState,
    scope: ReadScope,
    files: Vec<PathBuf>,
    /// The manifests' warnings and infos (errors end the run before a plan).
    findings: Vec<Diagnostic>,
}

/// The linter's settings from the `[lint]` table of `rolesmith.toml`.
fn lint_settings(
    levels: &std::collections::BTreeMap<String, crate::config::LintLevel>,
) -> crate::lint::LintSettings {
    use crate::config::LintLevel;
    use crate::diagnostic::Severity;
    let mut settings = crate::lint::LintSettings::default();
    for (code, level) in levels {
        let severity = match level {
            LintLevel::Error => Severity::Error,
            LintLevel::Warning => Severity::Warning,
            LintLevel::Info => Severity::Info,
            LintLevel::Off => {
                settings.off.insert(code.clone());
                continue;
            }
        };
        settings.severities.insert(code.clone(), severity);
    }
    settings
}

/// Loads and validates the manifests against the account's identity. Diagnostics are printed;
/// errors end the run before anything is read beyond the identity. Returns the warnings and
/// infos too, for the Markdown plan.
fn load_desired(
    settings: &Settings,
    account: &AnyAccount,
    runtime: &tokio::runtime::Runtime,
) -> Result<(DesiredState, ResolveContext, Vec<PathBuf>, Vec<Diagnostic>), BoxError> {
    let identity = runtime.block_on(account.identity())?;
    let ctx = ResolveContext {
        account_id: identity.account_id,
        partition: identity.partition,
        ownership: settings.ownership.clone(),
        limits: settings.limits,
        lint: lint_settings(&settings.lint),
    };
    let (mut desired, mut diagnostics, files) = load_and_validate(&settings.paths, &ctx);
    if let Some(prefix) = &settings.path_prefix {
        scope_to_prefix(&mut desired, &mut diagnostics, prefix);
    }
    if matches!(account, AnyAccount::Aws(_)) {
        check_binding_regions(&desired, settings.region.as_deref(), &mut diagnostics);
    }
    print_diagnostics(&diagnostics);
    if has_errors(&diagnostics) {
        return Err(Box::new(UserError::new(
            "the manifests have errors; nothing was planned or changed",
            "fix the errors above (`rolesmith validate` shows them without reading the account)",
        )));
    }
    Ok((desired, ctx, files, diagnostics))
}

/// Loads, validates, reads the account and plans, with the deletion guards. Diagnostics are
/// printed; errors end the run.
fn make_plan(
    settings: &Settings,
    account_args: &AccountArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<Planned, BoxError> {
    let account = open_account(account_args, settings, runtime)?;
    let (desired, ctx, files, findings) = load_desired(settings, &account, runtime)?;
    if settings.prune && desired.roles.is_empty() && !settings.allow_empty {
        return Err(Box::new(UserError::new(
            format!(
                "refusing to prune with no manifests: {} declare no role, so every role rolesmith owns would be deleted",
                describe_paths(&settings.paths)
            ),
            "check the manifest paths; if deleting every owned role is really intended, pass --allow-empty",
        )));
    }
    let scope = read_scope(&desired, settings.prune);
    let live = runtime.block_on(account.read_scoped(&scope))?;
    let d = diff(
        &desired,
        &live,
        &DiffOptions {
            ownership: settings.ownership.clone(),
            prune: settings.prune,
        },
    );
    let plan = Plan::build(d, &live, &ctx.limits);
    let deleted: Vec<&str> = plan
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| match &c.address {
            Address::Role(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    check_deletions(&deleted, settings.max_deletions)?;
    Ok(Planned {
        plan,
        account,
        desired,
        live,
        scope,
        files,
        findings,
    })
}

fn describe_paths(paths: &[PathBuf]) -> String {
    if paths.is_empty() {
        "the manifests under the current directory".to_owned()
    } else {
        let shown: Vec<String> = paths.iter().map(|p| format!("`{}`", p.display())).collect();
        format!("the manifests in {}", shown.join(", "))
    }
}

/// The `--max-deletions` guard.
fn check_deletions(deleted: &[&str], max: usize) -> Result<(), UserError> {
    if deleted.len() <= max {
        return Ok(());
    }
    let mut names = deleted
        .iter()
        .take(20)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if deleted.len() > 20 {
        names.push_str(&format!(", … ({} more)", deleted.len() - 20));
    }
    Err(UserError::new(
        format!(
            "refusing a plan that deletes {} roles; at most {max} may be deleted at once: {names}",
            deleted.len()
        ),
        format!(
            "if these deletions are intended, raise the limit with --max-deletions {} (or `max_deletions` in rolesmith.toml)",
            deleted.len()
        ),
    ))
}

/// The location of a manifest document's first line, for findings about a whole role.
fn origin_location(origin: &crate::state::Origin) -> Option<crate::diagnostic::Location> {
    let text = fs_err::read_to_string(&origin.file).ok()?;
    Some(crate::manifest::source::SourceText::new(&origin.file, text).location(origin.line, 1, 1))
}

/// One run reads and binds instances in one region. A manifest whose `ec2.region` is not the
/// run's region is an error rather than silently bound in the wrong region.
fn check_binding_regions(
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
                Diagnostic::error(
                    "binding-region-mismatch",
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

/// What beyond IAM the plan must read: EC2 associations when any role has an instance profile
/// (or roles may be pruned), plus the instances the bindings name or select.
fn read_scope(desired: &crate::state::DesiredState, prune: bool) -> ReadScope {
    let mut scope = ReadScope {
        associations: prune,
        ..ReadScope::default()
    };
    for role in desired.roles.values() {
        scope.associations |= role.instance_profile.is_some();
        if let Some(b) = &role.bindings {
            scope.instance_ids.extend(b.instances.iter().cloned());
            if !b.selector.is_empty() && !scope.selectors.contains(&b.selector) {
                scope.selectors.push(b.selector.clone());
            }
        }
    }
    scope
}

/// With `--path-prefix`, a manifest for a role outside the prefix is an error: rolesmith would
/// neither read nor manage it.
fn scope_to_prefix(
    desired: &mut crate::state::DesiredState,
    diagnostics: &mut Vec<Diagnostic>,
    prefix: &str,
) {
    desired.roles.retain(|name, role| {
        let inside = role.role.path.starts_with(prefix);
        if !inside {
            diagnostics.push(
                Diagnostic::error(
                    "outside-path-prefix",
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

pub(crate) fn tokio_runtime() -> Result<tokio::runtime::Runtime, BoxError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Prints the call counts as a table on stderr.
pub(crate) fn print_stats(account: &AnyAccount) {
    let counts = account.call_counts();
    let total: u64 = counts.values().sum();
    eprintln!("\nAPI calls by operation:");
    for (op, n) in &counts {
        eprintln!("  {op:<40} {n:>6}");
    }
    eprintln!("  {:<40} {total:>6}", "total");
}

fn plan_command(
    common: &PlanArgs,
    config: &Config,
    format: Format,
    detailed: bool,
    out: Option<&Path>,
) -> Result<ExitStatus, BoxError> {
    let settings = Settings::for_plan(common, config)?;
    let runtime = tokio_runtime()?;
    let planned = make_plan(&settings, &common.account, &runtime)?;
    let (plan, account) = (&planned.plan, &planned.account);
    let stats = matches!(account, AnyAccount::Aws(_)).then(|| account.call_counts());
    let text = match format {
        Format::Text => render::text::render(plan, stdout_color()),
        Format::Json => render::json::render_with_stats(plan, stats.as_ref()),
        Format::Markdown => render::markdown::render_with_findings(
            plan,
            &planned.findings,
            render::markdown::GITHUB_COMMENT_LIMIT,
        ),
    };
    print!("{text}");
    if let Some(out) = out {
        save_plan(&planned, &settings, out)?;
    }
    if common.account.live.stats {
        print_stats(account);
    }
    Ok(if detailed && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// Writes the saved plan (atomically: a half-written plan must never be applied).
fn save_plan(planned: &Planned, settings: &Settings, out: &Path) -> Result<(), BoxError> {
    let manifests = ManifestDigest::of_files(&planned.files)?;
    let live = LiveFingerprint::take(&planned.desired, &planned.live, &settings.ownership);
    let plan_settings = PlanSettings {
        paths: settings.paths.clone(),
        ownership: settings.ownership.clone(),
        prune: settings.prune,
        path_prefix: settings.path_prefix.clone(),
        scope: (&planned.scope).into(),
    };
    let json = saved::to_json(&planned.plan, &plan_settings, &manifests, &live);
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(json.as_bytes())?;
    tmp.persist(out).map_err(|e| e.error)?;
    eprintln!(
        "Saved the plan to {}; apply exactly these steps with `rolesmith apply {}`.",
        out.display(),
        out.display()
    );
    Ok(())
}

/// Reports how the account differs from the manifests.
fn drift_command(
    settings: &Settings,
    account_args: &AccountArgs,
    format: Format,
    list_unmanaged: bool,
    include_reserved: bool,
) -> Result<ExitStatus, BoxError> {
    let runtime = tokio_runtime()?;
    let account = open_account(account_args, settings, &runtime)?;
    let (desired, ..) = load_desired(settings, &account, &runtime)?;
    let live = runtime.block_on(account.read_scoped(&read_scope(&desired, false)))?;
    // With prune, owned roles no manifest declares come out as deletions: drift reports them.
    let d = diff(
        &desired,
        &live,
        &DiffOptions {
            ownership: settings.ownership.clone(),
            prune: true,
        },
    );
    let unmanaged = list_unmanaged.then(|| {
        let undeclared = live.roles.values().filter(|r| {
            !r.is_owned_by(&settings.ownership)
                && !desired
                    .roles
                    .keys()
                    .any(|n| n.eq_ignore_ascii_case(&r.name))
        });
        render::drift::unmanaged_roles(undeclared, include_reserved)
    });
    let report = render::drift::DriftReport {
        account_id: live.account_id.clone(),
        findings: render::drift::findings(&d),
        unmanaged,
    };
    let text = match format {
        Format::Text => render::drift::render_text(&report),
        Format::Json => render::drift::render_json(&report),
        Format::Markdown => {
            render::drift::render_markdown(&report, render::markdown::GITHUB_COMMENT_LIMIT)
        }
    };
    print!("{text}");
    if account_args.live.stats {
        print_stats(&account);
    }
    Ok(if report.has_drift() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// Asks for confirmation on a terminal; without one, `--auto-approve` is required. `Ok(false)`:
/// the user declined.
fn confirm(auto_approve: bool) -> Result<bool, BoxError> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Box::new(UserError::new(
            "refusing to apply without confirmation",
            "stdin is not a terminal; pass --auto-approve to apply non-interactively",
        )));
    }
    print!("\nApply these changes? Only `yes` is accepted: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        eprintln!("Apply cancelled; nothing was changed.");
        return Ok(false);
    }
    Ok(true)
}

/// The saved plan among apply's arguments: a single `.json` path (manifests are YAML, so a JSON
/// file is never a manifest).
fn saved_plan_arg(paths: &[PathBuf]) -> Result<Option<&Path>, UserError> {
    let is_json = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    };
    match paths {
        [one] if is_json(one) => Ok(Some(one)),
        _ if paths.iter().any(is_json) => Err(UserError::new(
            "a saved plan is applied on its own, without manifest paths",
            "run `rolesmith apply plan.json`: the plan records the manifests it was made from",
        )),
        _ => Ok(None),
    }
}

fn apply_command(
    common: &PlanArgs,
    config: &Config,
    auto_approve: bool,
) -> Result<ExitStatus, BoxError> {
    if let Some(path) = saved_plan_arg(&common.paths)? {
        return apply_saved(common, config, path, auto_approve);
    }
    let settings = Settings::for_plan(common, config)?;
    let runtime = tokio_runtime()?;
    let Planned { plan, account, .. } = make_plan(&settings, &common.account, &runtime)?;
    print!("{}", render::text::render(&plan, stdout_color()));
    if plan.steps.is_empty() {
        if common.account.live.stats {
            print_stats(&account);
        }
        return Ok(ExitStatus::Success);
    }
    if !confirm(auto_approve)? {
        return Ok(ExitStatus::Failure);
    }
    let s = plan.summary();
    run_steps(
        &plan,
        &account,
        &settings,
        common.account.live.stats,
        &runtime,
        (s.add, s.change, s.destroy),
    )
}

fn run_steps(
    plan: &Plan,
    account: &AnyAccount,
    settings: &Settings,
    stats: bool,
    runtime: &tokio::runtime::Runtime,
    (add, change, destroy): (usize, usize, usize),
) -> Result<ExitStatus, BoxError> {
    let progress = |i: usize, step: &crate::plan::Step| {
        tracing::info!(
            "[{}/{}] {} {}",
            i + 1,
            plan.steps.len(),
            step.mutation.operation(),
            step.mutation.target()
        );
    };
    let options = crate::apply::ApplyOptions {
        parallelism: settings.parallelism,
    };
    let result = runtime.block_on(crate::apply::apply(plan, account, options, &progress));
    if stats {
        print_stats(account);
    }
    let report = result?;
    println!(
        "\nApply complete: {} step(s); {add} added, {change} changed, {destroy} destroyed.",
        report.applied
    );
    Ok(ExitStatus::Success)
}

/// `apply plan.json`: refuse if the manifests or the live resources the plan read have moved;
/// otherwise run exactly the saved steps.
fn apply_saved(
    common: &PlanArgs,
    config: &Config,
    path: &Path,
    auto_approve: bool,
) -> Result<ExitStatus, BoxError> {
    let saved = SavedPlan::load(path)?;
    let fixed = &saved.settings;
    let conflicting = [
        (common.prune && !fixed.prune, "--prune"),
        (common.no_prune && fixed.prune, "--no-prune"),
        (
            common.ownership_tag.as_deref().is_some_and(|t| {
                settings::parse_ownership(t).ok().as_ref() != Some(&fixed.ownership)
            }),
            "--ownership-tag",
        ),
        (
            common
                .account
                .live
                .path_prefix
                .as_ref()
                .is_some_and(|p| Some(p) != fixed.path_prefix.as_ref()),
            "--path-prefix",
        ),
    ];
    if let Some((_, flag)) = conflicting.iter().find(|(c, _)| *c) {
        return Err(Box::new(UserError::new(
            format!(
                "{flag} differs from the setting {} was planned with",
                path.display()
            ),
            "a saved plan runs as it was planned; make a new plan with the settings you want",
        )));
    }
    let mut settings = Settings::for_plan(common, config)?;
    settings.paths = fixed.paths.clone();
    settings.ownership = fixed.ownership.clone();
    settings.prune = fixed.prune;
    settings.path_prefix = fixed.path_prefix.clone();

    let replan = format!(
        "make a new plan with `rolesmith plan --out {}`, review it, and apply that",
        path.display()
    );
    let files = load_paths(&settings.paths).files;
    let changed = saved.manifests.changes(&ManifestDigest::of_files(&files)?);
    if !changed.is_empty() {
        let mut what = Vec::new();
        let list = |v: &[PathBuf]| {
            v.iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(", ")
        };
        if !changed.edited.is_empty() {
            what.push(format!("edited: {}", list(&changed.edited)));
        }
        if !changed.added.is_empty() {
            what.push(format!("added: {}", list(&changed.added)));
        }
        if !changed.removed.is_empty() {
            what.push(format!("removed: {}", list(&changed.removed)));
        }
        return Err(Box::new(UserError::new(
            format!(
                "the manifests changed since {} was made ({}); nothing was changed",
                path.display(),
                what.join("; ")
            ),
            replan,
        )));
    }
    let deleted = saved.deleted_roles();
    let deleted: Vec<&str> = deleted.iter().map(String::as_str).collect();
    check_deletions(&deleted, settings.max_deletions)?;

    let runtime = tokio_runtime()?;
    let account = open_account(&common.account, &settings, &runtime)?;
    let stats = common.account.live.stats;
    let identity = runtime.block_on(account.identity())?;
    if identity.account_id != saved.account_id {
        return Err(Box::new(UserError::new(
            format!(
                "{} was made for account {}, but the credentials reach account {}",
                path.display(),
                saved.account_id,
                identity.account_id
            ),
            "use the credentials of the account the plan was made for",
        )));
    }
    let live = runtime.block_on(account.read_scoped(&(&fixed.scope).into()));
    let live = match live {
        Ok(live) => live,
        Err(e) => {
            if stats {
                print_stats(&account);
            }
            return Err(Box::new(e));
        }
    };
    let moved = saved
        .live
        .moved(&saved.live.retake(&live, &fixed.ownership));
    if !moved.is_empty() {
        for m in &moved {
            eprintln!("{}", render::drift::describe_moved(m));
        }
        eprintln!();
        if stats {
            print_stats(&account);
        }
        return Err(Box::new(UserError::new(
            format!(
                "{} is stale: {} resource(s) changed since it was made; nothing was changed",
                path.display(),
                moved.len()
            ),
            replan,
        )));
    }
    let s = saved.summary;
    println!(
        "Saved plan {} for account {}: {} to add, {} to change, {} to destroy; {} step(s).",
        path.display(),
        saved.account_id,
        s.add,
        s.change,
        s.destroy,
        saved.steps.len()
    );
    for step in &saved.steps {
        println!("  {} {}", step.mutation.operation(), step.mutation.target());
    }
    if saved.steps.is_empty() {
        if stats {
            print_stats(&account);
        }
        return Ok(ExitStatus::Success);
    }
    if !confirm(auto_approve)? {
        return Ok(ExitStatus::Failure);
    }
    run_steps(
        &saved.plan(),
        &account,
        &settings,
        stats,
        &runtime,
        (s.add, s.change, s.destroy),
    )
}
