//! Saved plans over the inventory: `plan --out FILE` writes every account's saved plan under one
//! plan id; `apply FILE` proves every account's plan (the six checks of `saved_plan.rs`, each
//! account against its own re-read state) before it changes any account, and runs every
//! account's steps or none; `show FILE...` reads them back for the PR comment.

use super::*;
use crate::cli::saved_plan::{
    AFTER_FAILURE, Proved, check_expected_id, prove_saved, refuse, replan, step_list,
};
use crate::plan::saved_accounts::{AccountLabel, AccountPart, SavedAccountsPlan};
use crate::plan::{PlanId, saved_accounts};

fn label(a: &AccountInfo) -> AccountLabel {
    AccountLabel {
        name: a.name.clone(),
        id: a.id.clone(),
        ou: a.ou.clone(),
    }
}

/// Writes the saved plan of `runs` to `out` and says how to apply it; the note for the output.
pub(super) fn save_accounts_plan(
    runs: &[AccountRun<AccountPlan>],
    out: &Path,
) -> Result<SavedNote, BoxError> {
    let parts = runs
        .iter()
        .map(|r| AccountPart {
            account: label(&r.account),
            declared: r
                .result
                .as_ref()
                .map(|p| p.declared.clone())
                .unwrap_or_default(),
            plan: match &r.result {
                Ok(p) => Ok((p.plan.id(), p.saved.as_deref().unwrap_or_default())),
                Err(e) => Err(e.as_str()),
            },
        })
        .collect();
    let (json, plan_id) = saved_accounts::to_json(parts)?;
    crate::cli::commands::replace_file(out, &json)?;
    let failed = runs.iter().filter(|r| r.result.is_err()).count();
    if failed > 0 {
        eprintln!(
            "Saved the plan of {} account(s) to {}; {failed} account(s) failed to plan, so apply refuses it: plan again once they plan.",
            runs.len(),
            out.display()
        );
    } else {
        eprintln!(
            "Saved plan {plan_id} ({} account(s)) to {}; apply exactly these steps with `rolesmith apply {} --expect-plan-id {plan_id}`.",
            runs.len(),
            out.display(),
            out.display(),
        );
    }
    Ok(SavedNote {
        file: out.display().to_string(),
        plan_id,
        accounts: runs.len(),
    })
}

/// The accounts of a saved plan over accounts, as the output shows them.
pub(in crate::cli) fn runs_of_saved(saved: &SavedAccountsPlan) -> Vec<AccountRun<AccountPlan>> {
    saved
        .accounts
        .iter()
        .map(|a| AccountRun {
            account: AccountInfo {
                name: a.account.name.clone(),
                id: a.account.id.clone(),
                ou: a.account.ou.clone(),
                tags: Default::default(),
                vars: Default::default(),
            },
            result: a.plan.as_ref().map_err(Clone::clone).map(|p| AccountPlan {
                plan: p.plan.clone(),
                context: p.context.clone(),
                findings: Vec::new(),
                declared: a.declared.clone(),
                calls: None,
                saved: None,
            }),
        })
        .collect()
}

/// `apply FILE` for a saved plan over accounts (see the module docs).
pub(in crate::cli) fn apply_saved_accounts(
    settings: &Settings,
    saved: SavedAccountsPlan,
    path: &Path,
    auto_approve: bool,
    expect_plan_id: Option<&str>,
) -> Result<ExitStatus, BoxError> {
    check_expected_id(&saved.plan_id, path, expect_plan_id)?;
    let Some(config) = &settings.account.inventory else {
        return Err(refuse(
            format!(
                "{} is a plan over {} account(s) of an inventory, but this configuration has no [accounts]; nothing was changed",
                path.display(),
                saved.accounts.len()
            ),
            "apply it with the rolesmith.toml it was planned with",
        ));
    };
    if let Some(bad) = saved.accounts.iter().find(|a| a.plan.is_err()) {
        return Err(refuse(
            format!(
                "{} holds no plan for account {} ({}): it failed to plan; a saved plan runs in every account or none, so nothing was changed",
                path.display(),
                bad.account.name,
                bad.account.id
            ),
            replan(path),
        ));
    }
    let inventory = build_inventory(
        config,
        &settings.aws_options(),
        snapshot_inventory(settings).as_deref(),
    )?;
    let mut accounts = Vec::with_capacity(saved.accounts.len());
    for a in &saved.accounts {
        let Some(info) = inventory.accounts.iter().find(|i| i.id == a.account.id) else {
            return Err(refuse(
                format!(
                    "{} has a plan for account {} ({}), which the inventory no longer holds; nothing was changed",
                    path.display(),
                    a.account.name,
                    a.account.id
                ),
                replan(path),
            ));
        };
        accounts.push(info);
    }
    let me = caller(settings)?;
    let proofs = run_each(&accounts, settings.account.account_parallelism, |a| {
        let plan = saved_plan_of(&saved, &a.id);
        let s = for_account(settings, &inventory, a, me.as_ref());
        prove_saved(s, plan, path).map_err(|e| failure_text(&e))
    });
    let refused: Vec<String> = accounts
        .iter()
        .zip(&proofs)
        .filter_map(|(a, p)| {
            p.as_ref()
                .err()
                .map(|e| format!("  {}  {}  {e}", a.name, a.id))
        })
        .collect();
    if !refused.is_empty() {
        eprintln!("{}", refused.join("\n"));
        return Err(refuse(
            format!(
                "{} does not hold in {} of its {} account(s) (above); nothing was changed in any account",
                path.display(),
                refused.len(),
                accounts.len()
            ),
            replan(path),
        ));
    }
    let proved: Vec<(&AccountInfo, Proved)> = accounts
        .iter()
        .copied()
        .zip(proofs.into_iter().flatten())
        .collect();
    let mut total = crate::plan::Summary::default();
    for (a, p) in &proved {
        let plan = &saved_plan_of(&saved, &a.id).plan;
        let s = plan.summary();
        println!(
            "══ {} ══\n{}\n{} to add, {} to change, {} to destroy; {} step(s).",
            heading(a),
            render::header::text_line(&run_context(&p.settings, &p.account, &a.id)),
            s.add,
            s.change,
            s.destroy,
            plan.steps.len()
        );
        print!("{}", step_list(plan));
        total.add += s.add;
        total.change += s.change;
        total.destroy += s.destroy;
    }
    println!(
        "Saved plan {} ({}) for {} account(s): {} to add, {} to change, {} to destroy.",
        path.display(),
        saved.plan_id,
        proved.len(),
        total.add,
        total.change,
        total.destroy
    );
    let pending: Vec<&(&AccountInfo, Proved)> = proved
        .iter()
        .filter(|(a, _)| !saved_plan_of(&saved, &a.id).plan.steps.is_empty())
        .collect();
    if pending.is_empty() {
        return Ok(ExitStatus::Success);
    }
    if !confirm(auto_approve)? {
        return Ok(ExitStatus::Failure);
    }
    let order: Vec<&AccountInfo> = pending.iter().map(|(a, _)| *a).collect();
    let applied = run_each(&order, settings.account.account_parallelism, |a| {
        let (_, p) = pending
            .iter()
            .find(|(b, _)| b.id == a.id)
            .expect("a pending account");
        let plan = &saved_plan_of(&saved, &a.id).plan;
        let guard = OwnershipGuard::new(&p.live, &p.desired, &p.settings.ownership);
        let s = plan.summary();
        let result = run_steps(
            plan,
            &p.account,
            &guard,
            &p.settings,
            &p.runtime,
            (s.add, s.change, s.destroy),
            AFTER_FAILURE,
        );
        (a.clone(), result.map_err(|e| failure_text(&e)))
    });
    Ok(report_applied(&applied, 0))
}

/// The saved plan of account `id` (every account of the file has one once failed ones were
/// refused).
fn saved_plan_of<'a>(saved: &'a SavedAccountsPlan, id: &str) -> &'a crate::plan::saved::SavedPlan {
    saved
        .accounts
        .iter()
        .find(|a| a.account.id == id)
        .and_then(|a| a.plan.as_ref().ok())
        .expect("an account of the file, with a plan")
}

/// The note `show` gives for a saved plan over accounts.
pub(in crate::cli) fn note_of(saved: &SavedAccountsPlan, file: &Path) -> SavedNote {
    SavedNote {
        file: file.display().to_string(),
        plan_id: PlanId(saved.plan_id.0.clone()),
        accounts: saved.accounts.len(),
    }
}
