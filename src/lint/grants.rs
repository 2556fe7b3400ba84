//! What is admin-grade: the grants a reviewer must see before they reach the account.
//!
//! One place decides it, for two readers: the permission checks (`wildcard-action` on
//! `Action: "*"`, `not-action-with-allow`) and the PR comment, which opens the section of every
//! change that grants such access. A managed policy is judged by its ARN only (the linter never
//! reads AWS): the AWS-managed policies that grant every action, or IAM itself, whose holder can
//! grant itself the rest.

use crate::policy::{Effect, PolicyDocumentInput, StatementInput};

/// AWS-managed policies (`arn:<partition>:iam::aws:policy/<name>`) that are admin-grade.
const ADMIN_MANAGED_POLICIES: &[&str] =
    &["AdministratorAccess", "IAMFullAccess", "PowerUserAccess"];

/// Whether an `Allow` statement lists `*`, every action of every service, under `Action`.
pub fn allows_every_action(st: &StatementInput) -> bool {
    st.effect == Effect::Allow && st.action.iter().flatten().any(|a| a == "*")
}

/// Whether a statement is admin-grade: it allows every action, or every action but a list
/// (`NotAction` with `Allow`).
pub fn is_admin_statement(st: &StatementInput) -> bool {
    allows_every_action(st) || (st.effect == Effect::Allow && st.not_action.is_some())
}

/// Whether a policy document has an admin-grade statement.
pub fn is_admin_policy(doc: &PolicyDocumentInput) -> bool {
    doc.statement.iter().any(is_admin_statement)
}

/// Whether a managed policy ARN names an admin-grade AWS-managed policy.
pub fn is_admin_managed_policy(arn: &str) -> bool {
    let Some((head, name)) = arn.rsplit_once(":policy/") else {
        return false;
    };
    head.starts_with("arn:")
        && head.ends_with(":iam::aws")
        && ADMIN_MANAGED_POLICIES.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(json: &str) -> PolicyDocumentInput {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn every_action_and_not_action_with_allow_are_admin_grade() {
        let star = doc(r#"{"Statement":{"Effect":"Allow","Action":"*","Resource":"*"}}"#);
        let not = doc(r#"{"Statement":{"Effect":"Allow","NotAction":"iam:*","Resource":"*"}}"#);
        let deny = doc(r#"{"Statement":{"Effect":"Deny","Action":"*","Resource":"*"}}"#);
        let read =
            doc(r#"{"Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}}"#);
        assert!(is_admin_policy(&star) && is_admin_policy(&not));
        assert!(!is_admin_policy(&deny) && !is_admin_policy(&read));
    }

    #[test]
    fn only_aws_managed_admin_policies_by_arn() {
        assert!(is_admin_managed_policy(
            "arn:aws:iam::aws:policy/AdministratorAccess"
        ));
        assert!(is_admin_managed_policy(
            "arn:aws-cn:iam::aws:policy/IAMFullAccess"
        ));
        assert!(!is_admin_managed_policy(
            "arn:aws:iam::aws:policy/ReadOnlyAccess"
        ));
        assert!(!is_admin_managed_policy(
            "arn:aws:iam::123456789012:policy/AdministratorAccess"
        ));
    }
}
