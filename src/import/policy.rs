//! Import of customer managed policies: each policy the import selects becomes a manifest under
//! `policies/` (folders following the policy's path), and the imported roles name it
//! `policy:NAME` instead of by ARN, so the set keeps working when the policy is replaced and
//! planning it against the same account plans nothing (with `--adopt`, only the ownership tags).
//!
//! AWS managed policies are IAM's, not the account's: roles keep naming them `aws:NAME`, and no
//! manifest is written for them.

use std::collections::BTreeMap;
use std::path::PathBuf;

use super::{FileKind, ImportOptions, ImportedFile, file_path, to_yaml};
use crate::manifest::model::{
    ApiVersion, ManagedPolicyKind, ManagedPolicyManifest, ManagedPolicySpec, Metadata,
};
use crate::state::{AccountState, ManagedPolicyState, RoleState};

/// The folder policies are written under.
const FOLDER: &str = "policies";

/// The customer managed policies to import, by ARN: those `--name` selects (all without it) and
/// those an imported role attaches or takes as boundary, so every `policy:NAME` a role manifest
/// says is declared.
pub(super) fn selected<'a>(
    account: &'a AccountState,
    roles: &[&RoleState],
    opts: &ImportOptions,
) -> BTreeMap<String, &'a ManagedPolicyState> {
    let arn = |p: &ManagedPolicyState| p.arn(&account.partition, &account.account_id);
    let used: Vec<&String> = roles
        .iter()
        .flat_map(|r| {
            r.managed_policies
                .iter()
                .chain(r.permissions_boundary.iter())
        })
        .collect();
    account
        .policies
        .values()
        .filter(|p| {
            opts.name.as_ref().is_none_or(|re| re.is_match(&p.name)) || used.contains(&&arn(p))
        })
        .map(|p| (arn(p), p))
        .collect()
}

/// A manifest for each selected policy.
pub(super) fn files(
    policies: &BTreeMap<String, &ManagedPolicyState>,
    opts: &ImportOptions,
) -> Vec<ImportedFile> {
    policies
        .values()
        .map(|p| {
            let path = PathBuf::from(FOLDER).join(file_path(&p.path, &p.name));
            let depth = path.components().count() - 1;
            let modeline = format!(
                "# yaml-language-server: $schema={}{}\n",
                "../".repeat(depth),
                super::SCHEMA_FILE
            );
            ImportedFile {
                path,
                kind: FileKind::ManagedPolicy,
                name: p.name.clone(),
                text: format!("{modeline}{}", to_yaml(&manifest(p, opts))),
            }
        })
        .collect()
}

fn manifest(p: &ManagedPolicyState, opts: &ImportOptions) -> ManagedPolicyManifest {
    let mut tags = p.tags.clone();
    tags.remove(&opts.ownership.key);
    ManagedPolicyManifest {
        api_version: ApiVersion::V1,
        kind: ManagedPolicyKind::ManagedPolicy,
        metadata: Metadata {
            name: p.name.clone(),
        },
        accounts: None,
        overrides: Vec::new(),
        spec: ManagedPolicySpec {
            path: (p.path != "/").then(|| p.path.clone()),
            description: p.description.clone(),
            document: p.document.to_input(),
            tags,
            adopt: opts.adopt && !p.is_owned_by(&opts.ownership),
        },
    }
}

/// How a role manifest names the managed policy `arn`: `policy:NAME` when the policy is
/// imported, `aws:NAME` when it is AWS managed, else the ARN.
pub(super) fn reference(
    arn: &str,
    imported: &BTreeMap<String, &ManagedPolicyState>,
    partition: &str,
) -> String {
    if let Some(p) = imported.get(arn) {
        return format!("policy:{}", p.name);
    }
    match arn.strip_prefix(&format!("arn:{partition}:iam::aws:policy/")) {
        Some(name) => format!("aws:{name}"),
        None => arn.to_owned(),
    }
}
