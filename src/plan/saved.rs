//! Saved plans: `plan --out plan.json` and `apply plan.json`.
//!
//! A saved plan holds the steps to run plus what they were computed from: a digest of the
//! manifest files, the settings that shaped the plan, and a fingerprint of the live state of
//! every resource the plan depends on (each declared role, each owned role, their instance
//! profiles, the instances read, and the set of owned role names). Before apply runs the steps
//! it re-reads exactly those resources; if any fingerprint moved, or a manifest changed, the plan
//! is stale and apply refuses rather than run steps computed against a world that is gone. Apply
//! never re-diffs: the steps it runs are the steps the reviewer saw.
//!
//! Fingerprints are SHA-256 over the canonical JSON of each resource's normalized state (the
//! model's maps are ordered and policies canonical, so equal states hash equally). The state
//! itself is kept beside the hash so a refusal can say *what* moved ("trust policy edited").
//! Roles that are neither declared nor owned are not fingerprinted: someone editing their own
//! hand-made role must not block an unrelated apply.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::account::ReadScope;
use crate::diff::change::{Address, AttributeChange};
use crate::plan::{FORMAT_VERSION, Plan, PlanId, Step, wire};
use crate::state::{
    AccountState, DesiredState, InstanceProfileState, InstanceState, Ownership, RoleState,
};

/// The `kind` marking a JSON file as a saved plan.
pub const KIND: &str = "rolesmith-saved-plan";

/// Hex SHA-256 of some bytes.
fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest.iter() {
        out.push_str(&format!("{b:02x}"));
    }
    out
}

/// What the manifests were when the plan was made: one digest per file and one over all.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestDigest {
    /// SHA-256 over the sorted `(path, file digest)` pairs.
    pub sha256: String,
    /// SHA-256 of each file's contents, by path.
    pub files: BTreeMap<PathBuf, String>,
}

/// How the manifests differ from the ones a plan was made from.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ManifestChanges {
    /// Files whose contents differ.
    pub edited: Vec<PathBuf>,
    /// Files that were not there.
    pub added: Vec<PathBuf>,
    /// Files that are gone.
    pub removed: Vec<PathBuf>,
}

impl ManifestChanges {
    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.edited.is_empty() && self.added.is_empty() && self.removed.is_empty()
    }
}

impl ManifestDigest {
    /// Digests the given files (read now), in path order.
    pub fn of_files(files: &[PathBuf]) -> std::io::Result<Self> {
        let mut digests = BTreeMap::new();
        for file in files {
            let bytes = fs_err::read(file)?;
            digests.insert(file.clone(), sha256_hex(&bytes));
        }
        let mut all = Sha256::new();
        for (path, digest) in &digests {
            all.update(path.to_string_lossy().as_bytes());
            all.update([0]);
            all.update(digest.as_bytes());
            all.update([b'\n']);
        }
        let sha256 = sha256_hex(&all.finalize());
        Ok(Self {
            sha256,
            files: digests,
        })
    }

    /// What differs in `now` compared with `self`.
    pub fn changes(&self, now: &ManifestDigest) -> ManifestChanges {
        let mut c = ManifestChanges::default();
        if self.sha256 == now.sha256 {
            return c;
        }
        for (path, digest) in &self.files {
            match now.files.get(path) {
                None => c.removed.push(path.clone()),
                Some(d) if d != digest => c.edited.push(path.clone()),
                Some(_) => {}
            }
        }
        c.added = now
            .files
            .keys()
            .filter(|p| !self.files.contains_key(*p))
            .cloned()
            .collect();
        c
    }
}

/// A resource's state when the plan was made (`None`: it did not exist), with its hash.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fingerprint<T> {
    /// SHA-256 of the state's canonical JSON (of `null` when absent).
    pub sha256: String,
    /// The state itself.
    pub state: Option<T>,
}

impl<T: Serialize + Clone> Fingerprint<T> {
    fn of(state: Option<&T>) -> Self {
        // Plain data with string keys always serializes; a failure must not make two states
        // hash alike, so it hashes the failure's text instead of nothing.
        let json = serde_json::to_vec(&state).unwrap_or_else(|e| e.to_string().into_bytes());
        Self {
            sha256: sha256_hex(&json),
            state: state.cloned(),
        }
    }
}

/// The live state a plan depends on.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub struct LiveFingerprint {
    /// Names of the roles carrying the ownership tag.
    pub owned_roles: BTreeSet<String>,
    /// Declared and owned roles, by name.
    pub roles: BTreeMap<String, Fingerprint<RoleState>>,
    /// Declared instance profiles and those holding a fingerprinted role, by name.
    pub instance_profiles: BTreeMap<String, Fingerprint<InstanceProfileState>>,
    /// Every instance read (the read is already scoped to what bindings need), by id.
    pub instances: BTreeMap<String, Fingerprint<InstanceState>>,
}

fn owned_roles(live: &AccountState, ownership: &Ownership) -> BTreeSet<String> {
    live.roles
        .values()
        .filter(|r| r.is_owned_by(ownership))
        .map(|r| r.name.clone())
        .collect()
}

impl LiveFingerprint {
    /// Fingerprints what a plan of `desired` against `live` depends on.
    pub fn take(desired: &DesiredState, live: &AccountState, ownership: &Ownership) -> Self {
        let owned = owned_roles(live, ownership);
        let role_names: BTreeSet<String> = desired.roles.keys().chain(&owned).cloned().collect();
        let mut profile_names: BTreeSet<String> = desired
            .roles
            .values()
            .filter_map(|r| r.instance_profile.as_ref().map(|p| p.name.clone()))
            .collect();
        for name in &role_names {
            if let Some(role) = live.find_role(name) {
                profile_names.extend(live.profiles_of_role(&role.name).map(|p| p.name.clone()));
            }
        }
        let instance_ids: BTreeSet<String> = live.instances.keys().cloned().collect();
        Self::of(live, ownership, &role_names, &profile_names, &instance_ids)
    }

    /// Fingerprints the same resources again in `live` (instances: every one read now, so a new
    /// instance a selector would pick is seen).
    pub fn retake(&self, live: &AccountState, ownership: &Ownership) -> Self {
        let roles: BTreeSet<String> = self.roles.keys().cloned().collect();
        let profiles: BTreeSet<String> = self.instance_profiles.keys().cloned().collect();
        let instances: BTreeSet<String> = self
            .instances
            .keys()
            .chain(live.instances.keys())
            .cloned()
            .collect();
        Self::of(live, ownership, &roles, &profiles, &instances)
    }

    fn of(
        live: &AccountState,
        ownership: &Ownership,
        roles: &BTreeSet<String>,
        profiles: &BTreeSet<String>,
        instances: &BTreeSet<String>,
    ) -> Self {
        Self {
            owned_roles: owned_roles(live, ownership),
            roles: roles
                .iter()
                .map(|n| (n.clone(), Fingerprint::of(live.find_role(n))))
                .collect(),
            instance_profiles: profiles
                .iter()
                .map(|n| (n.clone(), Fingerprint::of(live.instance_profiles.get(n))))
                .collect(),
            instances: instances
                .iter()
                .map(|n| (n.clone(), Fingerprint::of(live.instances.get(n))))
                .collect(),
        }
    }

    /// What moved between `self` (when planned) and `now`, resource by resource. Attributes are
    /// compared by the diff's own comparisons, oriented like drift findings: `before` is the
    /// state now, `after` the one planned against.
    pub fn moved(&self, now: &LiveFingerprint) -> Vec<Moved> {
        let mut out = Vec::new();
        out.extend(moved_in(&self.roles, &now.roles, Address::Role, |a, b| {
            crate::diff::role_attributes(b, a)
        }));
        out.extend(moved_in(
            &self.instance_profiles,
            &now.instance_profiles,
            Address::InstanceProfile,
            |a, b| crate::diff::profile_attributes(b, a),
        ));
        let ids: BTreeSet<&String> = self.instances.keys().chain(now.instances.keys()).collect();
        for id in ids {
            let then = self.instances.get(id).and_then(|f| f.state.as_ref());
            let current = now.instances.get(id).and_then(|f| f.state.as_ref());
            if then == current {
                continue;
            }
            let how = match (then, current) {
                (None, Some(_)) => How::Appeared,
                (Some(_), None) => How::Disappeared,
                (Some(a), Some(b)) if a.association != b.association => {
                    How::Changed(crate::diff::instance_attributes(b, a))
                }
                (Some(a), Some(b)) if a.state != b.state => How::InstanceState {
                    before: a.state.clone(),
                    after: b.state.clone(),
                },
                _ => How::Changed(Vec::new()),
            };
            out.push(Moved {
                address: Address::Binding(id.clone()),
                how,
            });
        }
        let gained: Vec<String> = now
            .owned_roles
            .difference(&self.owned_roles)
            .filter(|n| !self.roles.contains_key(*n))
            .cloned()
            .collect();
        for name in gained {
            out.push(Moved {
                address: Address::Role(name),
                how: How::BecameOwned,
            });
        }
        out
    }
}

/// What moved among fingerprinted resources of one kind (only those fingerprinted then).
fn moved_in<T>(
    then: &BTreeMap<String, Fingerprint<T>>,
    now: &BTreeMap<String, Fingerprint<T>>,
    address: fn(String) -> Address,
    attributes: impl Fn(&T, &T) -> Vec<AttributeChange>,
) -> Vec<Moved> {
    let mut out = Vec::new();
    for (name, was) in then {
        let Some(is) = now.get(name) else {
            continue;
        };
        if was.sha256 == is.sha256 {
            continue;
        }
        let how = match (&was.state, &is.state) {
            (None, Some(_)) => How::Appeared,
            (Some(_), None) => How::Disappeared,
            (Some(a), Some(b)) => How::Changed(attributes(a, b)),
            (None, None) => How::Changed(Vec::new()),
        };
        out.push(Moved {
            address: address(name.clone()),
            how,
        });
    }
    out
}

/// One resource that differs from when the plan was made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Moved {
    /// The resource (`Binding(id)` for an instance).
    pub address: Address,
    /// How.
    pub how: How,
}

/// How a resource moved. Attribute changes have `before` = now, `after` = when planned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum How {
    /// It exists now and did not.
    Appeared,
    /// It existed and is gone.
    Disappeared,
    /// Attributes differ (empty when only something unlisted moved).
    Changed(Vec<AttributeChange>),
    /// An instance's lifecycle state moved.
    InstanceState {
        /// When planned.
        before: String,
        /// Now.
        after: String,
    },
    /// A role not seen as owned then carries the ownership tag now.
    BecameOwned,
}

/// The settings that shaped a plan. Apply resolves its own settings and refuses a plan whose
/// settings differ, so a plan file cannot widen ownership or point at other manifests.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PlanSettings {
    /// The manifest paths as given.
    pub paths: Vec<PathBuf>,
    /// The ownership tag.
    pub ownership: Ownership,
    /// Whether owned roles without manifests were to be deleted.
    pub prune: bool,
    /// The path prefix the read was limited to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path_prefix: Option<String>,
    /// What beyond IAM was read.
    pub scope: ReadScope,
}

/// What a saved plan was made from: the evidence `apply plan.json` checks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Provenance {
    /// The rolesmith version that wrote it.
    pub rolesmith_version: String,
    /// The settings.
    pub settings: PlanSettings,
    /// The manifests.
    pub manifests: ManifestDigest,
    /// The live state.
    pub live: LiveFingerprint,
}

/// A saved plan as read back: the JSON plan plus its provenance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPlan {
    /// The plan, exactly as it was saved.
    pub plan: Plan,
    /// Its id, checked against its steps when loaded.
    pub plan_id: PlanId,
    /// What it was made from.
    pub provenance: Provenance,
}

/// Why a file cannot be used as a saved plan.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// Unreadable.
    #[error(transparent)]
    Io(#[from] std::io::Error),
    /// Not JSON, or not a saved plan.
    #[error("{path} is not a rolesmith saved plan: {message}")]
    NotASavedPlan {
        /// The file.
        path: PathBuf,
        /// Why.
        message: String,
    },
    /// Written by an incompatible version.
    #[error(
        "{path} is a saved plan of format {found}; this rolesmith reads format {FORMAT_VERSION}"
    )]
    Version {
        /// The file.
        path: PathBuf,
        /// Its version.
        found: String,
    },
    /// The steps do not hash to the plan id the file states: it was edited after it was made.
    #[error(
        "{path} states plan id {stated}, but its steps are plan {actual}: the file was edited after `rolesmith plan` wrote it; nothing was changed"
    )]
    IdMismatch {
        /// The file.
        path: PathBuf,
        /// The id written in the file.
        stated: String,
        /// The id of the steps it holds.
        actual: PlanId,
    },
}

/// Serializes a plan with what it was made from (pretty JSON, trailing newline).
pub fn to_json(plan: &Plan, provenance: &Provenance) -> String {
    wire::to_json(plan, None, Some((KIND, provenance)))
}

impl SavedPlan {
    /// Reads a saved plan and checks that its steps are the plan its id names.
    pub fn load(path: &Path) -> Result<SavedPlan, LoadError> {
        let not_saved = |message: String| LoadError::NotASavedPlan {
            path: path.to_path_buf(),
            message,
        };
        let bytes = fs_err::read(path)?;
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| not_saved(e.to_string()))?;
        if value.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
            return Err(not_saved(format!(
                "it has no `\"kind\": \"{KIND}\"` (write one with `rolesmith plan --out FILE`)"
            )));
        }
        let found = value
            .get("format_version")
            .and_then(|v| v.as_str())
            .unwrap_or("?");
        if found.split('.').next() != FORMAT_VERSION.split('.').next() {
            return Err(LoadError::Version {
                path: path.to_path_buf(),
                found: found.to_owned(),
            });
        }
        let doc: wire::PlanDocument<Provenance> =
            wire::from_json(value).map_err(|e| not_saved(e.to_string()))?;
        let provenance = doc
            .provenance
            .ok_or_else(|| not_saved("it has no `provenance`".into()))?;
        let plan = Plan::from(doc.plan);
        let actual = plan.id();
        let stated = doc.plan_id.map(|id| id.0).unwrap_or_default();
        if !plan.steps.is_empty() && !actual.matches(&stated) {
            return Err(LoadError::IdMismatch {
                path: path.to_path_buf(),
                stated: if stated.is_empty() {
                    "none".into()
                } else {
                    stated
                },
                actual,
            });
        }
        Ok(SavedPlan {
            plan,
            plan_id: actual,
            provenance,
        })
    }
}

/// How a saved plan differs from the plan its inputs yield now.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Unproven {
    /// Saved steps the inputs do not yield (`operation target`), in saved order.
    pub extra: Vec<String>,
    /// Steps the inputs yield that the saved plan lacks.
    pub missing: Vec<String>,
    /// The same steps in another order.
    pub reordered: bool,
    /// The changes, conflicts or notes shown to the reviewer differ.
    pub description_differs: bool,
}

impl std::fmt::Display for Unproven {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |v: &[String]| {
            let mut shown: Vec<&str> = v.iter().take(5).map(String::as_str).collect();
            let more = v.len().saturating_sub(5);
            let more = format!("… ({more} more)");
            if v.len() > 5 {
                shown.push(&more);
            }
            shown.join("; ")
        };
        let mut parts = Vec::new();
        if !self.extra.is_empty() {
            parts.push(format!(
                "{} step(s) the manifests and the account do not yield: {}",
                self.extra.len(),
                list(&self.extra)
            ));
        }
        if !self.missing.is_empty() {
            parts.push(format!(
                "{} step(s) they yield are missing: {}",
                self.missing.len(),
                list(&self.missing)
            ));
        }
        if self.reordered {
            parts.push("the steps are in another order".into());
        }
        if self.description_differs {
            parts.push("the changes it describes differ from the steps it runs".into());
        }
        f.write_str(&parts.join("; "))
    }
}

/// Proves a saved plan: the plan re-derived from the same manifests and the re-read account
/// must equal it exactly (steps, order, and what it says it changes). The re-derivation is
/// evidence only; apply runs the saved steps.
pub fn prove(saved: &Plan, derived: &Plan) -> Result<(), Unproven> {
    if saved == derived {
        return Ok(());
    }
    let describe = |s: &Step| format!("{} {}", s.mutation.operation(), s.mutation.target());
    let mut out = Unproven::default();
    let mut pool: Vec<&Step> = derived.steps.iter().collect();
    for step in &saved.steps {
        match pool.iter().position(|d| *d == step) {
            Some(i) => {
                pool.swap_remove(i);
            }
            None => out.extra.push(describe(step)),
        }
    }
    out.missing = pool.into_iter().map(describe).collect();
    out.reordered = out.extra.is_empty() && out.missing.is_empty() && saved.steps != derived.steps;
    out.description_differs = saved.changes != derived.changes
        || saved.conflicts != derived.conflicts
        || saved.notes != derived.notes
        || saved.account_id != derived.account_id;
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::policy::{NormalizeContext, Policy};
    use crate::state::{DesiredRole, Origin};

    fn trust(service: &str) -> Policy {
        Policy::from_json_str(
            &format!(
                r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Service":"{service}"}},"Action":"sts:AssumeRole"}}]}}"#
            ),
            &NormalizeContext::default(),
        )
        .unwrap()
    }

    fn role(name: &str, owned: bool) -> RoleState {
        RoleState {
            name: name.into(),
            path: "/".into(),
            description: None,
            max_session_duration: 3600,
            trust_policy: trust("ec2.amazonaws.com"),
            permissions_boundary: None,
            managed_policies: BTreeSet::new(),
            inline_policies: BTreeMap::new(),
            tags: if owned {
                BTreeMap::from([("managed-by".into(), "rolesmith".into())])
            } else {
                BTreeMap::new()
            },
            service_linked: None,
        }
    }

    fn account(roles: &[RoleState]) -> AccountState {
        let mut a = AccountState::empty("123456789012", "aws");
        for r in roles {
            a.roles.insert(r.name.clone(), r.clone());
        }
        a
    }

    fn desired(names: &[&str]) -> DesiredState {
        DesiredState {
            roles: names
                .iter()
                .map(|n| {
                    (
                        (*n).to_owned(),
                        DesiredRole {
                            role: role(n, true),
                            adopt: false,
                            origin: Origin {
                                file: "r.yaml".into(),
                                line: 1,
                            },
                            instance_profile: None,
                            bindings: None,
                        },
                    )
                })
                .collect(),
        }
    }

    #[test]
    fn unchanged_state_has_not_moved_and_hand_made_roles_do_not_count() {
        let live = account(&[role("web", true), role("old", true), role("hand", false)]);
        let own = Ownership::default();
        let fp = LiveFingerprint::take(&desired(&["web", "new"]), &live, &own);
        assert_eq!(
            fp.roles.keys().collect::<Vec<_>>(),
            ["new", "old", "web"],
            "declared and owned roles only"
        );
        let mut edited = live.clone();
        edited.roles.get_mut("hand").unwrap().description = Some("x".into());
        assert!(fp.moved(&fp.retake(&edited, &own)).is_empty());
    }

    #[test]
    fn a_trust_edit_is_named() {
        let live = account(&[role("web", true)]);
        let own = Ownership::default();
        let fp = LiveFingerprint::take(&desired(&["web"]), &live, &own);
        let mut edited = live.clone();
        edited.roles.get_mut("web").unwrap().trust_policy = trust("lambda.amazonaws.com");
        let moved = fp.moved(&fp.retake(&edited, &own));
        assert_eq!(moved.len(), 1, "{moved:#?}");
        let How::Changed(attrs) = &moved[0].how else {
            panic!("{moved:#?}")
        };
        assert!(matches!(attrs[..], [AttributeChange::TrustPolicy { .. }]));
    }

    #[test]
    fn appearing_declared_role_and_newly_owned_role_are_moves() {
        let live = account(&[role("hand", false)]);
        let own = Ownership::default();
        let fp = LiveFingerprint::take(&desired(&["web"]), &live, &own);
        let now = account(&[role("hand", true), role("web", true)]);
        let moved = fp.moved(&fp.retake(&now, &own));
        let hows: Vec<_> = moved
            .iter()
            .map(|m| (m.address.to_string(), m.how.clone()))
            .collect();
        assert_eq!(
            hows,
            [
                ("role.web".to_owned(), How::Appeared),
                ("role.hand".to_owned(), How::BecameOwned)
            ]
        );
    }

    #[test]
    fn manifest_digest_names_edited_added_and_removed_files() {
        let dir = tempfile::tempdir().unwrap();
        let (a, b, c) = (
            dir.path().join("a.yaml"),
            dir.path().join("b.yaml"),
            dir.path().join("c.yaml"),
        );
        std::fs::write(&a, "a").unwrap();
        std::fs::write(&b, "b").unwrap();
        let then = ManifestDigest::of_files(&[b.clone(), a.clone()]).unwrap();
        assert_eq!(
            then,
            ManifestDigest::of_files(&[a.clone(), b.clone()]).unwrap(),
            "order of discovery does not matter"
        );
        std::fs::write(&a, "a2").unwrap();
        std::fs::write(&c, "c").unwrap();
        let now = ManifestDigest::of_files(&[a.clone(), c.clone()]).unwrap();
        let ch = then.changes(&now);
        assert_eq!(
            (ch.edited, ch.added, ch.removed),
            (vec![a], vec![c], vec![b])
        );
    }
}
