//! The account behind the reader and writer traits.
//!
//! [`AccountReader`] returns the live state in the normalized model; [`AccountWriter`] performs
//! one [`Mutation`] — the vocabulary of IAM and EC2 writes a plan is made of. Implementations:
//! [`snapshot::SnapshotAccount`] (a JSON file) and [`aws::AwsAccount`] (the live account).

pub mod aws;
mod mutation;
pub mod snapshot;

pub use mutation::{Mutation, Subject};

use std::collections::{BTreeMap, BTreeSet};
use std::future::Future;

use serde::{Deserialize, Serialize};

use crate::state::{AccountState, DesiredState};

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
