//! The ownership guard: the last word before any write.
//!
//! The diff already leaves unowned resources alone, but a plan can come from a file, and a file
//! can be edited. So apply checks every step against the live state it just read, whatever the
//! plan says: a step on a role, instance profile, managed policy or identity provider that exists
//! without the ownership tag, or on an instance whose association is with such a profile, is
//! refused unless a manifest adopts it (or, for an association, takes the instance over). One
//! refused step refuses the whole plan before anything is written.

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
    /// Live identity providers by lane (`oidc-provider/URL`, `saml-provider/NAME`): owned.
    providers: BTreeMap<String, bool>,
    /// Lanes of providers whose manifests say `adopt: true`.
    adopted_providers: BTreeSet<String>,
    /// Live managed policies by lower-case name: owned.
    policies: BTreeMap<String, bool>,
    /// Lower-case names of managed policies whose manifests say `adopt: true`.
    adopted_policies: BTreeSet<String>,
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
        for p in live.oidc_providers.values() {
            let lane = Subject::OidcProvider(&p.url).to_string();
            guard.providers.insert(lane, ownership.is_on(&p.tags));
        }
        for p in live.saml_providers.values() {
            let lane = Subject::SamlProvider(&p.name).to_string();
            guard.providers.insert(lane, ownership.is_on(&p.tags));
        }
        for p in desired.oidc_providers.values().filter(|p| p.adopt) {
            let lane = Subject::OidcProvider(&p.provider.url).to_string();
            guard.adopted_providers.insert(lane);
        }
        for p in desired.saml_providers.values().filter(|p| p.adopt) {
            let lane = Subject::SamlProvider(&p.provider.name).to_string();
            guard.adopted_providers.insert(lane);
        }
        for p in live.policies.values() {
            guard
                .policies
                .insert(p.name.to_ascii_lowercase(), p.is_owned_by(ownership));
        }
        guard.adopted_policies = desired
            .policies
            .values()
            .filter(|p| p.adopt)
            .map(|p| p.policy.name.to_ascii_lowercase())
            .collect();
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
            providers: BTreeMap::new(),
            adopted_providers: BTreeSet::new(),
            policies: BTreeMap::new(),
            adopted_policies: BTreeSet::new(),
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
            subject @ (Subject::OidcProvider(_) | Subject::SamlProvider(_)) => {
                self.provider_refusal(&subject.to_string())
            }
            Subject::Policy(name) => self.policy_refusal(name),
        }
    }

    fn policy_refusal(&self, name: &str) -> Option<String> {
        let lower = name.to_ascii_lowercase();
        let owned = *self.policies.get(&lower)?;
        (!owned && !self.adopted_policies.contains(&lower)).then(|| {
            format!(
                "managed policy {name} exists without the ownership tag {} and no manifest adopts it",
                self.tag()
            )
        })
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

    fn provider_refusal(&self, subject: &str) -> Option<String> {
        let owned = *self.providers.get(subject)?;
        (!owned && !self.adopted_providers.contains(subject)).then(|| {
            format!(
                "{subject} exists without the ownership tag {} and no manifest adopts it",
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

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};

    use super::*;
    use crate::policy::{NormalizeContext, Policy};
    use crate::state::{
        Association, BindingSpec, DesiredRole, InstanceProfileState, InstanceState, Origin,
        RoleState,
    };

    fn trust() -> Policy {
        Policy::from_json_str(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            &NormalizeContext::default(),
        )
        .unwrap()
    }

    fn tags(owned: bool) -> BTreeMap<String, String> {
        if owned {
            BTreeMap::from([("managed-by".into(), "rolesmith".into())])
        } else {
            BTreeMap::from([("owner".into(), "alice".into())])
        }
    }

    fn role(name: &str, owned: bool) -> RoleState {
        RoleState {
            name: name.into(),
            path: "/".into(),
            description: None,
            max_session_duration: 3600,
            trust_policy: trust(),
            permissions_boundary: None,
            managed_policies: BTreeSet::new(),
            inline_policies: BTreeMap::new(),
            tags: tags(owned),
            service_linked: None,
        }
    }

    fn profile(name: &str, owned: bool) -> InstanceProfileState {
        InstanceProfileState {
            name: name.into(),
            path: "/".into(),
            roles: BTreeSet::from([name.to_owned()]),
            tags: tags(owned),
        }
    }

    /// `ours` (owned, with an owned profile), `theirs` (hand-made role and profile), and an
    /// instance carrying `theirs`.
    fn live() -> AccountState {
        let mut a = AccountState::empty("123456789012", "aws");
        for (name, owned) in [("ours", true), ("theirs", false)] {
            a.roles.insert(name.into(), role(name, owned));
            a.instance_profiles
                .insert(name.into(), profile(name, owned));
        }
        a.instances.insert(
            "i-1".into(),
            InstanceState {
                id: "i-1".into(),
                state: "running".into(),
                tags: BTreeMap::new(),
                association: Some(Association {
                    id: "iip-assoc-1".into(),
                    profile: "theirs".into(),
                }),
            },
        );
        a
    }

    fn desired(adopt: bool, takeover: bool) -> DesiredState {
        let want = |name: &str, adopt: bool, bindings: Option<BindingSpec>| DesiredRole {
            role: role(name, true),
            adopt,
            origin: Origin {
                file: "m.yaml".into(),
                line: 1,
            },
            instance_profile: Some(profile(name, true)),
            bindings,
        };
        let binding = BindingSpec {
            instances: BTreeSet::from(["i-1".to_owned()]),
            takeover,
            ..BindingSpec::default()
        };
        DesiredState {
            roles: BTreeMap::from([
                ("ours".into(), want("ours", false, Some(binding))),
                ("theirs".into(), want("theirs", adopt, None)),
            ]),
            ..DesiredState::default()
        }
    }

    fn put(role_name: &str) -> Mutation {
        Mutation::PutRolePolicy {
            role_name: role_name.into(),
            policy_name: "p".into(),
            policy: trust(),
        }
    }

    fn replace_association() -> Mutation {
        Mutation::ReplaceInstanceProfileAssociation {
            instance_id: "i-1".into(),
            association_id: "iip-assoc-1".into(),
            profile_name: "ours".into(),
        }
    }

    #[test]
    fn steps_on_unowned_roles_profiles_and_associations_are_refused() {
        let guard = OwnershipGuard::new(&live(), &desired(false, false), &Ownership::default());
        for m in [
            put("theirs"),
            put("THEIRS"),
            Mutation::DeleteRole {
                role_name: "theirs".into(),
            },
            Mutation::DeleteInstanceProfile {
                profile_name: "theirs".into(),
            },
            Mutation::AddRoleToInstanceProfile {
                profile_name: "ours".into(),
                role_name: "theirs".into(),
            },
            Mutation::AssociateInstanceProfile {
                instance_id: "i-2".into(),
                profile_name: "theirs".into(),
            },
            replace_association(),
            Mutation::DisassociateInstanceProfile {
                instance_id: "i-1".into(),
                association_id: "iip-assoc-1".into(),
            },
        ] {
            let why = guard.refusal(&m);
            assert!(why.is_some(), "{m:?} must be refused");
        }
        let why = guard.refusal(&put("theirs")).unwrap();
        assert!(
            why.contains("role theirs") && why.contains("`managed-by=rolesmith`"),
            "{why}"
        );
    }

    #[test]
    fn owned_new_adopted_and_taken_over_resources_are_allowed() {
        let guard = OwnershipGuard::new(&live(), &desired(true, true), &Ownership::default());
        for m in [
            put("ours"),
            put("brand-new"),
            put("theirs"),
            Mutation::TagInstanceProfile {
                profile_name: "theirs".into(),
                tags: tags(true),
            },
            replace_association(),
        ] {
            assert_eq!(guard.refusal(&m), None, "{m:?}");
        }
    }

    #[test]
    fn one_refused_step_refuses_the_plan_before_any_write() {
        use std::sync::atomic::{AtomicUsize, Ordering};

        use crate::account::{AccountError, AccountWriter};
        use crate::plan::{Phase, Plan, Step};

        struct Counting(AtomicUsize);
        impl AccountWriter for Counting {
            async fn write(&self, _: &Mutation) -> Result<(), AccountError> {
                self.0.fetch_add(1, Ordering::SeqCst);
                Ok(())
            }
        }
        let plan = Plan {
            account_id: "123456789012".into(),
            changes: Vec::new(),
            conflicts: Vec::new(),
            notes: Vec::new(),
            warnings: Vec::new(),
            steps: [put("ours"), put("theirs")]
                .into_iter()
                .map(|mutation| Step {
                    phase: Phase::GrantPolicies,
                    mutation,
                })
                .collect(),
        };
        let guard = OwnershipGuard::new(&live(), &desired(false, false), &Ownership::default());
        let writer = Counting(AtomicUsize::new(0));
        let err = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(crate::apply::apply(
                &plan,
                &writer,
                &guard,
                crate::apply::ApplyOptions::default(),
                &|_, _, _| {},
            ))
            .unwrap_err();
        assert_eq!(writer.0.load(Ordering::SeqCst), 0, "nothing was written");
        assert_eq!(err.refused.len(), 1, "{err}");
        assert!(
            err.to_string()
                .contains("PutRolePolicy role theirs inline policy p"),
            "{err}"
        );
    }

    #[test]
    fn steps_on_unowned_providers_are_refused_unless_adopted() {
        use crate::state::{DesiredOidcProvider, OidcProviderState};
        let provider = |owned: bool| OidcProviderState {
            url: "auth.example.com".into(),
            client_ids: BTreeSet::new(),
            thumbprints: BTreeSet::new(),
            tags: tags(owned),
        };
        let mut live = live();
        live.oidc_providers
            .insert("auth.example.com".into(), provider(false));
        let delete = Mutation::DeleteOpenIdConnectProvider {
            url: "auth.example.com".into(),
        };
        let guard = OwnershipGuard::new(&live, &desired(false, false), &Ownership::default());
        let why = guard.refusal(&delete).expect("refused");
        assert!(why.contains("OIDC provider auth.example.com"), "{why}");

        let mut adopting = desired(false, false);
        adopting.oidc_providers.insert(
            "auth.example.com".into(),
            DesiredOidcProvider {
                provider: provider(true),
                thumbprints_declared: false,
                adopt: true,
                origin: Origin {
                    file: "p.yaml".into(),
                    line: 1,
                },
            },
        );
        let guard = OwnershipGuard::new(&live, &adopting, &Ownership::default());
        assert_eq!(guard.refusal(&delete), None);
        // A provider that does not exist yet is nobody else's.
        let create = Mutation::DeleteSamlProvider { name: "new".into() };
        assert_eq!(guard.refusal(&create), None);
    }
}
