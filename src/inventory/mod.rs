//! The account inventory: which AWS accounts one manifest set drives, and how a manifest picks
//! the accounts it lands in.
//!
//! Without an inventory rolesmith manages one account, the credentials' own, exactly as before
//! inventories existed. With one (`rolesmith.toml [accounts]`: a static list, a file written by
//! `rolesmith accounts --format json`, or discovery through AWS Organizations), every manifest
//! lands in the accounts its `accounts: {include, exclude}` selects — or, without `accounts:`,
//! in the inventory's default set — and is validated once per account, with that account's
//! `${account.*}` and `${var.*}` values.
//!
//! Selectors are strings so they read the same in manifests, the config and `--account`: an
//! account name, a 12-digit id, `ou:/PATH` (a glob over the OU path: `*` within one level,
//! `**` across levels), `tag:KEY=VALUE`, or `*` for every account.

mod selector;

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use selector::{Selector, SelectorError};

/// One account of the inventory.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountInfo {
    /// The account's name (Organizations' name, or the static list's), unique in the inventory.
    pub name: String,
    /// The 12-digit account id.
    pub id: String,
    /// The OU path from the root, `/` for an account directly under the root, e.g.
    /// `/workloads/prod`.
    #[serde(default = "root_ou")]
    pub ou: String,
    /// The account's tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Per-account values for `${var.NAME}`.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub vars: BTreeMap<String, String>,
}

fn root_ou() -> String {
    "/".to_owned()
}

/// How rolesmith enters a member account: the role it assumes there (the caller's own account
/// is used directly).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssumeRole {
    /// The role's name, or `path/name` (`OrganizationAccountAccessRole` by default).
    pub role: String,
    /// `ExternalId` to pass, if the role's trust policy asks for one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// The session name (`rolesmith` by default), which CloudTrail shows.
    pub session_name: String,
    /// Session length in seconds (900–43200; 3600 by default).
    pub duration_seconds: u32,
}

impl Default for AssumeRole {
    fn default() -> Self {
        Self {
            role: "OrganizationAccountAccessRole".to_owned(),
            external_id: None,
            session_name: "rolesmith".to_owned(),
            duration_seconds: 3600,
        }
    }
}

impl AssumeRole {
    /// The role's ARN in `account_id`.
    pub fn arn(&self, partition: &str, account_id: &str) -> String {
        let role = self.role.trim_start_matches('/');
        format!("arn:{partition}:iam::{account_id}:role/{role}")
    }
}

/// The accounts one run manages, and how manifests are placed in them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Inventory {
    /// Every account, in name order.
    pub accounts: Vec<AccountInfo>,
    /// How member accounts are entered.
    pub assume_role: AssumeRole,
    /// The accounts of a manifest without `accounts:`.
    pub default: Vec<Selector>,
    /// Notes from building the inventory (a suspended account skipped, …).
    pub notes: Vec<String>,
}

impl Inventory {
    /// The accounts `selectors` pick (every account when empty), in inventory order.
    pub fn select(&self, selectors: &[Selector]) -> Vec<&AccountInfo> {
        self.accounts
            .iter()
            .filter(|a| selectors.is_empty() || selectors.iter().any(|s| s.matches(a)))
            .collect()
    }

    /// The account named or numbered `name_or_id`.
    pub fn find(&self, name_or_id: &str) -> Option<&AccountInfo> {
        self.accounts
            .iter()
            .find(|a| a.name == name_or_id || a.id == name_or_id)
    }
}

/// The account one validation pass is for, with what placing manifests in it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountScope {
    /// The account.
    pub account: AccountInfo,
    /// The inventory's default set (for manifests without `accounts:`).
    pub default: Vec<Selector>,
    /// Every account name and id of the inventory, to tell a typo from an account.
    pub known: std::sync::Arc<Vec<String>>,
    /// Account ids by name, for trust written by account name (`trust: [{account: security}]`).
    pub ids: std::sync::Arc<BTreeMap<String, String>>,
    /// A stand-in for accounts not known offline (an Organizations inventory under
    /// `validate`): every manifest lands, any name is taken, and a missing value is not an
    /// error.
    pub stand_in: bool,
}

impl AccountScope {
    /// The stand-in scope (see [`AccountScope::stand_in`]).
    pub fn stand_in(default: Vec<Selector>) -> Self {
        Self {
            account: AccountInfo {
                name: "any-account".into(),
                id: "123456789012".into(),
                ou: "/".into(),
                tags: BTreeMap::new(),
                vars: BTreeMap::new(),
            },
            default,
            known: std::sync::Arc::new(Vec::new()),
            ids: std::sync::Arc::new(BTreeMap::new()),
            stand_in: true,
        }
    }
}

impl Inventory {
    /// The scope of validating manifests for `account`.
    pub fn scope(&self, account: &AccountInfo) -> AccountScope {
        let known = self
            .accounts
            .iter()
            .flat_map(|a| [a.name.clone(), a.id.clone()])
            .collect();
        AccountScope {
            account: account.clone(),
            default: self.default.clone(),
            known: std::sync::Arc::new(known),
            ids: std::sync::Arc::new(
                self.accounts
                    .iter()
                    .map(|a| (a.name.clone(), a.id.clone()))
                    .collect(),
            ),
            stand_in: false,
        }
    }
}

/// A manifest's `accounts:` as selectors: whether it lands in `account` (`default` applies
/// when `include` is empty; `exclude` always wins).
pub fn lands_in(
    include: &[Selector],
    exclude: &[Selector],
    default: &[Selector],
    account: &AccountInfo,
) -> bool {
    let included = if include.is_empty() {
        default.iter().any(|s| s.matches(account))
    } else {
        include.iter().any(|s| s.matches(account))
    };
    included && !exclude.iter().any(|s| s.matches(account))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(name: &str, id: &str, ou: &str, tags: &[(&str, &str)]) -> AccountInfo {
        AccountInfo {
            name: name.into(),
            id: id.into(),
            ou: ou.into(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect(),
            vars: BTreeMap::new(),
        }
    }

    fn sel(list: &[&str]) -> Vec<Selector> {
        list.iter().map(|s| s.parse().unwrap()).collect()
    }

    #[test]
    fn include_defaults_and_exclude_wins() {
        let prod = account(
            "prod",
            "111111111111",
            "/workloads/prod",
            &[("env", "prod")],
        );
        let dev = account("dev", "222222222222", "/workloads/dev", &[("env", "dev")]);
        let all = sel(&["*"]);
        assert!(lands_in(&[], &[], &all, &prod));
        assert!(!lands_in(&[], &[], &sel(&["dev"]), &prod));
        assert!(lands_in(
            &sel(&["ou:/workloads/*"]),
            &sel(&["tag:env=dev"]),
            &[],
            &prod
        ));
        assert!(!lands_in(
            &sel(&["ou:/workloads/*"]),
            &sel(&["tag:env=dev"]),
            &[],
            &dev
        ));
        assert!(lands_in(&sel(&["222222222222"]), &[], &[], &dev));
    }

    #[test]
    fn assume_role_arn_takes_a_path() {
        let r = AssumeRole {
            role: "ops/rolesmith".into(),
            ..AssumeRole::default()
        };
        assert_eq!(
            r.arn("aws", "111111111111"),
            "arn:aws:iam::111111111111:role/ops/rolesmith"
        );
    }
}
