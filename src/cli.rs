//! The command line: clap arguments, resolved into calls on the library, and exit codes.
//!
//! Library code never prints or exits; this module owns stdout (data), stderr (diagnostics and
//! progress) and the exit status.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand};

use crate::account::AccountReader;
use crate::account::snapshot::SnapshotAccount;
use crate::diagnostic::{Diagnostic, has_errors};
use crate::diff::{DiffOptions, diff};
use crate::manifest::{ResolveContext, load_and_validate, load_paths, validate};
use crate::plan::Plan;
use crate::render::{self, Format};

/// Manage AWS IAM roles the GitOps way: YAML manifests in git, plan, apply.
#[derive(Debug, Parser)]
#[command(name = "rolesmith", version, about, long_about = None)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Check manifests without reading any account.
    Validate {
        /// Manifest files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Output format for findings.
        #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
        format: DiagnosticFormat,
    },
    /// Show what apply would change. Makes only read calls.
    Plan {
        /// Common options.
        #[command(flatten)]
        common: PlanArgs,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 2 when there are changes (0: none, 1: error).
        #[arg(long)]
        detailed_exitcode: bool,
    },
    /// Plan and apply the changes.
    Apply {
        /// Common options.
        #[command(flatten)]
        common: PlanArgs,
        /// Apply without asking (required when stdin is not a terminal).
        #[arg(long)]
        auto_approve: bool,
    },
    /// Print the JSON Schema of manifests.
    Schema,
}

/// Options shared by plan and apply.
#[derive(Debug, Args)]
pub struct PlanArgs {
    /// Manifest files or directories (default: the current directory).
    pub paths: Vec<PathBuf>,
    /// Use a JSON snapshot file as the account (offline; apply rewrites the file).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Account id for a snapshot file that does not exist yet.
    #[arg(long, value_name = "ID", default_value = "123456789012")]
    pub account_id: String,
    /// Delete owned roles that no manifest declares.
    #[arg(long)]
    pub prune: bool,
    /// Independent roles changed at once within a plan phase.
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: u16,
    /// Tag marking what rolesmith owns, as KEY=VALUE.
    #[arg(long, value_name = "KEY=VALUE", default_value = "managed-by=rolesmith")]
    pub ownership_tag: String,
}

/// Output format for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Human-readable reports with source excerpts.
    Text,
    /// A JSON array.
    Json,
}

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

/// Loads, validates, reads the account and plans. Diagnostics are printed; errors end the run.
fn make_plan(common: &PlanArgs) -> Result<(Plan, SnapshotAccount), BoxError> {
    let Some(snapshot) = &common.snapshot else {
        return Err(Box::new(UserError::new(
            "no account to plan against",
            "pass --snapshot FILE to plan against a snapshot file (reading a live AWS account is not built yet)",
        )));
    };
    let ownership = ownership(&common.ownership_tag)?;
    let account = SnapshotAccount::open(snapshot, &common.account_id)?;
    let live = tokio_runtime()?.block_on(account.read())?;
    let ctx = ResolveContext {
        account_id: live.account_id.clone(),
        partition: live.partition.clone(),
        ownership: ownership.clone(),
        ..ResolveContext::offline()
    };
    let (desired, diagnostics, _) = load_and_validate(&common.paths, &ctx);
    print_diagnostics(&diagnostics);
    if has_errors(&diagnostics) {
        return Err(Box::new(UserError::new(
            "the manifests have errors; nothing was planned or changed",
            "fix the errors above (`rolesmith validate` shows them without reading the account)",
        )));
    }
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

fn tokio_runtime() -> Result<tokio::runtime::Runtime, BoxError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

fn plan_command(common: &PlanArgs, format: Format, detailed: bool) -> Result<ExitStatus, BoxError> {
    let (plan, _) = make_plan(common)?;
    let text = match format {
        Format::Text => render::text::render(&plan, stdout_color()),
        Format::Json => render::json::render(&plan),
        Format::Markdown => render::markdown::render(&plan, render::markdown::GITHUB_COMMENT_LIMIT),
    };
    print!("{text}");
    Ok(if detailed && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

fn apply_command(common: &PlanArgs, auto_approve: bool) -> Result<ExitStatus, BoxError> {
    let (plan, account) = make_plan(common)?;
    print!("{}", render::text::render(&plan, stdout_color()));
    if plan.steps.is_empty() {
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
    let runtime = tokio_runtime()?;
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
    let report = runtime.block_on(crate::apply::apply(&plan, &account, options, &progress))?;
    let s = plan.summary();
    println!(
        "\nApply complete: {} step(s); {} added, {} changed, {} destroyed.",
        report.applied, s.add, s.change, s.destroy
    );
    Ok(ExitStatus::Success)
}
