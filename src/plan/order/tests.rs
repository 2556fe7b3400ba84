//! Step ordering: quotas make room first, grants before revokes, phases sorted.

use super::*;
use crate::policy::NormalizeContext;

fn policy(json: &str) -> Policy {
    Policy::from_json_str(json, &NormalizeContext::default()).unwrap()
}

fn role(managed: &[String], inline: &[(&str, Policy)]) -> RoleState {
    RoleState {
        name: "web".into(),
        path: "/".into(),
        description: None,
        max_session_duration: 3600,
        trust_policy: policy(
            r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
        ),
        permissions_boundary: None,
        managed_policies: managed.iter().cloned().collect(),
        inline_policies: inline
            .iter()
            .map(|(n, p)| ((*n).to_owned(), p.clone()))
            .collect(),
        tags: BTreeMap::new(),
        service_linked: None,
    }
}

fn update(have: RoleState, want: RoleState) -> Change {
    Change {
        address: Address::Role("web".into()),
        action: Action::Update,
        attributes: crate::diff::role_attributes(&have, &want),
        before: Some(Resource::Role(Box::new(have))),
        after: Some(Resource::Role(Box::new(want))),
        reason: None,
    }
}

fn arns(range: std::ops::RangeInclusive<usize>) -> Vec<String> {
    range
        .map(|i| format!("arn:aws:iam::123456789012:policy/p{i:02}"))
        .collect()
}

fn phase_of(steps: &[Step], op: &str) -> Phase {
    steps
        .iter()
        .find(|s| s.mutation.operation() == op)
        .unwrap_or_else(|| panic!("no {op} in {steps:#?}"))
        .phase
}

fn index_of(steps: &[Step], op: &str) -> usize {
    steps
        .iter()
        .position(|s| s.mutation.operation() == op)
        .unwrap()
}

fn plan(have: RoleState, want: RoleState, limits: &Limits) -> (Vec<Step>, Vec<String>) {
    let live = crate::state::AccountState::empty("123456789012", "aws");
    build_steps(&[update(have, want)], &live, limits)
}

#[test]
fn swap_under_quota_attaches_first() {
    let (steps, notes) = plan(
        role(&arns(1..=9), &[]),
        role(&arns(2..=10), &[]),
        &Limits::default(),
    );
    assert!(index_of(&steps, "AttachRolePolicy") < index_of(&steps, "DetachRolePolicy"));
    assert_eq!(phase_of(&steps, "DetachRolePolicy"), Phase::RevokePolicies);
    assert!(notes.is_empty());
}

#[test]
fn swap_at_quota_makes_room_first_and_says_why() {
    let (steps, notes) = plan(
        role(&arns(1..=10), &[]),
        role(&arns(2..=11), &[]),
        &Limits::default(),
    );
    assert!(index_of(&steps, "DetachRolePolicy") < index_of(&steps, "AttachRolePolicy"));
    assert_eq!(phase_of(&steps, "DetachRolePolicy"), Phase::MakeRoom);
    assert_eq!(notes.len(), 1);
    assert!(notes[0].contains("quota of 10"), "{notes:?}");
}

#[test]
fn a_raised_quota_keeps_attach_first() {
    let limits = Limits {
        managed_policies_per_role: 20,
        ..Limits::default()
    };
    let (steps, notes) = plan(role(&arns(1..=10), &[]), role(&arns(2..=11), &[]), &limits);
    assert_eq!(phase_of(&steps, "DetachRolePolicy"), Phase::RevokePolicies);
    assert!(notes.is_empty());
}

fn big_policy(tag: &str) -> Policy {
    // About 6,500 non-whitespace characters: two of them exceed the aggregate limit.
    let resources: Vec<String> = (0..160)
        .map(|i| format!("\"arn:aws:s3:::{tag}-bucket-number-{i:04}/*\""))
        .collect();
    policy(&format!(
        r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Action":"s3:GetObject","Resource":[{}]}}]}}"#,
        resources.join(",")
    ))
}

#[test]
fn inline_policies_over_the_aggregate_limit_delete_first() {
    let (old, new) = (big_policy("old"), big_policy("new"));
    assert!(old.non_whitespace_len() + new.non_whitespace_len() > INLINE_POLICIES_AGGREGATE);
    let (steps, notes) = plan(
        role(&[], &[("old", old)]),
        role(&[], &[("new", new)]),
        &Limits::default(),
    );
    assert_eq!(phase_of(&steps, "DeleteRolePolicy"), Phase::MakeRoom);
    assert!(index_of(&steps, "DeleteRolePolicy") < index_of(&steps, "PutRolePolicy"));
    assert_eq!(notes.len(), 1, "{notes:?}");
}

#[test]
fn inline_policies_under_the_limit_put_first() {
    let small = policy(
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"*"}]}"#,
    );
    let (steps, notes) = plan(
        role(&[], &[("old", small.clone())]),
        role(&[], &[("new", small)]),
        &Limits::default(),
    );
    assert_eq!(phase_of(&steps, "DeleteRolePolicy"), Phase::RevokePolicies);
    assert!(index_of(&steps, "PutRolePolicy") < index_of(&steps, "DeleteRolePolicy"));
    assert!(notes.is_empty());
}

#[test]
fn phases_are_sorted_and_identical_steps_run_once() {
    // A role and its profile deleted together both ask to remove the role from the profile.
    let mut live = crate::state::AccountState::empty("123456789012", "aws");
    let old = role(&arns(1..=1), &[]);
    let profile = crate::state::InstanceProfileState {
        name: "web".into(),
        path: "/".into(),
        roles: ["web".to_owned()].into(),
        tags: BTreeMap::new(),
    };
    live.roles.insert("web".into(), old.clone());
    live.instance_profiles.insert("web".into(), profile.clone());
    let changes = [
        Change {
            address: Address::Role("web".into()),
            action: Action::Delete,
            before: Some(Resource::Role(Box::new(old))),
            after: None,
            attributes: Vec::new(),
            reason: None,
        },
        Change {
            address: Address::InstanceProfile("web".into()),
            action: Action::Delete,
            before: Some(Resource::InstanceProfile(profile)),
            after: None,
            attributes: Vec::new(),
            reason: None,
        },
    ];
    let (steps, _) = build_steps(&changes, &live, &Limits::default());
    assert!(steps.windows(2).all(|w| w[0].phase <= w[1].phase));
    let ops: Vec<&str> = steps.iter().map(|s| s.mutation.operation()).collect();
    assert_eq!(
        ops,
        [
            "RemoveRoleFromInstanceProfile",
            "DeleteInstanceProfile",
            "DetachRolePolicy",
            "DeleteRole"
        ]
    );
}
