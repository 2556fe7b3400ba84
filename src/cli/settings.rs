//! Resolved settings: the command line merged over `rolesmith.toml` over the defaults. Commands
//! read these, never the clap types or the config file directly, so precedence is decided in one
//! place: a flag given on the command line wins, then the config, then the default.
//!
//! Each command gets one resolved value (`Settings` for plan, apply and drift;
//! [`ValidateSettings`], [`SnapshotSettings`], [`ImportSettings`]), built from shared pieces so
//! a key means the same everywhere: [`LiveSettings`] (how to reach the account),
//! [`resolve_ownership`] and [`resolve_paths`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use crate::account::aws::AwsOptions;
use crate::check::ResolveContext;
use crate::cli::UserError;
use crate::cli::args::{DiagnosticFormat, LiveArgs, PlanArgs};
use crate::config::{Config, LintConfig};
use crate::diff::Address;
use crate::import::ImportOptions;
use crate::quotas::Limits;
use crate::state::Ownership;

/// Roles one plan may delete unless `--max-deletions` or the config says otherwise.
pub const DEFAULT_MAX_DELETIONS: usize = 10;
/// Lanes of a phase applied at once by default.
pub const DEFAULT_PARALLELISM: u16 = 8;

/// Plan's or apply's flags as given, gathered from their clap structs (which differ in help
/// text, not in meaning).
#[derive(Debug, Clone, Copy)]
pub struct PlanFlags<'a> {
    /// Manifest paths (apply: or the saved plan).
    pub paths: &'a [PathBuf],
    /// Which account.
    pub account: AccountFlags<'a>,
    /// Prune, deletion limit, empty sets, ownership tag.
    pub choices: &'a PlanArgs,
    /// `--parallelism`.
    pub parallelism: Option<u16>,
}

/// The account flags of plan, apply or drift as given.
#[derive(Debug, Clone, Copy)]
pub struct AccountFlags<'a> {
    /// `--snapshot`.
    pub snapshot: Option<&'a Path>,
    /// `--account-id`.
    pub account_id: &'a str,
    /// How to reach the live account.
    pub live: LiveFlags<'a>,
    /// `--account` and `--account-parallelism`, for commands that take them.
    pub inventory: Option<&'a super::args::InventoryArgs>,
}

/// The live-account flags of a command as given: the shared [`LiveArgs`], and the path prefix
/// and propagation timeout, whose help differs by command.
#[derive(Debug, Clone, Copy)]
pub struct LiveFlags<'a> {
    /// Profile, region, endpoint, retries, stats.
    pub args: &'a LiveArgs,
    /// `--path-prefix`.
    pub path_prefix: Option<&'a str>,
    /// `--propagation-timeout`, in seconds.
    pub propagation_timeout: u64,
}

/// What plan, apply and drift run with.
#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// Manifest paths (empty: the current directory).
    pub paths: Vec<PathBuf>,
    /// The ownership tag.
    pub ownership: Ownership,
    /// Delete owned roles without manifests.
    pub prune: bool,
    /// Most roles a plan may delete.
    pub max_deletions: usize,
    /// Allow prune with an empty manifest set.
    pub allow_empty: bool,
    /// Lanes applied at once.
    pub parallelism: usize,
    /// Account quotas.
    pub limits: Limits,
    /// The `[lint]` table: severity overrides by check code, one's own accounts.
    pub lint: LintConfig,
    /// Only roles under this path prefix are read and managed.
    pub path_prefix: Option<String>,
    /// AWS region.
    pub region: Option<String>,
    /// Which account: a snapshot file, or the live one and how to reach it.
    pub account: AccountTarget,
    /// `--target`: the resources a partial plan is limited to (empty: everything).
    pub targets: Vec<Address>,
    /// The run's instant (`--now`, else the system clock when the run started).
    pub now: crate::expiry::Instant,
    /// How long before an `expiresAt` plans warn of it, in seconds.
    pub warn_expiring_within: i64,
    /// `[import] ignore`: roles drift never reports as unmanaged.
    pub ignore: Vec<crate::state::ignore::IgnoreRule>,
    /// The manifests already parsed, shared by the accounts of a run over the inventory
    /// (`None`: read from `paths`).
    pub manifests: Option<SharedManifests>,
}

/// Manifests parsed once for many validations (one per account of the inventory).
#[derive(Debug, Clone)]
pub struct SharedManifests(pub std::sync::Arc<crate::manifest::load::Loaded>);

impl PartialEq for SharedManifests {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0)
    }
}

/// Which account a command reads and changes.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountTarget {
    /// A JSON snapshot file used as the account instead of AWS.
    pub snapshot: Option<PathBuf>,
    /// The account id of a snapshot file that does not exist yet.
    pub snapshot_account_id: String,
    /// How to reach the live account (unused with a snapshot).
    pub live: LiveSettings,
    /// A snapshot file that does not exist starts as an empty account (apply); otherwise it is
    /// an error, so a mistyped path cannot plan against nothing.
    pub create_missing_snapshot: bool,
    /// The `[accounts]` inventory (`None`: one account, the credentials' own).
    pub inventory: Option<crate::config::AccountsConfig>,
    /// `--account`: the inventory's accounts this run covers (empty: all).
    pub selectors: Vec<crate::inventory::Selector>,
    /// `--account-parallelism`.
    pub account_parallelism: usize,
    /// The inventory account this run is for, set per account by the multi-account runner
    /// (`None` outside one).
    pub scope: Option<crate::inventory::AccountScope>,
    /// The role to assume to enter the account (a member account of the inventory).
    pub assume: Option<crate::account::aws::AssumeRoleTarget>,
}

impl AccountTarget {
    /// Merges the account flags over the config.
    pub fn resolve(account: &AccountFlags, config: &Config) -> Self {
        Self {
            snapshot: account.snapshot.map(Path::to_path_buf),
            snapshot_account_id: account.account_id.to_owned(),
            live: LiveSettings::resolve(&account.live, config),
            create_missing_snapshot: false,
            inventory: config.accounts.clone(),
            selectors: account
                .inventory
                .map(|i| i.accounts.clone())
                .unwrap_or_default(),
            account_parallelism: account
                .inventory
                .map_or(4, |i| usize::from(i.account_parallelism)),
            scope: None,
            assume: None,
        }
    }

    /// Whether the account is the live one (so a run makes API calls).
    pub fn is_live(&self) -> bool {
        self.snapshot.is_none()
    }
}

/// Parses `KEY=VALUE`.
pub fn parse_ownership(tag: &str) -> Result<Ownership, UserError> {
    match tag.split_once('=') {
        Some((k, v)) if !k.is_empty() => Ok(Ownership {
            key: k.to_owned(),
            value: v.to_owned(),
        }),
        _ => Err(UserError::new(
            format!("invalid --ownership-tag `{tag}`"),
            "write it as KEY=VALUE, e.g. managed-by=rolesmith",
        )),
    }
}

impl Settings {
    /// Merges plan/apply flags over the config.
    pub fn for_plan(flags: &PlanFlags, config: &Config) -> Result<Self, UserError> {
        let args = flags.choices;
        let mut s = Self::common(
            flags.paths,
            &flags.account,
            args.ownership_tag.as_deref(),
            config,
        )?;
        s.prune = if args.prune {
            true
        } else if args.no_prune {
            false
        } else {
            config.prune.unwrap_or(false)
        };
        s.max_deletions = args
            .max_deletions
            .or(config.max_deletions)
            .unwrap_or(DEFAULT_MAX_DELETIONS);
        s.allow_empty = args.allow_empty;
        s.targets = args.targets.clone();
        s.parallelism = usize::from(
            flags
                .parallelism
                .or(config.parallelism)
                .unwrap_or(DEFAULT_PARALLELISM),
        );
        Ok(s)
    }

    /// Merges apply's flags over the config: plan's, and a missing `--snapshot` file starts as
    /// an empty account.
    pub fn for_apply(flags: &PlanFlags, config: &Config) -> Result<Self, UserError> {
        let mut s = Self::for_plan(flags, config)?;
        s.account.create_missing_snapshot = true;
        Ok(s)
    }

    /// Merges drift's flags over the config.
    pub fn for_drift(
        paths: &[PathBuf],
        account: &AccountFlags,
        ownership_tag: Option<&str>,
        allow_empty: bool,
        config: &Config,
    ) -> Result<Self, UserError> {
        let mut s = Self::common(paths, account, ownership_tag, config)?;
        s.allow_empty = allow_empty;
        Ok(s)
    }

    /// Merges the flags drift shares with plan over the config.
    pub fn common(
        paths: &[PathBuf],
        account: &AccountFlags,
        ownership_tag: Option<&str>,
        config: &Config,
    ) -> Result<Self, UserError> {
        let target = AccountTarget::resolve(account, config);
        let live = target.live.clone();
        Ok(Self {
            paths: resolve_paths(paths, config),
            ownership: resolve_ownership(ownership_tag, config)?,
            prune: config.prune.unwrap_or(false),
            max_deletions: config.max_deletions.unwrap_or(DEFAULT_MAX_DELETIONS),
            allow_empty: false,
            parallelism: usize::from(config.parallelism.unwrap_or(DEFAULT_PARALLELISM)),
            limits: config.limits,
            lint: config.lint.clone(),
            now: config.now.unwrap_or_else(crate::expiry::Instant::now),
            ignore: config.import_ignore.clone(),
            manifests: None,
            warn_expiring_within: config
                .warn_expiring_within
                .unwrap_or(crate::plan::expiries::DEFAULT_WARNING_WINDOW),
            path_prefix: live.path_prefix,
            region: live.region,
            account: target,
            targets: Vec::new(),
        })
    }

    /// Options for the live account.
    pub fn aws_options(&self) -> AwsOptions {
        AwsOptions {
            assume_role: self.account.assume.clone(),
            ..self.account.live.aws_options()
        }
    }

    /// The settings of `apply plan.json`: these (resolved by apply itself from its flags and
    /// `rolesmith.toml`) with the manifest paths the plan names, provided the settings that
    /// decide what rolesmith owns and deletes are the plan's. A plan file can point at its
    /// (digest-checked) manifests, but cannot widen ownership or opt into deletions.
    pub fn for_saved_plan(
        mut self,
        plan: &crate::plan::saved::PlanSettings,
    ) -> Result<Self, SettingMismatch> {
        let tag = |o: &Ownership| format!("{}={}", o.key, o.value);
        if self.prune != plan.prune {
            return Err(SettingMismatch {
                flag: "--prune",
                planned: if plan.prune { "with" } else { "without" }.to_owned() + " --prune",
                resolved: format!("prune = {}", self.prune),
                hint: if plan.prune {
                    "deletions need the operator's opt-in as well as the plan's: pass --prune (or set `prune = true` in rolesmith.toml)"
                } else {
                    "a saved plan runs as it was planned; make a new plan with the settings you want"
                },
            });
        }
        if self.ownership != plan.ownership {
            return Err(SettingMismatch {
                flag: "--ownership-tag",
                planned: format!("with ownership tag `{}`", tag(&plan.ownership)),
                resolved: format!("`{}`", tag(&self.ownership)),
                hint: "pass the plan's --ownership-tag (or set `ownership_tag` in rolesmith.toml) if that tag is really yours",
            });
        }
        if self.path_prefix != plan.path_prefix {
            let shown = |p: &Option<String>| p.clone().unwrap_or_else(|| "(none)".into());
            return Err(SettingMismatch {
                flag: "--path-prefix",
                planned: format!("with path prefix {}", shown(&plan.path_prefix)),
                resolved: shown(&self.path_prefix),
                hint: "pass the same --path-prefix (or `path_prefix` in rolesmith.toml) as the plan",
            });
        }
        if !self.targets.is_empty() && self.targets != plan.targets {
            let shown = |t: &[Address]| match t {
                [] => "(none)".to_owned(),
                t => t
                    .iter()
                    .map(|a| format!("--target {a}"))
                    .collect::<Vec<_>>()
                    .join(" "),
            };
            return Err(SettingMismatch {
                flag: "--target",
                planned: format!("with {}", shown(&plan.targets)),
                resolved: shown(&self.targets),
                hint: "a saved plan keeps its targets: apply it without --target, or make a new plan with the targets you want",
            });
        }
        self.targets = plan.targets.clone();
        self.paths = plan.paths.clone();
        Ok(self)
    }
}

/// A setting of `apply plan.json` that differs from the plan's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingMismatch {
    /// The flag that sets it.
    pub flag: &'static str,
    /// How the plan was made, e.g. `with --prune`.
    pub planned: String,
    /// What this apply resolved.
    pub resolved: String,
    /// The way out.
    pub hint: &'static str,
}

/// How to reach the live account, resolved: the [`LiveArgs`] flags over `rolesmith.toml` over
/// the defaults. Every command that reads the account builds its AWS options from this, so a
/// `region` or `path_prefix` in the config means the same to all of them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LiveSettings {
    /// AWS region (`--region`, else the config's; `None`: the SDK's chain decides).
    pub region: Option<String>,
    /// Named profile from the shared AWS config files.
    pub profile: Option<String>,
    /// Endpoint every call goes to (a local moto server, say).
    pub endpoint_url: Option<String>,
    /// Only roles under this path prefix are read and managed.
    pub path_prefix: Option<String>,
    /// How long to wait for IAM changes to propagate.
    pub propagation_timeout: Duration,
    /// Attempts per AWS call.
    pub max_attempts: u32,
    /// Retries the whole run may make.
    pub retry_budget: u64,
    /// How long one attempt of a call may take.
    pub call_timeout: Duration,
    /// Print the API calls made, by operation.
    pub stats: bool,
}

impl LiveSettings {
    /// Merges the live-account flags over the config (which may set `region` and
    /// `path_prefix`; the rest have clap defaults).
    pub fn resolve(flags: &LiveFlags, config: &Config) -> Self {
        let live = flags.args;
        Self {
            region: live.region.clone().or_else(|| config.region.clone()),
            profile: live.profile.clone(),
            endpoint_url: live.endpoint_url.clone(),
            path_prefix: flags
                .path_prefix
                .map(str::to_owned)
                .or_else(|| config.path_prefix.clone()),
            propagation_timeout: Duration::from_secs(flags.propagation_timeout),
            max_attempts: live.max_attempts,
            retry_budget: live.retry_budget,
            call_timeout: Duration::from_secs(live.call_timeout),
            stats: live.stats,
        }
    }

    /// The AWS adapter's options.
    pub fn aws_options(&self) -> AwsOptions {
        AwsOptions {
            region: self.region.clone(),
            profile: self.profile.clone(),
            endpoint_url: self.endpoint_url.clone(),
            path_prefix: self.path_prefix.clone(),
            propagation_timeout: self.propagation_timeout,
            max_attempts: self.max_attempts,
            retry_budget: self.retry_budget,
            call_timeout: self.call_timeout,
            assume_role: None,
        }
    }
}

/// The ownership tag: `--ownership-tag KEY=VALUE` when given, else the config's `[ownership]`,
/// else `managed-by=rolesmith`.
pub fn resolve_ownership(flag: Option<&str>, config: &Config) -> Result<Ownership, UserError> {
    match flag {
        Some(tag) => parse_ownership(tag),
        None => Ok(config.ownership.clone().unwrap_or_default()),
    }
}

/// Manifest paths: those on the command line, else the config's `paths` (empty: the current
/// directory).
pub fn resolve_paths(paths: &[PathBuf], config: &Config) -> Vec<PathBuf> {
    if paths.is_empty() {
        config.paths.clone()
    } else {
        paths.to_vec()
    }
}

/// What `validate` runs with.
#[derive(Debug, Clone)]
pub struct ValidateSettings {
    /// Manifest paths (empty: the current directory).
    pub paths: Vec<PathBuf>,
    /// How findings are printed.
    pub format: DiagnosticFormat,
    /// The ownership tag, quotas and lint levels manifests are checked with (no account: the
    /// placeholders get a dummy account id).
    pub context: ResolveContext,
    /// Warnings fail the command too (`--strict`, or `strict = true` in the config).
    pub strict: bool,
    /// The `[accounts]` inventory: manifests are checked once per account of a list or file
    /// (Organizations, not known offline: once, against a stand-in account).
    pub inventory: Option<crate::config::AccountsConfig>,
}

impl ValidateSettings {
    /// Merges `validate`'s arguments over the config, so it checks what `plan` would.
    pub fn resolve(
        paths: &[PathBuf],
        format: DiagnosticFormat,
        strict: bool,
        config: &Config,
    ) -> Self {
        Self {
            paths: resolve_paths(paths, config),
            format,
            strict: strict || config.strict.unwrap_or(false),
            inventory: config.accounts.clone(),
            context: ResolveContext {
                ownership: config.ownership.clone().unwrap_or_default(),
                limits: config.limits,
                lint: config.lint.settings(),
                now: config.now.unwrap_or_else(crate::expiry::Instant::now),
                ..ResolveContext::offline()
            },
        }
    }
}

/// What `snapshot` runs with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotSettings {
    /// The snapshot file to write (with an inventory: the folder, one `ID.json` per account
    /// and `accounts.json`).
    pub out: PathBuf,
    /// The account to read.
    pub live: LiveSettings,
    /// The `[accounts]` inventory, if any.
    pub inventory: Option<crate::config::AccountsConfig>,
}

impl SnapshotSettings {
    /// Merges `snapshot`'s flags over the config.
    pub fn resolve(out: &Path, live: &LiveFlags, config: &Config) -> Self {
        Self {
            out: out.to_path_buf(),
            live: LiveSettings::resolve(live, config),
            inventory: config.accounts.clone(),
        }
    }
}

/// `import`'s flags as given on the command line, before the config fills the gaps.
#[derive(Debug)]
pub struct ImportFlags<'a> {
    /// `--out`.
    pub out: &'a Path,
    /// `--name`, a regular expression not yet compiled.
    pub name: Option<&'a str>,
    /// `--adopt`.
    pub adopt: bool,
    /// `--with-bindings`.
    pub with_bindings: bool,
    /// `--force`.
    pub force: bool,
    /// `--snapshot`.
    pub snapshot: Option<&'a Path>,
    /// `--ownership-tag`.
    pub ownership_tag: Option<&'a str>,
    /// How to reach the account.
    pub live: LiveFlags<'a>,
    /// `--account` and `--account-parallelism`.
    pub inventory: &'a crate::cli::args::InventoryArgs,
    /// `--skip-unused`, in seconds.
    pub skip_unused: Option<i64>,
}

/// What `import` runs with.
#[derive(Debug, Clone)]
pub struct ImportSettings {
    /// The folder manifests are written to.
    pub out: PathBuf,
    /// Overwrite manifests that exist.
    pub force: bool,
    /// Import from this snapshot file instead of the live account.
    pub snapshot: Option<PathBuf>,
    /// Which roles and what to write for them (the ownership tag resolved).
    pub options: ImportOptions,
    /// The live account (its path prefix also filters a snapshot).
    pub live: LiveSettings,
    /// The `[accounts]` inventory (`None`: the credentials' account).
    pub inventory: Option<crate::config::AccountsConfig>,
    /// `--account`: the inventory's accounts imported (empty: all).
    pub selectors: Vec<crate::inventory::Selector>,
    /// `--account-parallelism`.
    pub account_parallelism: usize,
}

impl ImportSettings {
    /// Merges `import`'s flags over the config; a bad `--name` or `--ownership-tag` is an error.
    pub fn resolve(flags: &ImportFlags, config: &Config) -> Result<Self, UserError> {
        let name = flags
            .name
            .map(|re| {
                regex_lite::Regex::new(re).map_err(|e| {
                    UserError::new(
                        format!("--name `{re}` is not a regular expression: {e}"),
                        "write e.g. --name '^app-' or --name 'web|api'",
                    )
                })
            })
            .transpose()?;
        Ok(Self {
            out: flags.out.to_path_buf(),
            force: flags.force,
            snapshot: flags.snapshot.map(Path::to_path_buf),
            options: ImportOptions {
                name,
                adopt: flags.adopt,
                with_bindings: flags.with_bindings,
                ownership: resolve_ownership(flags.ownership_tag, config)?,
                ignore: config.import_ignore.clone(),
                skip_unused: flags.skip_unused.map(|seconds| {
                    (
                        seconds,
                        config.now.unwrap_or_else(crate::expiry::Instant::now),
                    )
                }),
            },
            live: LiveSettings::resolve(&flags.live, config),
            inventory: config.accounts.clone(),
            selectors: flags.inventory.accounts.clone(),
            account_parallelism: usize::from(flags.inventory.account_parallelism),
        })
    }
}
#[cfg(test)]
mod tests;
