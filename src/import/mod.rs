//! Import: live roles (and customer managed policies, `policy`; identity providers, `provider`)
//! → manifests, so an existing account can be brought under management.
//!
//! The bar is a zero-diff round trip: importing, then planning against the same account, plans
//! nothing (after `--adopt`, only the ownership tags). Output is deterministic — the same
//! account always gives byte-identical files: keys in model order, maps sorted, policies in
//! canonical form, trust in the shorthand only when it says exactly the same ([`trust`]).
//! Files go only inside the output folder, never through a symbolic link ([`write()`]).

pub mod accounts;
mod policy;
mod provider;
mod trust;
mod write;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::manifest::model::{
    ApiVersion, Attachment, Ec2Bindings, InstanceProfileSpec, Metadata, NamedInstanceProfile,
    RoleKind, RoleManifest, RoleSpec, ServiceLinkedRoleKind, ServiceLinkedRoleManifest,
    ServiceLinkedRoleSpec, TagValue,
};
use crate::policy::TrustContext;
use crate::state::{
    AccountState, DEFAULT_MAX_SESSION_DURATION, ManagedPolicyState, Ownership, RoleState,
};

pub use trust::shorthand as trust_shorthand;
pub use write::{WriteError, WriteReport, write, write_new};

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
    /// `[import] ignore`: roles never imported.
    pub ignore: Vec<crate::state::ignore::IgnoreRule>,
    /// `--skip-unused`: roles unused this many seconds at the instant are not imported.
    pub skip_unused: Option<(i64, crate::expiry::Instant)>,
}

/// What an imported file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// A `Role` or `ServiceLinkedRole` manifest.
    Role,
    /// A `ManagedPolicy` manifest.
    ManagedPolicy,
    /// An `OIDCProvider` or `SAMLProvider` manifest.
    IdentityProvider,
    /// A SAML provider's metadata document, next to its manifest.
    SamlMetadata,
}

/// One manifest to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportedFile {
    /// Path relative to the output directory.
    pub path: PathBuf,
    /// What the file holds.
    pub kind: FileKind,
    /// The name of the role, policy or provider it declares.
    pub name: String,
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

/// Builds manifests for every role, customer managed policy and identity provider of `account`
/// that the options select.
pub fn import(account: &AccountState, opts: &ImportOptions) -> Import {
    let mut out = Import::default();
    let ctx = TrustContext {
        account_id: account.account_id.clone(),
        partition: account.partition.clone(),
    };
    let roles = selected_roles(account, opts, &mut out.notes);
    let mut policies = policy::selected(account, &roles, opts);
    // A policy whose file would take a role's place (a role at path `/policies/`) stays an ARN
    // reference in the roles, so every `policy:NAME` written is declared.
    let role_files: std::collections::BTreeSet<PathBuf> =
        roles.iter().map(|r| file_path(&r.path, &r.name)).collect();
    let policy_files: Vec<ImportedFile> = policy::files(&policies, opts)
        .into_iter()
        .filter(|f| {
            // The same file, or one's file where the other needs a folder.
            let clash = role_files
                .iter()
                .any(|r| *r == f.path || r.starts_with(&f.path) || f.path.starts_with(r));
            if clash {
                out.notes.push(format!(
                    "managed policy {} is not imported (a role's manifest is written to {}); roles name it by ARN",
                    f.name,
                    f.path.display()
                ));
                policies.retain(|_, p| p.name != f.name);
            }
            !clash
        })
        .collect();
    for role in roles {
        let (path, yaml) = match &role.service_linked {
            Some(slr) => (
                file_path(&role.path, &role.name),
                to_yaml(&ServiceLinkedRoleManifest {
                    api_version: ApiVersion::V1,
                    kind: ServiceLinkedRoleKind::ServiceLinkedRole,
                    metadata: Metadata {
                        name: role.name.clone(),
                    },
                    accounts: None,
                    overrides: Vec::new(),
                    spec: ServiceLinkedRoleSpec {
                        service: slr.service.clone(),
                        description: role.description.clone(),
                        custom_suffix: slr.custom_suffix.clone(),
                    },
                }),
            ),
            None => (
                file_path(&role.path, &role.name),
                to_yaml(&role_manifest(
                    role,
                    account,
                    &policies,
                    opts,
                    &ctx,
                    &mut out.notes,
                )),
            ),
        };
        if layout_renamed(&role.path, &role.name, &path) {
            out.notes.push(format!(
                "{} (path `{}`) is written to {}: hidden and unsafe names are renamed so the loader reads them; `spec.path` keeps the real path",
                role.name,
                role.path,
                path.display()
            ));
        }
        let depth = path.components().count() - 1;
        let modeline = format!(
            "# yaml-language-server: $schema={}{SCHEMA_FILE}\n",
            "../".repeat(depth)
        );
        out.files.push(ImportedFile {
            path,
            kind: FileKind::Role,
            name: role.name.clone(),
            text: format!("{modeline}{yaml}"),
        });
    }
    let others = policy_files
        .into_iter()
        .chain(provider::providers(account, opts));
    for file in others {
        if out.files.iter().any(|f| f.path == file.path) {
            out.notes.push(format!(
                "skipped {} {}: a role's manifest is already written to {}",
                match file.kind {
                    FileKind::ManagedPolicy => "managed policy",
                    _ => "provider",
                },
                file.name,
                file.path.display()
            ));
            continue;
        }
        out.files.push(file);
    }
    out.files.sort_by(|a, b| a.path.cmp(&b.path));
    out
}

/// The roles `--name` selects, without those AWS keeps under `/aws-reserved/` (noted).
fn selected_roles<'a>(
    account: &'a AccountState,
    opts: &ImportOptions,
    notes: &mut Vec<String>,
) -> Vec<&'a RoleState> {
    let mut roles = Vec::new();
    for role in account.roles.values() {
        if opts
            .name
            .as_ref()
            .is_some_and(|re| !re.is_match(&role.name))
        {
            continue;
        }
        if role.path.starts_with("/aws-reserved/") {
            notes.push(format!(
                "skipped {}: roles under /aws-reserved/ belong to AWS (e.g. IAM Identity Center)",
                role.name
            ));
            continue;
        }
        if crate::state::ignore::ignored(&opts.ignore, role) {
            notes.push(format!("skipped {}: matches `[import] ignore`", role.name));
            continue;
        }
        if let Some((seconds, now)) = opts.skip_unused
            && account
                .activity
                .get(&role.name)
                .is_some_and(|a| a.unused_for(seconds, now))
        {
            notes.push(format!("skipped {}: unused (--skip-unused)", role.name));
            continue;
        }
        roles.push(role);
    }
    roles
}

fn role_manifest(
    role: &RoleState,
    account: &AccountState,
    policies: &BTreeMap<String, &ManagedPolicyState>,
    opts: &ImportOptions,
    ctx: &TrustContext,
    notes: &mut Vec<String>,
) -> RoleManifest {
    let (trust, trust_policy) = match trust::shorthand(&role.trust_policy, ctx) {
        Some(entries) => (Some(entries), None),
        None => (None, Some(role.trust_policy.to_input())),
    };
    let reference = |arn: &String| policy::reference(arn, policies, &account.partition);
    let managed_policies = role
        .managed_policies
        .iter()
        .map(|arn| Attachment::Policy(reference(arn)))
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
        accounts: None,
        overrides: Vec::new(),
        spec: RoleSpec {
            description: role.description.clone(),
            path: (role.path != "/").then(|| role.path.clone()),
            max_session_duration: (role.max_session_duration != DEFAULT_MAX_SESSION_DURATION)
                .then_some(role.max_session_duration),
            permissions_boundary: role.permissions_boundary.as_ref().map(reference),
            trust,
            trust_policy,
            managed_policies,
            inline_policies: role
                .inline_policies
                .iter()
                .map(|(name, p)| (name.clone(), p.to_input()))
                .collect(),
            tags: tags
                .into_iter()
                .map(|(k, v)| (k, TagValue::Value(v)))
                .collect(),
            instance_profile,
            ec2,
            // Adoption covers the role and its profile: either lacking the tag needs it.
            adopt: opts.adopt
                && (!role.is_owned_by(&opts.ownership)
                    || profiles
                        .first()
                        .is_some_and(|p| !opts.ownership.is_on(&p.tags))),
            lint: None,
            expires_at: None,
        },
    }
}

fn to_yaml<T: serde::Serialize>(value: &T) -> String {
    // Serializing our own model cannot fail; were it to, an empty manifest must not be written.
    let yaml = serde_saphyr::to_string(value)
        .unwrap_or_else(|e| panic!("rolesmith's own manifest types always serialize: {e}"));
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

/// Where a role's manifest goes, relative to the output folder: a folder per segment of the
/// role's IAM path, then `<name>.yaml`.
///
/// The loader reads every `.yaml` below a folder except hidden (dot) files and folders, and IAM
/// allows paths such as `/.ops/` and `/a//b/` and names such as `.x`, so the layout is mapped
/// until every role lands in a file the loader reads. `spec.path` keeps the real path; the
/// layout only has to be found, stable and inside the folder:
/// * empty segments add no folder (`/a//b/` → `a/b/`);
/// * leading dots of a folder become `_` (`/.ops/` → `_ops/`, `/../` → `__/`): nothing is
///   hidden and nothing climbs out;
/// * other characters outside `A-Za-z0-9._+=,@-` become `_`, and a folder name is cut to 255
///   bytes (the longest file name of common file systems; IAM allows 510);
/// * a top folder named like the schema file gets a `_` in front, so the two never collide;
/// * a leading dot of a role name is written `%2E` (`.x` → `%2Ex.yaml`): role names never hold
///   `%`, so no two roles share a file, as they would with `_x`.
pub fn file_path(role_path: &str, name: &str) -> PathBuf {
    let mut path: PathBuf = role_path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(folder_name)
        .enumerate()
        .map(|(i, folder)| match i {
            0 if folder == SCHEMA_FILE => format!("_{folder}"),
            _ => folder,
        })
        .collect();
    let file = match name.strip_prefix('.') {
        Some(rest) => format!("%2E{}", file_safe(rest)),
        None => file_safe(name),
    };
    path.push(format!("{file}.yaml"));
    path
}

/// Whether [`file_path`] renamed anything: the file is not `<segments>/<name>.yaml` as the
/// role's IAM path and name spell it (empty segments aside).
fn layout_renamed(role_path: &str, name: &str, file: &Path) -> bool {
    let mut literal: PathBuf = role_path.split('/').filter(|s| !s.is_empty()).collect();
    literal.push(format!("{name}.yaml"));
    file != literal
}

/// One path segment as a folder name (see [`file_path`]).
fn folder_name(segment: &str) -> String {
    let dots = segment.len() - segment.trim_start_matches('.').len();
    let mut folder = "_".repeat(dots) + &file_safe(&segment[dots..]);
    folder.truncate(255);
    folder
}

/// `s` with every character outside `A-Za-z0-9._+=,@-` replaced by `_` (so only ASCII remains).
fn file_safe(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._+=,@-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
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
        assert_eq!(file_path("/a:b/", "x"), PathBuf::from("a_b/x.yaml"));
    }

    /// Import used to write `/.ops/` roles to `.ops/` and `.x` to `.x.yaml`, which the loader
    /// skips: the roles left management without a word.
    #[test]
    fn file_paths_for_dot_and_empty_segments_are_never_hidden() {
        assert_eq!(file_path("/.ops/", "a"), PathBuf::from("_ops/a.yaml"));
        assert_eq!(file_path("/a//b/", "a"), PathBuf::from("a/b/a.yaml"));
        assert_eq!(file_path("///", "a"), PathBuf::from("a.yaml"));
        assert_eq!(file_path("/../x/./", "a"), PathBuf::from("__/x/_/a.yaml"));
        assert_eq!(file_path("/", ".x"), PathBuf::from("%2Ex.yaml"));
        assert_ne!(file_path("/", ".x"), file_path("/", "_x"));
        assert_eq!(
            file_path("/rolesmith.schema.json/", "a"),
            PathBuf::from("_rolesmith.schema.json/a.yaml")
        );
        let long = format!("/{}/", "x".repeat(510));
        let folder = file_path(&long, "a").parent().unwrap().to_path_buf();
        assert_eq!(folder.as_os_str().len(), 255);
        for (role_path, name) in [("/.ops/", "a"), ("/", ".x"), ("/../", "a")] {
            let p = file_path(role_path, name);
            assert!(
                p.components()
                    .all(|c| matches!(c, std::path::Component::Normal(n)
                    if !n.to_string_lossy().starts_with('.'))),
                "{p:?}"
            );
        }
    }

    #[test]
    fn renamed_layouts_are_noticed() {
        let renamed = |p: &str, n: &str| layout_renamed(p, n, &file_path(p, n));
        assert!(!renamed("/app/team/", "w"));
        assert!(!renamed("/", "w"));
        assert!(!renamed("/a//b/", "w"));
        assert!(renamed("/.ops/", "w"));
        assert!(renamed("/", ".w"));
        assert!(renamed("/a:b/", "w"));
    }
}
