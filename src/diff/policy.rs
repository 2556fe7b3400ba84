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
use crate::state::policy::BRIDGE_SUFFIX;
use crate::state::{AccountState, DesiredPolicy, DesiredState, ManagedPolicyState, RoleState};

/// The name of the temporary policy that bridges a replacement: it holds the new document
/// while the old policy is deleted and created again under its own name (IAM policy names are
/// unique in an account whatever the path, so the two cannot exist side by side).
pub fn bridge_name(name: &str) -> String {
    let full = format!("{name}{BRIDGE_SUFFIX}");
    // IAM names are at most 128 characters: keep the suffix, shorten the name and tell two
    // long names apart by a digest of the whole name.
    if full.len() <= 128 {
        full
    } else {
        use sha2::Digest as _;
        let digest = sha2::Sha256::digest(name.as_bytes());
        let hex: String = digest[..4].iter().map(|b| format!("{b:02x}")).collect();
        let keep: String = name.chars().take(128 - BRIDGE_SUFFIX.len() - 9).collect();
        format!("{keep}-{hex}{BRIDGE_SUFFIX}")
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
            let referenced = declared_roles_using(policy, desired, live);
            if referenced.is_empty() {
                delete_policy(policy, desired, live, opts, out);
            } else {
                out.conflicts.push(Conflict {
                    address: Address::Policy(policy.name.clone()),
                    code: codes::POLICY_STILL_REFERENCED,
                    message: format!(
                        "not deleted (--prune): no manifest declares it, but {} still use(s) it by ARN",
                        super::shortlist(referenced.iter().map(String::as_str))
                    ),
                    help: "declare the policy (kind: ManagedPolicy) and name it `policy:NAME`, or remove its ARN from those roles".into(),
                });
            }
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
    hold_roles_needing_blocked_policies(desired, live, out);
}

/// The declared roles (`role NAME`) that attach `policy` or take it as boundary by ARN.
fn declared_roles_using(
    policy: &ManagedPolicyState,
    desired: &DesiredState,
    live: &AccountState,
) -> Vec<String> {
    let arn = policy.arn(&live.partition, &live.account_id);
    desired
        .roles
        .values()
        .filter(|r| {
            r.role.managed_policies.contains(&arn)
                || r.role.permissions_boundary.as_deref() == Some(arn.as_str())
        })
        .map(|r| format!("role {}", r.role.name))
        .collect()
}

/// A declared policy whose change is a conflict keeps its live ARN: a role change that would
/// attach (or take as boundary) the policy's declared ARN, which does not exist, becomes a
/// conflict and is left out, rather than pointing the role at nothing.
fn hold_roles_needing_blocked_policies(
    desired: &DesiredState,
    live: &AccountState,
    out: &mut Diff,
) {
    let blocked: Vec<(String, &str)> = out
        .conflicts
        .iter()
        .filter_map(|c| match &c.address {
            Address::Policy(n) => desired.policies.get(n),
            _ => None,
        })
        .map(|p| {
            (
                p.policy.arn(&live.partition, &live.account_id),
                p.policy.name.as_str(),
            )
        })
        .filter(|(arn, _)| {
            !live
                .policies
                .values()
                .any(|l| l.arn(&live.partition, &live.account_id) == *arn)
        })
        .collect();
    if blocked.is_empty() {
        return;
    }
    let mut held = Vec::new();
    out.changes.retain(|c| {
        let Some(Resource::Role(after)) = &c.after else {
            return true;
        };
        let needs = blocked.iter().find(|(arn, _)| {
            after.managed_policies.contains(arn)
                || after.permissions_boundary.as_deref() == Some(arn.as_str())
        });
        match needs {
            Some((_, name)) => {
                held.push(Conflict {
                    address: c.address.clone(),
                    code: codes::NEEDS_BLOCKED_POLICY,
                    message: format!(
                        "left as it is: it needs managed policy {name}, whose change is a conflict in this plan"
                    ),
                    help: format!("resolve the conflict of policy.{name}; the role follows"),
                });
                false
            }
            None => true,
        }
    });
    out.conflicts.extend(held);
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
        let in_the_way = blockers(have, desired, live, opts);
        if !in_the_way.is_empty() {
            out.conflicts.push(in_use(address, &in_the_way, "replace"));
            return;
        }
        // A new path is a new ARN: a role naming the current one (not `policy:NAME`, which
        // resolves to the declared ARN) would be left pointing at nothing.
        let literal = if have.path == want.policy.path {
            Vec::new()
        } else {
            declared_roles_using(have, desired, live)
        };
        if !literal.is_empty() {
            out.conflicts.push(Conflict {
                address,
                code: codes::POLICY_STILL_REFERENCED,
                message: format!(
                    "cannot replace the policy: {} name(s) its current ARN literally, which the replacement ends",
                    super::shortlist(literal.iter().map(String::as_str))
                ),
                help: format!("name it `policy:{name}` in those roles (it follows the new path), or revert the path / description change"),
            });
            return;
        }
        let bridge = bridge_name(name);
        let shared = desired
            .policies
            .keys()
            .filter(|other| *other != name && bridge_name(other).eq_ignore_ascii_case(&bridge))
            .collect::<Vec<_>>();
        if let Some(other) = shared.first() {
            out.conflicts.push(Conflict {
                address,
                code: codes::POLICY_NAME_CASE_CLASH,
                message: format!(
                    "cannot replace the policy: its temporary copy `{bridge}` would have the name of policy {other}'s"
                ),
                help: "rename one of the two policies".into(),
            });
            return;
        }
        if let Some(copy) = live
            .find_policy(&bridge)
            .filter(|b| b.is_owned_by(&opts.ownership))
        {
            let in_the_way = blockers(copy, desired, live, opts);
            if !in_the_way.is_empty() {
                out.conflicts.push(in_use(address, &in_the_way, "replace"));
                return;
            }
        }
        if let Some(taken) = live
            .find_policy(&bridge)
            .filter(|b| !b.is_owned_by(&opts.ownership))
        {
            out.conflicts.push(Conflict {
                address,
                code: codes::UNOWNED_POLICY,
                message: format!(
                    "cannot replace the policy: its temporary copy's name `{}` is taken by a policy rolesmith does not own",
                    taken.name
                ),
                help: format!("delete or rename `{}` by hand, or revert the path / description change", taken.name),
            });
            return;
        }
    }
    let reason = if replaced {
        Some("IAM cannot change a managed policy's path or description; a temporary copy keeps every attachment's permissions while it is deleted and created again".into())
    } else if !owned {
        Some("adopted: the ownership tag is added".into())
    } else if have.default_version != have.newest_version_id() {
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
    let keep = if what == "replace" {
        "or revert the path / description change"
    } else {
        "or keep the policy declared"
    };
    Conflict {
        address,
        code: codes::POLICY_IN_USE,
        message: format!(
            "cannot {what} the policy: it is used (attached or as boundary) by {} that rolesmith does not manage",
            super::shortlist(blockers.iter().map(String::as_str))
        ),
        help: format!("detach it from them by hand (or declare those roles), {keep}"),
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
        reason: Some(if policy.name.ends_with(BRIDGE_SUFFIX) {
            "the temporary copy of an interrupted replacement".into()
        } else {
            "owned by rolesmith and declared by no manifest (--prune)".into()
        }),
    });
}
