//! Semantic validation: loaded documents → the normalized desired state, plus diagnostics.
//!
//! Everything is checked and every problem reported (IAM's limits, ARN shapes, policy grammar,
//! duplicates across files); a document with errors contributes no role. Placeholders
//! `${AWS::AccountId}` and `${AWS::Partition}` are resolved against the target account here.
//!
//! This module checks what IAM would reject and nothing more: it knows nothing of the linter.
//! The check stage (`crate::check`) drives load → validate → lint and merges documents in file
//! order; this module offers it one document at a time ([`check_document`]) and the checks
//! across documents ([`Duplicates`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::codes::{self, Code};
use crate::diagnostic::{Diagnostic, Location};
use crate::manifest::grammar::{PolicyKind, check_policy};
use crate::manifest::limits;
use crate::manifest::load::{DocAnchor, Document, LoadedDocument};
use crate::manifest::model::{InstanceProfileSpec, RoleManifest, ServiceLinkedRoleManifest};
use crate::manifest::source::Seg;
use crate::policy::{
    NormalizeContext, Policy, PolicyDocumentInput, TrustContext, TrustErrorKind, expand_trust,
};
use crate::quotas::{INLINE_POLICIES_AGGREGATE, Limits};
use crate::state::{
    BindingSpec, DEFAULT_MAX_SESSION_DURATION, DesiredRole, InstanceProfileState, Origin,
    Ownership, RoleState, ServiceLinked,
};
use crate::yaml_path;

/// What validation needs to know about the target account and the configuration.
///
/// Built by the check stage (`check::ResolveContext::target`) once per run; it holds nothing
/// about the linter, which runs after validation in `check`.
#[derive(Debug, Clone)]
pub struct Target {
    /// Account id substituted for `${AWS::AccountId}`.
    pub account_id: String,
    /// Partition substituted for `${AWS::Partition}`.
    pub partition: String,
    /// The ownership tag added to everything rolesmith manages.
    pub ownership: Ownership,
    /// Account quotas.
    pub limits: Limits,
}

impl Target {
    fn resolve(&self, s: &str) -> String {
        s.replace("${AWS::AccountId}", &self.account_id)
            .replace("${AWS::Partition}", &self.partition)
    }

    fn resolve_document(&self, doc: &PolicyDocumentInput) -> PolicyDocumentInput {
        self.resolve_all(doc)
    }

    /// Resolves placeholders in every string of a serde value.
    fn resolve_all<T: Clone + serde::Serialize + serde::de::DeserializeOwned>(
        &self,
        value: &T,
    ) -> T {
        let Ok(mut json) = serde_json::to_value(value) else {
            return value.clone();
        };
        resolve_value(&mut json, self);
        serde_json::from_value(json).unwrap_or_else(|_| value.clone())
    }

    /// `aws:NAME` → the AWS managed policy ARN; other values resolved and kept.
    fn managed_policy(&self, s: &str) -> String {
        match s.strip_prefix("aws:") {
            Some(name) => format!("arn:{}:iam::aws:policy/{name}", self.partition),
            None => self.resolve(s),
        }
    }
}

fn resolve_value(value: &mut serde_json::Value, ctx: &Target) {
    match value {
        serde_json::Value::String(s) if s.contains("${AWS::") => *s = ctx.resolve(s),
        serde_json::Value::Array(items) => items.iter_mut().for_each(|v| resolve_value(v, ctx)),
        serde_json::Value::Object(map) => map.values_mut().for_each(|v| resolve_value(v, ctx)),
        _ => {}
    }
}

/// The checks across documents, in file order: duplicate roles and instance profiles. Only a
/// [`DocAnchor`] of each first declaration is kept, so documents can be dropped once checked.
#[derive(Debug, Default)]
pub struct Duplicates {
    roles: HashMap<String, DocAnchor>,
    profiles: HashMap<String, DocAnchor>,
}

impl Duplicates {
    /// Records one checked document and pushes a diagnostic to its findings for each name
    /// declared before.
    pub fn check(&mut self, checked: &mut CheckedDocument) {
        let CheckedDocument {
            anchor,
            name,
            role,
            found,
            ..
        } = checked;
        match self.roles.get(&name.to_ascii_lowercase()) {
            Some(first) => found.push(
                Diagnostic::new(
                    codes::DUPLICATE_ROLE,
                    format!("role `{name}` is declared more than once"),
                )
                .at(
                    anchor.locate(&yaml_path!["metadata", "name"]),
                    "declared again here",
                )
                .also(
                    first.locate(&yaml_path!["metadata", "name"]),
                    "first declared here",
                )
                .with_help("IAM role names are unique case-insensitively; keep one declaration"),
            ),
            None => {
                self.roles.insert(name.to_ascii_lowercase(), anchor.clone());
            }
        }
        if let Some(DesiredRole {
            instance_profile: Some(p),
            ..
        }) = &role
        {
            let path = yaml_path!["spec", "instanceProfile"];
            match self.profiles.get(&p.name.to_ascii_lowercase()) {
                Some(first) => found.push(
                    Diagnostic::new(
                        codes::DUPLICATE_INSTANCE_PROFILE,
                        format!("instance profile `{}` is declared by two roles", p.name),
                    )
                    .at(anchor.locate(&path), "declared again here")
                    .also(first.locate(&path), "first declared here")
                    .with_help(
                        "an instance profile holds one role; give each role its own profile",
                    ),
                ),
                None => {
                    self.profiles
                        .insert(p.name.to_ascii_lowercase(), anchor.clone());
                }
            }
        }
    }
}

/// One document validated on its own (no cross-document checks), ready for the linter and for
/// [`Duplicates`].
#[derive(Debug)]
pub struct CheckedDocument {
    /// Where the document is, for pointing at it after it is dropped.
    pub anchor: DocAnchor,
    /// The declared role name.
    pub name: String,
    /// The role, if the document declares one (whether or not it has errors).
    pub role: Option<DesiredRole>,
    /// The resolved trust document of a `Role` (the shorthand's expansion, one statement per
    /// entry, or the raw `trustPolicy`), for the linter.
    pub trust: Option<PolicyDocumentInput>,
    /// What validation found.
    pub found: Vec<Diagnostic>,
}

/// Validates one document by itself; safe to run on any thread.
pub fn check_document(doc: &LoadedDocument, ctx: &Target) -> CheckedDocument {
    let mut found = Vec::new();
    let (role, trust) = match &doc.document {
        Document::Role(m) => role(doc, m, ctx, &mut found),
        Document::ServiceLinkedRole(m) => (service_linked_role(doc, m, ctx, &mut found), None),
    };
    CheckedDocument {
        anchor: doc.anchor(),
        name: doc.document.name().to_owned(),
        role,
        trust,
        found,
    }
}

fn origin(doc: &LoadedDocument) -> Origin {
    Origin {
        file: doc.source.path.clone(),
        line: doc.start_line,
    }
}

fn check(
    out: &mut Vec<Diagnostic>,
    result: Result<(), String>,
    code: &'static Code,
    at: impl FnOnce() -> Location,
    help: &str,
) {
    if let Err(message) = result {
        out.push(
            Diagnostic::new(code, message)
                .at(at(), "here")
                .with_help(help),
        );
    }
}

fn role(
    doc: &LoadedDocument,
    m: &RoleManifest,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> (Option<DesiredRole>, Option<PolicyDocumentInput>) {
    let spec = &m.spec;
    // Resolving placeholders round-trips documents through JSON; skip it when there are none.
    let placeholders = doc.text().contains("${AWS::");
    let resolve_doc = |d: &PolicyDocumentInput| {
        if placeholders {
            ctx.resolve_document(d)
        } else {
            d.clone()
        }
    };
    let name = &m.metadata.name;
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
    if let Some(d) = &spec.description {
        check(
            out,
            limits::description(d),
            codes::INVALID_DESCRIPTION,
            || doc.locate(&yaml_path!["spec", "description"]),
            "shorten the description or remove unsupported characters",
        );
    }

    // Trust.
    let trust_input = match (&spec.trust, &spec.trust_policy) {
        (Some(_), Some(_)) => {
            out.push(
                Diagnostic::new(
                    codes::TRUST_CONFLICT,
                    "both `trust` and `trustPolicy` are given",
                )
                .at(
                    doc.locate_key(&yaml_path!["spec", "trustPolicy"]),
                    "second trust definition",
                )
                .with_help("use the `trust` shorthand or a raw `trustPolicy`, not both"),
            );
            None
        }
        (None, None) => {
            out.push(
                Diagnostic::new(
                    codes::MISSING_TRUST,
                    format!("role `{name}` says nothing about who may assume it"),
                )
                .at(
                    doc.locate_key(&yaml_path!["spec"]),
                    "no `trust` or `trustPolicy`",
                )
                .with_help(
                    "add `trust:` (e.g. `- service: ec2.amazonaws.com`) or a raw `trustPolicy:`",
                ),
            );
            None
        }
        (Some(entries), None) => {
            if entries.is_empty() {
                out.push(
                    Diagnostic::new(codes::EMPTY_TRUST, "`trust` lists no principals")
                        .at(doc.locate(&yaml_path!["spec", "trust"]), "empty")
                        .with_help("add at least one entry such as `- service: ec2.amazonaws.com`"),
                );
            }
            let tctx = TrustContext {
                account_id: ctx.account_id.clone(),
                partition: ctx.partition.clone(),
            };
            let entries: Vec<_> = if placeholders {
                entries.iter().map(|e| ctx.resolve_all(e)).collect()
            } else {
                entries.clone()
            };
            match expand_trust(&entries, &tctx) {
                Ok(d) => Some(d),
                Err(errors) => {
                    for e in errors {
                        let mut p = yaml_path!["spec", "trust", e.index].to_vec();
                        if let Some(field) = e.field() {
                            p.extend(field.split('.').map(Seg::from));
                        }
                        // A bad value is pointed at itself (the list item for `role`/`user`
                        // lists); structural problems at the key.
                        let at = match &e.kind {
                            TrustErrorKind::InvalidArn { value, .. } => {
                                let entry = entries.get(e.index);
                                let list = match e.field() {
                                    Some("role") => entry.and_then(|x| x.role.as_ref()),
                                    Some("user") => entry.and_then(|x| x.user.as_ref()),
                                    _ => None,
                                };
                                if let Some(i) =
                                    list.and_then(|l| l.iter().position(|v| v == value))
                                {
                                    let mut item = p.clone();
                                    item.push(Seg::Index(i));
                                    if doc.index().contains(&item) {
                                        p = item;
                                    }
                                }
                                doc.locate(&p)
                            }
                            TrustErrorKind::InvalidAccountId { .. }
                            | TrustErrorKind::InvalidGithubRepo { .. } => doc.locate(&p),
                            _ => doc.locate_key(&p),
                        };
                        out.push(
                            Diagnostic::new(trust_code(&e.kind), e.message())
                                .at(at, "here")
                                .with_help(e.help()),
                        );
                    }
                    None
                }
            }
        }
        (None, Some(raw)) => {
            check_policy(
                doc,
                &yaml_path!["spec", "trustPolicy"],
                raw,
                PolicyKind::Trust,
                out,
            );
            Some(resolve_doc(raw))
        }
    };
    if let Some(t) = &trust_input {
        check_trust_arns(doc, spec.trust.is_some(), t, out);
    }
    let nctx = NormalizeContext {
        partition: ctx.partition.clone(),
    };
    let trust_policy = trust_input.as_ref().map(|t| Policy::from_input(t, &nctx));
    if let Some(t) = &trust_policy {
        let size = t.non_whitespace_len();
        if size > ctx.limits.trust_policy_size {
            let key = if spec.trust.is_some() {
                "trust"
            } else {
                "trustPolicy"
            };
            out.push(
                Diagnostic::new(codes::TRUST_POLICY_TOO_LARGE, format!("the trust policy is {size} characters; the quota is {}", ctx.limits.trust_policy_size))
                    .at(doc.locate_key(&yaml_path!["spec", key]), "too large")
                    .with_help("IAM counts non-whitespace characters; merge principals into fewer statements or ask AWS to raise the quota (up to 4096) and set it in rolesmith.toml"),
            );
        }
    }

    // Boundary.
    let boundary = spec
        .permissions_boundary
        .as_deref()
        .map(|b| ctx.managed_policy(b));
    if let Some(b) = &boundary {
        check(
            out,
            limits::managed_policy_arn(b),
            codes::INVALID_ARN,
            || doc.locate(&yaml_path!["spec", "permissionsBoundary"]),
            "a permissions boundary is a managed policy ARN",
        );
    }

    // Managed policies.
    let mut managed = BTreeSet::new();
    for (i, arn) in spec.managed_policies.iter().enumerate() {
        let resolved = ctx.managed_policy(arn);
        let at = || doc.locate(&yaml_path!["spec", "managedPolicies", i]);
        check(
            out,
            limits::managed_policy_arn(&resolved),
            codes::INVALID_ARN,
            at,
            "give a full policy ARN, or `aws:NAME` for an AWS managed policy",
        );
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

    // Inline policies.
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
        let policy = Policy::from_input(&resolve_doc(raw), &nctx);
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

    let tags = tags(doc, &spec.tags, ctx, out);

    // Instance profile and bindings.
    let instance_profile = match &spec.instance_profile {
        None | Some(InstanceProfileSpec::Enabled(false)) => None,
        Some(InstanceProfileSpec::Enabled(true)) => Some((name.clone(), "/".to_owned())),
        Some(InstanceProfileSpec::Named(n)) => Some((
            n.name.clone().unwrap_or_else(|| name.clone()),
            n.path.clone().unwrap_or_else(|| "/".into()),
        )),
    }
    .map(|(pname, ppath)| {
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
        InstanceProfileState {
            name: pname,
            path: ppath,
            roles: BTreeSet::from([name.clone()]),
            tags: BTreeMap::from([(ctx.ownership.key.clone(), ctx.ownership.value.clone())]),
        }
    });
    let bindings = spec.ec2.as_ref().map(|ec2| {
        if instance_profile.is_none() {
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
                    .with_help(
                        "list `instances:` or give `selector: {tags: {...}}`, or remove `ec2`",
                    ),
            );
        }
        BindingSpec {
            region: ec2.region.clone(),
            instances: ec2.instances.iter().cloned().collect(),
            selector: ec2
                .selector
                .as_ref()
                .map(|s| s.tags.clone())
                .unwrap_or_default(),
            takeover: ec2.takeover,
        }
    });

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

fn tags(
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

/// The registered code of a trust shorthand error (`TrustError::code` names the same codes; the
/// match is exhaustive so a new kind needs a registered code).
fn trust_code(kind: &TrustErrorKind) -> &'static Code {
    match kind {
        TrustErrorKind::NoPrincipal => codes::TRUST_NO_PRINCIPAL,
        TrustErrorKind::MultiplePrincipals { .. } => codes::TRUST_MULTIPLE_PRINCIPALS,
        TrustErrorKind::InvalidAccountId { .. } => codes::TRUST_INVALID_ACCOUNT_ID,
        TrustErrorKind::OptionNotAllowed { .. } => codes::TRUST_OPTION_NOT_ALLOWED,
        TrustErrorKind::InvalidArn { .. } => codes::TRUST_INVALID_ARN,
        TrustErrorKind::EmptyValue { .. } => codes::TRUST_EMPTY_VALUE,
        TrustErrorKind::InvalidGithubRepo { .. } => codes::TRUST_INVALID_GITHUB_REPO,
        TrustErrorKind::GithubRefConflict => codes::TRUST_GITHUB_REF_CONFLICT,
        TrustErrorKind::ConflictingCondition { .. } => codes::CONFLICTING_CONDITION,
    }
}

/// ARN shapes of principals in a trust document (after placeholders are resolved). Each finding
/// points at the offending value: in a raw `trustPolicy` at `Statement[i].Principal.TYPE[j]`, in
/// the shorthand at the principal key of entry `i` (expansion makes one statement per entry).
fn check_trust_arns(
    doc: &LoadedDocument,
    shorthand: bool,
    trust: &PolicyDocumentInput,
    out: &mut Vec<Diagnostic>,
) {
    let many_statements = matches!(trust.statement, crate::policy::OneOrMany::Many(_));
    for (si, st) in trust.statement.iter().enumerate() {
        let Some(crate::policy::PrincipalInput::Map(map)) = &st.principal else {
            continue;
        };
        for (kind, values) in map {
            for (vi, v) in values.iter().enumerate() {
                let result = match kind.as_str() {
                    "AWS" if v == "*" || limits::account_id(v) => Ok(()),
                    // Reported by the linter, with what it means.
                    "AWS" if limits::is_unique_id(v) => Ok(()),
                    "AWS" if v.split(':').nth(2) == Some("sts") => limits::assumed_role_arn(v),
                    "AWS" => {
                        let resource = limits::iam_arn(v).map(|(_, _, r)| r).unwrap_or("");
                        if resource == "root" {
                            Ok(())
                        } else if resource.starts_with("user/") {
                            limits::principal_arn(v, "user")
                        } else {
                            limits::principal_arn(v, "role")
                        }
                    }
                    "Federated" if v.contains(":saml-provider/") => {
                        limits::principal_arn(v, "saml-provider")
                    }
                    "Federated" if v.contains(":oidc-provider/") => {
                        limits::principal_arn(v, "oidc-provider")
                    }
                    _ => Ok(()),
                };
                if result.is_err() {
                    let mut candidates: Vec<Vec<Seg>> = Vec::new();
                    if shorthand {
                        for key in ["account", "role", "user", "saml", "oidc", "githubActions"] {
                            let p = yaml_path!["spec", "trust", si, key].to_vec();
                            let mut item = p.clone();
                            item.push(Seg::Index(vi));
                            candidates.extend([item, p]);
                        }
                    } else {
                        let mut p = yaml_path!["spec", "trustPolicy", "Statement"].to_vec();
                        if many_statements {
                            p.push(Seg::Index(si));
                        }
                        p.extend([Seg::from("Principal"), Seg::Key(kind.clone())]);
                        let mut item = p.clone();
                        item.push(Seg::Index(vi));
                        candidates.extend([item, p]);
                    }
                    let at = || match candidates.iter().find(|p| doc.index().contains(p)) {
                        Some(p) => doc.locate(p),
                        None => doc.locate_key(&yaml_path![
                            "spec",
                            if shorthand { "trust" } else { "trustPolicy" }
                        ]),
                    };
                    check(
                        out,
                        result,
                        codes::INVALID_ARN,
                        at,
                        "principals are account ids or IAM ARNs like arn:aws:iam::123456789012:role/NAME",
                    );
                }
            }
        }
    }
}

fn service_linked_role(
    doc: &LoadedDocument,
    m: &ServiceLinkedRoleManifest,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) -> Option<DesiredRole> {
    let spec = &m.spec;
    let name = &m.metadata.name;
    check(
        out,
        limits::role_name(name),
        codes::INVALID_ROLE_NAME,
        || doc.locate(&yaml_path!["metadata", "name"]),
        "role names are 1–64 characters of letters, digits and +=,.@_-",
    );
    if !name.starts_with("AWSServiceRoleFor") {
        out.push(
            Diagnostic::new(codes::INVALID_SERVICE_LINKED_NAME, format!("`{name}` is not a service-linked role name"))
                .at(doc.locate(&yaml_path!["metadata", "name"]), "expected AWSServiceRoleFor…")
                .with_help("the service chooses the name, e.g. AWSServiceRoleForAutoScaling; check the service's documentation"),
        );
    }
    let service_ok =
        spec.service.ends_with(".amazonaws.com") && spec.service.len() > ".amazonaws.com".len();
    if !service_ok {
        out.push(
            Diagnostic::new(
                codes::INVALID_SERVICE,
                format!("`{}` is not an AWS service principal", spec.service),
            )
            .at(
                doc.locate(&yaml_path!["spec", "service"]),
                "expected NAME.amazonaws.com",
            )
            .with_help("service principals look like autoscaling.amazonaws.com"),
        );
    }
    if let Some(d) = &spec.description {
        check(
            out,
            limits::description(d),
            codes::INVALID_DESCRIPTION,
            || doc.locate(&yaml_path!["spec", "description"]),
            "shorten the description or remove unsupported characters",
        );
    }
    if let Some(s) = &spec.custom_suffix {
        check(
            out,
            limits::entity_name(s, 64, "custom suffix"),
            codes::INVALID_CUSTOM_SUFFIX,
            || doc.locate(&yaml_path!["spec", "customSuffix"]),
            "suffixes are 1–64 characters of letters, digits and +=,.@_-",
        );
    }
    let trust_policy = crate::policy::service_role_trust(&spec.service, &ctx.partition);
    Some(DesiredRole {
        role: RoleState {
            name: name.clone(),
            path: format!("/aws-service-role/{}/", spec.service),
            description: spec.description.clone().filter(|d| !d.is_empty()),
            max_session_duration: DEFAULT_MAX_SESSION_DURATION,
            trust_policy,
            permissions_boundary: None,
            managed_policies: BTreeSet::new(),
            inline_policies: BTreeMap::new(),
            tags: BTreeMap::new(),
            service_linked: Some(ServiceLinked {
                service: spec.service.clone(),
                custom_suffix: spec.custom_suffix.clone(),
            }),
        },
        adopt: false,
        origin: origin(doc),
        instance_profile: None,
        bindings: None,
    })
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::*;
    use crate::manifest::load::{Loaded, load_text};

    fn check(text: &str) -> Vec<Diagnostic> {
        let mut loaded = Loaded::default();
        load_text(Path::new("t.yaml"), text, &mut loaded);
        let target = Target {
            account_id: "123456789012".into(),
            partition: "aws".into(),
            ownership: Ownership::default(),
            limits: Limits::default(),
        };
        let mut found = loaded.diagnostics;
        for doc in &loaded.documents {
            found.extend(check_document(doc, &target).found);
        }
        found
    }

    const HEAD: &str = "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n";

    #[test]
    fn role_session_principals_are_accepted() {
        let shorthand = format!(
            "{HEAD}  trust:\n    - role: arn:aws:sts::123456789012:assumed-role/deployer/s1\n"
        );
        assert_eq!(check(&shorthand), Vec::new());
        let raw = format!(
            "{HEAD}  trustPolicy:\n    Statement:\n      Effect: Allow\n      Principal:\n        AWS: arn:aws:sts::123456789012:assumed-role/deployer/s1\n      Action: sts:AssumeRole\n"
        );
        assert_eq!(check(&raw), Vec::new());
    }

    #[test]
    fn bad_principal_arns_are_located_at_the_value() {
        let raw = format!(
            "{HEAD}  trustPolicy:\n    Statement:\n      - Effect: Allow\n        Principal:\n          AWS:\n            - arn:aws:iam::123456789012:root\n            - arn:aws:iam::12345:role/x\n        Action: sts:AssumeRole\n"
        );
        let found = check(&raw);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(found[0].code, codes::INVALID_ARN.code);
        let at = &found[0].primary.as_ref().unwrap().location;
        assert_eq!((at.line, at.column), (12, 15));
        let shorthand = format!(
            "{HEAD}  trust:\n    - role:\n        - arn:aws:iam::123456789012:role/ok\n        - arn:aws:iam::123456789012:rol/bad\n"
        );
        let found = check(&shorthand);
        assert_eq!(found[0].code, codes::TRUST_INVALID_ARN.code);
        let at = &found[0].primary.as_ref().unwrap().location;
        assert_eq!((at.line, at.column), (9, 11));
    }
}
