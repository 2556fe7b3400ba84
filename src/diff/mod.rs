//! `diff(&Desired, &Live) -> Diff`: a pure comparison of two values of the normalized model.
//!
//! It decides *what* differs and which resources rolesmith may not touch (conflicts); the order
//! of operations is `plan`'s business. Ownership rules: a role or profile without the ownership
//! tag is never changed unless its manifest says `adopt: true`; owned roles absent from the
//! manifests are deleted only with `prune`.

use std::collections::{BTreeMap, BTreeSet};

pub mod change;

use crate::state::{
    AccountState, DesiredRole, DesiredState, InstanceProfileState, InstanceState, Ownership,
    RoleState,
};
pub use change::{Action, Address, AttributeChange, BindingState, Change, Conflict, Resource};

/// Options that change what the diff may propose.
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
    if opts.prune {
        for role in orphans {
            delete_role(role, live, opts, &mut out, &kept_profiles);
        }
    } else if !orphans.is_empty() {
        let names: Vec<&str> = orphans.iter().map(|r| r.name.as_str()).collect();
        out.notes.push(format!(
            "{} owned role(s) have no manifest and are left alone (use --prune to delete): {}",
            names.len(),
            names.join(", ")
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
            names.join(", ")
        ));
    }
    out.changes.sort_by(|a, b| a.address.cmp(&b.address));
    out
}

fn diff_role(
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

fn diff_profile_and_bindings(
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
                message: "instance profile exists but is not managed by rolesmith".into(),
                help: "add `adopt: true` to the role's manifest to take it over, or name another profile".into(),
            });
        }
        Some(p) if p.roles.iter().any(|r| r != role) && !ownership_ok(&p.tags, opts) => {
            profile_ready = false;
            out.conflicts.push(Conflict {
                address,
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

fn diff_bindings(
    profile: &str,
    spec: &crate::state::BindingSpec,
    live: &AccountState,
    out: &mut Diff,
) {
    let mut targets = BTreeSet::new();
    for id in &spec.instances {
        match live.instances.get(id) {
            None => out.conflicts.push(Conflict {
                address: Address::Binding(id.clone()),
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
        for i in live.instances.values().filter(|i| i.is_bindable()) {
            if spec.selector.iter().all(|(k, v)| i.tags.get(k) == Some(v)) {
                targets.insert(i.id.clone());
            }
        }
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
    for instance in live.instances.values() {
        if let Some(a) = &instance.association
            && a.profile == profile
            && !targets.contains(&instance.id)
        {
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

fn ownership_ok(tags: &BTreeMap<String, String>, opts: &DiffOptions) -> bool {
    opts.ownership.is_on(tags)
}

fn join(set: &BTreeSet<String>) -> String {
    set.iter().cloned().collect::<Vec<_>>().join(", ")
}

fn delete_profile(p: &InstanceProfileState, live: &AccountState, out: &mut Diff) {
    for instance in live.instances.values() {
        if let Some(a) = &instance.association
            && a.profile == p.name
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

fn delete_role(
    role: &RoleState,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
    kept: &BTreeSet<String>,
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
        reason: Some("owned by rolesmith and declared by no manifest (--prune)".into()),
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{NormalizeContext, Policy};
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
