//! Markdown for pull-request comments: a summary line, one collapsible section per resource with
//! policy changes as ```diff blocks, and a truncation note that keeps the comment under GitHub's
//! 65,536-character limit.

use std::fmt::Write;

use crate::plan::{Action, Plan};
use crate::render::{summary_line, text};

/// GitHub's limit on a comment body, in characters.
pub const GITHUB_COMMENT_LIMIT: usize = 65_536;

/// Renders a plan as Markdown no longer than `limit` characters.
pub fn render(plan: &Plan, limit: usize) -> String {
    let mut head = String::new();
    let _ = writeln!(
        head,
        "### rolesmith plan for account `{}`\n",
        plan.account_id
    );
    if plan.is_empty() {
        head.push_str("**No changes.** The account matches the manifests.\n");
        if !plan.notes.is_empty() {
            head.push_str("\n**Notes**\n\n");
            for note in &plan.notes {
                let _ = writeln!(head, "- {note}");
            }
        }
        return head;
    }
    let _ = writeln!(head, "**{}**\n", summary_line(&plan.summary()));
    let mut sections = Vec::new();
    for change in &plan.changes {
        let mut single = plan.clone();
        single.changes = vec![change.clone()];
        single.conflicts.clear();
        single.notes.clear();
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
            "> [!WARNING]\n> `{}` is in the way: {}\n> hint: {}\n",
            conflict.address, conflict.message, conflict.help
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
