//! `[accounts]`: the account inventory's settings.
//!
//! ```toml
//! [accounts]
//! source = "organizations"                        # or "list" ([[accounts.list]]) or "file"
//! assume_role = "OrganizationAccountAccessRole"   # name or path/name of the role in each member
//! default = ["*"]                                 # targets of manifests without `accounts:`
//!
//! [accounts.vars.prod]                            # ${var.NAME} per account name
//! log_bucket = "prod-logs"
//! ```

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use toml::Spanned;

use crate::inventory::{AccountInfo, AssumeRole, Selector};

/// Where the inventory's accounts come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AccountSource {
    /// `[[accounts.list]]` entries.
    List(Vec<AccountInfo>),
    /// A file written by `rolesmith accounts --format json` (for offline runs).
    File(PathBuf),
    /// AWS Organizations, from the management or a delegated-administrator account.
    Organizations,
}

/// The `[accounts]` table, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountsConfig {
    /// Where the accounts come from.
    pub source: AccountSource,
    /// How member accounts are entered.
    pub assume_role: AssumeRole,
    /// The accounts of a manifest without `accounts:` (`["*"]`: every account).
    pub default: Vec<Selector>,
    /// `${var.NAME}` values by account name, merged over the list entries' own `vars`.
    pub vars: BTreeMap<String, BTreeMap<String, String>>,
}

/// The table as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct RawAccounts {
    source: Option<Spanned<String>>,
    file: Option<Spanned<PathBuf>>,
    assume_role: Option<Spanned<String>>,
    external_id: Option<String>,
    session_name: Option<Spanned<String>>,
    duration_seconds: Option<Spanned<i64>>,
    default: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    list: Vec<RawAccount>,
    #[serde(default)]
    vars: BTreeMap<String, BTreeMap<String, String>>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawAccount {
    name: Spanned<String>,
    id: Spanned<String>,
    ou: Option<Spanned<String>>,
    #[serde(default)]
    tags: BTreeMap<String, String>,
    #[serde(default)]
    vars: BTreeMap<String, String>,
}

/// An error at a span of the file.
pub(super) type Invalid = (Option<Range<usize>>, String);

impl RawAccounts {
    /// Checks the table; relative files are taken from `base` (the config file's folder).
    pub(super) fn check(self, base: Option<&Path>) -> Result<AccountsConfig, Invalid> {
        let source = self.source_of(base)?;
        let mut assume_role = AssumeRole::default();
        if let Some(role) = self.assume_role {
            let r = role.get_ref().trim_matches('/');
            if r.is_empty() || r.contains(char::is_whitespace) {
                return Err((
                    Some(role.span()),
                    "assume_role is the name (or path/name) of a role, e.g. \"OrganizationAccountAccessRole\"".into(),
                ));
            }
            assume_role.role = r.to_owned();
        }
        assume_role.external_id = self.external_id;
        if let Some(s) = self.session_name {
            let ok = (2..=64).contains(&s.get_ref().len())
                && s.get_ref()
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "=,.@-_".contains(c));
            if !ok {
                return Err((
                    Some(s.span()),
                    "session_name is 2–64 characters of letters, digits and =,.@-_".into(),
                ));
            }
            assume_role.session_name = s.into_inner();
        }
        if let Some(d) = self.duration_seconds {
            if !(900..=43_200).contains(d.get_ref()) {
                return Err((
                    Some(d.span()),
                    format!(
                        "duration_seconds is {}; it must be between 900 and 43200",
                        d.get_ref()
                    ),
                ));
            }
            assume_role.duration_seconds = *d.get_ref() as u32;
        }
        let default = match self.default {
            None => vec![Selector::All],
            Some(items) => items
                .into_iter()
                .map(|s| {
                    let span = s.span();
                    s.into_inner()
                        .parse::<Selector>()
                        .map_err(|e| (Some(span), e.to_string()))
                })
                .collect::<Result<_, _>>()?,
        };
        Ok(AccountsConfig {
            source,
            assume_role,
            default,
            vars: self.vars,
        })
    }

    fn source_of(&self, base: Option<&Path>) -> Result<AccountSource, Invalid> {
        let kind = self.source.as_ref().map(|s| s.get_ref().as_str());
        let list_span = self.source.as_ref().map(Spanned::span);
        match kind {
            Some("organizations") => Ok(AccountSource::Organizations),
            Some("file") => match &self.file {
                Some(f) => Ok(AccountSource::File(match base {
                    Some(b) if f.get_ref().is_relative() => b.join(f.get_ref()),
                    _ => f.get_ref().clone(),
                })),
                None => Err((
                    list_span,
                    "source = \"file\" needs `file = \"accounts.json\"` (written by `rolesmith accounts --format json`)".into(),
                )),
            },
            None | Some("list") => list(&self.list).map(AccountSource::List),
            Some(other) => Err((
                list_span,
                format!("source `{other}` is not one of \"list\", \"file\", \"organizations\""),
            )),
        }
    }
}

/// The `[[accounts.list]]` entries, checked: 12-digit ids, unique names and ids, OU paths.
fn list(raw: &[RawAccount]) -> Result<Vec<AccountInfo>, Invalid> {
    let mut out: Vec<AccountInfo> = Vec::new();
    for a in raw {
        let (name, id) = (a.name.get_ref(), a.id.get_ref());
        if !crate::manifest::limits::account_id(id) {
            return Err((
                Some(a.id.span()),
                format!("account id `{id}` is not 12 digits"),
            ));
        }
        if name.is_empty() || name.parse::<Selector>().ok() != Some(Selector::Name(name.clone())) {
            return Err((
                Some(a.name.span()),
                format!(
                    "account name `{name}` must not be empty, 12 digits, `*` or start with `ou:` / `tag:`"
                ),
            ));
        }
        if out.iter().any(|o| o.name == *name || o.id == *id) {
            return Err((
                Some(a.name.span()),
                format!("account `{name}` ({id}) is listed twice"),
            ));
        }
        let ou = match &a.ou {
            Some(ou) if !ou.get_ref().starts_with('/') => {
                return Err((
                    Some(ou.span()),
                    "ou is a path from the root, e.g. \"/workloads/prod\"".into(),
                ));
            }
            Some(ou) => ou.get_ref().clone(),
            None => "/".to_owned(),
        };
        out.push(AccountInfo {
            name: name.clone(),
            id: id.clone(),
            ou,
            tags: a.tags.clone(),
            vars: a.vars.clone(),
        });
    }
    out.sort();
    Ok(out)
}
