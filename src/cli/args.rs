//! The clap types: every flag, its help text and default. Commands receive these resolved into
//! library types by `cli::settings`; nothing else in the crate sees clap.
//!
//! A flag shared by several commands has one struct per meaning, so each command's help says
//! what the flag does *there*: `--snapshot` is read by plan and drift ([`ReadAccountArgs`]) and
//! rewritten by apply ([`ApplyAccountArgs`]). Flags that do nothing for a command but were
//! always accepted by it (`--propagation-timeout` and `--parallelism` on plan, `--account-id`
//! on plan and drift) stay accepted and hidden, so one set of flags still serves plan and apply
//! in a script. The examples each help ends with live in `examples.rs`.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use super::examples;
use super::settings::{AccountFlags, LiveFlags, PlanFlags};
use crate::diff::Address;
use crate::render::Format;

/// The help heading of the flags every command takes.
const GLOBAL: &str = "Global options";

/// The account id a snapshot file that does not exist yet is given.
const DEFAULT_ACCOUNT_ID: &str = "123456789012";

/// Manage AWS IAM roles the GitOps way: YAML manifests in git, plan, apply.
#[derive(Debug, Parser)]
#[command(name = "rolesmith", version = super::VERSION, about, long_about = None)]
#[command(after_help = examples::TOP)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true, help_heading = GLOBAL)]
    pub verbose: u8,
    /// Never draw progress bars. By default, reads and applies that take longer than a second
    /// show one on stderr when stderr is a terminal.
    #[arg(long, global = true, help_heading = GLOBAL)]
    pub no_progress: bool,
    /// Settings file (default: `rolesmith.toml` in the current directory, if any). Flags
    /// override it.
    #[arg(long, value_name = "FILE", global = true, help_heading = GLOBAL)]
    pub config: Option<PathBuf>,
    /// The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default:
    /// the system clock), for tests and reproducible plans.
    #[arg(long, value_name = "INSTANT", global = true, help_heading = GLOBAL, value_parser = crate::expiry::Instant::parse)]
    pub now: Option<crate::expiry::Instant>,
    /// The command.
    #[command(subcommand)]
    pub command: Command,
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write a starter project: `rolesmith.toml`, an example manifest and, with --github, the
    /// GitHub workflows. Never overwrites a file.
    #[command(after_help = examples::INIT)]
    Init {
        /// The folder to write into (default: the current directory; made if missing).
        #[arg(default_value = ".")]
        dir: PathBuf,
        /// Also write the plan, apply and drift workflows to `.github/workflows/`.
        #[arg(long)]
        github: bool,
    },
    /// Check manifests without reading any account.
    #[command(after_help = examples::VALIDATE)]
    Validate {
        /// Manifest files or directories (default: the current directory).
        paths: Vec<PathBuf>,
        /// Output format for findings.
        #[arg(long, value_enum, default_value_t = DiagnosticFormat::Text)]
        format: DiagnosticFormat,
        /// Fail on warnings too (exit 1), like `clippy -D warnings` (config: `strict = true`).
        #[arg(long)]
        strict: bool,
    },
    /// Show what apply would change. Makes only read calls.
    #[command(after_help = examples::PLAN)]
    Plan {
        /// Manifest files or directories (default: `paths` from the config, else the current
        /// directory).
        paths: Vec<PathBuf>,
        /// What the plan may do.
        #[command(flatten)]
        choices: PlanArgs,
        /// Accepted for scripts that pass apply's flags; plan changes nothing.
        #[arg(long, value_name = "N", hide = true, value_parser = clap::value_parser!(u16).range(1..=64))]
        parallelism: Option<u16>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Exit 2 when there are changes (0: none, 1: error).
        #[arg(long)]
        detailed_exitcode: bool,
        /// Also save the plan, with a fingerprint of the manifests and of the live state it was
        /// made from, for `rolesmith apply FILE` (and `rolesmith show FILE`).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Which account.
        #[command(flatten)]
        account: ReadAccountArgs,
    },
    /// Plan and apply the changes; or, given a saved plan (`apply plan.json`), prove that the
    /// manifests and the account still yield exactly its steps and run them. Ctrl-C lets the
    /// steps in flight finish and exits 130; running apply again finishes the job.
    #[command(after_help = examples::APPLY)]
    Apply {
        /// Manifest files or directories (default: `paths` from the config, else the current
        /// directory); or a single saved plan file (`plan.json`, from `plan --out`), which
        /// names its own manifests.
        paths: Vec<PathBuf>,
        /// What the plan may do.
        #[command(flatten)]
        choices: PlanArgs,
        /// Independent roles changed at once within a plan phase (default 8; config:
        /// `parallelism`).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
        parallelism: Option<u16>,
        /// Apply without asking (required when stdin is not a terminal).
        #[arg(long)]
        auto_approve: bool,
        /// With a saved plan: refuse unless its plan id is this one (the id shown in the
        /// reviewed plan, e.g. `sha256:3f2a9c0e5b7d1a46`).
        #[arg(long, value_name = "ID")]
        expect_plan_id: Option<String>,
        /// Which account.
        #[command(flatten)]
        account: ApplyAccountArgs,
    },
    /// Show a saved plan (from `plan --out`) as `plan` showed it, with its plan id and what it
    /// was planned against. Reads only the file: no manifests, no AWS call.
    #[command(after_help = examples::SHOW)]
    Show {
        /// The saved plan file (with `--merge`, several).
        #[arg(value_name = "PLAN", required = true)]
        plans: Vec<PathBuf>,
        /// Show several saved plans over accounts (the shards of one plan, each from
        /// `plan --account … --out`) as one: one table of every account, for one PR comment.
        #[arg(long)]
        merge: bool,
        /// Output format (`json` is the plan's JSON document, as `plan --format json`).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// List the manifests' elements whose `expiresAt` has passed; `--write` removes them from
    /// the files, leaving every other line as it was. Reads no account.
    #[command(after_help = examples::EXPIRE)]
    Expire {
        /// Manifest files or directories (default: `paths` from the config, else the current
        /// directory).
        paths: Vec<PathBuf>,
        /// Remove the expired elements from the manifest files (a file whose every document
        /// expired is deleted).
        #[arg(long)]
        write: bool,
    },
    /// Report how the account differs from the manifests, including changes made by hand.
    /// Exit 0: no drift, 2: drift, 1: error. Makes only read calls.
    #[command(after_help = examples::DRIFT)]
    Drift {
        /// Manifest files or directories (default: `paths` from the config, else the current
        /// directory).
        paths: Vec<PathBuf>,
        /// Tag marking what rolesmith owns, as KEY=VALUE (default: the config's `[ownership]`,
        /// else `managed-by=rolesmith`).
        #[arg(long, value_name = "KEY=VALUE")]
        ownership_tag: Option<String>,
        /// Output format.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Also list roles that no manifest declares and rolesmith does not own.
        #[arg(long)]
        unmanaged: bool,
        /// With --unmanaged, also list service-linked roles and roles under `/aws-reserved/`.
        #[arg(long, requires = "unmanaged")]
        include_reserved: bool,
        /// Also list managed roles not used for this long (`90d`, `12h`), and never-used ones
        /// older than that, from IAM's RoleLastUsed (no extra call); with --unmanaged,
        /// unmanaged roles too.
        #[arg(long, value_name = "DURATION", value_parser = parse_unused_for)]
        unused_for: Option<(i64, String)>,
        /// Allow a manifest set that declares no role (every owned role is then drift).
        #[arg(long)]
        allow_empty: bool,
        /// Which account.
        #[command(flatten)]
        account: ReadAccountArgs,
    },
    /// List the `[accounts]` inventory (from its list, its file or AWS Organizations); with
    /// `--check`, enter each account (assume its role) and say which can be reached. Makes
    /// only read calls.
    #[command(after_help = examples::ACCOUNTS)]
    Accounts {
        /// Enter each account and report whether it can be reached (exit 1 if one cannot).
        #[arg(long)]
        check: bool,
        /// `json` writes the inventory file `source = "file"` reads, for offline runs;
        /// `github-matrix` a GitHub Actions matrix of `--shards` jobs, each with the
        /// `--account` selectors of its accounts.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Jobs of the `github-matrix` (at most 256, GitHub's limit); accounts are dealt
        /// round-robin, so shards differ by one account at most.
        #[arg(long, value_name = "N", default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
        shards: u16,
        /// Only the accounts this selects (name, id, `ou:/PATH`, `tag:KEY=VALUE`, `*`;
        /// repeatable).
        #[arg(long = "account", value_name = "SELECTOR")]
        accounts: Vec<crate::inventory::Selector>,
        /// How to reach the account rolesmith runs in (Organizations is asked there).
        #[command(flatten)]
        live: LiveArgs,
    },
    /// Capture the live account into a snapshot file for offline plans. Makes only read calls.
    #[command(after_help = examples::SNAPSHOT)]
    Snapshot {
        /// Where to write the snapshot JSON.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// Only capture roles whose path starts with this prefix, e.g. `/app/` (config:
        /// `path_prefix`).
        #[arg(long, value_name = "PREFIX", help_heading = "Account")]
        path_prefix: Option<String>,
        /// How to reach the account.
        #[command(flatten)]
        live: LiveArgs,
        /// Accepted for scripts that pass apply's flags; snapshot changes nothing.
        #[command(flatten)]
        unused: HiddenPropagationArgs,
    },
    /// Write manifests for roles that already exist, to bring them under management.
    /// Makes only read calls.
    #[command(after_help = examples::IMPORT)]
    Import {
        /// Directory to write the manifests to (one file per role, by path and name).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Only roles whose name matches this regular expression.
        #[arg(long, value_name = "REGEX")]
        name: Option<String>,
        /// Write `adopt: true` where the role (or its instance profile) lacks the ownership tag,
        /// so the first apply takes it over by tagging it.
        #[arg(long)]
        adopt: bool,
        /// Also write `ec2.instances`: the instances that carry each role's instance profile.
        #[arg(long)]
        with_bindings: bool,
        /// Overwrite manifest files that already exist.
        #[arg(long)]
        force: bool,
        /// Leave out roles not used for this long (`90d`), and never-used ones older than it,
        /// from IAM's RoleLastUsed.
        #[arg(long, value_name = "DURATION", value_parser = crate::expiry::parse_duration)]
        skip_unused: Option<i64>,
        /// Import from a snapshot file instead of the live account (it is only read; with an
        /// `[accounts]` inventory, a snapshot folder).
        #[arg(long, value_name = "FILE", help_heading = "Account")]
        snapshot: Option<PathBuf>,
        /// Tag marking what rolesmith owns, as KEY=VALUE (left out of imported tags; default:
        /// the config's `[ownership]`, else `managed-by=rolesmith`).
        #[arg(long, value_name = "KEY=VALUE")]
        ownership_tag: Option<String>,
        /// Only import roles whose path starts with this prefix, e.g. `/app/` (config:
        /// `path_prefix`; also filters --snapshot).
        #[arg(long, value_name = "PREFIX", help_heading = "Account")]
        path_prefix: Option<String>,
        /// How to reach the account.
        #[command(flatten)]
        live: LiveArgs,
        /// Which accounts of the inventory.
        #[command(flatten)]
        inventory: InventoryArgs,
        /// Accepted for scripts that pass apply's flags; import changes nothing in AWS.
        #[command(flatten)]
        unused: HiddenPropagationArgs,
    },
    /// Print the least-privilege IAM policy rolesmith needs.
    #[command(after_help = examples::PERMISSIONS)]
    Permissions {
        /// For which command: `plan` (read-only; also drift and snapshot) or `apply`.
        #[arg(long = "for", value_enum, default_value_t = PermissionsFor::Plan)]
        for_command: PermissionsFor,
    },
    /// Explain a diagnostic code: what it finds, why it matters and how to fix it.
    #[command(after_help = examples::EXPLAIN)]
    Explain {
        /// The code, e.g. `unowned-role`.
        #[arg(required_unless_present = "all")]
        code: Option<String>,
        /// Every code.
        #[arg(long, conflicts_with = "code")]
        all: bool,
        /// As Markdown (`explain --all --markdown` writes docs/CODES.md).
        #[arg(long)]
        markdown: bool,
    },
    /// Print the JSON Schema of manifests.
    #[command(after_help = examples::SCHEMA)]
    Schema,
    /// Print a shell completion script.
    #[command(after_help = examples::COMPLETIONS)]
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: CompletionShell,
    },
    /// Print a man page (roff): rolesmith's, or a subcommand's.
    #[command(after_help = examples::MAN)]
    Man {
        /// The subcommand whose page to print, e.g. `plan` (default: the `rolesmith` page).
        #[arg(value_name = "COMMAND")]
        command: Option<String>,
        /// List the commands that have a page, one a line, instead.
        #[arg(long, conflicts_with = "command")]
        list: bool,
    },
    /// Print the version (the same as `--version`).
    #[command(hide = true)]
    Version,
}

/// The choices that shape a plan: shared by plan and apply, meaning the same in both. Those a
/// config file may set are `Option`s here so the config fills what the command line leaves out.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Delete owned roles that no manifest declares (config: `prune = true`).
    #[arg(long, overrides_with = "no_prune")]
    pub prune: bool,
    /// Do not delete owned roles without manifests, even if the config says `prune = true`.
    #[arg(long, overrides_with = "prune")]
    pub no_prune: bool,
    /// Refuse a plan that deletes more roles, managed policies and identity providers than this
    /// (default 10; config: `max_deletions`).
    #[arg(long, value_name = "N")]
    pub max_deletions: Option<usize>,
    /// Allow a manifest set that declares no role (with --prune, every owned role is deleted).
    #[arg(long)]
    pub allow_empty: bool,
    /// Tag marking what rolesmith owns, as KEY=VALUE (default: the config's `[ownership]`, else
    /// `managed-by=rolesmith`).
    #[arg(long, value_name = "KEY=VALUE")]
    pub ownership_tag: Option<String>,
    /// Plan only this resource and what it needs (repeatable): `role.NAME` (with its instance
    /// profile and bindings), `instance_profile.NAME`, `binding.INSTANCE_ID`. The plan says it
    /// is partial; a saved plan keeps its targets.
    #[arg(long = "target", value_name = "ADDRESS", value_parser = parse_address)]
    pub targets: Vec<Address>,
}

/// A `--target` value.
fn parse_address(s: &str) -> Result<Address, String> {
    s.parse()
}

/// The account plan and drift read: a snapshot file, which they never write, or the live one.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Account")]
pub struct ReadAccountArgs {
    /// Read this JSON snapshot file as the account instead of AWS (offline). It must exist
    /// (`rolesmith snapshot --out FILE` captures one); it is never written.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Accepted for scripts that pass apply's flags; an existing snapshot names its account.
    #[arg(long, value_name = "ID", default_value = DEFAULT_ACCOUNT_ID, hide = true)]
    pub account_id: String,
    /// Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config:
    /// `path_prefix`).
    #[arg(long, value_name = "PREFIX")]
    pub path_prefix: Option<String>,
    /// How to reach the live account (ignored with --snapshot).
    #[command(flatten)]
    pub live: LiveArgs,
    /// Accepted for scripts that pass apply's flags; nothing is written.
    #[command(flatten)]
    pub unused: HiddenPropagationArgs,
    /// Which accounts of the inventory.
    #[command(flatten)]
    pub inventory: InventoryArgs,
}

/// The account apply changes: a snapshot file, which it rewrites, or the live one.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Account")]
pub struct ApplyAccountArgs {
    /// Use this JSON snapshot file as the account instead of AWS (offline): apply writes the
    /// changes to it, and a file that does not exist starts as an empty account.
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// The account id of a --snapshot file that does not exist yet.
    #[arg(long, value_name = "ID", default_value = DEFAULT_ACCOUNT_ID)]
    pub account_id: String,
    /// Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config:
    /// `path_prefix`).
    #[arg(long, value_name = "PREFIX")]
    pub path_prefix: Option<String>,
    /// How to reach the live account (ignored with --snapshot).
    #[command(flatten)]
    pub live: LiveArgs,
    /// Seconds to wait for IAM changes to propagate (e.g. a trust naming a new role).
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_PROPAGATION_SECS)]
    pub propagation_timeout: u64,
    /// Which accounts of the inventory.
    #[command(flatten)]
    pub inventory: InventoryArgs,
}

/// Which accounts of the `[accounts]` inventory a run covers, and how many at once.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Accounts")]
pub struct InventoryArgs {
    /// With an `[accounts]` inventory: only the accounts this selects — a name, an id,
    /// `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account).
    #[arg(long = "account", value_name = "SELECTOR")]
    pub accounts: Vec<crate::inventory::Selector>,
    /// Accounts read and changed at once, each with its own clients, retries and pace.
    #[arg(long, value_name = "N", default_value_t = 4, value_parser = clap::value_parser!(u16).range(1..=64))]
    pub account_parallelism: u16,
}

/// Seconds apply waits for IAM changes to propagate unless told otherwise.
const DEFAULT_PROPAGATION_SECS: u64 = 120;

/// `--propagation-timeout` where nothing is written: accepted, not shown, without effect.
#[derive(Debug, Clone, Args)]
pub struct HiddenPropagationArgs {
    /// Accepted for scripts that pass apply's flags; without effect here.
    #[arg(long, value_name = "SECS", default_value_t = DEFAULT_PROPAGATION_SECS, hide = true)]
    pub propagation_timeout: u64,
}

/// How to reach the live AWS account, for every command that reads one. Credentials come from
/// the SDK's standard chain (environment, shared files, SSO, instance metadata) and never
/// appear in output.
#[derive(Debug, Clone, Args)]
#[command(next_help_heading = "Account")]
pub struct LiveArgs {
    /// Named profile from the shared AWS config files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (IAM is global; EC2 bindings use it; config: `region`).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL`
    /// works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Attempts per AWS call (retries for throttling, server errors and lost connections).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Retries the whole run may make; past them, calls fail at once, naming the throttling and
    /// the send rate reached (a re-run finishes the job).
    #[arg(long, value_name = "N", default_value_t = crate::account::aws::RUN_RETRY_BUDGET)]
    pub retry_budget: u64,
    /// Seconds one attempt of an AWS call may take before it is abandoned and retried (a
    /// connection that never answers must not hang the run).
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub call_timeout: u64,
    /// Print the API calls made, by operation, on stderr.
    #[arg(long)]
    pub stats: bool,
}

impl LiveArgs {
    /// These flags with the path prefix and propagation timeout of the command that has them.
    pub fn flags<'a>(&'a self, path_prefix: Option<&'a str>, propagation: u64) -> LiveFlags<'a> {
        LiveFlags {
            args: self,
            path_prefix,
            propagation_timeout: propagation,
        }
    }
}

impl ReadAccountArgs {
    /// The account flags as settings read them.
    pub fn flags(&self) -> AccountFlags<'_> {
        AccountFlags {
            snapshot: self.snapshot.as_deref(),
            account_id: &self.account_id,
            live: self
                .live
                .flags(self.path_prefix.as_deref(), self.unused.propagation_timeout),
            inventory: Some(&self.inventory),
        }
    }
}

impl ApplyAccountArgs {
    /// The account flags as settings read them.
    pub fn flags(&self) -> AccountFlags<'_> {
        AccountFlags {
            snapshot: self.snapshot.as_deref(),
            account_id: &self.account_id,
            live: self
                .live
                .flags(self.path_prefix.as_deref(), self.propagation_timeout),
            inventory: Some(&self.inventory),
        }
    }
}

impl PlanArgs {
    /// Plan's or apply's flags as settings read them.
    pub fn flags<'a>(
        &'a self,
        paths: &'a [PathBuf],
        account: AccountFlags<'a>,
        parallelism: Option<u16>,
    ) -> PlanFlags<'a> {
        PlanFlags {
            paths,
            account,
            choices: self,
            parallelism,
        }
    }
}

/// Output format of `rolesmith accounts`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// JSON.
    Json,
    /// A GitHub Actions matrix (`{"include": [{"shard": "1/N", "accounts": "--account …"}]}`).
    GithubMatrix,
}

/// Output format for findings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DiagnosticFormat {
    /// Human-readable reports with source excerpts.
    Text,
    /// A JSON array.
    Json,
    /// SARIF 2.1.0, for code scanning.
    Sarif,
}

/// Which command's permissions to print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PermissionsFor {
    /// Read-only: plan, drift, snapshot.
    Plan,
    /// Everything apply may call.
    Apply,
}

/// The shells `rolesmith completions` writes for (those with a committed script under
/// `completions/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum CompletionShell {
    /// Bash.
    Bash,
    /// Zsh.
    Zsh,
    /// Fish.
    Fish,
    /// PowerShell.
    Powershell,
}

/// `--unused-for`: the duration in seconds, and as written (for the report).
fn parse_unused_for(s: &str) -> Result<(i64, String), String> {
    crate::expiry::parse_duration(s).map(|seconds| (seconds, s.to_owned()))
}
