//! The account behind the reader and writer traits.
//!
//! [`AccountReader`] returns the live state in the normalized model; [`AccountWriter`] performs
//! one [`Mutation`] — the vocabulary of IAM and EC2 writes a plan is made of. Implementations:
//! [`snapshot::SnapshotAccount`] (a JSON file) and [`aws::AwsAccount`] (the live account).

pub mod aws;
pub mod snapshot;

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::policy::Policy;
use crate::state::{
    AccountState, DesiredState, InstanceProfileState, ManagedPolicyState, OidcProviderState,
    RoleState, SamlProviderState,
};

/// Either kind of account, chosen at run time (a snapshot file or the live AWS account).
#[derive(Debug)]
pub enum AnyAccount {
    /// A JSON snapshot file.
    Snapshot(snapshot::SnapshotAccount),
    /// The live account through the AWS SDK.
    Aws(aws::AwsAccount),
}

impl AnyAccount {
    /// Counts of API calls made so far, by operation (empty for a snapshot).
    pub fn call_counts(&self) -> BTreeMap<String, u64> {
        match self {
            Self::Snapshot(_) => BTreeMap::new(),
            Self::Aws(a) => a.stats().counts(),
        }
    }

    /// The live account's call counter (`None` for a snapshot, which makes no calls).
    pub fn call_stats(&self) -> Option<aws::CallStats> {
        match self {
            Self::Snapshot(_) => None,
            Self::Aws(a) => Some(a.stats()),
        }
    }
}

impl AccountReader for AnyAccount {
    async fn identity(&self) -> Result<Identity, AccountError> {
        match self {
            Self::Snapshot(a) => a.identity().await,
            Self::Aws(a) => a.identity().await,
        }
    }

    async fn read_scoped(&self, scope: &ReadScope) -> Result<AccountState, AccountError> {
        match self {
            Self::Snapshot(a) => a.read_scoped(scope).await,
            Self::Aws(a) => a.read_scoped(scope).await,
        }
    }
}

impl AccountWriter for AnyAccount {
    async fn write(&self, mutation: &Mutation) -> Result<(), AccountError> {
        match self {
            Self::Snapshot(a) => a.write(mutation).await,
            Self::Aws(a) => a.write(mutation).await,
        }
    }

    async fn checkpoint(&self) -> Result<(), AccountError> {
        match self {
            Self::Snapshot(a) => a.checkpoint().await,
            Self::Aws(a) => a.checkpoint().await,
        }
    }
}

/// What a read must cover beyond IAM roles and instance profiles, so an account with no EC2
/// bindings costs no EC2 calls and selectors are resolved server-side.
/// Saved with a plan, so `apply plan.json` reads what the plan read.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReadScope {
    /// Read EC2 instance-profile associations (one paginated call for the region) and the
    /// instances that carry them.
    #[serde(default)]
    pub associations: bool,
    /// Instances named by id, read to learn whether they exist and their state.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub instance_ids: BTreeSet<String>,
    /// Tag selectors, each resolved with a server-side `DescribeInstances` tag filter.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub selectors: Vec<BTreeMap<String, String>>,
    /// Read OIDC and SAML providers (one listing per kind plus one read per provider): only
    /// when the manifests declare one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub providers: bool,
    /// Declared managed policies, by name: their tags are read (`ListPolicyTags`, one call
    /// each that exists), since IAM's bulk listing leaves tags out.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub policies: BTreeSet<String>,
    /// Read the tags of every other customer managed policy too, to know which are
    /// rolesmith's (only `--prune` deletes them, so only it pays the calls).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub policy_ownership: bool,
}

impl ReadScope {
    /// What a plan of `desired` must read beyond IAM: EC2 associations when any role has an
    /// instance profile (or roles may be pruned, taking their profiles off instances), plus the
    /// instances the bindings name or select.
    pub fn needed_by(desired: &DesiredState, prune: bool) -> Self {
        let mut scope = ReadScope {
            associations: prune,
            providers: desired.declares_providers(),
            policies: desired.policies.keys().cloned().collect(),
            policy_ownership: prune,
            ..ReadScope::default()
        };
        for role in desired.roles.values() {
            scope.associations |= role.instance_profile.is_some();
            if let Some(b) = &role.bindings {
                scope.instance_ids.extend(b.instances.iter().cloned());
                if !b.selector.is_empty() && !scope.selectors.contains(&b.selector) {
                    scope.selectors.push(b.selector.clone());
                }
            }
        }
        scope
    }

    /// Whether anything beyond IAM must be read.
    pub fn needs_ec2(&self) -> bool {
        self.associations || !self.instance_ids.is_empty() || !self.selectors.is_empty()
    }
}

/// Which account, in which partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The 12-digit account id.
    pub account_id: String,
    /// The ARN partition.
    pub partition: String,
}

/// Reads the live account into the normalized model. Implementations make only read calls.
pub trait AccountReader {
    /// The account id and partition (needed to resolve manifests before the scope is known).
    fn identity(&self) -> impl Future<Output = Result<Identity, AccountError>> + Send;

    /// Reads every role and instance profile, plus the EC2 state `scope` asks for.
    fn read_scoped(
        &self,
        scope: &ReadScope,
    ) -> impl Future<Output = Result<AccountState, AccountError>> + Send;

    /// Reads roles and instance profiles only.
    fn read(&self) -> impl Future<Output = Result<AccountState, AccountError>> + Send
    where
        Self: Sync,
    {
        async move { self.read_scoped(&ReadScope::default()).await }
    }
}

/// Performs mutations. Every mutation is idempotent where IAM allows it: creating what exists
/// with the same content and deleting what is gone are successes.
pub trait AccountWriter {
    /// Performs one mutation.
    fn write(&self, mutation: &Mutation) -> impl Future<Output = Result<(), AccountError>> + Send;

    /// Called after each plan phase so implementations can persist (the snapshot file does).
    fn checkpoint(&self) -> impl Future<Output = Result<(), AccountError>> + Send {
        async { Ok(()) }
    }
}

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

/// Errors from reading or writing an account. Each names the resource it concerns.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The named entity does not exist.
    #[error("{entity} does not exist")]
    NoSuchEntity {
        /// What was looked for, e.g. `role web`.
        entity: String,
    },
    /// The entity exists with different content than a create asked for.
    #[error("{entity} already exists and differs from what was to be created")]
    EntityAlreadyExists {
        /// The entity.
        entity: String,
    },
    /// IAM refuses a delete while something is still attached.
    #[error("cannot delete {entity}: {attached} still attached")]
    DeleteConflict {
        /// The entity.
        entity: String,
        /// What is still attached.
        attached: String,
    },
    /// A quota would be exceeded.
    #[error("{entity}: {message}")]
    LimitExceeded {
        /// The entity.
        entity: String,
        /// What limit.
        message: String,
    },
    /// An AWS call failed for a reason the other variants do not describe.
    #[error("{operation} on {entity} failed: {message}")]
    Aws {
        /// The entity, e.g. `role web`.
        entity: String,
        /// The API operation, e.g. `CreateRole`.
        operation: &'static str,
        /// `CODE: message` for service errors; the error chain for transport or credential
        /// failures.
        message: String,
        /// What to do about it, when the failure's kind says (credentials, permissions, an
        /// unreachable endpoint).
        hint: Option<&'static str>,
    },
    /// The named profile is defined in neither shared AWS file.
    #[error("profile `{profile}` not found in {config_file} or {credentials_file}")]
    UnknownProfile {
        /// The profile asked for (`--profile` or `AWS_PROFILE`).
        profile: String,
        /// The config file read (`AWS_CONFIG_FILE` or `~/.aws/config`).
        config_file: String,
        /// The credentials file read (`AWS_SHARED_CREDENTIALS_FILE` or `~/.aws/credentials`).
        credentials_file: String,
        /// The profiles the files do define, sorted.
        defined: Vec<String>,
    },
    /// A snapshot file could not be read or written.
    #[error("snapshot {path}: {message}")]
    Snapshot {
        /// The file.
        path: String,
        /// What went wrong.
        message: String,
    },
}

impl AccountError {
    /// What to do about the failure, when its kind says.
    pub fn hint(&self) -> Option<String> {
        match self {
            AccountError::Aws { hint, .. } => hint.map(str::to_owned),
            AccountError::UnknownProfile {
                profile, defined, ..
            } => {
                let known = match crate::diagnostic::did_you_mean(
                    profile,
                    defined.iter().map(String::as_str),
                ) {
                    Some(close) => format!("did you mean `{close}`? "),
                    None if defined.is_empty() => "no profile is defined there; ".to_owned(),
                    None => format!("defined there: {}; ", defined.join(", ")),
                };
                Some(format!(
                    "{known}create it with `aws configure --profile {profile}` (or `aws configure sso`), or name another with --profile / AWS_PROFILE"
                ))
            }
            _ => None,
        }
    }
}
