//! Instance profiles: the one declared per role (created, updated, replaced, adopted), owned
//! profiles a role no longer declares (deleted), and conflicts with profiles rolesmith does not
//! own or that hold another role.

use std::collections::BTreeSet;

use super::binding::diff_bindings;
use super::{
    Action, Address, AttributeChange, BindingState, Change, Conflict, Diff, DiffOptions, Resource,
    join, ownership_ok,
};
use crate::codes;
use crate::state::{AccountState, DesiredRole, InstanceProfileState, RoleState};

/// Attribute-level differences between two states of the same instance profile: its path (which
/// forces replacement), the role it holds and its tags, compared exactly (the desired tags carry
/// the ownership tag, so a tag added by hand is drift).
pub fn profile_attributes(
    have: &InstanceProfileState,
    want: &InstanceProfileState,
) -> Vec<AttributeChange> {
    let mut attrs = Vec::new();
    if have.path != want.path {
        attrs.push(AttributeChange::Path {
            before: have.path.clone(),
            after: want.path.clone(),
        });
    }
    if have.roles != want.roles {
        attrs.push(AttributeChange::ProfileRoles {
            before: have.roles.iter().cloned().collect(),
            after: want.roles.iter().cloned().collect(),
        });
    }
    if have.tags != want.tags {
        attrs.push(AttributeChange::Tags {
            before: have.tags.clone(),
            after: want.tags.clone(),
        });
    }
    attrs
}

pub(super) fn diff_profile_and_bindings(
    want: &DesiredRole,
    have: Option<&RoleState>,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
    kept: &BTreeSet<String>,
) {
    let role = &want.role.name;
    // Owned profiles holding this role that no manifest declares go away; a profile another
    // manifest declares is that manifest's to fix.
    if let Some(have) = have {
        for p in live.profiles_of_role(&have.name) {
            let is_wanted = want
                .instance_profile
                .as_ref()
                .is_some_and(|w| w.name == p.name && w.path == p.path);
            if !is_wanted && !kept.contains(&p.name) && ownership_ok(&p.tags, opts) {
                delete_profile(p, live, out);
            }
        }
    }
    let Some(profile) = &want.instance_profile else {
        return;
    };
    let address = Address::InstanceProfile(profile.name.clone());
    let mut profile_ready = true;
    match live.instance_profiles.get(&profile.name) {
        None => out.changes.push(Change {
            address,
            action: Action::Create,
            before: None,
            after: Some(Resource::InstanceProfile(profile.clone())),
            attributes: Vec::new(),
            reason: None,
        }),
        Some(p) if !ownership_ok(&p.tags, opts) && !want.adopt => {
            profile_ready = false;
            out.conflicts.push(Conflict {
                address,
                code: codes::FOREIGN_INSTANCE_PROFILE,
                message: "instance profile exists but is not managed by rolesmith".into(),
                help: "add `adopt: true` to the role's manifest to take it over, or name another profile".into(),
            });
        }
        Some(p) if p.roles.iter().any(|r| r != role) && !ownership_ok(&p.tags, opts) => {
            profile_ready = false;
            out.conflicts.push(Conflict {
                address,
                code: codes::INSTANCE_PROFILE_IN_USE,
                message: format!(
                    "instance profile holds role {}; a profile holds one role",
                    join(&p.roles)
                ),
                help: "name another profile for this role, or remove the other role from it".into(),
            });
        }
        Some(p) if p.path != profile.path => {
            out.changes.push(Change {
                address,
                action: Action::Replace,
                before: Some(Resource::InstanceProfile(p.clone())),
                after: Some(Resource::InstanceProfile(profile.clone())),
                attributes: vec![AttributeChange::Path {
                    before: p.path.clone(),
                    after: profile.path.clone(),
                }],
                reason: Some("IAM cannot change an instance profile's path".into()),
            });
        }
        Some(p) => {
            let attributes = profile_attributes(p, profile);
            if !attributes.is_empty() {
                out.changes.push(Change {
                    address,
                    action: Action::Update,
                    before: Some(Resource::InstanceProfile(p.clone())),
                    after: Some(Resource::InstanceProfile(profile.clone())),
                    attributes,
                    reason: None,
                });
            }
        }
    }
    if profile_ready && let Some(spec) = &want.bindings {
        diff_bindings(&profile.name, spec, live, out);
    }
}

pub(super) fn delete_profile(p: &InstanceProfileState, live: &AccountState, out: &mut Diff) {
    for (instance, a) in live.instances_carrying(&p.name) {
        {
            out.changes.push(Change {
                address: Address::Binding(instance.id.clone()),
                action: Action::Delete,
                before: Some(Resource::Binding(BindingState {
                    instance_id: instance.id.clone(),
                    profile: p.name.clone(),
                    association_id: Some(a.id.clone()),
                })),
                after: None,
                attributes: vec![AttributeChange::InstanceProfile {
                    before: Some(p.name.clone()),
                    after: None,
                }],
                reason: Some(format!("instance profile {} is deleted", p.name)),
            });
        }
    }
    out.changes.push(Change {
        address: Address::InstanceProfile(p.name.clone()),
        action: Action::Delete,
        before: Some(Resource::InstanceProfile(p.clone())),
        after: None,
        attributes: Vec::new(),
        reason: None,
    });
}
