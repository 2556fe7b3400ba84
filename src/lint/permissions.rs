//! Permission policy checks: actions against the catalogue, wildcards granted with `Allow`,
//! condition operators and values, resource ARN shapes. Action and condition checks also run on
//! trust policies.

use super::LintContext;
use super::catalogue::catalogue;
use super::{Sink, Stmt, base_operator};
use crate::codes;
use crate::diagnostic::did_you_mean;
use crate::policy::Effect;

/// Condition operators without prefix and `IfExists` suffix.
const OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
    "StringLike",
    "StringNotLike",
    "NumericEquals",
    "NumericNotEquals",
    "NumericLessThan",
    "NumericLessThanEquals",
    "NumericGreaterThan",
    "NumericGreaterThanEquals",
    "DateEquals",
    "DateNotEquals",
    "DateLessThan",
    "DateLessThanEquals",
    "DateGreaterThan",
    "DateGreaterThanEquals",
    "Bool",
    "BinaryEquals",
    "IpAddress",
    "NotIpAddress",
    "ArnEquals",
    "ArnLike",
    "ArnNotEquals",
    "ArnNotLike",
    "Null",
];

/// Operators that compare literally: `*` and `?` in their values are plain characters.
const EXACT_OPERATORS: &[&str] = &[
    "StringEquals",
    "StringNotEquals",
    "StringEqualsIgnoreCase",
    "StringNotEqualsIgnoreCase",
];

/// Condition keys that hold one value per request: a set operator on them misleads.
const SINGLE_VALUED_SUFFIXES: &[&str] = &[":aud", ":sub", ":azp"];
const SINGLE_VALUED_KEYS: &[&str] = &[
    "sts:ExternalId",
    "aws:PrincipalArn",
    "aws:PrincipalAccount",
    "aws:PrincipalOrgID",
    "aws:PrincipalType",
    "aws:SourceAccount",
    "aws:SourceArn",
    "aws:SourceIp",
    "aws:SourceVpc",
    "aws:SourceVpce",
    "aws:RequestedRegion",
    "aws:SecureTransport",
    "aws:MultiFactorAuthPresent",
    "aws:userid",
    "aws:username",
];

/// All permission-policy checks on one statement.
pub(crate) fn check_statement(stmt: &Stmt<'_>, ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    check_actions(stmt, sink);
    check_conditions(stmt, sink);
    check_grants(stmt, sink);
    check_resources(stmt, ctx, sink);
}

/// Every action and `NotAction` exists in the catalogue (patterns match at least one action).
pub(crate) fn check_actions(stmt: &Stmt<'_>, sink: &mut Sink<'_>) {
    let cat = catalogue();
    for (field, list) in [
        ("Action", &stmt.st.action),
        ("NotAction", &stmt.st.not_action),
    ] {
        let Some(list) = list else { continue };
        for (i, action) in list.iter().enumerate() {
            let Some((prefix, name)) = action.split_once(':') else {
                continue;
            };
            let path = stmt.at(field, Some(list), i);
            let Some(service) = cat.service(prefix) else {
                let help = match cat.suggest_service(prefix) {
                    Some(s) => format!("did you mean `{s}:{name}`?"),
                    None => "check the service prefix in the Service Authorization Reference (or refresh data/iam-actions.txt)".to_owned(),
                };
                sink.report(
                    codes::UNKNOWN_SERVICE,
                    &path,
                    "unknown service",
                    format!("`{prefix}` in `{action}` is not an AWS service prefix"),
                    help,
                );
                continue;
            };
            if service.matching(name).next().is_none() {
                let help = match service.suggest(name) {
                    Some(s) => format!("did you mean `{}:{s}`?", service.prefix),
                    None => format!(
                        "no `{}` action matches; check the name in the Service Authorization Reference",
                        service.prefix
                    ),
                };
                sink.report(
                    codes::UNKNOWN_ACTION,
                    &path,
                    "unknown action",
                    format!("`{action}` matches no action of `{}`", service.prefix),
                    help,
                );
            }
        }
    }
}

/// Operators exist, set operators sit on multi-valued keys, wildcards sit under `Like`.
pub(crate) fn check_conditions(stmt: &Stmt<'_>, sink: &mut Sink<'_>) {
    let Some(block) = &stmt.st.condition else {
        return;
    };
    for (op, keys) in block {
        let base = base_operator(op);
        if !OPERATORS.contains(&base) || (base == "Null" && op != "Null") {
            let help = match did_you_mean(base, OPERATORS.iter().copied()) {
                Some(s) => format!("did you mean `{}`?", op.replacen(base, s, 1)),
                None => "operators are e.g. `StringEquals`, `StringLike`, `ArnLike`, `Bool`, optionally with `ForAllValues:` / `ForAnyValue:` and `IfExists`".to_owned(),
            };
            sink.report(
                codes::UNKNOWN_CONDITION_OPERATOR,
                &stmt.condition(op, None),
                "unknown operator",
                format!("`{op}` is not a condition operator"),
                help,
            );
            continue;
        }
        let set = op.starts_with("ForAllValues:") || op.starts_with("ForAnyValue:");
        for (key, values) in keys {
            if set && is_single_valued(key) {
                let (prefix, _) = op.split_once(':').unwrap_or((op, ""));
                sink.report(
                    codes::SET_OPERATOR_ON_SINGLE_VALUED_KEY,
                    &stmt.condition(op, Some(key)),
                    "single-valued key",
                    format!("`{key}` holds one value; `{prefix}` is meant for multi-valued keys"),
                    format!("use `{base}` without `{prefix}:` (`ForAllValues` is also true when the key is absent)"),
                );
            }
            if EXACT_OPERATORS.contains(&base) {
                for v in values.iter().map(|v| v.to_canonical_string()) {
                    // `${*}` and `${?}` are escapes for literal characters.
                    let unescaped = v.replace("${*}", "").replace("${?}", "");
                    if unescaped.contains(['*', '?']) {
                        let like = base.replace("Equals", "Like").replace("IgnoreCase", "");
                        sink.report(
                            codes::WILDCARD_IN_EXACT_OPERATOR,
                            &stmt.condition(op, Some(key)),
                            "compared literally",
                            format!(
                                "`{v}` under `{op}` matches only the literal characters `*` / `?`"
                            ),
                            format!(
                                "use `{like}` for a pattern, or `${{*}}` to say the `*` is literal"
                            ),
                        );
                    }
                }
            }
        }
    }
}

fn is_single_valued(key: &str) -> bool {
    let lower = key.to_ascii_lowercase();
    SINGLE_VALUED_SUFFIXES.iter().any(|s| lower.ends_with(s))
        || SINGLE_VALUED_KEYS
            .iter()
            .any(|k| k.eq_ignore_ascii_case(key))
}

/// Wildcards and `NotAction` granted with `Allow`.
fn check_grants(stmt: &Stmt<'_>, sink: &mut Sink<'_>) {
    let st = stmt.st;
    if st.effect != Effect::Allow {
        return;
    }
    if st.not_action.is_some() {
        sink.report(
            codes::NOT_ACTION_WITH_ALLOW,
            &stmt.at("NotAction", None, 0),
            "allows everything else",
            "`NotAction` with `Allow` grants every action not listed, including actions AWS adds later",
            "list the allowed actions under `Action`, or use `Deny` with `NotAction`",
        );
    }
    let everything = super::grants::allows_every_action(st);
    if let Some(list) = &st.action {
        for (i, a) in list.iter().enumerate() {
            let whole = a == "*" || a.ends_with(":*");
            if whole {
                let what = if a == "*" {
                    "every action of every service".to_owned()
                } else {
                    format!("every `{}` action", a.trim_end_matches(":*"))
                };
                sink.report(
                    codes::WILDCARD_ACTION,
                    &stmt.at("Action", Some(list), i),
                    "every action",
                    format!("`{a}` allows {what}"),
                    "list the actions the role needs (least privilege)",
                );
            }
        }
    }
    let Some(resources) = &st.resource else {
        return;
    };
    let Some(i) = resources.iter().position(|r| r == "*") else {
        return;
    };
    if everything {
        return;
    }
    // Actions without resource types only work with `*`: no warning for them.
    let cat = catalogue();
    let scoped = st.action.iter().flatten().any(|a| {
        let Some((prefix, name)) = a.split_once(':') else {
            return false;
        };
        match cat.service(prefix) {
            Some(s) => s.matching(name).any(|x| !x.wildcard_resource_only),
            None => false,
        }
    });
    if scoped {
        sink.report(
            codes::WILDCARD_RESOURCE,
            &stmt.at("Resource", Some(resources), i),
            "every resource",
            "`Resource: \"*\"` allows the actions on every resource of the account",
            "name the resources by ARN (wildcards inside an ARN, like `bucket/*`, are fine)",
        );
    }
}

/// `Resource` / `NotResource` values are `*` or ARNs.
fn check_resources(stmt: &Stmt<'_>, ctx: &LintContext<'_>, sink: &mut Sink<'_>) {
    for (field, list) in [
        ("Resource", &stmt.st.resource),
        ("NotResource", &stmt.st.not_resource),
    ] {
        let Some(list) = list else { continue };
        for (i, r) in list.iter().enumerate() {
            let resolved = r
                .replace("${AWS::Partition}", ctx.partition)
                .replace("${AWS::AccountId}", ctx.account_id);
            if let Err(why) = arn_shape(&resolved) {
                sink.report(
                    codes::INVALID_RESOURCE_ARN,
                    &stmt.at(field, Some(list), i),
                    "not an ARN",
                    format!("`{r}` is not a resource ARN: {why}"),
                    "resources are `*` or ARNs like `arn:aws:s3:::bucket/*`, `arn:aws:dynamodb:REGION:ACCOUNT:table/NAME`",
                );
            }
        }
    }
}

/// Checks `arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE` loosely; policy variables (`${...}`)
/// and wildcards are accepted anywhere.
fn arn_shape(value: &str) -> Result<(), &'static str> {
    if value == "*" {
        return Ok(());
    }
    // A variable may hold `:` (`${aws:username}`); stand in `$` for it.
    let mut plain = String::with_capacity(value.len());
    let mut rest = value;
    while let Some(start) = rest.find("${") {
        plain.push_str(&rest[..start]);
        plain.push('$');
        rest = match rest[start..].find('}') {
            Some(end) => &rest[start + end + 1..],
            None => "",
        };
    }
    plain.push_str(rest);
    let parts: Vec<&str> = plain.splitn(6, ':').collect();
    let [arn, partition, service, region, account, resource] = parts.as_slice() else {
        return Err("an ARN has six `:`-separated parts");
    };
    let wild = |s: &str| s.contains(['*', '?', '$']);
    if *arn != "arn" {
        return Err("an ARN starts with `arn:`");
    }
    if !(wild(partition) || partition.starts_with("aws")) {
        return Err("the partition is `aws`, `aws-cn` or `aws-us-gov`");
    }
    let token = |s: &str| {
        s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'*' | b'?' | b'_'))
    };
    if service.is_empty() || !(wild(service) || token(service)) {
        return Err("the service part is missing or malformed");
    }
    if !(wild(region) || token(region)) {
        return Err("the region part is malformed");
    }
    let account_ok = account.is_empty()
        || wild(account)
        || *account == "aws"
        || (account.len() == 12 && account.bytes().all(|b| b.is_ascii_digit()));
    if !account_ok {
        return Err("the account part is empty, `*` or 12 digits");
    }
    if resource.is_empty() {
        return Err("the resource part is empty");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arn_shapes() {
        for ok in [
            "*",
            "arn:aws:s3:::bucket/*",
            "arn:aws:dynamodb:*:123456789012:table/orders",
            "arn:${AWS::Partition}:ssm:*:${AWS::AccountId}:parameter/x",
            "arn:aws:iam::aws:policy/ReadOnlyAccess",
            "arn:aws:s3:::bucket/${aws:username}/*",
            "arn:aws-cn:ec2:cn-north-1:123456789012:instance/*",
        ] {
            assert_eq!(arn_shape(ok), Ok(()), "{ok}");
        }
        for bad in [
            "bucket/*",
            "arn:aws:s3:bucket",
            "arn:aws:s3:::",
            "arn:aws:dynamodb:us-east-1:1234:table/x",
            "arm:aws:s3:::bucket",
            "arn:gcp:s3:::bucket",
        ] {
            assert!(arn_shape(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn single_valued_keys() {
        assert!(is_single_valued("token.actions.githubusercontent.com:sub"));
        assert!(is_single_valued("accounts.google.com:aud"));
        assert!(is_single_valued("sts:externalid"));
        assert!(!is_single_valued("aws:TagKeys"));
        assert!(!is_single_valued("cognito-identity.amazonaws.com:amr"));
    }
}
