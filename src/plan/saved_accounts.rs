//! Saved plans over the accounts of an inventory: `plan --out FILE` when `[accounts]` is set.
//!
//! The file holds one saved plan per account — each with its own provenance, so the live
//! fingerprint of every account is kept and proved on its own — plus the accounts that could not
//! be planned, under one plan id that hashes every account's id and plan id. The reviewer checks
//! that one id (`apply FILE --expect-plan-id ID`); an edit to any account's steps changes that
//! account's plan id and so the file's.
//!
//! A file with a failed account is kept (the PR comment shows the failure) but never applied:
//! apply runs every account's steps or none.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::PlanId;
use super::saved::{LoadError, SavedPlan, check_format, read_json};

/// The `kind` marking a JSON file as a saved plan over accounts.
pub const KIND: &str = "rolesmith-saved-plan-accounts";

/// The format of the file: `accounts`, each with `name`, `id`, `ou`, `declared` and either a
/// saved `plan` (the one-account saved plan document) or the `error` planning it gave.
pub const FORMAT_VERSION: &str = "1";

/// The account a part of the file is for, as the inventory named it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountLabel {
    /// The inventory's name of the account.
    pub name: String,
    /// The 12-digit account id.
    pub id: String,
    /// Its OU path.
    pub ou: String,
}

/// One account of a saved plan over accounts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAccount {
    /// The account.
    pub account: AccountLabel,
    /// The addresses of what the manifests declare there (`role.audit`, …), for the counts of
    /// where each resource lands.
    pub declared: Vec<String>,
    /// The account's saved plan, or why it could not be planned.
    pub plan: Result<SavedPlan, String>,
}

/// A saved plan over accounts, as read back: every account's plan id checked, and the file's
/// id recomputed from them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedAccountsPlan {
    /// The file's plan id.
    pub plan_id: PlanId,
    /// The accounts, in the order planned.
    pub accounts: Vec<SavedAccount>,
}

/// The id of a plan over accounts: a hash of every account — its id, name, OU and what lands
/// there, as the reviewer saw them — with its plan id (or its failure), in account-id order,
/// so the order the accounts finished in does not matter.
pub fn plan_id<'a>(
    parts: impl IntoIterator<Item = (&'a AccountLabel, &'a [String], Result<PlanId, &'a str>)>,
) -> PlanId {
    let mut parts: Vec<(&AccountLabel, &[String], String)> = parts
        .into_iter()
        .map(|(account, declared, plan)| {
            let plan = match plan {
                Ok(p) => p.0,
                Err(e) => format!("failed: {e}"),
            };
            (account, declared, plan)
        })
        .collect();
    parts.sort_by(|a, b| a.0.id.cmp(&b.0.id));
    let mut hash = Sha256::new();
    hash.update(KIND.as_bytes());
    for (account, declared, plan) in parts {
        for field in [&account.id, &account.name, &account.ou]
            .into_iter()
            .chain(declared)
            .chain([&plan])
        {
            hash.update([0]);
            hash.update(field.as_bytes());
        }
        hash.update([1]);
    }
    // Shortened as a one-account plan id is: the reviewer reads and types it.
    let hex: String = hash.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    PlanId(format!("sha256:{hex}"))
}

#[derive(Serialize, Deserialize)]
struct FileOut {
    kind: String,
    format_version: String,
    plan_id: PlanId,
    accounts: Vec<AccountOut>,
}

#[derive(Serialize, Deserialize)]
struct AccountOut {
    #[serde(flatten)]
    account: AccountLabel,
    #[serde(default)]
    declared: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    plan: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
}

/// One account as [`to_json`] writes it: the account, what it declares, and its saved plan
/// document (the JSON of [`super::saved::to_json`]) or its failure.
pub struct AccountPart<'a> {
    /// The account.
    pub account: AccountLabel,
    /// What the manifests declare there.
    pub declared: Vec<String>,
    /// Its plan id and saved plan document, or its failure.
    pub plan: Result<(PlanId, &'a str), &'a str>,
}

/// The file: pretty JSON with a trailing newline, and its plan id.
pub fn to_json(parts: Vec<AccountPart<'_>>) -> Result<(String, PlanId), serde_json::Error> {
    let id = plan_id(parts.iter().map(|p| {
        (
            &p.account,
            p.declared.as_slice(),
            p.plan.as_ref().map(|(id, _)| id.clone()).map_err(|e| *e),
        )
    }));
    let mut accounts = Vec::with_capacity(parts.len());
    for p in parts {
        let (plan, error) = match p.plan {
            Ok((_, doc)) => (Some(serde_json::from_str(doc)?), None),
            Err(e) => (None, Some(e.to_owned())),
        };
        accounts.push(AccountOut {
            account: p.account,
            declared: p.declared,
            plan,
            error,
        });
    }
    let file = FileOut {
        kind: KIND.to_owned(),
        format_version: FORMAT_VERSION.to_owned(),
        plan_id: id.clone(),
        accounts,
    };
    let mut text = serde_json::to_string_pretty(&file)?;
    text.push('\n');
    Ok((text, id))
}

/// A saved plan of either shape, as `apply FILE` and `show FILE` read it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnySavedPlan {
    /// One account's (`plan --out` without an inventory).
    One(Box<SavedPlan>),
    /// The accounts of an inventory.
    Accounts(SavedAccountsPlan),
}

impl AnySavedPlan {
    /// Reads the saved plan at `path`, whichever its `kind`.
    pub fn load(path: &Path) -> Result<AnySavedPlan, LoadError> {
        let value = read_json(path)?;
        if value.get("kind").and_then(|k| k.as_str()) == Some(KIND) {
            SavedAccountsPlan::from_value(value, path).map(AnySavedPlan::Accounts)
        } else {
            SavedPlan::from_value(value, path).map(|p| AnySavedPlan::One(Box::new(p)))
        }
    }
}

impl SavedAccountsPlan {
    /// The plan over accounts in `value` (read from `path`): each account's plan loaded as a
    /// saved plan (its id checked against its steps), and the file's id checked against them.
    pub fn from_value(value: serde_json::Value, path: &Path) -> Result<Self, LoadError> {
        let not_saved = |message: String| LoadError::NotASavedPlan {
            path: path.to_path_buf(),
            message,
        };
        check_format(&value, FORMAT_VERSION, path)?;
        let file: FileOut = serde_json::from_value(value).map_err(|e| not_saved(e.to_string()))?;
        let mut accounts = Vec::with_capacity(file.accounts.len());
        let mut seen = std::collections::BTreeSet::new();
        for a in file.accounts {
            if !seen.insert(a.account.id.clone()) {
                return Err(not_saved(format!(
                    "account {} is in it twice",
                    a.account.id
                )));
            }
            let plan = match (a.plan, a.error) {
                (Some(doc), None) => {
                    let saved = SavedPlan::from_value(doc, path)?;
                    if saved.plan.account_id != a.account.id {
                        return Err(not_saved(format!(
                            "the plan filed under account {} is for account {}",
                            a.account.id, saved.plan.account_id
                        )));
                    }
                    Ok(saved)
                }
                (None, Some(e)) => Err(e),
                _ => {
                    return Err(not_saved(format!(
                        "account {} has neither a plan nor an error (or both)",
                        a.account.id
                    )));
                }
            };
            accounts.push(SavedAccount {
                account: a.account,
                declared: a.declared,
                plan,
            });
        }
        let actual = plan_id(accounts.iter().map(|a| {
            (
                &a.account,
                a.declared.as_slice(),
                a.plan
                    .as_ref()
                    .map(|p| p.plan_id.clone())
                    .map_err(String::as_str),
            )
        }));
        if !actual.matches(&file.plan_id.0) {
            return Err(LoadError::IdMismatch {
                path: path.to_path_buf(),
                stated: file.plan_id.0,
                actual,
            });
        }
        Ok(SavedAccountsPlan {
            plan_id: actual,
            accounts,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn id(s: &str) -> PlanId {
        PlanId(s.to_owned())
    }

    fn label(id: &str, name: &str) -> AccountLabel {
        AccountLabel {
            name: name.to_owned(),
            id: id.to_owned(),
            ou: "/".to_owned(),
        }
    }

    #[test]
    fn the_id_covers_every_account_as_shown_and_not_their_order() {
        let (one, two) = (label("111", "prod"), label("222", "dev"));
        let none: &[String] = &[];
        let a = plan_id([(&one, none, Ok(id("x"))), (&two, none, Ok(id("y")))]);
        let b = plan_id([(&two, none, Ok(id("y"))), (&one, none, Ok(id("x")))]);
        assert_eq!(a, b);
        assert_ne!(
            a,
            plan_id([(&one, none, Ok(id("x"))), (&two, none, Ok(id("z")))])
        );
        assert_ne!(a, plan_id([(&one, none, Ok(id("x")))]));
        assert_ne!(
            a,
            plan_id([(&one, none, Ok(id("x"))), (&two, none, Err("denied"))])
        );
        // Names swapped: the reviewer would read one account's plan under another's name.
        let (one_as_dev, two_as_prod) = (label("111", "dev"), label("222", "prod"));
        assert_ne!(
            a,
            plan_id([
                (&one_as_dev, none, Ok(id("x"))),
                (&two_as_prod, none, Ok(id("y")))
            ])
        );
        let declared = ["role.audit".to_owned()];
        assert_ne!(
            a,
            plan_id([
                (&one, &declared[..], Ok(id("x"))),
                (&two, none, Ok(id("y")))
            ])
        );
    }
}
