//! The human plan: Terraform-like, colored on a terminal, readable without color.

use std::fmt::Write;

use anstyle::{AnsiColor, Style};

use crate::plan::{Action, Address, AttributeChange, Change, Plan, Resource, RunContext};
use crate::render::{header, policy_diff, summary_line, tags_inline};
use crate::state::{TagEdit, tag_edits};

/// Renders a plan as text. With `color`, actions and diff lines are colored.
pub fn render(plan: &Plan, color: bool) -> String {
    render_in(None, plan, color)
}

/// Renders a plan as text under a first line naming what the run ran against (when given).
pub fn render_in(context: Option<&RunContext>, plan: &Plan, color: bool) -> String {
    let p = Painter { color };
    let mut out = String::new();
    if let Some(ctx) = context {
        let _ = writeln!(out, "{}", header::text_line(ctx));
    }
    if plan.is_empty() {
        out.push_str("No changes. The account matches the manifests.\n");
        for warning in &plan.warnings {
            let _ = writeln!(out, "warning: {warning}");
        }
        for note in &plan.notes {
            let _ = writeln!(out, "note: {note}");
        }
        return out;
    }
    let _ = writeln!(
        out,
        "rolesmith will perform the following actions in account {}:\n",
        plan.account_id
    );
    for change in &plan.changes {
        render_change(&mut out, &p, change);
    }
    for conflict in &plan.conflicts {
        let _ = writeln!(
            out,
            "  {} {} is in the way [{}]",
            p.paint(
                Style::new()
                    .fg_color(Some(AnsiColor::Magenta.into()))
                    .bold(),
                "!"
            ),
            p.bold(&conflict.address.to_string()),
            conflict.code,
        );
        let _ = writeln!(out, "      {}", conflict.message);
        let _ = writeln!(out, "      hint: {}\n", conflict.help);
    }
    for warning in &plan.warnings {
        let _ = writeln!(out, "warning: {warning}");
    }
    for note in &plan.notes {
        let _ = writeln!(out, "note: {note}");
    }
    if !plan.notes.is_empty() || !plan.warnings.is_empty() {
        out.push('\n');
    }
    let _ = writeln!(out, "{}", p.bold(&summary_line(&plan.summary())));
    if !plan.steps.is_empty() {
        let _ = writeln!(out, "Plan id: {}", plan.id());
    }
    out
}

struct Painter {
    color: bool,
}

impl Painter {
    fn paint(&self, style: Style, text: &str) -> String {
        if self.color {
            format!("{}{text}{}", style.render(), style.render_reset())
        } else {
            text.to_owned()
        }
    }

    fn bold(&self, text: &str) -> String {
        self.paint(Style::new().bold(), text)
    }

    fn action(&self, action: Action) -> String {
        let color = match action {
            Action::Create => AnsiColor::Green,
            Action::Update => AnsiColor::Yellow,
            Action::Delete | Action::Replace => AnsiColor::Red,
        };
        self.paint(
            Style::new().fg_color(Some(color.into())).bold(),
            action.symbol(),
        )
    }

    fn diff_line(&self, line: &str) -> String {
        let color = match line.chars().next() {
            Some('+') if !line.starts_with("+++") => AnsiColor::Green,
            Some('-') if !line.starts_with("---") => AnsiColor::Red,
            Some('@') => AnsiColor::Cyan,
            _ => return line.to_owned(),
        };
        self.paint(Style::new().fg_color(Some(color.into())), line)
    }
}

fn verb(action: Action) -> &'static str {
    match action {
        Action::Create => "will be created",
        Action::Update => "will be updated in place",
        Action::Delete => "will be destroyed",
        Action::Replace => "must be replaced",
    }
}

/// One change as the text plan shows it, uncolored and without the plan's indentation (the
/// Markdown plan puts it in a ```diff block).
pub(crate) fn change_text(change: &Change) -> String {
    let mut out = String::new();
    render_change(&mut out, &Painter { color: false }, change);
    out.lines()
        .map(|l| format!("{}\n", l.strip_prefix("  ").unwrap_or(l)))
        .collect()
}

fn render_change(out: &mut String, p: &Painter, change: &Change) {
    // Deletions (listed first) are red from end to end, so none is overlooked.
    let header = if change.action == Action::Delete {
        p.paint(
            Style::new().fg_color(Some(AnsiColor::Red.into())).bold(),
            &format!("{} {}", change.address, verb(change.action)),
        )
    } else {
        format!(
            "{} {}",
            p.bold(&change.address.to_string()),
            verb(change.action)
        )
    };
    let _ = writeln!(out, "  {} {header}", p.action(change.action));
    if let Some(reason) = &change.reason {
        let _ = writeln!(out, "      # {reason}");
    }
    match (change.action, &change.after, &change.before) {
        (Action::Create, Some(resource), _) => render_resource(out, p, resource),
        (Action::Delete, _, Some(Resource::Role(role))) => {
            let _ = writeln!(out, "      path: {}", role.path);
            let minus = p.action(Action::Delete);
            for arn in &role.managed_policies {
                let _ = writeln!(out, "      {minus} detach managed policy {arn}");
            }
            for name in role.inline_policies.keys() {
                let _ = writeln!(out, "      {minus} delete inline policy {name}");
            }
        }
        (Action::Delete, _, Some(Resource::InstanceProfile(profile))) => {
            for role in &profile.roles {
                let _ = writeln!(out, "      {} remove role {role}", p.action(Action::Delete));
            }
        }
        _ => {}
    }
    for attr in &change.attributes {
        match (&change.address, attr) {
            (Address::Binding(id), AttributeChange::InstanceProfile { before, after }) => {
                render_binding(out, id, before.as_deref(), after.as_deref());
            }
            _ => render_attribute(out, p, attr),
        }
    }
    out.push('\n');
}

/// What a binding change means for the instance, in words.
fn render_binding(out: &mut String, id: &str, before: Option<&str>, after: Option<&str>) {
    let _ = match (before, after) {
        (None, Some(new)) => writeln!(out, "      instance {id} will carry instance profile {new}"),
        (Some(old), Some(new)) => writeln!(
            out,
            "      instance {id} will carry instance profile {new} instead of {old}"
        ),
        (Some(old), None) => writeln!(
            out,
            "      instance {id} will no longer carry instance profile {old}"
        ),
        (None, None) => Ok(()),
    };
}

fn render_resource(out: &mut String, p: &Painter, resource: &Resource) {
    match resource {
        Resource::Role(role) => {
            if let Some(slr) = &role.service_linked {
                let _ = writeln!(out, "      service:     {}", slr.service);
                if let Some(d) = &role.description {
                    let _ = writeln!(out, "      description: {d}");
                }
                return;
            }
            let _ = writeln!(out, "      path:                 {}", role.path);
            if let Some(d) = &role.description {
                let _ = writeln!(out, "      description:          {d}");
            }
            let _ = writeln!(
                out,
                "      max session duration: {}s",
                role.max_session_duration
            );
            if let Some(b) = &role.permissions_boundary {
                let _ = writeln!(out, "      permissions boundary: {b}");
            }
            let _ = writeln!(
                out,
                "      tags:                 {}",
                tags_inline(&role.tags)
            );
            let _ = writeln!(out, "      trust policy:");
            indent_diff(out, p, &policy_diff(None, Some(&role.trust_policy)));
            for arn in &role.managed_policies {
                let _ = writeln!(
                    out,
                    "      {} managed policy {arn}",
                    p.action(Action::Create)
                );
            }
            for (name, doc) in &role.inline_policies {
                let _ = writeln!(
                    out,
                    "      {} inline policy {name}:",
                    p.action(Action::Create)
                );
                indent_diff(out, p, &policy_diff(None, Some(doc)));
            }
        }
        Resource::InstanceProfile(profile) => {
            let _ = writeln!(out, "      path:  {}", profile.path);
            let roles: Vec<&str> = profile.roles.iter().map(String::as_str).collect();
            let _ = writeln!(out, "      role:  {}", roles.join(", "));
        }
        Resource::Binding(_) => {}
        Resource::OidcProvider(provider) => {
            let ids: Vec<&str> = provider.client_ids.iter().map(String::as_str).collect();
            let _ = writeln!(out, "      url:         https://{}", provider.url);
            let _ = writeln!(out, "      client ids:  {}", ids.join(", "));
            if !provider.thumbprints.is_empty() {
                let prints: Vec<&str> = provider.thumbprints.iter().map(String::as_str).collect();
                let _ = writeln!(out, "      thumbprints: {}", prints.join(", "));
            }
            let _ = writeln!(out, "      tags:        {}", tags_inline(&provider.tags));
        }
        Resource::SamlProvider(provider) => {
            let _ = writeln!(out, "      metadata: {}", provider.metadata_digest);
            let _ = writeln!(out, "      tags:     {}", tags_inline(&provider.tags));
        }
        Resource::Policy(policy) => {
            let _ = writeln!(out, "      path:        {}", policy.path);
            if let Some(d) = &policy.description {
                let _ = writeln!(out, "      description: {d}");
            }
            if !policy.versions.is_empty() {
                let ids: Vec<String> = policy
                    .versions
                    .iter()
                    .map(|v| {
                        if v.id == policy.default_version {
                            format!("{} (default)", v.id)
                        } else {
                            v.id.clone()
                        }
                    })
                    .collect();
                let _ = writeln!(out, "      versions:    {}", ids.join(", "));
            }
            let _ = writeln!(out, "      tags:        {}", tags_inline(&policy.tags));
            let _ = writeln!(out, "      document:");
            indent_diff(out, p, &policy_diff(None, Some(&policy.document)));
        }
    }
}

fn quoted(v: &Option<String>) -> String {
    v.as_ref()
        .map_or_else(|| "(none)".to_owned(), |s| format!("{s:?}"))
}

fn render_attribute(out: &mut String, p: &Painter, attr: &AttributeChange) {
    let tilde = p.action(Action::Update);
    match attr {
        AttributeChange::Path { before, after } => {
            let _ = writeln!(
                out,
                "      {tilde} path: {before} -> {after} (forces replacement)"
            );
        }
        AttributeChange::Description { before, after } => {
            let _ = writeln!(
                out,
                "      {tilde} description: {} -> {}",
                quoted(before),
                quoted(after)
            );
        }
        AttributeChange::MaxSessionDuration { before, after } => {
            let _ = writeln!(
                out,
                "      {tilde} max session duration: {before}s -> {after}s"
            );
        }
        AttributeChange::TrustPolicy { before, after } => {
            let _ = writeln!(out, "      {tilde} trust policy:");
            indent_diff(out, p, &policy_diff(Some(before), Some(after)));
        }
        AttributeChange::PolicyDocument { before, after } => {
            let _ = writeln!(out, "      {tilde} document (a new default version):");
            indent_diff(out, p, &policy_diff(Some(before), Some(after)));
        }
        AttributeChange::PermissionsBoundary { before, after } => {
            let _ = writeln!(
                out,
                "      {tilde} permissions boundary: {} -> {}",
                quoted(before),
                quoted(after)
            );
        }
        AttributeChange::Tags { before, after } => {
            for edit in tag_edits(before, after) {
                let _ = match edit {
                    TagEdit::Added { key, value } => {
                        writeln!(out, "      {} tag {key}={value}", p.action(Action::Create))
                    }
                    TagEdit::Changed { key, from, to } => {
                        writeln!(out, "      {tilde} tag {key}: {from:?} -> {to:?}")
                    }
                    TagEdit::Removed { key, value } => {
                        writeln!(out, "      {} tag {key}={value}", p.action(Action::Delete))
                    }
                };
            }
        }
        AttributeChange::ManagedPolicy { arn, attach } => {
            let a = if *attach {
                Action::Create
            } else {
                Action::Delete
            };
            let verb = if *attach { "attach" } else { "detach" };
            let _ = writeln!(out, "      {} {verb} managed policy {arn}", p.action(a));
        }
        AttributeChange::InlinePolicy {
            name,
            before,
            after,
        } => {
            let a = match (before, after) {
                (None, _) => Action::Create,
                (_, None) => Action::Delete,
                _ => Action::Update,
            };
            let _ = writeln!(out, "      {} inline policy {name}:", p.action(a));
            indent_diff(out, p, &policy_diff(before.as_ref(), after.as_ref()));
        }
        AttributeChange::ProfileRoles { before, after } => {
            let _ = writeln!(
                out,
                "      {tilde} role: [{}] -> [{}]",
                before.join(", "),
                after.join(", ")
            );
        }
        AttributeChange::ClientIds { before, after } => {
            for id in after.iter().filter(|id| !before.contains(id)) {
                let _ = writeln!(out, "      {} client id {id}", p.action(Action::Create));
            }
            for id in before.iter().filter(|id| !after.contains(id)) {
                let _ = writeln!(out, "      {} client id {id}", p.action(Action::Delete));
            }
        }
        AttributeChange::Thumbprints { before, after } => {
            let _ = writeln!(
                out,
                "      {tilde} thumbprints: [{}] -> [{}]",
                before.join(", "),
                after.join(", ")
            );
        }
        AttributeChange::SamlMetadata { before, after } => {
            let _ = writeln!(out, "      {tilde} SAML metadata: {before} -> {after}");
        }
        AttributeChange::InstanceProfile { before, after } => {
            let _ = writeln!(
                out,
                "      {tilde} instance profile: {} -> {}",
                quoted(before),
                quoted(after)
            );
        }
    }
}

fn indent_diff(out: &mut String, p: &Painter, diff: &str) {
    let noise = |l: &&str| {
        l.starts_with("--- ")
            || l.starts_with("+++ ")
            || l.starts_with("@@ -0,0 ")
            || l.ends_with(" +0,0 @@")
    };
    for line in diff.lines().filter(|l| !noise(l)) {
        let _ = writeln!(out, "          {}", p.diff_line(line));
    }
}

#[cfg(test)]
mod deletion_color_tests {
    use super::*;
    use crate::plan::Plan;
    use crate::state::InstanceProfileState;

    #[test]
    fn deletions_are_red_with_color_and_plain_without() {
        let profile = InstanceProfileState {
            name: "old".into(),
            path: "/".into(),
            roles: Default::default(),
            tags: Default::default(),
        };
        let plan = Plan {
            account_id: "123456789012".into(),
            changes: vec![Change {
                address: Address::InstanceProfile("old".into()),
                action: Action::Delete,
                before: Some(Resource::InstanceProfile(profile)),
                after: None,
                attributes: Vec::new(),
                reason: None,
            }],
            conflicts: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
            steps: Vec::new(),
        };
        let red = Style::new().fg_color(Some(AnsiColor::Red.into())).bold();
        let colored = render(&plan, true);
        assert!(
            colored.contains(&format!(
                "{}instance_profile.old will be destroyed{}",
                red.render(),
                red.render_reset()
            )),
            "{colored:?}"
        );
        assert!(render(&plan, false).contains("  - instance_profile.old will be destroyed\n"));
    }
}
