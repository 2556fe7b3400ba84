//! Codes of the policy linter: what IAM accepts but is almost certainly wrong. Their severities
//! are defaults that `[lint]` in rolesmith.toml can change.

use super::codes;

codes! { Lint, LINT;
    // Trust policies.
    TRUST_PRINCIPAL_WILDCARD = "trust-principal-wildcard", Error,
        "`Principal: \"*\"` lets anyone assume the role",
        "A wildcard principal in a trust policy lets every AWS account in the world assume the \
         role, unless a condition narrows it. Fix: name the accounts, roles or services that \
         may assume it.";
    TRUST_ANY_ACCOUNT = "trust-any-account", Error,
        "an AWS principal of any account without a condition restricting who",
        "`AWS: \"*\"` without a condition such as `aws:PrincipalOrgID` or `aws:PrincipalArn` \
         trusts every AWS identity. Fix: name the principals, or add a condition that restricts \
         them to your organization.";
    GITHUB_OIDC_MISSING_SUB = "github-oidc-missing-sub", Error,
        "GitHub Actions OIDC trust without a `sub` condition: any repository can assume the role",
        "GitHub's OIDC provider issues tokens to every repository on GitHub; only the `sub` \
         claim says which one. Fix: use the `githubActions: {repo: OWNER/NAME}` shorthand, or \
         add a `StringLike` condition on `token.actions.githubusercontent.com:sub`.";
    GITHUB_OIDC_BROAD_SUB = "github-oidc-broad-sub", Error,
        "GitHub Actions OIDC `sub` wildcard wider than one repository",
        "A `sub` pattern like `repo:acme/*` or `*` lets other repositories (or other owners) \
         assume the role. Fix: name one repository, `repo:OWNER/NAME:*`, or a ref or \
         environment of it.";
    OIDC_MISSING_AUD = "oidc-missing-aud", Warning,
        "OIDC principal without an `aud` condition",
        "Without an audience condition, tokens the provider issued for another client can \
         assume the role. Fix: add a `StringEquals` condition on `PROVIDER:aud`.";
    COGNITO_MISSING_AUD = "cognito-missing-aud", Error,
        "Cognito identity principal without an `aud` condition: any identity pool can assume the role",
        "`cognito-identity.amazonaws.com` issues tokens for every identity pool in every \
         account. Fix: add `StringEquals: {cognito-identity.amazonaws.com:aud: POOL_ID}`.";
    SET_OPERATOR_ON_SINGLE_VALUED_KEY = "set-operator-on-single-valued-key", Warning,
        "`ForAllValues`/`ForAnyValue` on a single-valued condition key",
        "Set operators compare multi-valued keys; on a single-valued key `ForAllValues` is also \
         true when the key is absent, which often grants more than intended. Fix: use the \
         operator without the prefix.";
    TRUST_ACTION_MISMATCH = "trust-action-mismatch", Error,
        "the trust action does not fit the principal type",
        "SAML providers assume roles with `sts:AssumeRoleWithSAML`, OIDC providers with \
         `sts:AssumeRoleWithWebIdentity`, AWS and service principals with `sts:AssumeRole`; a \
         mismatched action makes the trust unusable. Fix: allow the action the help line names.";
    CROSS_ACCOUNT_WITHOUT_EXTERNAL_ID = "cross-account-without-external-id", Warning,
        "another account may assume the role without `sts:ExternalId` or an organization condition",
        "A third party that assumes roles for many customers can be tricked into using its \
         access on your role (the confused deputy). Fix: for a third party add `externalId:`; \
         for accounts of your own list them in `[lint] own_accounts` in rolesmith.toml, or add \
         an `aws:PrincipalOrgID` condition.";
    UNIQUE_ID_PRINCIPAL = "unique-id-principal", Error,
        "a unique id (`AROA…`, `AIDA…`) as principal: the principal was deleted",
        "IAM shows a unique id in a policy once the role or user it named was deleted; a new \
         principal with the same name does not match it. Fix: name the current role or user \
         ARN, or remove the principal.";
    UNKNOWN_SERVICE_PRINCIPAL = "unknown-service-principal", Warning,
        "a well-formed service principal that no AWS service is known to use",
        "The name is not in the service-principal list committed with the code (the principals \
         AWS's managed policies name), so it is most likely a typo; IAM refuses an unknown \
         principal at apply time. Fix: correct the spelling; if the service is new, suppress \
         the code for the role (`lint: {allow: [unknown-service-principal], reason: ...}`) \
         and update the list.";
    SERVICE_WITHOUT_SOURCE_CONDITION = "service-without-source-condition", Info,
        "service principal without `aws:SourceAccount` / `aws:SourceArn`",
        "Some services act for many accounts; a source condition makes sure the service uses \
         the role only for your resources. Fix: add `aws:SourceAccount` (or `aws:SourceArn`) \
         where the service supports it.";
    // Permission policies (conditions also in trust policies).
    UNKNOWN_SERVICE = "unknown-service", Warning,
        "an action's service prefix is not in the action catalogue",
        "The prefix is not an IAM service rolesmith knows (the catalogue is committed with the \
         code), so the action grants nothing. Fix: correct the prefix; if the service is new, \
         update the catalogue.";
    UNKNOWN_ACTION = "unknown-action", Warning,
        "no action of the service matches",
        "The action (or pattern) matches no action of the service, so it grants nothing; the \
         help line suggests the closest. Fix: correct the spelling.";
    WILDCARD_ACTION = "wildcard-action", Warning,
        "`Allow` of every action (of a service)",
        "`*` or `service:*` grants every present and future action. Fix: list the actions the \
         role needs.";
    WILDCARD_RESOURCE = "wildcard-resource", Warning,
        "`Allow` on `Resource: \"*\"` for actions that support resource ARNs",
        "The actions can be limited to resources, but the statement allows them on all. Fix: \
         name the resource ARNs.";
    NOT_ACTION_WITH_ALLOW = "not-action-with-allow", Warning,
        "`NotAction` with `Allow` grants every other action, including future ones",
        "An allow-list written as an exception list grows with every new AWS action. Fix: list \
         the allowed actions under `Action`, or use `Deny` with `NotAction`.";
    UNKNOWN_CONDITION_OPERATOR = "unknown-condition-operator", Error,
        "a condition operator IAM does not know",
        "IAM rejects a policy with an unknown operator when it is stored. Fix: correct the \
         operator; the help line suggests the closest.";
    WILDCARD_IN_EXACT_OPERATOR = "wildcard-in-exact-operator", Warning,
        "`*` or `?` under an operator that compares literally",
        "`StringEquals` and `ArnEquals` compare `*` as a character, so the condition almost \
         never matches. Fix: use `StringLike` / `ArnLike` for a pattern, or `${*}` to say the \
         `*` is literal.";
    INVALID_RESOURCE_ARN = "invalid-resource-arn", Error,
        "a `Resource` that is neither `*` nor an ARN",
        "IAM rejects resources that are not ARNs. Fix: write the ARN, e.g. \
         `arn:aws:s3:::bucket/*`.";
    // Both kinds of document.
    MISSING_POLICY_VERSION = "missing-policy-version", Warning,
        "an inline policy or raw trust policy without `Version`",
        "Without `Version`, IAM evaluates the document in the 2008-10-17 policy language, where \
         policy variables such as `${aws:username}` are plain text, so a condition or resource \
         using them never matches what it means. Fix: add `Version: \"2012-10-17\"` (quoted) at \
         the top of the document.";
    // `expiresAt`.
    EXPIRED = "expired", Warning,
        "an `expiresAt` that has passed: the element is left out of the plan",
        "The element no longer applies: IAM stopped honouring a trust entry or statement at \
         the instant (its condition), and the next apply removes an attachment, a tag or a \
         whole role. Fix: `rolesmith expire --write` removes it from the manifest.";
    FAR_EXPIRY = "far-expiry", Info,
        "an `expiresAt` more than a year away",
        "Temporary access is usually meant to end within weeks; a date over a year away is \
         often a typo in the year. Fix: check the date, or leave out `expiresAt` for access \
         that is meant to stay.";
    // The suppression itself.
    LINT_ALLOW_WITHOUT_REASON = "lint-allow-without-reason", Error,
        "`spec.lint.allow` without a `reason`",
        "A suppression without a reason hides a finding from reviewers. Fix: add `reason: \
         \"...\"` next to `allow`.";
    UNKNOWN_LINT_CODE = "unknown-lint-code", Warning,
        "`spec.lint.allow` names a code the linter does not have",
        "The suppression has no effect; usually a typo. Fix: correct the code (the help line \
         suggests the closest; `rolesmith explain --all` lists them).";
}
