//! IAM's rules for names, paths, tags, ARNs and sizes, as pure checks.
//!
//! Each check returns `Err(message)` describing the rule that was broken; callers attach the
//! code and location. Limits that accounts may raise live in [`crate::quotas`], which `plan`
//! reads too.

/// Tags per role.
pub const MAX_TAGS: usize = 50;
/// Description length.
pub const MAX_DESCRIPTION: usize = 1000;

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "+=,.@_-".contains(c)
}

/// Role names: 1–64 characters of `[\w+=,.@-]`.
pub fn role_name(name: &str) -> Result<(), String> {
    entity_name(name, 64, "role name")
}

/// Names of instance profiles and inline policies: 1–128 characters of `[\w+=,.@-]`.
pub fn entity_name(name: &str, max: usize, what: &str) -> Result<(), String> {
    if name.is_empty() || name.chars().count() > max {
        return Err(format!(
            "{what} must be 1–{max} characters, got {}",
            name.chars().count()
        ));
    }
    if let Some(c) = name.chars().find(|c| !is_name_char(*c)) {
        return Err(format!(
            "{what} contains `{c}`; only letters, digits and +=,.@_- are allowed"
        ));
    }
    Ok(())
}

/// Paths as IAM accepts them, and no others: `/`, or `/`, at least one printable ASCII
/// character (`!` to `~`, which includes `/`), `/`; at most 512 characters in all (IAM's pattern
/// is `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`). So `/a//b/`, `///` and `/.ops/` are paths,
/// while `//` is not. On top of IAM's rule, the prefixes AWS keeps for the roles it creates
/// (`/aws-service-role/`, `/aws-reserved/`) are refused: rolesmith cannot create roles there.
pub fn path(path: &str) -> Result<(), String> {
    const MAX_PATH: usize = 512;
    let n = path.chars().count();
    if n > MAX_PATH {
        return Err(format!("path is {n} characters; IAM allows {MAX_PATH}"));
    }
    if let Some(c) = path.chars().find(|c| !('!'..='~').contains(c)) {
        return Err(format!(
            "path contains {c:?}; only printable ASCII without spaces is allowed"
        ));
    }
    if !path.starts_with('/') || !path.ends_with('/') {
        return Err("path must start and end with `/`".into());
    }
    if path == "//" {
        return Err("path `//` is empty between its slashes; write `/` for no path".into());
    }
    if path.starts_with("/aws-service-role/") || path.starts_with("/aws-reserved/") {
        return Err("this path is reserved for roles AWS creates".into());
    }
    Ok(())
}

/// Descriptions: at most 1000 characters of tab, newline and Latin-1 printable characters.
pub fn description(text: &str) -> Result<(), String> {
    let n = text.chars().count();
    if n > MAX_DESCRIPTION {
        return Err(format!(
            "description is {n} characters; IAM allows {MAX_DESCRIPTION}"
        ));
    }
    let allowed = |c: char| matches!(c, '\t' | '\n' | '\r' | ' '..='~' | '\u{a1}'..='\u{ff}');
    if let Some(c) = text.chars().find(|c| !allowed(*c)) {
        return Err(format!(
            "description contains {c:?}, which IAM does not accept"
        ));
    }
    Ok(())
}

/// Maximum session duration: 3600–43200 seconds.
pub fn max_session_duration(seconds: u32) -> Result<(), String> {
    if (3600..=43_200).contains(&seconds) {
        Ok(())
    } else {
        Err(format!(
            "maxSessionDuration is {seconds}; IAM allows 3600 to 43200 seconds (1 to 12 hours)"
        ))
    }
}

fn is_tag_char(c: char) -> bool {
    c.is_alphanumeric() || c.is_whitespace() || "_.:/=+-@".contains(c)
}

/// Tag keys: 1–128 characters, not starting with `aws:`.
pub fn tag_key(key: &str) -> Result<(), String> {
    let n = key.chars().count();
    if n == 0 || n > 128 {
        return Err(format!("tag key must be 1–128 characters, got {n}"));
    }
    if key.to_ascii_lowercase().starts_with("aws:") {
        return Err("tag keys starting with `aws:` are reserved for AWS".into());
    }
    if let Some(c) = key.chars().find(|c| !is_tag_char(*c)) {
        return Err(format!(
            "tag key contains {c:?}; allowed are letters, digits, spaces and _.:/=+-@"
        ));
    }
    Ok(())
}

/// Tag values: 0–256 characters.
pub fn tag_value(value: &str) -> Result<(), String> {
    let n = value.chars().count();
    if n > 256 {
        return Err(format!("tag value is {n} characters; IAM allows 256"));
    }
    if let Some(c) = value.chars().find(|c| !is_tag_char(*c)) {
        return Err(format!(
            "tag value contains {c:?}; allowed are letters, digits, spaces and _.:/=+-@"
        ));
    }
    Ok(())
}

/// A 12-digit account id.
pub fn account_id(id: &str) -> bool {
    id.len() == 12 && id.bytes().all(|b| b.is_ascii_digit())
}

/// Whether `value` is an IAM unique id of a role (`AROA`) or user (`AIDA`): what IAM shows in a
/// policy once the principal it named was deleted. IAM rejects them when a policy is written.
pub fn is_unique_id(value: &str) -> bool {
    (value.starts_with("AROA") || value.starts_with("AIDA"))
        && value.len() >= 16
        && value
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Splits an IAM ARN `arn:PARTITION:iam::ACCOUNT:RESOURCE` into (partition, account, resource).
pub fn iam_arn(arn: &str) -> Option<(&str, &str, &str)> {
    let rest = arn.strip_prefix("arn:")?;
    let (partition, rest) = rest.split_once(':')?;
    let rest = rest.strip_prefix("iam::")?;
    let (account, resource) = rest.split_once(':')?;
    if !matches!(
        partition,
        "aws"
            | "aws-cn"
            | "aws-us-gov"
            | "aws-iso"
            | "aws-iso-b"
            | "aws-iso-e"
            | "aws-iso-f"
            | "aws-eusc"
    ) {
        return None;
    }
    Some((partition, account, resource))
}

/// A managed policy ARN: `arn:P:iam::(aws|ACCOUNT):policy/[path/]name`.
pub fn managed_policy_arn(arn: &str) -> Result<(), String> {
    let expected = "expected arn:aws:iam::ACCOUNT:policy/NAME (or arn:aws:iam::aws:policy/NAME)";
    let Some((_, account, resource)) = iam_arn(arn) else {
        return Err(format!("`{arn}` is not an IAM ARN; {expected}"));
    };
    if account != "aws" && !account_id(account) {
        return Err(format!("`{account}` is not an account id; {expected}"));
    }
    let Some(path_and_name) = resource.strip_prefix("policy/") else {
        return Err(format!("`{arn}` does not name a policy; {expected}"));
    };
    let name = path_and_name.rsplit('/').next().unwrap_or_default();
    entity_name(name, 128, "policy name")
}

/// A principal ARN of the given resource type (`role`, `user`, `saml-provider`, `oidc-provider`).
pub fn principal_arn(arn: &str, kind: &str) -> Result<(), String> {
    let expected = format!("expected arn:aws:iam::ACCOUNT:{kind}/NAME");
    let Some((_, account, resource)) = iam_arn(arn) else {
        return Err(format!("`{arn}` is not an IAM ARN; {expected}"));
    };
    if !account_id(account) {
        return Err(format!(
            "`{account}` is not a 12-digit account id; {expected}"
        ));
    }
    match resource
        .strip_prefix(kind)
        .and_then(|r| r.strip_prefix('/'))
    {
        Some(name) if !name.is_empty() => Ok(()),
        _ => Err(format!("`{arn}` is not a {kind} ARN; {expected}")),
    }
}

/// A role session principal: `arn:P:sts::ACCOUNT:assumed-role/ROLE/SESSION`, which IAM accepts
/// under `Principal: {AWS: ...}` (and the `role:` trust shorthand allows).
pub fn assumed_role_arn(arn: &str) -> Result<(), String> {
    let expected = "expected arn:aws:sts::ACCOUNT:assumed-role/ROLE/SESSION";
    let parts: Vec<&str> = arn.splitn(6, ':').collect();
    let ["arn", partition, "sts", "", account, resource] = parts.as_slice() else {
        return Err(format!("`{arn}` is not an STS ARN; {expected}"));
    };
    if iam_arn(&format!("arn:{partition}:iam::{account}:x")).is_none() {
        return Err(format!("`{partition}` is not an AWS partition; {expected}"));
    }
    if !account_id(account) {
        return Err(format!(
            "`{account}` is not a 12-digit account id; {expected}"
        ));
    }
    match resource.strip_prefix("assumed-role/") {
        Some(rest) if rest.split('/').next().is_some_and(|r| !r.is_empty()) => Ok(()),
        _ => Err(format!("`{arn}` is not a role session ARN; {expected}")),
    }
}

/// EC2 instance ids: `i-` and 8 or 17 lowercase hex digits.
pub fn instance_id(id: &str) -> Result<(), String> {
    let hex = id.strip_prefix("i-").unwrap_or("");
    if (hex.len() == 8 || hex.len() == 17)
        && hex
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase())
    {
        Ok(())
    } else {
        Err(format!(
            "`{id}` is not an instance id (i- followed by 8 or 17 hex digits)"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert!(role_name("cloudwatch-agent").is_ok());
        assert!(role_name("a+b=c,d.e@f_g-h").is_ok());
        assert!(role_name("").is_err());
        assert!(role_name(&"x".repeat(65)).is_err());
        assert!(role_name("has space").is_err());
    }

    #[test]
    fn paths() {
        assert!(path("/").is_ok());
        assert!(path("/app/web/").is_ok());
        assert!(path("app/").is_err());
        assert!(path("/app").is_err());
        assert!(path("").is_err());
        assert!(path("/aws-reserved/x/").is_err());
        assert!(path("/aws-service-role/ecs.amazonaws.com/").is_err());
    }

    /// IAM's pattern `(\u002F)|(\u002F[\u0021-\u007E]+\u002F)`, 1–512 characters: validate
    /// used to refuse `//` inside a path, so a role imported from such a path never validated.
    #[test]
    fn paths_iam_accepts_validate_too() {
        for ok in ["/a//b/", "///", "/.ops/", "/../", "/!~/", "/a+b=c/"] {
            assert_eq!(path(ok), Ok(()), "{ok}");
        }
        let longest = format!("/{}/", "x".repeat(510));
        assert_eq!(path(&longest), Ok(()));
        let too_long = format!("/{}/", "x".repeat(511));
        assert!(path(&too_long).unwrap_err().contains("512"));
        for bad in ["//", "/a b/", "/caf\u{e9}/", "/tab\t/", "/\u{7f}/"] {
            assert!(path(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn arns() {
        assert!(managed_policy_arn("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy").is_ok());
        assert!(managed_policy_arn("arn:aws:iam::123456789012:policy/team/boundary").is_ok());
        assert!(managed_policy_arn("arn:aws:iam::12345:policy/x").is_err());
        assert!(managed_policy_arn("arn:aws:s3:::bucket").is_err());
        assert!(principal_arn("arn:aws:iam::123456789012:role/deployer", "role").is_ok());
        assert!(principal_arn("arn:aws:iam::123456789012:user/alice", "role").is_err());
        assert!(assumed_role_arn("arn:aws:sts::123456789012:assumed-role/deployer/s1").is_ok());
        assert!(assumed_role_arn("arn:aws:sts::123456789012:assumed-role/").is_err());
        assert!(assumed_role_arn("arn:aws:sts::12345:assumed-role/deployer/s1").is_err());
        assert!(assumed_role_arn("arn:aws:iam::123456789012:role/deployer").is_err());
    }

    #[test]
    fn limits() {
        assert!(max_session_duration(3600).is_ok());
        assert!(max_session_duration(43_200).is_ok());
        assert!(max_session_duration(3599).is_err());
        assert!(max_session_duration(43_201).is_err());
        assert!(tag_key("aws:foo").is_err());
        assert!(tag_value(&"v".repeat(257)).is_err());
        assert!(instance_id("i-0123456789abcdef0").is_ok());
        assert!(instance_id("i-0123").is_err());
    }
}
