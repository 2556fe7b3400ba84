//! Trust shorthand tests: every principal kind expands to the expected document (compared in
//! canonical form), and every error code is produced by some input.

use super::policy;
use crate::policy::{
    NormalizeContext, Policy, PolicyDocumentInput, TrustContext, TrustEntry, TrustError,
    expand_trust,
};

fn ctx() -> TrustContext {
    TrustContext {
        account_id: "111122223333".into(),
        partition: "aws".into(),
    }
}

fn entries(yaml: &str) -> Vec<TrustEntry> {
    serde_saphyr::from_str(yaml).unwrap_or_else(|e| panic!("bad test YAML: {e}\n{yaml}"))
}

fn expand(yaml: &str) -> Result<PolicyDocumentInput, Vec<TrustError>> {
    expand_trust(&entries(yaml), &ctx())
}

/// Expands `yaml` and compares it, canonically, with a document holding `statements`.
fn assert_expands(yaml: &str, statements: &str) {
    let doc = expand(yaml).unwrap_or_else(|e| panic!("unexpected errors: {e:?}"));
    let got = Policy::from_input(&doc, &NormalizeContext::default());
    let want = policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{statements}]}}"#
    ));
    assert_eq!(
        got,
        want,
        "\n got: {}\nwant: {}",
        got.to_pretty_json(),
        want.to_pretty_json()
    );
}

/// Expands `yaml` and returns `(index, code, field)` of every error.
fn codes(yaml: &str) -> Vec<(usize, &'static str, Option<&'static str>)> {
    match expand(yaml) {
        Ok(doc) => panic!("expected errors, got {doc:?}"),
        Err(errors) => errors
            .iter()
            .map(|e| (e.index, e.code(), e.field()))
            .collect(),
    }
}

#[test]
fn service() {
    assert_expands(
        "- service: [ec2.amazonaws.com, lambda.amazonaws.com]",
        r#"{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]},
            "Action":"sts:AssumeRole"}"#,
    );
}

#[test]
fn account_with_external_id_and_mfa() {
    assert_expands(
        "- account: '444455556666'\n  externalId: s3cret\n  requireMfa: true",
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:root"},
            "Action":"sts:AssumeRole","Condition":{
              "StringEquals":{"sts:ExternalId":"s3cret"},
              "Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
    );
}

#[test]
fn account_placeholder_resolves_to_context_account() {
    assert_expands(
        "- account: ${AWS::AccountId}",
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},
            "Action":"sts:AssumeRole"}"#,
    );
}

#[test]
fn role_list_with_session_tags() {
    assert_expands(
        "- role:\n    - arn:aws:iam::444455556666:role/ci\n    - arn:aws:iam::444455556666:role/cd\n  sessionTags: true",
        r#"{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::444455556666:role/cd",
            "arn:aws:iam::444455556666:role/ci"]},"Action":["sts:AssumeRole","sts:TagSession"]}"#,
    );
}

#[test]
fn user_with_mfa() {
    assert_expands(
        "- user: arn:aws:iam::444455556666:user/alice\n  requireMfa: true",
        r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::444455556666:user/alice"},
            "Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}}}"#,
    );
}

#[test]
fn saml() {
    assert_expands(
        "- saml: arn:aws:iam::111122223333:saml-provider/Okta",
        r#"{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::111122223333:saml-provider/Okta"},
            "Action":"sts:AssumeRoleWithSAML",
            "Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}"#,
    );
}

#[test]
fn oidc_with_user_conditions() {
    assert_expands(
        "- oidc: arn:aws:iam::111122223333:oidc-provider/oidc.eks.amazonaws.com/id/ABC\n  conditions:\n    StringEquals:\n      oidc.eks.amazonaws.com/id/ABC:sub: system:serviceaccount:ns:sa",
        r#"{"Effect":"Allow",
            "Principal":{"Federated":"arn:aws:iam::111122223333:oidc-provider/oidc.eks.amazonaws.com/id/ABC"},
            "Action":"sts:AssumeRoleWithWebIdentity",
            "Condition":{"StringEquals":{"oidc.eks.amazonaws.com/id/ABC:sub":"system:serviceaccount:ns:sa"}}}"#,
    );
}

/// The GitHub statement with the given `sub` operator and value.
fn github(op: &str, sub: &str) -> String {
    let aud = r#""token.actions.githubusercontent.com:aud":"sts.amazonaws.com""#;
    let sub = format!(r#""token.actions.githubusercontent.com:sub":"{sub}""#);
    let condition = if op == "StringEquals" {
        format!(r#"{{"StringEquals":{{{aud},{sub}}}}}"#)
    } else {
        format!(r#"{{"StringEquals":{{{aud}}},"{op}":{{{sub}}}}}"#)
    };
    format!(
        r#"{{"Effect":"Allow","Principal":{{"Federated":
            "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com"}},
            "Action":"sts:AssumeRoleWithWebIdentity","Condition":{condition}}}"#
    )
}

#[test]
fn github_actions_branch_ref() {
    assert_expands(
        "- githubActions: {repo: acme/app, ref: main}",
        &github("StringEquals", "repo:acme/app:ref:refs/heads/main"),
    );
}

#[test]
fn github_actions_full_ref() {
    assert_expands(
        "- githubActions: {repo: acme/app, ref: refs/tags/v1}",
        &github("StringEquals", "repo:acme/app:ref:refs/tags/v1"),
    );
}

#[test]
fn github_actions_environment() {
    assert_expands(
        "- githubActions: {repo: acme/app, environment: prod}",
        &github("StringEquals", "repo:acme/app:environment:prod"),
    );
}

#[test]
fn github_actions_pull_request() {
    assert_expands(
        "- githubActions: {repo: acme/app, pullRequest: true}",
        &github("StringEquals", "repo:acme/app:pull_request"),
    );
}

#[test]
fn github_actions_any_ref_uses_string_like() {
    assert_expands(
        "- githubActions: {repo: acme/app}",
        &github("StringLike", "repo:acme/app:*"),
    );
}

#[test]
fn one_statement_per_entry_in_order_without_sid() {
    let doc = expand("- service: ec2.amazonaws.com\n- account: '444455556666'").expect("valid");
    assert_eq!(doc.version.as_deref(), Some("2012-10-17"));
    let statements = doc.statement.into_vec();
    assert_eq!(statements.len(), 2);
    assert!(statements.iter().all(|s| s.sid.is_none()));
    assert!(statements[0].principal.is_some());
}

#[test]
fn partition_is_used_in_generated_arns() {
    let ctx = TrustContext {
        account_id: "111122223333".into(),
        partition: "aws-cn".into(),
    };
    let doc = expand_trust(
        &entries("- githubActions: {repo: a/b}\n- account: '444455556666'"),
        &ctx,
    )
    .expect("valid");
    let json = serde_json::to_string(&doc).expect("serializes");
    assert!(
        json.contains("arn:aws-cn:iam::111122223333:oidc-provider/"),
        "{json}"
    );
    assert!(json.contains("arn:aws-cn:iam::444455556666:root"), "{json}");
}

#[test]
fn unknown_keys_are_rejected_by_serde() {
    let err = serde_saphyr::from_str::<Vec<TrustEntry>>("- servce: ec2.amazonaws.com").unwrap_err();
    assert!(err.to_string().contains("servce"), "{err}");
    let nested = "- githubActions: {repo: a/b, branch: main}";
    assert!(serde_saphyr::from_str::<Vec<TrustEntry>>(nested).is_err());
}

#[test]
fn error_no_principal() {
    assert_eq!(
        codes("- sessionTags: true"),
        [(0, "trust-no-principal", None)]
    );
}

#[test]
fn error_multiple_principals() {
    assert_eq!(
        codes("- service: ec2.amazonaws.com\n  account: '444455556666'"),
        [(0, "trust-multiple-principals", Some("account"))]
    );
}

#[test]
fn error_invalid_account_id() {
    assert_eq!(
        codes("- account: '1234'"),
        [(0, "trust-invalid-account-id", Some("account"))]
    );
    assert_eq!(
        codes("- account: arn:aws:iam::444455556666:root")[0].1,
        "trust-invalid-account-id"
    );
}

#[test]
fn error_option_not_allowed() {
    assert_eq!(
        codes("- service: ec2.amazonaws.com\n  externalId: x\n  requireMfa: true"),
        [
            (0, "trust-option-not-allowed", Some("externalId")),
            (0, "trust-option-not-allowed", Some("requireMfa")),
        ]
    );
}

#[test]
fn error_invalid_arn() {
    assert_eq!(
        codes("- role: [arn:aws:iam::444455556666:role/ok, arn:aws:iam::444455556666:user/bob]"),
        [(0, "trust-invalid-arn", Some("role"))]
    );
    assert_eq!(codes("- saml: Okta")[0].1, "trust-invalid-arn");
    assert_eq!(
        codes("- oidc: arn:aws:iam::1:oidc-provider/x")[0].1,
        "trust-invalid-arn"
    );
}

#[test]
fn error_empty_value() {
    assert_eq!(
        codes("- service: []"),
        [(0, "trust-empty-value", Some("service"))]
    );
    assert_eq!(
        codes("- account: '444455556666'\n  externalId: ''"),
        [(0, "trust-empty-value", Some("externalId"))]
    );
}

#[test]
fn error_invalid_github_repo() {
    for repo in ["acme", "acme/app/x", "/app", "acme/a b"] {
        let yaml = format!("- githubActions: {{repo: '{repo}'}}");
        assert_eq!(
            codes(&yaml),
            [(0, "trust-invalid-github-repo", Some("githubActions.repo"))],
            "{repo}"
        );
    }
}

#[test]
fn error_github_ref_conflict() {
    assert_eq!(
        codes("- githubActions: {repo: a/b, ref: main, environment: prod}"),
        [(0, "trust-github-ref-conflict", Some("githubActions"))]
    );
    // `pullRequest: false` selects nothing, so it does not conflict.
    assert!(expand("- githubActions: {repo: a/b, ref: main, pullRequest: false}").is_ok());
}

#[test]
fn error_conflicting_condition() {
    let yaml = "- account: '444455556666'\n  externalId: x\n  conditions:\n    StringEquals:\n      STS:ExternalId: y";
    assert_eq!(
        codes(yaml),
        [(0, "conflicting-condition", Some("conditions"))]
    );
    // Same key under another operator is a separate condition, not a conflict.
    let other_op = "- account: '444455556666'\n  externalId: x\n  conditions:\n    StringLike:\n      sts:ExternalId: y*";
    assert!(expand(other_op).is_ok());
}

#[test]
fn errors_are_gathered_across_entries() {
    let errors = expand(
        "- {}\n- service: ec2.amazonaws.com\n- githubActions: {repo: nope, ref: a, environment: b}",
    )
    .unwrap_err();
    let got: Vec<_> = errors.iter().map(|e| (e.index, e.code())).collect();
    assert_eq!(
        got,
        [
            (0, "trust-no-principal"),
            (2, "trust-invalid-github-repo"),
            (2, "trust-github-ref-conflict"),
        ]
    );
    assert_eq!(
        errors[1].to_string(),
        "trust[2].githubActions.repo: `nope` is not a GitHub repository of the form `owner/name`"
    );
    assert!(
        errors
            .iter()
            .all(|e| !e.help().is_empty() && !e.message().is_empty())
    );
}
