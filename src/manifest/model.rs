//! The manifest as users write it: serde and schemars types, one source for parsing and for the
//! JSON Schema. Field names are the user-facing contract (camelCase, IAM documents in IAM's
//! PascalCase); unknown fields are rejected everywhere.

use std::borrow::Cow;
use std::collections::BTreeMap;

use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};

use crate::expiry::Instant;
use crate::policy::{PolicyDocumentInput, TrustEntry};

mod provider;

pub use provider::{
    OidcProviderKind, OidcProviderManifest, OidcProviderSpec, SamlProviderKind,
    SamlProviderManifest, SamlProviderSpec,
};

/// The only manifest API version.
pub const API_VERSION: &str = "rolesmith/v1";

/// A managed policy as `managedPolicies` and `permissionsBoundary` take it, for the JSON Schema:
/// `aws:NAME` (an AWS managed policy, `aws:service-role/NAME` under a path), `policy:NAME` (a
/// `kind: ManagedPolicy` of the manifest set) or a policy ARN of a partition (or
/// `${AWS::Partition}`) and of `aws` or an account (or `${AWS::AccountId}`). Validation checks
/// the same shape after placeholders are resolved (`limits::managed_policy_arn`).
pub const MANAGED_POLICY_PATTERN: &str = r"^(aws:([\w+=,.@-]+/)*[\w+=,.@-]{1,128}|policy:[\w+=,.@-]{1,128}|arn:(aws[a-z-]*|\$\{AWS::Partition\}):iam::([0-9]{12}|aws|\$\{AWS::AccountId\}):policy/([\w+=,.@-]+/)*[\w+=,.@-]{1,128})$";

/// Any manifest document. The loader dispatches on `kind` itself so that errors point at the
/// right place; the JSON Schema does the same (see the `JsonSchema` impl).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum Manifest {
    /// `kind: Role`.
    Role(Box<RoleManifest>),
    /// `kind: ServiceLinkedRole`.
    ServiceLinkedRole(ServiceLinkedRoleManifest),
    /// `kind: ManagedPolicy`.
    ManagedPolicy(Box<ManagedPolicyManifest>),
    /// `kind: OIDCProvider`.
    OidcProvider(OidcProviderManifest),
    /// `kind: SAMLProvider`.
    SamlProvider(SamlProviderManifest),
}

/// `kind` selects the branch (`if`/`then` on its value), so an editor reports a typo in a Role's
/// field against the Role schema rather than "not valid under any of the schemas" of an
/// untagged union.
impl JsonSchema for Manifest {
    fn schema_name() -> Cow<'static, str> {
        "Manifest".into()
    }

    fn json_schema(generator: &mut SchemaGenerator) -> Schema {
        let branch = |kind: &str, then: Schema| {
            json_schema!({
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": then
            })
        };
        let role = branch("Role", generator.subschema_for::<RoleManifest>());
        let service_linked = branch(
            "ServiceLinkedRole",
            generator.subschema_for::<ServiceLinkedRoleManifest>(),
        );
        let oidc = branch(
            "OIDCProvider",
            generator.subschema_for::<OidcProviderManifest>(),
        );
        let saml = branch(
            "SAMLProvider",
            generator.subschema_for::<SamlProviderManifest>(),
        );
        let managed_policy = branch(
            "ManagedPolicy",
            generator.subschema_for::<ManagedPolicyManifest>(),
        );
        json_schema!({
            "title": "rolesmith manifest",
            "description": "One rolesmith manifest document: `kind` is `Role`, `ServiceLinkedRole`, `ManagedPolicy`, `OIDCProvider` or `SAMLProvider` and selects the schema of the rest.",
            "type": "object",
            "properties": {"kind": {"enum": ["Role", "ServiceLinkedRole", "ManagedPolicy", "OIDCProvider", "SAMLProvider"]}},
            "required": ["apiVersion", "kind", "metadata", "spec"],
            "allOf": [role, service_linked, managed_policy, oidc, saml]
        })
    }
}

/// `apiVersion: rolesmith/v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ApiVersion {
    /// The first and only version.
    #[serde(rename = "rolesmith/v1")]
    V1,
}

/// `kind: Role`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum RoleKind {
    /// An IAM role.
    Role,
}

/// `kind: ServiceLinkedRole`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ServiceLinkedRoleKind {
    /// A service-linked role.
    ServiceLinkedRole,
}

/// A manifest declaring one IAM role.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleManifest {
    /// Always `rolesmith/v1`.
    pub api_version: ApiVersion,
    /// Always `Role`.
    pub kind: RoleKind,
    /// The role's identity.
    pub metadata: Metadata,
    /// The accounts of the inventory this manifest lands in (without it: the inventory's
    /// default set). Only with an `[accounts]` inventory in rolesmith.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AccountTargeting>,
    /// Per-account changes merged over `spec` in the accounts each selects (maps merge, lists
    /// replace), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// What the role should look like.
    pub spec: RoleSpec,
}

/// `accounts:` — where a manifest lands when rolesmith manages many accounts. Each item is an
/// account selector: an account name, a 12-digit id, `ou:/PATH` (a glob over the OU path),
/// `tag:KEY=VALUE`, or `*`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountTargeting {
    /// Accounts to land in (none: the inventory's default set).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub include: Vec<String>,
    /// Accounts to leave out, even when included.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub exclude: Vec<String>,
}

/// One item of `overrides:`: fields of `spec` for some accounts of the inventory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Override {
    /// The accounts it applies in (`include` empty: every account the manifest lands in).
    pub accounts: AccountTargeting,
    /// Fields merged over `spec`: a map merges key by key, anything else (a list, a string)
    /// replaces the value.
    pub spec: serde_json::Map<String, serde_json::Value>,
}

/// A manifest declaring one service-linked role.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceLinkedRoleManifest {
    /// Always `rolesmith/v1`.
    pub api_version: ApiVersion,
    /// Always `ServiceLinkedRole`.
    pub kind: ServiceLinkedRoleKind,
    /// The role's identity: the name the service gives it, e.g. `AWSServiceRoleForAutoScaling`.
    pub metadata: Metadata,
    /// The accounts of the inventory this manifest lands in (without it: the inventory's
    /// default set). Only with an `[accounts]` inventory in rolesmith.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AccountTargeting>,
    /// Per-account changes merged over `spec` in the accounts each selects (maps merge, lists
    /// replace), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// Which service the role is linked to.
    pub spec: ServiceLinkedRoleSpec,
}

/// Identity of the declared resource.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Metadata {
    /// The IAM role name: 1–64 characters of letters, digits and `+=,.@_-`.
    pub name: String,
}

/// The desired shape of a role.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
#[schemars(extend("oneOf" = [{"required": ["trust"]}, {"required": ["trustPolicy"]}]))]
pub struct RoleSpec {
    /// Human description, at most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Role path, `/` by default; starts and ends with `/`. Changing it replaces the role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Maximum session duration in seconds, 3600–43200 (default 3600).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_session_duration: Option<u32>,
    /// The managed policy used as permissions boundary: its ARN, `aws:NAME`, or `policy:NAME`
    /// for a `kind: ManagedPolicy` of the manifest set.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schemars(pattern(MANAGED_POLICY_PATTERN))]
    pub permissions_boundary: Option<String>,
    /// Who may assume the role, in shorthand. Exactly one of `trust` and `trustPolicy`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust: Option<Vec<TrustEntry>>,
    /// Who may assume the role, as a raw IAM trust policy document.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trust_policy: Option<PolicyDocumentInput>,
    /// Managed policies to attach: full ARNs, `aws:NAME` for AWS managed policies
    /// (`aws:service-role/NAME` for those under a path), or `policy:NAME` for a
    /// `kind: ManagedPolicy` of the manifest set.
    /// Each item a string, or `{arn: ..., expiresAt: ...}` for an attachment that ends.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub managed_policies: Vec<Attachment>,
    /// Inline policies, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inline_policies: BTreeMap<String, PolicyDocumentInput>,
    /// Tags (at most 50; the ownership tag is added by rolesmith). A value is a string, or
    /// `{value: ..., expiresAt: ...}` for a tag that ends.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, TagValue>,
    /// The instant the whole role ends: after it the next apply deletes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<Instant>,
    /// The instance profile wrapping this role: `true` for one named like the role at `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instance_profile: Option<InstanceProfileSpec>,
    /// EC2 instances that should carry the instance profile.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ec2: Option<Ec2Bindings>,
    /// Take over a role that exists without rolesmith's ownership tag (the plan adds the tag).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopt: bool,
    /// Policy linter findings accepted for this role, with the reason.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lint: Option<LintSpec>,
}

/// A managed policy attachment: the policy (ARN, `aws:NAME` or `policy:NAME`), with the instant
/// it ends when written as an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum Attachment {
    /// The policy, attached for good.
    #[schemars(with = "AttachmentArn")]
    Policy(String),
    /// The policy, attached until `expiresAt`.
    Until(AttachmentUntil),
}

/// The string form of an attachment (for the schema's pattern).
#[derive(JsonSchema)]
#[schemars(transparent)]
#[allow(dead_code)]
struct AttachmentArn(#[schemars(pattern(MANAGED_POLICY_PATTERN))] String);

/// `{arn: ..., expiresAt: ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AttachmentUntil {
    /// The policy: its ARN, `aws:NAME` or `policy:NAME`.
    #[schemars(pattern(MANAGED_POLICY_PATTERN))]
    pub arn: String,
    /// When the attachment ends (the first apply after it detaches the policy).
    pub expires_at: Instant,
}

impl Attachment {
    /// The policy attached.
    pub fn arn(&self) -> &str {
        match self {
            Attachment::Policy(a) => a,
            Attachment::Until(u) => &u.arn,
        }
    }

    /// When it ends, if it does.
    pub fn expires_at(&self) -> Option<Instant> {
        match self {
            Attachment::Policy(_) => None,
            Attachment::Until(u) => Some(u.expires_at),
        }
    }
}

impl From<&str> for Attachment {
    fn from(arn: &str) -> Self {
        Attachment::Policy(arn.to_owned())
    }
}

/// A string, or a map read as `T` (so a mistake inside the map is reported as `T`'s, not as
/// "matched no variant").
struct StringOrMap<T>(std::marker::PhantomData<T>);

impl<'de, T: Deserialize<'de>> serde::de::Visitor<'de> for StringOrMap<T> {
    /// A string (and whether YAML typed it as a number or boolean), or the map.
    type Value = Result<(String, bool), T>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a string, or a map with `expiresAt`")
    }

    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Ok((v.to_owned(), false)))
    }

    // An unquoted scalar YAML types as a number or boolean: the loader puts its text back
    // (`0042` stays `0042`, `on` stays `on`), as a plain string value always was.
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Ok((v.to_string(), true)))
    }

    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Ok((v.to_string(), true)))
    }

    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Ok((v.to_string(), true)))
    }

    fn visit_bool<E: serde::de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Ok((v.to_string(), true)))
    }

    fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        T::deserialize(serde::de::value::MapAccessDeserializer::new(map)).map(Err)
    }
}

impl<'de> Deserialize<'de> for Attachment {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(
            match d.deserialize_any(StringOrMap::<AttachmentUntil>(Default::default()))? {
                Ok((arn, _)) => Attachment::Policy(arn),
                Err(until) => Attachment::Until(until),
            },
        )
    }
}

impl<'de> Deserialize<'de> for TagValue {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Ok(
            match d.deserialize_any(StringOrMap::<TagUntil>(Default::default()))? {
                Ok((value, false)) => TagValue::Value(value),
                Ok((typed, true)) => TagValue::Typed(typed),
                Err(until) => TagValue::Until(until),
            },
        )
    }
}

/// A tag's value, with the instant it ends when written as an object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, JsonSchema)]
#[serde(untagged)]
pub enum TagValue {
    /// The value, for good.
    Value(String),
    /// An unquoted value YAML typed as a number or boolean, as serde read it; the loader
    /// replaces it with its text in the file ([`TagValue::Value`]).
    #[schemars(skip)]
    Typed(String),
    /// The value until `expiresAt`.
    Until(TagUntil),
}

/// `{value: ..., expiresAt: ...}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct TagUntil {
    /// The tag's value.
    pub value: String,
    /// When the tag ends (the first apply after it removes it).
    pub expires_at: Instant,
}

impl TagValue {
    /// The value.
    pub fn value(&self) -> &str {
        match self {
            TagValue::Value(v) | TagValue::Typed(v) => v,
            TagValue::Until(u) => &u.value,
        }
    }

    /// When it ends, if it does.
    pub fn expires_at(&self) -> Option<Instant> {
        match self {
            TagValue::Value(_) | TagValue::Typed(_) => None,
            TagValue::Until(u) => Some(u.expires_at),
        }
    }
}

/// `lint: {allow: [code, ...], reason: "..."}`: findings this role accepts.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct LintSpec {
    /// Finding codes not reported for this role, e.g. `wildcard-resource`.
    #[serde(default)]
    pub allow: Vec<String>,
    /// Why the findings are accepted; required when `allow` is not empty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

/// `instanceProfile: true | false | {name, path}`.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(untagged)]
pub enum InstanceProfileSpec {
    /// `true`: a profile named like the role, path `/`; `false`: none.
    Enabled(bool),
    /// A profile with an explicit name and path.
    Named(NamedInstanceProfile),
}

/// An explicitly named instance profile.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct NamedInstanceProfile {
    /// Profile name; defaults to the role name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// Profile path; defaults to `/`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
}

/// Which EC2 instances carry the role's instance profile.
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Ec2Bindings {
    /// Region of the instances; defaults to the run's region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// Instance ids, `i-` followed by 8 or 17 hex digits.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub instances: Vec<String>,
    /// Every pending, running, stopping or stopped instance whose tags match.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub selector: Option<InstanceSelector>,
    /// Replace a profile someone else associated with a target instance (default no).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub takeover: bool,
}

/// Selects instances by tags (all must match).
#[derive(Debug, Clone, Default, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceSelector {
    /// Tag key → value; every pair must match.
    pub tags: BTreeMap<String, String>,
}

/// The spec of a service-linked role.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceLinkedRoleSpec {
    /// The service principal, e.g. `autoscaling.amazonaws.com`.
    pub service: String,
    /// Description, at most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Suffix for services that allow several roles (`AWSServiceRoleForX_suffix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_suffix: Option<String>,
}

/// `kind: ManagedPolicy`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub enum ManagedPolicyKind {
    /// A customer managed policy.
    ManagedPolicy,
}

/// A manifest declaring one customer managed policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedPolicyManifest {
    /// Always `rolesmith/v1`.
    pub api_version: ApiVersion,
    /// Always `ManagedPolicy`.
    pub kind: ManagedPolicyKind,
    /// The policy's identity: its name, 1–128 characters of letters, digits and `+=,.@_-`,
    /// unique in the account whatever the path.
    pub metadata: Metadata,
    /// The accounts of the inventory this manifest lands in (without it: the inventory's
    /// default set). Only with an `[accounts]` inventory in rolesmith.toml.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub accounts: Option<AccountTargeting>,
    /// Per-account changes merged over `spec` in the accounts each selects (maps merge, lists
    /// replace), in order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub overrides: Vec<Override>,
    /// What the policy should look like.
    pub spec: ManagedPolicySpec,
}

/// The desired shape of a customer managed policy.
#[derive(Debug, Clone, Serialize, Deserialize, JsonSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedPolicySpec {
    /// Policy path, `/` by default; part of the ARN, so changing it replaces the policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Description, at most 1000 characters; IAM cannot change it, so changing it replaces the
    /// policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The policy document; a change becomes a new default version.
    pub document: PolicyDocumentInput,
    /// Tags (at most 50; the ownership tag is added by rolesmith).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Take over a policy that exists without rolesmith's ownership tag (the plan adds the tag).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub adopt: bool,
}
