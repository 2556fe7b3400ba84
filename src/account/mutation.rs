//! The closed vocabulary of writes a plan is made of: one [`Mutation`] per IAM or EC2 call
//! rolesmith makes, and the [`Subject`] each writes.
//!
//! Mutations are values — ordered, hashable and serialized in saved plans — so steps are
//! compared and deduplicated as data, never through a rendering; the subject names the one
//! resource a mutation touches, from which apply lanes, `--target` and the ownership guard
//! derive.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::policy::Policy;
use crate::state::{
    InstanceProfileState, ManagedPolicyState, OidcProviderState, RoleState, SamlProviderState,
};

/// One write to the account. Field names follow the IAM and EC2 APIs. Ordered and hashable, so
/// steps are compared and deduplicated as values, never through a rendering.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Mutation {
    /// `CreateRole` with trust, path, description, max session, boundary and tags in one call.
    CreateRole {
        /// The role; its managed and inline policies are attached by later steps.
        role: Box<RoleState>,
    },
    /// `CreateServiceLinkedRole`.
    CreateServiceLinkedRole {
        /// Role name the service will give it (for reporting and idempotency).
        role_name: String,
        /// The service principal.
        service: String,
        /// Description.
        description: Option<String>,
        /// Custom suffix.
        custom_suffix: Option<String>,
    },
    /// `UpdateRole` (description and max session duration).
    UpdateRole {
        /// Role name.
        role_name: String,
        /// New description (`None` clears it).
        description: Option<String>,
        /// New maximum session duration.
        max_session_duration: u32,
    },
    /// `UpdateAssumeRolePolicy`.
    UpdateAssumeRolePolicy {
        /// Role name.
        role_name: String,
        /// The new trust policy.
        policy: Policy,
    },
    /// `PutRolePermissionsBoundary`.
    PutRolePermissionsBoundary {
        /// Role name.
        role_name: String,
        /// Boundary policy ARN.
        boundary: String,
    },
    /// `DeleteRolePermissionsBoundary`.
    DeleteRolePermissionsBoundary {
        /// Role name.
        role_name: String,
    },
    /// `TagRole`.
    TagRole {
        /// Role name.
        role_name: String,
        /// Tags to add or overwrite.
        tags: BTreeMap<String, String>,
    },
    /// `UntagRole`.
    UntagRole {
        /// Role name.
        role_name: String,
        /// Tag keys to remove.
        keys: BTreeSet<String>,
    },
    /// `AttachRolePolicy`.
    AttachRolePolicy {
        /// Role name.
        role_name: String,
        /// Managed policy ARN.
        policy_arn: String,
    },
    /// `DetachRolePolicy`.
    DetachRolePolicy {
        /// Role name.
        role_name: String,
        /// Managed policy ARN.
        policy_arn: String,
    },
    /// `PutRolePolicy` (creates or replaces an inline policy).
    PutRolePolicy {
        /// Role name.
        role_name: String,
        /// Inline policy name.
        policy_name: String,
        /// The document.
        policy: Policy,
    },
    /// `DeleteRolePolicy`.
    DeleteRolePolicy {
        /// Role name.
        role_name: String,
        /// Inline policy name.
        policy_name: String,
    },
    /// `DeleteRole` (after everything attached to it is gone).
    DeleteRole {
        /// Role name.
        role_name: String,
    },
    /// `CreateInstanceProfile` (with tags).
    CreateInstanceProfile {
        /// The profile, with no roles yet.
        profile: InstanceProfileState,
    },
    /// `TagInstanceProfile`.
    TagInstanceProfile {
        /// Profile name.
        profile_name: String,
        /// Tags to add or overwrite.
        tags: BTreeMap<String, String>,
    },
    /// `UntagInstanceProfile`.
    UntagInstanceProfile {
        /// Profile name.
        profile_name: String,
        /// Tag keys to remove.
        keys: BTreeSet<String>,
    },
    /// `AddRoleToInstanceProfile`.
    AddRoleToInstanceProfile {
        /// Profile name.
        profile_name: String,
        /// Role name.
        role_name: String,
    },
    /// `RemoveRoleFromInstanceProfile`.
    RemoveRoleFromInstanceProfile {
        /// Profile name.
        profile_name: String,
        /// Role name.
        role_name: String,
    },
    /// `DeleteInstanceProfile`.
    DeleteInstanceProfile {
        /// Profile name.
        profile_name: String,
    },
    /// `AssociateIamInstanceProfile`.
    AssociateInstanceProfile {
        /// Instance id.
        instance_id: String,
        /// Profile name.
        profile_name: String,
    },
    /// `ReplaceIamInstanceProfileAssociation`.
    ReplaceInstanceProfileAssociation {
        /// Instance id (for reporting).
        instance_id: String,
        /// The association being replaced.
        association_id: String,
        /// New profile name.
        profile_name: String,
    },
    /// `DisassociateIamInstanceProfile`.
    DisassociateInstanceProfile {
        /// Instance id (for reporting).
        instance_id: String,
        /// The association to remove.
        association_id: String,
    },
    /// `CreateOpenIDConnectProvider` with audiences, thumbprints (when declared) and tags.
    CreateOpenIdConnectProvider {
        /// The provider.
        provider: OidcProviderState,
    },
    /// `AddClientIDToOpenIDConnectProvider`.
    AddClientIdToOpenIdConnectProvider {
        /// Provider URL without `https://`.
        url: String,
        /// The audience added.
        client_id: String,
    },
    /// `RemoveClientIDFromOpenIDConnectProvider`.
    RemoveClientIdFromOpenIdConnectProvider {
        /// Provider URL without `https://`.
        url: String,
        /// The audience removed.
        client_id: String,
    },
    /// `UpdateOpenIDConnectProviderThumbprint` (replaces the whole list).
    UpdateOpenIdConnectProviderThumbprint {
        /// Provider URL without `https://`.
        url: String,
        /// The new thumbprints.
        thumbprints: BTreeSet<String>,
    },
    /// `TagOpenIDConnectProvider`.
    TagOpenIdConnectProvider {
        /// Provider URL without `https://`.
        url: String,
        /// Tags to add or overwrite.
        tags: BTreeMap<String, String>,
    },
    /// `UntagOpenIDConnectProvider`.
    UntagOpenIdConnectProvider {
        /// Provider URL without `https://`.
        url: String,
        /// Tag keys to remove.
        keys: BTreeSet<String>,
    },
    /// `DeleteOpenIDConnectProvider`.
    DeleteOpenIdConnectProvider {
        /// Provider URL without `https://`.
        url: String,
    },
    /// `CreateSAMLProvider` with its metadata document and tags.
    CreateSamlProvider {
        /// The provider, document included.
        provider: SamlProviderState,
    },
    /// `UpdateSAMLProvider`: uploads new metadata.
    UpdateSamlProvider {
        /// Provider name.
        name: String,
        /// The new metadata document.
        metadata_document: String,
    },
    /// `TagSAMLProvider`.
    TagSamlProvider {
        /// Provider name.
        name: String,
        /// Tags to add or overwrite.
        tags: BTreeMap<String, String>,
    },
    /// `UntagSAMLProvider`.
    UntagSamlProvider {
        /// Provider name.
        name: String,
        /// Tag keys to remove.
        keys: BTreeSet<String>,
    },
    /// `DeleteSAMLProvider`.
    DeleteSamlProvider {
        /// Provider name.
        name: String,
    },
    /// `CreatePolicy` with path, description, document and tags in one call.
    CreatePolicy {
        /// The policy; its ARN follows from the account.
        policy: Box<ManagedPolicyState>,
    },
    /// `CreatePolicyVersion` with `SetAsDefault`.
    CreatePolicyVersion {
        /// Policy name.
        policy_name: String,
        /// Policy ARN.
        policy_arn: String,
        /// The new default document.
        document: Policy,
    },
    /// `DeletePolicyVersion` (never the default).
    DeletePolicyVersion {
        /// Policy name.
        policy_name: String,
        /// Policy ARN.
        policy_arn: String,
        /// The version, e.g. `v1`.
        version_id: String,
    },
    /// `TagPolicy`.
    TagPolicy {
        /// Policy name.
        policy_name: String,
        /// Policy ARN.
        policy_arn: String,
        /// Tags to add or overwrite.
        tags: BTreeMap<String, String>,
    },
    /// `UntagPolicy`.
    UntagPolicy {
        /// Policy name.
        policy_name: String,
        /// Policy ARN.
        policy_arn: String,
        /// Tag keys to remove.
        keys: BTreeSet<String>,
    },
    /// `DeletePolicy` (after it is detached everywhere and only its default version is left).
    DeletePolicy {
        /// Policy name.
        policy_name: String,
        /// Policy ARN.
        policy_arn: String,
    },
}

impl Mutation {
    /// The API operation name, as IAM and EC2 spell it.
    pub fn operation(&self) -> &'static str {
        match self {
            Self::CreateRole { .. } => "CreateRole",
            Self::CreateServiceLinkedRole { .. } => "CreateServiceLinkedRole",
            Self::UpdateRole { .. } => "UpdateRole",
            Self::UpdateAssumeRolePolicy { .. } => "UpdateAssumeRolePolicy",
            Self::PutRolePermissionsBoundary { .. } => "PutRolePermissionsBoundary",
            Self::DeleteRolePermissionsBoundary { .. } => "DeleteRolePermissionsBoundary",
            Self::TagRole { .. } => "TagRole",
            Self::UntagRole { .. } => "UntagRole",
            Self::AttachRolePolicy { .. } => "AttachRolePolicy",
            Self::DetachRolePolicy { .. } => "DetachRolePolicy",
            Self::PutRolePolicy { .. } => "PutRolePolicy",
            Self::DeleteRolePolicy { .. } => "DeleteRolePolicy",
            Self::DeleteRole { .. } => "DeleteRole",
            Self::CreateInstanceProfile { .. } => "CreateInstanceProfile",
            Self::TagInstanceProfile { .. } => "TagInstanceProfile",
            Self::UntagInstanceProfile { .. } => "UntagInstanceProfile",
            Self::AddRoleToInstanceProfile { .. } => "AddRoleToInstanceProfile",
            Self::RemoveRoleFromInstanceProfile { .. } => "RemoveRoleFromInstanceProfile",
            Self::DeleteInstanceProfile { .. } => "DeleteInstanceProfile",
            Self::AssociateInstanceProfile { .. } => "AssociateIamInstanceProfile",
            Self::ReplaceInstanceProfileAssociation { .. } => {
                "ReplaceIamInstanceProfileAssociation"
            }
            Self::DisassociateInstanceProfile { .. } => "DisassociateIamInstanceProfile",
            Self::CreateOpenIdConnectProvider { .. } => "CreateOpenIDConnectProvider",
            Self::AddClientIdToOpenIdConnectProvider { .. } => "AddClientIDToOpenIDConnectProvider",
            Self::RemoveClientIdFromOpenIdConnectProvider { .. } => {
                "RemoveClientIDFromOpenIDConnectProvider"
            }
            Self::UpdateOpenIdConnectProviderThumbprint { .. } => {
                "UpdateOpenIDConnectProviderThumbprint"
            }
            Self::TagOpenIdConnectProvider { .. } => "TagOpenIDConnectProvider",
            Self::UntagOpenIdConnectProvider { .. } => "UntagOpenIDConnectProvider",
            Self::DeleteOpenIdConnectProvider { .. } => "DeleteOpenIDConnectProvider",
            Self::CreateSamlProvider { .. } => "CreateSAMLProvider",
            Self::UpdateSamlProvider { .. } => "UpdateSAMLProvider",
            Self::TagSamlProvider { .. } => "TagSAMLProvider",
            Self::UntagSamlProvider { .. } => "UntagSAMLProvider",
            Self::DeleteSamlProvider { .. } => "DeleteSAMLProvider",
            Self::CreatePolicy { .. } => "CreatePolicy",
            Self::CreatePolicyVersion { .. } => "CreatePolicyVersion",
            Self::DeletePolicyVersion { .. } => "DeletePolicyVersion",
            Self::TagPolicy { .. } => "TagPolicy",
            Self::UntagPolicy { .. } => "UntagPolicy",
            Self::DeletePolicy { .. } => "DeletePolicy",
        }
    }

    /// The one resource this mutation writes. Lanes, targets and the ownership guard all start
    /// from here, so a new mutation is classified once.
    pub fn subject(&self) -> Subject<'_> {
        match self {
            Self::CreateRole { role } => Subject::Role(&role.name),
            Self::CreateServiceLinkedRole { role_name, .. }
            | Self::UpdateRole { role_name, .. }
            | Self::UpdateAssumeRolePolicy { role_name, .. }
            | Self::PutRolePermissionsBoundary { role_name, .. }
            | Self::DeleteRolePermissionsBoundary { role_name }
            | Self::TagRole { role_name, .. }
            | Self::UntagRole { role_name, .. }
            | Self::AttachRolePolicy { role_name, .. }
            | Self::DetachRolePolicy { role_name, .. }
            | Self::PutRolePolicy { role_name, .. }
            | Self::DeleteRolePolicy { role_name, .. }
            | Self::DeleteRole { role_name } => Subject::Role(role_name),
            Self::CreateInstanceProfile { profile } => Subject::InstanceProfile(&profile.name),
            Self::TagInstanceProfile { profile_name, .. }
            | Self::UntagInstanceProfile { profile_name, .. }
            | Self::AddRoleToInstanceProfile { profile_name, .. }
            | Self::RemoveRoleFromInstanceProfile { profile_name, .. }
            | Self::DeleteInstanceProfile { profile_name } => {
                Subject::InstanceProfile(profile_name)
            }
            Self::AssociateInstanceProfile { instance_id, .. }
            | Self::ReplaceInstanceProfileAssociation { instance_id, .. }
            | Self::DisassociateInstanceProfile { instance_id, .. } => {
                Subject::Instance(instance_id)
            }
            Self::CreateOpenIdConnectProvider { provider } => Subject::OidcProvider(&provider.url),
            Self::AddClientIdToOpenIdConnectProvider { url, .. }
            | Self::RemoveClientIdFromOpenIdConnectProvider { url, .. }
            | Self::UpdateOpenIdConnectProviderThumbprint { url, .. }
            | Self::TagOpenIdConnectProvider { url, .. }
            | Self::UntagOpenIdConnectProvider { url, .. }
            | Self::DeleteOpenIdConnectProvider { url } => Subject::OidcProvider(url),
            Self::CreateSamlProvider { provider } => Subject::SamlProvider(&provider.name),
            Self::UpdateSamlProvider { name, .. }
            | Self::TagSamlProvider { name, .. }
            | Self::UntagSamlProvider { name, .. }
            | Self::DeleteSamlProvider { name } => Subject::SamlProvider(name),
            Self::CreatePolicy { policy } => Subject::Policy(&policy.name),
            Self::CreatePolicyVersion { policy_name, .. }
            | Self::DeletePolicyVersion { policy_name, .. }
            | Self::TagPolicy { policy_name, .. }
            | Self::UntagPolicy { policy_name, .. }
            | Self::DeletePolicy { policy_name, .. } => Subject::Policy(policy_name),
        }
    }

    /// The resource whose mutations must run one after another: mutations in different lanes
    /// of the same phase are independent and may run concurrently.
    pub fn lane(&self) -> String {
        match self.subject() {
            Subject::Role(n) => format!("role/{n}"),
            Subject::InstanceProfile(n) => format!("profile/{n}"),
            Subject::Instance(id) => format!("instance/{id}"),
            Subject::OidcProvider(u) => format!("oidc-provider/{u}"),
            Subject::SamlProvider(n) => format!("saml-provider/{n}"),
            // IAM names are case-insensitive: a policy deleted and created again under another
            // spelling is the same lane.
            Subject::Policy(n) => format!("policy/{}", n.to_ascii_lowercase()),
        }
    }

    /// A short human description of the target, e.g. `role cloudwatch-agent` or
    /// `role web policy arn:aws:iam::aws:policy/ReadOnlyAccess`.
    pub fn target(&self) -> String {
        let subject = self.subject().to_string();
        match self {
            Self::AttachRolePolicy { policy_arn, .. }
            | Self::DetachRolePolicy { policy_arn, .. } => {
                format!("{subject} policy {policy_arn}")
            }
            Self::PutRolePolicy { policy_name, .. }
            | Self::DeleteRolePolicy { policy_name, .. } => {
                format!("{subject} inline policy {policy_name}")
            }
            Self::AddRoleToInstanceProfile { role_name, .. }
            | Self::RemoveRoleFromInstanceProfile { role_name, .. } => {
                format!("{subject} role {role_name}")
            }
            Self::AddClientIdToOpenIdConnectProvider { client_id, .. }
            | Self::RemoveClientIdFromOpenIdConnectProvider { client_id, .. } => {
                format!("{subject} client id {client_id}")
            }
            Self::DeletePolicyVersion { version_id, .. } => {
                format!("{subject} version {version_id}")
            }
            _ => subject,
        }
    }
}

/// The resource a [`Mutation`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Subject<'a> {
    /// An IAM role, by name.
    Role(&'a str),
    /// An IAM instance profile, by name.
    InstanceProfile(&'a str),
    /// An EC2 instance's profile association, by instance id.
    Instance(&'a str),
    /// An IAM OIDC provider, by URL without `https://`.
    OidcProvider(&'a str),
    /// An IAM SAML provider, by name.
    SamlProvider(&'a str),
    /// A customer managed policy, by name.
    Policy(&'a str),
}

impl std::fmt::Display for Subject<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Role(n) => write!(f, "role {n}"),
            Self::InstanceProfile(n) => write!(f, "instance profile {n}"),
            Self::Instance(id) => write!(f, "instance {id}"),
            Self::OidcProvider(u) => write!(f, "OIDC provider {u}"),
            Self::SamlProvider(n) => write!(f, "SAML provider {n}"),
            Self::Policy(n) => write!(f, "policy {n}"),
        }
    }
}
