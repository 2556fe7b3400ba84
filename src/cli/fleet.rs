//! One manifest set over the accounts of the `[accounts]` inventory: the inventory built (a
//! list, a file, or AWS Organizations), the accounts `--account` selects, and each account run
//! on its own — its own settings (the account's scope for validation, its snapshot file or the
//! role to assume), clients, retries and pace — `--account-parallelism` at a time. One
//! account's failure does not stop the others; the run's result lists each.
//!
//! Without an inventory nothing here runs: the commands plan the credentials' account as
//! before.

use std::sync::Mutex;

mod import;
mod inventory;
mod output;
mod saved;

pub(super) use import::import_fleet;
pub(super) use inventory::{accounts_command, snapshot_fleet, validate_each};
use output::{FLEET_FORMAT_VERSION, heading};
pub(super) use output::{SavedNote, render_plans};
pub(super) use saved::{apply_saved_accounts, note_of, runs_of_saved};

use super::*;
use crate::account::aws::AssumeRoleTarget;
use crate::config::{AccountSource, AccountsConfig};
use crate::inventory::{AccountInfo, Inventory};
use crate::plan::RunContext;

/// The inventory of `config`, with the accounts' `${var.*}` values merged in. Organizations
/// are asked through the credentials' own account (the management or a delegated
/// administrator).
pub(super) fn build_inventory(
    config: &AccountsConfig,
    aws: &AwsOptions,
    offline_inventory: Option<&Path>,
) -> Result<Inventory, BoxError> {
    let (mut accounts, notes) = match &config.source {
        AccountSource::List(list) => (list.clone(), Vec::new()),
        AccountSource::File(path) => (read_inventory_file(path)?, Vec::new()),
        AccountSource::Organizations if offline_inventory.is_some_and(|f| f.is_file()) => {
            let file = offline_inventory.unwrap_or_else(|| Path::new(""));
            (read_inventory_file(file)?, Vec::new())
        }
        AccountSource::Organizations => {
            let runtime = tokio_runtime()?;
            let account = runtime.block_on(AwsAccount::connect(aws.clone()))?;
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

/// The name of the inventory file in a snapshot folder (`rolesmith snapshot --out DIR`).
const SNAPSHOT_INVENTORY: &str = "accounts.json";

/// A snapshot folder's inventory file: an Organizations inventory is read from it offline.
fn snapshot_inventory(settings: &Settings) -> Option<PathBuf> {
    settings
        .account
        .snapshot
        .as_ref()
        .map(|dir| dir.join(SNAPSHOT_INVENTORY))
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
    // An account no manifest lands in plans nothing; pruning it would delete every owned role
    // there, which still needs --allow-empty.
    s.allow_empty |= !settings.prune;
    s.account.scope = Some(inventory.scope(account));
    match (&settings.account.snapshot, caller) {
        (Some(dir), _) => {
            s.account.snapshot = Some(dir.join(format!("{}.json", account.id)));
            s.account.snapshot_account_id = account.id.clone();
        }
        (None, Some(me)) if me.account_id == account.id => {}
        (None, me) => {
            let partition = me.map_or("aws", |m| m.partition.as_str());
            s.account.assume = Some(assume_target(inventory, partition, &account.id));
        }
    }
    s
}

/// `settings` with the manifests parsed once, for every account of the run to validate (the
/// loader's own findings are printed here, once).
fn parsed_once(settings: &Settings) -> Settings {
    let loaded = crate::manifest::load_paths(&settings.paths);
    note_skipped(&loaded.skipped);
    let mut s = settings.clone();
    s.manifests = Some(super::settings::SharedManifests(std::sync::Arc::new(
        loaded,
    )));
    s
}

/// How to enter member account `id`: the inventory's role there.
pub(super) fn assume_target(inventory: &Inventory, partition: &str, id: &str) -> AssumeRoleTarget {
    let role = &inventory.assume_role;
    AssumeRoleTarget {
        role_arn: role.arn(partition, id),
        external_id: role.external_id.clone(),
        session_name: role.session_name.clone(),
        duration_seconds: role.duration_seconds,
    }
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
    e.to_string()
}

/// One account's part of a run: the account, and what its run gave.
pub(super) struct AccountRun<T> {
    /// The account.
    pub(super) account: AccountInfo,
    /// Its result, or why it failed.
    pub(super) result: Result<T, String>,
}

/// One account's plan as it is shown and saved, without the states it was derived from (a run
/// over many accounts holds one of these per account, and only the accounts in flight hold
/// their states).
pub(in crate::cli) struct AccountPlan {
    /// The plan.
    pub(in crate::cli) plan: Plan,
    /// What it ran against.
    pub(in crate::cli) context: Option<RunContext>,
    /// The manifests' warnings and infos for this account.
    pub(in crate::cli) findings: Vec<Diagnostic>,
    /// The addresses of what the manifests declare in the account (`role.audit`, …).
    pub(in crate::cli) declared: Vec<String>,
    /// The API calls the account's run made (a live account).
    pub(in crate::cli) calls: Option<crate::plan::wire::CallCounts>,
    /// Its saved plan document, when the run saves its plan (`plan --out`).
    pub(in crate::cli) saved: Option<String>,
}

impl AccountPlan {
    /// What is shown of `p`, and its saved plan document when `save`.
    fn of(p: &Planned, settings: &Settings, save: bool) -> Result<AccountPlan, BoxError> {
        let d = &p.desired;
        let declared = d
            .roles
            .keys()
            .map(|n| format!("role.{n}"))
            .chain(d.policies.keys().map(|n| format!("policy.{n}")))
            .chain(
                d.oidc_providers
                    .keys()
                    .map(|n| format!("oidc_provider.{n}")),
            )
            .chain(
                d.saml_providers
                    .keys()
                    .map(|n| format!("saml_provider.{n}")),
            )
            .collect();
        let saved = match save {
            true => Some(crate::plan::saved::to_json(
                &p.plan,
                Some(&p.context),
                &super::commands::provenance(p, settings)?,
            )),
            false => None,
        };
        Ok(AccountPlan {
            plan: p.plan.clone(),
            context: Some(p.context.clone()),
            findings: p.findings.clone(),
            declared,
            calls: p.account.call_stats().map(|s| s.counts()),
            saved,
        })
    }
}

/// Plans every selected account (see the module docs), each plan kept as `keep` makes it
/// (with the account's own settings).
fn plan_each<T: Send>(
    settings: &Settings,
    config: &AccountsConfig,
    keep: impl Fn(Planned, &Settings) -> Result<T, BoxError> + Sync,
) -> Result<Vec<AccountRun<T>>, BoxError> {
    let inventory = build_inventory(
        config,
        &settings.aws_options(),
        snapshot_inventory(settings).as_deref(),
    )?;
    for note in &inventory.notes {
        eprintln!("note: {note}");
    }
    let accounts = selected(&inventory, settings)?;
    let me = caller(settings)?;
    let settings = &parsed_once(settings);
    let runs = run_each(&accounts, settings.account.account_parallelism, |a| {
        let s = for_account(settings, &inventory, a, me.as_ref());
        let planned = tokio_runtime().and_then(|runtime| make_plan(&s, &runtime));
        let result = planned.and_then(|p| {
            if p.live.account_id == a.id {
                keep(p, &s)
            } else {
                Err(Box::new(UserError::new(
                    format!(
                        "the run reached account {}, not {} ({})",
                        p.live.account_id, a.id, a.name
                    ),
                    "check the inventory's id for the account (and the snapshot file's accountId)",
                )) as BoxError)
            }
        });
        AccountRun {
            account: a.clone(),
            result: result.map_err(|e| failure_text(&e)),
        }
    });
    Ok(runs)
}

/// `rolesmith plan` over the inventory.
pub(super) fn plan_fleet(
    settings: &Settings,
    config: &AccountsConfig,
    format: Format,
    detailed: bool,
    out: Option<&Path>,
) -> Result<ExitStatus, BoxError> {
    let runs = plan_each(settings, config, |p, s| {
        AccountPlan::of(&p, s, out.is_some())
    })?;
    let saved = match out {
        Some(out) => vec![saved::save_accounts_plan(&runs, out)?],
        None => Vec::new(),
    };
    print!("{}", render_plans(&runs, format, &saved));
    if let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) {
        super::commands::append_to_step_summary(
            &path,
            &render_plans(&runs, Format::Markdown, &saved),
        );
    }
    if settings.account.live.stats {
        eprint!("{}", output::calls_by_account(&runs));
    }
    Ok(fleet_status(&runs, |p| !p.plan.is_empty(), detailed))
}

/// The exit status of a run over accounts: failure if any account failed, else changes (with
/// `detailed`) if any has them.
fn fleet_status<T>(
    runs: &[AccountRun<T>],
    changed: impl Fn(&T) -> bool,
    detailed: bool,
) -> ExitStatus {
    if runs.iter().any(|r| r.result.is_err()) {
        ExitStatus::Failure
    } else if detailed && runs.iter().any(|r| r.result.as_ref().is_ok_and(&changed)) {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    }
}

/// `rolesmith apply` over the inventory: every account planned, the plans shown, one
/// confirmation, then the accounts applied `--account-parallelism` at a time.
pub(super) fn apply_fleet(
    settings: &Settings,
    config: &AccountsConfig,
    auto_approve: bool,
) -> Result<ExitStatus, BoxError> {
    if let Some(dir) = &settings.account.snapshot {
        // The folder the user named holds one file per account; apply starts it.
        fs_err::create_dir_all(dir)?;
    }
    let runs = plan_each(settings, config, |p, _| Ok(p))?;
    let shown: Vec<AccountRun<AccountPlan>> = runs
        .iter()
        .map(|r| AccountRun {
            account: r.account.clone(),
            result: match &r.result {
                Ok(p) => AccountPlan::of(p, settings, false).map_err(|e| failure_text(&e)),
                Err(e) => Err(e.clone()),
            },
        })
        .collect();
    print!("{}", render_plans(&shown, Format::Text, &[]));
    // Bad manifests change nothing anywhere: an account that cannot be entered is that
    // account's failure, but an error in the manifests (for any account) is the set's.
    if let Some(bad) = runs.iter().find(|r| {
        r.result
            .as_ref()
            .is_err_and(|e| e.starts_with(MANIFEST_ERRORS))
    }) {
        return Err(Box::new(UserError::new(
            format!(
                "the manifests have errors in account {} ({}); nothing was changed in any account",
                bad.account.name, bad.account.id
            ),
            "fix the errors above (`rolesmith plan` shows them without changing anything)",
        )));
    }
    // An account of a snapshot folder with nothing to do is written as it is, so the folder
    // holds every account the next offline plan reads.
    for r in &runs {
        if let Ok(p) = &r.result
            && p.plan.steps.is_empty()
            && matches!(p.account, AnyAccount::Snapshot(_))
        {
            tokio_runtime()?.block_on(crate::account::AccountWriter::checkpoint(&p.account))?;
        }
    }
    let pending: Vec<&AccountRun<Planned>> = runs
        .iter()
        .filter(|r| r.result.as_ref().is_ok_and(|p| !p.plan.steps.is_empty()))
        .collect();
    if pending.is_empty() {
        return Ok(fleet_status(&runs, |_| false, false));
    }
    if !confirm(auto_approve)? {
        return Ok(ExitStatus::Failure);
    }
    let accounts: Vec<&AccountInfo> = pending.iter().map(|r| &r.account).collect();
    let applied = run_each(&accounts, settings.account.account_parallelism, |a| {
        let run = pending
            .iter()
            .find(|r| r.account.id == a.id)
            .expect("a pending account");
        let Ok(p) = &run.result else {
            unreachable!("only planned accounts are pending")
        };
        let result = tokio_runtime().and_then(|runtime| {
            let guard = OwnershipGuard::new(&p.live, &p.desired, &settings.ownership);
            let s = p.plan.summary();
            run_steps(
                &p.plan,
                &p.account,
                &guard,
                settings,
                &runtime,
                (s.add, s.change, s.destroy),
                "every step that succeeded is in the account: run the same apply again to finish",
            )
        });
        (a.clone(), result.map_err(|e| failure_text(&e)))
    });
    Ok(report_applied(
        &applied,
        runs.iter().filter(|r| r.result.is_err()).count(),
    ))
}

/// Prints each account's apply result; failure if any failed, counting the `failed_before`
/// accounts that never got to apply.
fn report_applied(
    applied: &[(AccountInfo, Result<ExitStatus, String>)],
    failed_before: usize,
) -> ExitStatus {
    let mut failed = failed_before;
    eprintln!("Applied accounts:");
    for (a, r) in applied {
        match r {
            Ok(ExitStatus::Success) => eprintln!("  {}  {}  applied", a.name, a.id),
            Ok(other) => {
                failed += 1;
                eprintln!("  {}  {}  stopped ({other:?})", a.name, a.id);
            }
            Err(e) => {
                failed += 1;
                eprintln!("  {}  {}  FAILED: {e}", a.name, a.id);
            }
        }
    }
    if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    }
}

/// `rolesmith drift` over the inventory: each account's report under its heading.
pub(super) fn drift_fleet(
    settings: &Settings,
    config: &AccountsConfig,
    format: Format,
    lists: &super::commands::DriftLists,
) -> Result<ExitStatus, BoxError> {
    let inventory = build_inventory(
        config,
        &settings.aws_options(),
        snapshot_inventory(settings).as_deref(),
    )?;
    let accounts = selected(&inventory, settings)?;
    let me = caller(settings)?;
    let settings = &parsed_once(settings);
    let runs = run_each(&accounts, settings.account.account_parallelism, |a| {
        let s = for_account(settings, &inventory, a, me.as_ref());
        let report = super::commands::drift_report(&s, lists);
        AccountRun {
            account: a.clone(),
            result: report.map(|(r, _)| r).map_err(|e| failure_text(&e)),
        }
    });
    let mut out = String::new();
    match format {
        Format::Json => {
            let accounts: Vec<serde_json::Value> = runs
                .iter()
                .map(|r| {
                    let mut v = serde_json::json!({"name": r.account.name, "id": r.account.id, "ou": r.account.ou});
                    match &r.result {
                        Ok(d) => v["drift"] = serde_json::from_str(&render::drift::render_json(d)).unwrap_or_default(),
                        Err(e) => v["error"] = serde_json::Value::String(e.clone()),
                    }
                    v
                })
                .collect();
            out = serde_json::to_string_pretty(
                &serde_json::json!({"format_version": FLEET_FORMAT_VERSION, "accounts": accounts}),
            )
            .unwrap_or_default();
            out.push('\n');
        }
        _ => {
            for r in &runs {
                out.push_str(&format!("══ {} ══\n", heading(&r.account)));
                match (&r.result, format) {
                    (Ok(d), Format::Markdown) => out.push_str(&render::drift::render_markdown(
                        d,
                        render::markdown::GITHUB_COMMENT_LIMIT / runs.len().max(1),
                    )),
                    (Ok(d), _) => out.push_str(&render::drift::render_text(d)),
                    (Err(e), _) => out.push_str(&format!("error: {e}\n")),
                }
                out.push('\n');
            }
        }
    }
    print!("{out}");
    Ok(if runs.iter().any(|r| r.result.is_err()) {
        ExitStatus::Failure
    } else if runs
        .iter()
        .any(|r| r.result.as_ref().is_ok_and(|d| d.has_drift()))
    {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}
