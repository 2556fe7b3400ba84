//! The live fingerprint of a saved plan: what it depends on in the account.
//!
//! Each declared role, each owned role, their instance profiles, the instances read, and the set
//! of owned role names are hashed: SHA-256 over the canonical JSON of each resource's normalized
//! state (the model's maps are ordered and policies canonical, so equal states hash equally). The
//! state itself is kept beside the hash so a refusal can say *what* moved ("trust policy
//! edited"), through the diff's own comparisons. Roles that are neither declared nor owned are
//! not fingerprinted: someone editing their own hand-made role must not block an unrelated
//! apply.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::diff::change::{Address, AttributeChange};
use crate::state::{
    AccountState, DesiredState, InstanceProfileState, InstanceState, ManagedPolicyState,
    OidcProviderState, Ownership, RoleState, SamlProviderState,
};

/// Hex SHA-256 of some bytes.
pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// A resource's state when the plan was made (`None`: it did not exist), with its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint<T> {
    /// SHA-256 of the state's canonical JSON (of `null` when absent).
    pub sha256: String,
    /// The state itself.
    pub state: Option<T>,
}

impl<T: Serialize + Clone> Fingerprint<T> {
    fn of(state: Option<&T>) -> Self {
        // Plain data with string keys always serializes; a failure must not make two states
        // hash alike, so it hashes the failure's text instead of nothing.
        let json = serde_json::to_vec(&state).unwrap_or_else(|e| e.to_string().into_bytes());
        Self {
            sha256: sha256_hex(&json),
            state: state.cloned(),
        }
    }
}

/// The live state a plan depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct LiveFingerprint {
    /// Names of the roles carrying the ownership tag.
    pub owned_roles: BTreeSet<String>,
    /// Declared and owned roles, by name.
    pub roles: BTreeMap<String, Fingerprint<RoleState>>,
    /// Declared instance profiles and those holding a fingerprinted role, by name.
    pub instance_profiles: BTreeMap<String, Fingerprint<InstanceProfileState>>,
    /// Every instance read (the read is already scoped to what bindings need), by id.
    pub instances: BTreeMap<String, Fingerprint<InstanceState>>,
    /// Declared and owned OIDC providers, by URL (only when the manifests declare providers).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub oidc_providers: BTreeMap<String, Fingerprint<OidcProviderState>>,
    /// Declared and owned SAML providers, by name, without their documents (the digest stands
    /// for the metadata).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub saml_providers: BTreeMap<String, Fingerprint<SamlProviderState>>,
    /// Declared and owned managed policies, by name (absent from plans without any).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, Fingerprint<ManagedPolicyState>>,
}

fn owned_roles(live: &AccountState, ownership: &Ownership) -> BTreeSet<String> {
    live.roles
        .values()
        .filter(|r| r.is_owned_by(ownership))
        .map(|r| r.name.clone())
        .collect()
}

impl LiveFingerprint {
    /// Fingerprints what a plan of `desired` against `live` depends on.
    pub fn take(desired: &DesiredState, live: &AccountState, ownership: &Ownership) -> Self {
        let owned = owned_roles(live, ownership);
        let role_names: BTreeSet<String> = desired.roles.keys().chain(&owned).cloned().collect();
        let mut profile_names: BTreeSet<String> = desired
            .roles
            .values()
            .filter_map(|r| r.instance_profile.as_ref().map(|p| p.name.clone()))
            .collect();
        for name in &role_names {
            if let Some(role) = live.find_role(name) {
                profile_names.extend(live.profiles_of_role(&role.name).map(|p| p.name.clone()));
            }
        }
        let instance_ids: BTreeSet<String> = live.instances.keys().cloned().collect();
        let mut taken = Self::of(live, ownership, &role_names, &profile_names, &instance_ids);
        let policy_names: BTreeSet<String> = desired
            .policies
            .keys()
            .cloned()
            .chain(
                live.policies
                    .values()
                    .filter(|p| p.is_owned_by(ownership))
                    .map(|p| p.name.clone()),
            )
            .collect();
        taken.policies = policies_of(live, &policy_names);
        if desired.declares_providers() {
            let oidc: BTreeSet<String> = desired
                .oidc_providers
                .keys()
                .cloned()
                .chain(
                    live.oidc_providers
                        .values()
                        .filter(|p| ownership.is_on(&p.tags))
                        .map(|p| p.url.clone()),
                )
                .collect();
            let saml: BTreeSet<String> = desired
                .saml_providers
                .keys()
                .cloned()
                .chain(
                    live.saml_providers
                        .values()
                        .filter(|p| p.is_owned_by(ownership))
                        .map(|p| p.name.clone()),
                )
                .collect();
            taken.providers(live, &oidc, &saml);
        }
        taken
    }

    /// Fingerprints the named providers of `live` into `self`.
    fn providers(&mut self, live: &AccountState, oidc: &BTreeSet<String>, saml: &BTreeSet<String>) {
        self.oidc_providers = oidc
            .iter()
            .map(|u| (u.clone(), Fingerprint::of(live.oidc_providers.get(u))))
            .collect();
        self.saml_providers = saml
            .iter()
            .map(|n| {
                let bare = live
                    .saml_providers
                    .get(n)
                    .map(SamlProviderState::without_document);
                (n.clone(), Fingerprint::of(bare.as_ref()))
            })
            .collect();
    }

    /// Fingerprints the same resources again in `live` (instances: every one read now, so a new
    /// instance a selector would pick is seen).
    pub fn retake(&self, live: &AccountState, ownership: &Ownership) -> Self {
        let roles: BTreeSet<String> = self.roles.keys().cloned().collect();
        let profiles: BTreeSet<String> = self.instance_profiles.keys().cloned().collect();
        let instances: BTreeSet<String> = self
            .instances
            .keys()
            .chain(live.instances.keys())
            .cloned()
            .collect();
        let mut taken = Self::of(live, ownership, &roles, &profiles, &instances);
        taken.policies = policies_of(live, &self.policies.keys().cloned().collect());
        let oidc: BTreeSet<String> = self.oidc_providers.keys().cloned().collect();
        let saml: BTreeSet<String> = self.saml_providers.keys().cloned().collect();
        taken.providers(live, &oidc, &saml);
        taken
    }

    fn of(
        live: &AccountState,
        ownership: &Ownership,
        roles: &BTreeSet<String>,
        profiles: &BTreeSet<String>,
        instances: &BTreeSet<String>,
    ) -> Self {
        Self {
            owned_roles: owned_roles(live, ownership),
            roles: roles
                .iter()
                .map(|n| (n.clone(), Fingerprint::of(live.find_role(n))))
                .collect(),
            instance_profiles: profiles
                .iter()
                .map(|n| (n.clone(), Fingerprint::of(live.instance_profiles.get(n))))
                .collect(),
            instances: instances
                .iter()
                .map(|n| (n.clone(), Fingerprint::of(live.instances.get(n))))
                .collect(),
            oidc_providers: BTreeMap::new(),
            saml_providers: BTreeMap::new(),
            policies: BTreeMap::new(),
        }
    }

    /// What moved between `self` (when planned) and `now`, resource by resource. Attributes are
    /// compared by the diff's own comparisons, oriented like drift findings: `before` is the
    /// state now, `after` the one planned against.
    pub fn moved(&self, now: &LiveFingerprint) -> Vec<Moved> {
        let mut out = Vec::new();
        out.extend(moved_in(&self.roles, &now.roles, Address::Role, |a, b| {
            crate::diff::role_attributes(b, a)
        }));
        out.extend(moved_in(
            &self.instance_profiles,
            &now.instance_profiles,
            Address::InstanceProfile,
            |a, b| crate::diff::profile_attributes(b, a),
        ));
        out.extend(moved_in(
            &self.oidc_providers,
            &now.oidc_providers,
            Address::OidcProvider,
            |a, b| crate::diff::oidc_provider_attributes(b, a),
        ));
        out.extend(moved_in(
            &self.saml_providers,
            &now.saml_providers,
            Address::SamlProvider,
            |a, b| crate::diff::saml_provider_attributes(b, a),
        ));
        out.extend(moved_in(
            &self.policies,
            &now.policies,
            Address::Policy,
            |a, b| crate::diff::policy_attributes(b, a),
        ));
        let ids: BTreeSet<&String> = self.instances.keys().chain(now.instances.keys()).collect();
        for id in ids {
            let then = self.instances.get(id).and_then(|f| f.state.as_ref());
            let current = now.instances.get(id).and_then(|f| f.state.as_ref());
            if then == current {
                continue;
            }
            let how = match (then, current) {
                (None, Some(_)) => How::Appeared,
                (Some(_), None) => How::Disappeared,
                (Some(a), Some(b)) if a.association != b.association => {
                    How::Changed(crate::diff::instance_attributes(b, a))
                }
                (Some(a), Some(b)) if a.state != b.state => How::InstanceState {
                    before: a.state.clone(),
                    after: b.state.clone(),
                },
                _ => How::Changed(Vec::new()),
            };
            out.push(Moved {
                address: Address::Binding(id.clone()),
                how,
            });
        }
        let gained: Vec<String> = now
            .owned_roles
            .difference(&self.owned_roles)
            .filter(|n| !self.roles.contains_key(*n))
            .cloned()
            .collect();
        for name in gained {
            out.push(Moved {
                address: Address::Role(name),
                how: How::BecameOwned,
            });
        }
        out
    }
}

/// The named managed policies' fingerprints (`None` state: absent).
fn policies_of(
    live: &AccountState,
    names: &BTreeSet<String>,
) -> BTreeMap<String, Fingerprint<ManagedPolicyState>> {
    names
        .iter()
        .map(|n| (n.clone(), Fingerprint::of(live.find_policy(n))))
        .collect()
}

/// What moved among fingerprinted resources of one kind (only those fingerprinted then).
fn moved_in<T>(
    then: &BTreeMap<String, Fingerprint<T>>,
    now: &BTreeMap<String, Fingerprint<T>>,
    address: fn(String) -> Address,
    attributes: impl Fn(&T, &T) -> Vec<AttributeChange>,
) -> Vec<Moved> {
    let mut out = Vec::new();
    for (name, was) in then {
        let Some(is) = now.get(name) else {
            continue;
        };
        if was.sha256 == is.sha256 {
            continue;
        }
        let how = match (&was.state, &is.state) {
            (None, Some(_)) => How::Appeared,
            (Some(_), None) => How::Disappeared,
            (Some(a), Some(b)) => How::Changed(attributes(a, b)),
            (None, None) => How::Changed(Vec::new()),
        };
        out.push(Moved {
            address: address(name.clone()),
            how,
        });
    }
    out
}

/// One resource that differs from when the plan was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The resource (`Binding(id)` for an instance).
    pub address: Address,
    /// How.
    pub how: How,
}

/// How a resource moved. Attribute changes have `before` = now, `after` = when planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// It exists now and did not.
    Appeared,
    /// It existed and is gone.
    Disappeared,
    /// Attributes differ (empty when only something unlisted moved).
    Changed(Vec<AttributeChange>),
    /// An instance's lifecycle state moved.
    InstanceState {
        /// When planned.
        before: String,
        /// Now.
        after: String,
    },
    /// A role not seen as owned then carries the ownership tag now.
    BecameOwned,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{NormalizeContext, Policy};
    use crate::state::{DesiredRole, Origin};

    fn trust(service: &str) -> Policy {
        Policy::from_json_str(
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
            ),
            &NormalizeContext::default(),
        )
        .unwrap()
    }

    fn role(name: &str, owned: bool) -> RoleState {
        RoleState {
            name: name.into(),
            path: "/".into(),
            description: None,
            max_session_duration: 3600,
            trust_policy: trust("ec2.amazonaws.com"),
            permissions_boundary: None,
            managed_policies: BTreeSet::new(),
            inline_policies: BTreeMap::new(),
            tags: if owned {
                BTreeMap::from([("managed-by".into(), "rolesmith".into())])
            } else {
                BTreeMap::new()
            },
            service_linked: None,
        }
    }

    fn account(roles: &[RoleState]) -> AccountState {
        let mut a = AccountState::empty("123456789012", "aws");
        for r in roles {
            a.roles.insert(r.name.clone(), r.clone());
        }
        a
    }

    fn desired(names: &[&str]) -> DesiredState {
        DesiredState {
            roles: names
                .iter()
                .map(|n| {
                    (
                        (*n).to_owned(),
                        DesiredRole {
                            role: role(n, true),
                            adopt: false,
                            origin: Origin {
                                file: "r.yaml".into(),
                                line: 1,
                            },
                            instance_profile: None,
                            bindings: None,
                        },
                    )
                })
                .collect(),
            ..DesiredState::default()
        }
    }

    #[test]
    fn unchanged_state_has_not_moved_and_hand_made_roles_do_not_count() {
        let live = account(&[role("web", true), role("old", true), role("hand", false)]);
        let own = Ownership::default();
        let fp = LiveFingerprint::take(&desired(&["web", "new"]), &live, &own);
        assert_eq!(
            fp.roles.keys().collect::<Vec<_>>(),
            ["new", "old", "web"],
            "declared and owned roles only"
        );
        let mut edited = live.clone();
        edited.roles.get_mut("hand").unwrap().description = Some("x".into());
        assert!(fp.moved(&fp.retake(&edited, &own)).is_empty());
    }

    #[test]
    fn a_trust_edit_is_named() {
        let live = account(&[role("web", true)]);
        let own = Ownership::default();
        let fp = LiveFingerprint::take(&desired(&["web"]), &live, &own);
        let mut edited = live.clone();
        edited.roles.get_mut("web").unwrap().trust_policy = trust("lambda.amazonaws.com");
        let moved = fp.moved(&fp.retake(&edited, &own));
        assert_eq!(moved.len(), 1, "{moved:#?}");
        let How::Changed(attrs) = &moved[0].how else {
            panic!("{moved:#?}")
        };
        assert!(matches!(attrs[..], [AttributeChange::TrustPolicy { .. }]));
    }

    #[test]
    fn appearing_declared_role_and_newly_owned_role_are_moves() {
        let live = account(&[role("hand", false)]);
        let own = Ownership::default();
        let fp = LiveFingerprint::take(&desired(&["web"]), &live, &own);
        let now = account(&[role("hand", true), role("web", true)]);
        let moved = fp.moved(&fp.retake(&now, &own));
        let hows: Vec<_> = moved
            .iter()
            .map(|m| (m.address.to_string(), m.how.clone()))
            .collect();
        assert_eq!(
            hows,
            [
                ("role.web".to_owned(), How::Appeared),
                ("role.hand".to_owned(), How::BecameOwned)
            ]
        );
    }
}
