//! Trust policy checks: who may assume the role, and under which conditions.
//!
//! Only `Allow` statements grant anything, so `Deny` statements are not checked here.
//! `NotPrincipal` and `Resource` are grammar errors (`manifest::grammar`) and never reach the
//! linter.

use std::collections::BTreeSet;

use super::{Sink, Stmt, base_operator};
use crate::codes;
use crate::manifest::limits::is_unique_id;
use crate::manifest::source::Seg;
use crate::policy::service_principal::{self, ServicePrincipal};
use crate::policy::{Effect, PrincipalInput};

const GITHUB_HOST: &str = "token.actions.githubusercontent.com";
const COGNITO: &str = "cognito-identity.amazonaws.com";
/// Identity providers STS knows without an IAM OIDC provider.
const BUILT_IN_WEB_IDENTITY: &[&str] = &[
    "accounts.google.com",
    "graph.facebook.com",
    "www.amazon.com",
];

/// Conditions that narrow "any principal" down to known ones.
const RESTRICTING_KEYS: &[&str] = &[
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];
/// Conditions that guard a cross-account trust against the confused deputy.
const CROSS_ACCOUNT_KEYS: &[&str] = &[
    "sts:ExternalId",
    "aws:PrincipalOrgID",
    "aws:PrincipalOrgPaths",
];
/// Services that assume a role only for compute the account itself configured with the role
/// (instance profiles, execution and task roles, all gated by `iam:PassRole`): no other account
/// can make them act with it, so the source conditions guard nothing there.
const PASS_ROLE_COMPUTE: &[&str] = &[
    "ec2.amazonaws.com",
    "lambda.amazonaws.com",
    "edgelambda.amazonaws.com",
    "ecs-tasks.amazonaws.com",
];
/// Conditions that tie a service principal to the resource acting for it.
const SOURCE_KEYS: &[&str] = &[
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceOrgID",
    "aws:SourceOrgPaths",
];

const ASSUME_ROLE: &str = "sts:AssumeRole";
const ASSUME_SAML: &str = "sts:AssumeRoleWithSAML";
const ASSUME_WEB: &str = "sts:AssumeRoleWithWebIdentity";

/// The kind of a principal, for matching it with its assume action.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Aws,
    Service,
    Saml,
    WebIdentity,
}

impl Kind {
    fn action(self) -> &'static str {
        match self {
            Kind::Aws | Kind::Service => ASSUME_ROLE,
            Kind::Saml => ASSUME_SAML,
            Kind::WebIdentity => ASSUME_WEB,
        }
    }
}

/// The account of an AWS principal value: an account id or the fourth field of an ARN.
fn account_of(value: &str) -> Option<&str> {
    if value.len() == 12 && value.bytes().all(|b| b.is_ascii_digit()) {
        return Some(value);
    }
    value
        .strip_prefix("arn:")
        .and_then(|_| value.split(':').nth(4))
}

/// The condition-key prefix of a web identity provider (`HOST/PATH` of an OIDC provider ARN,
/// or a built-in provider's name).
fn web_identity_provider(federated: &str) -> Option<&str> {
    if let Some((_, provider)) = federated.split_once(":oidc-provider/") {
        return Some(provider);
    }
    (federated == COGNITO || BUILT_IN_WEB_IDENTITY.contains(&federated)).then_some(federated)
}

/// A well-formed service principal that no AWS service is known to use (malformed ones are
/// validation errors and never reach the linter).
fn check_service_known(value: &str, path: &[Seg], sink: &mut Sink<'_>) {
    if let ServicePrincipal::Unknown { suggestion } = service_principal::classify(value) {
        let help = match suggestion {
            Some(s) => format!(
                "did you mean `{s}`? If `{value}` is a new service, suppress the code for this role"
            ),
            None => format!(
                "check the service's documentation for its principal; if `{value}` is a new service, suppress the code for this role"
            ),
        };
        sink.report(
            codes::UNKNOWN_SERVICE_PRINCIPAL,
            path,
            "unknown service",
            format!("no AWS service is known to use the principal `{value}`"),
            help,
        );
    }
}

pub(crate) fn check_statement(stmt: &Stmt<'_>, own: &BTreeSet<String>, sink: &mut Sink<'_>) {
    let st = stmt.st;
    if st.effect != Effect::Allow {
        return;
    }
    let mut kinds = BTreeSet::new();
    match &st.principal {
        None => return,
        Some(PrincipalInput::Wildcard(_)) => {
            if !stmt.constrains(RESTRICTING_KEYS) {
                sink.report(
                    codes::TRUST_PRINCIPAL_WILDCARD,
                    &stmt.at("Principal", None, 0),
                    "anyone",
                    "`Principal: \"*\"` lets any AWS principal, in any account, assume the role",
                    "name the principals (`{AWS: ARN}`, `{Service: NAME}`), or restrict with an `aws:PrincipalOrgID` / `aws:PrincipalArn` condition",
                );
            }
        }
        Some(PrincipalInput::Map(map)) => {
            for (ptype, values) in map {
                for (i, v) in values.iter().enumerate() {
                    let path = || {
                        let mut p = stmt.at("Principal", None, 0);
                        p.push(ptype.as_str().into());
                        if matches!(values, crate::policy::OneOrMany::Many(_)) {
                            p.push(i.into());
                        }
                        p
                    };
                    match ptype.as_str() {
                        "AWS" => {
                            kinds.insert(Kind::Aws);
                            check_aws(stmt, v, own, &path(), sink);
                        }
                        "Service" => {
                            kinds.insert(Kind::Service);
                            check_service_known(v, &path(), sink);
                            if !PASS_ROLE_COMPUTE.contains(&v.as_str())
                                && !stmt.constrains(SOURCE_KEYS)
                            {
                                sink.report(
                                    codes::SERVICE_WITHOUT_SOURCE_CONDITION,
                                    &path(),
                                    "service principal",
                                    format!("`{v}` may assume the role on behalf of any account's resources"),
                                    "if the service supports it, add an `aws:SourceAccount` or `aws:SourceArn` condition (the confused-deputy guard); some services break with it",
                                );
                            }
                        }
                        "Federated" if v.contains(":saml-provider/") => {
                            kinds.insert(Kind::Saml);
                        }
                        "Federated" => {
                            if let Some(provider) = web_identity_provider(v) {
                                kinds.insert(Kind::WebIdentity);
                                check_web_identity(stmt, v, provider, &path(), sink);
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
    }
    check_action_fit(stmt, &kinds, sink);
}

fn check_aws(
    stmt: &Stmt<'_>,
    value: &str,
    own: &BTreeSet<String>,
    path: &[crate::manifest::source::Seg],
    sink: &mut Sink<'_>,
) {
    if is_unique_id(value) {
        sink.report(
            codes::UNIQUE_ID_PRINCIPAL,
            path,
            "unique id",
            format!("`{value}` is the unique id of a deleted role or user, not a principal"),
            "IAM shows a unique id when the principal a policy named was deleted; name the current role or user ARN, or remove it",
        );
        return;
    }
    let account = if value == "*" {
        Some("*")
    } else {
        account_of(value)
    };
    let Some(account) = account else { return };
    if account.contains(['*', '?']) {
        if !stmt.constrains(RESTRICTING_KEYS) {
            sink.report(
                codes::TRUST_ANY_ACCOUNT,
                path,
                "any account",
                format!("`{value}` lets principals of every AWS account assume the role"),
                "name the accounts or roles, or add an `aws:PrincipalOrgID` / `aws:PrincipalArn` condition",
            );
        }
        return;
    }
    if !own.contains(account) && !stmt.constrains(CROSS_ACCOUNT_KEYS) {
        sink.report(
            codes::CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID,
            path,
            "another account",
            format!("account {account} may assume the role without an external id or organization condition"),
            "for a third party add `externalId:` (an `sts:ExternalId` condition); for your own accounts add them to `own_accounts` in rolesmith.toml, or add an `aws:PrincipalOrgID` condition",
        );
    }
}

fn check_web_identity(
    stmt: &Stmt<'_>,
    value: &str,
    provider: &str,
    path: &[crate::manifest::source::Seg],
    sink: &mut Sink<'_>,
) {
    let aud = format!("{provider}:aud");
    if !stmt.constrains(&[aud.as_str()]) {
        if provider == COGNITO {
            sink.report(
                codes::COGNITO_MISSING_AUD,
                path,
                "no aud condition",
                "identities of any Cognito identity pool, in any account, may assume the role",
                format!("add `StringEquals: {{\"{aud}\": IDENTITY_POOL_ID}}`"),
            );
        } else {
            sink.report(
                codes::OIDC_MISSING_AUD,
                path,
                "no aud condition",
                format!("tokens from `{value}` are accepted for any audience"),
                format!("add `StringEquals: {{\"{aud}\": CLIENT_ID}}` (for GitHub Actions `sts.amazonaws.com`)"),
            );
        }
    }
    if !provider.eq_ignore_ascii_case(GITHUB_HOST) {
        return;
    }
    let sub = format!("{GITHUB_HOST}:sub");
    if !stmt.constrains(&[sub.as_str()]) {
        sink.report(
            codes::GITHUB_OIDC_MISSING_SUB,
            path,
            "no sub condition",
            "workflows of any GitHub repository may assume the role",
            format!("use the `githubActions: {{repo: OWNER/NAME}}` shorthand, or add `StringLike: {{\"{sub}\": \"repo:OWNER/NAME:*\"}}`"),
        );
        return;
    }
    for (op, key, values) in stmt.conditions() {
        let base = base_operator(op);
        if !key.eq_ignore_ascii_case(&sub) || !base.ends_with("Like") || base.contains("Not") {
            continue;
        }
        for v in values.iter().filter(|v| is_broad_sub(v)) {
            sink.report(
                codes::GITHUB_OIDC_BROAD_SUB,
                &stmt.condition(op, Some(key)),
                "more than one repository",
                format!("`{v}` matches workflows of more than one repository"),
                "pin the repository: `repo:OWNER/NAME:*` (better: a branch or environment after it)",
            );
        }
    }
}

/// Whether a `sub` pattern under a `Like` operator may match more than one repository.
fn is_broad_sub(pattern: &str) -> bool {
    let wild = |s: &str| s.contains(['*', '?']);
    match pattern.strip_prefix("repo:") {
        Some(rest) => {
            let repo = rest.split(':').next().unwrap_or_default();
            match repo.split_once('/') {
                Some((owner, name)) => wild(owner) || wild(name),
                None => true,
            }
        }
        None => wild(pattern),
    }
}

/// The principal types and the assume actions of a statement must fit each other.
fn check_action_fit(stmt: &Stmt<'_>, kinds: &BTreeSet<Kind>, sink: &mut Sink<'_>) {
    let Some(actions) = &stmt.st.action else {
        return;
    };
    if kinds.is_empty() {
        return;
    }
    let covers = |action: &str| {
        actions
            .iter()
            .any(|a| super::catalogue::glob_matches(a, action))
    };
    for kind in kinds {
        if !covers(kind.action()) {
            let wanted = kind.action();
            sink.report(
                codes::TRUST_ACTION_MISMATCH,
                &stmt.at("Action", None, 0),
                "wrong action for the principal",
                format!("the principal can only assume the role with `{wanted}`, which the statement does not allow"),
                format!("SAML providers use `{ASSUME_SAML}`, OIDC providers `{ASSUME_WEB}`, AWS and service principals `{ASSUME_ROLE}`; allow `{wanted}`"),
            );
        }
    }
    for (i, a) in actions.iter().enumerate() {
        let unused = [
            (ASSUME_ROLE, [Kind::Aws, Kind::Service].as_slice()),
            (ASSUME_SAML, &[Kind::Saml]),
            (ASSUME_WEB, &[Kind::WebIdentity]),
        ]
        .into_iter()
        .find(|(name, _)| a.eq_ignore_ascii_case(name))
        .filter(|(_, fits)| !fits.iter().any(|k| kinds.contains(k)));
        if let Some((name, _)) = unused {
            sink.report(
                codes::TRUST_ACTION_MISMATCH,
                &stmt.at("Action", Some(actions), i),
                "no principal uses this",
                format!("`{name}` is allowed but no principal of the statement assumes roles that way"),
                format!("SAML providers use `{ASSUME_SAML}`, OIDC providers `{ASSUME_WEB}`, AWS and service principals `{ASSUME_ROLE}`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unique_ids_are_recognized() {
        assert!(is_unique_id("AROA1234567890EXAMPLE"));
        assert!(is_unique_id("AIDAJQABLZS4A3QDU576Q"));
        assert!(!is_unique_id("AROA"));
        assert!(!is_unique_id("arn:aws:iam::123456789012:role/x"));
    }

    #[test]
    fn broad_subs_cover_more_than_one_repository() {
        assert!(is_broad_sub("*"));
        assert!(is_broad_sub("repo:org/*"));
        assert!(is_broad_sub("repo:*"));
        assert!(is_broad_sub("repo:org/app*:ref:refs/heads/main"));
        assert!(!is_broad_sub("repo:org/app:*"));
        assert!(!is_broad_sub("repo:org/app:ref:refs/heads/*"));
        assert!(!is_broad_sub("repo:org/app:environment:prod"));
    }

    #[test]
    fn accounts_come_from_ids_and_arns() {
        assert_eq!(account_of("123456789012"), Some("123456789012"));
        assert_eq!(
            account_of("arn:aws:iam::210987654321:role/x"),
            Some("210987654321")
        );
        assert_eq!(account_of("arn:aws:iam::*:root"), Some("*"));
        assert_eq!(account_of("ec2.amazonaws.com"), None);
    }

    #[test]
    fn providers_are_found_in_arns_and_by_name() {
        assert_eq!(
            web_identity_provider(
                "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
            ),
            Some(GITHUB_HOST)
        );
        assert_eq!(web_identity_provider(COGNITO), Some(COGNITO));
        assert_eq!(
            web_identity_provider("arn:aws:iam::123456789012:saml-provider/x"),
            None
        );
    }
}
