//! The manifest types of identity providers: `kind: OIDCProvider` and `kind: SAMLProvider`.
//!
//! Kept apart from the role types so each kind's contract reads on its own; the loader and the
//! JSON Schema reach them through `manifest::model`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::{AccountTargeting, ApiVersion, Metadata, Override};

/// `kind: OIDCProvider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum OidcProviderKind {
    /// An IAM OpenID Connect identity provider.
    #[serde(rename = "OIDCProvider")]
    OidcProvider,
}

/// `kind: SAMLProvider`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum SamlProviderKind {
    /// An IAM SAML 2.0 identity provider.
    #[serde(rename = "SAMLProvider")]
    SamlProvider,
}

/// A manifest declaring one IAM OpenID Connect provider. Its identity in IAM is its URL (host
/// and path); `metadata.name` only labels the manifest.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcProviderManifest {
    /// Always `rolesmith/v1`.
    pub api_version: ApiVersion,
    /// Always `OIDCProvider`.
    pub kind: OidcProviderKind,
    /// A label for the manifest (the provider is identified by its URL).
    pub metadata: Metadata,
    /// The accounts of the inventory this manifest lands in (without it: the inventory's
    /// default set). Only with an `[accounts]` inventory in rolesmith.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AccountTargeting>,
    /// Per-account changes merged over `spec` in the accounts each selects (maps merge, lists
    /// replace), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// What the provider should look like.
    pub spec: OidcProviderSpec,
}

/// The desired shape of an OIDC provider: `url` and `clientIds`, or `github: true`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct OidcProviderSpec {
    /// GitHub Actions' provider: url `https://token.actions.githubusercontent.com`, client id
    /// `sts.amazonaws.com` (unless `clientIds` names others).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub github: bool,
    /// The issuer URL, `https://` followed by host and optional path (at most 255 characters).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
    /// The audiences (client ids) tokens may be issued for, 1–255 characters each, at most 100.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub client_ids: Vec<String>,
    /// Server certificate thumbprints, 40 hex digits each, at most 5. Leave out to let IAM
    /// manage them (then rolesmith does not compare them).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub thumbprints: Vec<String>,
    /// Tags (at most 50; the ownership tag is added by rolesmith).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Take over a provider that exists without rolesmith's ownership tag.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopt: bool,
}

/// A manifest declaring one IAM SAML provider, named by `metadata.name`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SamlProviderManifest {
    /// Always `rolesmith/v1`.
    pub api_version: ApiVersion,
    /// Always `SAMLProvider`.
    pub kind: SamlProviderKind,
    /// The provider's IAM name: 1–128 characters of letters, digits and `_+=,.@-`.
    pub metadata: Metadata,
    /// The accounts of the inventory this manifest lands in (without it: the inventory's
    /// default set). Only with an `[accounts]` inventory in rolesmith.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AccountTargeting>,
    /// Per-account changes merged over `spec` in the accounts each selects (maps merge, lists
    /// replace), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// What the provider should look like.
    pub spec: SamlProviderSpec,
}

/// The desired shape of a SAML provider.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct SamlProviderSpec {
    /// The IdP's SAML metadata XML, as a path relative to this manifest file (1,000 to
    /// 10,000,000 bytes, as IAM allows). Plans compare it by SHA-256 digest.
    pub metadata_file: String,
    /// Tags (at most 50; the ownership tag is added by rolesmith).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Take over a provider that exists without rolesmith's ownership tag.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopt: bool,
}
