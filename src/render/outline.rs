//! A change in a few words, and whether a reviewer must look at it: the PR comment's summary
//! lines (`~ role.ops — trust policy, −AdministratorAccess, +tag team`) and which of its
//! sections start open.
//!
//! Both are read from the change's structure (its action, before/after states and attribute
//! changes), never from rendered text. What is admin-grade is the linter's call
//! ([`crate::lint::grants`]), so the comment and `rolesmith validate` never disagree.

use crate::lint::grants;
use crate::plan::{Action, AttributeChange, Change, Resource};
use crate::policy::Policy;
use crate::state::{RoleState, TagEdit, tag_edits};

/// Most parts a summary line names; the rest are counted.
pub const MAX_PARTS: usize = 10;

/// What a change changes, one short phrase per part, in the order the plan shows them, at most
/// [`MAX_PARTS`] and then `N more`.
pub fn parts(change: &Change) -> Vec<String> {
    let mut parts = match (change.action, &change.before, &change.after) {
        (Action::Create, _, Some(resource)) => resource_parts(resource, "+"),
        (Action::Delete, Some(resource), _) => resource_parts(resource, "−"),
        _ => Vec::new(),
    };
    parts.extend(change.attributes.iter().flat_map(attribute_parts));
    if parts.len() > MAX_PARTS {
        let more = parts.len() - MAX_PARTS;
        parts.truncate(MAX_PARTS);
        parts.push(format!("{more} more"));
    }
    parts
}

/// Whether a reviewer must see the change without clicking: a deletion, a replacement, a trust
/// policy change, or an admin-grade grant.
pub fn is_risky(change: &Change) -> bool {
    matches!(change.action, Action::Delete | Action::Replace)
        || change
            .attributes
            .iter()
            .any(|a| matches!(a, AttributeChange::TrustPolicy { .. }) || grants_admin(a))
        || match (change.action, &change.after) {
            (Action::Create, Some(Resource::Role(role))) => role_grants_admin(role),
            _ => false,
        }
}

fn role_grants_admin(role: &RoleState) -> bool {
    role.managed_policies
        .iter()
        .any(|arn| grants::is_admin_managed_policy(arn))
        || role.inline_policies.values().any(is_admin_policy)
}

fn grants_admin(attr: &AttributeChange) -> bool {
    match attr {
        AttributeChange::ManagedPolicy { arn, attach: true } => {
            grants::is_admin_managed_policy(arn)
        }
        AttributeChange::InlinePolicy {
            after: Some(doc), ..
        } => is_admin_policy(doc),
        _ => false,
    }
}

fn is_admin_policy(doc: &Policy) -> bool {
    grants::is_admin_policy(&doc.to_input())
}

/// `(admin-grade)` after a grant that is.
fn marked(part: String, admin: bool) -> String {
    if admin {
        format!("{part} (admin-grade)")
    } else {
        part
    }
}

/// The policy name of a managed policy ARN (`…:policy/job-function/ViewOnlyAccess` →
/// `ViewOnlyAccess`).
fn policy_name(arn: &str) -> &str {
    arn.rsplit('/').next().unwrap_or(arn)
}

/// What a created (`+`) or deleted (`−`) resource brings or takes with it.
fn resource_parts(resource: &Resource, sign: &str) -> Vec<String> {
    let admin = sign == "+";
    match resource {
        Resource::Role(role) => {
            if let Some(slr) = &role.service_linked {
                return vec![format!("service-linked for {}", slr.service)];
            }
            let mut parts: Vec<String> = role
                .managed_policies
                .iter()
                .map(|arn| {
                    let part = format!("{sign}{}", policy_name(arn));
                    marked(part, admin && grants::is_admin_managed_policy(arn))
                })
                .collect();
            parts.extend(role.inline_policies.iter().map(|(name, doc)| {
                marked(
                    format!("{sign}inline {name}"),
                    admin && is_admin_policy(doc),
                )
            }));
            parts.extend(
                role.permissions_boundary
                    .iter()
                    .map(|b| format!("{sign}boundary {}", policy_name(b))),
            );
            parts
        }
        Resource::InstanceProfile(profile) => profile
            .roles
            .iter()
            .map(|r| format!("{sign}role {r}"))
            .collect(),
        Resource::Binding(_) => Vec::new(),
        Resource::OidcProvider(provider) => provider
            .client_ids
            .iter()
            .map(|id| format!("{sign}client id {id}"))
            .collect(),
        Resource::SamlProvider(_) => Vec::new(),
        Resource::Policy(policy) => vec![marked(
            format!("{sign}document"),
            admin && is_admin_policy(&policy.document),
        )],
    }
}

/// One attribute change in a few words (tags: one part per key).
fn attribute_parts(attr: &AttributeChange) -> Vec<String> {
    let optional =
        |before: &Option<String>, after: &Option<String>, what: &str| match (before, after) {
            (None, Some(a)) => format!("+{what} {}", policy_name(a)),
            (Some(b), None) => format!("−{what} {}", policy_name(b)),
            (Some(b), Some(a)) => format!("{what} {} → {}", policy_name(b), policy_name(a)),
            (None, None) => what.to_owned(),
        };
    vec![match attr {
        AttributeChange::Path { before, after } => format!("path {before} → {after}"),
        AttributeChange::Description { .. } => "description".to_owned(),
        AttributeChange::MaxSessionDuration { before, after } => {
            format!("max session {before}s → {after}s")
        }
        AttributeChange::TrustPolicy { .. } => "trust policy".to_owned(),
        AttributeChange::PermissionsBoundary { before, after } => {
            optional(before, after, "boundary")
        }
        AttributeChange::Tags { before, after } => {
            return tag_edits(before, after)
                .into_iter()
                .map(|edit| match edit {
                    TagEdit::Added { key, .. } => format!("+tag {key}"),
                    TagEdit::Changed { key, .. } => format!("~tag {key}"),
                    TagEdit::Removed { key, .. } => format!("−tag {key}"),
                })
                .collect();
        }
        AttributeChange::ManagedPolicy { arn, attach } => {
            let sign = if *attach { "+" } else { "−" };
            marked(format!("{sign}{}", policy_name(arn)), grants_admin(attr))
        }
        AttributeChange::InlinePolicy {
            name,
            before,
            after,
        } => {
            let sign = match (before, after) {
                (None, _) => "+",
                (_, None) => "−",
                _ => "~",
            };
            marked(format!("{sign}inline {name}"), grants_admin(attr))
        }
        AttributeChange::ProfileRoles { before, after } => {
            format!("role [{}] → [{}]", before.join(", "), after.join(", "))
        }
        AttributeChange::InstanceProfile { before, after } => {
            optional(before, after, "instance profile")
        }
        AttributeChange::ClientIds { before, after } => {
            let added = after.iter().filter(|id| !before.contains(id));
            let removed = before.iter().filter(|id| !after.contains(id));
            return added
                .map(|id| format!("+client id {id}"))
                .chain(removed.map(|id| format!("−client id {id}")))
                .collect();
        }
        AttributeChange::Thumbprints { .. } => "thumbprints".to_owned(),
        AttributeChange::SamlMetadata { .. } => "SAML metadata".to_owned(),
        AttributeChange::PolicyDocument { after, .. } => {
            marked("~document (new version)".to_owned(), is_admin_policy(after))
        }
    }]
}
