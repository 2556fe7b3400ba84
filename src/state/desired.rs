//! Desired state: the normalized model plus what only manifests know (adoption, origin,
//! bindings intent).

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::state::{
    DesiredOidcProvider, DesiredPolicy, DesiredSamlProvider, InstanceProfileState, RoleState,
};

/// Every role, managed policy and identity provider the manifests declare, by name.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DesiredState {
    /// Roles by name.
    pub roles: BTreeMap<String, DesiredRole>,
    /// Customer managed policies by name.
    pub policies: BTreeMap<String, DesiredPolicy>,
    /// OIDC providers by URL without `https://`.
    pub oidc_providers: BTreeMap<String, DesiredOidcProvider>,
    /// SAML providers by name.
    pub saml_providers: BTreeMap<String, DesiredSamlProvider>,
    /// Every element of the manifests with an `expiresAt`, expired or not, in file order.
    pub expiring: Vec<Expiring>,
    /// Roles whose `expiresAt` has passed: deleted where rolesmith owns them.
    pub expired_roles: BTreeSet<String>,
}

/// An element of the manifests that ends (`expiresAt`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expiring {
    /// The resource it belongs to (`role.deploy`, `policy.ci`).
    pub address: String,
    /// What it is: `tag \`temp\``, `trust entry 2`, `managed policy \`aws:ReadOnlyAccess\``,
    /// `statement 1 of inline policy \`data\``, `the role`.
    pub element: String,
    /// When it ends.
    pub at: crate::expiry::Instant,
    /// Whether it had ended at the run's instant (and is left out of the desired state).
    pub expired: bool,
    /// Where it is written: `file:line:column`.
    pub location: String,
}

impl DesiredState {
    /// Whether the manifests declare any identity provider: only then are providers read,
    /// compared, pruned and the roles' references to them checked, so a manifest set without
    /// providers plans (and reads) exactly as before providers were a kind.
    pub fn declares_providers(&self) -> bool {
        !self.oidc_providers.is_empty() || !self.saml_providers.is_empty()
    }
}

/// One declared role, normalized.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredRole {
    /// The role as it should be, ownership tag included (not for service-linked roles).
    pub role: RoleState,
    /// Take over the role if it exists without the ownership tag.
    pub adopt: bool,
    /// Where the manifest is.
    pub origin: Origin,
    /// The instance profile that should wrap the role.
    pub instance_profile: Option<InstanceProfileState>,
    /// Which instances should carry that profile.
    pub bindings: Option<BindingSpec>,
}

/// The file and line of a manifest document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    /// Manifest file.
    pub file: PathBuf,
    /// 1-based line of the document start.
    pub line: usize,
}

/// Which instances should carry a role's instance profile.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BindingSpec {
    /// Region of the instances (`None`: the run's region).
    pub region: Option<String>,
    /// Instances named by id.
    pub instances: BTreeSet<String>,
    /// Instances selected by tags (all must match); empty means no selector.
    pub selector: BTreeMap<String, String>,
    /// Replace associations with other profiles.
    pub takeover: bool,
}
