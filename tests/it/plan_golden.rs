//! Golden plans: each scenario under `tests/fixtures/plans/<scenario>` (manifests + `live.json`)
//! goes through the real pipeline and its text, JSON and Markdown renderings are snapshotted.
//! Step-order properties are asserted on the plan itself, so a snapshot update cannot hide an
//! ordering regression.

use std::fmt::Write as _;

use rolesmith::account::Mutation;
use rolesmith::plan::{Action, Address, AttributeChange, Phase, Plan};
use rolesmith::render;
use rolesmith::state::AccountState;

use crate::support::plans::{
    assert_plan_invariants, fixture, fixture_live, fixture_plan, plan_for, render_all, step_index,
};

/// Plans a scenario, snapshots its three renderings and checks the invariants every plan has.
fn golden(scenario: &str) -> Plan {
    let (plan, _) = fixture_plan(scenario);
    assert_plan_invariants(&plan);
    let r = render_all(&plan);
    // The JSON rendering must be valid JSON with a version, whatever the snapshot says.
    let value: serde_json::Value = serde_json::from_str(&r.json).expect("plan JSON parses");
    assert_eq!(value["format_version"], rolesmith::plan::FORMAT_VERSION);
    insta::assert_snapshot!(format!("{scenario}-text"), r.text);
    insta::assert_snapshot!(format!("{scenario}-json"), r.json);
    insta::assert_snapshot!(format!("{scenario}-markdown"), r.markdown);
    plan
}

fn ops(plan: &Plan) -> Vec<&'static str> {
    plan.steps.iter().map(|s| s.mutation.operation()).collect()
}

fn only_update_of_web(plan: &Plan) -> &[AttributeChange] {
    assert_eq!(plan.changes.len(), 1, "{:#?}", plan.changes);
    let change = &plan.changes[0];
    assert_eq!(change.address, Address::Role("web".into()));
    assert_eq!(change.action, Action::Update);
    assert!(plan.conflicts.is_empty());
    &change.attributes
}

#[test]
fn create() {
    let plan = golden("create");
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, Action::Create);
    assert_eq!(
        ops(&plan),
        ["CreateRole", "AttachRolePolicy", "PutRolePolicy"]
    );
    let Mutation::CreateRole { role } = &plan.steps[0].mutation else {
        unreachable!()
    };
    assert_eq!(
        role.tags.get("managed-by").map(String::as_str),
        Some("rolesmith")
    );
    assert_eq!(
        role.permissions_boundary.as_deref(),
        Some("arn:aws:iam::123456789012:policy/web-boundary"),
        "placeholders resolve against the live account"
    );
    assert_eq!(plan.summary().add, 1);
}

#[test]
fn noop() {
    let plan = golden("noop");
    assert!(plan.is_empty());
    assert!(plan.changes.is_empty());
    assert!(render::text::render(&plan, false).starts_with("No changes."));
}

#[test]
fn update_description() {
    let plan = golden("update_description");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::Description { .. }]
    ));
    assert_eq!(ops(&plan), ["UpdateRole"]);
    assert_eq!(plan.steps[0].phase, Phase::ConfigureRoles);
}

#[test]
fn update_max_session_duration() {
    let plan = golden("update_max_session_duration");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::MaxSessionDuration {
            before: 3600,
            after: 7200
        }]
    ));
    let Mutation::UpdateRole {
        max_session_duration,
        description,
        ..
    } = &plan.steps[0].mutation
    else {
        panic!("{:#?}", plan.steps)
    };
    assert_eq!(*max_session_duration, 7200);
    assert_eq!(description.as_deref(), Some("Serves the web app"));
}

#[test]
fn update_trust_policy() {
    let plan = golden("update_trust_policy");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::TrustPolicy { .. }]
    ));
    assert_eq!(ops(&plan), ["UpdateAssumeRolePolicy"]);
}

#[test]
fn boundary_added() {
    let plan = golden("boundary_added");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::PermissionsBoundary {
            before: None,
            after: Some(_)
        }]
    ));
    assert_eq!(ops(&plan), ["PutRolePermissionsBoundary"]);
}

#[test]
fn boundary_changed() {
    let plan = golden("boundary_changed");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::PermissionsBoundary {
            before: Some(_),
            after: Some(_)
        }]
    ));
    assert_eq!(ops(&plan), ["PutRolePermissionsBoundary"]);
}

#[test]
fn boundary_removed() {
    let plan = golden("boundary_removed");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::PermissionsBoundary {
            before: Some(_),
            after: None
        }]
    ));
    assert_eq!(ops(&plan), ["DeleteRolePermissionsBoundary"]);
}

#[test]
fn tags_added() {
    let plan = golden("tags_added");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::Tags { .. }]
    ));
    let Mutation::TagRole { tags, .. } = &plan.steps[0].mutation else {
        panic!("{:#?}", plan.steps)
    };
    assert_eq!(tags.len(), 1, "only the new tag is sent: {tags:?}");
    assert_eq!(ops(&plan), ["TagRole"]);
}

#[test]
fn tags_changed() {
    let plan = golden("tags_changed");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::Tags { .. }]
    ));
    assert_eq!(ops(&plan), ["TagRole"]);
}

#[test]
fn tags_removed() {
    let plan = golden("tags_removed");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::Tags { .. }]
    ));
    assert_eq!(ops(&plan), ["UntagRole"]);
}

#[test]
fn managed_policy_attach() {
    let plan = golden("managed_policy_attach");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::ManagedPolicy { attach: true, .. }]
    ));
    assert_eq!(ops(&plan), ["AttachRolePolicy"]);
    assert_eq!(plan.steps[0].phase, Phase::GrantPolicies);
}

#[test]
fn managed_policy_detach() {
    let plan = golden("managed_policy_detach");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::ManagedPolicy { attach: false, .. }]
    ));
    assert_eq!(ops(&plan), ["DetachRolePolicy"]);
    assert_eq!(plan.steps[0].phase, Phase::RevokePolicies);
}

#[test]
fn managed_policy_swap_attaches_before_detaching() {
    let plan = golden("managed_policy_swap");
    let attach = step_index(&plan, |m| matches!(m, Mutation::AttachRolePolicy { .. })).unwrap();
    let detach = step_index(&plan, |m| matches!(m, Mutation::DetachRolePolicy { .. })).unwrap();
    assert!(attach < detach, "no permission gap: {:#?}", plan.steps);
    assert_eq!(plan.steps[detach].phase, Phase::RevokePolicies);
    assert!(plan.notes.is_empty(), "{:?}", plan.notes);
}

#[test]
fn managed_policy_swap_at_quota_detaches_first() {
    let plan = golden("managed_policy_swap_at_quota");
    let attach = step_index(&plan, |m| matches!(m, Mutation::AttachRolePolicy { .. })).unwrap();
    let detach = step_index(&plan, |m| matches!(m, Mutation::DetachRolePolicy { .. })).unwrap();
    assert!(detach < attach, "{:#?}", plan.steps);
    assert_eq!(plan.steps[detach].phase, Phase::MakeRoom);
    assert_eq!(plan.notes.len(), 1, "{:?}", plan.notes);
    assert!(
        plan.notes[0].contains("quota of 10"),
        "the note says why: {}",
        plan.notes[0]
    );
    assert!(
        render::text::render(&plan, false).contains("note: role web: detaching before attaching")
    );
}

#[test]
fn inline_policy_added() {
    let plan = golden("inline_policy_added");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::InlinePolicy {
            before: None,
            after: Some(_),
            ..
        }]
    ));
    assert_eq!(ops(&plan), ["PutRolePolicy"]);
}

#[test]
fn inline_policy_changed() {
    let plan = golden("inline_policy_changed");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::InlinePolicy {
            before: Some(_),
            after: Some(_),
            ..
        }]
    ));
    // A put replaces the policy in place: no delete.
    assert_eq!(ops(&plan), ["PutRolePolicy"]);
}

#[test]
fn inline_policy_removed() {
    let plan = golden("inline_policy_removed");
    assert!(matches!(
        only_update_of_web(&plan),
        [AttributeChange::InlinePolicy {
            before: Some(_),
            after: None,
            ..
        }]
    ));
    assert_eq!(ops(&plan), ["DeleteRolePolicy"]);
    assert_eq!(plan.steps[0].phase, Phase::RevokePolicies);
}

#[test]
fn delete_with_prune() {
    let plan = golden("delete");
    // Deletions come first, and here there is nothing else.
    let addresses: Vec<String> = plan.changes.iter().map(|c| c.address.to_string()).collect();
    assert_eq!(
        addresses,
        [
            "role.old-worker",
            "instance_profile.old-worker",
            "binding.i-0123456789abcdef0"
        ]
    );
    assert!(plan.changes.iter().all(|c| c.action == Action::Delete));
    assert_eq!(
        ops(&plan),
        [
            "DisassociateIamInstanceProfile",
            "RemoveRoleFromInstanceProfile",
            "DeleteInstanceProfile",
            "DetachRolePolicy",
            "DeleteRolePolicy",
            "DeleteRole",
        ]
    );
    assert!(matches!(
        plan.steps.last().map(|s| &s.mutation),
        Some(Mutation::DeleteRole { role_name }) if role_name == "old-worker"
    ));
    let r = render_all(&plan);
    assert!(r.text.contains("- role.old-worker will be destroyed"));
    assert!(
        r.text
            .contains("- instance_profile.old-worker will be destroyed")
    );
    // The reader sees what goes with the role, not only that it goes.
    assert!(
        r.text
            .contains("- detach managed policy arn:aws:iam::aws:policy/AmazonSQSFullAccess")
    );
    assert!(r.text.contains("- delete inline policy write-logs"));
    assert!(r.text.contains("- remove role old-worker"));
    assert_eq!(plan.summary().destroy, 3);
}

#[test]
fn delete_without_prune_only_notes() {
    let live = fixture_live("delete");
    let plan = plan_for(&fixture("delete").join("manifests"), &live, false);
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    assert_eq!(plan.notes.len(), 1);
    assert!(plan.notes[0].contains("old-worker"), "{}", plan.notes[0]);
    assert!(plan.notes[0].contains("--prune"));
    let r = render_all(&plan);
    assert!(r.text.starts_with("No changes."));
    assert!(
        r.text.contains("note: 1 owned role(s) have no manifest"),
        "{}",
        r.text
    );
    assert!(r.markdown.contains("**No changes.**"));
    assert!(
        r.markdown.contains("- 1 owned role(s) have no manifest"),
        "{}",
        r.markdown
    );
}

#[test]
fn unowned_conflict() {
    let plan = golden("unowned_conflict");
    assert!(plan.steps.is_empty());
    assert!(plan.changes.is_empty());
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(plan.conflicts[0].address, Address::Role("web".into()));
    assert!(plan.conflicts[0].help.contains("adopt: true"));
    assert!(!plan.is_empty(), "a conflict is something to report");
}

#[test]
fn adopt() {
    let plan = golden("adopt");
    let attrs = only_update_of_web(&plan);
    assert!(
        matches!(attrs, [AttributeChange::Tags { .. }]),
        "{attrs:#?}"
    );
    assert!(
        plan.changes[0]
            .reason
            .as_deref()
            .unwrap_or("")
            .contains("adopted")
    );
    let Mutation::TagRole { tags, .. } = &plan.steps[0].mutation else {
        panic!("{:#?}", plan.steps)
    };
    assert_eq!(
        tags.get("managed-by").map(String::as_str),
        Some("rolesmith")
    );
    // The tag rolesmith did not write is not in the manifest, so it goes.
    assert_eq!(ops(&plan), ["TagRole", "UntagRole"]);
}

#[test]
fn replace_on_path_change() {
    let plan = golden("replace");
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(plan.changes[0].action, Action::Replace);
    assert_eq!(plan.changes[0].action.symbol(), "-/+");
    assert_eq!(
        ops(&plan),
        [
            "DetachRolePolicy",
            "DeleteRolePolicy",
            "DeleteRole",
            "CreateRole",
            "AttachRolePolicy",
            "PutRolePolicy"
        ]
    );
    let s = plan.summary();
    assert_eq!((s.add, s.change, s.destroy), (1, 0, 1));
    assert!(
        render_all(&plan)
            .text
            .contains("-/+ role.web must be replaced")
    );
}

#[test]
fn instance_profile_create() {
    let plan = golden("instance_profile_create");
    assert_eq!(plan.changes.len(), 1);
    assert_eq!(
        plan.changes[0].address,
        Address::InstanceProfile("web".into())
    );
    assert_eq!(
        ops(&plan),
        ["CreateInstanceProfile", "AddRoleToInstanceProfile"]
    );
}

#[test]
fn binding_create() {
    let plan = golden("binding_create");
    assert_eq!(ops(&plan), ["AssociateIamInstanceProfile"]);
    assert_eq!(plan.steps[0].phase, Phase::Associate);
    let text = render_all(&plan).text;
    assert!(
        text.contains("instance i-0123456789abcdef0 will carry instance profile web"),
        "{text}"
    );
}

#[test]
fn binding_conflict_without_takeover() {
    let plan = golden("binding_conflict");
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);
    assert_eq!(plan.conflicts.len(), 1);
    assert_eq!(
        plan.conflicts[0].address,
        Address::Binding("i-0123456789abcdef0".into())
    );
    assert!(plan.conflicts[0].help.contains("takeover"));
}

#[test]
fn binding_takeover() {
    let plan = golden("binding_takeover");
    assert_eq!(ops(&plan), ["ReplaceIamInstanceProfileAssociation"]);
    assert!(plan.conflicts.is_empty());
    let Mutation::ReplaceInstanceProfileAssociation {
        association_id,
        profile_name,
        ..
    } = &plan.steps[0].mutation
    else {
        unreachable!()
    };
    assert_eq!(association_id, "iip-assoc-0legacy0000000001");
    assert_eq!(profile_name, "web");
}

#[test]
fn adopt_with_instance_profile_tags_both() {
    let plan = golden("adopt_with_instance_profile");
    assert_eq!(ops(&plan), ["TagRole", "UntagRole", "TagInstanceProfile"]);
    let Some(Mutation::TagInstanceProfile { tags, .. }) = plan.steps.last().map(|s| &s.mutation)
    else {
        unreachable!()
    };
    assert_eq!(
        tags.get("managed-by").map(String::as_str),
        Some("rolesmith")
    );
}

#[test]
fn replace_keeps_the_instance_profile_and_its_bindings() {
    let plan = golden("replace_with_instance_profile");
    let ops = ops(&plan);
    assert_eq!(ops.first(), Some(&"RemoveRoleFromInstanceProfile"));
    assert_eq!(ops.last(), Some(&"AddRoleToInstanceProfile"));
    let delete = ops.iter().position(|o| *o == "DeleteRole").unwrap();
    let create = ops.iter().position(|o| *o == "CreateRole").unwrap();
    assert!(delete < create);
    assert!(
        !ops.iter().any(|o| o.contains("InstanceProfileAssociation")
            || o.starts_with("Delete") && o.contains("Profile")),
        "the profile and its association stay: {ops:?}"
    );
}

#[test]
fn binding_removed_when_no_longer_selected() {
    let plan = golden("binding_removed");
    assert_eq!(ops(&plan), ["DisassociateIamInstanceProfile"]);
    assert_eq!(plan.steps[0].phase, Phase::Disassociate);
    assert_eq!(plan.changes[0].action, Action::Delete);
    assert_eq!(
        plan.changes[0].reason.as_deref(),
        Some("no longer named or selected by the manifest")
    );
}

/// Writes `count` small role manifests into a temp dir.
fn many_roles(count: usize) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::new();
    for i in 0..count {
        let _ = write!(
            text,
            "---\napiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: worker-{i:02}\nspec:\n  trust:\n    - service: lambda.amazonaws.com\n  managedPolicies:\n    - aws:ReadOnlyAccess\n"
        );
    }
    std::fs::write(dir.path().join("workers.yaml"), text).unwrap();
    dir
}

#[test]
fn markdown_truncates_under_the_limit() {
    let dir = many_roles(30);
    let live = AccountState::empty("123456789012", "aws");
    let plan = plan_for(dir.path(), &live, false);
    assert_eq!(plan.changes.len(), 30);
    let full = render::markdown::render(&plan, 65_536);
    assert!(
        !full.contains("truncated"),
        "30 small roles fit in a comment"
    );
    for limit in [2_000, 5_000] {
        let md = render::markdown::render(&plan, limit);
        assert!(
            md.chars().count() <= limit,
            "{} > {limit}",
            md.chars().count()
        );
        assert!(
            md.trim_end()
                .ends_with("run `rolesmith plan` for the full plan._"),
            "{md}"
        );
        assert!(md.starts_with("### rolesmith plan for account `123456789012`"));
        assert!(
            md.contains("Plan: 30 to add"),
            "the summary survives truncation"
        );
    }
    insta::assert_snapshot!(
        "markdown-truncated-2000",
        render::markdown::render(&plan, 2_000)
    );
}

#[test]
fn provider_update() {
    let plan = golden("provider_update");
    // In place, with the provider's own calls, before the role that trusts the SAML provider.
    assert_eq!(
        ops(&plan),
        [
            "AddClientIDToOpenIDConnectProvider",
            "RemoveClientIDFromOpenIDConnectProvider",
            "UpdateSAMLProvider",
            "CreateRole"
        ]
    );
    assert!(
        plan.steps[..3]
            .iter()
            .all(|s| s.phase == Phase::CreateProviders)
    );
    assert!(plan.conflicts.is_empty(), "{:#?}", plan.conflicts);
    // Thumbprints are not declared, so they are not compared.
    assert!(
        !render::text::render(&plan, false).contains("thumbprint"),
        "{}",
        render::text::render(&plan, false)
    );
}

#[test]
fn managed_policy_new_version_makes_room_without_touching_the_default() {
    // Five versions, the default (v1) switched back by hand: the oldest non-default goes.
    let plan = golden("managed_policy_new_version");
    assert_eq!(ops(&plan), ["DeletePolicyVersion", "CreatePolicyVersion"]);
    assert!(matches!(
        &plan.steps[0].mutation,
        Mutation::DeletePolicyVersion { version_id, .. } if version_id == "v2"
    ));
    assert!(plan.steps.iter().all(|s| s.phase == Phase::UpdatePolicies));
}

#[test]
fn managed_policy_replace_bridges_through_a_temporary_copy() {
    let plan = golden("managed_policy_replace");
    assert_eq!(plan.changes.len(), 1, "{:#?}", plan.changes);
    assert_eq!(plan.changes[0].action, Action::Replace);
    // The copy is attached before the policy is released, and the policy is back before the
    // copy is detached.
    let attach_copy = step_index(&plan, |m| {
        matches!(m, Mutation::AttachRolePolicy { policy_arn, .. } if policy_arn.ends_with(".rolesmith-swap"))
    })
    .expect("attach_copy");
    let release = step_index(&plan, |m| {
        matches!(m, Mutation::DetachRolePolicy { policy_arn, .. } if policy_arn.ends_with("/reports-read"))
    })
    .expect("release");
    let recreate = step_index(
        &plan,
        |m| matches!(m, Mutation::CreatePolicy { policy } if policy.name == "reports-read"),
    )
    .expect("recreate");
    let reattach = step_index(&plan, |m| {
        matches!(m, Mutation::AttachRolePolicy { policy_arn, .. } if policy_arn.ends_with("/reports-read"))
    })
    .expect("reattach");
    let drop_copy = step_index(&plan, |m| {
        matches!(m, Mutation::DeletePolicy { policy_name, .. } if policy_name.ends_with(".rolesmith-swap"))
    })
    .expect("drop_copy");
    assert!(
        attach_copy < release && release < recreate && recreate < reattach && reattach < drop_copy
    );
}
