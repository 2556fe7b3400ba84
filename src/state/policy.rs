//! Customer managed policies in the normalized model.
//!
//! A policy's identity is its name (unique in the account, case-insensitively, whatever the
//! path); its ARN holds the path. The live side knows the versions IAM keeps (at most five,
//! one of them the default) and what is attached to it outside the roles read, because both
//! decide what a plan may do: a document change needs room for a version, and an attachment to
//! a user or group blocks a deletion.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::policy::Policy;
use crate::state::{AccountState, Origin, Ownership};

/// What the name of a replacement's temporary copy ends with (`diff::bridge_name`); reserved,
/// so no manifest may declare a policy named like it.
pub const BRIDGE_SUFFIX: &str = ".rolesmith-swap";

/// IAM's limit on the versions one managed policy keeps.
pub const MAX_POLICY_VERSIONS: usize = 5;

/// One customer managed policy, normalized.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct ManagedPolicyState {
    /// Policy name.
    pub name: String,
    /// Policy path, `/` by default.
    #[serde(default = "default_path")]
    pub path: String,
    /// Description (immutable in IAM); an empty one is `None`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The default version's document.
    pub document: Policy,
    /// The default version's id, e.g. `v3` (empty on the desired side).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub default_version: String,
    /// Every version IAM keeps, oldest first, the default included (empty on the desired side).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub versions: Vec<PolicyVersion>,
    /// Tags (the ownership tag included).
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub tags: BTreeMap<String, String>,
    /// What uses the policy besides the roles read, e.g. `user alice`, `group ops`: an
    /// attachment rolesmith does not manage, which blocks deleting or replacing the policy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub attached_elsewhere: Vec<String>,
}

/// One stored version of a managed policy.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct PolicyVersion {
    /// Version id, `v1`, `v2`, …
    pub id: String,
    /// Its document.
    pub document: Policy,
}

fn default_path() -> String {
    "/".to_owned()
}

impl ManagedPolicyState {
    /// The policy's ARN in the given account: `arn:P:iam::ACCOUNT:policy<path><name>`.
    pub fn arn(&self, partition: &str, account_id: &str) -> String {
        policy_arn(partition, account_id, &self.path, &self.name)
    }

    /// Whether the ownership tag marks this policy as rolesmith's.
    pub fn is_owned_by(&self, ownership: &Ownership) -> bool {
        ownership.is_on(&self.tags)
    }

    /// The version to delete to make room for a new one when IAM's five are kept: the oldest
    /// that is not the default (never the default).
    pub fn oldest_deletable_version(&self) -> Option<&PolicyVersion> {
        if self.versions.len() < MAX_POLICY_VERSIONS {
            return None;
        }
        self.versions
            .iter()
            .filter(|v| v.id != self.default_version)
            .min_by_key(|v| version_number(&v.id))
    }

    /// The id of the newest version (the highest number), empty without versions: the
    /// default unless someone set an older one as default by hand.
    pub fn newest_version_id(&self) -> &str {
        self.versions
            .iter()
            .max_by_key(|v| version_number(&v.id))
            .map_or("", |v| v.id.as_str())
    }
}

/// A customer managed policy's ARN.
pub fn policy_arn(partition: &str, account_id: &str, path: &str, name: &str) -> String {
    format!("arn:{partition}:iam::{account_id}:policy{path}{name}")
}

/// The number in a version id (`v12` → 12), for ordering versions as IAM numbers them.
pub fn version_number(id: &str) -> u64 {
    id.trim_start_matches(['v', 'V']).parse().unwrap_or(0)
}

/// One declared managed policy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DesiredPolicy {
    /// The policy as it should be, ownership tag included.
    pub policy: ManagedPolicyState,
    /// Take over the policy if it exists without the ownership tag.
    pub adopt: bool,
    /// Where the manifest is.
    pub origin: Origin,
}

impl AccountState {
    /// Finds a managed policy the way IAM does: names are unique case-insensitively.
    pub fn find_policy(&self, name: &str) -> Option<&ManagedPolicyState> {
        self.policies.get(name).or_else(|| {
            self.policies
                .values()
                .find(|p| p.name.eq_ignore_ascii_case(name))
        })
    }

    /// Names of the roles read that attach `arn` or use it as permissions boundary.
    pub fn roles_using_policy<'a>(&'a self, arn: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.roles
            .values()
            .filter(move |r| {
                r.managed_policies.contains(arn) || r.permissions_boundary.as_deref() == Some(arn)
            })
            .map(|r| r.name.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn room_is_made_by_the_oldest_non_default_whatever_the_listing_order() {
        let doc = Policy::from_json_str(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
            &crate::policy::NormalizeContext::default(),
        )
        .expect("policy");
        let version = |id: &str| PolicyVersion {
            id: id.into(),
            document: doc.clone(),
        };
        let policy = ManagedPolicyState {
            name: "p".into(),
            path: "/".into(),
            description: None,
            document: doc.clone(),
            default_version: "v9".into(),
            versions: ["v9", "v10", "v6", "v8", "v7"].map(version).to_vec(),
            tags: BTreeMap::new(),
            attached_elsewhere: Vec::new(),
        };
        assert_eq!(
            policy.oldest_deletable_version().map(|v| v.id.as_str()),
            Some("v6")
        );
        assert_eq!(policy.newest_version_id(), "v10");
    }
}
