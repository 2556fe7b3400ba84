//! A `kind: ManagedPolicy` document → a [`DesiredPolicy`], and the `policy:NAME` references
//! roles make to such documents.
//!
//! A policy is checked like a role's parts: its name, path, description, document grammar (the
//! permission-policy rules inline policies follow), IAM's 6,144-character size and its tags. A
//! reference cannot be resolved while one document is checked (the policy may be declared in a
//! later file), so role validation records each `policy:NAME` as a [`PolicyRef`] and
//! [`resolve_refs`] turns them into ARNs once every document is merged.

use crate::codes;
use crate::diagnostic::{Diagnostic, did_you_mean};
use crate::manifest::grammar::{PolicyKind, check_policy};
use crate::manifest::limits;
use crate::manifest::load::{DocAnchor, LoadedDocument};
use crate::manifest::model::ManagedPolicyManifest;
use crate::manifest::source::Seg;
use crate::policy::{NormalizeContext, Policy};
use crate::quotas::MANAGED_POLICY_SIZE;
use crate::state::{DesiredPolicy, DesiredRole, DesiredState, ManagedPolicyState};
use crate::yaml_path;

use super::role::{Placeholders, tags};
use super::{Target, check, check_description, origin};

/// What a role's `managedPolicies` or `permissionsBoundary` says instead of an ARN.
pub const REFERENCE_PREFIX: &str = "policy:";

/// One `policy:NAME` a role makes, with where it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PolicyRef {
    /// The referenced policy name.
    pub name: String,
    /// The YAML path of the reference in its document.
    pub at: Vec<Seg>,
}

/// Validates a `kind: ManagedPolicy` document. The policy is returned even when it has errors
/// (they are in `out`), so duplicates are still found.
pub(super) fn managed_policy(
    doc: &LoadedDocument,
    m: &ManagedPolicyManifest,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> DesiredPolicy {
    let spec = &m.spec;
    let name = &m.metadata.name;
    check(
        out,
        limits::entity_name(name, 128, "policy name"),
        codes::INVALID_MANAGED_POLICY_NAME,
        || doc.locate(&yaml_path!["metadata", "name"]),
        "managed policy names are 1–128 characters of letters, digits and +=,.@_-",
    );
    if name
        .to_ascii_lowercase()
        .ends_with(crate::state::policy::BRIDGE_SUFFIX)
    {
        out.push(
            Diagnostic::new(
                codes::INVALID_MANAGED_POLICY_NAME,
                format!(
                    "`{name}` ends with `{}`, which rolesmith reserves for the temporary copy of a policy being replaced",
                    crate::state::policy::BRIDGE_SUFFIX
                ),
            )
            .at(doc.locate(&yaml_path!["metadata", "name"]), "reserved")
            .with_help("choose another name"),
        );
    }
    let path = spec.path.clone().unwrap_or_else(|| "/".into());
    check(
        out,
        limits::path(&path),
        codes::INVALID_PATH,
        || doc.locate(&yaml_path!["spec", "path"]),
        "write a path like `/` or `/team/`",
    );
    check_description(doc, spec.description.as_deref(), out);
    let base = yaml_path!["spec", "document"];
    check_policy(doc, &base, &spec.document, PolicyKind::Permission, out);
    let placeholders = Placeholders::of(doc, ctx);
    let nctx = NormalizeContext {
        partition: ctx.partition.clone(),
    };
    let document = Policy::from_input(&placeholders.document(&spec.document), &nctx);
    let size = document.non_whitespace_len();
    if size > MANAGED_POLICY_SIZE {
        out.push(
            Diagnostic::new(
                codes::MANAGED_POLICY_TOO_LARGE,
                format!(
                    "the document has {size} characters (whitespace not counted); IAM allows {MANAGED_POLICY_SIZE} per managed policy"
                ),
            )
            .at(doc.locate_key(&base), "too large")
            .with_help("split the statements over two managed policies"),
        );
    }
    let tags = tags(doc, &spec.tags, ctx, out);
    DesiredPolicy {
        policy: ManagedPolicyState {
            name: name.clone(),
            path,
            description: spec.description.clone().filter(|d| !d.is_empty()),
            document,
            default_version: String::new(),
            versions: Vec::new(),
            tags,
            attached_elsewhere: Vec::new(),
        },
        adopt: spec.adopt,
        origin: origin(doc),
    }
}

/// Checks the name in a `policy:NAME` reference at `at`; returns the reference to resolve later.
pub(super) fn reference(
    doc: &LoadedDocument,
    value: &str,
    at: &[Seg],
    out: &mut Vec<Diagnostic>,
) -> Option<PolicyRef> {
    let name = value.strip_prefix(REFERENCE_PREFIX)?;
    check(
        out,
        limits::entity_name(name, 128, "policy name"),
        codes::INVALID_MANAGED_POLICY_NAME,
        || doc.locate(at),
        "`policy:NAME` names a `kind: ManagedPolicy` manifest",
    );
    Some(PolicyRef {
        name: name.to_owned(),
        at: at.to_vec(),
    })
}

/// Resolves a role's `policy:NAME` references to the declared policies' ARNs, or reports each
/// one no manifest declares (with the closest declared name); a reference to a policy declared
/// with errors (`invalid`) fails without a second report. Returns whether all resolved.
pub fn resolve_refs(
    role: &mut DesiredRole,
    refs: &[PolicyRef],
    anchor: &DocAnchor,
    desired: &DesiredState,
    invalid: &std::collections::BTreeSet<String>,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> bool {
    let mut ok = true;
    for r in refs {
        let written = format!("{REFERENCE_PREFIX}{}", r.name);
        let Some(policy) = desired.policies.get(&r.name) else {
            ok = false;
            if invalid.contains(&r.name) {
                continue;
            }
            let help = match did_you_mean(&r.name, desired.policies.keys().map(String::as_str)) {
                Some(close) => format!("did you mean `{REFERENCE_PREFIX}{close}`?"),
                None => {
                    "declare it with a `kind: ManagedPolicy` manifest, or give the policy's ARN"
                        .into()
                }
            };
            out.push(
                Diagnostic::new(
                    codes::UNKNOWN_POLICY_REFERENCE,
                    format!("`{written}` names no declared managed policy"),
                )
                .at(anchor.locate(&r.at), "no such policy")
                .with_help(help),
            );
            continue;
        };
        let arn = policy.policy.arn(&ctx.partition, &ctx.account_id);
        let state = &mut role.role;
        if state.managed_policies.remove(&written) {
            state.managed_policies.insert(arn.clone());
        }
        if state.permissions_boundary.as_deref() == Some(written.as_str()) {
            state.permissions_boundary = Some(arn);
        }
    }
    ok
}
