//! `rolesmith import` over the inventory: every selected account read (`--account-parallelism`
//! at a time; a snapshot folder offline), each imported on its own, and the manifests merged
//! into one per role with `accounts:` and `overrides:` ([`crate::import::accounts`]). Nothing
//! is written unless every account was read.

use super::*;
use crate::cli::capture::{read_for_import, write_import};
use crate::cli::settings::ImportSettings;
use crate::import::accounts::{AccountImport, merge};

/// `rolesmith import --out DIR` with an `[accounts]` inventory.
pub(in crate::cli) fn import_fleet(
    config: &AccountsConfig,
    settings: &ImportSettings,
) -> Result<ExitStatus, BoxError> {
    let aws = settings.live.aws_options();
    let folder = settings.snapshot.as_ref();
    let inventory = build_inventory(
        config,
        &aws,
        folder.map(|d| d.join(SNAPSHOT_INVENTORY)).as_deref(),
    )?;
    for note in &inventory.notes {
        eprintln!("note: {note}");
    }
    let accounts = inventory.select(&settings.selectors);
    if accounts.is_empty() {
        return Err(Box::new(UserError::new(
            "--account selects none of the inventory's accounts; nothing was read",
            "`rolesmith accounts` lists the inventory's names, ids, OU paths and tags",
        )));
    }
    let me = match folder {
        Some(_) => None,
        None => {
            let runtime = tokio_runtime()?;
            let account = runtime.block_on(AwsAccount::connect(aws.clone()))?;
            Some(runtime.block_on(account.identity())?)
        }
    };
    let read = run_each(&accounts, settings.account_parallelism, |a| {
        let runtime = tokio_runtime()?;
        let account = match (folder, &me) {
            (Some(dir), _) => AnyAccount::Snapshot(SnapshotAccount::open(
                dir.join(format!("{}.json", a.id)),
                &a.id,
            )?),
            (None, Some(me)) => {
                let mut opts = aws.clone();
                if me.account_id != a.id {
                    opts.assume_role = Some(assume_target(&inventory, &me.partition, &a.id));
                }
                AnyAccount::Aws(runtime.block_on(AwsAccount::connect(opts))?)
            }
            (None, None) => unreachable!("a live import knows its caller"),
        };
        read_for_import(&runtime, &account, settings)
    });
    let mut parts = Vec::with_capacity(accounts.len());
    let mut failed = Vec::new();
    for (a, state) in accounts.iter().zip(read) {
        match state {
            Ok(state) => parts.push(AccountImport {
                name: a.name.clone(),
                id: a.id.clone(),
                import: crate::import::import(&state, &settings.options),
            }),
            Err(e) => failed.push(format!("  {}  {}  {}", a.name, a.id, failure_text(&e))),
        }
    }
    if !failed.is_empty() {
        eprintln!("{}", failed.join("\n"));
        return Err(Box::new(UserError::new(
            format!(
                "{} of {} account(s) could not be read (above); nothing was written",
                failed.len(),
                accounts.len()
            ),
            "import the others with --account, or fix the access and run it again",
        )));
    }
    let by_default = inventory
        .accounts
        .iter()
        .filter(|a| crate::inventory::lands_in(&[], &[], &inventory.default, a))
        .map(|a| a.name.clone())
        .collect();
    write_import(&merge(&parts, &by_default), settings)?;
    eprintln!("Imported from {} account(s).", parts.len());
    Ok(ExitStatus::Success)
}
