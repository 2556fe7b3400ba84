//! One manifest set over the accounts of the `[accounts]` inventory: the inventory built (a
//! list, a file, or AWS Organizations), the accounts `--account` selects, and each account run
//! on its own — its own settings (the account's scope for validation, its snapshot file or the
//! role to assume), clients, retries and pace — `--account-parallelism` at a time. One
//! account's failure does not stop the others; the run's result lists each.
//!
//! Without an inventory nothing here runs: the commands plan the credentials' account as
//! before.

use std::sync::Mutex;

use super::*;
use crate::account::aws::AssumeRoleTarget;
use crate::config::{AccountSource, AccountsConfig};
use crate::inventory::{AccountInfo, Inventory};

/// The inventory of `config`, with the accounts' `${var.*}` values merged in. Organizations
/// are asked through the credentials' own account (the management or a delegated
/// administrator).
pub(super) fn build_inventory(
    config: &AccountsConfig,
    settings: &Settings,
) -> Result<Inventory, BoxError> {
    let (mut accounts, notes) = match &config.source {
        AccountSource::List(list) => (list.clone(), Vec::new()),
        AccountSource::File(path) => (read_inventory_file(path)?, Vec::new()),
        AccountSource::Organizations => {
            let runtime = tokio_runtime()?;
            let account = runtime.block_on(AwsAccount::connect(settings.aws_options()))?;
            runtime.block_on(account.organization_accounts())?
        }
    };
    for a in &mut accounts {
        if let Some(vars) = config.vars.get(&a.name) {
            a.vars.extend(vars.clone());
        }
    }
    accounts.sort();
    Ok(Inventory {
        accounts,
        assume_role: config.assume_role.clone(),
        default: config.default.clone(),
        notes,
    })
}

/// The accounts of a file `rolesmith accounts --format json` wrote.
fn read_inventory_file(path: &Path) -> Result<Vec<AccountInfo>, BoxError> {
    #[derive(serde::Deserialize)]
    struct File {
        accounts: Vec<AccountInfo>,
    }
    let text = fs_err::read_to_string(path)?;
    let file: File = serde_json::from_str(&text).map_err(|e| {
        UserError::new(
            format!("{}: not an account inventory: {e}", path.display()),
            "write it with `rolesmith accounts --format json > FILE` (from an inventory that reaches the accounts)",
        )
    })?;
    Ok(file.accounts)
}

/// The accounts a run covers: those `--account` selects, at least one.
pub(super) fn selected<'a>(
    inventory: &'a Inventory,
    settings: &Settings,
) -> Result<Vec<&'a AccountInfo>, BoxError> {
    let chosen = inventory.select(&settings.account.selectors);
    if chosen.is_empty() {
        let shown: Vec<String> = settings
            .account
            .selectors
            .iter()
            .map(|s| format!("`{s}`"))
            .collect();
        return Err(Box::new(UserError::new(
            format!(
                "--account {} selects none of the inventory's {} account(s); nothing was read",
                shown.join(", "),
                inventory.accounts.len()
            ),
            "`rolesmith accounts` lists the inventory's names, ids, OU paths and tags",
        )));
    }
    Ok(chosen)
}

/// The caller's own account (used directly, never assumed into) and partition, when the run is
/// live; `None` with a snapshot folder.
pub(super) fn caller(settings: &Settings) -> Result<Option<crate::account::Identity>, BoxError> {
    if !settings.account.is_live() {
        return Ok(None);
    }
    let runtime = tokio_runtime()?;
    let account = runtime.block_on(AwsAccount::connect(settings.aws_options()))?;
    Ok(Some(runtime.block_on(account.identity())?))
}

/// The settings of one account's run: its validation scope, and its snapshot file
/// (`DIR/ID.json` of the snapshot folder) or the role to assume (none for the caller's own).
pub(super) fn for_account(
    settings: &Settings,
    inventory: &Inventory,
    account: &AccountInfo,
    caller: Option<&crate::account::Identity>,
) -> Settings {
    let mut s = settings.clone();
    s.account.inventory = None;
    s.account.scope = Some(inventory.scope(account));
    match (&settings.account.snapshot, caller) {
        (Some(dir), _) => {
            s.account.snapshot = Some(dir.join(format!("{}.json", account.id)));
            s.account.snapshot_account_id = account.id.clone();
        }
        (None, Some(me)) if me.account_id == account.id => {}
        (None, me) => {
            let partition = me.map_or("aws", |m| m.partition.as_str());
            let role = &inventory.assume_role;
            s.account.assume = Some(AssumeRoleTarget {
                role_arn: role.arn(partition, &account.id),
                external_id: role.external_id.clone(),
                session_name: role.session_name.clone(),
                duration_seconds: role.duration_seconds,
            });
        }
    }
    s
}

/// Runs `each` for every account, `parallelism` at a time, each on its own thread (and its
/// own runtime, made by `each`); results in the accounts' order.
pub(super) fn run_each<T: Send>(
    accounts: &[&AccountInfo],
    parallelism: usize,
    each: impl Fn(&AccountInfo) -> T + Sync,
) -> Vec<T> {
    let next = Mutex::new(0usize);
    let results: Mutex<Vec<Option<T>>> = Mutex::new((0..accounts.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..parallelism.clamp(1, accounts.len().max(1)) {
            scope.spawn(|| {
                loop {
                    let i = {
                        let mut n = next.lock().unwrap_or_else(|e| e.into_inner());
                        let i = *n;
                        *n += 1;
                        i
                    };
                    let Some(account) = accounts.get(i) else {
                        return;
                    };
                    let out = each(account);
                    results.lock().unwrap_or_else(|e| e.into_inner())[i] = Some(out);
                }
            });
        }
    });
    results
        .into_inner()
        .unwrap_or_else(|e| e.into_inner())
        .into_iter()
        .map(|r| r.expect("every account ran"))
        .collect()
}

/// An account's failure, as the run's summary shows it.
pub(super) fn failure_text(e: &BoxError) -> String {
    match e.downcast_ref::<UserError>() {
        Some(u) => u.to_string(),
        None => e.to_string(),
    }
}
