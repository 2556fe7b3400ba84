//! Tests of the drift report's wording and formats.

use super::*;
use crate::policy::{NormalizeContext, Policy};

fn missing_role(name: &str) -> Change {
    let trust = Policy::from_json_str(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        &NormalizeContext::default(),
    )
    .unwrap();
    Change {
        address: Address::Role(name.into()),
        action: Action::Create,
        before: None,
        after: Some(Resource::Role(Box::new(RoleState {
            name: name.into(),
            path: "/".into(),
            description: None,
            max_session_duration: 3600,
            trust_policy: trust,
            permissions_boundary: None,
            managed_policies: Default::default(),
            inline_policies: Default::default(),
            tags: Default::default(),
            service_linked: None,
        }))),
        attributes: Vec::new(),
        reason: None,
    }
}

fn report(n: usize) -> DriftReport {
    let diff = Diff {
        changes: (0..n)
            .map(|i| missing_role(&format!("role-{i:04}")))
            .collect(),
        ..Diff::default()
    };
    DriftReport {
        account_id: "123456789012".into(),
        context: None,
        findings: findings(&diff),
        unmanaged: None,
        unused: None,
        expiring: Vec::new(),
    }
}

#[test]
fn markdown_is_truncated_to_the_limit_with_a_note() {
    let full = render_markdown(&report(2000), usize::MAX);
    assert!(
        full.chars().count() > 65_536,
        "the fixture must exceed GitHub's limit"
    );
    let cut = render_markdown(&report(2000), 65_536);
    assert!(cut.chars().count() <= 65_536, "{}", cut.chars().count());
    assert!(
        cut.trim_end().ends_with(
            "truncated to fit GitHub's limit; run `rolesmith drift` for the full report._"
        ),
        "{}",
        &cut[cut.len() - 300..]
    );
    assert!(cut.contains("role-0000") && !cut.contains("role-1999"));
    // Short reports are whole.
    assert!(!render_markdown(&report(3), 65_536).contains("truncated"));
}

#[test]
fn no_drift_is_said_plainly() {
    let r = report(0);
    assert!(!r.has_drift());
    assert_eq!(
        render_text(&r),
        "No drift: account 123456789012 matches the manifests.\n"
    );
    assert!(render_json(&r).contains("\"drift\": false"));
}
