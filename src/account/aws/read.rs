//! Reading the live account into the normalized model, in bulk.
//!
//! Two paginated IAM listings give everything: `ListRoles` (description, maximum session
//! duration) and `GetAccountAuthorizationDetails` filtered to roles (trust policy, inline and
//! managed policies, tags, permissions boundary, instance profiles). With 1000 items a page,
//! reading N roles costs about 2·⌈N/1000⌉ IAM calls plus one STS `GetCallerIdentity` per run.
//! `GetRole` is called only for a role the two listings disagree about (one appeared between
//! them, or only `ListRoles` reports its boundary). `ListInstanceProfiles` finds profiles that
//! hold no role (which no role's details mention). EC2 is read only when the scope asks for it
//! (bindings, or associations to clean up): see [`instances`](super::instances).

use std::collections::{BTreeMap, HashMap};

use aws_sdk_iam::types::{EntityType, InstanceProfile, ManagedPolicyDetail, Role, RoleDetail, Tag};

use super::AwsAccount;
use super::error::{other, to_account_error};
use crate::account::{AccountError, AccountReader};
use crate::policy::{NormalizeContext, Policy};
use crate::state::{
    AccountState, DEFAULT_MAX_SESSION_DURATION, InstanceProfileState, RoleState, ServiceLinked,
};

/// IAM's largest page for both listings.
const PAGE_SIZE: i32 = 1000;
/// Path under which IAM keeps service-linked roles: `/aws-service-role/SERVICE/`.
const SERVICE_ROLE_PATH: &str = "/aws-service-role/";

impl AccountReader for AwsAccount {
    async fn identity(&self) -> Result<crate::account::Identity, AccountError> {
        let identity = self.caller().await?;
        Ok(crate::account::Identity {
            account_id: identity.account_id.clone(),
            partition: identity.partition.clone(),
        })
    }

    async fn read_scoped(
        &self,
        scope: &crate::account::ReadScope,
    ) -> Result<AccountState, AccountError> {
        let identity = self.caller().await?.clone();
        let ctx = NormalizeContext {
            partition: identity.partition.clone(),
        };
        // ListRoles first: a role created in between is then in the details but not the list
        // (fetched with GetRole), and a role deleted in between is in the list only (skipped).
        let listed = self.list_roles().await?;
        let (details, policy_details) = self.role_details().await?;

        let mut state = AccountState::empty(identity.account_id, identity.partition);
        for detail in &details {
            let Some(name) = detail.role_name() else {
                continue;
            };
            if !self.in_prefix(detail.path().unwrap_or("/")) {
                continue;
            }
            let fetched;
            let summary = match listed.get(name) {
                Some(role)
                    if boundary_of_role(role).is_none() || boundary_of_detail(detail).is_some() =>
                {
                    Some(role)
                }
                _ => {
                    tracing::debug!("role {name}: listings disagree; reading it with GetRole");
                    fetched = self.get_role(name).await?;
                    if fetched.is_none() {
                        // Deleted since it was listed.
                        continue;
                    }
                    fetched.as_ref()
                }
            };
            let role = role_from_detail(detail, summary, &ctx)?;
            state
                .activity
                .insert(role.name.clone(), activity_of(detail));
            for profile in detail.instance_profile_list() {
                state
                    .instance_profiles
                    .entry(profile.instance_profile_name().to_owned())
                    .or_insert_with(|| profile_state(profile));
            }
            state.roles.insert(role.name.clone(), role);
        }
        // A profile holding no role is in no role's details: an apply interrupted between
        // removing a profile's role and deleting the profile leaves one behind. List them so
        // the diff can see (and with --prune, delete) such orphans.
        for profile in self.empty_instance_profiles().await? {
            state
                .instance_profiles
                .entry(profile.name.clone())
                .or_insert(profile);
        }
        self.read_policies(&policy_details, scope, &ctx, &mut state)
            .await?;
        state.instances = self.read_instances(scope).await?;
        if scope.providers {
            self.read_providers(&mut state).await?;
        }
        tracing::debug!(
            "read {} roles, {} instance profiles and {} instances",
            state.roles.len(),
            state.instance_profiles.len(),
            state.instances.len()
        );
        Ok(state)
    }
}

impl AwsAccount {
    /// `ListRoles`, every page, by role name.
    async fn list_roles(&self) -> Result<HashMap<String, Role>, AccountError> {
        let mut pages = self
            .iam
            .list_roles()
            .set_path_prefix(self.path_prefix.clone())
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        let mut roles = HashMap::new();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|e| to_account_error("roles", "ListRoles", &e))?;
            for role in page.roles() {
                roles.insert(role.role_name().to_owned(), role.clone());
            }
        }
        Ok(roles)
    }

    /// `GetAccountAuthorizationDetails` with `Filter=Role,LocalManagedPolicy`, every page: the
    /// roles' details and the customer managed policies' (see `policies.rs`).
    async fn role_details(
        &self,
    ) -> Result<(Vec<RoleDetail>, Vec<ManagedPolicyDetail>), AccountError> {
        let mut pages = self
            .iam
            .get_account_authorization_details()
            .filter(EntityType::Role)
            .filter(EntityType::LocalManagedPolicy)
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        let (mut details, mut policies) = (Vec::new(), Vec::new());
        while let Some(page) = pages.next().await {
            let page =
                page.map_err(|e| to_account_error("roles", "GetAccountAuthorizationDetails", &e))?;
            details.extend(page.role_detail_list().iter().cloned());
            policies.extend(page.policies().iter().cloned());
        }
        Ok((details, policies))
    }

    /// Instance profiles that hold no role (`ListInstanceProfiles`, every page, under the path
    /// prefix), read again with `GetInstanceProfile` for their tags (IAM's listings leave tags
    /// out). Such profiles are rare, so the extra calls are too.
    async fn empty_instance_profiles(&self) -> Result<Vec<InstanceProfileState>, AccountError> {
        let mut pages = self
            .iam
            .list_instance_profiles()
            .set_path_prefix(self.path_prefix.clone())
            .into_paginator()
            .page_size(PAGE_SIZE)
            .send();
        let mut empty = Vec::new();
        while let Some(page) = pages.next().await {
            let page = page
                .map_err(|e| to_account_error("instance profiles", "ListInstanceProfiles", &e))?;
            empty.extend(
                page.instance_profiles()
                    .iter()
                    .filter(|p| p.roles().is_empty())
                    .map(profile_state),
            );
        }
        let mut out = Vec::with_capacity(empty.len());
        for profile in empty {
            let entity = format!("instance profile {}", profile.name);
            // Gone since it was listed: nothing to see.
            if let Some(full) = self.get_instance_profile(&entity, &profile.name).await? {
                out.push(full);
            }
        }
        Ok(out)
    }

    /// `GetRole`; `None` when the role does not exist.
    pub(super) async fn get_role(&self, name: &str) -> Result<Option<Role>, AccountError> {
        match self.iam.get_role().role_name(name).send().await {
            Ok(out) => Ok(out.role().cloned()),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|e| e.is_no_such_entity_exception()) =>
            {
                Ok(None)
            }
            Err(e) => Err(to_account_error(&format!("role {name}"), "GetRole", &e)),
        }
    }

    /// Whether a role path is under the configured prefix.
    fn in_prefix(&self, path: &str) -> bool {
        self.path_prefix
            .as_deref()
            .is_none_or(|prefix| path.starts_with(prefix))
    }
}

fn boundary_of_role(role: &Role) -> Option<&str> {
    role.permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn())
}

fn boundary_of_detail(detail: &RoleDetail) -> Option<&str> {
    detail
        .permissions_boundary()
        .and_then(|b| b.permissions_boundary_arn())
}

/// When the role was created and last used, from its authorization details (no extra call).
fn activity_of(detail: &RoleDetail) -> crate::state::RoleActivity {
    let instant = |t: &aws_smithy_types::DateTime| crate::expiry::Instant::from_unix(t.secs());
    let used = detail.role_last_used();
    crate::state::RoleActivity {
        created: detail.create_date().map(instant),
        last_used: used.and_then(|u| u.last_used_date()).map(instant),
        region: used.and_then(|u| u.region()).map(str::to_owned),
    }
}

/// Builds a role from its authorization details and its `ListRoles`/`GetRole` summary (which
/// alone carries description and maximum session duration).
fn role_from_detail(
    detail: &RoleDetail,
    summary: Option<&Role>,
    ctx: &NormalizeContext,
) -> Result<RoleState, AccountError> {
    let name = detail.role_name().unwrap_or_default().to_owned();
    let entity = format!("role {name}");
    let path = detail.path().unwrap_or("/").to_owned();
    let op = "GetAccountAuthorizationDetails";

    let trust_text = detail
        .assume_role_policy_document()
        .or_else(|| summary.and_then(Role::assume_role_policy_document))
        .ok_or_else(|| other(&entity, op, "no trust policy in the response"))?;
    let trust_policy = Policy::from_iam_encoded(trust_text, ctx)
        .map_err(|e| other(&entity, op, format!("trust policy: {e}")))?;

    let mut inline_policies = BTreeMap::new();
    for inline in detail.role_policy_list() {
        let (Some(policy_name), Some(document)) = (inline.policy_name(), inline.policy_document())
        else {
            continue;
        };
        let policy = Policy::from_iam_encoded(document, ctx)
            .map_err(|e| other(&entity, op, format!("inline policy {policy_name}: {e}")))?;
        inline_policies.insert(policy_name.to_owned(), policy);
    }

    let permissions_boundary = boundary_of_detail(detail)
        .or_else(|| summary.and_then(boundary_of_role))
        .map(str::to_owned);
    let max_session_duration = summary
        .and_then(Role::max_session_duration)
        .and_then(|s| u32::try_from(s).ok())
        .unwrap_or(DEFAULT_MAX_SESSION_DURATION);

    Ok(RoleState {
        description: summary
            .and_then(Role::description)
            .filter(|d| !d.is_empty())
            .map(str::to_owned),
        max_session_duration,
        trust_policy,
        permissions_boundary,
        managed_policies: detail
            .attached_managed_policies()
            .iter()
            .filter_map(|p| p.policy_arn())
            .map(str::to_owned)
            .collect(),
        inline_policies,
        tags: tag_map(detail.tags()),
        service_linked: service_of_path(&path).map(|service| ServiceLinked {
            service: service.to_owned(),
            custom_suffix: None,
        }),
        name,
        path,
    })
}

/// The normalized form of an instance profile as the details list it.
fn profile_state(profile: &InstanceProfile) -> InstanceProfileState {
    InstanceProfileState {
        name: profile.instance_profile_name().to_owned(),
        path: profile.path().to_owned(),
        roles: profile
            .roles()
            .iter()
            .map(|r| r.role_name().to_owned())
            .collect(),
        tags: tag_map(profile.tags()),
    }
}

fn tag_map(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| (t.key().to_owned(), t.value().to_owned()))
        .collect()
}

/// The service of a service-linked role's path: `/aws-service-role/SERVICE/` → `SERVICE`.
pub(super) fn service_of_path(path: &str) -> Option<&str> {
    path.strip_prefix(SERVICE_ROLE_PATH)?
        .split('/')
        .next()
        .filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use aws_sdk_iam::types::{AttachedPermissionsBoundary, AttachedPolicy, PolicyDetail};
    use aws_smithy_types::DateTime;

    use super::*;

    const TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
    const TRUST_ENCODED: &str = "%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Principal%22%3A%7B%22Service%22%3A%22ec2.amazonaws.com%22%7D%2C%22Action%22%3A%22sts%3AAssumeRole%22%7D%5D%7D";

    fn summary(name: &str, description: &str, max: i32) -> Role {
        Role::builder()
            .role_name(name)
            .path("/")
            .role_id("AROAEXAMPLE")
            .arn(format!("arn:aws:iam::123456789012:role/{name}"))
            .create_date(DateTime::from_secs(0))
            .description(description)
            .max_session_duration(max)
            .build()
            .expect("all required fields are set")
    }

    #[test]
    fn service_from_slr_path() {
        assert_eq!(
            service_of_path("/aws-service-role/autoscaling.amazonaws.com/"),
            Some("autoscaling.amazonaws.com")
        );
        assert_eq!(service_of_path("/aws-service-role/"), None);
        assert_eq!(service_of_path("/"), None);
        assert_eq!(service_of_path("/team/aws-service-role/x/"), None);
    }

    #[test]
    fn joins_details_with_the_summary() {
        let detail = RoleDetail::builder()
            .role_name("web")
            .path("/app/")
            .assume_role_policy_document(TRUST_ENCODED)
            .role_policy_list(
                PolicyDetail::builder()
                    .policy_name("logs")
                    .policy_document("%7B%22Version%22%3A%222012-10-17%22%2C%22Statement%22%3A%5B%7B%22Effect%22%3A%22Allow%22%2C%22Action%22%3A%22logs%3A%2A%22%2C%22Resource%22%3A%22%2A%22%7D%5D%7D")
                    .build(),
            )
            .attached_managed_policies(
                AttachedPolicy::builder()
                    .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
                    .build(),
            )
            .permissions_boundary(
                AttachedPermissionsBoundary::builder()
                    .permissions_boundary_arn("arn:aws:iam::123456789012:policy/boundary")
                    .build(),
            )
            .tags(Tag::builder().key("managed-by").value("rolesmith").build().expect("key and value"))
            .build();
        let ctx = NormalizeContext::default();
        let role = role_from_detail(&detail, Some(&summary("web", "", 7200)), &ctx)
            .expect("valid details");
        assert_eq!(role.name, "web");
        assert_eq!(role.path, "/app/");
        assert_eq!(role.description, None);
        assert_eq!(role.max_session_duration, 7200);
        assert_eq!(
            role.trust_policy,
            Policy::from_json_str(TRUST, &ctx).expect("valid")
        );
        assert_eq!(role.inline_policies.len(), 1);
        assert!(
            role.managed_policies
                .contains("arn:aws:iam::aws:policy/ReadOnlyAccess")
        );
        assert_eq!(
            role.permissions_boundary.as_deref(),
            Some("arn:aws:iam::123456789012:policy/boundary")
        );
        assert_eq!(
            role.tags.get("managed-by").map(String::as_str),
            Some("rolesmith")
        );
        assert_eq!(role.service_linked, None);
    }

    #[test]
    fn raw_trust_and_service_linked_roles() {
        let detail = RoleDetail::builder()
            .role_name("AWSServiceRoleForAutoScaling")
            .path("/aws-service-role/autoscaling.amazonaws.com/")
            .assume_role_policy_document(TRUST)
            .build();
        let role = role_from_detail(
            &detail,
            Some(&summary("AWSServiceRoleForAutoScaling", "Scaling", 3600)),
            &NormalizeContext::default(),
        )
        .expect("valid details");
        assert_eq!(role.description.as_deref(), Some("Scaling"));
        assert_eq!(
            role.service_linked,
            Some(ServiceLinked {
                service: "autoscaling.amazonaws.com".into(),
                custom_suffix: None
            })
        );
    }

    #[test]
    fn missing_summary_uses_defaults() {
        let detail = RoleDetail::builder()
            .role_name("new")
            .assume_role_policy_document(TRUST)
            .build();
        let role =
            role_from_detail(&detail, None, &NormalizeContext::default()).expect("valid details");
        assert_eq!(role.path, "/");
        assert_eq!(role.max_session_duration, DEFAULT_MAX_SESSION_DURATION);
    }
}
