//! Customer managed policies against the live account: read from the bulk listing rolesmith
//! already makes, written through IAM's policy calls.
//!
//! `GetAccountAuthorizationDetails` with the `LocalManagedPolicy` filter returns every customer
//! managed policy with every version's document and its attachment and boundary counts, in the
//! same pages as the roles. It leaves tags out, so `ListPolicyTags` is called once per policy a
//! manifest declares, and once per other policy only when `--prune` must know which are
//! rolesmith's. `ListEntitiesForPolicy` is called only for a policy that may be deleted or
//! replaced (declared, or owned under `--prune`) and is used by more than the roles read, to
//! name what blocks it. A no-change plan of P declared policies therefore costs the bulk pages
//! plus P calls (plus one per undeclared customer managed policy with `--prune`).

use aws_sdk_iam::types::ManagedPolicyDetail;
use futures_util::{StreamExt, stream};

use super::AwsAccount;
use super::error::{code, other, to_account_error};
use super::write::{gone_is_ok, iam_tags};
use crate::account::{AccountError, Mutation, ReadScope};
use crate::policy::{NormalizeContext, Policy};
use crate::state::policy::version_number;
use crate::state::{AccountState, ManagedPolicyState, PolicyVersion};

/// How many `ListPolicyTags` calls are in flight at once: the calls are independent, and the
/// service's send pace (`pacing`) keeps them within the account's rate.
const POLICY_READ_CONCURRENCY: usize = 8;

impl AwsAccount {
    /// Adds the customer managed policies of the bulk listing to `state` (its roles already
    /// read), with tags and blockers as `scope` needs them.
    pub(super) async fn read_policies(
        &self,
        details: &[ManagedPolicyDetail],
        scope: &ReadScope,
        ctx: &NormalizeContext,
        state: &mut AccountState,
    ) -> Result<(), AccountError> {
        let mut policies = details
            .iter()
            .map(|d| Ok((policy_from_detail(d, ctx)?, d)))
            .collect::<Result<Vec<_>, AccountError>>()?;
        let declared = |p: &ManagedPolicyState| {
            scope
                .policies
                .iter()
                .any(|n| n.eq_ignore_ascii_case(&p.name))
        };
        // Only a declared policy (replaced) or, under --prune, an owned one (deleted) needs its
        // tags or can be blocked; the diff decides ownership, the reader only reads.
        let needed: Vec<usize> = (0..policies.len())
            .filter(|&i| scope.policy_ownership || declared(&policies[i].0))
            .collect();
        let read = &policies;
        let tags: Vec<_> = stream::iter(needed.clone())
            .map(move |i| {
                let (p, d) = &read[i];
                async move {
                    (
                        i,
                        self.policy_tags(&p.name, d.arn().unwrap_or_default()).await,
                    )
                }
            })
            .buffer_unordered(POLICY_READ_CONCURRENCY)
            .collect()
            .await;
        for (i, t) in tags {
            policies[i].0.tags = t?;
        }
        for i in needed {
            let (policy, detail) = &mut policies[i];
            let arn = detail.arn().unwrap_or_default();
            let seen = state.roles_using_policy(arn).count();
            let used = detail.attachment_count().unwrap_or(0).max(0)
                + detail
                    .permissions_boundary_usage_count()
                    .unwrap_or(0)
                    .max(0);
            if usize::try_from(used).unwrap_or(0) > seen {
                policy.attached_elsewhere = self.entities_outside(&policy.name, arn, state).await?;
            }
        }
        for (policy, _) in policies {
            state.policies.insert(policy.name.clone(), policy);
        }
        Ok(())
    }

    /// `ListPolicyTags` (IAM keeps at most 50 tags, one page).
    async fn policy_tags(
        &self,
        name: &str,
        arn: &str,
    ) -> Result<std::collections::BTreeMap<String, String>, AccountError> {
        let out = self
            .iam
            .list_policy_tags()
            .policy_arn(arn)
            .send()
            .await
            .map_err(|e| to_account_error(&format!("policy {name}"), "ListPolicyTags", &e))?;
        Ok(out
            .tags()
            .iter()
            .map(|t| (t.key().to_owned(), t.value().to_owned()))
            .collect())
    }

    /// `ListEntitiesForPolicy`, every page: users, groups and roles using the policy that are
    /// not among the roles read (outside the path prefix).
    async fn entities_outside(
        &self,
        name: &str,
        arn: &str,
        state: &AccountState,
    ) -> Result<Vec<String>, AccountError> {
        let mut pages = self
            .iam
            .list_entities_for_policy()
            .policy_arn(arn)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| {
                to_account_error(&format!("policy {name}"), "ListEntitiesForPolicy", &e)
            })?;
            out.extend(
                page.policy_users()
                    .iter()
                    .filter_map(|u| u.user_name())
                    .map(|u| format!("user {u}")),
            );
            out.extend(
                page.policy_groups()
                    .iter()
                    .filter_map(|g| g.group_name())
                    .map(|g| format!("group {g}")),
            );
            out.extend(
                page.policy_roles()
                    .iter()
                    .filter_map(|r| r.role_name())
                    .filter(|r| !state.roles.contains_key(*r))
                    .map(|r| format!("role {r}")),
            );
        }
        Ok(out)
    }

    /// Performs one managed policy mutation (the others are `write.rs`'s).
    pub(super) async fn write_policy(
        &self,
        entity: &str,
        op: &'static str,
        mutation: &Mutation,
    ) -> Result<(), AccountError> {
        let fail = |e: &dyn std::fmt::Display| other(entity, op, e.to_string());
        match mutation {
            Mutation::CreatePolicy { policy } => {
                let tags = iam_tags(entity, op, &policy.tags)?;
                let result = self
                    .iam
                    .create_policy()
                    .policy_name(&policy.name)
                    .path(&policy.path)
                    .policy_document(policy.document.to_compact_json())
                    .set_description(policy.description.clone())
                    .set_tags(Some(tags).filter(|t| !t.is_empty()))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(e) if code(&e) == Some("EntityAlreadyExists") => {
                        self.verify_existing_policy(entity, policy).await
                    }
                    Err(e) => Err(to_account_error(entity, op, &e)),
                }
            }
            Mutation::CreatePolicyVersion {
                policy_arn,
                document,
                ..
            } => {
                let result = self
                    .iam
                    .create_policy_version()
                    .policy_arn(policy_arn)
                    .policy_document(document.to_compact_json())
                    .set_as_default(true)
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    // A re-run after a lost answer: the version is there and default.
                    Err(e) if code(&e) == Some("LimitExceeded") => {
                        match self.default_document(entity, policy_arn).await? {
                            Some(d) if &d == document => Ok(()),
                            _ => Err(to_account_error(entity, op, &e)),
                        }
                    }
                    Err(e) => Err(to_account_error(entity, op, &e)),
                }
            }
            Mutation::DeletePolicyVersion {
                policy_arn,
                version_id,
                ..
            } => match gone_is_ok(
                self.iam
                    .delete_policy_version()
                    .policy_arn(policy_arn)
                    .version_id(version_id)
                    .send()
                    .await,
            ) {
                // The version is the default now: the policy was created again since the plan
                // was made and the version it meant is gone (see the snapshot account).
                Err(e) if code(&e) == Some("DeleteConflict") => Ok(()),
                r => r.map_err(|e| to_account_error(entity, op, &e)),
            },
            Mutation::TagPolicy {
                policy_arn, tags, ..
            } => self
                .iam
                .tag_policy()
                .policy_arn(policy_arn)
                .set_tags(Some(iam_tags(entity, op, tags)?))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(entity, op, &e)),
            Mutation::UntagPolicy {
                policy_arn, keys, ..
            } => self
                .iam
                .untag_policy()
                .policy_arn(policy_arn)
                .set_tag_keys(Some(keys.iter().cloned().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(entity, op, &e)),
            Mutation::DeletePolicy { policy_arn, .. } => {
                gone_is_ok(self.iam.delete_policy().policy_arn(policy_arn).send().await)
                    .map_err(|e| to_account_error(entity, op, &e))
            }
            other_mutation => Err(fail(&format!(
                "{} is not a managed policy mutation",
                other_mutation.operation()
            ))),
        }
    }

    /// After `EntityAlreadyExists` on `CreatePolicy`: success when the policy of that ARN has
    /// the description and default document that were to be created.
    async fn verify_existing_policy(
        &self,
        entity: &str,
        policy: &ManagedPolicyState,
    ) -> Result<(), AccountError> {
        let identity = self.caller().await?.clone();
        let arn = policy.arn(&identity.partition, &identity.account_id);
        let differs = || AccountError::EntityAlreadyExists {
            entity: entity.to_owned(),
        };
        let existing = match self.iam.get_policy().policy_arn(&arn).send().await {
            Ok(out) => out.policy().cloned().ok_or_else(differs)?,
            Err(e) if code(&e) == Some("NoSuchEntity") => return Err(differs()),
            Err(e) => return Err(to_account_error(entity, "GetPolicy", &e)),
        };
        let description = existing.description().filter(|d| !d.is_empty());
        let same_doc = self.default_document(entity, &arn).await? == Some(policy.document.clone());
        if description == policy.description.as_deref() && same_doc {
            Ok(())
        } else {
            Err(differs())
        }
    }

    /// The default version's document (`GetPolicy` + `GetPolicyVersion`); `None` when the
    /// policy does not exist.
    async fn default_document(
        &self,
        entity: &str,
        arn: &str,
    ) -> Result<Option<Policy>, AccountError> {
        let policy = match self.iam.get_policy().policy_arn(arn).send().await {
            Ok(out) => out.policy().cloned(),
            Err(e) if code(&e) == Some("NoSuchEntity") => None,
            Err(e) => return Err(to_account_error(entity, "GetPolicy", &e)),
        };
        let Some(version) = policy.as_ref().and_then(|p| p.default_version_id()) else {
            return Ok(None);
        };
        let out = self
            .iam
            .get_policy_version()
            .policy_arn(arn)
            .version_id(version)
            .send()
            .await
            .map_err(|e| to_account_error(entity, "GetPolicyVersion", &e))?;
        let ctx = self.normalize_context().await?;
        Ok(out
            .policy_version()
            .and_then(|v| v.document())
            .and_then(|d| Policy::from_iam_encoded(d, &ctx).ok()))
    }
}

/// A policy from its authorization details: every version (oldest first) and the default's
/// document. Tags and blockers are added by the caller.
fn policy_from_detail(
    detail: &ManagedPolicyDetail,
    ctx: &NormalizeContext,
) -> Result<ManagedPolicyState, AccountError> {
    // The name is the ARN's last segment (moto leaves `PolicyName` out of this listing).
    let name = detail
        .policy_name()
        .or_else(|| detail.arn().and_then(|a| a.rsplit('/').next()))
        .unwrap_or_default()
        .to_owned();
    let entity = format!("policy {name}");
    let op = "GetAccountAuthorizationDetails";
    let mut versions = Vec::new();
    for v in detail.policy_version_list() {
        let (Some(id), Some(doc)) = (v.version_id(), v.document()) else {
            continue;
        };
        let document = Policy::from_iam_encoded(doc, ctx)
            .map_err(|e| other(&entity, op, format!("version {id}: {e}")))?;
        versions.push(PolicyVersion {
            id: id.to_owned(),
            document,
        });
    }
    versions.sort_by_key(|v| version_number(&v.id));
    let default_version = detail.default_version_id().unwrap_or("v1").to_owned();
    let document = versions
        .iter()
        .find(|v| v.id == default_version)
        .map(|v| v.document.clone())
        .ok_or_else(|| other(&entity, op, "no document for the default version"))?;
    Ok(ManagedPolicyState {
        name,
        path: detail.path().unwrap_or("/").to_owned(),
        description: detail
            .description()
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        document,
        default_version,
        versions,
        tags: Default::default(),
        attached_elsewhere: Vec::new(),
    })
}
