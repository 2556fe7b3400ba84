//! Codes of loading, parsing and validating manifests: what IAM or the manifest format rejects.

use super::codes;

codes! { Load, LOAD;
    PATH_NOT_FOUND = "path-not-found", Error,
        "a manifest path given on the command line or in `paths` does not exist",
        "rolesmith reads the files and directories it is given (the current directory when none \
         is). Fix: correct the path, or create the directory; `paths` in rolesmith.toml is \
         relative to the config file.";
    UNREADABLE_FILE = "unreadable-file", Error,
        "a manifest file or directory could not be read",
        "The operating system refused to read the file or to list the directory (permissions, a \
         broken link). Fix: check the file's permissions, or remove it from the manifest paths.";
    INVALID_UTF8 = "invalid-utf8", Error,
        "a manifest file is not UTF-8 text",
        "YAML manifests must be UTF-8. The help line gives the offset of the first invalid byte. \
         Fix: re-save the file as UTF-8 (without a UTF-16 byte order mark).";
    YAML_SYNTAX = "yaml-syntax", Error,
        "the document is not valid YAML",
        "The YAML parser stopped at the marked position: usually wrong indentation, a tab, an \
         unclosed quote or bracket, or a `key: value` where a list item was expected. Fix: correct the \
         syntax at or just before the marked point.";
    DOCUMENT_TOO_LARGE = "document-too-large", Error,
        "the document expands to more YAML values or aliases than any role needs",
        "Each document may expand to at most 50,000 values and use at most 1,000 aliases, far \
         more than IAM's size limits let a role use; the cap stops alias bombs. Fix: write the \
         values out instead of repeating aliases, or split the document.";
    MISSING_API_VERSION = "missing-api-version", Error,
        "the document has no `apiVersion` string",
        "Every manifest document starts with `apiVersion: rolesmith/v1` so the format can evolve \
         without guessing. Fix: add that line at the top of the document.";
    UNSUPPORTED_API_VERSION = "unsupported-api-version", Error,
        "the document's `apiVersion` is not one this rolesmith reads",
        "This rolesmith reads `apiVersion: rolesmith/v1`. Fix: use that version, or upgrade \
         rolesmith if the manifest was written for a newer one.";
    MISSING_KIND = "missing-kind", Error,
        "the document has no `kind` string",
        "`kind` says what the document declares: `Role`, `ServiceLinkedRole`, `ManagedPolicy`, \
         `OIDCProvider` or `SAMLProvider`. Fix: add the document's kind after `apiVersion`, \
         for example `kind: Role`.";
    UNKNOWN_KIND = "unknown-kind", Error,
        "the document's `kind` is not a rolesmith kind",
        "rolesmith knows `Role`, `ServiceLinkedRole`, `ManagedPolicy`, `OIDCProvider` and \
         `SAMLProvider`; the help line suggests the closest one. \
         Fix: correct the spelling (kinds are case-sensitive).";
    UNKNOWN_FIELD = "unknown-field", Error,
        "a field the manifest format does not have",
        "Manifests are strict so a misspelt field is not silently ignored. The help line names \
         the closest allowed field or lists them. Fix: correct or remove the field; \
         schema/rolesmith.schema.json lists every field.";
    MISSING_FIELD = "missing-field", Error,
        "a required field is missing",
        "The marked mapping lacks a field it must have (e.g. `metadata.name`, a statement's \
         `Effect`). Fix: add the field named in the message.";
    INVALID_TYPE = "invalid-type", Error,
        "a value of the wrong type (a list where a mapping belongs, text where a number belongs)",
        "The value at the marked position does not have the type the manifest format expects \
         there. Fix: write the kind of value the message names, e.g. a plain number without \
         units, `true`/`false`, a list of `- item` lines or `key: value` pairs.";
    INVALID_VALUE = "invalid-value", Error,
        "a value that is none of the accepted ones",
        "The field accepts a fixed set of values or shapes and this is none of them; the help \
         line suggests the closest. Fix: use one of the accepted values \
         (schema/rolesmith.schema.json lists them).";
    DUPLICATE_KEY = "duplicate-key", Error,
        "a mapping holds the same key twice",
        "YAML would keep only one of the values, so which one wins is a guess. Fix: remove one \
         of the keys, or merge their values.";
    INVALID_MANIFEST = "invalid-manifest", Error,
        "the document does not match the manifest format",
        "The parser rejected the document for a reason without a more specific code. Fix: \
         compare the document with schema/rolesmith.schema.json and the examples.";
}

codes! { Validate, VALIDATE;
    INVALID_ROLE_NAME = "invalid-role-name", Error,
        "a role name IAM rejects",
        "IAM role names are 1–64 characters of letters, digits and `+=,.@_-`. Fix: rename the \
         role in `metadata.name`.";
    INVALID_PATH = "invalid-path", Error,
        "an IAM path IAM rejects",
        "IAM paths start and end with `/`, hold printable ASCII without spaces and `//`, are at \
         most 512 characters, and `/aws-service-role/` and `/aws-reserved/` belong to AWS. Fix: \
         write a path like `/` or `/team/app/`.";
    INVALID_MAX_SESSION_DURATION = "invalid-max-session-duration", Error,
        "`maxSessionDuration` outside 3600–43200 seconds",
        "IAM allows sessions of 1 to 12 hours. Fix: give a number of seconds from 3600 to 43200, \
         or leave the field out for the default of 3600.";
    INVALID_DESCRIPTION = "invalid-description", Error,
        "a description IAM rejects",
        "IAM descriptions are at most 1000 characters of printable Latin-1 text, tabs and \
         newlines. Fix: shorten the description or remove the characters named.";
    TRUST_CONFLICT = "trust-conflict", Error,
        "both `trust` and `trustPolicy` are given",
        "A role has one trust policy: either the `trust` shorthand or a raw `trustPolicy`. Fix: \
         keep one of them.";
    MISSING_TRUST = "missing-trust", Error,
        "the role says nothing about who may assume it",
        "IAM requires a trust policy. Fix: add `trust:` (e.g. `- service: ec2.amazonaws.com`) or \
         a raw `trustPolicy:`.";
    EMPTY_TRUST = "empty-trust", Error,
        "`trust` lists no principals",
        "An empty trust list would produce a trust policy without statements, which IAM \
         rejects. Fix: add at least one entry, such as `- service: ec2.amazonaws.com`.";
    TRUST_NO_PRINCIPAL = "trust-no-principal", Error,
        "a `trust` entry names no principal",
        "Each trust entry names one principal: `service`, `account`, `role`, `user`, `saml`, \
         `oidc` or `githubActions`. Fix: add one, e.g. `service: ec2.amazonaws.com`.";
    TRUST_MULTIPLE_PRINCIPALS = "trust-multiple-principals", Error,
        "a `trust` entry names more than one kind of principal",
        "Each entry expands to one statement for one kind of principal, so options like \
         `externalId` apply unambiguously. Fix: split the item into one list item per principal.";
    TRUST_INVALID_ACCOUNT_ID = "trust-invalid-account-id", Error,
        "a trusted `account` is not a 12-digit account id",
        "`account:` takes account ids; YAML turns an unquoted id with a leading zero into a \
         number. Fix: quote the 12 digits (`\"012345678901\"`) or write `${AWS::AccountId}`; use \
         `role:` or `user:` for ARNs.";
    TRUST_OPTION_NOT_ALLOWED = "trust-option-not-allowed", Error,
        "a `trust` option that does not apply to this kind of principal",
        "Options such as `externalId` and `mfa` only apply to `account`, `role` and `user`. Fix: \
         remove the option from this entry.";
    TRUST_INVALID_ARN = "trust-invalid-arn", Error,
        "a `role`, `user`, `saml` or `oidc` trust value that is not an ARN of that kind",
        "The shorthand checks the ARN's shape before it expands it. Fix: write the ARN the help \
         line shows, e.g. `arn:aws:iam::123456789012:role/name`.";
    TRUST_EMPTY_VALUE = "trust-empty-value", Error,
        "a `trust` key with an empty value",
        "An empty principal or option would expand to a policy IAM rejects. Fix: give a value \
         or remove the key.";
    TRUST_INVALID_GITHUB_REPO = "trust-invalid-github-repo", Error,
        "a `githubActions` repository that is not `owner/name`",
        "The repository becomes the `sub` condition of the GitHub OIDC trust. Fix: write it as \
         `owner/name`, e.g. `acme/deploy-tools`.";
    TRUST_GITHUB_REF_CONFLICT = "trust-github-ref-conflict", Error,
        "one `githubActions` entry names more than one of ref, environment and pull requests",
        "Each of them is a different `sub` claim, so one entry cannot match more than one. Fix: \
         use one list item per ref, environment or pull-request trust.";
    CONFLICTING_CONDITION = "conflicting-condition", Error,
        "a `conditions` entry that contradicts one the shorthand writes itself",
        "The shorthand already writes this condition key (e.g. the GitHub `sub` claim). Fix: \
         remove it from `conditions`, or use `oidc:` with fully custom conditions.";
    TRUST_POLICY_TOO_LARGE = "trust-policy-too-large", Error,
        "the trust policy exceeds the account's size quota",
        "IAM counts the trust policy's non-whitespace characters against a quota (2048 by \
         default, up to 4096 on request). Fix: merge principals into fewer statements, or have \
         AWS raise the quota and set `[quotas] trust_policy_size` in rolesmith.toml.";
    INVALID_SERVICE_PRINCIPAL = "invalid-service-principal", Error,
        "a service principal IAM would refuse: wrong domain, spaces or empty labels",
        "Service principals are DNS names such as `ec2.amazonaws.com` (`amazonaws.com.cn` in \
         China); IAM refuses anything else only when the role is created. The help line names \
         the closest known principal. Fix: correct the name.";
    INVALID_ARN = "invalid-arn", Error,
        "a principal, policy or boundary ARN of the wrong shape",
        "Principals are account ids or IAM ARNs (`arn:aws:iam::123456789012:role/NAME`); \
         managed policies and boundaries are policy ARNs or `aws:NAME`. Fix: write the ARN in \
         the shape the message expects.";
    DUPLICATE_MANAGED_POLICY = "duplicate-managed-policy", Error,
        "a managed policy is listed twice",
        "A role holds each managed policy once. Fix: remove the duplicate (`aws:NAME` and its \
         full ARN count as the same policy).";
    TOO_MANY_MANAGED_POLICIES = "too-many-managed-policies", Error,
        "more managed policies than the account's quota per role",
        "IAM attaches at most 10 managed policies to a role by default (up to 20 on request). \
         Fix: combine policies, or have AWS raise the quota and set `[quotas] \
         managed_policies_per_role` in rolesmith.toml.";
    INVALID_POLICY_NAME = "invalid-policy-name", Error,
        "an inline policy name IAM rejects",
        "Inline policy names are 1–128 characters of letters, digits and `+=,.@_-`. Fix: rename \
         the key under `inlinePolicies`.";
    INLINE_POLICIES_TOO_LARGE = "inline-policies-too-large", Error,
        "the role's inline policies exceed IAM's aggregate size",
        "IAM allows 10,240 non-whitespace characters of inline policy per role, all policies \
         together. Fix: move statements into a customer managed policy and attach it.";
    INVALID_TAG = "invalid-tag", Error,
        "a tag key or value IAM rejects",
        "Tag keys are 1–128 characters and may not start with `aws:`; values are at most 256; \
         both allow letters, digits, spaces and `_.:/=+-@`. Fix: shorten the tag or remove the \
         characters named.";
    RESERVED_TAG = "reserved-tag", Error,
        "the manifest sets rolesmith's ownership tag itself",
        "rolesmith adds its ownership tag (default `managed-by: rolesmith`) to everything it \
         manages and decides ownership by it. Fix: remove the tag; to take over an existing role \
         use `adopt: true`.";
    DUPLICATE_TAG = "duplicate-tag", Error,
        "two tag keys differ only in case",
        "IAM treats tag keys case-insensitively, so only one of them could exist. Fix: keep one.";
    TOO_MANY_TAGS = "too-many-tags", Error,
        "more tags than IAM allows on a role",
        "IAM allows 50 tags per role, and rolesmith adds its ownership tag. Fix: keep at most 49 \
         tags.";
    INVALID_INSTANCE_PROFILE = "invalid-instance-profile", Error,
        "an instance profile name IAM rejects",
        "Instance profile names are 1–128 characters of letters, digits and `+=,.@_-`. Fix: \
         rename the profile in `instanceProfile.name`.";
    BINDINGS_WITHOUT_INSTANCE_PROFILE = "bindings-without-instance-profile", Error,
        "`ec2` bindings on a role without an instance profile",
        "EC2 instances take a role through an instance profile. Fix: add `instanceProfile: true` \
         (or a named profile), or remove `ec2`.";
    INVALID_INSTANCE_ID = "invalid-instance-id", Error,
        "an EC2 instance id of the wrong shape",
        "Instance ids are `i-` followed by 8 or 17 lowercase hex digits. Fix: copy the id from \
         the EC2 console or `aws ec2 describe-instances`.";
    EMPTY_BINDINGS = "empty-bindings", Error,
        "`ec2` selects no instances",
        "Bindings name instances or select them by tags; neither is given. Fix: list \
         `instances:`, give `selector: {tags: {...}}`, or remove `ec2`.";
    DUPLICATE_ROLE = "duplicate-role", Error,
        "a role is declared more than once",
        "IAM role names are unique case-insensitively, so two declarations would fight over one \
         role. The related location shows the first declaration. Fix: keep one declaration.";
    DUPLICATE_INSTANCE_PROFILE = "duplicate-instance-profile", Error,
        "two roles declare the same instance profile",
        "An instance profile holds one role. Fix: give each role its own profile name.";
    INVALID_SERVICE_LINKED_NAME = "invalid-service-linked-name", Error,
        "a service-linked role whose name does not start with `AWSServiceRoleFor`",
        "The service chooses a service-linked role's name. Fix: use the name from the service's \
         documentation, e.g. `AWSServiceRoleForAutoScaling`.";
    INVALID_SERVICE = "invalid-service", Error,
        "a service principal that is not `NAME.amazonaws.com`",
        "Service-linked roles are created for an AWS service principal. Fix: write it like \
         `autoscaling.amazonaws.com`.";
    INVALID_CUSTOM_SUFFIX = "invalid-custom-suffix", Error,
        "a service-linked role suffix IAM rejects",
        "Custom suffixes are 1–64 characters of letters, digits and `+=,.@_-`. Fix: shorten the \
         suffix or remove the characters named.";
    INVALID_POLICY_VERSION = "invalid-policy-version", Error,
        "a policy `Version` that does not exist",
        "IAM knows the policy language versions `2012-10-17` and `2008-10-17`. Fix: write \
         `Version: \"2012-10-17\"`, quoted so YAML keeps it a string.";
    EMPTY_POLICY = "empty-policy", Error,
        "a policy without statements",
        "IAM rejects a policy document with an empty `Statement`. Fix: add a statement, or \
         remove the policy.";
    INVALID_SID = "invalid-sid", Error,
        "a statement `Sid` with characters IAM rejects",
        "IAM accepts `Sid` values of A–Z, a–z and 0–9 only. Fix: remove spaces, hyphens and \
         other characters.";
    MISSING_ACTION = "missing-action", Error,
        "a statement with neither `Action` nor `NotAction`",
        "Every statement says which actions it allows or denies. Fix: add `Action:`.";
    ACTION_AND_NOT_ACTION = "action-and-not-action", Error,
        "a statement with both `Action` and `NotAction`",
        "A statement takes exactly one of them. Fix: remove one.";
    INVALID_ACTION = "invalid-action", Error,
        "an action that is not `service:Action`",
        "Actions look like `s3:GetObject` or `ec2:Describe*` (or `*`). Fix: add the service \
         prefix, or correct the separator.";
    NOT_PRINCIPAL_IN_TRUST = "not-principal-in-trust", Error,
        "`NotPrincipal` in a trust policy",
        "IAM rejects `NotPrincipal` in trust policies. Fix: name the principals that may assume \
         the role under `Principal`.";
    MISSING_PRINCIPAL = "missing-principal", Error,
        "a trust statement without `Principal`",
        "A trust statement says who may assume the role. Fix: add `Principal:`, e.g. `{Service: \
         ec2.amazonaws.com}`.";
    EMPTY_PRINCIPAL = "empty-principal", Error,
        "a trust statement whose `Principal` names nobody",
        "`Principal: {}` or a principal whose lists are all empty (`{Service: []}`) passes no \
         one; IAM refuses such a trust policy when the role is created or updated, so the apply \
         would fail half-way. Fix: name who may assume the role, e.g. `Principal: {Service: \
         ec2.amazonaws.com}`.";
    RESOURCE_IN_TRUST = "resource-in-trust", Error,
        "`Resource` or `NotResource` in a trust policy",
        "The resource of a trust policy is the role itself, so IAM rejects these elements \
         there. Fix: remove them.";
    UNKNOWN_PRINCIPAL_TYPE = "unknown-principal-type", Error,
        "a principal type other than `AWS`, `Service`, `Federated` and `CanonicalUser`",
        "IAM knows four principal types; the help line suggests the closest. Fix: correct the \
         key (types are case-sensitive).";
    INVALID_PRINCIPAL = "invalid-principal", Error,
        "a `Principal` that is neither `*` nor a mapping of principal types",
        "Principals are written as `Principal: {AWS: ARN}` (or `Service`, `Federated`), or `*`. \
         Fix: write the principal as a mapping.";
    PRINCIPAL_IN_PERMISSION_POLICY = "principal-in-permission-policy", Error,
        "`Principal` in a permission (inline) policy",
        "Identity policies apply to the role that holds them; IAM rejects `Principal` and \
         `NotPrincipal` there. Fix: remove the element (trust belongs in `trust`).";
    MISSING_RESOURCE = "missing-resource", Error,
        "a permission statement without `Resource` or `NotResource`",
        "IAM requires permission statements to say which resources they apply to. Fix: add \
         `Resource:` with ARNs, or `\"*\"` for actions without resource types.";
    RESOURCE_AND_NOT_RESOURCE = "resource-and-not-resource", Error,
        "a statement with both `Resource` and `NotResource`",
        "A statement takes exactly one of them. Fix: remove one.";
    INVALID_MANAGED_POLICY_NAME = "invalid-managed-policy-name", Error,
        "a managed policy name IAM rejects",
        "Customer managed policy names are 1–128 characters of letters, digits and `+=,.@_-`. \
         Fix: rename the policy in `metadata.name` (and the `policy:` references to it).";
    MANAGED_POLICY_TOO_LARGE = "managed-policy-too-large", Error,
        "a managed policy document over IAM's size limit",
        "IAM allows 6,144 characters per managed policy document, whitespace not counted. Fix: \
         split the statements over two policies, or use wildcards where they are safe.";
    DUPLICATE_POLICY = "duplicate-policy", Error,
        "a managed policy is declared more than once",
        "IAM policy names are unique in an account case-insensitively, whatever the path, so two \
         declarations would fight over one policy. The related location shows the first \
         declaration. Fix: keep one declaration.";
    UNKNOWN_POLICY_REFERENCE = "unknown-policy-reference", Error,
        "a `policy:NAME` reference that no `kind: ManagedPolicy` manifest declares",
        "`policy:NAME` in `managedPolicies` or `permissionsBoundary` names a managed policy of \
         the manifest set; the help line suggests the closest declared name. Fix: correct the \
         name, add the `kind: ManagedPolicy` manifest, or give an existing policy's ARN.";
}
