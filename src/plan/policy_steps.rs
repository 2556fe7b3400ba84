//! The steps of managed policy changes, and where they sit among the roles' phases.
//!
//! A policy is created or given its new version before any role attaches it; a deleted one is
//! detached from the roles that remain and deleted after every role change. A replacement (a
//! path or description change) cannot create the new policy first, because IAM policy names
//! are unique in the account whatever the path, so a temporary copy under a derived name
//! ([`bridge_name`]) carries the permissions across: create the copy, attach it (or set it as
//! boundary) wherever the policy is, detach the old one, delete and create it again, attach the
//! new one, then detach and delete the copy. At every step between, each role that had the
//! policy's permissions holds a policy granting them.

use std::collections::{BTreeMap, BTreeSet};

use crate::account::Mutation;
use crate::diff::bridge_name;
use crate::diff::change::{Action, Address, AttributeChange, Change, Resource};
use crate::plan::{Phase, Step};
use crate::state::{AccountState, ManagedPolicyState, RoleState, tag_writes};

/// The steps of every policy change in `changes` (role changes are read to leave alone what
/// they already handle).
pub(super) fn policy_steps(changes: &[Change], live: &AccountState) -> Vec<Step> {
    let mut b = Steps {
        steps: Vec::new(),
        live,
        gone: BTreeSet::new(),
        after: BTreeMap::new(),
    };
    for c in changes {
        if let Address::Role(name) = &c.address {
            if matches!(c.action, Action::Delete | Action::Replace) {
                b.gone.insert(name.clone());
            }
            if let Some(Resource::Role(r)) = &c.after {
                b.after.insert(name.clone(), r);
            }
        }
    }
    for c in changes {
        let as_policy = |r: &Option<Resource>| match r {
            Some(Resource::Policy(p)) => Some(p.as_ref().clone()),
            _ => None,
        };
        match (c.action, as_policy(&c.before), as_policy(&c.after)) {
            (Action::Create, _, Some(want)) => b.push(
                Phase::CreatePolicies,
                Mutation::CreatePolicy {
                    policy: Box::new(want),
                },
            ),
            (Action::Update, Some(have), Some(_)) => b.update(&have, &c.attributes),
            (Action::Delete, Some(have), _) => b.delete(&have),
            (Action::Replace, Some(have), Some(want)) => b.replace(&have, &want),
            _ => {}
        }
    }
    b.steps
}

struct Steps<'a> {
    steps: Vec<Step>,
    live: &'a AccountState,
    /// Roles the plan deletes or replaces (their teardown detaches everything).
    gone: BTreeSet<String>,
    /// Roles as the plan leaves them, for those it changes.
    after: BTreeMap<String, &'a RoleState>,
}

impl Steps<'_> {
    fn push(&mut self, phase: Phase, mutation: Mutation) {
        self.steps.push(Step { phase, mutation });
    }

    fn arn(&self, p: &ManagedPolicyState) -> String {
        p.arn(&self.live.partition, &self.live.account_id)
    }

    /// Roles that remain and use `arn`: (name, attaches it, has it as boundary).
    fn users(&self, arn: &str) -> Vec<(String, bool, bool)> {
        self.live
            .roles_using_policy(arn)
            .filter(|n| !self.gone.contains(*n))
            .filter_map(|n| self.live.roles.get(n))
            .map(|r| {
                (
                    r.name.clone(),
                    r.managed_policies.contains(arn),
                    r.permissions_boundary.as_deref() == Some(arn),
                )
            })
            .collect()
    }

    fn update(&mut self, have: &ManagedPolicyState, attributes: &[AttributeChange]) {
        let (policy_name, policy_arn) = (have.name.clone(), self.arn(have));
        for attr in attributes {
            match attr {
                AttributeChange::PolicyDocument { after, .. } => {
                    // IAM keeps five versions: make room by deleting the oldest that is not
                    // the default (the previous default stays, for a one-call rollback).
                    if let Some(v) = have.oldest_deletable_version() {
                        self.push(
                            Phase::UpdatePolicies,
                            Mutation::DeletePolicyVersion {
                                policy_name: policy_name.clone(),
                                policy_arn: policy_arn.clone(),
                                version_id: v.id.clone(),
                            },
                        );
                    }
                    self.push(
                        Phase::UpdatePolicies,
                        Mutation::CreatePolicyVersion {
                            policy_name: policy_name.clone(),
                            policy_arn: policy_arn.clone(),
                            document: after.clone(),
                        },
                    );
                }
                AttributeChange::Tags { before, after } => {
                    let (tags, keys) = tag_writes(before, after);
                    if !tags.is_empty() {
                        self.push(
                            Phase::UpdatePolicies,
                            Mutation::TagPolicy {
                                policy_name: policy_name.clone(),
                                policy_arn: policy_arn.clone(),
                                tags,
                            },
                        );
                    }
                    if !keys.is_empty() {
                        self.push(
                            Phase::UpdatePolicies,
                            Mutation::UntagPolicy {
                                policy_name: policy_name.clone(),
                                policy_arn: policy_arn.clone(),
                                keys,
                            },
                        );
                    }
                }
                _ => {}
            }
        }
    }

    /// Detaches `have` from the roles that remain (unless their own change already moves the
    /// boundary), then deletes its non-default versions and the policy.
    fn delete(&mut self, have: &ManagedPolicyState) {
        let arn = self.arn(have);
        for (role, attaches, boundary) in self.users(&arn) {
            if attaches {
                self.push(
                    Phase::DetachPolicies,
                    Mutation::DetachRolePolicy {
                        role_name: role.clone(),
                        policy_arn: arn.clone(),
                    },
                );
            }
            let moved = self
                .after
                .get(&role)
                .is_some_and(|r| r.permissions_boundary.as_deref() != Some(arn.as_str()));
            if boundary && !moved {
                self.push(
                    Phase::DetachPolicies,
                    Mutation::DeleteRolePermissionsBoundary { role_name: role },
                );
            }
        }
        self.delete_policy(have, Phase::DeletePolicies);
    }

    fn delete_policy(&mut self, have: &ManagedPolicyState, phase: Phase) {
        let arn = self.arn(have);
        for v in have
            .versions
            .iter()
            .filter(|v| v.id != have.default_version)
        {
            self.push(
                phase,
                Mutation::DeletePolicyVersion {
                    policy_name: have.name.clone(),
                    policy_arn: arn.clone(),
                    version_id: v.id.clone(),
                },
            );
        }
        self.push(
            phase,
            Mutation::DeletePolicy {
                policy_name: have.name.clone(),
                policy_arn: arn,
            },
        );
    }

    /// A new default version of `policy` holding `document` (after making room), and the policy
    /// as it is then: every version it had is no longer the default.
    fn new_default_version(
        &mut self,
        mut policy: ManagedPolicyState,
        document: &crate::policy::Policy,
    ) -> ManagedPolicyState {
        let (policy_name, policy_arn) = (policy.name.clone(), self.arn(&policy));
        if let Some(v) = policy.oldest_deletable_version().map(|v| v.id.clone()) {
            self.push(
                Phase::UpdatePolicies,
                Mutation::DeletePolicyVersion {
                    policy_name: policy_name.clone(),
                    policy_arn: policy_arn.clone(),
                    version_id: v.clone(),
                },
            );
            policy.versions.retain(|x| x.id != v);
        }
        self.push(
            Phase::UpdatePolicies,
            Mutation::CreatePolicyVersion {
                policy_name,
                policy_arn,
                document: document.clone(),
            },
        );
        // The new version is the default; the ones listed are all to delete with the policy.
        policy.default_version = String::new();
        policy.document = document.clone();
        policy
    }

    /// The gap-free replacement through a temporary copy (see the module docs).
    fn replace(&mut self, have: &ManagedPolicyState, want: &ManagedPolicyState) {
        let (old, new) = (self.arn(have), self.arn(want));
        let bridge = ManagedPolicyState {
            name: bridge_name(&want.name),
            description: Some(format!(
                "rolesmith: temporary copy of {} while it is replaced",
                want.name
            )),
            versions: Vec::new(),
            default_version: String::new(),
            attached_elsewhere: Vec::new(),
            ..want.clone()
        };
        let users = self.users(&old);
        // A copy left by an interrupted replacement is reused where it is (its own path and
        // spelling): given the new document if it holds another, and deleted at the end with
        // every version it has.
        let leftover = self.live.find_policy(&bridge.name).cloned();
        let bridge = match leftover {
            None => {
                self.push(
                    Phase::CreatePolicies,
                    Mutation::CreatePolicy {
                        policy: Box::new(bridge.clone()),
                    },
                );
                bridge
            }
            Some(copy) if copy.document == want.document => copy,
            Some(copy) => self.new_default_version(copy, &want.document),
        };
        let bridge_arn = self.arn(&bridge);
        for (role, attaches, boundary) in &users {
            if *attaches {
                self.push(
                    Phase::BridgePolicies,
                    Mutation::AttachRolePolicy {
                        role_name: role.clone(),
                        policy_arn: bridge_arn.clone(),
                    },
                );
                self.push(
                    Phase::ReleaseReplacedPolicies,
                    Mutation::DetachRolePolicy {
                        role_name: role.clone(),
                        policy_arn: old.clone(),
                    },
                );
            }
            if *boundary {
                self.push(
                    Phase::BridgePolicies,
                    Mutation::PutRolePermissionsBoundary {
                        role_name: role.clone(),
                        boundary: bridge_arn.clone(),
                    },
                );
            }
        }
        self.delete_policy(have, Phase::ReplacePolicies);
        self.push(
            Phase::ReplacePolicies,
            Mutation::CreatePolicy {
                policy: Box::new(want.clone()),
            },
        );
        for (role, attaches, boundary) in users {
            let after = self.after.get(&role).copied();
            if attaches {
                if after.is_none_or(|r| r.managed_policies.contains(&new)) {
                    self.push(
                        Phase::GrantPolicies,
                        Mutation::AttachRolePolicy {
                            role_name: role.clone(),
                            policy_arn: new.clone(),
                        },
                    );
                }
                self.push(
                    Phase::RevokePolicies,
                    Mutation::DetachRolePolicy {
                        role_name: role.clone(),
                        policy_arn: bridge_arn.clone(),
                    },
                );
            }
            // A role whose own change moves its boundary elsewhere replaces the copy itself.
            if boundary && after.is_none_or(|r| r.permissions_boundary.as_deref() == Some(&new)) {
                self.push(
                    Phase::ConfigureRoles,
                    Mutation::PutRolePermissionsBoundary {
                        role_name: role,
                        boundary: new.clone(),
                    },
                );
            }
        }
        self.delete_policy(&bridge, Phase::DeletePolicies);
    }
}
