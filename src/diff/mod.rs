//! `diff(&Desired, &Live) -> Diff`: a pure comparison of two values of the normalized model.
//!
//! It decides *what* differs and which resources rolesmith may not touch (conflicts); the order
//! of operations is `plan`'s business. Ownership rules: a role or profile without the ownership
//! tag is never changed unless its manifest says `adopt: true`; owned roles absent from the
//! manifests are deleted only with `prune`.
//!
//! One file per resource kind (`role`, `profile`, `binding`, `provider`), each with its comparison of two
//! states (`*_attributes`, also used to explain a stale saved plan) and the changes and conflicts
//! it yields; this file walks the desired roles and the orphans.

use std::collections::{BTreeMap, BTreeSet};

mod binding;
pub mod change;
mod policy;
mod profile;
mod provider;
mod role;
mod target;

use crate::state::{AccountState, DesiredState, InstanceProfileState, Ownership, RoleState};
pub use binding::instance_attributes;
pub use change::{Action, Address, AttributeChange, BindingState, Change, Conflict, Resource};
pub use policy::{bridge_name, policy_attributes};
pub use profile::profile_attributes;
pub use provider::{oidc_provider_attributes, saml_provider_attributes};
pub use role::role_attributes;
pub use target::{select as select_targets, unknown_targets};

use profile::delete_profile;
use role::{delete_role, diff_role};

/// Options that change what the diff may propose.
///
/// Managed policies follow the roles' rules (`policy`): owned or adopted ones are changed,
/// owned undeclared ones deleted only with `prune`.
#[derive(Debug, Clone, Default)]
pub struct DiffOptions {
    /// The ownership tag.
    pub ownership: Ownership,
    /// Delete owned roles that no manifest declares.
    pub prune: bool,
}

/// The differences, plus what rolesmith refuses to touch and notes for the reader.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diff {
    /// Changes, in address order.
    pub changes: Vec<Change>,
    /// Resources in the way.
    pub conflicts: Vec<Conflict>,
    /// Informational notes (e.g. owned roles left alone without `--prune`).
    pub notes: Vec<String>,
    /// What is probably not what the manifests meant, though nothing is in the way (e.g. a tag
    /// selector that matches no instance: the wrong region, or a typo in a tag).
    pub warnings: Vec<String>,
}

/// Compares desired with live state.
pub fn diff(desired: &DesiredState, live: &AccountState, opts: &DiffOptions) -> Diff {
    let mut out = Diff::default();
    // Every declared profile, known before any role is compared: a declared profile is never
    // deleted, even when it holds another role by hand (the declaring role's update puts the
    // declared role back instead).
    let kept_profiles: BTreeSet<String> = desired
        .roles
        .values()
        .filter_map(|r| r.instance_profile.as_ref().map(|p| p.name.clone()))
        .collect();
    for want in desired.roles.values() {
        if provider::trusts_unknown_provider(want, desired, live, &mut out) {
            continue;
        }
        diff_role(want, live, opts, &mut out, &kept_profiles);
    }
    // Owned roles that no manifest declares.
    let declared: BTreeSet<String> = desired
        .roles
        .keys()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let orphans: Vec<&RoleState> = live
        .roles
        .values()
        .filter(|r| r.service_linked.is_none() && r.is_owned_by(&opts.ownership))
        .filter(|r| !declared.contains(&r.name.to_ascii_lowercase()))
        .collect();
    let unmanaged = live
        .roles
        .values()
        .filter(|r| r.service_linked.is_none() && !r.is_owned_by(&opts.ownership))
        .filter(|r| !declared.contains(&r.name.to_ascii_lowercase()))
        .count();
    if unmanaged > 0 {
        out.notes.push(format!(
            "{unmanaged} role(s) in the account are not managed by rolesmith (no `{}={}` tag, no manifest) and are left untouched",
            opts.ownership.key, opts.ownership.value
        ));
    }
    // A role whose `expiresAt` has passed is deleted like a pruned one: its manifest asked for
    // the end, so no --prune is needed.
    let expired: BTreeSet<String> = desired
        .expired_roles
        .iter()
        .map(|n| n.to_ascii_lowercase())
        .collect();
    let (orphans, ended): (Vec<&RoleState>, Vec<&RoleState>) = orphans
        .into_iter()
        .partition(|r| !expired.contains(&r.name.to_ascii_lowercase()));
    for role in ended {
        let reason = "owned by rolesmith, and its manifest's expiresAt has passed";
        delete_role(role, live, opts, &mut out, &kept_profiles, reason);
    }
    if opts.prune {
        for role in orphans {
            let reason = "owned by rolesmith and declared by no manifest (--prune)";
            delete_role(role, live, opts, &mut out, &kept_profiles, reason);
        }
    } else if !orphans.is_empty() {
        let names: Vec<&str> = orphans.iter().map(|r| r.name.as_str()).collect();
        out.notes.push(format!(
            "{} owned role(s) have no manifest and are left alone (use --prune to delete): {}",
            names.len(),
            shortlist(names.iter().copied())
        ));
    }
    // Owned profiles holding no role that no manifest declares: left behind by an apply
    // interrupted between emptying a profile and deleting it.
    let empty: Vec<&InstanceProfileState> = live
        .instance_profiles
        .values()
        .filter(|p| {
            p.roles.is_empty() && ownership_ok(&p.tags, opts) && !kept_profiles.contains(&p.name)
        })
        .collect();
    if opts.prune {
        for p in empty {
            delete_profile(p, live, &mut out);
        }
    } else if !empty.is_empty() {
        let names: Vec<&str> = empty.iter().map(|p| p.name.as_str()).collect();
        out.notes.push(format!(
            "{} owned instance profile(s) hold no role and have no manifest; left alone (use --prune to delete): {}",
            names.len(),
            shortlist(names.iter().copied())
        ));
    }
    provider::diff_providers(desired, live, opts, &mut out);
    policy::diff_policies(desired, live, opts, &mut out);
    out.changes.sort_by(|a, b| a.address.cmp(&b.address));
    out
}

pub(crate) fn ownership_ok(tags: &BTreeMap<String, String>, opts: &DiffOptions) -> bool {
    opts.ownership.is_on(tags)
}

pub(crate) fn join(set: &BTreeSet<String>) -> String {
    shortlist(set.iter().map(String::as_str))
}

/// Names for a note: the first ten, then how many more, so a note about 2,000 roles stays one
/// readable line.
pub fn shortlist<'a>(names: impl IntoIterator<Item = &'a str>) -> String {
    const SHOWN: usize = 10;
    let names: Vec<&str> = names.into_iter().collect();
    let mut out = names
        .iter()
        .take(SHOWN)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    if names.len() > SHOWN {
        out.push_str(&format!(", … and {} more", names.len() - SHOWN));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{NormalizeContext, Policy};
    use crate::state::DesiredRole;
    use crate::state::Origin;

    fn trust() -> Policy {
        Policy::from_json_str(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            &NormalizeContext::default(),
        )
        .unwrap()
    }

    fn role(name: &str, tags: &[(&str, &str)]) -> RoleState {
        RoleState {
            name: name.into(),
            path: "/".into(),
            description: None,
            max_session_duration: 3600,
            trust_policy: trust(),
            permissions_boundary: None,
            managed_policies: BTreeSet::new(),
            inline_policies: BTreeMap::new(),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            service_linked: None,
        }
    }

    fn profile(name: &str, role: &str, tags: &[(&str, &str)]) -> InstanceProfileState {
        InstanceProfileState {
            name: name.into(),
            path: "/".into(),
            roles: BTreeSet::from([role.to_owned()]),
            tags: tags
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
        }
    }

    fn desired(role: RoleState, adopt: bool, with_profile: bool) -> DesiredState {
        let name = role.name.clone();
        DesiredState {
            roles: BTreeMap::from([(
                name.clone(),
                DesiredRole {
                    role,
                    adopt,
                    origin: Origin {
                        file: "roles.yaml".into(),
                        line: 1,
                    },
                    instance_profile: with_profile
                        .then(|| profile(&name, &name, &[("managed-by", "rolesmith")])),
                    bindings: None,
                },
            )]),
            ..DesiredState::default()
        }
    }

    const OWNED: (&str, &str) = ("managed-by", "rolesmith");

    #[test]
    fn adopting_a_profile_puts_the_ownership_tag_in_after() {
        let mut live = AccountState::empty("123456789012", "aws");
        live.roles.insert("web".into(), role("web", &[]));
        live.instance_profiles
            .insert("web".into(), profile("web", "web", &[]));
        let d = diff(
            &desired(role("web", &[OWNED]), true, true),
            &live,
            &DiffOptions::default(),
        );
        let change = d
            .changes
            .iter()
            .find(|c| c.address == Address::InstanceProfile("web".into()))
            .expect("the profile is updated");
        let Some(Resource::InstanceProfile(after)) = &change.after else {
            panic!("{change:#?}")
        };
        assert!(Ownership::default().is_on(&after.tags), "{after:#?}");
    }

    #[test]
    fn unowned_role_without_adopt_is_a_conflict_and_nothing_else() {
        let mut live = AccountState::empty("123456789012", "aws");
        live.roles
            .insert("web".into(), role("web", &[("owner", "alice")]));
        let d = diff(
            &desired(role("web", &[OWNED]), false, false),
            &live,
            &DiffOptions::default(),
        );
        assert!(d.changes.is_empty(), "{:#?}", d.changes);
        assert_eq!(d.conflicts.len(), 1);
        assert_eq!(d.conflicts[0].address, Address::Role("web".into()));
    }

    #[test]
    fn owned_empty_profile_without_manifest_is_deleted_with_prune_else_noted() {
        // An apply killed between RemoveRoleFromInstanceProfile and DeleteInstanceProfile.
        let mut live = AccountState::empty("123456789012", "aws");
        live.roles.insert("web".into(), role("web", &[OWNED]));
        for (name, tags) in [
            ("left", &[OWNED][..]),
            ("theirs", &[][..]),
            ("web", &[OWNED][..]),
        ] {
            let mut p = profile(name, "web", tags);
            p.roles.clear();
            live.instance_profiles.insert(name.into(), p);
        }
        let want = desired(role("web", &[OWNED]), false, true);
        let pruned = diff(
            &want,
            &live,
            &DiffOptions {
                prune: true,
                ..DiffOptions::default()
            },
        );
        let deleted: Vec<&Address> = pruned
            .changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .map(|c| &c.address)
            .collect();
        // Not the unowned one, not the declared one (which gets its role back instead).
        assert_eq!(deleted, [&Address::InstanceProfile("left".into())]);
        assert!(
            pruned
                .changes
                .iter()
                .any(|c| c.address == Address::InstanceProfile("web".into())
                    && c.action == Action::Update),
            "{:#?}",
            pruned.changes
        );

        let kept = diff(&want, &live, &DiffOptions::default());
        assert!(kept.changes.iter().all(|c| c.action != Action::Delete));
        assert!(
            kept.notes
                .iter()
                .any(|n| n.contains("left") && !n.contains("theirs")),
            "{:?}",
            kept.notes
        );
    }

    #[test]
    fn adopted_role_update_carries_a_reason() {
        let mut live = AccountState::empty("123456789012", "aws");
        live.roles.insert("web".into(), role("web", &[]));
        let d = diff(
            &desired(role("web", &[OWNED]), true, false),
            &live,
            &DiffOptions::default(),
        );
        assert_eq!(d.changes.len(), 1);
        assert!(d.changes[0].reason.as_deref().unwrap().contains("adopted"));
    }

    #[test]
    fn orphans_are_noted_without_prune_and_deleted_with_it() {
        let mut live = AccountState::empty("123456789012", "aws");
        live.roles.insert("web".into(), role("web", &[OWNED]));
        live.roles.insert("old".into(), role("old", &[OWNED]));
        live.roles
            .insert("hand-made".into(), role("hand-made", &[]));
        live.instance_profiles
            .insert("old".into(), profile("old", "old", &[OWNED]));
        let want = desired(role("web", &[OWNED]), false, false);

        let d = diff(&want, &live, &DiffOptions::default());
        assert!(d.changes.is_empty(), "{:#?}", d.changes);
        // One note names the owned orphan; another counts the unmanaged role without naming it.
        assert_eq!(d.notes.len(), 2, "{:#?}", d.notes);
        let orphan_note = d.notes.iter().find(|n| n.contains("--prune")).unwrap();
        assert!(orphan_note.contains("old") && !orphan_note.contains("hand-made"));
        assert!(
            d.notes
                .iter()
                .any(|n| n.starts_with("1 role(s) in the account are not managed"))
        );

        let d = diff(
            &want,
            &live,
            &DiffOptions {
                prune: true,
                ..DiffOptions::default()
            },
        );
        let deleted: Vec<String> = d.changes.iter().map(|c| c.address.to_string()).collect();
        assert_eq!(deleted, ["role.old", "instance_profile.old"]);
        assert!(d.changes.iter().all(|c| c.action == Action::Delete));
    }

    #[test]
    fn role_names_differing_only_in_case_conflict() {
        let mut live = AccountState::empty("123456789012", "aws");
        live.roles.insert("Web".into(), role("Web", &[OWNED]));
        let d = diff(
            &desired(role("web", &[OWNED]), false, false),
            &live,
            &DiffOptions::default(),
        );
        assert!(d.changes.is_empty());
        assert_eq!(d.conflicts.len(), 1);
        assert!(d.conflicts[0].help.contains("`Web`"));
    }
}
