//! The output of a run over the inventory: a section per account and a summary in text, an
//! `accounts` array in JSON, a table and collapsed sections in Markdown.

use super::*;

/// The heading of one account's section.
pub(super) fn heading(a: &AccountInfo) -> String {
    format!("Account {} ({}, OU {})", a.name, a.id, a.ou)
}

/// Every account's plan in `format`, and the summary of the run.
pub(super) fn render_plans(runs: &[AccountRun<Planned>], format: Format) -> String {
    match format {
        Format::Text => {
            let mut out = String::new();
            for r in runs {
                out.push_str(&format!("══ {} ══\n", heading(&r.account)));
                match &r.result {
                    Ok(p) => out.push_str(&render::text::render_in(
                        Some(&p.context),
                        &p.plan,
                        stdout_color(),
                    )),
                    Err(e) => out.push_str(&format!("error: {e}\n")),
                }
                out.push('\n');
            }
            out.push_str(&summary_text(runs));
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
                                Some(&p.context),
                                None,
                            ))
                            .unwrap_or_default();
                        }
                        Err(e) => v["error"] = serde_json::Value::String(e.clone()),
                    }
                    v
                })
                .collect();
            let mut text = serde_json::to_string_pretty(&serde_json::json!({
                "format_version": FLEET_FORMAT_VERSION,
                "accounts": accounts,
            }))
            .unwrap_or_default();
            text.push('\n');
            text
        }
        Format::Markdown => render_markdown(runs),
    }
}

/// `format_version` of the JSON of a run over an inventory: an object with an `accounts` array,
/// each item the account (`name`, `id`, `ou`) with its `plan` (the one-account JSON plan) or
/// its `error`.
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
fn landings(runs: &[AccountRun<Planned>]) -> String {
    let mut counts: std::collections::BTreeMap<String, usize> = Default::default();
    for p in runs.iter().filter_map(|r| r.result.as_ref().ok()) {
        let d = &p.desired;
        let names = d
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
            );
        for n in names {
            *counts.entry(n).or_default() += 1;
        }
    }
    counts
        .iter()
        .map(|(n, c)| format!("{n} {c}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn summary_text(runs: &[AccountRun<Planned>]) -> String {
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
fn render_markdown(runs: &[AccountRun<Planned>]) -> String {
    let mut out = format!(
        "## rolesmith plan\n\n{} account(s). Lands in (accounts): {}\n\n| account | id | OU | add | change | destroy | conflicts | result |\n|---|---|---|---|---|---|---|---|\n",
        runs.len(),
        landings(runs)
    );
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
                Some(&p.context),
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
