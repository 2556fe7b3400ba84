//! Roles: create, update, replace (a path change), adopt, delete; and conflicts when a role is
//! not rolesmith's to change.

use std::collections::BTreeSet;

use super::profile::diff_profile_and_bindings;
use super::{
    Action, Address, AttributeChange, Change, Conflict, Diff, DiffOptions, Resource,
    delete_profile, ownership_ok,
};
use crate::codes;
use crate::state::{AccountState, DesiredRole, RoleState};

pub(super) fn diff_role(
    want: &DesiredRole,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
    kept: &BTreeSet<String>,
) {
    let name = &want.role.name;
    let address = Address::Role(name.clone());
    let Some(have) = live.find_role(name) else {
        out.changes.push(Change {
            address,
            action: Action::Create,
            before: None,
            after: Some(Resource::Role(Box::new(want.role.clone()))),
            attributes: Vec::new(),
            reason: None,
        });
        diff_profile_and_bindings(want, None, live, opts, out, kept);
        return;
    };
    if have.name != *name {
        out.conflicts.push(Conflict {
            address,
            code: codes::ROLE_NAME_CASE_CLASH,
            message: format!(
                "the account has this role as `{}`; IAM role names cannot differ only in case",
                have.name
            ),
            help: format!("rename the manifest's role to `{}`", have.name),
        });
        return;
    }
    if let Some(slr) = &want.role.service_linked {
        if have
            .service_linked
            .as_ref()
            .is_none_or(|h| h.service != slr.service)
        {
            out.conflicts.push(Conflict {
                address,
                code: codes::ROLE_NOT_SERVICE_LINKED,
                message: format!(
                    "a role with this name exists but is not linked to {}",
                    slr.service
                ),
                help: "check the service name, or remove this manifest".into(),
            });
        } else if have.description != want.role.description {
            out.changes.push(Change {
                address,
                action: Action::Update,
                before: Some(Resource::Role(Box::new(have.clone()))),
                after: Some(Resource::Role(Box::new(RoleState {
                    description: want.role.description.clone(),
                    ..have.clone()
                }))),
                attributes: vec![AttributeChange::Description {
                    before: have.description.clone(),
                    after: want.role.description.clone(),
                }],
                reason: None,
            });
        }
        return;
    }
    let owned = have.is_owned_by(&opts.ownership);
    if !owned && !want.adopt {
        out.conflicts.push(Conflict {
            address,
            code: codes::UNOWNED_ROLE,
            message: format!(
                "role exists but is not managed by rolesmith (no `{}={}` tag); it is left untouched",
                opts.ownership.key, opts.ownership.value
            ),
            help: "to take it over, add `adopt: true` to its manifest; otherwise rename the manifest's role".into(),
        });
        return;
    }
    if have.service_linked.is_some() {
        out.conflicts.push(Conflict {
            address,
            code: codes::ROLE_IS_SERVICE_LINKED,
            message: "this is a service-linked role; only its service may change it".into(),
            help: "declare it with `kind: ServiceLinkedRole`".into(),
        });
        return;
    }
    let reason = (!owned).then(|| "adopted: the ownership tag is added".to_owned());
    if have.path != want.role.path {
        out.changes.push(Change {
            address,
            action: Action::Replace,
            before: Some(Resource::Role(Box::new(have.clone()))),
            after: Some(Resource::Role(Box::new(want.role.clone()))),
            attributes: vec![AttributeChange::Path {
                before: have.path.clone(),
                after: want.role.path.clone(),
            }],
            reason: Some(
                "IAM cannot change a role's path; the role is deleted and created again".into(),
            ),
        });
        // The replaced role loses its profiles; treat them as new.
        diff_profile_and_bindings(want, None, live, opts, out, kept);
        return;
    }
    let attributes = role_attributes(have, &want.role);
    if !attributes.is_empty() {
        out.changes.push(Change {
            address,
            action: Action::Update,
            before: Some(Resource::Role(Box::new(have.clone()))),
            after: Some(Resource::Role(Box::new(want.role.clone()))),
            attributes,
            reason,
        });
    }
    diff_profile_and_bindings(want, Some(have), live, opts, out, kept);
}

/// Attribute-level differences between two states of the same role (a path change, listed
/// first, forces replacement).
pub fn role_attributes(have: &RoleState, want: &RoleState) -> Vec<AttributeChange> {
    let mut attrs = Vec::new();
    if have.path != want.path {
        attrs.push(AttributeChange::Path {
            before: have.path.clone(),
            after: want.path.clone(),
        });
    }
    if have.description != want.description {
        attrs.push(AttributeChange::Description {
            before: have.description.clone(),
            after: want.description.clone(),
        });
    }
    if have.max_session_duration != want.max_session_duration {
        attrs.push(AttributeChange::MaxSessionDuration {
            before: have.max_session_duration,
            after: want.max_session_duration,
        });
    }
    if have.trust_policy != want.trust_policy {
        attrs.push(AttributeChange::TrustPolicy {
            before: have.trust_policy.clone(),
            after: want.trust_policy.clone(),
        });
    }
    if have.permissions_boundary != want.permissions_boundary {
        attrs.push(AttributeChange::PermissionsBoundary {
            before: have.permissions_boundary.clone(),
            after: want.permissions_boundary.clone(),
        });
    }
    if have.tags != want.tags {
        attrs.push(AttributeChange::Tags {
            before: have.tags.clone(),
            after: want.tags.clone(),
        });
    }
    for arn in want.managed_policies.difference(&have.managed_policies) {
        attrs.push(AttributeChange::ManagedPolicy {
            arn: arn.clone(),
            attach: true,
        });
    }
    for arn in have.managed_policies.difference(&want.managed_policies) {
        attrs.push(AttributeChange::ManagedPolicy {
            arn: arn.clone(),
            attach: false,
        });
    }
    let names: BTreeSet<&String> = have
        .inline_policies
        .keys()
        .chain(want.inline_policies.keys())
        .collect();
    for name in names {
        let (b, a) = (
            have.inline_policies.get(name),
            want.inline_policies.get(name),
        );
        if b != a {
            attrs.push(AttributeChange::InlinePolicy {
                name: name.clone(),
                before: b.cloned(),
                after: a.cloned(),
            });
        }
    }
    attrs
}

pub(super) fn delete_role(
    role: &RoleState,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
    kept: &BTreeSet<String>,
    reason: &str,
) {
    for p in live.profiles_of_role(&role.name) {
        if ownership_ok(&p.tags, opts) && !kept.contains(&p.name) {
            delete_profile(p, live, out);
        }
    }
    out.changes.push(Change {
        address: Address::Role(role.name.clone()),
        action: Action::Delete,
        before: Some(Resource::Role(Box::new(role.clone()))),
        after: None,
        attributes: Vec::new(),
        reason: Some(reason.into()),
    });
}
