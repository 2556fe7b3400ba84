//! The normalized model shared by desired and live state.
//!
//! Loading manifests and reading the account both end here, so `diff` compares two values of the
//! same types. Policy documents are held in canonical form ([`Policy`]); sets and maps are ordered
//! so every rendering of the model is deterministic. This module does no I/O.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::policy::Policy;

/// IAM's default maximum session duration, in seconds.
pub const DEFAULT_MAX_SESSION_DURATION: u32 = 3600;

/// Everything rolesmith knows about one account: the live side of a diff, or a snapshot file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct AccountState {
    /// The 12-digit account id.
    pub account_id: String,
    /// The ARN partition (`aws`, `aws-cn`, `aws-us-gov`).
    #[serde(default = "default_partition")]
    pub partition: String,
    /// Roles by name.
    #[serde(default)]
    pub roles: BTreeMap<String, RoleState>,
    /// Instance profiles by name.
    #[serde(default)]
    pub instance_profiles: BTreeMap<String, InstanceProfileState>,
    /// EC2 instances by id, with the instance profile each one carries.
    #[serde(default)]
    pub instances: BTreeMap<String, InstanceState>,
    /// OpenID Connect providers by URL without `https://` (host and path).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub oidc_providers: BTreeMap<String, OidcProviderState>,
    /// SAML providers by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub saml_providers: BTreeMap<String, SamlProviderState>,
    /// Customer managed policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub policies: BTreeMap<String, ManagedPolicyState>,
    /// When each role was created and last used, by role name, as the bulk read returns it
    /// (`RoleLastUsed`): what `drift --unused-for` reads. Never compared by the diff.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub activity: BTreeMap<String, RoleActivity>,
}

/// When a role was created and last used.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleActivity {
    /// When it was created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created: Option<crate::expiry::Instant>,
    /// When a session of it last made a call (`None`: never, as far as IAM tracks: 400 days).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used: Option<crate::expiry::Instant>,
    /// The region of that call.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
}

impl RoleActivity {
    /// Whether the role has gone unused for `seconds` at `now`: last used before then, or never
    /// used and created before then. Unknown activity is never unused.
    pub fn unused_for(&self, seconds: i64, now: crate::expiry::Instant) -> bool {
        let since = now.plus_seconds(-seconds);
        match (self.last_used, self.created) {
            (Some(used), _) => used < since,
            (None, Some(created)) => created < since,
            (None, None) => false,
        }
    }
}

fn default_partition() -> String {
    "aws".to_owned()
}

impl AccountState {
    /// An empty account.
    pub fn empty(account_id: impl Into<String>, partition: impl Into<String>) -> Self {
        Self {
            account_id: account_id.into(),
            partition: partition.into(),
            roles: BTreeMap::new(),
            instance_profiles: BTreeMap::new(),
            instances: BTreeMap::new(),
            oidc_providers: BTreeMap::new(),
            saml_providers: BTreeMap::new(),
            policies: BTreeMap::new(),
            activity: BTreeMap::new(),
        }
    }

    /// Finds a role the way IAM does: names are unique case-insensitively.
    pub fn find_role(&self, name: &str) -> Option<&RoleState> {
        self.roles.get(name).or_else(|| {
            self.roles
                .values()
                .find(|r| r.name.eq_ignore_ascii_case(name))
        })
    }

    /// The instances associated with the named profile now, with their association.
    pub fn instances_carrying<'a>(
        &'a self,
        profile: &'a str,
    ) -> impl Iterator<Item = (&'a InstanceState, &'a Association)> + 'a {
        self.instances.values().filter_map(move |i| {
            i.association
                .as_ref()
                .filter(|a| a.profile == profile)
                .map(|a| (i, a))
        })
    }

    /// Instance profiles that hold the given role.
    pub fn profiles_of_role<'a>(
        &'a self,
        role: &'a str,
    ) -> impl Iterator<Item = &'a InstanceProfileState> + 'a {
        self.instance_profiles
            .values()
            .filter(move |p| p.roles.iter().any(|r| r == role))
    }
}

/// One IAM role, normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct RoleState {
    /// Role name (unique in the account, case-insensitively).
    pub name: String,
    /// Role path, `/` by default; always starts and ends with `/`.
    #[serde(default = "default_path")]
    pub path: String,
    /// Description; IAM's empty description is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Maximum session duration in seconds.
    #[serde(default = "default_max_session")]
    pub max_session_duration: u32,
    /// Who may assume the role.
    pub trust_policy: Policy,
    /// ARN of the permissions boundary policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub permissions_boundary: Option<String>,
    /// ARNs of attached managed policies.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub managed_policies: BTreeSet<String>,
    /// Inline policies by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub inline_policies: BTreeMap<String, Policy>,
    /// Tags (the ownership tag included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// Set for service-linked roles, which only their service may change.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service_linked: Option<ServiceLinked>,
}

fn default_path() -> String {
    "/".to_owned()
}

fn default_max_session() -> u32 {
    DEFAULT_MAX_SESSION_DURATION
}

impl RoleState {
    /// The role's ARN in the given account.
    pub fn arn(&self, partition: &str, account_id: &str) -> String {
        format!(
            "arn:{partition}:iam::{account_id}:role{}{}",
            self.path, self.name
        )
    }

    /// Whether the ownership tag marks this role as rolesmith's.
    pub fn is_owned_by(&self, ownership: &Ownership) -> bool {
        ownership.is_on(&self.tags)
    }
}

/// What makes a role service-linked.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ServiceLinked {
    /// The service principal that owns the role, e.g. `autoscaling.amazonaws.com`.
    pub service: String,
    /// Suffix appended to the role name, where the service allows one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub custom_suffix: Option<String>,
}

/// One IAM instance profile, normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceProfileState {
    /// Profile name.
    pub name: String,
    /// Profile path.
    #[serde(default = "default_path")]
    pub path: String,
    /// Names of the roles in the profile (IAM allows at most one).
    #[serde(default)]
    pub roles: BTreeSet<String>,
    /// Tags (the ownership tag included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
}

impl InstanceProfileState {
    /// The profile's ARN in the given account.
    pub fn arn(&self, partition: &str, account_id: &str) -> String {
        format!(
            "arn:{partition}:iam::{account_id}:instance-profile{}{}",
            self.path, self.name
        )
    }
}

/// An EC2 instance as far as bindings care: its state, tags and profile association.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct InstanceState {
    /// Instance id, `i-…`.
    pub id: String,
    /// Lifecycle state (`pending`, `running`, `stopping`, `stopped`, `terminated`, …).
    #[serde(default = "default_instance_state")]
    pub state: String,
    /// Instance tags.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// The instance profile association, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub association: Option<Association>,
}

fn default_instance_state() -> String {
    "running".to_owned()
}

/// The lifecycle states bindings consider (terminated and shutting-down instances are ignored);
/// the EC2 reader asks for exactly these.
pub const BINDABLE_STATES: [&str; 4] = ["pending", "running", "stopping", "stopped"];

/// The state recorded for an instance seen only through its profile association (EC2 keeps
/// associations only for live instances, so it counts as bindable).
pub const UNDESCRIBED_STATE: &str = "unknown";

impl InstanceState {
    /// Whether bindings consider this instance.
    pub fn is_bindable(&self) -> bool {
        self.state == UNDESCRIBED_STATE || BINDABLE_STATES.contains(&self.state.as_str())
    }
}

/// An instance's association with an instance profile.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct Association {
    /// Association id, `iip-assoc-…`.
    pub id: String,
    /// Name of the associated instance profile.
    pub profile: String,
}

/// The tag that marks a resource as managed by rolesmith.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ownership {
    /// Tag key, `managed-by` by default.
    pub key: String,
    /// Tag value, `rolesmith` by default.
    pub value: String,
}

impl Default for Ownership {
    fn default() -> Self {
        Self {
            key: "managed-by".to_owned(),
            value: "rolesmith".to_owned(),
        }
    }
}

impl Ownership {
    /// Whether a tag set carries this ownership tag.
    pub fn is_on(&self, tags: &BTreeMap<String, String>) -> bool {
        tags.get(&self.key).is_some_and(|v| v == &self.value)
    }
}

pub mod desired;
pub mod ignore;
pub mod policy;
pub mod provider;

pub use desired::{BindingSpec, DesiredRole, DesiredState, Expiring, Origin};
pub use policy::{DesiredPolicy, ManagedPolicyState, PolicyVersion, policy_arn};
pub use provider::{
    DesiredOidcProvider, DesiredProvider, DesiredSamlProvider, OidcProviderState, SamlProviderState,
};

/// One key's edit between two tag sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TagEdit<'a> {
    /// The key is new.
    Added {
        /// Key.
        key: &'a str,
        /// Its value.
        value: &'a str,
    },
    /// The key's value changes.
    Changed {
        /// Key.
        key: &'a str,
        /// Value before.
        from: &'a str,
        /// Value after.
        to: &'a str,
    },
    /// The key goes away.
    Removed {
        /// Key.
        key: &'a str,
        /// The value it had.
        value: &'a str,
    },
}

/// `k=v, k=v` for a tag map (or a tag selector), as plans and warnings print them.
pub fn tags_inline(tags: &BTreeMap<String, String>) -> String {
    tags.iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// How tag set `from` becomes `to`, key by key: added and changed keys in `to`'s order, then
/// removed keys in `from`'s order. The one place the per-key delta is computed (plans, text and
/// drift renderers).
pub fn tag_edits<'a>(
    from: &'a BTreeMap<String, String>,
    to: &'a BTreeMap<String, String>,
) -> Vec<TagEdit<'a>> {
    let mut edits = Vec::new();
    for (key, value) in to {
        match from.get(key) {
            None => edits.push(TagEdit::Added { key, value }),
            Some(old) if old != value => edits.push(TagEdit::Changed {
                key,
                from: old,
                to: value,
            }),
            Some(_) => {}
        }
    }
    for (key, value) in from {
        if !to.contains_key(key) {
            edits.push(TagEdit::Removed { key, value });
        }
    }
    edits
}

/// The writes that turn tag set `from` into `to`: keys to set (added or changed, with their new
/// values) and keys to remove.
pub fn tag_writes(
    from: &BTreeMap<String, String>,
    to: &BTreeMap<String, String>,
) -> (BTreeMap<String, String>, BTreeSet<String>) {
    let mut set = BTreeMap::new();
    let mut removed = BTreeSet::new();
    for edit in tag_edits(from, to) {
        match edit {
            TagEdit::Added { key, value: to } | TagEdit::Changed { key, to, .. } => {
                set.insert(key.to_owned(), to.to_owned());
            }
            TagEdit::Removed { key, .. } => {
                removed.insert(key.to_owned());
            }
        }
    }
    (set, removed)
}
