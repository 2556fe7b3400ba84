//! The output of a run over the inventory: a section per account and a summary in text, an
//! `accounts` array in JSON, a table and collapsed sections in Markdown.

use super::*;
use crate::plan::PlanId;

/// The heading of one account's section.
pub(super) fn heading(a: &AccountInfo) -> String {
    format!("Account {} ({}, OU {})", a.name, a.id, a.ou)
}

/// A saved plan over accounts that a rendering covers: its file and id, and how many accounts
/// it holds.
pub(in crate::cli) struct SavedNote {
    /// The file, as named.
    pub(in crate::cli) file: String,
    /// Its plan id (what `apply FILE --expect-plan-id` checks).
    pub(in crate::cli) plan_id: PlanId,
    /// How many accounts it holds.
    pub(in crate::cli) accounts: usize,
}

impl SavedNote {
    fn text(&self) -> String {
        format!(
            "Saved plan {} ({} account(s)): plan id {}; apply exactly it with `rolesmith apply {} --expect-plan-id {}`",
            self.file, self.accounts, self.plan_id, self.file, self.plan_id
        )
    }
}

/// Every account's plan in `format`, the summary of the run, and the saved plans it is.
pub(in crate::cli) fn render_plans(
    runs: &[AccountRun<AccountPlan>],
    format: Format,
    saved: &[SavedNote],
) -> String {
    match format {
        Format::Text => {
            let mut out = String::new();
            for r in runs {
                out.push_str(&format!("══ {} ══\n", heading(&r.account)));
                match &r.result {
                    Ok(p) => out.push_str(&render::text::render_in(
                        p.context.as_ref(),
                        &p.plan,
                        stdout_color(),
                    )),
                    Err(e) => out.push_str(&format!("error: {e}\n")),
                }
                out.push('\n');
            }
            out.push_str(&summary_text(runs));
            for note in saved {
                out.push_str(&format!("{}\n", note.text()));
            }
            out
        }
        Format::Json => {
            let accounts: Vec<serde_json::Value> = runs
                .iter()
                .map(|r| {
                    let mut v = serde_json::json!({
                        "name": r.account.name, "id": r.account.id, "ou": r.account.ou,
                    });
                    match &r.result {
                        Ok(p) => {
                            v["plan"] = serde_json::from_str(&render::json::render_with_stats(
                                &p.plan,
                                p.context.as_ref(),
                                p.calls.as_ref(),
                            ))
                            .unwrap_or_default();
                        }
                        Err(e) => v["error"] = serde_json::Value::String(e.clone()),
                    }
                    v
                })
                .collect();
            let mut doc = serde_json::json!({
                "format_version": FLEET_FORMAT_VERSION,
                "accounts": accounts,
            });
            if !saved.is_empty() {
                doc["saved_plans"] = saved
                    .iter()
                    .map(|n| serde_json::json!({"file": n.file, "plan_id": n.plan_id, "accounts": n.accounts}))
                    .collect();
            }
            let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Markdown => render_markdown(runs, saved),
    }
}

/// `format_version` of the JSON of a run over an inventory: an object with an `accounts` array,
/// each item the account (`name`, `id`, `ou`) with its `plan` (the one-account JSON plan) or
/// its `error`; with `saved_plans` (`file`, `plan_id`, `accounts`) when it is saved plans.
pub(super) const FLEET_FORMAT_VERSION: u32 = 2;

fn counts(p: &Plan) -> String {
    let s = p.summary();
    if p.is_empty() {
        "no changes".to_owned()
    } else {
        format!(
            "{} to add, {} to change, {} to destroy{}",
            s.add,
            s.change,
            s.destroy,
            if s.conflicts > 0 {
                format!(", {} conflict(s)", s.conflicts)
            } else {
                String::new()
            }
        )
    }
}

/// How many accounts each declared resource lands in: `role.audit 21, role.deploy 15, …`.
fn landings(runs: &[AccountRun<AccountPlan>]) -> String {
    let mut counts: std::collections::BTreeMap<&str, usize> = Default::default();
    for p in runs.iter().filter_map(|r| r.result.as_ref().ok()) {
        for n in &p.declared {
            *counts.entry(n).or_default() += 1;
        }
    }
    if counts.len() <= 12 {
        return counts
            .iter()
            .map(|(n, c)| format!("{n} {c}"))
            .collect::<Vec<_>>()
            .join(", ");
    }
    // Many resources: by how many accounts they land in, with the first few names.
    let mut by_count: std::collections::BTreeMap<usize, Vec<&str>> = Default::default();
    for (n, c) in &counts {
        by_count.entry(*c).or_default().push(n);
    }
    by_count
        .iter()
        .rev()
        .map(|(c, names)| {
            let shown: Vec<&str> = names.iter().take(3).copied().collect();
            let more = if names.len() > 3 { ", …" } else { "" };
            format!(
                "{} resource(s) in {c} ({}{more})",
                names.len(),
                shown.join(", ")
            )
        })
        .collect::<Vec<_>>()
        .join("; ")
}

fn summary_text(runs: &[AccountRun<AccountPlan>]) -> String {
    let failed = runs.iter().filter(|r| r.result.is_err()).count();
    let mut out = format!(
        "Accounts: {} planned, {failed} failed.\nLands in (accounts): {}\n",
        runs.len() - failed,
        landings(runs)
    );
    let width = runs.iter().map(|r| r.account.name.len()).max().unwrap_or(0);
    for r in runs {
        let what = match &r.result {
            Ok(p) => counts(&p.plan),
            Err(e) => format!("FAILED: {e}"),
        };
        out.push_str(&format!(
            "  {:<width$}  {}  {what}\n",
            r.account.name, r.account.id
        ));
    }
    out
}

/// The Markdown of a run over accounts: a table of every account, then each account's plan in
/// a collapsed section, all within GitHub's comment limit (each account gets its share).
fn render_markdown(runs: &[AccountRun<AccountPlan>], saved: &[SavedNote]) -> String {
    let mut out = "## rolesmith plan\n\n".to_owned();
    for note in saved {
        out.push_str(&format!(
            "Saved plan `{}` ({} account(s)): plan id `{}`\n\n",
            note.file, note.accounts, note.plan_id
        ));
    }
    out.push_str(&format!(
        "{} account(s). Lands in (accounts): {}\n\n| account | id | OU | add | change | destroy | conflicts | result |\n|---|---|---|---|---|---|---|---|\n",
        runs.len(),
        landings(runs)
    ));
    for r in runs {
        let row = match &r.result {
            Ok(p) => {
                let s = p.plan.summary();
                format!(
                    "{} | {} | {} | {} | {}",
                    s.add,
                    s.change,
                    s.destroy,
                    s.conflicts,
                    if p.plan.is_empty() {
                        "no changes"
                    } else {
                        "changes"
                    }
                )
            }
            Err(_) => "– | – | – | – | **failed**".to_owned(),
        };
        out.push_str(&format!(
            "| `{}` | {} | `{}` | {row} |\n",
            r.account.name, r.account.id, r.account.ou
        ));
    }
    let share = (render::markdown::GITHUB_COMMENT_LIMIT.saturating_sub(out.len() + 200))
        / runs.len().max(1);
    for r in runs {
        out.push_str(&format!(
            "\n<details><summary>{}</summary>\n\n",
            heading(&r.account)
        ));
        match &r.result {
            Ok(p) => out.push_str(&render::markdown::render_in(
                p.context.as_ref(),
                &p.plan,
                &p.findings,
                share.max(500),
            )),
            Err(e) => out.push_str(&format!("```\n{e}\n```\n")),
        }
        out.push_str("\n</details>\n");
    }
    out
}

/// `--stats` over accounts: each account's API calls by operation, on one line.
pub(super) fn calls_by_account(runs: &[AccountRun<AccountPlan>]) -> String {
    let mut out = "\nAPI calls by account:\n".to_owned();
    for r in runs {
        let calls = match &r.result {
            Ok(AccountPlan {
                calls: Some(calls), ..
            }) => {
                let total: u64 = calls.values().sum();
                let each: Vec<String> = calls.iter().map(|(op, n)| format!("{op} {n}")).collect();
                format!("{} (total {total})", each.join(", "))
            }
            Ok(_) => "none (a snapshot file)".to_owned(),
            Err(_) => "failed".to_owned(),
        };
        out.push_str(&format!(
            "  {}  {}  {calls}\n",
            r.account.name, r.account.id
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(declared: &[String]) -> AccountRun<AccountPlan> {
        AccountRun {
            account: AccountInfo {
                name: "a".into(),
                id: "111111111111".into(),
                ou: "/".into(),
                tags: Default::default(),
                vars: Default::default(),
            },
            result: Ok(AccountPlan {
                plan: Plan {
                    account_id: "111111111111".into(),
                    changes: Vec::new(),
                    conflicts: Vec::new(),
                    notes: Vec::new(),
                    warnings: Vec::new(),
                    steps: Vec::new(),
                },
                context: None,
                findings: Vec::new(),
                declared: declared.to_vec(),
                calls: None,
                saved: None,
            }),
        }
    }

    #[test]
    fn landing_counts_stay_one_short_line_for_many_resources() {
        let few: Vec<String> = vec!["role.a".into(), "role.b".into()];
        assert_eq!(landings(&[run(&few), run(&few[..1])]), "role.a 2, role.b 1");
        let many: Vec<String> = (0..500).map(|i| format!("role.app-{i:03}")).collect();
        let line = landings(&[run(&many), run(&many[..10])]);
        assert_eq!(
            line,
            "10 resource(s) in 2 (role.app-000, role.app-001, role.app-002, …); 490 resource(s) in 1 (role.app-010, role.app-011, role.app-012, …)"
        );
    }
}
