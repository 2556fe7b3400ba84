//! Import: live roles → manifests, so an existing account can be brought under management.
//!
//! The bar is a zero-diff round trip: importing, then planning against the same account, plans
//! nothing (after `--adopt`, only the ownership tags). Output is deterministic — the same
//! account always gives byte-identical files: keys in model order, maps sorted, policies in
//! canonical form, trust in the shorthand only when it says exactly the same ([`trust`]).

mod trust;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manifest::model::{
    ApiVersion, Ec2Bindings, InstanceProfileSpec, Metadata, NamedInstanceProfile, RoleKind,
    RoleManifest, RoleSpec, ServiceLinkedRoleKind, ServiceLinkedRoleManifest,
    ServiceLinkedRoleSpec,
};
use crate::policy::TrustContext;
use crate::state::{AccountState, DEFAULT_MAX_SESSION_DURATION, Ownership, RoleState};

pub use trust::shorthand as trust_shorthand;

/// What to import and how.
#[derive(Debug, Clone, Default)]
pub struct ImportOptions {
    /// Only roles whose name matches (a regular expression).
    pub name: Option<regex_lite::Regex>,
    /// Write `adopt: true` for roles without the ownership tag.
    pub adopt: bool,
    /// Write `ec2.instances` with the instances that carry the role's profile.
    pub with_bindings: bool,
    /// The ownership tag (left out of the imported tags).
    pub ownership: Ownership,
}

/// One manifest to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    /// Path relative to the output directory.
    pub path: PathBuf,
    /// The role it declares.
    pub role: String,
    /// The file's text.
    pub text: String,
}

/// The result of an import: files to write and notes on what was left out.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Import {
    /// Manifests, ordered by path.
    pub files: Vec<ImportedFile>,
    /// Roles skipped or simplified, and why.
    pub notes: Vec<String>,
}

/// The schema file written next to imported manifests, which their modelines point at.
pub const SCHEMA_FILE: &str = "rolesmith.schema.json";

/// Builds manifests for every role of `account` that the options select.
pub fn import(account: &AccountState, opts: &ImportOptions) -> Import {
    let mut out = Import::default();
    let ctx = TrustContext {
        account_id: account.account_id.clone(),
        partition: account.partition.clone(),
    };
    for role in account.roles.values() {
        if opts
            .name
            .as_ref()
            .is_some_and(|re| !re.is_match(&role.name))
        {
            continue;
        }
        if role.path.starts_with("/aws-reserved/") {
            out.notes.push(format!(
                "skipped {}: roles under /aws-reserved/ belong to AWS (e.g. IAM Identity Center)",
                role.name
            ));
            continue;
        }
        let (path, yaml) = match &role.service_linked {
            Some(slr) => (
                file_path(&role.path, &role.name),
                to_yaml(&ServiceLinkedRoleManifest {
                    api_version: ApiVersion::V1,
                    kind: ServiceLinkedRoleKind::ServiceLinkedRole,
                    metadata: Metadata {
                        name: role.name.clone(),
                    },
                    spec: ServiceLinkedRoleSpec {
                        service: slr.service.clone(),
                        description: role.description.clone(),
                        custom_suffix: slr.custom_suffix.clone(),
                    },
                }),
            ),
            None => (
                file_path(&role.path, &role.name),
                to_yaml(&role_manifest(role, account, opts, &ctx, &mut out.notes)),
            ),
        };
        let depth = path.components().count() - 1;
        let modeline = format!(
            "# yaml-language-server: $schema={}{SCHEMA_FILE}\n",
            "../".repeat(depth)
        );
        out.files.push(ImportedFile {
            path,
            role: role.name.clone(),
            text: format!("{modeline}{yaml}"),
        });
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

fn role_manifest(
    role: &RoleState,
    account: &AccountState,
    opts: &ImportOptions,
    ctx: &TrustContext,
    notes: &mut Vec<String>,
) -> RoleManifest {
    let (trust, trust_policy) = match trust::shorthand(&role.trust_policy, ctx) {
        Some(entries) => (Some(entries), None),
        None => (None, Some(role.trust_policy.to_input())),
    };
    let aws_managed = format!("arn:{}:iam::aws:policy/", account.partition);
    let managed_policies = role
        .managed_policies
        .iter()
        .map(|arn| match arn.strip_prefix(&aws_managed) {
            Some(name) => format!("aws:{name}"),
            None => arn.clone(),
        })
        .collect();
    let mut tags: BTreeMap<String, String> = role.tags.clone();
    tags.remove(&opts.ownership.key);
    let profiles: Vec<_> = account.profiles_of_role(&role.name).collect();
    if profiles.len() > 1 {
        notes.push(format!(
            "{}: is in {} instance profiles; the manifest declares {} (a role's manifest names one)",
            role.name,
            profiles.len(),
            profiles[0].name
        ));
    }
    let instance_profile = profiles.first().map(|p| {
        if p.name == role.name && p.path == "/" {
            InstanceProfileSpec::Enabled(true)
        } else {
            InstanceProfileSpec::Named(NamedInstanceProfile {
                name: (p.name != role.name).then(|| p.name.clone()),
                path: (p.path != "/").then(|| p.path.clone()),
            })
        }
    });
    let ec2 = profiles
        .first()
        .filter(|_| opts.with_bindings)
        .and_then(|p| {
            let instances: Vec<String> = account
                .instances_carrying(&p.name)
                .filter(|(i, _)| i.is_bindable())
                .map(|(i, _)| i.id.clone())
                .collect();
            (!instances.is_empty()).then(|| Ec2Bindings {
                instances,
                ..Ec2Bindings::default()
            })
        });
    RoleManifest {
        api_version: ApiVersion::V1,
        kind: RoleKind::Role,
        metadata: Metadata {
            name: role.name.clone(),
        },
        spec: RoleSpec {
            description: role.description.clone(),
            path: (role.path != "/").then(|| role.path.clone()),
            max_session_duration: (role.max_session_duration != DEFAULT_MAX_SESSION_DURATION)
                .then_some(role.max_session_duration),
            permissions_boundary: role.permissions_boundary.clone(),
            trust,
            trust_policy,
            managed_policies,
            inline_policies: role
                .inline_policies
                .iter()
                .map(|(name, p)| (name.clone(), p.to_input()))
                .collect(),
            tags,
            instance_profile,
            ec2,
            // Adoption covers the role and its profile: either lacking the tag needs it.
            adopt: opts.adopt
                && (!role.is_owned_by(&opts.ownership)
                    || profiles
                        .first()
                        .is_some_and(|p| !opts.ownership.is_on(&p.tags))),
            lint: None,
        },
    }
}

fn to_yaml<T: serde::Serialize>(value: &T) -> String {
    // Serializing our own model cannot fail; an empty document would fail validation loudly.
    let yaml = serde_saphyr::to_string(value).unwrap_or_default();
    // YAML 1.1 tools (and people) read an unquoted 2012-10-17 as a date: quote policy versions.
    yaml.lines()
        .map(|line| {
            let trimmed = line.trim_start();
            match trimmed.strip_prefix("Version: ") {
                Some(v) if !v.starts_with('"') => {
                    format!("{}Version: \"{v}\"\n", &line[..line.len() - trimmed.len()])
                }
                _ => format!("{line}\n"),
            }
        })
        .collect()
}

/// `<path segments>/<name>.yaml`, with any character unsafe in file names replaced by `_`.
pub fn file_path(role_path: &str, name: &str) -> PathBuf {
    let safe = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || "._+=,@-".contains(c) {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    let mut path: PathBuf = role_path
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .map(safe)
        .collect();
    path.push(format!("{}.yaml", safe(name)));
    path
}

/// What writing an import did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteReport {
    /// Files written.
    pub written: Vec<PathBuf>,
    /// Files that existed and were left alone (without `force`).
    pub skipped: Vec<PathBuf>,
}

/// Writes the files (and the schema) under `dir`. Existing files are kept unless `force`.
pub fn write(
    import: &Import,
    dir: &Path,
    schema: &str,
    force: bool,
) -> std::io::Result<WriteReport> {
    let mut report = WriteReport::default();
    fs_err::create_dir_all(dir)?;
    let schema_path = dir.join(SCHEMA_FILE);
    fs_err::write(&schema_path, schema)?;
    for file in &import.files {
        let path = dir.join(&file.path);
        if path.exists() && !force {
            report.skipped.push(path);
            continue;
        }
        if let Some(parent) = path.parent() {
            fs_err::create_dir_all(parent)?;
        }
        fs_err::write(&path, &file.text)?;
        report.written.push(path);
    }
    Ok(report)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_paths_follow_the_role_path_and_stay_safe() {
        assert_eq!(file_path("/", "web"), PathBuf::from("web.yaml"));
        assert_eq!(
            file_path("/app/team/", "web"),
            PathBuf::from("app/team/web.yaml")
        );
        assert_eq!(file_path("/a:b/../", "x"), PathBuf::from("a_b/x.yaml"));
    }
}
