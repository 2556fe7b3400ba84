//! Plans: the changes of a diff ordered into executable steps.
//!
//! A [`Plan`] is plain data. Its steps are grouped in [`Phase`]s whose order is the point of the
//! design: creates before updates, new permissions granted before old ones are revoked (so no
//! change opens a permission gap, unless a quota forces room to be made first), and deletes in
//! reverse dependency order. `apply` runs the steps as they are; it never re-diffs.

pub mod context;
pub mod expiries;
pub mod fingerprint;
mod order;
mod policy_steps;
pub mod saved;
pub mod saved_accounts;
pub mod wire;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use crate::diff::change::{
    Action, Address, AttributeChange, BindingState, Change, Conflict, Resource,
};
pub use context::{AccountSource, CiRun, RunContext};
pub use order::build_steps;

use crate::account::Mutation;
use crate::diff::Diff;
use crate::quotas::Limits;
use crate::state::AccountState;

/// The version of the JSON plan format, `MAJOR.MINOR`: a new field raises the minor (readers
/// ignore fields they do not know), anything else the major (saved plans of another major are
/// refused). 1.1 added `context`.
pub const FORMAT_VERSION: &str = "1.1";

/// When a step runs. Phases run in this order; steps within a phase are independent of each
/// other across roles.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Instances stop carrying profiles that go away or that they no longer should.
    Disassociate,
    /// Roles leave instance profiles that are deleted, replaced or change role.
    RemoveRolesFromProfiles,
    /// Instance profiles are deleted.
    DeleteProfiles,
    /// Policies of roles about to be deleted are detached and deleted.
    TeardownRoles,
    /// Roles are deleted.
    DeleteRoles,
    /// OIDC and SAML providers are created or updated in place, before the roles that trust
    /// them.
    CreateProviders,
    /// Managed policies are created (new ones, and the temporary copy a replacement needs),
    /// before any role attaches them or takes them as boundary.
    CreatePolicies,
    /// Managed policies get a new default version (after making room) and their tags.
    UpdatePolicies,
    /// A replaced policy's temporary copy is attached (or set as boundary) wherever the policy
    /// is, so no role loses its permissions while the policy is recreated.
    BridgePolicies,
    /// A replaced policy is detached from the roles the copy now covers.
    ReleaseReplacedPolicies,
    /// A replaced policy is deleted (versions first) and created again with its new path or
    /// description; roles take it back in the phases below, then drop the copy.
    ReplacePolicies,
    /// Roles are created (with trust, boundary and tags).
    CreateRoles,
    /// Role settings, trust, boundaries and tags are updated.
    ConfigureRoles,
    /// Policies are removed first only where a quota leaves no room to add before removing.
    MakeRoom,
    /// Managed policies are attached and inline policies put.
    GrantPolicies,
    /// Managed policies are detached and inline policies deleted, after the new ones are in.
    RevokePolicies,
    /// Managed policies about to be deleted are detached from the roles that remain and
    /// removed as their boundary, after every role change.
    DetachPolicies,
    /// Managed policies are deleted: non-default versions first, then the policy.
    DeletePolicies,
    /// Instance profiles are created or tagged.
    CreateProfiles,
    /// Roles are added to instance profiles.
    AddRolesToProfiles,
    /// Instances are given their profiles (EC2 may need time to see a new profile).
    Associate,
    /// Identity providers no manifest declares are deleted, after every role that trusted them.
    DeleteProviders,
}

/// One mutation at its place in the order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// When it runs.
    pub phase: Phase,
    /// What it does.
    pub mutation: Mutation,
}

/// A plan's content digest, e.g. `sha256:3f2a9c0e5b7d1a46` (see [`Plan::id`]).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct PlanId(pub String);

impl std::fmt::Display for PlanId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl PlanId {
    /// Whether `given` names this plan: the whole id, with or without the `sha256:` prefix.
    pub fn matches(&self, given: &str) -> bool {
        let given = given.trim();
        let bare = self.0.strip_prefix("sha256:").unwrap_or(&self.0);
        given.eq_ignore_ascii_case(&self.0) || given.eq_ignore_ascii_case(bare)
    }
}

/// Counts for the summary line.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Summary {
    /// Resources created (replacements count here and in `destroy`).
    pub add: usize,
    /// Resources changed in place.
    pub change: usize,
    /// Resources destroyed.
    pub destroy: usize,
    /// Resources rolesmith will not touch.
    pub conflicts: usize,
}

/// A complete plan. Its one serialization is [`wire`] (the JSON plan, and saved plans).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The account the plan is for.
    pub account_id: String,
    /// Resource changes, deletions first.
    pub changes: Vec<Change>,
    /// Resources in the way.
    pub conflicts: Vec<Conflict>,
    /// Notes for the reader.
    pub notes: Vec<String>,
    /// What is probably not what the manifests meant (see [`Diff::warnings`]).
    pub warnings: Vec<String>,
    /// The steps apply runs, in order.
    pub steps: Vec<Step>,
}

impl Plan {
    /// Orders a diff into a plan.
    pub fn build(diff: Diff, live: &AccountState, limits: &Limits) -> Self {
        let (steps, mut notes) = build_steps(&diff.changes, live, limits);
        let mut changes: Vec<Change> = diff
            .changes
            .into_iter()
            .map(Change::without_documents)
            .collect();
        // Deletions first, so the reader sees them before anything else.
        changes.sort_by_key(|c| (c.action != Action::Delete, c.address.clone()));
        notes.extend(diff.notes);
        Self {
            account_id: live.account_id.clone(),
            changes,
            conflicts: diff.conflicts,
            notes,
            warnings: diff.warnings,
            steps,
        }
    }

    /// Whether the account matches the manifests: no change, no step, nothing in the way.
    /// (Conflicts count: the manifests are not realized while something is in the way, so
    /// `--detailed-exitcode` reports them as changes present.)
    pub fn is_empty(&self) -> bool {
        self.changes.is_empty() && self.steps.is_empty() && self.conflicts.is_empty()
    }

    /// The plan id: a content digest of the account and the steps, `sha256:` and 16 hex digits
    /// (64 bits, too many to forge a colliding plan). Two plans with the same id run the same
    /// mutations in the same order against the same account; the PR comment shows it so the
    /// apply job can insist on the plan that was reviewed (`--expect-plan-id`).
    pub fn id(&self) -> PlanId {
        let mut hash = Sha256::new();
        hash.update(self.account_id.as_bytes());
        hash.update([0]);
        for step in &self.steps {
            // Serializing plain data with string keys cannot fail; were it ever to, the step
            // still contributes its operation and target, never nothing.
            match serde_json::to_vec(step) {
                Ok(bytes) => hash.update(&bytes),
                Err(_) => hash.update(format!("{:?}", step).as_bytes()),
            }
            hash.update([b'\n']);
        }
        let digest = hash.finalize();
        let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
        PlanId(format!("sha256:{hex}"))
    }

    /// Roles (by name), managed policies (`policy NAME`) and identity providers (`OIDC provider
    /// URL`, `SAML provider NAME`) the plan deletes — replacements are not deletions, nor is the
    /// temporary copy of a replacement — for the `--max-deletions` guard. Instance profiles and
    /// bindings go with their roles and are not counted.
    pub fn deletions(&self) -> Vec<String> {
        self.changes
            .iter()
            .filter(|c| c.action == Action::Delete)
            .filter_map(|c| match &c.address {
                Address::Role(n) => Some(n.clone()),
                Address::Policy(n) if !n.ends_with(crate::state::policy::BRIDGE_SUFFIX) => {
                    Some(format!("policy {n}"))
                }
                Address::OidcProvider(u) => Some(format!("OIDC provider {u}")),
                Address::SamlProvider(n) => Some(format!("SAML provider {n}")),
                _ => None,
            })
            .collect()
    }

    /// Counts by action.
    pub fn summary(&self) -> Summary {
        let mut s = Summary {
            conflicts: self.conflicts.len(),
            ..Summary::default()
        };
        for c in &self.changes {
            match c.action {
                Action::Create => s.add += 1,
                Action::Update => s.change += 1,
                Action::Delete => s.destroy += 1,
                Action::Replace => {
                    s.add += 1;
                    s.destroy += 1;
                }
            }
        }
        s
    }
}
