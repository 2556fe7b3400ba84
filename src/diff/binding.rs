//! EC2 bindings: which instances should carry a role's profile (named or selected by tags),
//! associations to create, replace (`ec2.takeover`) or remove, and conflicts with instances that
//! carry a profile rolesmith did not put there.

use std::collections::BTreeSet;

use super::{Action, Address, AttributeChange, BindingState, Change, Conflict, Diff, Resource};
use crate::codes;
use crate::state::{AccountState, BindingSpec, InstanceState, tags_inline};

/// Attribute-level differences between two states of the same instance: the profile it carries.
pub fn instance_attributes(have: &InstanceState, want: &InstanceState) -> Vec<AttributeChange> {
    let profile = |i: &InstanceState| i.association.as_ref().map(|a| a.profile.clone());
    if have.association == want.association {
        return Vec::new();
    }
    vec![AttributeChange::InstanceProfile {
        before: profile(have),
        after: profile(want),
    }]
}

pub(super) fn diff_bindings(
    profile: &str,
    spec: &BindingSpec,
    live: &AccountState,
    out: &mut Diff,
) {
    let mut targets = BTreeSet::new();
    for id in &spec.instances {
        match live.instances.get(id) {
            None => out.conflicts.push(Conflict {
                address: Address::Binding(id.clone()),
                code: codes::INSTANCE_NOT_FOUND,
                message: format!("instance {id} does not exist in this account and region"),
                help: "check the instance id and region, or remove it from `ec2.instances`".into(),
            }),
            Some(i) if !i.is_bindable() => out
                .notes
                .push(format!("instance {id} is {}; it is ignored", i.state)),
            Some(_) => {
                targets.insert(id.clone());
            }
        }
    }
    if !spec.selector.is_empty() {
        let selected: Vec<String> = live
            .instances
            .values()
            .filter(|i| i.is_bindable())
            .filter(|i| spec.selector.iter().all(|(k, v)| i.tags.get(k) == Some(v)))
            .map(|i| i.id.clone())
            .collect();
        if selected.is_empty() {
            out.warnings.push(format!(
                "the `ec2` selector of instance profile {profile} ({}) matches no running or stopped instance in this account and region; check the region and the tags",
                tags_inline(&spec.selector)
            ));
        }
        targets.extend(selected);
    }
    let binding = |id: &str, association_id: Option<String>| BindingState {
        instance_id: id.to_owned(),
        profile: profile.to_owned(),
        association_id,
    };
    for id in &targets {
        let instance = &live.instances[id];
        let address = Address::Binding(id.clone());
        match &instance.association {
            None => out.changes.push(Change {
                address,
                action: Action::Create,
                before: None,
                after: Some(Resource::Binding(binding(id, None))),
                attributes: vec![AttributeChange::InstanceProfile { before: None, after: Some(profile.to_owned()) }],
                reason: None,
            }),
            Some(a) if a.profile == profile => {}
            Some(a) if spec.takeover => out.changes.push(Change {
                address,
                action: Action::Update,
                before: Some(Resource::Binding(BindingState { profile: a.profile.clone(), ..binding(id, Some(a.id.clone())) })),
                after: Some(Resource::Binding(binding(id, None))),
                attributes: vec![AttributeChange::InstanceProfile { before: Some(a.profile.clone()), after: Some(profile.to_owned()) }],
                reason: Some(format!(
                    "`ec2.takeover: true`: replaces instance profile {}",
                    a.profile
                )),
            }),
            Some(a) => out.conflicts.push(Conflict {
                address,
                code: codes::INSTANCE_HAS_OTHER_PROFILE,
                message: format!(
                    "instance {id} now carries instance profile {} instead of {profile} (changed outside rolesmith?); it is left as it is",
                    a.profile
                ),
                help: format!(
                    "set `ec2.takeover: true` to replace {} with {profile}, or take the instance out of the bindings",
                    a.profile
                ),
            }),
        }
    }
    for (instance, a) in live.instances_carrying(profile) {
        if !targets.contains(&instance.id) {
            out.changes.push(Change {
                address: Address::Binding(instance.id.clone()),
                action: Action::Delete,
                before: Some(Resource::Binding(binding(&instance.id, Some(a.id.clone())))),
                after: None,
                attributes: vec![AttributeChange::InstanceProfile {
                    before: Some(profile.to_owned()),
                    after: None,
                }],
                reason: Some("no longer named or selected by the manifest".into()),
            });
        }
    }
}
