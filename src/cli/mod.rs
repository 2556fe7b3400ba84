//! The command line: clap arguments, resolved into calls on the library, and exit codes.
//!
//! Library code never prints or exits; this module owns stdout (data), stderr (diagnostics and
//! progress) and the exit status.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

mod args;
mod capture;
mod commands;
mod docs;
mod examples;
mod expire;
mod fleet;
mod init;
mod planning;
mod progress;
mod saved_plan;
mod settings;
mod show;

use commands::*;
use planning::*;
use saved_plan::apply_saved;

pub use args::{
    ApplyAccountArgs, Cli, Command, CompletionShell, DiagnosticFormat, LiveArgs, PermissionsFor,
    PlanArgs, ReadAccountArgs,
};
pub use docs::{completion_script, man_page, man_pages};
pub use settings::{DEFAULT_MAX_DELETIONS, Settings};
use settings::{ImportFlags, ImportSettings, LiveSettings, SnapshotSettings, ValidateSettings};

/// The version `--version` and `rolesmith version` print after the name: the package version,
/// then the commit and build date when `build.rs` knew them, e.g. `0.1.0 (e950fff 2026-12-01)`.
pub const VERSION: &str = env!("ROLESMITH_VERSION");

use crate::account::aws::{AwsAccount, AwsOptions};
use crate::account::snapshot::SnapshotAccount;
use crate::account::{AccountError, AccountReader, AnyAccount, ReadScope};
use crate::apply::OwnershipGuard;
use crate::check::{ResolveContext, validate};
use crate::config::Config;
use crate::diagnostic::{Diagnostic, has_errors};
use crate::diff::{DiffOptions, diff};
use crate::manifest::load_paths;
use crate::plan::Plan;
use crate::plan::saved::{
    self, LiveFingerprint, ManifestDigest, PlanSettings, Provenance, SavedPlan,
};
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
    /// `apply` stopped by Ctrl-C after the steps in flight (130 = 128 + SIGINT, as shells do).
    Interrupted,
}

impl From<ExitStatus> for ExitCode {
    fn from(s: ExitStatus) -> Self {
        ExitCode::from(match s {
            ExitStatus::Success => 0,
            ExitStatus::Failure => 1,
            ExitStatus::Changes => 2,
            ExitStatus::Interrupted => 130,
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
    if cli.no_progress {
        progress::disable();
    }
    init_logging(cli.verbose);
    let now = cli.now;
    let config = || -> Result<Config, BoxError> {
        let mut config = Config::discover(cli.config.as_deref(), Path::new("."))?;
        config.now = now;
        Ok(config)
    };
    let result = match cli.command {
        Command::Validate {
            paths,
            format,
            strict,
        } => config().and_then(|config| {
            validate_command(&ValidateSettings::resolve(&paths, format, strict, &config))
        }),
        Command::Plan {
            paths,
            account,
            choices,
            parallelism,
            format,
            detailed_exitcode,
            out,
        } => config().and_then(|config| {
            let flags = choices.flags(&paths, account.flags(), parallelism);
            let settings = Settings::for_plan(&flags, &config)?;
            plan_command(&settings, format, detailed_exitcode, out.as_deref())
        }),
        Command::Apply {
            paths,
            account,
            choices,
            parallelism,
            auto_approve,
            expect_plan_id,
        } => config().and_then(|config| {
            let saved = saved_plan_arg(&paths)?;
            let flags = choices.flags(&paths, account.flags(), parallelism);
            let settings = Settings::for_apply(&flags, &config)?;
            apply_command(settings, saved, auto_approve, expect_plan_id.as_deref())
        }),
        Command::Show {
            plans,
            merge,
            format,
        } => show::show_command(&plans, merge, format),
        Command::Init { dir, github } => init::init_command(&dir, github),
        Command::Expire { paths, write } => config().and_then(|config| {
            let paths = settings::resolve_paths(&paths, &config);
            let now = config.now.unwrap_or_else(crate::expiry::Instant::now);
            expire::expire_command(&paths, write, now)
        }),
        Command::Drift {
            paths,
            account,
            ownership_tag,
            format,
            unmanaged,
            include_reserved,
            unused_for,
            allow_empty,
        } => config().and_then(|config| {
            let settings = Settings::for_drift(
                &paths,
                &account.flags(),
                ownership_tag.as_deref(),
                allow_empty,
                &config,
            )?;
            let lists = DriftLists {
                unmanaged,
                include_reserved,
                unused_for,
            };
            drift_command(&settings, format, &lists)
        }),
        Command::Accounts {
            check,
            format,
            shards,
            accounts,
            live,
        } => config().and_then(|config| {
            let live = LiveSettings::resolve(&live.flags(None, 120), &config);
            fleet::accounts_command(
                config.accounts.as_ref(),
                live.aws_options(),
                &accounts,
                check,
                format,
                usize::from(shards),
            )
        }),
        Command::Snapshot {
            out,
            path_prefix,
            live,
            unused,
        } => config().and_then(|config| {
            let live = live.flags(path_prefix.as_deref(), unused.propagation_timeout);
            capture::snapshot_command(&SnapshotSettings::resolve(&out, &live, &config))
        }),
        Command::Import {
            out,
            name,
            adopt,
            with_bindings,
            force,
            skip_unused,
            snapshot,
            ownership_tag,
            path_prefix,
            live,
            inventory,
            unused,
        } => config().and_then(|config| {
            let flags = ImportFlags {
                out: &out,
                name: name.as_deref(),
                adopt,
                with_bindings,
                force,
                snapshot: snapshot.as_deref(),
                ownership_tag: ownership_tag.as_deref(),
                live: live.flags(path_prefix.as_deref(), unused.propagation_timeout),
                inventory: &inventory,
                skip_unused,
            };
            capture::import_command(&ImportSettings::resolve(&flags, &config)?)
        }),
        Command::Permissions { for_command } => {
            let policy = crate::account::aws::operations::permissions_policy(
                for_command == PermissionsFor::Apply,
            );
            print!("{}", crate::json::pretty(&policy));
            Ok(ExitStatus::Success)
        }
        Command::Schema => {
            print!("{}", crate::schema::manifest_schema());
            Ok(ExitStatus::Success)
        }
        Command::Explain {
            code,
            all,
            markdown,
        } => explain_command(code.as_deref(), all, markdown),
        Command::Completions { shell } => {
            print!("{}", completion_script(shell));
            Ok(ExitStatus::Success)
        }
        Command::Man { command, list } => docs::man_command(command.as_deref(), list),
        Command::Version => {
            println!("rolesmith {VERSION}");
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
            let hint = match (
                e.downcast_ref::<UserError>(),
                e.downcast_ref::<AccountError>(),
            ) {
                (Some(u), _) => u.hint.clone(),
                (None, Some(account)) => account.hint(),
                _ => None,
            };
            if let Some(hint) = hint {
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
    let mut filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(format!("rolesmith={level}")));
    // The SDK's own trace output prints the resolved credentials' Debug form (the access key id)
    // and request signing details; no log level may show them, whatever RUST_LOG says. Its
    // warnings (a credential provider that failed, as a Debug dump) only with -v: the error
    // rolesmith reports says what failed and what to do.
    let sdk = if verbose == 0 { "error" } else { "warn" };
    for krate in [
        "aws_smithy_runtime",
        "aws_smithy_runtime_api",
        "aws_sigv4",
        "aws_runtime",
        "aws_config",
        "aws_credential_types",
        "aws_smithy_http_client",
        "aws_sdk_iam",
        "aws_sdk_sts",
        "aws_sdk_ec2",
    ] {
        if let Ok(d) = format!("{krate}={sdk}").parse() {
            filter = filter.add_directive(d);
        }
    }
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(progress::log_writer)
        .with_ansi(stderr_color())
        .without_time()
        .try_init();
}

/// The note counting YAML files that directory discovery skipped (not rolesmith manifests).
fn note_skipped(skipped: &[PathBuf]) {
    if !skipped.is_empty() {
        eprintln!(
            "note: skipped {} YAML file(s) without `apiVersion: rolesmith/…` (-v lists them)",
            skipped.len()
        );
    }
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
/// `rolesmith.toml` (so it reports exactly what `plan` would). With `strict`, warnings fail it
/// too.
fn validate_command(settings: &ValidateSettings) -> Result<ExitStatus, BoxError> {
    let loaded = load_paths(&settings.paths);
    let (desired, diagnostics) = match &settings.inventory {
        None => validate(&loaded, &settings.context),
        Some(config) => fleet::validate_each(&loaded, &settings.context, config)?,
    };
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == crate::diagnostic::Severity::Warning)
        .count();
    let strict_failure = settings.strict && warnings > 0;
    note_skipped(&loaded.skipped);
    match settings.format {
        DiagnosticFormat::Json => print!("{}", render::diagnostics::render_json(&diagnostics)),
        DiagnosticFormat::Sarif => print!("{}", crate::lint::sarif::render(&diagnostics)),
        DiagnosticFormat::Text => {
            print_diagnostics(&diagnostics);
            let errors = diagnostics
                .iter()
                .filter(|d| d.severity == crate::diagnostic::Severity::Error)
                .count();
            if errors == 0 && strict_failure {
                eprintln!(
                    "{warnings} warning(s) in {} file(s) fail validation in strict mode \
                     (--strict or `strict = true`); nothing was changed.",
                    loaded.files.len()
                );
            } else if errors == 0 {
                println!(
                    "{} manifest(s) in {} file(s) are valid.",
                    desired.roles.len()
                        + desired.policies.len()
                        + desired.oidc_providers.len()
                        + desired.saml_providers.len(),
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
    Ok(if has_errors(&diagnostics) || strict_failure {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `rolesmith explain`: one registry entry, or all of them (as `docs/CODES.md` with
/// `--markdown`). An unknown code is a user error with the closest known one.
fn explain_command(code: Option<&str>, all: bool, markdown: bool) -> Result<ExitStatus, BoxError> {
    use crate::codes;
    if all {
        if markdown {
            print!("{}", codes::markdown());
        } else {
            let entries: Vec<String> = codes::all().map(codes::explain).collect();
            print!("{}", entries.join("\n"));
        }
        return Ok(ExitStatus::Success);
    }
    let code = code.unwrap_or_default();
    let Some(entry) = codes::find(code) else {
        let hint = match crate::diagnostic::did_you_mean(code, codes::all().map(|c| c.code)) {
            Some(c) => format!("did you mean `{c}`? (`rolesmith explain --all` lists every code)"),
            None => "`rolesmith explain --all` lists every code".to_owned(),
        };
        return Err(Box::new(UserError::new(
            format!("`{code}` is not a rolesmith diagnostic code"),
            hint,
        )));
    };
    if markdown {
        print!(
            "### `{}`\n\n*{}* — {}\n\n{}\n",
            entry.code, entry.severity, entry.summary, entry.explanation
        );
    } else {
        print!("{}", codes::explain(entry));
    }
    Ok(ExitStatus::Success)
}

pub(crate) type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub(crate) fn tokio_runtime() -> Result<tokio::runtime::Runtime, BoxError> {
    Ok(tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?)
}

/// Reads the account within `scope`, with a spinner on stderr if that takes over a second.
pub(crate) fn read_account(
    runtime: &tokio::runtime::Runtime,
    account: &AnyAccount,
    scope: &ReadScope,
) -> Result<crate::state::AccountState, crate::account::AccountError> {
    let _progress = progress::Progress::reading(account);
    runtime.block_on(account.read_scoped(scope))
}

/// Prints the calls by operation on stderr: calls, HTTP attempts, throttled attempts and
/// retries, then the pace when a throttle set one.
pub(crate) fn print_stats(account: &AnyAccount) {
    let Some(stats) = account.call_stats() else {
        eprintln!("\nAPI calls by operation: none (a snapshot file)");
        return;
    };
    let (calls, attempts, throttles) = (stats.counts(), stats.attempts(), stats.throttles());
    eprintln!("\nAPI calls by operation:");
    eprintln!(
        "  {:<40} {:>6} {:>8} {:>9} {:>7}",
        "", "calls", "attempts", "throttled", "retries"
    );
    let mut total = [0u64; 4];
    for (op, n) in &calls {
        let a = attempts.get(op).copied().unwrap_or(*n);
        let t = throttles.get(op).copied().unwrap_or(0);
        let r = a.saturating_sub(*n);
        for (sum, x) in total.iter_mut().zip([*n, a, t, r]) {
            *sum += x;
        }
        eprintln!("  {op:<40} {n:>6} {a:>8} {t:>9} {r:>7}");
    }
    let [n, a, t, r] = total;
    eprintln!("  {:<40} {n:>6} {a:>8} {t:>9} {r:>7}", "total");
    if let Some(rate) = stats.rate() {
        eprintln!(
            "  throttled {t} time(s): paced at {rate:.1} requests/s; requests waited {:.1} s for their turn (summed over lanes)",
            stats.waited().as_secs_f64()
        );
    }
}
