//! Errors from trust shorthand expansion: each carries the entry index, a stable kebab-case
//! code, the offending key and a help line, so the caller can render a located diagnostic.

/// What is wrong with one trust entry.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrustErrorKind {
    /// No principal key at all.
    #[error(
        "no principal: set one of `service`, `account`, `role`, `user`, `saml`, `oidc`, `githubActions`"
    )]
    NoPrincipal,
    /// More than one principal key.
    #[error("more than one principal: {}", keys.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", "))]
    MultiplePrincipals {
        /// All principal keys found, in declaration order.
        keys: Vec<&'static str>,
    },
    /// `account` is neither 12 digits nor `${AWS::AccountId}`.
    #[error("`{value}` is not a 12-digit account id")]
    InvalidAccountId {
        /// The value given.
        value: String,
    },
    /// An option the principal kind does not support.
    #[error("`{option}` cannot be used with `{principal}`")]
    OptionNotAllowed {
        /// The option key.
        option: &'static str,
        /// The principal key it was combined with.
        principal: &'static str,
    },
    /// An ARN of the wrong shape for its key.
    #[error("`{value}` is not {expected}")]
    InvalidArn {
        /// The key holding it.
        field: &'static str,
        /// The value given.
        value: String,
        /// What was expected, e.g. "an IAM role ARN".
        expected: &'static str,
    },
    /// An empty string or empty list.
    #[error("`{field}` must not be empty")]
    EmptyValue {
        /// The empty key.
        field: &'static str,
    },
    /// `githubActions.repo` is not `owner/name`.
    #[error("`{value}` is not a GitHub repository of the form `owner/name`")]
    InvalidGithubRepo {
        /// The value given.
        value: String,
    },
    /// More than one of `ref`, `environment`, `pullRequest`.
    #[error("`githubActions` takes at most one of `ref`, `environment`, `pullRequest: true`")]
    GithubRefConflict,
    /// A user condition repeats an operator and key the shorthand already sets.
    #[error("condition `{operator}` / `{key}` is already set by the shorthand")]
    ConflictingCondition {
        /// The operator.
        operator: String,
        /// The condition key, as the user wrote it.
        key: String,
    },
}

/// One problem with one trust entry, with its position in the list.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("trust[{index}]{}: {kind}", self.field().map(|f| format!(".{f}")).unwrap_or_default())]
pub struct TrustError {
    /// 0-based index of the entry in the `trust:` list.
    pub index: usize,
    /// What is wrong.
    pub kind: TrustErrorKind,
}

impl TrustError {
    /// Stable kebab-case code for diagnostics.
    pub fn code(&self) -> &'static str {
        match self.kind {
            TrustErrorKind::NoPrincipal => "trust-no-principal",
            TrustErrorKind::MultiplePrincipals { .. } => "trust-multiple-principals",
            TrustErrorKind::InvalidAccountId { .. } => "trust-invalid-account-id",
            TrustErrorKind::OptionNotAllowed { .. } => "trust-option-not-allowed",
            TrustErrorKind::InvalidArn { .. } => "trust-invalid-arn",
            TrustErrorKind::EmptyValue { .. } => "trust-empty-value",
            TrustErrorKind::InvalidGithubRepo { .. } => "trust-invalid-github-repo",
            TrustErrorKind::GithubRefConflict => "trust-github-ref-conflict",
            TrustErrorKind::ConflictingCondition { .. } => "conflicting-condition",
        }
    }

    /// The message without the position prefix.
    pub fn message(&self) -> String {
        self.kind.to_string()
    }

    /// A one-line suggestion for fixing it.
    pub fn help(&self) -> String {
        match &self.kind {
            TrustErrorKind::NoPrincipal => {
                "add e.g. `service: ec2.amazonaws.com` or `account: \"123456789012\"`".into()
            }
            TrustErrorKind::MultiplePrincipals { .. } => {
                "split this item into one list item per principal".into()
            }
            TrustErrorKind::InvalidAccountId { .. } => "write the account id as a quoted \
                12-digit string, or `${AWS::AccountId}`; use `role:` or `user:` for ARNs"
                .into(),
            TrustErrorKind::OptionNotAllowed { option, .. } => {
                format!("`{option}` only applies to `account`, `role` and `user`; remove it")
            }
            TrustErrorKind::InvalidArn { field, .. } => {
                let shape = match *field {
                    "role" => "role/name",
                    "user" => "user/name",
                    "saml" => "saml-provider/name",
                    _ => "oidc-provider/host",
                };
                format!("expected `arn:aws:iam::123456789012:{shape}`")
            }
            TrustErrorKind::EmptyValue { .. } => "give a value or remove the key".into(),
            TrustErrorKind::InvalidGithubRepo { .. } => {
                "write the repository as `owner/name`, e.g. `acme/deploy-tools`".into()
            }
            TrustErrorKind::GithubRefConflict => "use one list item per ref, environment or \
                pull-request trust"
                .into(),
            TrustErrorKind::ConflictingCondition { .. } => {
                "remove it from `conditions`, or use `oidc:` with fully custom conditions".into()
            }
        }
    }

    /// The offending key, relative to the entry (e.g. `githubActions.repo`); `None` when the
    /// problem is the entry as a whole.
    pub fn field(&self) -> Option<&'static str> {
        match &self.kind {
            TrustErrorKind::NoPrincipal => None,
            TrustErrorKind::MultiplePrincipals { keys } => keys.get(1).copied(),
            TrustErrorKind::InvalidAccountId { .. } => Some("account"),
            TrustErrorKind::OptionNotAllowed { option, .. } => Some(option),
            TrustErrorKind::InvalidArn { field, .. } | TrustErrorKind::EmptyValue { field } => {
                Some(field)
            }
            TrustErrorKind::InvalidGithubRepo { .. } => Some("githubActions.repo"),
            TrustErrorKind::GithubRefConflict => Some("githubActions"),
            TrustErrorKind::ConflictingCondition { .. } => Some("conditions"),
        }
    }
}
