//! `--target ADDRESS`: a partial diff holding only the changes of the named resources and of
//! what they need.
//!
//! A role manifest is rolesmith's unit of review, so `role.NAME` selects the role with its
//! instance profile and that profile's EC2 bindings. `instance_profile.NAME` and
//! `binding.INSTANCE` select just that resource, plus the changes it depends on (a binding needs
//! its profile, a profile its role, a role the managed policies it attaches or takes as
//! boundary and the identity providers it trusts), so a partial plan still applies in a valid
//! order. `policy.NAME`, `oidc_provider.URL` and `saml_provider.NAME` select a managed policy or
//! an identity provider. As with
//! Terraform's `-target`, what is left out is counted in a warning: a partial plan is for
//! recovering from a mistake, not for routine use.

use std::collections::BTreeSet;
use std::str::FromStr;

use super::{Address, Change, Diff, Resource};
use crate::state::{AccountState, DesiredState};

impl FromStr for Address {
    type Err = String;

    /// Parses `role.NAME`, `instance_profile.NAME`, `binding.INSTANCE_ID`, `policy.NAME`,
    /// `oidc_provider.URL` or `saml_provider.NAME` (as plans print them).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (kind, name) = s.split_once('.').unwrap_or((s, ""));
        if name.is_empty() {
            return Err(format!(
                "`{s}` is not a resource address: write `role.NAME`, `instance_profile.NAME`, `binding.INSTANCE_ID`, `policy.NAME`, `oidc_provider.URL` or `saml_provider.NAME`"
            ));
        }
        match kind {
            "role" => Ok(Address::Role(name.to_owned())),
            "instance_profile" => Ok(Address::InstanceProfile(name.to_owned())),
            "binding" => Ok(Address::Binding(name.to_owned())),
            "oidc_provider" => Ok(Address::OidcProvider(name.to_owned())),
            "saml_provider" => Ok(Address::SamlProvider(name.to_owned())),
            "policy" => Ok(Address::Policy(name.to_owned())),
            _ => Err(format!(
                "`{kind}` is not a resource kind: use `role.`, `instance_profile.`, `binding.`, `policy.`, `oidc_provider.` or `saml_provider.` (e.g. `role.web`)"
            )),
        }
    }
}

/// The targets that name nothing: no manifest declares them and the account does not have them
/// (most likely a typo, which would otherwise plan as "No changes").
pub fn unknown_targets<'a>(
    targets: &'a [Address],
    desired: &DesiredState,
    live: &AccountState,
) -> Vec<&'a Address> {
    let declared_profile = |name: &str| {
        desired
            .roles
            .values()
            .any(|r| r.instance_profile.as_ref().is_some_and(|p| p.name == name))
    };
    targets
        .iter()
        .filter(|t| match t {
            Address::Role(name) => {
                !desired.roles.contains_key(name) && !live.roles.contains_key(name)
            }
            Address::InstanceProfile(name) => {
                !declared_profile(name) && !live.instance_profiles.contains_key(name)
            }
            Address::Binding(id) => !live.instances.contains_key(id),
            Address::OidcProvider(url) => {
                !desired.oidc_providers.contains_key(url) && !live.oidc_providers.contains_key(url)
            }
            Address::SamlProvider(name) => {
                !desired.saml_providers.contains_key(name)
                    && !live.saml_providers.contains_key(name)
            }
            Address::Policy(name) => {
                !desired.policies.contains_key(name) && !live.policies.contains_key(name)
            }
        })
        .collect()
}

/// The part of `diff` that the targets select (see the module docs); conflicts in the way of a
/// selected resource stay, the others go. A warning says the plan is partial and what it left
/// out. With no targets, the diff is returned as it is.
pub fn select(mut diff: Diff, targets: &[Address]) -> Diff {
    if targets.is_empty() {
        return diff;
    }
    let selected = closure(&diff.changes, targets);
    let before = (diff.changes.len(), diff.conflicts.len());
    diff.changes.retain(|c| selected.contains(&c.address));
    diff.conflicts.retain(|c| selected.contains(&c.address));
    let left_out = (
        before.0 - diff.changes.len(),
        before.1 - diff.conflicts.len(),
    );
    let shown: Vec<String> = targets.iter().map(ToString::to_string).collect();
    diff.warnings.insert(
        0,
        format!(
            "partial plan (--target {}): {} other change(s) and {} conflict(s) are left out; plan without --target to see everything",
            shown.join(", --target "),
            left_out.0,
            left_out.1
        ),
    );
    diff
}

/// The addresses the targets select: each target, a role's profile and bindings, and then what
/// each selected change depends on, until nothing is added.
fn closure(changes: &[Change], targets: &[Address]) -> BTreeSet<Address> {
    let mut selected: BTreeSet<Address> = targets.iter().cloned().collect();
    for target in targets {
        if let Address::Role(role) = target {
            let profiles: BTreeSet<&str> = changes
                .iter()
                .filter_map(|c| profile_of_role(c, role))
                .collect();
            selected.extend(
                profiles
                    .iter()
                    .map(|p| Address::InstanceProfile((*p).to_owned())),
            );
            for c in changes {
                if profiles.iter().any(|p| binds_profile(c, p)) {
                    selected.insert(c.address.clone());
                }
            }
        }
    }
    loop {
        let needed: Vec<Address> = changes
            .iter()
            .filter(|c| selected.contains(&c.address))
            .flat_map(|c| {
                dependency(c, changes)
                    .into_iter()
                    .chain(policies_of(c, changes))
                    .chain(providers_of(c, changes))
            })
            .filter(|a| !selected.contains(a))
            .collect();
        if needed.is_empty() {
            return selected;
        }
        selected.extend(needed);
    }
}

/// The profile name of `change` when it is a profile change holding `role` (before or after).
fn profile_of_role<'c>(change: &'c Change, role: &str) -> Option<&'c str> {
    [&change.before, &change.after]
        .into_iter()
        .find_map(|r| match r {
            Some(Resource::InstanceProfile(p)) if p.roles.contains(role) => Some(p.name.as_str()),
            _ => None,
        })
}

/// Whether `change` is a binding to `profile` (before or after).
fn binds_profile(change: &Change, profile: &str) -> bool {
    [&change.before, &change.after]
        .into_iter()
        .any(|r| matches!(r, Some(Resource::Binding(b)) if b.profile == profile))
}

/// The change that `change` cannot be applied without: a new binding's profile, a profile's
/// role, when that resource changes too.
fn dependency(change: &Change, changes: &[Change]) -> Option<Address> {
    let wanted = match &change.after {
        Some(Resource::Binding(b)) => Address::InstanceProfile(b.profile.clone()),
        Some(Resource::InstanceProfile(p)) => Address::Role(p.roles.iter().next()?.clone()),
        _ => return None,
    };
    changes
        .iter()
        .any(|c| c.address == wanted)
        .then_some(wanted)
}

/// The managed policy changes a role change needs: the policies its after state attaches or
/// takes as boundary (matched by the ARN's `policy<path><name>` ending).
fn policies_of(change: &Change, changes: &[Change]) -> Vec<Address> {
    let Some(Resource::Role(role)) = &change.after else {
        return Vec::new();
    };
    let used: Vec<&String> = role
        .managed_policies
        .iter()
        .chain(role.permissions_boundary.iter())
        .collect();
    changes
        .iter()
        .filter_map(|c| match &c.after {
            Some(Resource::Policy(p)) => {
                let tail = format!(":policy{}{}", p.path, p.name);
                used.iter()
                    .any(|arn| arn.ends_with(&tail))
                    .then(|| c.address.clone())
            }
            _ => None,
        })
        .collect()
}

/// The identity provider changes a role change needs: the OIDC and SAML providers its after
/// state's trust policy names as `Federated` principals (matched by the ARN's ending).
fn providers_of(change: &Change, changes: &[Change]) -> Vec<Address> {
    let Some(Resource::Role(role)) = &change.after else {
        return Vec::new();
    };
    let federated: Vec<&str> =
        crate::state::provider::federated_principals(&role.trust_policy).collect();
    changes
        .iter()
        .filter(|c| {
            let tail = match &c.address {
                Address::OidcProvider(url) => format!(":oidc-provider/{url}"),
                Address::SamlProvider(name) => format!(":saml-provider/{name}"),
                _ => return false,
            };
            federated.iter().any(|arn| arn.ends_with(&tail))
        })
        .map(|c| c.address.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_parse_as_plans_print_them() {
        for text in [
            "role.web",
            "instance_profile.web",
            "binding.i-0123456789abcdef0",
            "policy.reports-read",
            "oidc_provider.token.actions.githubusercontent.com",
            "saml_provider.corporate-idp",
        ] {
            assert_eq!(text.parse::<Address>().unwrap().to_string(), text);
        }
        for bad in ["web", "role.", "roles.web", "aws_iam_role.web"] {
            assert!(bad.parse::<Address>().is_err(), "{bad}");
        }
    }
}
