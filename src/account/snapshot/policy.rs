//! Managed policy mutations on a snapshot, with IAM's rules: names unique case-insensitively
//! whatever the path, five versions at most, the default version never deleted, and a policy
//! deleted only when nothing uses it and only its default version is left.

use crate::account::{AccountError, Mutation};
use crate::state::policy::{MAX_POLICY_VERSIONS, version_number};
use crate::state::{AccountState, ManagedPolicyState, PolicyVersion};

/// Applies a policy mutation; `None` when `mutation` is not one.
pub(super) fn apply(
    state: &mut AccountState,
    mutation: &Mutation,
) -> Option<Result<(), AccountError>> {
    Some(match mutation {
        Mutation::CreatePolicy { policy } => create(state, policy),
        Mutation::CreatePolicyVersion {
            policy_name,
            policy_arn,
            document,
        } => policy_mut(state, policy_name, policy_arn).and_then(|p| {
            // A re-run of the same step: the default already holds the document (the AWS
            // adapter treats IAM's version limit the same way after a lost answer).
            if &p.document == document {
                return Ok(());
            }
            if p.versions.len() >= MAX_POLICY_VERSIONS {
                return Err(AccountError::LimitExceeded {
                    entity: format!("policy {policy_name}"),
                    message: format!(
                        "a managed policy can have up to {MAX_POLICY_VERSIONS} versions"
                    ),
                });
            }
            let next = p
                .versions
                .iter()
                .map(|v| version_number(&v.id))
                .max()
                .unwrap_or(0)
                + 1;
            let id = format!("v{next}");
            p.versions.push(PolicyVersion {
                id: id.clone(),
                document: document.clone(),
            });
            p.default_version = id;
            p.document = document.clone();
            Ok(())
        }),
        Mutation::DeletePolicyVersion {
            policy_name,
            policy_arn,
            version_id,
        } => match policy_mut(state, policy_name, policy_arn) {
            // Plans never delete the default; a step that finds its version is the default now
            // is from a plan whose policy was since created again (a replayed replacement), and
            // the version it meant is gone: nothing to do, as for a missing version. The AWS
            // adapter reads IAM's refusal the same way.
            Ok(p) if &p.default_version == version_id => Ok(()),
            Ok(p) => {
                p.versions.retain(|v| &v.id != version_id);
                Ok(())
            }
            Err(_) => Ok(()),
        },
        Mutation::TagPolicy {
            policy_name,
            policy_arn,
            tags,
        } => policy_mut(state, policy_name, policy_arn).map(|p| p.tags.extend(tags.clone())),
        Mutation::UntagPolicy {
            policy_name,
            policy_arn,
            keys,
        } => policy_mut(state, policy_name, policy_arn)
            .map(|p| p.tags.retain(|k, _| !keys.contains(k))),
        Mutation::DeletePolicy {
            policy_name,
            policy_arn,
        } => delete(state, policy_name, policy_arn),
        _ => return None,
    })
}

fn create(state: &mut AccountState, policy: &ManagedPolicyState) -> Result<(), AccountError> {
    if let Some(existing) = state.find_policy(&policy.name) {
        // A re-run of the same step: the policy is there as it was to be created.
        let same = existing.name == policy.name
            && existing.path == policy.path
            && existing.description == policy.description
            && existing.document == policy.document;
        return if same {
            Ok(())
        } else {
            Err(AccountError::EntityAlreadyExists {
                entity: format!("policy {}", policy.name),
            })
        };
    }
    let mut created = policy.clone();
    created.default_version = "v1".into();
    created.versions = vec![PolicyVersion {
        id: "v1".into(),
        document: policy.document.clone(),
    }];
    created.attached_elsewhere.clear();
    state.policies.insert(created.name.clone(), created);
    Ok(())
}

fn delete(state: &mut AccountState, name: &str, arn: &str) -> Result<(), AccountError> {
    let Ok(policy) = policy_mut(state, name, arn) else {
        return Ok(());
    };
    let mut attached: Vec<String> = policy.attached_elsewhere.clone();
    let versions = policy.versions.len();
    if versions > 1 {
        attached.push(format!("{} non-default versions", versions - 1));
    }
    attached.extend(state.roles_using_policy(arn).map(|r| format!("role {r}")));
    if !attached.is_empty() {
        return Err(AccountError::DeleteConflict {
            entity: format!("policy {name}"),
            attached: attached.join(", "),
        });
    }
    state.policies.remove(name);
    Ok(())
}

/// The policy named `name` whose ARN is `arn` (a policy of that name at another path is not it).
fn policy_mut<'a>(
    state: &'a mut AccountState,
    name: &str,
    arn: &str,
) -> Result<&'a mut ManagedPolicyState, AccountError> {
    let (partition, account) = (state.partition.clone(), state.account_id.clone());
    state
        .policies
        .get_mut(name)
        .filter(|p| p.arn(&partition, &account) == arn)
        .ok_or_else(|| AccountError::NoSuchEntity {
            entity: format!("policy {arn}"),
        })
}
