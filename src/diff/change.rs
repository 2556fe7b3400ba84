//! The diff's output vocabulary: a closed set of actions and, for each resource, the
//! attribute-level changes. Produced here by `diff`, ordered into steps by `plan`, shown by
//! `render`; it lives on the producer's side so data flows one way (plan depends on diff, never
//! the reverse). The human wording lives in the renderers. Every type reads back what it writes,
//! so a saved plan round-trips to the same value.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::codes::Code;
use crate::policy::Policy;
use crate::state::{
    InstanceProfileState, ManagedPolicyState, OidcProviderState, RoleState, SamlProviderState,
};

/// What happens to a resource. The values are their symbols.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Action {
    /// `-`: destroy.
    #[serde(rename = "delete")]
    Delete,
    /// `-/+`: destroy and create again (an attribute IAM cannot change in place).
    #[serde(rename = "replace")]
    Replace,
    /// `+`: create.
    #[serde(rename = "create")]
    Create,
    /// `~`: change in place.
    #[serde(rename = "update")]
    Update,
}

impl Action {
    /// The symbol shown in plans.
    pub fn symbol(self) -> &'static str {
        match self {
            Self::Create => "+",
            Self::Update => "~",
            Self::Delete => "-",
            Self::Replace => "-/+",
        }
    }
}

/// Which resource a change concerns.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum Address {
    /// An IAM role.
    Role(String),
    /// An IAM instance profile.
    InstanceProfile(String),
    /// An EC2 instance's profile association.
    Binding(String),
    /// An IAM OpenID Connect provider, by URL without `https://`.
    OidcProvider(String),
    /// An IAM SAML provider, by name.
    SamlProvider(String),
    /// A customer managed policy.
    Policy(String),
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Role(n) => write!(f, "role.{n}"),
            Self::InstanceProfile(n) => write!(f, "instance_profile.{n}"),
            Self::Binding(i) => write!(f, "binding.{i}"),
            Self::OidcProvider(u) => write!(f, "oidc_provider.{u}"),
            Self::SamlProvider(n) => write!(f, "saml_provider.{n}"),
            Self::Policy(n) => write!(f, "policy.{n}"),
        }
    }
}

/// A resource's full state, before or after.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Resource {
    /// A role.
    Role(Box<RoleState>),
    /// An instance profile.
    InstanceProfile(InstanceProfileState),
    /// An instance's association.
    Binding(BindingState),
    /// An OIDC provider.
    OidcProvider(OidcProviderState),
    /// A SAML provider (in a plan, without its metadata document: the digest stands for it).
    SamlProvider(SamlProviderState),
    /// A customer managed policy.
    Policy(Box<ManagedPolicyState>),
}

/// An instance's association with a profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BindingState {
    /// Instance id.
    pub instance_id: String,
    /// Profile name.
    pub profile: String,
    /// Association id (live side only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub association_id: Option<String>,
}

/// One attribute that differs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "attribute", rename_all = "snake_case")]
pub enum AttributeChange {
    /// Role or profile path (forces replacement).
    Path {
        /// Before.
        before: String,
        /// After.
        after: String,
    },
    /// Description.
    Description {
        /// Before.
        before: Option<String>,
        /// After.
        after: Option<String>,
    },
    /// Maximum session duration.
    MaxSessionDuration {
        /// Before.
        before: u32,
        /// After.
        after: u32,
    },
    /// Trust policy.
    TrustPolicy {
        /// Before.
        before: Policy,
        /// After.
        after: Policy,
    },
    /// Permissions boundary.
    PermissionsBoundary {
        /// Before.
        before: Option<String>,
        /// After.
        after: Option<String>,
    },
    /// Tags.
    Tags {
        /// Before.
        before: BTreeMap<String, String>,
        /// After.
        after: BTreeMap<String, String>,
    },
    /// A managed policy attached (`attach: true`) or detached.
    ManagedPolicy {
        /// Policy ARN.
        arn: String,
        /// Attach or detach.
        attach: bool,
    },
    /// An inline policy added, changed or removed.
    InlinePolicy {
        /// Policy name.
        name: String,
        /// Before.
        before: Option<Policy>,
        /// After.
        after: Option<Policy>,
    },
    /// The role an instance profile holds.
    ProfileRoles {
        /// Before.
        before: Vec<String>,
        /// After.
        after: Vec<String>,
    },
    /// The profile an instance carries.
    InstanceProfile {
        /// Before.
        before: Option<String>,
        /// After.
        after: Option<String>,
    },
    /// An OIDC provider's audiences.
    ClientIds {
        /// Before.
        before: Vec<String>,
        /// After.
        after: Vec<String>,
    },
    /// An OIDC provider's certificate thumbprints.
    Thumbprints {
        /// Before.
        before: Vec<String>,
        /// After.
        after: Vec<String>,
    },
    /// A SAML provider's metadata document, by digest.
    SamlMetadata {
        /// Digest before.
        before: String,
        /// Digest after.
        after: String,
    },
    /// A managed policy's document (the live side: its default version's).
    PolicyDocument {
        /// Before.
        before: Policy,
        /// After.
        after: Policy,
    },
}

/// One resource's change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// The resource.
    pub address: Address,
    /// What happens to it.
    pub action: Action,
    /// Its state now (`None` when it does not exist).
    pub before: Option<Resource>,
    /// Its state after apply (`None` when deleted).
    pub after: Option<Resource>,
    /// Attribute-level differences (for updates and replacements).
    pub attributes: Vec<AttributeChange>,
    /// Why, for display (e.g. "path changed", "changed outside rolesmith").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl Change {
    /// The change as a plan shows it: SAML metadata documents dropped (their digests stay), so
    /// a plan never carries an IdP's XML in its changes (the steps that upload it still do).
    pub fn without_documents(mut self) -> Self {
        for side in [&mut self.before, &mut self.after] {
            if let Some(Resource::SamlProvider(p)) = side {
                p.metadata_document = None;
            }
        }
        self
    }
}

/// A resource rolesmith will not touch, and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conflict {
    /// The resource.
    pub address: Address,
    /// Its registered code (`rolesmith explain CODE` says more), e.g. `unowned-role`.
    #[serde(with = "crate::codes::by_name")]
    pub code: &'static Code,
    /// What is in the way.
    pub message: String,
    /// What the user can do.
    pub help: String,
}
