//! The command line: clap arguments, resolved into calls on the library, and exit codes.
//!
//! Library code never prints or exits; this module owns stdout (data), stderr (diagnostics and
//! progress) and the exit status.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

mod args;

pub use args::{Cli, Command, DiagnosticFormat, LiveArgs, PermissionsFor, PlanArgs};

use crate::account::aws::{AwsAccount, AwsOptions};
use crate::account::snapshot::SnapshotAccount;
use crate::account::{AccountReader, AnyAccount, ReadScope};
use crate::diagnostic::{Diagnostic, has_errors};
use crate::diff::{DiffOptions, diff};
use crate::manifest::{ResolveContext, load_and_validate, load_paths, validate};
use crate::plan::Plan;
use crate::render::{self, Format};

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
    fn new(message: impl Into<String>, hint: impl Into<String>) -> Self {
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
    let result = match cli.command {
        Command::Validate { paths, format } => Ok(validate_command(&paths, format)),
        Command::Plan {
            common,
            format,
            detailed_exitcode,
        } => plan_command(&common, format, detailed_exitcode),
        Command::Apply {
            common,
            auto_approve,
        } => apply_command(&common, auto_approve),
        Command::Snapshot { out, live } => snapshot_command(&out, &live),
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

fn validate_command(paths: &[PathBuf], format: DiagnosticFormat) -> ExitStatus {
    let loaded = load_paths(paths);
    let (desired, diagnostics) = validate(&loaded, &ResolveContext::offline());
    match format {
        DiagnosticFormat::Json => print!("{}", render::diagnostics::render_json(&diagnostics)),
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

type BoxError = Box<dyn std::error::Error + Send + Sync>;

fn ownership(tag: &str) -> Result<crate::state::Ownership, BoxError> {
    match tag.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok(crate::state::Ownership {
            key: k.to_owned(),
            value: v.to_owned(),
        }),
        _ => Err(Box::new(UserError::new(
            format!("invalid --ownership-tag `{tag}`"),
            "write it as KEY=VALUE, e.g. managed-by=rolesmith",
        ))),
    }
}

fn aws_options(live: &LiveArgs) -> AwsOptions {
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
    common: &PlanArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<AnyAccount, BoxError> {
    Ok(match &common.snapshot {
        Some(path) => AnyAccount::Snapshot(SnapshotAccount::open(path, &common.account_id)?),
        None => AnyAccount::Aws(runtime.block_on(AwsAccount::connect(aws_options(&common.live)))?),
    })
}

/// Loads, validates, reads the account and plans. Diagnostics are printed; errors end the run.
fn make_plan(
    common: &PlanArgs,
    runtime: &tokio::runtime::Runtime,
) -> Result<(Plan, AnyAccount), BoxError> {
    let ownership = ownership(&common.ownership_tag)?;
    let account = open_account(common, runtime)?;
    let identity = runtime.block_on(account.identity())?;
    let ctx = ResolveContext {
        account_id: identity.account_id,
        partition: identity.partition,
        ownership: ownership.clone(),
        ..ResolveContext::offline()
    };
    let (mut desired, mut diagnostics, _) = load_and_validate(&common.paths, &ctx);
    if let Some(prefix) = &common.live.path_prefix {
        scope_to_prefix(&mut desired, &mut diagnostics, prefix);
    }
    print_diagnostics(&diagnostics);
    if has_errors(&diagnostics) {
        return Err(Box::new(UserError::new(
            "the manifests have errors; nothing was planned or changed",
            "fix the errors above (`rolesmith validate` shows them without reading the account)",
        )));
    }
    let live = runtime.block_on(account.read_scoped(&read_scope(&desired, common.prune)))?;
    let d = diff(
        &desired,
        &live,
        &DiffOptions {
            ownership,
            prune: common.prune,
        },
    );
    let plan = Plan::build(d, &live, &ctx.limits);
    Ok((plan, account))
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
                .with_help(format!(
                    "{}:{}: move the role under the prefix, or run without --path-prefix",
                    role.origin.file.display(),
                    role.origin.line
                )),
            );
        }
        inside
    });
}

fn tokio_runtime() -> Result<tokio::runtime::Runtime, BoxError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Prints the call counts as a table on stderr.
fn print_stats(account: &AnyAccount) {
    let counts = account.call_counts();
    let total: u64 = counts.values().sum();
    eprintln!("\nAPI calls by operation:");
    for (op, n) in &counts {
        eprintln!("  {op:<40} {n:>6}");
    }
    eprintln!("  {:<40} {total:>6}", "total");
}

fn plan_command(common: &PlanArgs, format: Format, detailed: bool) -> Result<ExitStatus, BoxError> {
    let runtime = tokio_runtime()?;
    let (plan, account) = make_plan(common, &runtime)?;
    let stats = matches!(account, AnyAccount::Aws(_)).then(|| account.call_counts());
    let text = match format {
        Format::Text => render::text::render(&plan, stdout_color()),
        Format::Json => render::json::render_with_stats(&plan, stats.as_ref()),
        Format::Markdown => render::markdown::render(&plan, render::markdown::GITHUB_COMMENT_LIMIT),
    };
    print!("{text}");
    if common.live.stats {
        print_stats(&account);
    }
    Ok(if detailed && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

fn snapshot_command(out: &std::path::Path, live: &LiveArgs) -> Result<ExitStatus, BoxError> {
    let runtime = tokio_runtime()?;
    let account = AnyAccount::Aws(runtime.block_on(AwsAccount::connect(aws_options(live)))?);
    let state = runtime.block_on(account.read())?;
    crate::account::snapshot::write_atomically(out, &state)?;
    eprintln!(
        "Wrote {} role(s) and {} instance profile(s) of account {} to {}.",
        state.roles.len(),
        state.instance_profiles.len(),
        state.account_id,
        out.display()
    );
    if live.stats {
        print_stats(&account);
    }
    Ok(ExitStatus::Success)
}

fn apply_command(common: &PlanArgs, auto_approve: bool) -> Result<ExitStatus, BoxError> {
    let runtime = tokio_runtime()?;
    let (plan, account) = make_plan(common, &runtime)?;
    print!("{}", render::text::render(&plan, stdout_color()));
    if plan.steps.is_empty() {
        if common.live.stats {
            print_stats(&account);
        }
        return Ok(ExitStatus::Success);
    }
    if !auto_approve {
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
            return Ok(ExitStatus::Failure);
        }
    }
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
        parallelism: usize::from(common.parallelism),
    };
    let result = runtime.block_on(crate::apply::apply(&plan, &account, options, &progress));
    if common.live.stats {
        print_stats(&account);
    }
    let report = result?;
    let s = plan.summary();
    println!(
        "\nApply complete: {} step(s); {} added, {} changed, {} destroyed.",
        report.applied, s.add, s.change, s.destroy
    );
    Ok(ExitStatus::Success)
}
