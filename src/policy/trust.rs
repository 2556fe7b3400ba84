//! Trust shorthand: the compact `trust:` list users write in manifests, and its expansion into a
//! full trust policy document.
//!
//! Each list item names exactly one kind of principal (`service`, `account`, `role`, `user`,
//! `saml`, `oidc`, `githubActions`) plus optional modifiers. [`expand_trust`] turns the list into
//! one `Allow` statement per item and gathers every problem it finds as a [`TrustError`] with a
//! stable code and the offending key, so the caller can point at `file:line:col`.

use std::collections::BTreeMap;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

use super::document::{
    ConditionBlock, ConditionValue, Effect, OneOrMany, PolicyDocumentInput, PrincipalInput,
    StatementInput,
};
use super::normalize::is_account_id;

mod error;

pub use error::{TrustError, TrustErrorKind};

/// The literal a user may write as `account:` to mean the account being managed.
pub const ACCOUNT_ID_PLACEHOLDER: &str = "${AWS::AccountId}";

/// Host of GitHub Actions' OIDC provider, also the prefix of its condition keys.
const GITHUB_OIDC_HOST: &str = "token.actions.githubusercontent.com";

/// One item of a manifest's `trust:` list. Exactly one principal key must be set; this is
/// checked by [`expand_trust`], not by deserialization.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct TrustEntry {
    /// AWS service principal(s), e.g. `ec2.amazonaws.com`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub service: Option<OneOrMany<String>>,
    /// A 12-digit account id, or `${AWS::AccountId}` for the managed account.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub account: Option<String>,
    /// IAM role ARN(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<OneOrMany<String>>,
    /// IAM user ARN(s).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<OneOrMany<String>>,
    /// SAML provider ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub saml: Option<String>,
    /// OIDC provider ARN.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub oidc: Option<String>,
    /// GitHub Actions workflows of one repository, via the account's GitHub OIDC provider.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub github_actions: Option<GithubActions>,
    /// Required `sts:ExternalId` (only with `account`, `role`, `user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Require MFA (only with `account`, `role`, `user`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub require_mfa: Option<bool>,
    /// Also allow `sts:TagSession`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub session_tags: Option<bool>,
    /// Extra raw IAM conditions, merged into the generated ones.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conditions: Option<ConditionBlock>,
    /// The instant this entry stops granting: IAM enforces it (a `DateLessThan` condition on
    /// `aws:CurrentTime`), and after it the entry is left out.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<crate::expiry::Instant>,
}

/// The `githubActions:` principal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields, rename_all = "camelCase")]
pub struct GithubActions {
    /// `owner/name`.
    pub repo: String,
    /// Git ref; a value not starting with `refs/` means a branch (`refs/heads/` is prepended).
    #[serde(rename = "ref", default, skip_serializing_if = "Option::is_none")]
    pub git_ref: Option<String>,
    /// GitHub deployment environment.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// Pull-request workflows (only `true` selects them).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull_request: Option<bool>,
}

/// Values the expansion needs from the target account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrustContext {
    /// The managed account's id (resolves `${AWS::AccountId}` and the GitHub provider ARN).
    pub account_id: String,
    /// AWS partition (`aws`, `aws-cn`, `aws-us-gov`).
    pub partition: String,
}

/// Descriptions of the expected ARN shapes, for error messages.
const ROLE_ARN: &str = "an IAM role ARN";
const USER_ARN: &str = "an IAM user ARN";
const SAML_ARN: &str = "a SAML provider ARN";
const OIDC_ARN: &str = "an OIDC provider ARN";

const ASSUME_ROLE: &str = "sts:AssumeRole";
const ASSUME_SAML: &str = "sts:AssumeRoleWithSAML";
const ASSUME_WEB_IDENTITY: &str = "sts:AssumeRoleWithWebIdentity";

/// Expands the shorthand list into a trust policy: `Version` `2012-10-17`, one `Allow`
/// statement per entry, in entry order, without `Sid`. Every error from every entry is returned.
/// An empty list yields a document with no statements.
pub fn expand_trust(
    entries: &[TrustEntry],
    ctx: &TrustContext,
) -> Result<PolicyDocumentInput, Vec<TrustError>> {
    let mut errors = Vec::new();
    let mut statements = Vec::with_capacity(entries.len());
    for (index, entry) in entries.iter().enumerate() {
        let mut errs = Vec::new();
        if let Some(statement) = expand_entry(entry, ctx, &mut errs) {
            statements.push(statement);
        }
        errors.extend(errs.into_iter().map(|kind| TrustError { index, kind }));
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    Ok(PolicyDocumentInput {
        version: Some("2012-10-17".to_owned()),
        id: None,
        statement: OneOrMany::Many(statements),
    })
}

/// The principal keys set on an entry, in declaration order.
fn principal_keys(e: &TrustEntry) -> Vec<&'static str> {
    [
        ("service", e.service.is_some()),
        ("account", e.account.is_some()),
        ("role", e.role.is_some()),
        ("user", e.user.is_some()),
        ("saml", e.saml.is_some()),
        ("oidc", e.oidc.is_some()),
        ("githubActions", e.github_actions.is_some()),
    ]
    .into_iter()
    .filter_map(|(k, set)| set.then_some(k))
    .collect()
}

/// Checks `arn:{partition}:{service}::{12 digits}:{prefix}...` loosely.
fn arn_matches(arn: &str, services_and_prefixes: &[(&str, &str)]) -> bool {
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let [arn_lit, partition, service, region, account, resource] = parts.as_slice() else {
        return false;
    };
    *arn_lit == "arn"
        && !partition.is_empty()
        && region.is_empty()
        && is_account_id(account)
        && services_and_prefixes.iter().any(|(svc, prefix)| {
            service == svc && resource.len() > prefix.len() && resource.starts_with(prefix)
        })
}

fn is_github_repo(repo: &str) -> bool {
    let ok = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
    };
    matches!(repo.split_once('/'), Some((owner, name)) if ok(owner) && ok(name))
}

fn cond(op: &str, key: &str, value: impl Into<String>) -> (String, String, ConditionValue) {
    (
        op.to_owned(),
        key.to_owned(),
        ConditionValue::String(value.into()),
    )
}

/// Validated ARN list for `role` / `user`.
fn arn_list(
    field: &'static str,
    values: &OneOrMany<String>,
    allowed: &[(&str, &str)],
    expected: &'static str,
    errs: &mut Vec<TrustErrorKind>,
) -> Vec<String> {
    if values.is_empty() {
        errs.push(TrustErrorKind::EmptyValue { field });
    }
    for v in values {
        if !arn_matches(v, allowed) {
            errs.push(TrustErrorKind::InvalidArn {
                field,
                value: v.clone(),
                expected,
            });
        }
    }
    values.iter().cloned().collect()
}

fn expand_entry(
    e: &TrustEntry,
    ctx: &TrustContext,
    errs: &mut Vec<TrustErrorKind>,
) -> Option<StatementInput> {
    let keys = principal_keys(e);
    let kind = match keys.as_slice() {
        [] => {
            errs.push(TrustErrorKind::NoPrincipal);
            return None;
        }
        [one] => *one,
        _ => {
            errs.push(TrustErrorKind::MultiplePrincipals { keys });
            return None;
        }
    };
    let sts_principal = matches!(kind, "account" | "role" | "user");
    if !sts_principal {
        for (option, set) in [
            ("externalId", e.external_id.is_some()),
            ("requireMfa", e.require_mfa.is_some()),
        ] {
            if set {
                errs.push(TrustErrorKind::OptionNotAllowed {
                    option,
                    principal: kind,
                });
            }
        }
    }

    let mut generated: Vec<(String, String, ConditionValue)> = Vec::new();
    let (principal_type, ids, action) = match kind {
        "service" => {
            let services = e
                .service
                .clone()
                .map(OneOrMany::into_vec)
                .unwrap_or_default();
            if services.is_empty() || services.iter().any(String::is_empty) {
                errs.push(TrustErrorKind::EmptyValue { field: "service" });
            }
            ("Service", services, ASSUME_ROLE)
        }
        "account" => {
            let raw = e.account.as_deref().unwrap_or_default();
            let id = if raw == ACCOUNT_ID_PLACEHOLDER {
                ctx.account_id.as_str()
            } else {
                raw
            };
            if !is_account_id(id) {
                errs.push(TrustErrorKind::InvalidAccountId {
                    value: raw.to_owned(),
                });
            }
            let arn = format!("arn:{}:iam::{id}:root", ctx.partition);
            ("AWS", vec![arn], ASSUME_ROLE)
        }
        "role" | "user" => {
            let (values, allowed, expected): (_, &[(&str, &str)], _) = if kind == "role" {
                let allowed = &[("iam", "role/"), ("sts", "assumed-role/")];
                (e.role.as_ref(), allowed, ROLE_ARN)
            } else {
                (e.user.as_ref(), &[("iam", "user/")], USER_ARN)
            };
            let field = if kind == "role" { "role" } else { "user" };
            let arns = values
                .map(|v| arn_list(field, v, allowed, expected, errs))
                .unwrap_or_default();
            ("AWS", arns, ASSUME_ROLE)
        }
        "saml" => {
            let arn = e.saml.clone().unwrap_or_default();
            if !arn_matches(&arn, &[("iam", "saml-provider/")]) {
                errs.push(TrustErrorKind::InvalidArn {
                    field: "saml",
                    value: arn.clone(),
                    expected: SAML_ARN,
                });
            }
            generated.push(cond(
                "StringEquals",
                "SAML:aud",
                "https://signin.aws.amazon.com/saml",
            ));
            ("Federated", vec![arn], ASSUME_SAML)
        }
        "oidc" => {
            let arn = e.oidc.clone().unwrap_or_default();
            if !arn_matches(&arn, &[("iam", "oidc-provider/")]) {
                errs.push(TrustErrorKind::InvalidArn {
                    field: "oidc",
                    value: arn.clone(),
                    expected: OIDC_ARN,
                });
            }
            ("Federated", vec![arn], ASSUME_WEB_IDENTITY)
        }
        _ => {
            let gh = e.github_actions.clone().unwrap_or_default();
            github_conditions(&gh, errs, &mut generated);
            let arn = format!(
                "arn:{}:iam::{}:oidc-provider/{GITHUB_OIDC_HOST}",
                ctx.partition, ctx.account_id
            );
            ("Federated", vec![arn], ASSUME_WEB_IDENTITY)
        }
    };

    if sts_principal {
        if let Some(x) = &e.external_id {
            if x.is_empty() {
                errs.push(TrustErrorKind::EmptyValue {
                    field: "externalId",
                });
            }
            generated.push(cond("StringEquals", "sts:ExternalId", x.clone()));
        }
        if e.require_mfa == Some(true) {
            generated.push(cond("Bool", "aws:MultiFactorAuthPresent", "true"));
        }
    }

    let mut condition: ConditionBlock = BTreeMap::new();
    for (op, key, value) in generated {
        condition
            .entry(op)
            .or_default()
            .insert(key, OneOrMany::One(value));
    }
    for (op, keys) in e.conditions.iter().flatten() {
        for (key, values) in keys {
            let target = condition.entry(op.clone()).or_default();
            if target.keys().any(|k| k.eq_ignore_ascii_case(key)) {
                errs.push(TrustErrorKind::ConflictingCondition {
                    operator: op.clone(),
                    key: key.clone(),
                });
            } else {
                target.insert(key.clone(), values.clone());
            }
        }
    }
    condition.retain(|_, keys| !keys.is_empty());

    let mut actions = vec![action.to_owned()];
    if e.session_tags == Some(true) {
        actions.push("sts:TagSession".to_owned());
    }
    let principal = BTreeMap::from([(principal_type.to_owned(), OneOrMany::from_vec(ids))]);
    Some(StatementInput {
        sid: None,
        effect: Effect::Allow,
        principal: Some(PrincipalInput::Map(principal)),
        not_principal: None,
        action: Some(OneOrMany::from_vec(actions)),
        not_action: None,
        resource: None,
        not_resource: None,
        condition: (!condition.is_empty()).then_some(condition),
        expires_at: None,
    })
}

/// Validates a `githubActions` block and pushes its `aud` / `sub` conditions.
fn github_conditions(
    gh: &GithubActions,
    errs: &mut Vec<TrustErrorKind>,
    out: &mut Vec<(String, String, ConditionValue)>,
) {
    if !is_github_repo(&gh.repo) {
        errs.push(TrustErrorKind::InvalidGithubRepo {
            value: gh.repo.clone(),
        });
    }
    for (field, value) in [
        ("githubActions.ref", &gh.git_ref),
        ("githubActions.environment", &gh.environment),
    ] {
        if value.as_deref() == Some("") {
            errs.push(TrustErrorKind::EmptyValue { field });
        }
    }
    let selectors = [
        gh.git_ref.is_some(),
        gh.environment.is_some(),
        gh.pull_request == Some(true),
    ];
    if selectors.iter().filter(|s| **s).count() > 1 {
        errs.push(TrustErrorKind::GithubRefConflict);
    }
    let repo = &gh.repo;
    let aud_key = format!("{GITHUB_OIDC_HOST}:aud");
    let sub_key = format!("{GITHUB_OIDC_HOST}:sub");
    out.push(cond("StringEquals", &aud_key, "sts.amazonaws.com"));
    let sub = if let Some(r) = &gh.git_ref {
        let r = if r.starts_with("refs/") {
            r.clone()
        } else {
            format!("refs/heads/{r}")
        };
        cond("StringEquals", &sub_key, format!("repo:{repo}:ref:{r}"))
    } else if let Some(env) = &gh.environment {
        cond(
            "StringEquals",
            &sub_key,
            format!("repo:{repo}:environment:{env}"),
        )
    } else if gh.pull_request == Some(true) {
        cond(
            "StringEquals",
            &sub_key,
            format!("repo:{repo}:pull_request"),
        )
    } else {
        cond("StringLike", &sub_key, format!("repo:{repo}:*"))
    };
    out.push(sub);
}

/// The trust policy of a service role: `service` may `sts:AssumeRole` (what AWS gives a
/// service-linked role, and what the snapshot account records for one).
pub fn service_role_trust(service: &str, partition: &str) -> crate::policy::Policy {
    let statement = StatementInput {
        sid: None,
        effect: crate::policy::Effect::Allow,
        principal: Some(PrincipalInput::Map(BTreeMap::from([(
            "Service".to_owned(),
            OneOrMany::One(service.to_owned()),
        )]))),
        not_principal: None,
        action: Some(OneOrMany::One(ASSUME_ROLE.to_owned())),
        not_action: None,
        resource: None,
        not_resource: None,
        condition: None,
        expires_at: None,
    };
    let doc = PolicyDocumentInput {
        version: Some("2012-10-17".to_owned()),
        id: None,
        statement: OneOrMany::Many(vec![statement]),
    };
    crate::policy::Policy::from_input(
        &doc,
        &crate::policy::NormalizeContext {
            partition: partition.to_owned(),
        },
    )
}
