//! The clap types: every flag, its help text and default. Commands receive these resolved into
//! library types by `cli::mod`; nothing else in the crate sees clap.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::render::Format;

/// Manage AWS IAM roles the GitOps way: YAML manifests in git, plan, apply.
#[derive(Debug, Parser)]
#[command(name = "rolesmith", version, about, long_about = None)]
pub struct Cli {
    /// More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Never draw progress bars. By default, reads and applies that take longer than a second
    /// show one on stderr when stderr is a terminal.
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// Settings file (default: `rolesmith.toml` in the current directory, if any). Flags
    /// override it.
    #[arg(long, value_name = "FILE", global = true)]
    pub config: Option<PathBuf>,
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
        /// Fail on warnings too (exit 1), like `clippy -D warnings` (config: `strict = true`).
        #[arg(long)]
        strict: bool,
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
        /// Also save the plan, with a fingerprint of the manifests and of the live state it was
        /// made from, for `rolesmith apply FILE`.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Plan and apply the changes; or, given a saved plan (`apply plan.json`), prove that the
    /// manifests and the account still yield exactly its steps and run them. Ctrl-C lets the
    /// steps in flight finish and exits 130; running apply again finishes the job.
    Apply {
        /// Common options.
        #[command(flatten)]
        common: PlanArgs,
        /// Apply without asking (required when stdin is not a terminal).
        #[arg(long)]
        auto_approve: bool,
        /// With a saved plan: refuse unless its plan id is this one (the id shown in the
        /// reviewed plan, e.g. `sha256:3f2a9c0e5b7d1a46`).
        #[arg(long, value_name = "ID")]
        expect_plan_id: Option<String>,
    },
    /// Report how the account differs from the manifests, including changes made by hand.
    /// Exit 0: no drift, 2: drift, 1: error. Makes only read calls.
    Drift {
        /// Manifest files or directories (default: `paths` from the config, else the current
        /// directory).
        paths: Vec<PathBuf>,
        /// Which account.
        #[command(flatten)]
        account: AccountArgs,
        /// Tag marking what rolesmith owns, as KEY=VALUE (default `managed-by=rolesmith`).
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
        /// Allow a manifest set that declares no role (every owned role is then drift).
        #[arg(long)]
        allow_empty: bool,
    },
    /// Capture the live account into a snapshot file for offline plans. Makes only read calls.
    Snapshot {
        /// Where to write the snapshot JSON.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
        /// How to reach the account.
        #[command(flatten)]
        live: LiveArgs,
    },
    /// Write manifests for roles that already exist, to bring them under management.
    /// Makes only read calls.
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
        /// Import from a snapshot file instead of the live account.
        #[arg(long, value_name = "FILE")]
        snapshot: Option<PathBuf>,
        /// Tag marking what rolesmith owns, as KEY=VALUE (left out of imported tags; default:
        /// the config's `[ownership]`, else `managed-by=rolesmith`).
        #[arg(long, value_name = "KEY=VALUE")]
        ownership_tag: Option<String>,
        /// How to reach the account.
        #[command(flatten)]
        live: LiveArgs,
    },
    /// Print the least-privilege IAM policy rolesmith needs.
    Permissions {
        /// For which command: `plan` (read-only; also drift and snapshot) or `apply`.
        #[arg(long = "for", value_enum, default_value_t = PermissionsFor::Plan)]
        for_command: PermissionsFor,
    },
    /// Explain a diagnostic code: what it finds, why it matters and how to fix it.
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
    Schema,
}

/// Options shared by plan and apply. Those a config file may set are `Option`s here so the
/// config fills what the command line leaves out.
#[derive(Debug, Clone, Args)]
pub struct PlanArgs {
    /// Manifest files or directories (default: `paths` from the config, else the current
    /// directory). For `apply`, a single saved plan file (`plan.json`) instead.
    pub paths: Vec<PathBuf>,
    /// Which account.
    #[command(flatten)]
    pub account: AccountArgs,
    /// Delete owned roles that no manifest declares.
    #[arg(long, overrides_with = "no_prune")]
    pub prune: bool,
    /// Do not delete owned roles without manifests, even if the config says `prune = true`.
    #[arg(long, overrides_with = "prune")]
    pub no_prune: bool,
    /// Refuse a plan that deletes more roles than this (default 10).
    #[arg(long, value_name = "N")]
    pub max_deletions: Option<usize>,
    /// Allow --prune with no manifests at all (which deletes every owned role).
    #[arg(long)]
    pub allow_empty: bool,
    /// Independent roles changed at once within a plan phase (default 8).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub parallelism: Option<u16>,
    /// Tag marking what rolesmith owns, as KEY=VALUE (default `managed-by=rolesmith`).
    #[arg(long, value_name = "KEY=VALUE")]
    pub ownership_tag: Option<String>,
}

/// Which account: a snapshot file, or the live one.
#[derive(Debug, Clone, Args)]
pub struct AccountArgs {
    /// Use a JSON snapshot file as the account instead of AWS (offline; apply rewrites it).
    #[arg(long, value_name = "FILE")]
    pub snapshot: Option<PathBuf>,
    /// Account id for a snapshot file that does not exist yet.
    #[arg(long, value_name = "ID", default_value = "123456789012")]
    pub account_id: String,
    /// How to reach the live account (ignored with --snapshot).
    #[command(flatten)]
    pub live: LiveArgs,
}

/// How to reach the live AWS account. Credentials come from the SDK's standard chain
/// (environment, shared files, SSO, instance metadata) and never appear in output.
#[derive(Debug, Clone, Args)]
pub struct LiveArgs {
    /// Named profile from the shared AWS config files.
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// AWS region (IAM is global; EC2 bindings use it).
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL`
    /// works too.
    #[arg(long, value_name = "URL")]
    pub endpoint_url: Option<String>,
    /// Only read and manage roles whose path starts with this prefix, e.g. `/app/`.
    #[arg(long, value_name = "PREFIX")]
    pub path_prefix: Option<String>,
    /// Seconds to wait for IAM changes to propagate (e.g. a trust naming a new role).
    #[arg(long, value_name = "SECS", default_value_t = 120)]
    pub propagation_timeout: u64,
    /// Attempts per AWS call (adaptive retries for throttling and server errors).
    #[arg(long, value_name = "N", default_value_t = 8, value_parser = clap::value_parser!(u32).range(1..=20))]
    pub max_attempts: u32,
    /// Seconds one attempt of an AWS call may take before it is abandoned and retried (a
    /// connection that never answers must not hang the run).
    #[arg(long, value_name = "SECS", default_value_t = 60, value_parser = clap::value_parser!(u64).range(1..=3600))]
    pub call_timeout: u64,
    /// Print the API calls made, by operation, on stderr.
    #[arg(long)]
    pub stats: bool,
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
