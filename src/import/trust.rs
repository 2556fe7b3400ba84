//! Live trust policy → `trust:` shorthand, only where the shorthand says exactly the same.
//!
//! Each statement gets a candidate entry; the candidates are then expanded again and compared
//! with the original in canonical form. Any difference (an extra element, an action the
//! shorthand would not generate, a condition it would add) means the raw `trustPolicy` is kept:
//! the shorthand is never lossy.

use crate::policy::{
    ActionName, ConditionBlock, ConditionValue, Effect, GithubActions, NormalizeContext, OneOrMany,
    Policy, Principals, Statement, TrustContext, TrustEntry, expand_trust,
};

const GITHUB_HOST: &str = "token.actions.githubusercontent.com";
const SAML_AUD: &str = "https://signin.aws.amazon.com/saml";

/// The shorthand for `trust`, if it expresses the policy exactly.
pub fn shorthand(policy: &Policy, ctx: &TrustContext) -> Option<Vec<TrustEntry>> {
    if policy.version() != Some("2012-10-17") || policy.id().is_some() {
        return None;
    }
    let entries: Vec<TrustEntry> = policy
        .statements()
        .iter()
        .map(|s| entry(s, ctx))
        .collect::<Option<_>>()?;
    if entries.is_empty() {
        return None;
    }
    let expanded = expand_trust(&entries, ctx).ok()?;
    let nctx = NormalizeContext {
        partition: ctx.partition.clone(),
    };
    (Policy::from_input(&expanded, &nctx) == *policy).then_some(entries)
}

/// Removes `operator`/`key` from a condition block if it holds exactly `value`; returns whether
/// it did.
fn take_condition(block: &mut ConditionBlock, operator: &str, key: &str, value: &str) -> bool {
    let Some(keys) = block.get_mut(operator) else {
        return false;
    };
    let found = keys
        .iter()
        .find(|(k, v)| {
            k.eq_ignore_ascii_case(key)
                && v.len() == 1
                && v.iter()
                    .next()
                    .map(ConditionValue::to_canonical_string)
                    .as_deref()
                    == Some(value)
        })
        .map(|(k, _)| k.clone());
    let Some(k) = found else { return false };
    keys.remove(&k);
    if keys.is_empty() {
        block.remove(operator);
    }
    true
}

/// A single value under `operator`/`key`, removed from the block.
fn take_single(block: &mut ConditionBlock, operator: &str, key: &str) -> Option<String> {
    let keys = block.get_mut(operator)?;
    let k = keys
        .iter()
        .find(|(k, v)| k.eq_ignore_ascii_case(key) && v.len() == 1)
        .map(|(k, _)| k.clone())?;
    let value = keys.remove(&k)?.iter().next()?.to_canonical_string();
    if keys.is_empty() {
        block.remove(operator);
    }
    Some(value)
}

/// The statement's conditions as a raw block (the canonical form's own conversion).
fn condition_block(s: &Statement) -> ConditionBlock {
    s.to_input().condition.unwrap_or_default()
}

fn one_or_many(values: &[String]) -> OneOrMany<String> {
    OneOrMany::from_vec(values.to_vec())
}

fn entry(s: &Statement, ctx: &TrustContext) -> Option<TrustEntry> {
    if s.effect != Effect::Allow
        || !s.sid.is_empty()
        || s.not_principal.is_some()
        || s.not_action.is_some()
        || s.resource.is_some()
        || s.not_resource.is_some()
    {
        return None;
    }
    let Some(Principals::Map(principals)) = &s.principal else {
        return None;
    };
    if principals.len() != 1 {
        return None;
    }
    let (kind, ids) = principals.iter().next()?;
    let ids: Vec<String> = ids.iter().cloned().collect();
    let actions: Vec<String> = s
        .action
        .as_ref()?
        .iter()
        .map(|a: &ActionName| a.as_str().to_ascii_lowercase())
        .collect();
    let session_tags = actions.iter().any(|a| a == "sts:tagsession");
    let main: Vec<&String> = actions.iter().filter(|a| *a != "sts:tagsession").collect();
    let [main] = main.as_slice() else { return None };
    let mut conditions = condition_block(s);
    let mut e = TrustEntry {
        session_tags: session_tags.then_some(true),
        ..TrustEntry::default()
    };
    match (kind.as_str(), main.as_str()) {
        ("Service", "sts:assumerole") => e.service = Some(one_or_many(&ids)),
        ("AWS", "sts:assumerole") => {
            let root = |id: &String| {
                id.strip_prefix(&format!("arn:{}:iam::", ctx.partition))
                    .and_then(|r| r.strip_suffix(":root"))
                    .map(str::to_owned)
            };
            if let [id] = ids.as_slice()
                && let Some(account) = root(id)
            {
                e.account = Some(account);
            } else if ids
                .iter()
                .all(|i| i.contains(":role/") || i.contains(":assumed-role/"))
            {
                e.role = Some(one_or_many(&ids));
            } else if ids.iter().all(|i| i.contains(":user/")) {
                e.user = Some(one_or_many(&ids));
            } else {
                return None;
            }
            e.external_id = take_single(&mut conditions, "StringEquals", "sts:ExternalId");
            if take_condition(
                &mut conditions,
                "Bool",
                "aws:MultiFactorAuthPresent",
                "true",
            ) {
                e.require_mfa = Some(true);
            }
        }
        ("Federated", "sts:assumerolewithsaml") => {
            let [arn] = ids.as_slice() else { return None };
            if !take_condition(&mut conditions, "StringEquals", "SAML:aud", SAML_AUD) {
                return None;
            }
            e.saml = Some(arn.clone());
        }
        ("Federated", "sts:assumerolewithwebidentity") => {
            let [arn] = ids.as_slice() else { return None };
            let github = format!(
                "arn:{}:iam::{}:oidc-provider/{GITHUB_HOST}",
                ctx.partition, ctx.account_id
            );
            if *arn == github
                && let Some(gh) = github_actions(&mut conditions.clone())
            {
                // The GitHub form owns aud and sub; anything else stays in `conditions`.
                let mut rest = conditions.clone();
                let _ = github_actions(&mut rest);
                conditions = rest;
                e.github_actions = Some(gh);
            } else {
                e.oidc = Some(arn.clone());
            }
        }
        _ => return None,
    }
    e.conditions = (!conditions.is_empty()).then_some(conditions);
    Some(e)
}

/// Recognizes the GitHub Actions conditions (`aud` = sts.amazonaws.com and one `sub`), removing
/// them from the block.
fn github_actions(block: &mut ConditionBlock) -> Option<GithubActions> {
    let aud = format!("{GITHUB_HOST}:aud");
    let sub_key = format!("{GITHUB_HOST}:sub");
    if !take_condition(block, "StringEquals", &aud, "sts.amazonaws.com") {
        return None;
    }
    let (sub, like) = match take_single(block, "StringEquals", &sub_key) {
        Some(s) => (s, false),
        None => (take_single(block, "StringLike", &sub_key)?, true),
    };
    let rest = sub.strip_prefix("repo:")?;
    let (repo, selector) = match rest.split_once(':') {
        Some((owner_name, sel)) => (owner_name, sel),
        None => return None,
    };
    let mut gh = GithubActions {
        repo: repo.to_owned(),
        ..GithubActions::default()
    };
    match (like, selector) {
        (true, "*") => {}
        (false, "pull_request") => gh.pull_request = Some(true),
        (false, sel) => {
            if let Some(r) = sel.strip_prefix("ref:") {
                gh.git_ref = Some(r.strip_prefix("refs/heads/").unwrap_or(r).to_owned());
            } else if let Some(env) = sel.strip_prefix("environment:") {
                gh.environment = Some(env.to_owned());
            } else {
                return None;
            }
        }
        _ => return None,
    }
    Some(gh)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> TrustContext {
        TrustContext {
            account_id: "123456789012".into(),
            partition: "aws".into(),
        }
    }

    fn policy(json: &str) -> Policy {
        Policy::from_json_str(json, &NormalizeContext::default()).unwrap()
    }

    fn yaml(entries: &[TrustEntry]) -> String {
        serde_json::to_string(entries).unwrap()
    }

    #[test]
    fn every_seed_trust_kind_round_trips_through_the_shorthand() {
        let cases = [
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","ec2.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#,
                r#"[{"service":["ec2.amazonaws.com","lambda.amazonaws.com"]}]"#,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"x-1"}}}]}"#,
                r#"[{"account":"210987654321","externalId":"x-1"}]"#,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":true}}}]}"#,
                r#"[{"account":"123456789012","requireMfa":true}]"#,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::123456789012:role/ci"},"Action":["sts:AssumeRole","sts:TagSession"]}]}"#,
                r#"[{"role":"arn:aws:iam::123456789012:role/ci","sessionTags":true}]"#,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/idp"},"Action":"sts:AssumeRoleWithSAML","Condition":{"StringEquals":{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}]}"#,
                r#"[{"saml":"arn:aws:iam::123456789012:saml-provider/idp"}]"#,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"token.actions.githubusercontent.com:aud":"sts.amazonaws.com","token.actions.githubusercontent.com:sub":"repo:org/app:ref:refs/heads/main"}}}]}"#,
                r#"[{"githubActions":{"repo":"org/app","ref":"main"}}]"#,
            ),
            (
                r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:oidc-provider/auth.example.com"},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{"StringEquals":{"auth.example.com:aud":"app"}}}]}"#,
                r#"[{"oidc":"arn:aws:iam::123456789012:oidc-provider/auth.example.com","conditions":{"StringEquals":{"auth.example.com:aud":"app"}}}]"#,
            ),
        ];
        for (json, expected) in cases {
            let got = shorthand(&policy(json), &ctx())
                .unwrap_or_else(|| panic!("no shorthand for {json}"));
            assert_eq!(yaml(&got), expected);
        }
    }

    #[test]
    fn what_the_shorthand_cannot_say_stays_raw() {
        for json in [
            // A Sid, a Deny, a NotAction, two principal types, an Id, an old version.
            r#"{"Version":"2012-10-17","Statement":[{"Sid":"X","Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Deny","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"NotAction":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com","AWS":"arn:aws:iam::123456789012:root"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2012-10-17","Id":"x","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            r#"{"Version":"2008-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
            // A service with a web-identity action; SAML without the aud condition.
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRoleWithWebIdentity"}]}"#,
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Federated":"arn:aws:iam::123456789012:saml-provider/idp"},"Action":"sts:AssumeRoleWithSAML"}]}"#,
        ] {
            assert!(shorthand(&policy(json), &ctx()).is_none(), "{json}");
        }
    }

    #[test]
    fn extra_conditions_ride_along() {
        let json = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#;
        let got = shorthand(&policy(json), &ctx()).unwrap();
        assert_eq!(
            yaml(&got),
            r#"[{"service":"ec2.amazonaws.com","conditions":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]"#
        );
    }
}
