//! The ownership guard: the last word before any write.
//!
//! The diff already leaves unowned resources alone, but a plan can come from a file, and a file
//! can be edited. So apply checks every step against the live state it just read, whatever the
//! plan says: a step on a role or instance profile that exists without the ownership tag, or on
//! an instance whose association is with such a profile, is refused unless a manifest adopts
//! the role (or, for an association, takes the instance over). One refused step refuses the
//! whole plan before anything is written.

use std::collections::{BTreeMap, BTreeSet};

use crate::account::{Mutation, Subject};
use crate::state::{AccountState, DesiredState, Ownership};

/// What the live state says about ownership, and what the manifests adopt.
#[derive(Debug, Clone)]
pub struct OwnershipGuard {
    ownership: Ownership,
    /// Live roles by lower-case name: (owned, service-linked).
    roles: BTreeMap<String, (bool, bool)>,
    /// Live instance profiles by name: owned.
    profiles: BTreeMap<String, bool>,
    /// Instance id → the profile it carries now.
    associations: BTreeMap<String, String>,
    /// Lower-case names of roles whose manifests say `adopt: true`.
    adopted_roles: BTreeSet<String>,
    /// Profiles declared by adopting roles.
    adopted_profiles: BTreeSet<String>,
    /// Lower-case names of roles declared as service-linked.
    service_linked: BTreeSet<String>,
    /// Instances a manifest with `ec2.takeover: true` names or selects.
    takeover: BTreeSet<String>,
}

impl OwnershipGuard {
    /// The guard for applying to `live` what `desired` declares.
    pub fn new(live: &AccountState, desired: &DesiredState, ownership: &Ownership) -> Self {
        let mut guard = Self::unchecked();
        guard.ownership = ownership.clone();
        for role in live.roles.values() {
            guard.roles.insert(
                role.name.to_ascii_lowercase(),
                (role.is_owned_by(ownership), role.service_linked.is_some()),
            );
        }
        for p in live.instance_profiles.values() {
            guard
                .profiles
                .insert(p.name.clone(), ownership.is_on(&p.tags));
        }
        for i in live.instances.values() {
            if let Some(a) = &i.association {
                guard.associations.insert(i.id.clone(), a.profile.clone());
            }
        }
        for (name, want) in &desired.roles {
            let lower = name.to_ascii_lowercase();
            if want.role.service_linked.is_some() {
                guard.service_linked.insert(lower.clone());
            }
            if want.adopt {
                guard.adopted_roles.insert(lower);
                if let Some(p) = &want.instance_profile {
                    guard.adopted_profiles.insert(p.name.clone());
                }
            }
            if let Some(spec) = want.bindings.as_ref().filter(|b| b.takeover) {
                guard.takeover.extend(spec.instances.iter().cloned());
                if !spec.selector.is_empty() {
                    guard.takeover.extend(
                        live.instances
                            .values()
                            .filter(|i| spec.selector.iter().all(|(k, v)| i.tags.get(k) == Some(v)))
                            .map(|i| i.id.clone()),
                    );
                }
            }
        }
        guard
    }

    /// A guard that knows no live resource and so refuses nothing: for tests of the executor
    /// itself and benchmarks that apply to an account they generated.
    pub fn unchecked() -> Self {
        Self {
            ownership: Ownership::default(),
            roles: BTreeMap::new(),
            profiles: BTreeMap::new(),
            associations: BTreeMap::new(),
            adopted_roles: BTreeSet::new(),
            adopted_profiles: BTreeSet::new(),
            service_linked: BTreeSet::new(),
            takeover: BTreeSet::new(),
        }
    }

    /// Why `mutation` may not run (`None`: it may).
    pub fn refusal(&self, mutation: &Mutation) -> Option<String> {
        match mutation.subject() {
            Subject::Role(name) => self.role_refusal(name, mutation),
            Subject::InstanceProfile(name) => {
                self.profile_refusal(name).or_else(|| match mutation {
                    // Putting a role into a profile hands the role to instances: it must be ours too.
                    Mutation::AddRoleToInstanceProfile { role_name, .. } => {
                        self.role_refusal(role_name, mutation)
                    }
                    _ => None,
                })
            }
            Subject::Instance(id) => self.association_refusal(id, mutation),
        }
    }

    /// Every refused step, as `OPERATION TARGET: why`, in plan order.
    pub fn refusals<'a>(&self, mutations: impl IntoIterator<Item = &'a Mutation>) -> Vec<String> {
        mutations
            .into_iter()
            .filter_map(|m| {
                self.refusal(m)
                    .map(|why| format!("{} {}: {why}", m.operation(), m.target()))
            })
            .collect()
    }

    fn tag(&self) -> String {
        format!("`{}={}`", self.ownership.key, self.ownership.value)
    }

    fn role_refusal(&self, name: &str, mutation: &Mutation) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let &(owned, service_linked) = self.roles.get(&lower)?;
        if service_linked {
            let allowed = matches!(
                mutation,
                Mutation::CreateServiceLinkedRole { .. } | Mutation::UpdateRole { .. }
            ) && self.service_linked.contains(&lower);
            return (!allowed)
                .then(|| format!("role {name} is service-linked; only its service may change it"));
        }
        (!owned && !self.adopted_roles.contains(&lower)).then(|| {
            format!(
                "role {name} exists without the ownership tag {} and no manifest adopts it",
                self.tag()
            )
        })
    }

    fn profile_refusal(&self, name: &str) -> Option<String> {
        let owned = *self.profiles.get(name)?;
        (!owned && !self.adopted_profiles.contains(name)).then(|| {
            format!(
                "instance profile {name} exists without the ownership tag {} and no manifest adopts it",
                self.tag()
            )
        })
    }

    fn association_refusal(&self, id: &str, mutation: &Mutation) -> Option<String> {
        let new_profile = match mutation {
            Mutation::AssociateInstanceProfile { profile_name, .. }
            | Mutation::ReplaceInstanceProfileAssociation { profile_name, .. } => {
                Some(profile_name.as_str())
            }
            _ => None,
        };
        if let Some(why) = new_profile.and_then(|p| self.profile_refusal(p)) {
            return Some(why);
        }
        let current = self.associations.get(id)?;
        let ours = self.profiles.get(current).copied().unwrap_or(false)
            || self.adopted_profiles.contains(current);
        (!ours && !self.takeover.contains(id)).then(|| {
            format!(
                "instance {id} carries instance profile {current}, which rolesmith does not own, and no manifest takes it over (`ec2.takeover: true`)"
            )
        })
    }
}
