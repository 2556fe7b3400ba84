//! `rolesmith.toml`: optional project settings, found in the current directory or named with
//! `--config`. Flags on the command line override it (`cli::settings` does the merging).
//!
//! Unknown keys and bad values are errors naming `file:line:column` (from the spans `toml`
//! keeps), because a misspelt `max_deletion = 100` that is silently ignored is worse than none.
//! This module reads and checks the file; it knows nothing of clap or AWS.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

mod accounts;

pub use accounts::{AccountSource, AccountsConfig};

use crate::diagnostic::Severity;
use crate::quotas::{Limits, MAX_MANAGED_POLICIES_QUOTA, MAX_TRUST_POLICY_QUOTA};
use crate::state::Ownership;

/// The file looked for in the current directory.
pub const FILE_NAME: &str = "rolesmith.toml";

/// The settings a config file may hold. Every field is optional; absent means "the default, or
/// the flag".
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Config {
    /// The file it came from (`None` for the empty default config).
    pub file: Option<PathBuf>,
    /// Manifest files or directories, relative to the config file's directory.
    pub paths: Vec<PathBuf>,
    /// Only read and manage roles under this path prefix.
    pub path_prefix: Option<String>,
    /// The ownership tag.
    pub ownership: Option<Ownership>,
    /// Delete owned roles that no manifest declares.
    pub prune: Option<bool>,
    /// AWS region.
    pub region: Option<String>,
    /// Account quotas (defaults for the fields not given).
    pub limits: Limits,
    /// Lanes of a plan phase applied at once.
    pub parallelism: Option<u16>,
    /// Most roles one plan may delete.
    pub max_deletions: Option<usize>,
    /// The `[lint]` table.
    pub lint: LintConfig,
    /// `validate` fails on warnings too (as `--strict`).
    pub strict: Option<bool>,
    /// The `[accounts]` inventory; `None`: the credentials' own account only.
    pub accounts: Option<AccountsConfig>,
    /// `[import] ignore`: roles never imported or reported as unmanaged.
    pub import_ignore: Vec<crate::state::ignore::IgnoreRule>,
    /// How long before an `expiresAt` plans warn of it, in seconds (`None`: 7 days).
    pub warn_expiring_within: Option<i64>,
    /// `--now`: the instant `expiresAt` is compared with (not a key of the file; `None`: the
    /// system clock).
    pub now: Option<crate::expiry::Instant>,
}

/// The `[lint]` table: a level per check code, and the reserved key `own_accounts`.
///
/// Codes are kebab-case and `own_accounts` is not, so the one table holds both without a clash:
///
/// ```toml
/// [lint]
/// wildcard-action = "error"
/// own_accounts = ["111122223333", "444455556666"]
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LintConfig {
    /// Severity overrides by check code.
    pub levels: BTreeMap<String, LintLevel>,
    /// Accounts that count as one's own besides the target account (12-digit ids): trusting
    /// them is not cross-account.
    pub own_accounts: BTreeSet<String>,
}

/// The reserved key of `[lint]` that lists one's own accounts.
pub const OWN_ACCOUNTS_KEY: &str = "own_accounts";

impl LintConfig {
    /// The linter's settings.
    pub fn settings(&self) -> crate::lint::LintSettings {
        let mut settings = crate::lint::LintSettings {
            own_accounts: self.own_accounts.clone(),
            ..Default::default()
        };
        for (code, level) in &self.levels {
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
}

/// What a lint check's findings become.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LintLevel {
    /// Stops plan and apply.
    Error,
    /// Reported, allowed.
    Warning,
    /// Reported as information.
    Info,
    /// Not reported.
    Off,
}

impl fmt::Display for LintLevel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
            Self::Off => "off",
        })
    }
}

/// A config file that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("cannot read config {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        #[source]
        source: std::io::Error,
    },
    /// A syntax error, unknown key or bad value.
    #[error("{path}:{line}:{column}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// 1-based column, in characters.
        column: usize,
        /// What is wrong.
        message: String,
    },
}

/// The file as written (spans kept where a value is checked after parsing).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    paths: Vec<PathBuf>,
    path_prefix: Option<Spanned<String>>,
    ownership: Option<RawOwnership>,
    prune: Option<bool>,
    region: Option<Spanned<String>>,
    #[serde(default)]
    quotas: RawQuotas,
    parallelism: Option<Spanned<i64>>,
    max_deletions: Option<Spanned<i64>>,
    warn_expiring_within: Option<Spanned<String>>,
    strict: Option<bool>,
    /// Levels by code, and `own_accounts` (an array); told apart after parsing.
    #[serde(default)]
    lint: BTreeMap<Spanned<String>, Spanned<toml::Value>>,
    accounts: Option<accounts::RawAccounts>,
    import: Option<RawImport>,
}

/// `[import]`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawImport {
    #[serde(default)]
    ignore: Vec<Spanned<RawIgnore>>,
}

/// One `[import] ignore` item: `{name = "REGEX"}`, `{path = "/PREFIX/"}`, `{tag = "K=V"}` or a
/// combination (all must match).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawIgnore {
    name: Option<String>,
    path: Option<String>,
    tag: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOwnership {
    key: Spanned<String>,
    value: String,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawQuotas {
    managed_policies_per_role: Option<Spanned<i64>>,
    trust_policy_size: Option<Spanned<i64>>,
}

impl Config {
    /// Reads `explicit` when given (it must exist), else `rolesmith.toml` in `dir` if there is
    /// one, else the empty config.
    pub fn discover(explicit: Option<&Path>, dir: &Path) -> Result<Config, ConfigError> {
        match explicit {
            Some(path) => Config::load(path),
            None => {
                let path = if dir == Path::new(".") {
                    PathBuf::from(FILE_NAME)
                } else {
                    dir.join(FILE_NAME)
                };
                if path.is_file() {
                    Config::load(&path)
                } else {
                    Ok(Config::default())
                }
            }
        }
    }

    /// Reads and checks one config file.
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let text = fs_err::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        Config::parse(&text, path)
    }

    /// Parses config text; `path` names it in errors and anchors relative manifest paths.
    pub fn parse(text: &str, path: &Path) -> Result<Config, ConfigError> {
        let invalid = |span: Option<Range<usize>>, message: String| {
            let (line, column) = line_column(text, span.map_or(0, |s| s.start));
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let raw: RawConfig =
            toml::from_str(text).map_err(|e| invalid(e.span(), e.message().trim().to_owned()))?;

        let base = path.parent().filter(|p| !p.as_os_str().is_empty());
        let paths = raw
            .paths
            .into_iter()
            .map(|p| match base {
                Some(base) if p.is_relative() => base.join(p),
                _ => p,
            })
            .collect();

        if let Some(prefix) = &raw.path_prefix {
            let p = prefix.get_ref();
            if !(p.starts_with('/') && p.ends_with('/')) {
                return Err(invalid(
                    Some(prefix.span()),
                    format!("path_prefix `{p}` must start and end with `/`, e.g. `/app/`"),
                ));
            }
        }
        if let Some(region) = &raw.region
            && region.get_ref().trim().is_empty()
        {
            return Err(invalid(Some(region.span()), "region is empty".into()));
        }
        let ownership = match raw.ownership {
            None => None,
            Some(o) if o.key.get_ref().is_empty() => {
                return Err(invalid(
                    Some(o.key.span()),
                    "ownership.key must not be empty".into(),
                ));
            }
            Some(o) => Some(Ownership {
                key: o.key.into_inner(),
                value: o.value,
            }),
        };
        let ranged = |v: &Option<Spanned<i64>>,
                      name: &str,
                      min: i64,
                      max: i64|
         -> Result<Option<i64>, ConfigError> {
            match v {
                None => Ok(None),
                Some(s) if (min..=max).contains(s.get_ref()) => Ok(Some(*s.get_ref())),
                Some(s) => Err(invalid(
                    Some(s.span()),
                    format!(
                        "{name} is {}; it must be between {min} and {max}",
                        s.get_ref()
                    ),
                )),
            }
        };
        let defaults = Limits::default();
        let limits = Limits {
            managed_policies_per_role: ranged(
                &raw.quotas.managed_policies_per_role,
                "quotas.managed_policies_per_role",
                1,
                MAX_MANAGED_POLICIES_QUOTA as i64,
            )?
            .map_or(defaults.managed_policies_per_role, |n| n as usize),
            trust_policy_size: ranged(
                &raw.quotas.trust_policy_size,
                "quotas.trust_policy_size",
                defaults.trust_policy_size as i64,
                MAX_TRUST_POLICY_QUOTA as i64,
            )?
            .map_or(defaults.trust_policy_size, |n| n as usize),
        };
        let parallelism = ranged(&raw.parallelism, "parallelism", 1, 64)?.map(|n| n as u16);
        let max_deletions = ranged(&raw.max_deletions, "max_deletions", 0, i64::from(u32::MAX))?
            .map(|n| n as usize);
        let warn_expiring_within = match &raw.warn_expiring_within {
            None => None,
            Some(w) => Some(
                crate::expiry::parse_duration(w.get_ref())
                    .map_err(|m| invalid(Some(w.span()), format!("warn_expiring_within: {m}")))?,
            ),
        };
        let mut ignore = Vec::new();
        for item in raw.import.map(|i| i.ignore).unwrap_or_default() {
            let span = item.span();
            let item = item.into_inner();
            let name = item
                .name
                .map(|re| {
                    regex_lite::Regex::new(&re).map_err(|e| {
                        invalid(
                            Some(span.clone()),
                            format!("import.ignore: `{re}` is not a regular expression: {e}"),
                        )
                    })
                })
                .transpose()?;
            if name.is_none() && item.path.is_none() && item.tag.is_none() {
                return Err(invalid(
                    Some(span),
                    "import.ignore: a rule needs `name`, `path` or `tag` (it would match every role)".into(),
                ));
            }
            let tag = item.tag.map(|t| match t.split_once('=') {
                Some((k, v)) => (k.to_owned(), Some(v.to_owned())),
                None => (t, None),
            });
            ignore.push(crate::state::ignore::IgnoreRule {
                name,
                path: item.path,
                tag,
            });
        }
        let mut lint = LintConfig::default();
        for (code, value) in raw.lint {
            if code.get_ref() == OWN_ACCOUNTS_KEY {
                lint.own_accounts =
                    own_accounts(text, &value).map_err(|(span, m)| invalid(Some(span), m))?;
                continue;
            }
            if !is_check_code(code.get_ref()) || crate::lint::find_rule(code.get_ref()).is_none() {
                let hint = crate::diagnostic::did_you_mean(
                    code.get_ref(),
                    crate::lint::RULES
                        .iter()
                        .map(|r| r.code)
                        .chain([OWN_ACCOUNTS_KEY]),
                )
                .map_or_else(
                    || "`rolesmith explain --all` lists the codes".to_owned(),
                    |c| format!("did you mean `{c}`?"),
                );
                return Err(invalid(
                    Some(code.span()),
                    format!("`{}` is not a lint check code; {hint}", code.get_ref()),
                ));
            }
            let span = value.span();
            let level = LintLevel::deserialize(value.into_inner())
                .map_err(|e| invalid(Some(span), e.message().trim().to_owned()))?;
            lint.levels.insert(code.into_inner(), level);
        }
        let accounts = match raw.accounts {
            None => None,
            Some(a) => Some(a.check(base).map_err(|(span, m)| invalid(span, m))?),
        };
        Ok(Config {
            accounts,
            file: Some(path.to_path_buf()),
            paths,
            path_prefix: raw.path_prefix.map(Spanned::into_inner),
            ownership,
            prune: raw.prune,
            region: raw.region.map(Spanned::into_inner),
            limits,
            parallelism,
            max_deletions,
            lint,
            strict: raw.strict,
            warn_expiring_within,
            import_ignore: ignore,
            now: None,
        })
    }
}

/// `[lint] own_accounts`: an array of 12-digit account ids. An error carries the span of the
/// offending item (found in `text`, since the items of a `toml::Value` have no spans).
fn own_accounts(
    text: &str,
    value: &Spanned<toml::Value>,
) -> Result<BTreeSet<String>, (Range<usize>, String)> {
    let expected = "own_accounts is a list of 12-digit account ids, e.g. [\"111122223333\"]";
    let toml::Value::Array(items) = value.get_ref() else {
        return Err((value.span(), expected.to_owned()));
    };
    let mut ids = BTreeSet::new();
    let mut search = value.span().start;
    for item in items {
        let (id, shown) = match item {
            toml::Value::String(s) => (Some(s.as_str()), format!("\"{s}\"")),
            toml::Value::Integer(n) => (None, n.to_string()),
            toml::Value::Boolean(b) => (None, b.to_string()),
            other => (None, other.type_str().to_owned()),
        };
        // Items appear in order, so each is the next occurrence of its text in the array.
        let end = value.span().end.min(text.len());
        let start = text[search..end]
            .find(&shown)
            .map_or(value.span().start, |i| search + i);
        search = (start + shown.len()).min(end);
        match id {
            Some(id) if crate::manifest::limits::account_id(id) => {
                ids.insert(id.to_owned());
            }
            _ => {
                return Err((
                    start..start + shown.len(),
                    format!("{shown} is not a 12-digit account id; {expected}"),
                ));
            }
        }
    }
    Ok(ids)
}

/// Lowercase words of letters and digits joined by single hyphens.
fn is_check_code(code: &str) -> bool {
    !code.is_empty()
        && code.split('-').all(|w| {
            !w.is_empty()
                && w.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        })
}

/// 1-based line and column (in characters) of a byte offset.
fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..offset];
    let line = before.matches('\n').count() + 1;
    let start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text, Path::new("rolesmith.toml"))
    }

    fn error(text: &str) -> String {
        parse(text).expect_err("should be rejected").to_string()
    }

    #[test]
    fn a_full_config_parses() {
        let c = parse(
            r#"
paths = ["manifests", "teams/web"]
path_prefix = "/app/"
prune = true
region = "eu-west-1"
parallelism = 4
max_deletions = 3
strict = true

[ownership]
key = "owner"
value = "platform"

[quotas]
managed_policies_per_role = 20
trust_policy_size = 4096

[lint]
wildcard-action = "error"
trust-principal-wildcard = "off"
own_accounts = ["111122223333"]
"#,
        )
        .unwrap();
        assert_eq!(
            c.paths,
            [PathBuf::from("manifests"), PathBuf::from("teams/web")]
        );
        assert_eq!(c.path_prefix.as_deref(), Some("/app/"));
        assert_eq!(c.prune, Some(true));
        assert_eq!(c.parallelism, Some(4));
        assert_eq!(c.max_deletions, Some(3));
        assert_eq!(c.strict, Some(true));
        assert_eq!(c.ownership.unwrap().key, "owner");
        assert_eq!(c.limits.managed_policies_per_role, 20);
        assert_eq!(c.limits.trust_policy_size, 4096);
        assert_eq!(c.lint.levels["wildcard-action"], LintLevel::Error);
        assert_eq!(c.lint.levels["trust-principal-wildcard"], LintLevel::Off);
        assert_eq!(
            c.lint.settings().own_accounts,
            BTreeSet::from(["111122223333".to_owned()])
        );
    }

    #[test]
    fn unknown_keys_name_file_line_and_column() {
        let e = error("prune = true\nmax_deletion = 100\n");
        assert!(
            e.starts_with("rolesmith.toml:2:1: unknown field `max_deletion`"),
            "{e}"
        );
        let e = error("[quotas]\nmanaged_policies = 20\n");
        assert!(e.starts_with("rolesmith.toml:2:1:"), "{e}");
        assert!(e.contains("managed_policies_per_role"), "{e}");
    }

    #[test]
    fn bad_values_name_their_position() {
        let e = error("parallelism = 0\n");
        assert_eq!(
            e,
            "rolesmith.toml:1:15: parallelism is 0; it must be between 1 and 64"
        );
        let e = error("[lint]\nwildcard-action = \"fatal\"\n");
        assert!(e.starts_with("rolesmith.toml:2:19:"), "{e}");
        assert!(e.contains("unknown variant `fatal`"), "{e}");
        let e = error("[lint]\nwildcard-actoin = \"warning\"\n");
        assert!(e.contains("did you mean `wildcard-action`?"), "{e}");
        let e = error("[lint]\nWildcard_Action = \"warning\"\n");
        assert!(e.starts_with("rolesmith.toml:2:1:"), "{e}");
        let e = error("path_prefix = \"app\"\n");
        assert!(e.starts_with("rolesmith.toml:1:15:"), "{e}");
        let e = error("[quotas]\ntrust_policy_size = 9000\n");
        assert!(e.starts_with("rolesmith.toml:2:21:"), "{e}");
        let e = error("prune = \"yes\"\n");
        assert!(e.starts_with("rolesmith.toml:1:9:"), "{e}");
    }

    #[test]
    fn own_accounts_must_be_account_ids() {
        let e = error("[lint]\nown_accounts = [\"111122223333\", \"1234\"]\n");
        assert_eq!(
            e,
            "rolesmith.toml:2:33: \"1234\" is not a 12-digit account id; own_accounts is a list of 12-digit account ids, e.g. [\"111122223333\"]"
        );
        let e = error("[lint]\nown_accounts = [111122223333]\n");
        assert!(
            e.starts_with("rolesmith.toml:2:17: 111122223333 is not"),
            "{e}"
        );
        let e = error("[lint]\nown_accounts = \"111122223333\"\n");
        assert!(
            e.starts_with("rolesmith.toml:2:16: own_accounts is a list"),
            "{e}"
        );
        let e = error("[lint]\nown_account = []\n");
        assert!(e.contains("did you mean `own_accounts`?"), "{e}");
    }

    #[test]
    fn relative_paths_are_anchored_at_the_config_file() {
        let c = Config::parse(
            "paths = [\"m\", \"/abs\"]\n",
            Path::new("repo/rolesmith.toml"),
        )
        .unwrap();
        assert_eq!(c.paths, [PathBuf::from("repo/m"), PathBuf::from("/abs")]);
    }
}
