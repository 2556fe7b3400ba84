//! Identity providers in the normalized model: IAM's OpenID Connect and SAML providers, live
//! and desired.
//!
//! An OIDC provider is keyed by its URL without `https://` (host and path): that is the last
//! part of its ARN, so a role's `Federated` principal names it directly. A SAML provider is
//! keyed by its name. SAML metadata is compared by its SHA-256 digest; the document itself is
//! kept only where something must send or store it (the manifest's side and the snapshot
//! file), never in a plan's change.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::state::{Origin, Ownership};

/// GitHub Actions' OIDC issuer, as IAM keys it (the URL without `https://`).
pub const GITHUB_OIDC_URL: &str = "token.actions.githubusercontent.com";
/// The audience GitHub Actions' tokens carry for AWS.
pub const GITHUB_CLIENT_ID: &str = "sts.amazonaws.com";

/// One IAM OpenID Connect provider, normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcProviderState {
    /// Host and path of the issuer URL, without `https://` (the provider's identity).
    pub url: String,
    /// Audiences (client ids).
    #[serde(default)]
    pub client_ids: BTreeSet<String>,
    /// Certificate thumbprints, lower-case hex.
    #[serde(default)]
    pub thumbprints: BTreeSet<String>,
    /// Tags (the ownership tag included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl OidcProviderState {
    /// The provider's ARN in the given account.
    pub fn arn(&self, partition: &str, account_id: &str) -> String {
        oidc_provider_arn(partition, account_id, &self.url)
    }
}

/// The ARN of the OIDC provider keyed `url` (host and path).
pub fn oidc_provider_arn(partition: &str, account_id: &str, url: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:oidc-provider/{url}")
}

/// The ARN of the SAML provider `name`.
pub fn saml_provider_arn(partition: &str, account_id: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:saml-provider/{name}")
}

/// One IAM SAML provider, normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SamlProviderState {
    /// Provider name.
    pub name: String,
    /// `sha256:` and the hex SHA-256 of the metadata document.
    pub metadata_digest: String,
    /// The metadata document (in snapshot files and manifests; left out of plans' changes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub metadata_document: Option<String>,
    /// Tags (the ownership tag included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl SamlProviderState {
    /// A provider holding `document`, its digest computed.
    pub fn with_document(
        name: impl Into<String>,
        document: String,
        tags: BTreeMap<String, String>,
    ) -> Self {
        Self {
            name: name.into(),
            metadata_digest: metadata_digest(&document),
            metadata_document: Some(document),
            tags,
        }
    }

    /// The same provider without its document: what a plan shows.
    pub fn without_document(&self) -> Self {
        Self {
            metadata_document: None,
            ..self.clone()
        }
    }

    /// Whether the ownership tag marks this provider as rolesmith's.
    pub fn is_owned_by(&self, ownership: &Ownership) -> bool {
        ownership.is_on(&self.tags)
    }
}

/// The digest a SAML metadata document is compared by: `sha256:` and 64 hex digits.
pub fn metadata_digest(document: &str) -> String {
    let digest = Sha256::digest(document.as_bytes());
    let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
    format!("sha256:{hex}")
}

/// One declared OIDC provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredOidcProvider {
    /// The provider as it should be, ownership tag included.
    pub provider: OidcProviderState,
    /// Whether the manifest lists thumbprints (otherwise IAM manages them and they are not
    /// compared).
    pub thumbprints_declared: bool,
    /// Take over the provider if it exists without the ownership tag.
    pub adopt: bool,
    /// Where the manifest is.
    pub origin: Origin,
}

/// One declared SAML provider.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredSamlProvider {
    /// The provider as it should be (document included), ownership tag included.
    pub provider: SamlProviderState,
    /// Take over the provider if it exists without the ownership tag.
    pub adopt: bool,
    /// Where the manifest is.
    pub origin: Origin,
}

/// A declared provider of either kind, as validation hands it over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DesiredProvider {
    /// `kind: OIDCProvider`.
    Oidc(DesiredOidcProvider),
    /// `kind: SAMLProvider`.
    Saml(DesiredSamlProvider),
}

/// The identity providers a trust policy names as `Federated` principals in one account: OIDC
/// provider keys and SAML provider names. Principals of other accounts or partitions are not
/// listed (rolesmith cannot see them).
pub fn federated_providers<'a>(
    trust: &'a crate::policy::Policy,
    partition: &str,
    account_id: &str,
) -> (BTreeSet<&'a str>, BTreeSet<&'a str>) {
    let prefix = format!("arn:{partition}:iam::{account_id}:");
    let (mut oidc, mut saml) = (BTreeSet::new(), BTreeSet::new());
    for arn in federated_principals(trust) {
        let Some(rest) = arn.strip_prefix(prefix.as_str()) else {
            continue;
        };
        if let Some(url) = rest.strip_prefix("oidc-provider/") {
            oidc.insert(url);
        } else if let Some(name) = rest.strip_prefix("saml-provider/") {
            saml.insert(name);
        }
    }
    (oidc, saml)
}

/// Every `Federated` principal a trust policy names, in any account.
pub fn federated_principals(trust: &crate::policy::Policy) -> impl Iterator<Item = &str> {
    trust
        .statements()
        .iter()
        .filter_map(|s| match &s.principal {
            Some(crate::policy::Principals::Map(map)) => map.get("Federated"),
            _ => None,
        })
        .flat_map(|ids| ids.iter().map(String::as_str))
}
