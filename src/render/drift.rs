//! Drift reports: the diff between manifests and account, presented as findings about the
//! account ("inline policy `x` added outside rolesmith") rather than as actions to take.
//!
//! Nothing here compares states: [`findings`] reads a [`Diff`] (whose `before` is the live side
//! and `after` the manifests) and words each change. The same attribute wording explains a stale
//! saved plan ([`describe_attribute`]), where `before` is the state now and `after` the one the
//! plan was made against. Three views: text, versioned JSON, and Markdown for an issue body.

use std::fmt::Write;

use serde::Serialize;

use crate::diff::Diff;
use crate::plan::saved::{How, Moved};
use crate::plan::{Action, Address, AttributeChange, Change, Resource, RunContext};
use crate::render::{header, policy_diff};
use crate::state::{RoleState, TagEdit, tag_edits};

/// The version of the JSON drift format (`MAJOR.MINOR`, a new field raises the minor; 1.1
/// added `context`).
pub const FORMAT_VERSION: &str = "1.1";

/// What kind of difference a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingKind {
    /// Declared, but absent from the account.
    Missing,
    /// Present, with attributes that differ from the manifest.
    Modified,
    /// Owned by rolesmith, but no manifest declares it.
    Undeclared,
    /// In the way of a manifest (unowned, case clash, bound elsewhere).
    Conflict,
}

/// One way the account differs from the manifests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The resource.
    pub address: Address,
    /// What kind of difference.
    pub kind: FindingKind,
    /// One line about the resource.
    pub message: String,
    /// One entry per attribute that differs.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<Detail>,
}

/// One attribute's difference.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Detail {
    /// What moved, e.g. "inline policy `x` added".
    pub message: String,
    /// For policies: a unified diff from the manifest's document to the live one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub diff: Option<String>,
}

/// A role that no manifest declares and rolesmith does not own (`drift --unmanaged`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UnmanagedRole {
    /// Role name.
    pub name: String,
    /// Role path.
    pub path: String,
}

/// Everything a drift run found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DriftReport {
    /// The account.
    pub account_id: String,
    /// What the run ran against, for the header.
    pub context: Option<RunContext>,
    /// Differences, in address order.
    pub findings: Vec<Finding>,
    /// Undeclared, unowned roles (only listed with `--unmanaged`).
    pub unmanaged: Option<Vec<UnmanagedRole>>,
    /// Roles unused for a duration (only with `--unused-for`).
    pub unused: Option<super::unused::Unused>,
    /// Elements of the manifests that end within the warning window (listed, not drift).
    pub expiring: Vec<String>,
}

impl DriftReport {
    /// Whether anything differs (listed unmanaged roles count).
    pub fn has_drift(&self) -> bool {
        !self.findings.is_empty()
            || self.unmanaged.as_ref().is_some_and(|u| !u.is_empty())
            || self.unused.as_ref().is_some_and(|u| !u.roles.is_empty())
    }
}

/// Words a diff (computed with prune, so undeclared owned roles appear as deletions) as
/// findings. Deletions of the instance profiles and associations of an undeclared role are its
/// consequences and are folded into the role's finding.
pub fn findings(diff: &Diff) -> Vec<Finding> {
    let undeclared_roles: Vec<&str> = diff
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| match &c.address {
            Address::Role(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    let consequence_profiles: Vec<&str> = diff
        .changes
        .iter()
        .filter(|c| c.action == Action::Delete)
        .filter_map(|c| match (&c.address, &c.before) {
            (Address::InstanceProfile(n), Some(Resource::InstanceProfile(p)))
                if p.roles
                    .iter()
                    .any(|r| undeclared_roles.contains(&r.as_str())) =>
            {
                Some(n.as_str())
            }
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for change in &diff.changes {
        let consequence = change.action == Action::Delete
            && match (&change.address, &change.before) {
                (Address::InstanceProfile(n), _) => consequence_profiles.contains(&n.as_str()),
                (Address::Binding(_), Some(Resource::Binding(b))) => {
                    consequence_profiles.contains(&b.profile.as_str())
                }
                _ => false,
            };
        if !consequence {
            out.push(finding(change));
        }
    }
    for conflict in &diff.conflicts {
        out.push(Finding {
            address: conflict.address.clone(),
            kind: FindingKind::Conflict,
            message: format!(
                "{}: {}",
                describe_address(&conflict.address),
                conflict.message
            ),
            details: vec![Detail {
                message: format!("hint: {}", conflict.help),
                diff: None,
            }],
        });
    }
    out.sort_by(|a, b| a.address.cmp(&b.address));
    out
}

fn finding(change: &Change) -> Finding {
    let address = change.address.clone();
    let what = describe_address(&address);
    match change.action {
        Action::Create => Finding {
            message: match &address {
                Address::Binding(id) => {
                    let profile = match &change.after {
                        Some(Resource::Binding(b)) => b.profile.as_str(),
                        _ => "?",
                    };
                    format!(
                        "instance {id} does not carry instance profile {profile}, as its manifest says"
                    )
                }
                _ => format!(
                    "{what} is declared but does not exist in the account (deleted outside rolesmith?)"
                ),
            },
            kind: FindingKind::Missing,
            details: Vec::new(),
            address,
        },
        Action::Delete => Finding {
            message: match &address {
                Address::Binding(id) => {
                    let profile = match &change.before {
                        Some(Resource::Binding(b)) => b.profile.as_str(),
                        _ => "?",
                    };
                    format!(
                        "instance {id} carries instance profile {profile}, but no manifest binds it"
                    )
                }
                _ => format!("{what} is owned by rolesmith but no manifest declares it"),
            },
            kind: FindingKind::Undeclared,
            details: Vec::new(),
            address,
        },
        Action::Update | Action::Replace => Finding {
            message: if matches!(address, Address::Binding(_)) {
                format!("{what} was rebound outside rolesmith")
            } else {
                format!("{what} was changed outside rolesmith")
            },
            kind: FindingKind::Modified,
            details: change
                .attributes
                .iter()
                .flat_map(describe_attribute)
                .map(|mut d| {
                    d.message.push_str(" outside rolesmith");
                    d
                })
                .collect(),
            address,
        },
    }
}

/// One line saying how a resource moved since a saved plan was made, e.g. "role web changed
/// since the plan: trust policy edited".
pub fn describe_moved(m: &Moved) -> String {
    let what = describe_address(&m.address);
    match &m.how {
        How::Appeared => format!("{what} was created since the plan"),
        How::Disappeared => format!("{what} was deleted since the plan"),
        How::BecameOwned => {
            format!("{what} carries the ownership tag now; it did not when the plan was made")
        }
        How::InstanceState { before, after } => {
            format!("{what} changed since the plan: state {before} -> {after}")
        }
        How::Changed(attrs) => {
            let details: Vec<String> = attrs
                .iter()
                .flat_map(describe_attribute)
                .map(|d| d.message)
                .collect();
            if details.is_empty() {
                format!("{what} changed since the plan")
            } else {
                format!("{what} changed since the plan: {}", details.join("; "))
            }
        }
    }
}

/// `role x`, `instance profile x`, `instance i-…`.
pub fn describe_address(address: &Address) -> String {
    match address {
        Address::Role(n) => format!("role {n}"),
        Address::InstanceProfile(n) => format!("instance profile {n}"),
        Address::Binding(id) => format!("instance {id}"),
        Address::OidcProvider(u) => format!("OIDC provider {u}"),
        Address::SamlProvider(n) => format!("SAML provider {n}"),
        Address::Policy(n) => format!("managed policy {n}"),
    }
}

fn quoted(v: Option<&str>) -> String {
    v.map_or_else(|| "(none)".to_owned(), |s| format!("{s:?}"))
}

/// Words one attribute difference, seen from the live side: `before` is the account as it is,
/// `after` the reference (the manifest, or the state a saved plan was made against). Tags give
/// one detail per key.
pub fn describe_attribute(attr: &AttributeChange) -> Vec<Detail> {
    let plain = |message: String| Detail {
        message,
        diff: None,
    };
    match attr {
        AttributeChange::Path { before, after } => {
            vec![plain(format!("path changed from {after} to {before}"))]
        }
        AttributeChange::Description { before, after } => vec![plain(format!(
            "description changed from {} to {}",
            quoted(after.as_deref()),
            quoted(before.as_deref())
        ))],
        AttributeChange::MaxSessionDuration { before, after } => vec![plain(format!(
            "max session duration changed from {after}s to {before}s"
        ))],
        AttributeChange::TrustPolicy { before, after } => vec![Detail {
            message: "trust policy edited".into(),
            diff: Some(policy_diff(Some(after), Some(before))),
        }],
        AttributeChange::PermissionsBoundary { before, after } => {
            vec![plain(match (before, after) {
                (None, Some(b)) => format!("permissions boundary {b} removed"),
                (Some(b), None) => format!("permissions boundary {b} added"),
                (b, a) => format!(
                    "permissions boundary changed from {} to {}",
                    quoted(a.as_deref()),
                    quoted(b.as_deref())
                ),
            })]
        }
        AttributeChange::Tags { before, after } => {
            // Findings read from the reference (`after`) to the account (`before`).
            tag_edits(after, before)
                .into_iter()
                .map(|edit| {
                    plain(match edit {
                        TagEdit::Added { key, value } => format!("tag {key}={value} added"),
                        TagEdit::Changed { key, from, to } => {
                            format!("tag {key} changed from {from:?} to {to:?}")
                        }
                        TagEdit::Removed { key, value } => format!("tag {key}={value} removed"),
                    })
                })
                .collect()
        }
        AttributeChange::ManagedPolicy { arn, attach } => vec![plain(if *attach {
            format!("managed policy {arn} detached")
        } else {
            format!("managed policy {arn} attached")
        })],
        AttributeChange::InlinePolicy {
            name,
            before,
            after,
        } => vec![Detail {
            message: match (before, after) {
                (Some(_), None) => format!("inline policy {name} added"),
                (None, Some(_)) => format!("inline policy {name} deleted"),
                _ => format!("inline policy {name} edited"),
            },
            diff: Some(policy_diff(after.as_ref(), before.as_ref())),
        }],
        AttributeChange::ProfileRoles { before, after } => vec![plain(format!(
            "holds role [{}] instead of [{}]",
            before.join(", "),
            after.join(", ")
        ))],
        AttributeChange::InstanceProfile { before, after } => vec![plain(format!(
            "carries instance profile {} instead of {}",
            before.as_deref().unwrap_or("(none)"),
            after.as_deref().unwrap_or("(none)")
        ))],
        AttributeChange::ClientIds { before, after } => {
            let added = before.iter().filter(|id| !after.contains(id));
            let removed = after.iter().filter(|id| !before.contains(id));
            added
                .map(|id| plain(format!("client id {id} added")))
                .chain(removed.map(|id| plain(format!("client id {id} removed"))))
                .collect()
        }
        AttributeChange::Thumbprints { before, after } => vec![plain(format!(
            "thumbprints are [{}] instead of [{}]",
            before.join(", "),
            after.join(", ")
        ))],
        AttributeChange::SamlMetadata { before, after } => vec![plain(format!(
            "SAML metadata replaced: {before} instead of {after}"
        ))],
        AttributeChange::PolicyDocument { before, after } => vec![Detail {
            message:
                "default version's document differs (edited, or another version set as default)"
                    .into(),
            diff: Some(policy_diff(Some(after), Some(before))),
        }],
    }
}

/// Undeclared, unowned roles, without service-linked and `/aws-reserved/` roles unless
/// `include_reserved`.
pub fn unmanaged_roles<'a>(
    roles: impl Iterator<Item = &'a RoleState>,
    include_reserved: bool,
) -> Vec<UnmanagedRole> {
    roles
        .filter(|r| {
            include_reserved
                || !(r.service_linked.is_some()
                    || r.path.starts_with("/aws-reserved/")
                    || r.path.starts_with("/aws-service-role/"))
        })
        .map(|r| UnmanagedRole {
            name: r.name.clone(),
            path: r.path.clone(),
        })
        .collect()
}

/// Drift as text (for a terminal or a log).
pub fn render_text(report: &DriftReport) -> String {
    let mut out = String::new();
    if let Some(ctx) = &report.context {
        let _ = writeln!(out, "{}", header::text_line(ctx));
    }
    if !report.has_drift() {
        let _ = writeln!(
            out,
            "No drift: account {} matches the manifests.",
            report.account_id
        );
        out.push_str(&super::expiring::text(&report.expiring));
        return out;
    }
    let _ = writeln!(
        out,
        "Drift in account {}: {} finding(s).\n",
        report.account_id,
        report.findings.len()
    );
    for f in &report.findings {
        let _ = writeln!(out, "  {} {}", marker(f.kind), f.message);
        for d in &f.details {
            let _ = writeln!(out, "      {}", d.message);
            if let Some(diff) = &d.diff {
                for line in diff_body(diff) {
                    let _ = writeln!(out, "          {line}");
                }
            }
        }
        out.push('\n');
    }
    if let Some(unmanaged) = report.unmanaged.as_ref().filter(|u| !u.is_empty()) {
        let _ = writeln!(
            out,
            "{} role(s) are declared by no manifest and not managed by rolesmith:",
            unmanaged.len()
        );
        for r in unmanaged {
            let _ = writeln!(out, "  ? {}{}", r.path, r.name);
        }
    }
    if let Some(unused) = report.unused.as_ref().filter(|u| !u.roles.is_empty()) {
        out.push_str(&super::unused::text(unused));
    }
    out.push_str(&super::expiring::text(&report.expiring));
    out
}

fn marker(kind: FindingKind) -> &'static str {
    match kind {
        FindingKind::Missing => "-",
        FindingKind::Modified => "~",
        FindingKind::Undeclared => "+",
        FindingKind::Conflict => "!",
    }
}

/// A unified diff without its file headers and empty-side hunk headers.
fn diff_body(diff: &str) -> impl Iterator<Item = &str> {
    diff.lines()
        .filter(|l| !(l.starts_with("--- ") || l.starts_with("+++ ")))
}

#[derive(Serialize)]
struct JsonDrift<'a> {
    format_version: &'static str,
    account_id: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    context: Option<&'a RunContext>,
    drift: bool,
    findings: &'a [Finding],
    #[serde(skip_serializing_if = "Option::is_none")]
    unmanaged: Option<&'a [UnmanagedRole]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    unused: Option<&'a super::unused::Unused>,
    #[serde(skip_serializing_if = "<[String]>::is_empty")]
    expiring: &'a [String],
}

/// Drift as pretty JSON with a `format_version` and a trailing newline.
pub fn render_json(report: &DriftReport) -> String {
    let wire = JsonDrift {
        format_version: FORMAT_VERSION,
        account_id: &report.account_id,
        context: report.context.as_ref(),
        drift: report.has_drift(),
        findings: &report.findings,
        unmanaged: report.unmanaged.as_deref(),
        unused: report.unused.as_ref(),
        expiring: &report.expiring,
    };
    crate::json::pretty(&wire)
}

/// Drift as Markdown for a GitHub issue body, no longer than `limit` characters.
pub fn render_markdown(report: &DriftReport, limit: usize) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "### rolesmith drift report for account `{}`\n",
        report.account_id
    );
    if let Some(ctx) = &report.context {
        let _ = writeln!(out, "{}\n", header::markdown_line(ctx));
    }
    if !report.has_drift() {
        out.push_str("**No drift.** The account matches the manifests.\n");
        out.push_str(&super::expiring::markdown(&report.expiring));
        return out;
    }
    let _ = writeln!(
        out,
        "**{} finding(s).** Run `rolesmith plan` to see the changes that would restore the manifests' state, or update the manifests to accept them.\n",
        report.findings.len()
    );
    let mut sections = Vec::new();
    for f in &report.findings {
        let mut s = format!("- **`{}`** {}\n", f.address, f.message);
        for d in &f.details {
            let _ = writeln!(s, "  - {}", d.message);
            if let Some(diff) = &d.diff {
                s.push_str(
                    "\n    <details><summary>diff (manifest → account)</summary>\n\n    ```diff\n",
                );
                for line in diff_body(diff) {
                    let _ = writeln!(s, "    {line}");
                }
                s.push_str("    ```\n\n    </details>\n\n");
            }
        }
        sections.push(s);
    }
    if let Some(unmanaged) = report.unmanaged.as_ref().filter(|u| !u.is_empty()) {
        let mut s = format!(
            "\n**{} unmanaged role(s)** (no manifest, no ownership tag):\n\n| role | path |\n|---|---|\n",
            unmanaged.len()
        );
        for r in unmanaged {
            let _ = writeln!(s, "| `{}` | `{}` |", r.name, r.path);
        }
        sections.push(s);
    }
    if let Some(unused) = report.unused.as_ref().filter(|u| !u.roles.is_empty()) {
        sections.push(super::unused::markdown(unused));
    }
    if !report.expiring.is_empty() {
        sections.push(super::expiring::markdown(&report.expiring));
    }
    let total = sections.len();
    for (i, section) in sections.into_iter().enumerate() {
        let note = format!(
            "\n_… {} more section(s) truncated to fit GitHub's limit; run `rolesmith drift` for the full report._\n",
            total - i
        );
        if out.chars().count() + section.chars().count() + note.chars().count() > limit {
            out.push_str(&note);
            return out;
        }
        out.push_str(&section);
    }
    out
}

#[cfg(test)]
mod tests;
