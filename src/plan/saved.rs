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
//! The live fingerprint is in [`fingerprint`](super::fingerprint); the proof that a saved plan
//! is the plan its inputs yield is [`prove`] here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::account::ReadScope;
use crate::plan::fingerprint::sha256_hex;
pub use crate::plan::fingerprint::{Fingerprint, How, LiveFingerprint, Moved};
use crate::plan::{FORMAT_VERSION, Plan, PlanId, RunContext, Step, wire};
use crate::state::Ownership;

/// The `kind` marking a JSON file as a saved plan.
pub const KIND: &str = "rolesmith-saved-plan";

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
    /// The `--target` addresses of a partial plan (empty: the whole plan).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub targets: Vec<crate::diff::Address>,
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
    /// The instant the plan was made at (`expiresAt` was compared with it): apply proves the
    /// plan at this instant, and refuses it if an `expiresAt` falls between it and the apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub planned_at: Option<crate::expiry::Instant>,
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
    /// What the plan run ran against (shown, never checked: the proof re-reads the account).
    pub context: Option<RunContext>,
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

/// Serializes a plan with what it was made from and, when given, what it ran against (pretty
/// JSON, trailing newline).
pub fn to_json(plan: &Plan, context: Option<&RunContext>, provenance: &Provenance) -> String {
    wire::to_json(plan, context, None, Some((KIND, provenance)))
}

impl SavedPlan {
    /// Reads a saved plan and checks that its steps are the plan its id names.
    pub fn load(path: &Path) -> Result<SavedPlan, LoadError> {
        Self::from_value(read_json(path)?, path)
    }

    /// A saved plan from its JSON `value` (read from `path`, named in errors), its id checked
    /// against its steps.
    pub fn from_value(value: serde_json::Value, path: &Path) -> Result<SavedPlan, LoadError> {
        let not_saved = |message: String| LoadError::NotASavedPlan {
            path: path.to_path_buf(),
            message,
        };
        if value.get("kind").and_then(|k| k.as_str()) != Some(KIND) {
            return Err(not_saved(format!(
                "it has no `\"kind\": \"{KIND}\"` (write one with `rolesmith plan --out FILE`)"
            )));
        }
        check_format(&value, FORMAT_VERSION, path)?;
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
            context: doc.context,
        })
    }
}

/// Refuses a file whose `format_version` has another major version than `supported`.
pub(crate) fn check_format(
    value: &serde_json::Value,
    supported: &str,
    path: &Path,
) -> Result<(), LoadError> {
    let found = value
        .get("format_version")
        .and_then(|v| v.as_str())
        .unwrap_or("?");
    if found.split('.').next() != supported.split('.').next() {
        return Err(LoadError::Version {
            path: path.to_path_buf(),
            found: found.to_owned(),
        });
    }
    Ok(())
}

/// The JSON of the file at `path`.
pub(crate) fn read_json(path: &Path) -> Result<serde_json::Value, LoadError> {
    let bytes = fs_err::read(path)?;
    serde_json::from_slice(&bytes).map_err(|e| LoadError::NotASavedPlan {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
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
        || saved.warnings != derived.warnings
        || saved.account_id != derived.account_id;
    Err(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
