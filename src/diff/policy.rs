//! Customer managed policies: create, update (a new default version, tags), replace (a path or
//! description change, which IAM cannot make in place), adopt, delete; and conflicts when a
//! policy is not rolesmith's to change or is attached to something rolesmith does not manage.
//!
//! The live default version's document is what counts: a default switched by hand to another
//! version is drift like any document edit, repaired by a new version (rolesmith never sets an
//! old version as default itself: the manifest is the truth, and a new version says so in the
//! policy's history).

use std::collections::BTreeSet;

use super::{Action, Address, AttributeChange, Change, Conflict, Diff, DiffOptions, Resource};
use crate::codes;
use crate::state::{AccountState, DesiredPolicy, DesiredState, ManagedPolicyState, RoleState};

/// The name of the temporary policy that bridges a replacement: it holds the new document
/// while the old policy is deleted and created again under its own name (IAM policy names are
/// unique in an account whatever the path, so the two cannot exist side by side).
pub fn bridge_name(name: &str) -> String {
    let full = format!("{name}.rolesmith-swap");
    // IAM names are at most 128 characters: keep the suffix, shorten the name.
    if full.chars().count() <= 128 {
        full
    } else {
        let keep: String = name.chars().take(128 - ".rolesmith-swap".len()).collect();
        format!("{keep}.rolesmith-swap")
    }
}

/// Compares every declared policy with the account, and handles owned policies no manifest
/// declares (deleted with `prune`, otherwise noted).
pub(super) fn diff_policies(
    desired: &DesiredState,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
) {
    for want in desired.policies.values() {
        diff_policy(want, desired, live, opts, out);
    }
    let declared: BTreeSet<String> = desired
        .policies
        .keys()
        .flat_map(|n| [n.to_ascii_lowercase(), bridge_name(n).to_ascii_lowercase()])
        .collect();
    let orphans: Vec<&ManagedPolicyState> = live
        .policies
        .values()
        .filter(|p| p.is_owned_by(&opts.ownership))
        .filter(|p| !declared.contains(&p.name.to_ascii_lowercase()))
        .collect();
    if opts.prune {
        for policy in orphans {
            delete_policy(policy, desired, live, opts, out);
        }
    } else if !orphans.is_empty() {
        out.notes.push(format!(
            "{} owned managed policy(ies) have no manifest and are left alone (use --prune to delete): {}",
            orphans.len(),
            super::shortlist(orphans.iter().map(|p| p.name.as_str()))
        ));
    }
    // A bridge left by an interrupted replacement: removed, prune or not (it is rolesmith's own
    // scaffolding; declared roles get the real policy back from their own diff first), unless
    // the replacement runs again in this plan, which removes it at its end.
    for want in desired.policies.values() {
        let bridge = bridge_name(&want.policy.name);
        if let Some(b) = live
            .find_policy(&bridge)
            .filter(|b| b.is_owned_by(&opts.ownership))
            && !out.changes.iter().any(|c| {
                c.address == Address::Policy(want.policy.name.clone())
                    && c.action == Action::Replace
            })
        {
            delete_policy(b, desired, live, opts, out);
        }
    }
}

fn diff_policy(
    want: &DesiredPolicy,
    desired: &DesiredState,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
) {
    let name = &want.policy.name;
    let address = Address::Policy(name.clone());
    let Some(have) = live.find_policy(name) else {
        out.changes.push(Change {
            address,
            action: Action::Create,
            before: None,
            after: Some(Resource::Policy(Box::new(want.policy.clone()))),
            attributes: Vec::new(),
            reason: None,
        });
        return;
    };
    if have.name != *name {
        out.conflicts.push(Conflict {
            address,
            code: codes::POLICY_NAME_CASE_CLASH,
            message: format!(
                "the account has this policy as `{}`; IAM policy names cannot differ only in case",
                have.name
            ),
            help: format!("rename the manifest's policy to `{}`", have.name),
        });
        return;
    }
    let owned = have.is_owned_by(&opts.ownership);
    if !owned && !want.adopt {
        out.conflicts.push(Conflict {
            address,
            code: codes::UNOWNED_POLICY,
            message: format!(
                "managed policy exists but is not managed by rolesmith (no `{}={}` tag); it is left untouched",
                opts.ownership.key, opts.ownership.value
            ),
            help: "to take it over, add `adopt: true` to its manifest; otherwise rename the manifest's policy".into(),
        });
        return;
    }
    let attributes = policy_attributes(have, &want.policy);
    if attributes.is_empty() {
        return;
    }
    let replaced = attributes.iter().any(|a| {
        matches!(
            a,
            AttributeChange::Path { .. } | AttributeChange::Description { .. }
        )
    });
    if replaced {
        let blockers = blockers(have, desired, live, opts);
        if !blockers.is_empty() {
            out.conflicts.push(in_use(address, &blockers, "replace"));
            return;
        }
    }
    let reason = if replaced {
        Some("IAM cannot change a managed policy's path or description; a temporary copy keeps every attachment's permissions while it is deleted and created again".into())
    } else if !owned {
        Some("adopted: the ownership tag is added".into())
    } else if have
        .versions
        .iter()
        .any(|v| v.document == want.policy.document)
    {
        Some("the default version was changed outside rolesmith; a new version restores the manifest's document".into())
    } else {
        None
    };
    out.changes.push(Change {
        address,
        action: if replaced {
            Action::Replace
        } else {
            Action::Update
        },
        before: Some(Resource::Policy(Box::new(have.clone()))),
        after: Some(Resource::Policy(Box::new(want.policy.clone()))),
        attributes,
        reason,
    });
}

/// Attribute-level differences between two states of the same policy (a path or description
/// change forces replacement; the document is the live default version's).
pub fn policy_attributes(
    have: &ManagedPolicyState,
    want: &ManagedPolicyState,
) -> Vec<AttributeChange> {
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
    if have.document != want.document {
        attrs.push(AttributeChange::PolicyDocument {
            before: have.document.clone(),
            after: want.document.clone(),
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

/// What uses `policy` that rolesmith may not detach it from: roles it does not manage (not
/// owned, not adopted by a manifest) and everything outside the roles read (users, groups).
fn blockers(
    policy: &ManagedPolicyState,
    desired: &DesiredState,
    live: &AccountState,
    opts: &DiffOptions,
) -> Vec<String> {
    let arn = policy.arn(&live.partition, &live.account_id);
    let managed = |r: &RoleState| {
        r.service_linked.is_none()
            && (r.is_owned_by(&opts.ownership)
                || desired
                    .roles
                    .get(&r.name)
                    .is_some_and(|d| d.adopt && d.role.service_linked.is_none()))
    };
    let mut out: Vec<String> = live
        .roles_using_policy(&arn)
        .filter_map(|n| live.roles.get(n))
        .filter(|r| !managed(r))
        .map(|r| format!("role {}", r.name))
        .collect();
    out.extend(policy.attached_elsewhere.iter().cloned());
    out
}

fn in_use(address: Address, blockers: &[String], what: &str) -> Conflict {
    Conflict {
        address,
        code: codes::POLICY_IN_USE,
        message: format!(
            "cannot {what} the policy: it is attached to {} that rolesmith does not manage",
            super::shortlist(blockers.iter().map(String::as_str))
        ),
        help: "detach it from them by hand (or declare those roles), or keep the policy declared"
            .into(),
    }
}

fn delete_policy(
    policy: &ManagedPolicyState,
    desired: &DesiredState,
    live: &AccountState,
    opts: &DiffOptions,
    out: &mut Diff,
) {
    let address = Address::Policy(policy.name.clone());
    let blockers = blockers(policy, desired, live, opts);
    if !blockers.is_empty() {
        out.conflicts.push(in_use(address, &blockers, "delete"));
        return;
    }
    out.changes.push(Change {
        address,
        action: Action::Delete,
        before: Some(Resource::Policy(Box::new(policy.clone()))),
        after: None,
        attributes: Vec::new(),
        reason: Some(if policy.name.ends_with(".rolesmith-swap") {
            "the temporary copy of an interrupted replacement".into()
        } else {
            "owned by rolesmith and declared by no manifest (--prune)".into()
        }),
    });
}
