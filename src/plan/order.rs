//! Turning changes into ordered steps (identity providers' in `provider`).

mod provider;

use std::collections::{BTreeMap, BTreeSet, HashSet};

use crate::account::Mutation;
use crate::diff::change::{Action, Address, AttributeChange, Change, Resource};
use crate::plan::{Phase, Step};
use crate::policy::Policy;
use crate::quotas::{INLINE_POLICIES_AGGREGATE, Limits};
use crate::state::{AccountState, RoleState, tag_writes};

/// Orders the changes' mutations into phases. Returns the steps and notes about ordering
/// decisions the reader should know (e.g. a quota forcing a detach before an attach).
pub fn build_steps(
    changes: &[Change],
    live: &AccountState,
    limits: &Limits,
) -> (Vec<Step>, Vec<String>) {
    let mut b = Builder {
        steps: Vec::new(),
        notes: Vec::new(),
    };
    let deleted_profiles: BTreeSet<&str> = changes
        .iter()
        .filter(|c| matches!(c.action, Action::Delete | Action::Replace))
        .filter_map(|c| match &c.address {
            Address::InstanceProfile(n) => Some(n.as_str()),
            _ => None,
        })
        .collect();
    for change in changes {
        match (&change.address, &change.before, &change.after) {
            (Address::Role(_), before, after) => b.role(
                change,
                before.as_ref(),
                after.as_ref(),
                live,
                limits,
                &deleted_profiles,
            ),
            (Address::InstanceProfile(_), before, after) => {
                b.profile(change.action, before.as_ref(), after.as_ref())
            }
            (Address::Binding(_), before, after) => b.binding(before.as_ref(), after.as_ref()),
            (Address::OidcProvider(_) | Address::SamlProvider(_), ..) => b.provider(change),
            (Address::Policy(_), ..) => {}
        }
    }
    b.steps
        .extend(super::policy_steps::policy_steps(changes, live));
    // Stable sort keeps address order within a phase; identical steps (a role leaving a profile
    // because both are deleted) run once.
    b.steps.sort_by_key(|s| s.phase);
    let mut seen = HashSet::new();
    b.steps.retain(|s| seen.insert(s.mutation.clone()));
    (b.steps, b.notes)
}

struct Builder {
    steps: Vec<Step>,
    notes: Vec<String>,
}

fn as_role(r: Option<&Resource>) -> Option<&RoleState> {
    match r {
        Some(Resource::Role(role)) => Some(role),
        _ => None,
    }
}

impl Builder {
    fn push(&mut self, phase: Phase, mutation: Mutation) {
        self.steps.push(Step { phase, mutation });
    }

    fn role(
        &mut self,
        change: &Change,
        before: Option<&Resource>,
        after: Option<&Resource>,
        live: &AccountState,
        limits: &Limits,
        deleted_profiles: &BTreeSet<&str>,
    ) {
        let (before, after) = (as_role(before), as_role(after));
        match change.action {
            Action::Create => {
                if let Some(role) = after {
                    self.create_role(role);
                }
            }
            Action::Delete => {
                if let Some(role) = before {
                    self.teardown_role(role, live);
                }
            }
            Action::Replace => {
                if let (Some(old), Some(new)) = (before, after) {
                    self.teardown_role(old, live);
                    self.create_role(new);
                    for p in live.profiles_of_role(&old.name) {
                        if !deleted_profiles.contains(p.name.as_str()) {
                            self.push(
                                Phase::AddRolesToProfiles,
                                Mutation::AddRoleToInstanceProfile {
                                    profile_name: p.name.clone(),
                                    role_name: new.name.clone(),
                                },
                            );
                        }
                    }
                }
            }
            Action::Update => {
                if let (Some(have), Some(want)) = (before, after) {
                    self.update_role(have, want, &change.attributes, limits);
                }
            }
        }
    }

    fn create_role(&mut self, role: &RoleState) {
        if let Some(slr) = &role.service_linked {
            self.push(
                Phase::CreateRoles,
                Mutation::CreateServiceLinkedRole {
                    role_name: role.name.clone(),
                    service: slr.service.clone(),
                    description: role.description.clone(),
                    custom_suffix: slr.custom_suffix.clone(),
                },
            );
            return;
        }
        self.push(
            Phase::CreateRoles,
            Mutation::CreateRole {
                role: Box::new(role.clone()),
            },
        );
        for arn in &role.managed_policies {
            self.push(
                Phase::GrantPolicies,
                Mutation::AttachRolePolicy {
                    role_name: role.name.clone(),
                    policy_arn: arn.clone(),
                },
            );
        }
        for (name, policy) in &role.inline_policies {
            self.push(
                Phase::GrantPolicies,
                Mutation::PutRolePolicy {
                    role_name: role.name.clone(),
                    policy_name: name.clone(),
                    policy: policy.clone(),
                },
            );
        }
    }

    fn teardown_role(&mut self, role: &RoleState, live: &AccountState) {
        let name = &role.name;
        for p in live.profiles_of_role(name) {
            self.push(
                Phase::RemoveRolesFromProfiles,
                Mutation::RemoveRoleFromInstanceProfile {
                    profile_name: p.name.clone(),
                    role_name: name.clone(),
                },
            );
        }
        for arn in &role.managed_policies {
            self.push(
                Phase::TeardownRoles,
                Mutation::DetachRolePolicy {
                    role_name: name.clone(),
                    policy_arn: arn.clone(),
                },
            );
        }
        for policy_name in role.inline_policies.keys() {
            self.push(
                Phase::TeardownRoles,
                Mutation::DeleteRolePolicy {
                    role_name: name.clone(),
                    policy_name: policy_name.clone(),
                },
            );
        }
        self.push(
            Phase::DeleteRoles,
            Mutation::DeleteRole {
                role_name: name.clone(),
            },
        );
    }

    fn update_role(
        &mut self,
        have: &RoleState,
        want: &RoleState,
        attributes: &[AttributeChange],
        limits: &Limits,
    ) {
        let name = &want.name;
        let mut settings_changed = false;
        let (mut attach, mut detach, mut put, mut delete) =
            (Vec::new(), Vec::new(), Vec::new(), Vec::new());
        for attr in attributes {
            match attr {
                AttributeChange::Description { .. }
                | AttributeChange::MaxSessionDuration { .. } => settings_changed = true,
                // A policy's own attribute: `policy_steps` orders it.
                AttributeChange::PolicyDocument { .. } => {}
                AttributeChange::TrustPolicy { after, .. } => self.push(
                    Phase::ConfigureRoles,
                    Mutation::UpdateAssumeRolePolicy {
                        role_name: name.clone(),
                        policy: after.clone(),
                    },
                ),
                AttributeChange::PermissionsBoundary { after, .. } => self.push(
                    Phase::ConfigureRoles,
                    match after {
                        Some(b) => Mutation::PutRolePermissionsBoundary {
                            role_name: name.clone(),
                            boundary: b.clone(),
                        },
                        None => Mutation::DeleteRolePermissionsBoundary {
                            role_name: name.clone(),
                        },
                    },
                ),
                AttributeChange::Tags { before, after } => self.tags(name, before, after),
                AttributeChange::ManagedPolicy { arn, attach: true } => attach.push(arn.clone()),
                AttributeChange::ManagedPolicy { arn, attach: false } => detach.push(arn.clone()),
                AttributeChange::InlinePolicy {
                    name: p,
                    after: Some(doc),
                    ..
                } => put.push((p.clone(), doc.clone())),
                AttributeChange::InlinePolicy {
                    name: p,
                    after: None,
                    ..
                } => delete.push(p.clone()),
                AttributeChange::Path { .. }
                | AttributeChange::ProfileRoles { .. }
                | AttributeChange::InstanceProfile { .. }
                | AttributeChange::ClientIds { .. }
                | AttributeChange::Thumbprints { .. }
                | AttributeChange::SamlMetadata { .. } => {}
            }
        }
        if settings_changed {
            self.push(
                Phase::ConfigureRoles,
                Mutation::UpdateRole {
                    role_name: name.clone(),
                    description: want.description.clone(),
                    max_session_duration: want.max_session_duration,
                },
            );
        }
        // Managed policies: attach first unless the quota has no room for both at once.
        let peak = have.managed_policies.len() + attach.len();
        let detach_phase = if peak > limits.managed_policies_per_role && !detach.is_empty() {
            self.notes.push(format!(
                "role {name}: detaching before attaching, because {peak} managed policies would exceed the quota of {}",
                limits.managed_policies_per_role
            ));
            Phase::MakeRoom
        } else {
            Phase::RevokePolicies
        };
        for arn in attach {
            self.push(
                Phase::GrantPolicies,
                Mutation::AttachRolePolicy {
                    role_name: name.clone(),
                    policy_arn: arn,
                },
            );
        }
        for arn in detach {
            self.push(
                detach_phase,
                Mutation::DetachRolePolicy {
                    role_name: name.clone(),
                    policy_arn: arn,
                },
            );
        }
        // Inline policies: put first (a put replaces a same-named policy atomically) unless the
        // aggregate size limit needs the deleted ones gone first.
        let mut peak_docs: BTreeMap<&String, &Policy> = have.inline_policies.iter().collect();
        for (p, doc) in &put {
            peak_docs.insert(p, doc);
        }
        let peak_size: usize = peak_docs.values().map(|d| d.non_whitespace_len()).sum();
        let delete_phase = if peak_size > INLINE_POLICIES_AGGREGATE && !delete.is_empty() {
            self.notes.push(format!(
                "role {name}: deleting inline policies before putting new ones, because together they would total {peak_size} characters (IAM allows {INLINE_POLICIES_AGGREGATE})"
            ));
            Phase::MakeRoom
        } else {
            Phase::RevokePolicies
        };
        for (p, doc) in put {
            self.push(
                Phase::GrantPolicies,
                Mutation::PutRolePolicy {
                    role_name: name.clone(),
                    policy_name: p,
                    policy: doc,
                },
            );
        }
        for p in delete {
            self.push(
                delete_phase,
                Mutation::DeleteRolePolicy {
                    role_name: name.clone(),
                    policy_name: p,
                },
            );
        }
    }

    fn tags(
        &mut self,
        role: &str,
        before: &BTreeMap<String, String>,
        after: &BTreeMap<String, String>,
    ) {
        let (set, removed) = tag_writes(before, after);
        if !set.is_empty() {
            self.push(
                Phase::ConfigureRoles,
                Mutation::TagRole {
                    role_name: role.to_owned(),
                    tags: set,
                },
            );
        }
        if !removed.is_empty() {
            self.push(
                Phase::ConfigureRoles,
                Mutation::UntagRole {
                    role_name: role.to_owned(),
                    keys: removed,
                },
            );
        }
    }

    fn profile(&mut self, action: Action, before: Option<&Resource>, after: Option<&Resource>) {
        let as_profile = |r: Option<&Resource>| match r {
            Some(Resource::InstanceProfile(p)) => Some(p.clone()),
            _ => None,
        };
        let (before, after) = (as_profile(before), as_profile(after));
        let remove_all = |b: &mut Self, p: &crate::state::InstanceProfileState| {
            for role in &p.roles {
                b.push(
                    Phase::RemoveRolesFromProfiles,
                    Mutation::RemoveRoleFromInstanceProfile {
                        profile_name: p.name.clone(),
                        role_name: role.clone(),
                    },
                );
            }
            b.push(
                Phase::DeleteProfiles,
                Mutation::DeleteInstanceProfile {
                    profile_name: p.name.clone(),
                },
            );
        };
        let create = |b: &mut Self, p: &crate::state::InstanceProfileState| {
            b.push(
                Phase::CreateProfiles,
                Mutation::CreateInstanceProfile { profile: p.clone() },
            );
            for role in &p.roles {
                b.push(
                    Phase::AddRolesToProfiles,
                    Mutation::AddRoleToInstanceProfile {
                        profile_name: p.name.clone(),
                        role_name: role.clone(),
                    },
                );
            }
        };
        match (action, before, after) {
            (Action::Create, _, Some(p)) => create(self, &p),
            (Action::Delete, Some(p), _) => remove_all(self, &p),
            (Action::Replace, Some(old), Some(new)) => {
                remove_all(self, &old);
                create(self, &new);
            }
            (Action::Update, Some(old), Some(new)) => {
                for role in old.roles.difference(&new.roles) {
                    self.push(
                        Phase::RemoveRolesFromProfiles,
                        Mutation::RemoveRoleFromInstanceProfile {
                            profile_name: old.name.clone(),
                            role_name: role.clone(),
                        },
                    );
                }
                for role in new.roles.difference(&old.roles) {
                    self.push(
                        Phase::AddRolesToProfiles,
                        Mutation::AddRoleToInstanceProfile {
                            profile_name: new.name.clone(),
                            role_name: role.clone(),
                        },
                    );
                }
                let (tags, removed) = tag_writes(&old.tags, &new.tags);
                if !tags.is_empty() {
                    self.push(
                        Phase::CreateProfiles,
                        Mutation::TagInstanceProfile {
                            profile_name: new.name.clone(),
                            tags,
                        },
                    );
                }
                if !removed.is_empty() {
                    self.push(
                        Phase::CreateProfiles,
                        Mutation::UntagInstanceProfile {
                            profile_name: new.name.clone(),
                            keys: removed,
                        },
                    );
                }
            }
            _ => {}
        }
    }

    fn binding(&mut self, before: Option<&Resource>, after: Option<&Resource>) {
        let as_binding = |r: Option<&Resource>| match r {
            Some(Resource::Binding(b)) => Some(b.clone()),
            _ => None,
        };
        match (as_binding(before), as_binding(after)) {
            (None, Some(new)) => self.push(
                Phase::Associate,
                Mutation::AssociateInstanceProfile {
                    instance_id: new.instance_id,
                    profile_name: new.profile,
                },
            ),
            (Some(old), Some(new)) => self.push(
                Phase::Associate,
                Mutation::ReplaceInstanceProfileAssociation {
                    instance_id: new.instance_id,
                    association_id: old.association_id.unwrap_or_default(),
                    profile_name: new.profile,
                },
            ),
            (Some(old), None) => self.push(
                Phase::Disassociate,
                Mutation::DisassociateInstanceProfile {
                    instance_id: old.instance_id,
                    association_id: old.association_id.unwrap_or_default(),
                },
            ),
            (None, None) => {}
        }
    }
}

#[cfg(test)]
mod tests;
