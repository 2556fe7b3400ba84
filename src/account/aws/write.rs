//! Performing mutations against the live account, with the snapshot account's idempotency.
//!
//! Each [`Mutation`] is one IAM or EC2 call. Creating what already exists reads the entity back
//! and succeeds when it matches (`GetRole` / `GetInstanceProfile` / the instance's current
//! association); deleting, detaching or removing what is gone succeeds. IAM is eventually
//! consistent: a trust policy naming a role created a moment ago is refused with "Invalid
//! principal", and EC2 does not yet know a new instance profile. Those two refusals are retried
//! with exponential backoff (1 s, doubling, at most 10 s a wait) until the account's propagation
//! timeout has passed; throttling and transient failures are the SDK retry strategy's job. The
//! EC2 association mutations live in [`ec2`](super::ec2).

use std::future::Future;
use std::time::Duration;

use aws_sdk_iam::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_iam::types::Tag;
use tokio::time::Instant;

use super::AwsAccount;
use super::error::{code, other, to_account_error};
use crate::account::{AccountError, AccountWriter, Mutation};
use crate::policy::Policy;
use crate::state::InstanceProfileState;

/// First wait for propagation.
const FIRST_WAIT: Duration = Duration::from_secs(1);
/// Longest single wait for propagation.
const MAX_WAIT: Duration = Duration::from_secs(10);

impl AccountWriter for AwsAccount {
    async fn write(&self, mutation: &Mutation) -> Result<(), AccountError> {
        let entity = mutation.target();
        let op = mutation.operation();
        match mutation {
            Mutation::CreateRole { role } => {
                let tags = iam_tags(&entity, op, &role.tags)?;
                let max_session = i32::try_from(role.max_session_duration)
                    .map_err(|_| other(&entity, op, "maximum session duration out of range"))?;
                let trust = role.trust_policy.to_compact_json();
                let result = self
                    .until_propagated(
                        &entity,
                        |e: &SdkError<aws_sdk_iam::operation::create_role::CreateRoleError, _>| {
                            e.as_service_error().is_some_and(|s| {
                                s.is_malformed_policy_document_exception()
                                    && invalid_principal(s.message())
                            })
                        },
                        || {
                            self.iam
                                .create_role()
                                .role_name(&role.name)
                                .path(&role.path)
                                .assume_role_policy_document(&trust)
                                .set_description(role.description.clone())
                                .max_session_duration(max_session)
                                .set_permissions_boundary(role.permissions_boundary.clone())
                                .set_tags(Some(tags.clone()).filter(|t| !t.is_empty()))
                                .send()
                        },
                    )
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_entity_already_exists_exception()) =>
                    {
                        self.verify_existing_role(
                            &entity,
                            &role.name,
                            &role.path,
                            &role.trust_policy,
                        )
                        .await
                    }
                    Err(e) => Err(to_account_error(&entity, op, &e)),
                }
            }
            Mutation::CreateServiceLinkedRole {
                role_name,
                service,
                description,
                custom_suffix,
            } => {
                let result = self
                    .iam
                    .create_service_linked_role()
                    .aws_service_name(service)
                    .set_description(description.clone())
                    .set_custom_suffix(custom_suffix.clone())
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    // IAM answers a second create with InvalidInput ("name has been taken");
                    // like the snapshot, an existing role of that name is success.
                    Err(e) if matches!(code(&e), Some("InvalidInput" | "EntityAlreadyExists")) => {
                        match self.get_role(role_name).await? {
                            Some(_) => Ok(()),
                            None => Err(to_account_error(&entity, op, &e)),
                        }
                    }
                    Err(e) => Err(to_account_error(&entity, op, &e)),
                }
            }
            Mutation::UpdateRole {
                role_name,
                description,
                max_session_duration,
            } => {
                let max_session = i32::try_from(*max_session_duration)
                    .map_err(|_| other(&entity, op, "maximum session duration out of range"))?;
                self.iam
                    .update_role()
                    .role_name(role_name)
                    // IAM keeps the description when the parameter is absent; "" clears it.
                    .description(description.as_deref().unwrap_or_default())
                    .max_session_duration(max_session)
                    .send()
                    .await
                    .map(drop)
                    .map_err(|e| to_account_error(&entity, op, &e))
            }
            Mutation::UpdateAssumeRolePolicy { role_name, policy } => {
                let document = policy.to_compact_json();
                self.until_propagated(
                    &entity,
                    |e: &SdkError<
                        aws_sdk_iam::operation::update_assume_role_policy::UpdateAssumeRolePolicyError,
                        _,
                    >| {
                        e.as_service_error().is_some_and(|s| {
                            s.is_malformed_policy_document_exception()
                                && invalid_principal(s.message())
                        })
                    },
                    || {
                        self.iam
                            .update_assume_role_policy()
                            .role_name(role_name)
                            .policy_document(&document)
                            .send()
                    },
                )
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e))
            }
            Mutation::PutRolePermissionsBoundary {
                role_name,
                boundary,
            } => self
                .iam
                .put_role_permissions_boundary()
                .role_name(role_name)
                .permissions_boundary(boundary)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::DeleteRolePermissionsBoundary { role_name } => self
                .iam
                .delete_role_permissions_boundary()
                .role_name(role_name)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::TagRole { role_name, tags } => self
                .iam
                .tag_role()
                .role_name(role_name)
                .set_tags(Some(iam_tags(&entity, op, tags)?))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::UntagRole { role_name, keys } => self
                .iam
                .untag_role()
                .role_name(role_name)
                .set_tag_keys(Some(keys.iter().cloned().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::AttachRolePolicy {
                role_name,
                policy_arn,
            } => self
                .iam
                .attach_role_policy()
                .role_name(role_name)
                .policy_arn(policy_arn)
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::DetachRolePolicy {
                role_name,
                policy_arn,
            } => gone_is_ok(
                self.iam
                    .detach_role_policy()
                    .role_name(role_name)
                    .policy_arn(policy_arn)
                    .send()
                    .await,
            )
            .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::PutRolePolicy {
                role_name,
                policy_name,
                policy,
            } => self
                .iam
                .put_role_policy()
                .role_name(role_name)
                .policy_name(policy_name)
                .policy_document(policy.to_compact_json())
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::DeleteRolePolicy {
                role_name,
                policy_name,
            } => gone_is_ok(
                self.iam
                    .delete_role_policy()
                    .role_name(role_name)
                    .policy_name(policy_name)
                    .send()
                    .await,
            )
            .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::DeleteRole { role_name } => {
                gone_is_ok(self.iam.delete_role().role_name(role_name).send().await)
                    .map_err(|e| to_account_error(&entity, op, &e))
            }
            Mutation::CreateInstanceProfile { profile } => {
                let result = self
                    .iam
                    .create_instance_profile()
                    .instance_profile_name(&profile.name)
                    .path(&profile.path)
                    .set_tags(Some(iam_tags(&entity, op, &profile.tags)?).filter(|t| !t.is_empty()))
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    Err(e)
                        if e.as_service_error()
                            .is_some_and(|s| s.is_entity_already_exists_exception()) =>
                    {
                        match self.get_instance_profile(&entity, &profile.name).await? {
                            Some(existing) if existing.path == profile.path => Ok(()),
                            _ => Err(AccountError::EntityAlreadyExists {
                                entity: entity.clone(),
                            }),
                        }
                    }
                    Err(e) => Err(to_account_error(&entity, op, &e)),
                }
            }
            Mutation::TagInstanceProfile { profile_name, tags } => self
                .iam
                .tag_instance_profile()
                .instance_profile_name(profile_name)
                .set_tags(Some(iam_tags(&entity, op, tags)?))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::UntagInstanceProfile { profile_name, keys } => self
                .iam
                .untag_instance_profile()
                .instance_profile_name(profile_name)
                .set_tag_keys(Some(keys.iter().cloned().collect()))
                .send()
                .await
                .map(drop)
                .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::AddRoleToInstanceProfile {
                profile_name,
                role_name,
            } => {
                let result = self
                    .iam
                    .add_role_to_instance_profile()
                    .instance_profile_name(profile_name)
                    .role_name(role_name)
                    .send()
                    .await;
                match result {
                    Ok(_) => Ok(()),
                    // A profile holds one role, so a repeated add hits the quota: success when
                    // the role it holds is this one.
                    Err(e) if matches!(code(&e), Some("LimitExceeded" | "EntityAlreadyExists")) => {
                        match self.get_instance_profile(&entity, profile_name).await? {
                            Some(p) if p.roles.contains(role_name) => Ok(()),
                            _ => Err(to_account_error(&entity, op, &e)),
                        }
                    }
                    Err(e) => Err(to_account_error(&entity, op, &e)),
                }
            }
            Mutation::RemoveRoleFromInstanceProfile {
                profile_name,
                role_name,
            } => gone_is_ok(
                self.iam
                    .remove_role_from_instance_profile()
                    .instance_profile_name(profile_name)
                    .role_name(role_name)
                    .send()
                    .await,
            )
            .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::DeleteInstanceProfile { profile_name } => gone_is_ok(
                self.iam
                    .delete_instance_profile()
                    .instance_profile_name(profile_name)
                    .send()
                    .await,
            )
            .map_err(|e| to_account_error(&entity, op, &e)),
            Mutation::AssociateInstanceProfile {
                instance_id,
                profile_name,
            } => self.associate(&entity, instance_id, profile_name).await,
            Mutation::ReplaceInstanceProfileAssociation {
                instance_id,
                association_id,
                profile_name,
            } => {
                self.replace_association(&entity, instance_id, association_id, profile_name)
                    .await
            }
            Mutation::CreatePolicy { .. }
            | Mutation::CreatePolicyVersion { .. }
            | Mutation::DeletePolicyVersion { .. }
            | Mutation::TagPolicy { .. }
            | Mutation::UntagPolicy { .. }
            | Mutation::DeletePolicy { .. } => self.write_policy(&entity, op, mutation).await,
            Mutation::DisassociateInstanceProfile { association_id, .. } => {
                let result = self
                    .ec2
                    .disassociate_iam_instance_profile()
                    .association_id(association_id)
                    .send()
                    .await;
                match result {
                    Err(e) if code(&e) == Some("InvalidAssociationID.NotFound") => Ok(()),
                    r => r.map(drop).map_err(|e| to_account_error(&entity, op, &e)),
                }
            }
            Mutation::CreateOpenIdConnectProvider { .. }
            | Mutation::AddClientIdToOpenIdConnectProvider { .. }
            | Mutation::RemoveClientIdFromOpenIdConnectProvider { .. }
            | Mutation::UpdateOpenIdConnectProviderThumbprint { .. }
            | Mutation::TagOpenIdConnectProvider { .. }
            | Mutation::UntagOpenIdConnectProvider { .. }
            | Mutation::DeleteOpenIdConnectProvider { .. }
            | Mutation::CreateSamlProvider { .. }
            | Mutation::UpdateSamlProvider { .. }
            | Mutation::TagSamlProvider { .. }
            | Mutation::UntagSamlProvider { .. }
            | Mutation::DeleteSamlProvider { .. } => self.write_provider(mutation).await,
        }
    }
}

impl AwsAccount {
    /// After `EntityAlreadyExists` on `CreateRole`: success when the existing role has the same
    /// name, path and trust (in canonical form).
    async fn verify_existing_role(
        &self,
        entity: &str,
        name: &str,
        path: &str,
        trust: &Policy,
    ) -> Result<(), AccountError> {
        let ctx = self.normalize_context().await?;
        let differs = || AccountError::EntityAlreadyExists {
            entity: entity.to_owned(),
        };
        let Some(existing) = self.get_role(name).await? else {
            return Err(differs());
        };
        let same_trust = existing
            .assume_role_policy_document()
            .and_then(|doc| Policy::from_iam_encoded(doc, &ctx).ok())
            .is_some_and(|p| &p == trust);
        if existing.role_name() == name && existing.path() == path && same_trust {
            Ok(())
        } else {
            Err(differs())
        }
    }

    /// `GetInstanceProfile`, normalized; `None` when the profile does not exist.
    pub(super) async fn get_instance_profile(
        &self,
        entity: &str,
        name: &str,
    ) -> Result<Option<InstanceProfileState>, AccountError> {
        let result = self
            .iam
            .get_instance_profile()
            .instance_profile_name(name)
            .send()
            .await;
        match result {
            Ok(out) => Ok(out.instance_profile().map(|p| InstanceProfileState {
                name: p.instance_profile_name().to_owned(),
                path: p.path().to_owned(),
                roles: p.roles().iter().map(|r| r.role_name().to_owned()).collect(),
                tags: p
                    .tags()
                    .iter()
                    .map(|t| (t.key().to_owned(), t.value().to_owned()))
                    .collect(),
            })),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|s| s.is_no_such_entity_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(to_account_error(entity, "GetInstanceProfile", &e)),
        }
    }

    /// Runs `call` until it succeeds, fails for another reason than `pending`, or the
    /// propagation timeout has passed; waits 1 s, then doubling up to 10 s, between attempts.
    /// The first wait is reported at `warn` (shown by default, so a long wait is explained);
    /// the following ones at `info` (`-v`).
    pub(super) async fn until_propagated<T, E, F, Fut>(
        &self,
        entity: &str,
        pending: impl Fn(&E) -> bool,
        mut call: F,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let deadline = Instant::now() + self.propagation_timeout;
        let mut wait = FIRST_WAIT;
        loop {
            match call().await {
                Err(e) if pending(&e) => {
                    let now = Instant::now();
                    if now >= deadline {
                        return Err(e);
                    }
                    let this_wait = wait.min(deadline - now);
                    // The first wait is shown without -v: an apply that goes quiet for up to the
                    // propagation timeout must say why. Later waits are detail.
                    if wait == FIRST_WAIT {
                        tracing::warn!(
                            "{entity}: waiting for IAM changes to propagate (retrying for up to {} s)",
                            (deadline - now).as_secs_f64().ceil()
                        );
                    } else {
                        tracing::info!(
                            "{entity}: still waiting for IAM changes to propagate; retrying in {:.0} s",
                            this_wait.as_secs_f64().ceil()
                        );
                    }
                    tokio::time::sleep(this_wait).await;
                    wait = (wait * 2).min(MAX_WAIT);
                }
                result => return result,
            }
        }
    }
}

/// Maps `NoSuchEntity` to success: the thing to delete, detach or remove is already gone.
pub(super) fn gone_is_ok<O, E, R>(result: Result<O, SdkError<E, R>>) -> Result<(), SdkError<E, R>>
where
    E: ProvideErrorMetadata,
{
    match result {
        Ok(_) => Ok(()),
        Err(e) if code(&e) == Some("NoSuchEntity") => Ok(()),
        Err(e) => Err(e),
    }
}

/// IAM's refusal of a trust policy naming a principal it cannot see yet.
fn invalid_principal(message: Option<&str>) -> bool {
    message.is_some_and(|m| m.contains("Invalid principal"))
}

/// IAM tags from a tag map.
pub(super) fn iam_tags(
    entity: &str,
    op: &'static str,
    tags: &std::collections::BTreeMap<String, String>,
) -> Result<Vec<Tag>, AccountError> {
    tags.iter()
        .map(|(k, v)| {
            Tag::builder()
                .key(k)
                .value(v)
                .build()
                .map_err(|e| other(entity, op, format!("tag {k}: {e}")))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_principal_is_recognised() {
        assert!(invalid_principal(Some(
            "Invalid principal in policy: \"AWS\":\"arn:aws:iam::123456789012:role/new\""
        )));
        assert!(!invalid_principal(Some("Syntax errors in policy.")));
        assert!(!invalid_principal(None));
    }

    async fn account(timeout: Duration) -> AwsAccount {
        // No call is made: connect only loads configuration.
        AwsAccount::connect(super::super::AwsOptions {
            region: Some("us-east-1".into()),
            endpoint_url: Some("http://127.0.0.1:9".into()),
            propagation_timeout: timeout,
            ..Default::default()
        })
        .await
        .expect("configuration loads")
    }

    #[tokio::test]
    async fn propagation_wait_is_bounded_by_the_timeout() {
        let acct = account(Duration::from_millis(1500)).await;
        let calls = std::sync::atomic::AtomicU32::new(0);
        let started = Instant::now();
        let result: Result<(), &str> = acct
            .until_propagated(
                "role r",
                |e: &&str| *e == "pending",
                || {
                    calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    async { Err("pending") }
                },
            )
            .await;
        assert_eq!(result, Err("pending"));
        // Calls at 0 s, 1 s and 1.5 s (the second wait is cut to the deadline).
        assert_eq!(calls.into_inner(), 3);
        assert!(started.elapsed() < Duration::from_secs(3));
    }

    #[tokio::test]
    async fn propagation_wait_stops_on_success_and_other_errors() {
        let acct = account(Duration::from_secs(30)).await;
        let calls = std::sync::atomic::AtomicU32::new(0);
        let result: Result<u32, &str> = acct
            .until_propagated(
                "role r",
                |e: &&str| *e == "pending",
                || {
                    let n = calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    async move { if n == 0 { Err("pending") } else { Ok(n) } }
                },
            )
            .await;
        assert_eq!(result, Ok(1));

        let zero = account(Duration::ZERO).await;
        let result: Result<(), &str> = zero
            .until_propagated(
                "role r",
                |e: &&str| *e == "pending",
                || async { Err("denied") },
            )
            .await;
        assert_eq!(result, Err("denied"));
    }

    #[test]
    fn tags_convert() {
        let tags = [("a".to_owned(), "1".to_owned())].into_iter().collect();
        let converted = iam_tags("role r", "TagRole", &tags).expect("valid tags");
        assert_eq!(converted.len(), 1);
        assert_eq!((converted[0].key(), converted[0].value()), ("a", "1"));
    }
}
