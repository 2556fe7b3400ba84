//! A `kind: Role` document → a [`DesiredRole`]: one function per part of the spec (settings,
//! trust, boundary, managed and inline policies, tags, instance profile, EC2 bindings), each
//! reporting its own problems.
//!
//! The parts are checked in the order of the spec, and [`role`] only strings them together, so
//! the diagnostics of a document come out in that order whatever part is changed.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::codes;
use crate::diagnostic::Diagnostic;
use crate::manifest::grammar::{PolicyKind, check_policy};
use crate::manifest::limits;
use crate::manifest::load::LoadedDocument;
use crate::manifest::model::{InstanceProfileSpec, RoleManifest, RoleSpec};
use crate::policy::{NormalizeContext, Policy, PolicyDocumentInput, TrustEntry};
use crate::quotas::INLINE_POLICIES_AGGREGATE;
use crate::state::{
    BindingSpec, DEFAULT_MAX_SESSION_DURATION, DesiredRole, InstanceProfileState, RoleState,
};
use crate::yaml_path;

use super::policy::{PolicyRef, reference};
use super::{Target, check, check_description, origin, trust};

/// Placeholder resolution for one document. Resolving round-trips values through JSON, so it
/// is skipped for documents whose text has no `${AWS::` at all (nearly all of them).
pub(super) struct Placeholders<'a> {
    ctx: &'a Target,
    present: bool,
}

impl<'a> Placeholders<'a> {
    pub(super) fn of(doc: &LoadedDocument, ctx: &'a Target) -> Self {
        Self {
            ctx,
            present: doc.text().contains("${AWS::"),
        }
    }

    /// The target the placeholders resolve against.
    pub(super) fn target(&self) -> &'a Target {
        self.ctx
    }

    /// A policy document with its placeholders resolved.
    pub(super) fn document(&self, d: &PolicyDocumentInput) -> PolicyDocumentInput {
        if self.present {
            self.ctx.resolve_document(d)
        } else {
            d.clone()
        }
    }

    /// Trust shorthand entries with their placeholders resolved.
    pub(super) fn entries(&self, entries: &[TrustEntry]) -> Vec<TrustEntry> {
        if self.present {
            entries.iter().map(|e| self.ctx.resolve_all(e)).collect()
        } else {
            entries.to_vec()
        }
    }
}

/// Validates a `kind: Role` document: the role if it has a usable trust policy (even when other
/// parts have errors, which are in `out`), and its resolved trust document for the linter.
pub(super) fn role(
    doc: &LoadedDocument,
    m: &RoleManifest,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
    refs: &mut Vec<PolicyRef>,
) -> (Option<DesiredRole>, Option<PolicyDocumentInput>) {
    let spec = &m.spec;
    let name = &m.metadata.name;
    let placeholders = Placeholders::of(doc, ctx);
    let (path, max_session) = settings(doc, name, spec, out);

    let trust_input = trust::input(doc, spec, name, &placeholders, out);
    if let Some(t) = &trust_input {
        trust::check_arns(doc, spec.trust.is_some(), t, out);
    }
    let nctx = NormalizeContext {
        partition: ctx.partition.clone(),
    };
    let trust_policy = trust_input.as_ref().map(|t| Policy::from_input(t, &nctx));
    if let Some(t) = &trust_policy {
        trust::check_size(doc, spec, t, ctx, out);
    }

    let boundary = permissions_boundary(doc, spec, ctx, out, refs);
    let managed = managed_policies(doc, spec, ctx, out, refs);
    let inline = inline_policies(doc, spec, &placeholders, &nctx, out);
    let plain_tags = spec
        .tags
        .iter()
        .map(|(k, v)| (k.clone(), v.value().to_owned()))
        .collect();
    let tags = tags(doc, &plain_tags, ctx, out);
    let instance_profile = instance_profile(doc, name, spec, ctx, out);
    let bindings = bindings(doc, spec, instance_profile.is_some(), out);

    let Some(trust_policy) = trust_policy else {
        return (None, trust_input);
    };
    let role = DesiredRole {
        role: RoleState {
            name: name.clone(),
            path,
            description: spec.description.clone().filter(|d| !d.is_empty()),
            max_session_duration: max_session,
            trust_policy,
            permissions_boundary: boundary,
            managed_policies: managed,
            inline_policies: inline,
            tags,
            service_linked: None,
        },
        adopt: spec.adopt,
        origin: origin(doc),
        instance_profile,
        bindings,
    };
    (Some(role), trust_input)
}

/// The role's own settings: name, path, maximum session duration and description. Returns the
/// path and session duration with their defaults filled in.
fn settings(
    doc: &LoadedDocument,
    name: &str,
    spec: &RoleSpec,
    out: &mut Vec<Diagnostic>,
) -> (String, u32) {
    check(
        out,
        limits::role_name(name),
        codes::INVALID_ROLE_NAME,
        || doc.locate(&yaml_path!["metadata", "name"]),
        "role names are 1–64 characters of letters, digits and +=,.@_-",
    );
    let path = spec.path.clone().unwrap_or_else(|| "/".into());
    check(
        out,
        limits::path(&path),
        codes::INVALID_PATH,
        || doc.locate(&yaml_path!["spec", "path"]),
        "write a path like `/` or `/team/app/`",
    );
    let max_session = spec
        .max_session_duration
        .unwrap_or(DEFAULT_MAX_SESSION_DURATION);
    check(
        out,
        limits::max_session_duration(max_session),
        codes::INVALID_MAX_SESSION_DURATION,
        || doc.locate(&yaml_path!["spec", "maxSessionDuration"]),
        "use a value from 3600 to 43200 seconds",
    );
    check_description(doc, spec.description.as_deref(), out);
    (path, max_session)
}

/// The permissions boundary as a managed policy ARN (`aws:NAME` expanded; `policy:NAME` kept
/// and recorded in `refs`, resolved once every document is read).
fn permissions_boundary(
    doc: &LoadedDocument,
    spec: &RoleSpec,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
    refs: &mut Vec<PolicyRef>,
) -> Option<String> {
    let boundary = spec
        .permissions_boundary
        .as_deref()
        .map(|b| ctx.managed_policy(b));
    let at = yaml_path!["spec", "permissionsBoundary"];
    if let Some(r) = boundary
        .as_deref()
        .and_then(|b| reference(doc, b, &at, out))
    {
        refs.push(r);
    } else if let Some(b) = &boundary {
        check(
            out,
            limits::managed_policy_arn(b),
            codes::INVALID_ARN,
            || doc.locate(&yaml_path!["spec", "permissionsBoundary"]),
            "a permissions boundary is a managed policy ARN",
        );
    }
    boundary
}

/// The attached managed policies as ARNs: each one's shape, duplicates, and the quota
/// (`policy:NAME` kept and recorded in `refs`, resolved once every document is read).
fn managed_policies(
    doc: &LoadedDocument,
    spec: &RoleSpec,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
    refs: &mut Vec<PolicyRef>,
) -> BTreeSet<String> {
    let mut managed = BTreeSet::new();
    for (i, attachment) in spec.managed_policies.iter().enumerate() {
        let arn = attachment.arn();
        let resolved = ctx.managed_policy(arn);
        let at = || doc.locate(&yaml_path!["spec", "managedPolicies", i]);
        if let Some(r) = reference(
            doc,
            &resolved,
            &yaml_path!["spec", "managedPolicies", i],
            out,
        ) {
            refs.push(r);
        } else {
            check(
                out,
                limits::managed_policy_arn(&resolved),
                codes::INVALID_ARN,
                at,
                "give a full policy ARN, `aws:NAME` for an AWS managed policy, or `policy:NAME` for a declared one",
            );
        }
        if !managed.insert(resolved) {
            out.push(
                Diagnostic::new(
                    codes::DUPLICATE_MANAGED_POLICY,
                    format!("`{arn}` is listed twice"),
                )
                .at(at(), "listed again here")
                .with_help("remove the duplicate"),
            );
        }
    }
    if managed.len() > ctx.limits.managed_policies_per_role {
        out.push(
            Diagnostic::new(codes::TOO_MANY_MANAGED_POLICIES, format!("{} managed policies; the quota is {} per role", managed.len(), ctx.limits.managed_policies_per_role))
                .at(doc.locate_key(&yaml_path!["spec", "managedPolicies"]), "too many")
                .with_help("combine policies, or raise the quota with AWS (up to 20) and set it in rolesmith.toml"),
        );
    }
    managed
}

/// The inline policies in canonical form: each name, each document's grammar, and IAM's limit
/// on their total size.
fn inline_policies(
    doc: &LoadedDocument,
    spec: &RoleSpec,
    placeholders: &Placeholders<'_>,
    nctx: &NormalizeContext,
    out: &mut Vec<Diagnostic>,
) -> BTreeMap<String, Policy> {
    let mut inline = BTreeMap::new();
    let mut aggregate = 0;
    for (policy_name, raw) in &spec.inline_policies {
        let base = yaml_path!["spec", "inlinePolicies", policy_name.as_str()];
        check(
            out,
            limits::entity_name(policy_name, 128, "inline policy name"),
            codes::INVALID_POLICY_NAME,
            || doc.locate_key(&base),
            "inline policy names are 1–128 characters of letters, digits and +=,.@_-",
        );
        check_policy(doc, &base, raw, PolicyKind::Permission, out);
        let policy = Policy::from_input(&placeholders.document(raw), nctx);
        aggregate += policy.non_whitespace_len();
        inline.insert(policy_name.clone(), policy);
    }
    if aggregate > INLINE_POLICIES_AGGREGATE {
        out.push(
            Diagnostic::new(
                codes::INLINE_POLICIES_TOO_LARGE,
                format!(
                    "inline policies total {aggregate} characters; IAM allows {} per role",
                    INLINE_POLICIES_AGGREGATE
                ),
            )
            .at(
                doc.locate_key(&yaml_path!["spec", "inlinePolicies"]),
                "too large",
            )
            .with_help("move some statements into a customer managed policy and attach it"),
        );
    }
    inline
}

/// The role's tags plus the ownership tag: each key and value, the reserved ownership key,
/// keys that differ only in case, and IAM's tag count limit.
pub(super) fn tags(
    doc: &LoadedDocument,
    given: &BTreeMap<String, String>,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> BTreeMap<String, String> {
    let mut seen: HashMap<String, &str> = HashMap::new();
    for (key, value) in given {
        let at = || doc.locate_key(&yaml_path!["spec", "tags", key.as_str()]);
        check(
            out,
            limits::tag_key(key),
            codes::INVALID_TAG,
            at,
            "tag keys are 1–128 characters and may not start with `aws:`",
        );
        check(
            out,
            limits::tag_value(value),
            codes::INVALID_TAG,
            || doc.locate(&yaml_path!["spec", "tags", key.as_str()]),
            "tag values are at most 256 characters",
        );
        if key.eq_ignore_ascii_case(&ctx.ownership.key) {
            out.push(
                Diagnostic::new(codes::RESERVED_TAG, format!("tag `{key}` is rolesmith's ownership tag"))
                    .at(at(), "reserved")
                    .with_help("rolesmith adds this tag itself; remove it (to take over an existing role use `adopt: true`)"),
            );
        }
        if let Some(first) = seen.insert(key.to_ascii_lowercase(), key) {
            out.push(
                Diagnostic::new(
                    codes::DUPLICATE_TAG,
                    format!("tag keys `{first}` and `{key}` differ only in case"),
                )
                .at(at(), "duplicate")
                .with_help("IAM treats tag keys case-insensitively; keep one"),
            );
        }
    }
    if given.len() + 1 > limits::MAX_TAGS {
        out.push(
            Diagnostic::new(
                codes::TOO_MANY_TAGS,
                format!(
                    "{} tags plus the ownership tag exceed IAM's limit of {}",
                    given.len(),
                    limits::MAX_TAGS
                ),
            )
            .at(doc.locate_key(&yaml_path!["spec", "tags"]), "too many")
            .with_help(format!("keep at most {} tags", limits::MAX_TAGS - 1)),
        );
    }
    let mut tags = given.clone();
    tags.insert(ctx.ownership.key.clone(), ctx.ownership.value.clone());
    tags
}

/// The role's instance profile, if it asks for one: its name and path (defaulting to the
/// role's name and `/`), holding the role and carrying the ownership tag.
fn instance_profile(
    doc: &LoadedDocument,
    name: &str,
    spec: &RoleSpec,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> Option<InstanceProfileState> {
    let (pname, ppath) = match &spec.instance_profile {
        None | Some(InstanceProfileSpec::Enabled(false)) => return None,
        Some(InstanceProfileSpec::Enabled(true)) => (name.to_owned(), "/".to_owned()),
        Some(InstanceProfileSpec::Named(n)) => (
            n.name.clone().unwrap_or_else(|| name.to_owned()),
            n.path.clone().unwrap_or_else(|| "/".into()),
        ),
    };
    let at = || doc.locate(&yaml_path!["spec", "instanceProfile"]);
    check(
        out,
        limits::entity_name(&pname, 128, "instance profile name"),
        codes::INVALID_INSTANCE_PROFILE,
        at,
        "instance profile names are 1–128 characters of letters, digits and +=,.@_-",
    );
    check(
        out,
        limits::path(&ppath),
        codes::INVALID_PATH,
        at,
        "write a path like `/` or `/team/`",
    );
    Some(InstanceProfileState {
        name: pname,
        path: ppath,
        roles: BTreeSet::from([name.to_owned()]),
        tags: BTreeMap::from([(ctx.ownership.key.clone(), ctx.ownership.value.clone())]),
    })
}

/// The role's EC2 bindings, if any: they need an instance profile, valid instance ids, and at
/// least one instance or selector tag.
fn bindings(
    doc: &LoadedDocument,
    spec: &RoleSpec,
    has_instance_profile: bool,
    out: &mut Vec<Diagnostic>,
) -> Option<BindingSpec> {
    let ec2 = spec.ec2.as_ref()?;
    if !has_instance_profile {
        out.push(
            Diagnostic::new(
                codes::BINDINGS_WITHOUT_INSTANCE_PROFILE,
                "`ec2` bindings need an instance profile",
            )
            .at(doc.locate_key(&yaml_path!["spec", "ec2"]), "bindings")
            .with_help(
                "add `instanceProfile: true` so there is a profile to attach to the instances",
            ),
        );
    }
    for (i, id) in ec2.instances.iter().enumerate() {
        check(
            out,
            limits::instance_id(id),
            codes::INVALID_INSTANCE_ID,
            || doc.locate(&yaml_path!["spec", "ec2", "instances", i]),
            "instance ids look like i-0123456789abcdef0",
        );
    }
    if ec2.instances.is_empty() && ec2.selector.as_ref().is_none_or(|s| s.tags.is_empty()) {
        out.push(
            Diagnostic::new(codes::EMPTY_BINDINGS, "`ec2` selects no instances")
                .at(
                    doc.locate_key(&yaml_path!["spec", "ec2"]),
                    "no instances or selector tags",
                )
                .with_help("list `instances:` or give `selector: {tags: {...}}`, or remove `ec2`"),
        );
    }
    Some(BindingSpec {
        region: ec2.region.clone(),
        instances: ec2.instances.iter().cloned().collect(),
        selector: ec2
            .selector
            .as_ref()
            .map(|s| s.tags.clone())
            .unwrap_or_default(),
        takeover: ec2.takeover,
    })
}
