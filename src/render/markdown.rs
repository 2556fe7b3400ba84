//! Markdown for pull-request comments: a heading naming the account with a line naming how it
//! was reached (and the CI run), a summary line, a collapsible "Lint findings" section when the
//! manifests have warnings or infos, one collapsible section per resource with policy changes as
//! ```diff blocks, and a truncation note that keeps the comment under GitHub's 65,536-character
//! limit.
//!
//! Each section's summary names what changes (`~ role.ops — trust policy, −AdministratorAccess`);
//! the sections a reviewer must not skip (deletions, replacements, trust changes, admin-grade
//! grants: [`outline::is_risky`]) start open.

use std::fmt::Write;

use crate::diagnostic::{Diagnostic, Severity};
use crate::plan::{Change, Plan, RunContext};
use crate::render::{header, outline, summary_line, text};

/// GitHub's limit on a comment body, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Renders a plan as Markdown no longer than `limit` characters.
pub fn render(plan: &Plan, limit: usize) -> String {
    render_with_findings(plan, &[], limit)
}

/// [`render_in`] without a run context.
pub fn render_with_findings(plan: &Plan, findings: &[Diagnostic], limit: usize) -> String {
    render_in(None, plan, findings, limit)
}

/// Renders a plan as Markdown no longer than `limit` characters: under the heading, what the
/// run ran against (when given); then the manifests' lint findings (the warnings and infos
/// `plan` printed; errors stop a plan before it is rendered) in a collapsible section after the
/// summary. The findings take at most a quarter of the budget, so the changes keep the rest;
/// findings past that are counted, not listed.
pub fn render_in(
    context: Option<&RunContext>,
    plan: &Plan,
    findings: &[Diagnostic],
    limit: usize,
) -> String {
    let mut head = String::new();
    let _ = writeln!(
        head,
        "### rolesmith plan for account `{}`\n",
        plan.account_id
    );
    if let Some(ctx) = context {
        let _ = writeln!(head, "{}\n", header::markdown_line(ctx));
    }
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
    let mut sections: Vec<String> = plan.changes.iter().map(change_section).collect();
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

/// One change as a collapsible section: the summary names the action, the address and what
/// changes; risky changes are open and marked ⚠️; the body is the text plan's as a ```diff.
fn change_section(change: &Change) -> String {
    let risky = outline::is_risky(change);
    let parts = outline::parts(change);
    let what = if parts.is_empty() {
        String::new()
    } else {
        format!(" — {}", escape(&parts.join(", ")))
    };
    let body = text::change_text(change);
    format!(
        "<details{}><summary><code>{}</code> <code>{}</code>{what}{}</summary>\n\n```diff\n{}```\n\n</details>\n",
        if risky { " open" } else { "" },
        change.action.symbol(),
        change.address,
        if risky { " ⚠️" } else { "" },
        diffify(body.trim_end_matches('\n')),
    )
}

/// Text safe inside HTML: `<`, `>` and `&` escaped.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
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
