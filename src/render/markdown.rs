//! Markdown for pull-request comments: a summary line, a collapsible "Lint findings" section when
//! the manifests have warnings or infos, one collapsible section per resource with policy changes
//! as ```diff blocks, and a truncation note that keeps the comment under GitHub's 65,536-character
//! limit.

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Severity};
use crate::plan::{Action, Plan};
use crate::render::{summary_line, text};

/// GitHub's limit on a comment body, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Renders a plan as Markdown no longer than `limit` characters.
pub fn render(plan: &Plan, limit: usize) -> String {
    render_with_findings(plan, &[], limit)
}

/// Renders a plan as Markdown no longer than `limit` characters, with the manifests' lint
/// findings (the warnings and infos `plan` printed; errors stop a plan before it is rendered) in a
/// collapsible section after the summary. The findings take at most a quarter of the budget, so
/// the changes keep the rest; findings past that are counted, not listed. With no findings the
/// output is exactly [`render`]'s.
pub fn render_with_findings(plan: &Plan, findings: &[Diagnostic], limit: usize) -> String {
    let mut head = String::new();
    let _ = writeln!(
        head,
        "### rolesmith plan for account `{}`\n",
        plan.account_id
    );
    if plan.is_empty() {
        head.push_str("**No changes.** The account matches the manifests.\n");
        if !plan.warnings.is_empty() {
            head.push('\n');
            head.push_str(&warnings_block(&plan.warnings));
        }
        if !plan.notes.is_empty() {
            head.push_str("\n**Notes**\n\n");
            for note in &plan.notes {
                let _ = writeln!(head, "- {note}");
            }
        }
        if !findings.is_empty() {
            head.push('\n');
            let budget = limit.saturating_sub(head.chars().count()) / 4;
            head.push_str(&findings_section(findings, budget));
        }
        return head;
    }
    let _ = writeln!(head, "**{}**\n", summary_line(&plan.summary()));
    if !plan.steps.is_empty() {
        let _ = writeln!(head, "Plan id: `{}`\n", plan.id());
    }
    head.push_str(&warnings_block(&plan.warnings));
    if !findings.is_empty() {
        let budget = limit.saturating_sub(head.chars().count()) / 4;
        head.push_str(&findings_section(findings, budget));
        head.push('\n');
    }
    let mut sections = Vec::new();
    for change in &plan.changes {
        let mut single = plan.clone();
        single.changes = vec![change.clone()];
        single.conflicts.clear();
        single.notes.clear();
        single.warnings.clear();
        let body = text::render(&single, false);
        let body: String = body
            .lines()
            .skip(2)
            .take_while(|l| !l.starts_with("Plan: "))
            .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
            .collect();
        let deleted = if change.action == Action::Delete {
            " ⚠️"
        } else {
            ""
        };
        sections.push(format!(
            "<details{}><summary><code>{}</code> <code>{}</code>{deleted}</summary>\n\n```diff\n{}```\n\n</details>\n",
            if change.action == Action::Delete { " open" } else { "" },
            change.action.symbol(),
            change.address,
            diffify(body.trim_end_matches('\n')),
        ));
    }
    for conflict in &plan.conflicts {
        sections.push(format!(
            "> [!WARNING]\n> `{}` is in the way (`{}`): {}\n> hint: {}\n",
            conflict.address, conflict.code, conflict.message, conflict.help
        ));
    }
    if !plan.notes.is_empty() {
        let notes: String = plan.notes.iter().map(|n| format!("- {n}\n")).collect();
        sections.push(format!("**Notes**\n\n{notes}"));
    }
    let mut out = head;
    let total = sections.len();
    for (i, section) in sections.into_iter().enumerate() {
        let note = format!(
            "\n_… {} more section(s) truncated to fit GitHub's comment limit; run `rolesmith plan` for the full plan._\n",
            total - i
        );
        if out.chars().count() + section.chars().count() + note.chars().count() + 2 > limit {
            out.push_str(&note);
            return out;
        }
        out.push_str(&section);
        out.push('\n');
    }
    out
}

/// One GitHub warning alert per warning, each followed by a blank line.
fn warnings_block(warnings: &[String]) -> String {
    warnings
        .iter()
        .map(|w| format!("> [!WARNING]\n> {w}\n\n"))
        .collect()
}

/// The collapsible "Lint findings" section, at most `budget` characters (or just its summary and
/// a count when not even one finding fits): one list item per finding with severity, code,
/// `file:line:col`, message and help. Open when there is a warning or worse.
fn findings_section(findings: &[Diagnostic], budget: usize) -> String {
    let count = |s: Severity| findings.iter().filter(|d| d.severity == s).count();
    let counts: Vec<String> = [
        (count(Severity::Error), "error(s)"),
        (count(Severity::Warning), "warning(s)"),
        (count(Severity::Info), "info"),
    ]
    .into_iter()
    .filter(|(n, _)| *n > 0)
    .map(|(n, what)| format!("{n} {what}"))
    .collect();
    let open = findings.iter().any(|d| d.severity > Severity::Info);
    let head = format!(
        "<details{}><summary>Lint findings: {}</summary>\n\n",
        if open { " open" } else { "" },
        counts.join(", ")
    );
    let tail = "\n</details>\n";
    let mut items = String::new();
    let mut used = head.chars().count() + tail.chars().count();
    for (i, d) in findings.iter().enumerate() {
        let item = finding_item(d);
        let more = format!(
            "\n_… {} more finding(s); run `rolesmith validate` for all of them._\n",
            findings.len() - i
        );
        // Keep room for the "more" note unless this is the last finding.
        let reserve = if i + 1 < findings.len() {
            more.chars().count()
        } else {
            0
        };
        let n = item.chars().count();
        if used + n + reserve > budget {
            items.push_str(&more);
            break;
        }
        used += n;
        items.push_str(&item);
    }
    format!("{head}{items}{tail}")
}

/// One finding as a Markdown list item: `- **warning** `code` at `file:line:col`: message`, with
/// the help as a nested item.
fn finding_item(d: &Diagnostic) -> String {
    let one_line = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut item = format!("- **{}** `{}`", d.severity, d.code);
    if let Some(at) = &d.primary {
        let file = at.location.file.to_string_lossy().replace('\\', "/");
        let file = file.strip_prefix("./").unwrap_or(&file);
        let _ = write!(
            item,
            " at `{file}:{}:{}`",
            at.location.line, at.location.column
        );
    }
    let _ = writeln!(item, ": {}", one_line(&d.message));
    if let Some(help) = &d.help {
        let _ = writeln!(item, "  - help: {}", one_line(help));
    }
    item
}

/// Moves each line's change marker to column 0 so GitHub colors it in a ```diff block.
fn diffify(body: &str) -> String {
    let mut out = String::new();
    for line in body.lines() {
        let trimmed = line.trim_start();
        let marker = trimmed.chars().next();
        let (mark, rest) = match marker {
            Some('+') | Some('-') if !trimmed.starts_with("-/+") => {
                (marker.unwrap_or(' '), line.replacen(&trimmed[..1], " ", 1))
            }
            _ => (' ', line.to_owned()),
        };
        let _ = writeln!(out, "{mark}{rest}");
    }
    out
}
