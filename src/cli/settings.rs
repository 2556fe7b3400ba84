//! Resolved settings: the command line merged over `rolesmith.toml` over the defaults. Commands
//! read these, never the clap types or the config file directly, so precedence is decided in one
//! place: a flag given on the command line wins, then the config, then the default.

use std::path::PathBuf;

use crate::account::aws::AwsOptions;
use crate::cli::UserError;
use crate::cli::args::{AccountArgs, PlanArgs};
use crate::config::{Config, LintConfig};
use crate::quotas::Limits;
use crate::state::Ownership;

/// Roles one plan may delete unless `--max-deletions` or the config says otherwise.
pub const DEFAULT_MAX_DELETIONS: usize = 10;
/// Lanes of a phase applied at once by default.
pub const DEFAULT_PARALLELISM: u16 = 8;

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
    pub fn for_plan(args: &PlanArgs, config: &Config) -> Result<Self, UserError> {
        let mut s = Self::common(
            &args.paths,
            &args.account,
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
        s.parallelism = usize::from(
            args.parallelism
                .or(config.parallelism)
                .unwrap_or(DEFAULT_PARALLELISM),
        );
        Ok(s)
    }

    /// Merges the flags drift shares with plan over the config.
    pub fn common(
        paths: &[PathBuf],
        account: &AccountArgs,
        ownership_tag: Option<&str>,
        config: &Config,
    ) -> Result<Self, UserError> {
        let ownership = match ownership_tag {
            Some(tag) => parse_ownership(tag)?,
            None => config.ownership.clone().unwrap_or_default(),
        };
        Ok(Self {
            paths: if paths.is_empty() {
                config.paths.clone()
            } else {
                paths.to_vec()
            },
            ownership,
            prune: config.prune.unwrap_or(false),
            max_deletions: config.max_deletions.unwrap_or(DEFAULT_MAX_DELETIONS),
            allow_empty: false,
            parallelism: usize::from(config.parallelism.unwrap_or(DEFAULT_PARALLELISM)),
            limits: config.limits,
            lint: config.lint.clone(),
            path_prefix: account
                .live
                .path_prefix
                .clone()
                .or_else(|| config.path_prefix.clone()),
            region: account
                .live
                .region
                .clone()
                .or_else(|| config.region.clone()),
        })
    }

    /// Options for the live account.
    pub fn aws_options(&self, account: &AccountArgs) -> AwsOptions {
        AwsOptions {
            region: self.region.clone(),
            profile: account.live.profile.clone(),
            endpoint_url: account.live.endpoint_url.clone(),
            path_prefix: self.path_prefix.clone(),
            propagation_timeout: std::time::Duration::from_secs(account.live.propagation_timeout),
            max_attempts: account.live.max_attempts,
            call_timeout: std::time::Duration::from_secs(account.live.call_timeout),
        }
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use clap::Parser;

    use super::*;
    use crate::cli::{Cli, Command};

    fn plan_settings(argv: &[&str], config: &str) -> Settings {
        let cli = Cli::try_parse_from(argv).unwrap();
        let Command::Plan { common, .. } = cli.command else {
            panic!("not plan")
        };
        let config = Config::parse(config, Path::new("rolesmith.toml")).unwrap();
        Settings::for_plan(&common, &config).unwrap()
    }

    const CONFIG: &str = r#"
paths = ["teams"]
prune = true
max_deletions = 3
parallelism = 2
path_prefix = "/app/"
region = "eu-west-1"
[ownership]
key = "owner"
value = "platform"
[quotas]
managed_policies_per_role = 20
"#;

    #[test]
    fn config_fills_what_flags_leave_out() {
        let s = plan_settings(&["rolesmith", "plan"], CONFIG);
        assert_eq!(s.paths, [PathBuf::from("teams")]);
        assert!(s.prune);
        assert_eq!(s.max_deletions, 3);
        assert_eq!(s.parallelism, 2);
        assert_eq!(s.path_prefix.as_deref(), Some("/app/"));
        assert_eq!(s.region.as_deref(), Some("eu-west-1"));
        assert_eq!(s.ownership.key, "owner");
        assert_eq!(s.limits.managed_policies_per_role, 20);
        assert_eq!(
            s.limits.trust_policy_size,
            Limits::default().trust_policy_size
        );
    }

    #[test]
    fn flags_override_the_config() {
        let s = plan_settings(
            &[
                "rolesmith",
                "plan",
                "other",
                "--no-prune",
                "--max-deletions",
                "20",
                "--parallelism",
                "16",
                "--path-prefix",
                "/ops/",
                "--region",
                "us-west-2",
                "--ownership-tag",
                "team=iam",
            ],
            CONFIG,
        );
        assert_eq!(s.paths, [PathBuf::from("other")]);
        assert!(!s.prune);
        assert_eq!(s.max_deletions, 20);
        assert_eq!(s.parallelism, 16);
        assert_eq!(s.path_prefix.as_deref(), Some("/ops/"));
        assert_eq!(s.region.as_deref(), Some("us-west-2"));
        assert_eq!(s.ownership.key, "team");
    }

    #[test]
    fn defaults_without_config_or_flags() {
        let s = plan_settings(&["rolesmith", "plan"], "");
        assert!(s.paths.is_empty());
        assert!(!s.prune);
        assert_eq!(s.max_deletions, DEFAULT_MAX_DELETIONS);
        assert_eq!(s.parallelism, usize::from(DEFAULT_PARALLELISM));
        assert_eq!(s.ownership, Ownership::default());
    }
}
