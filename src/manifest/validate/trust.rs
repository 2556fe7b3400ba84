//! A role's trust: which definition it uses (`trust` shorthand or raw `trustPolicy`), the
//! shorthand's expansion, principal ARN shapes and the trust policy quota.
//!
//! Kept apart from the rest of a role because trust is the one part with two input forms that
//! must end as one document, and each finding must point into the form the user wrote.

use crate::codes::{self, Code};
use crate::diagnostic::Diagnostic;
use crate::manifest::grammar::{PolicyKind, check_policy};
use crate::manifest::limits;
use crate::manifest::load::LoadedDocument;
use crate::manifest::model::RoleSpec;
use crate::manifest::source::Seg;
use crate::policy::service_principal::{self, ServicePrincipal};
use crate::policy::{
    OneOrMany, Policy, PolicyDocumentInput, PrincipalInput, TrustContext, TrustEntry, TrustError,
    TrustErrorKind, expand_trust,
};
use crate::yaml_path;

use super::role::Placeholders;
use super::{Target, check};

/// The trust document of a role: the shorthand's expansion or the raw `trustPolicy` (with
/// placeholders resolved), or `None` when there is none or it has errors (all reported).
pub(super) fn input(
    doc: &LoadedDocument,
    spec: &RoleSpec,
    name: &str,
    placeholders: &Placeholders<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<PolicyDocumentInput> {
    match (&spec.trust, &spec.trust_policy) {
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
        (Some(entries), None) => shorthand(doc, entries, placeholders, out),
        (None, Some(raw)) => {
            check_policy(
                doc,
                &yaml_path!["spec", "trustPolicy"],
                raw,
                PolicyKind::Trust,
                out,
            );
            Some(placeholders.document(raw))
        }
    }
}

/// Expands the `trust` shorthand; each expansion error is reported where it was written.
fn shorthand(
    doc: &LoadedDocument,
    entries: &[TrustEntry],
    placeholders: &Placeholders<'_>,
    out: &mut Vec<Diagnostic>,
) -> Option<PolicyDocumentInput> {
    if entries.is_empty() {
        out.push(
            Diagnostic::new(codes::EMPTY_TRUST, "`trust` lists no principals")
                .at(doc.locate(&yaml_path!["spec", "trust"]), "empty")
                .with_help("add at least one entry such as `- service: ec2.amazonaws.com`"),
        );
    }
    let ctx = placeholders.target();
    let tctx = TrustContext {
        account_id: ctx.account_id.clone(),
        partition: ctx.partition.clone(),
    };
    let mut entries = placeholders.entries(entries);
    // With an inventory, `account:` may name an account of it instead of its id.
    if let Some(scope) = &ctx.account {
        for e in &mut entries {
            if let Some(id) = e.account.as_ref().and_then(|n| scope.ids.get(n)) {
                e.account = Some(id.clone());
            } else if scope.stand_in
                && e.account.as_ref().is_some_and(|n| {
                    !n.starts_with("${") && !crate::manifest::limits::account_id(n)
                })
            {
                e.account = Some(scope.account.id.clone());
            }
        }
    }
    match expand_trust(&entries, &tctx) {
        Ok(d) => Some(d),
        Err(errors) => {
            for e in errors {
                out.push(
                    Diagnostic::new(trust_code(&e.kind), e.message())
                        .at(expansion_error_location(doc, &entries, &e), "here")
                        .with_help(e.help()),
                );
            }
            None
        }
    }
}

/// Where a shorthand expansion error points: a bad value at itself (the list item for
/// `role`/`user` lists), structural problems at the key.
fn expansion_error_location(
    doc: &LoadedDocument,
    entries: &[TrustEntry],
    e: &TrustError,
) -> crate::diagnostic::Location {
    let mut p = yaml_path!["spec", "trust", e.index].to_vec();
    if let Some(field) = e.field() {
        p.extend(field.split('.').map(Seg::from));
    }
    match &e.kind {
        TrustErrorKind::InvalidArn { value, .. } => {
            let entry = entries.get(e.index);
            let list = match e.field() {
                Some("role") => entry.and_then(|x| x.role.as_ref()),
                Some("user") => entry.and_then(|x| x.user.as_ref()),
                _ => None,
            };
            if let Some(i) = list.and_then(|l| l.iter().position(|v| v == value)) {
                let mut item = p.clone();
                item.push(Seg::Index(i));
                if doc.index().contains(&item) {
                    p = item;
                }
            }
            doc.locate(&p)
        }
        TrustErrorKind::InvalidAccountId { .. } | TrustErrorKind::InvalidGithubRepo { .. } => {
            doc.locate(&p)
        }
        _ => doc.locate_key(&p),
    }
}

/// The trust policy against the account's size quota (IAM counts non-whitespace characters).
pub(super) fn check_size(
    doc: &LoadedDocument,
    spec: &RoleSpec,
    trust: &Policy,
    ctx: &Target,
    out: &mut Vec<Diagnostic>,
) {
    let size = trust.non_whitespace_len();
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
pub(super) fn check_arns(
    doc: &LoadedDocument,
    shorthand: bool,
    trust: &PolicyDocumentInput,
    out: &mut Vec<Diagnostic>,
) {
    let many_statements = matches!(trust.statement, OneOrMany::Many(_));
    for (si, st) in trust.statement.iter().enumerate() {
        let Some(PrincipalInput::Map(map)) = &st.principal else {
            continue;
        };
        for (kind, values) in map {
            for (vi, v) in values.iter().enumerate() {
                let candidates = || principal_paths(shorthand, many_statements, si, kind, vi);
                let at = || match candidates().iter().find(|p| doc.index().contains(p)) {
                    Some(p) => doc.locate(p),
                    None => doc.locate_key(&yaml_path![
                        "spec",
                        if shorthand { "trust" } else { "trustPolicy" }
                    ]),
                };
                if kind == "Service" {
                    check_service(v, at, out);
                    continue;
                }
                check(
                    out,
                    principal_shape(kind, v),
                    codes::INVALID_ARN,
                    at,
                    "principals are account ids or IAM ARNs like arn:aws:iam::123456789012:role/NAME",
                );
            }
        }
    }
}

/// A service principal IAM would refuse is an error, with the closest known name. A well-formed
/// unknown one is the linter's warning (`unknown-service-principal`), not an error.
fn check_service(
    value: &str,
    at: impl FnOnce() -> crate::diagnostic::Location,
    out: &mut Vec<Diagnostic>,
) {
    if let ServicePrincipal::Malformed { suggestion } = service_principal::classify(value) {
        let help = match suggestion {
            Some(s) => format!("did you mean `{s}`?"),
            None => "service principals look like `ec2.amazonaws.com`".to_owned(),
        };
        out.push(
            Diagnostic::new(
                codes::INVALID_SERVICE_PRINCIPAL,
                format!("`{value}` is not a service principal"),
            )
            .at(at(), "here")
            .with_help(help),
        );
    }
}

/// Whether a principal value of type `kind` has a shape IAM accepts.
fn principal_shape(kind: &str, v: &str) -> Result<(), String> {
    match kind {
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
        "Federated" if v.contains(":saml-provider/") => limits::principal_arn(v, "saml-provider"),
        "Federated" if v.contains(":oidc-provider/") => limits::principal_arn(v, "oidc-provider"),
        _ => Ok(()),
    }
}

/// The YAML paths where value `vi` of principal type `kind` of statement `si` may have been
/// written, most precise first (the list item, then the key holding it).
fn principal_paths(
    shorthand: bool,
    many_statements: bool,
    si: usize,
    kind: &str,
    vi: usize,
) -> Vec<Vec<Seg>> {
    let mut candidates: Vec<Vec<Seg>> = Vec::new();
    if shorthand {
        for key in [
            "service",
            "account",
            "role",
            "user",
            "saml",
            "oidc",
            "githubActions",
        ] {
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
        p.extend([Seg::from("Principal"), Seg::Key(kind.to_owned())]);
        let mut item = p.clone();
        item.push(Seg::Index(vi));
        candidates.extend([item, p]);
    }
    candidates
}
