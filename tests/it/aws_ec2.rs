//! EC2 bindings against moto through the real SDK: instance profiles and the instances that
//! carry them (issue 4's acceptance list, one test per item).
//!
//! Instances are created with `RunInstances` (moto accepts its bundled AMI ids). Tests that
//! assert the order of calls, or need an error moto never produces, run `rolesmith` through
//! `support::proxy`, a recording, fault-injecting loopback proxy in front of moto.

use std::collections::BTreeMap;

use aws_sdk_ec2::types::{IamInstanceProfileSpecification, Tag};
use serde_json::Value;

use crate::support;
use crate::support::ec2::{associations, ec2, ec2_tag, launch, ok};
use crate::support::moto::Moto;
use crate::support::proxy::{Fault, Proxy};
use crate::support::snapshot;
use crate::support::{
    apply, arg, array, assert_only_reads, block_on, plan_json, run, run_live, stats_calls,
};

/// The seed's CloudWatch agent role: profile `cloudwatch-agent`, selector
/// `cloudwatch-agent=enabled`.
const CLOUDWATCH: &str = "examples/manifests/cloudwatch-agent.yaml";
const PROFILE: &str = "cloudwatch-agent";
const SELECTOR: (&str, &str) = ("cloudwatch-agent", "enabled");
fn set_tag(moto: &Moto, id: &str, key: &str, value: &str) {
    let client = ec2(moto);
    ok(
        block_on(
            client
                .create_tags()
                .resources(id)
                .tags(ec2_tag(key, value))
                .send(),
        ),
        "CreateTags",
    );
}

fn remove_tag(moto: &Moto, id: &str, key: &str) {
    let client = ec2(moto);
    ok(
        block_on(
            client
                .delete_tags()
                .resources(id)
                .tags(Tag::builder().key(key).build())
                .send(),
        ),
        "DeleteTags",
    );
}

fn all_carry(ids: &[String], profile: &str) -> BTreeMap<String, String> {
    ids.iter()
        .map(|id| (id.clone(), profile.to_owned()))
        .collect()
}

/// `(instance id, action)` of every binding change, sorted.
fn binding_changes(plan: &Value) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = array(plan, "changes")
        .iter()
        .filter(|c| c["address"]["type"] == "binding")
        .map(|c| {
            (
                c["address"]["name"].as_str().unwrap_or_default().to_owned(),
                c["action"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    out.sort();
    out
}

fn assert_no_changes(plan: &Value) {
    assert!(
        array(plan, "changes").is_empty()
            && array(plan, "steps").is_empty()
            && array(plan, "conflicts").is_empty(),
        "expected no changes:\n{plan:#}"
    );
}

fn ec2_calls(plan: &Value) -> BTreeMap<String, u64> {
    stats_calls(plan)
        .into_iter()
        .filter(|(op, _)| op.starts_with("Describe"))
        .collect()
}

/// A copy of the CloudWatch example with `extra` appended under `spec.ec2`.
fn cloudwatch_with(extra_ec2_lines: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let mut text =
        std::fs::read_to_string(support::root().join(CLOUDWATCH)).expect("the example manifest");
    assert!(
        text.trim_end().ends_with("cloudwatch-agent: enabled"),
        "the example's last lines are its selector:\n{text}"
    );
    text.push_str(extra_ec2_lines);
    std::fs::write(dir.path().join("cloudwatch-agent.yaml"), text).expect("write manifest");
    dir
}

// ---------------------------------------------------------------------------------------------

/// Acceptance 1: apply the CloudWatch example where tagged instances exist → associations
/// exist; plan → no changes. Terminated and untagged instances are left alone, and the read
/// costs one call of each EC2 listing.
#[test]
fn cloudwatch_example_binds_tagged_instances_then_plans_no_changes() {
    let moto = Moto::start();
    let tagged = launch(&moto, 2, &[SELECTOR]);
    launch(&moto, 1, &[("cloudwatch-agent", "disabled")]);
    let terminated = launch(&moto, 1, &[SELECTOR]);
    ok(
        block_on(
            ec2(&moto)
                .terminate_instances()
                .instance_ids(&terminated[0])
                .send(),
        ),
        "TerminateInstances",
    );

    let plan = plan_json(&moto, &[CLOUDWATCH]);
    assert_only_reads(&plan);
    assert_eq!(
        binding_changes(&plan),
        tagged
            .iter()
            .map(|id| (id.clone(), "create".to_owned()))
            .collect::<Vec<_>>(),
        "{plan:#}"
    );
    assert_eq!(
        ec2_calls(&plan),
        BTreeMap::from([
            ("DescribeIamInstanceProfileAssociations".to_owned(), 1),
            ("DescribeInstances".to_owned(), 1),
        ])
    );

    let applied = apply(&moto, &[CLOUDWATCH]);
    assert!(
        applied.stdout.contains(&format!(
            "instance {} will carry instance profile {PROFILE}",
            tagged[0]
        )),
        "{}",
        applied.stdout
    );
    assert_eq!(associations(&moto), all_carry(&tagged, PROFILE));

    let plan = plan_json(&moto, &[CLOUDWATCH]);
    assert_no_changes(&plan);
    assert_only_reads(&plan);
    let text = run_live(&moto, &["plan", CLOUDWATCH]).success();
    assert_eq!(
        text.stdout.lines().nth(1),
        Some("No changes. The account matches the manifests."),
        "{}",
        text.stdout
    );
}

/// A role without an instance profile costs no EC2 call at all.
#[test]
fn roles_without_bindings_read_no_ec2() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("plain.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: plain\nspec:\n  trust:\n    - service: lambda.amazonaws.com\n",
    )
    .expect("write manifest");
    let plan = plan_json(&moto, &[&arg(dir.path())]);
    assert!(ec2_calls(&plan).is_empty(), "{:?}", stats_calls(&plan));
}

/// Acceptance 2: tag a new instance → the next plan binds it; untag it → the next plan unbinds
/// it. Instances that stay selected are untouched.
#[test]
fn selector_tag_binds_and_untag_unbinds() {
    let moto = Moto::start();
    let first = launch(&moto, 1, &[SELECTOR]);
    apply(&moto, &[CLOUDWATCH]);
    assert_eq!(associations(&moto), all_carry(&first, PROFILE));

    let new = launch(&moto, 1, &[("team", "web")]).remove(0);
    assert_no_changes(&plan_json(&moto, &[CLOUDWATCH]));

    set_tag(&moto, &new, SELECTOR.0, SELECTOR.1);
    let plan = plan_json(&moto, &[CLOUDWATCH]);
    assert_eq!(binding_changes(&plan), [(new.clone(), "create".to_owned())]);
    apply(&moto, &[CLOUDWATCH]);
    let mut both = all_carry(&first, PROFILE);
    both.insert(new.clone(), PROFILE.to_owned());
    assert_eq!(associations(&moto), both);

    remove_tag(&moto, &new, SELECTOR.0);
    let plan = plan_json(&moto, &[CLOUDWATCH]);
    assert_eq!(binding_changes(&plan), [(new.clone(), "delete".to_owned())]);
    let steps = array(&plan, "steps");
    assert_eq!(steps.len(), 1, "{plan:#}");
    assert_eq!(steps[0]["operation"], "DisassociateIamInstanceProfile");
    let text = run_live(&moto, &["plan", CLOUDWATCH]).success();
    assert!(
        text.stdout.contains(&format!(
            "instance {new} will no longer carry instance profile {PROFILE}"
        )),
        "{}",
        text.stdout
    );
    apply(&moto, &[CLOUDWATCH]);
    assert_eq!(associations(&moto), all_carry(&first, PROFILE));
    assert_no_changes(&plan_json(&moto, &[CLOUDWATCH]));
}

/// Acceptance 3: an instance carrying a foreign profile is a conflict the apply leaves alone;
/// with `takeover: true` its association is replaced.
#[test]
fn foreign_profile_is_a_conflict_until_takeover() {
    let moto = Moto::start();
    let ids = launch(&moto, 2, &[SELECTOR]);
    let (foreign, free) = (&ids[0], &ids[1]);
    let iam = moto.iam();
    block_on(async {
        ok(
            iam.create_role()
                .role_name("legacy")
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .send()
                .await,
            "CreateRole legacy",
        );
        ok(
            iam.create_instance_profile()
                .instance_profile_name("legacy-profile")
                .send()
                .await,
            "CreateInstanceProfile legacy-profile",
        );
        ok(
            iam.add_role_to_instance_profile()
                .instance_profile_name("legacy-profile")
                .role_name("legacy")
                .send()
                .await,
            "AddRoleToInstanceProfile",
        );
        ok(
            ec2(&moto)
                .associate_iam_instance_profile()
                .instance_id(foreign)
                .iam_instance_profile(
                    IamInstanceProfileSpecification::builder()
                        .name("legacy-profile")
                        .build(),
                )
                .send()
                .await,
            "AssociateIamInstanceProfile legacy-profile",
        );
    });

    let plan = plan_json(&moto, &[CLOUDWATCH]);
    let conflicts = array(&plan, "conflicts");
    assert_eq!(conflicts.len(), 1, "{plan:#}");
    assert_eq!(conflicts[0]["address"]["name"], foreign.as_str());
    let message = conflicts[0]["message"].as_str().unwrap_or_default();
    assert!(
        message.contains(&format!(
            "instance {foreign} now carries instance profile legacy-profile instead of {PROFILE} (changed outside rolesmith?)"
        )),
        "{message}"
    );
    assert_eq!(
        binding_changes(&plan),
        [(free.clone(), "create".to_owned())]
    );

    let applied = apply(&moto, &[CLOUDWATCH]);
    assert!(
        applied.stdout.contains("is in the way") && applied.stdout.contains("ec2.takeover: true"),
        "{}",
        applied.stdout
    );
    let mut expected = BTreeMap::from([
        (foreign.clone(), "legacy-profile".to_owned()),
        (free.clone(), PROFILE.to_owned()),
    ]);
    assert_eq!(
        associations(&moto),
        expected,
        "apply left the foreign profile"
    );

    let takeover = cloudwatch_with("    takeover: true\n");
    let takeover = arg(takeover.path());
    let plan = plan_json(&moto, &[&takeover]);
    assert!(array(&plan, "conflicts").is_empty(), "{plan:#}");
    assert_eq!(
        binding_changes(&plan),
        [(foreign.clone(), "update".to_owned())]
    );
    assert_eq!(
        array(&plan, "steps")[0]["operation"],
        "ReplaceIamInstanceProfileAssociation"
    );
    apply(&moto, &[&takeover]);
    expected.insert(foreign.clone(), PROFILE.to_owned());
    assert_eq!(associations(&moto), expected);
    assert_no_changes(&plan_json(&moto, &[&takeover]));
}

/// An instance id that does not exist is a conflict in the plan, not a failed read; the other
/// bindings proceed.
#[test]
fn missing_instance_id_is_a_plan_conflict() {
    let moto = Moto::start();
    let real = launch(&moto, 1, &[]).remove(0);
    let missing = "i-0123456789abcdef0";
    assert_ne!(real, missing);
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("named.yaml"),
        format!(
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: named\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  instanceProfile: true\n  ec2:\n    instances: [{real}, {missing}]\n"
        ),
    )
    .expect("write manifest");
    let dir = arg(dir.path());
    let plan = plan_json(&moto, &[&dir]);
    let conflicts = array(&plan, "conflicts");
    assert_eq!(conflicts.len(), 1, "{plan:#}");
    assert_eq!(conflicts[0]["address"]["name"], missing);
    assert!(
        conflicts[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("does not exist")),
        "{plan:#}"
    );
    assert_eq!(
        binding_changes(&plan),
        [(real.clone(), "create".to_owned())]
    );
    apply(&moto, &[&dir]);
    assert_eq!(associations(&moto), all_carry(&[real], "named"));
}

/// Acceptance 4: removing the role's manifest with `--prune` disassociates, removes the role
/// from its profile, deletes the profile, detaches and deletes the role — in that order, as
/// recorded by the proxy.
#[test]
fn prune_tears_down_in_order() {
    let moto = Moto::start();
    let ids = launch(&moto, 1, &[SELECTOR]);
    apply(&moto, &[CLOUDWATCH]);
    assert_eq!(associations(&moto), all_carry(&ids, PROFILE));

    // Another manifest stays, so the run has manifests but none for cloudwatch-agent.
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("other.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: other\nspec:\n  trust:\n    - service: lambda.amazonaws.com\n",
    )
    .expect("write manifest");
    let dir = arg(dir.path());
    let proxy = Proxy::start(&moto.endpoint);
    let r = run(
        &moto,
        &[
            "apply",
            &dir,
            "--prune",
            "--auto-approve",
            "--endpoint-url",
            &proxy.endpoint,
        ],
    )
    .success();
    let writes: Vec<String> = proxy
        .actions()
        .into_iter()
        .filter(|a| !support::is_read_operation(a))
        .collect();
    assert_eq!(
        writes,
        [
            "DisassociateIamInstanceProfile",
            "RemoveRoleFromInstanceProfile",
            "DeleteInstanceProfile",
            "DetachRolePolicy",
            "DetachRolePolicy",
            "DeleteRolePolicy",
            "DeleteRole",
            "CreateRole",
            // The example's team policy, once no role attaches it.
            "DeletePolicy",
        ],
        "recorded write order\n{}",
        r.stdout
    );
    assert!(associations(&moto).is_empty());
    let iam = moto.iam();
    let gone = block_on(iam.get_role().role_name(PROFILE).send());
    assert!(
        gone.as_ref()
            .err()
            .and_then(|e| e.as_service_error())
            .is_some_and(|e| e.is_no_such_entity_exception()),
        "role still there: {gone:?}"
    );
}

/// Acceptance 5: EC2 refuses the new profile twice ("Invalid IAM Instance Profile name", as it
/// does while IAM propagates); apply waits, says so on stderr without `-v`, retries and
/// converges.
#[test]
fn propagation_retry_converges() {
    let moto = Moto::start();
    let ids = launch(&moto, 1, &[SELECTOR]);
    let proxy = Proxy::start(&moto.endpoint);
    proxy.inject(
        "AssociateIamInstanceProfile",
        Fault::ec2_invalid_instance_profile(2),
    );
    let r = run(
        &moto,
        &[
            "apply",
            CLOUDWATCH,
            "--auto-approve",
            "--endpoint-url",
            &proxy.endpoint,
        ],
    )
    .success();
    let attempts: Vec<bool> = proxy
        .log()
        .into_iter()
        .filter(|c| c.action == "AssociateIamInstanceProfile")
        .map(|c| c.injected)
        .collect();
    assert_eq!(attempts, [true, true, false], "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "instance {} (instance profile {PROFILE} not yet visible to EC2): waiting for IAM changes to propagate",
            ids[0]
        )),
        "no progress line on stderr:\n{}",
        r.stderr
    );
    assert_eq!(associations(&moto), all_carry(&ids, PROFILE));
    assert_no_changes(&plan_json(&moto, &[CLOUDWATCH]));
}

/// `ec2.region` other than the run's region is refused, not silently bound in the wrong region.
#[test]
fn a_binding_in_another_region_needs_that_region() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let manifest = dir.path().join("web.yaml");
    std::fs::write(
        &manifest,
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  instanceProfile: true\n  ec2:\n    region: eu-west-1\n    selector: {tags: {app: web}}\n",
    )
    .unwrap();
    let path = manifest.to_str().unwrap();
    let r = support::run_live(&moto, &["plan", path]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    insta::assert_snapshot!("plan-binding-in-another-region", snapshot::render(&r));
    support::run_live(&moto, &["plan", path, "--region", "eu-west-1"]).success();
}
