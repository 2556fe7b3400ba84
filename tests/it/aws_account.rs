//! The live account backend against a real AWS-compatible server: moto in server mode, one per
//! test, on loopback with fake credentials (see `support::moto`). The `rolesmith` binary is run
//! as a user would; out-of-band changes and read-backs use the real `aws-sdk-iam` client.
//!
//! `moto_starts_and_serves_iam` also pins the moto behaviours the adapter relies on (which
//! documents are URL-encoded where, what GetAccountAuthorizationDetails returns).

use std::collections::BTreeMap;

use aws_sdk_iam::types::{EntityType, Tag};
use aws_smithy_types::error::display::DisplayErrorContext;
use serde_json::Value;

use crate::support;
use crate::support::moto::{ACCOUNT_ID, Moto};
use crate::support::{apply, arg, array, assert_only_reads, block_on, plan_json, run, run_live};

const EXAMPLES: &str = "examples/manifests";

/// Unwraps an SDK result, printing the whole error chain on failure.
fn ok<T, E: std::error::Error>(result: Result<T, E>, what: &str) -> T {
    result.unwrap_or_else(|e| panic!("{what}: {}", DisplayErrorContext(&e)))
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().expect("tag")
}

fn decode(doc: &str) -> String {
    percent_encoding::percent_decode_str(doc)
        .decode_utf8()
        .expect("UTF-8 after percent-decoding")
        .into_owned()
}

const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}}]}"#;
const LAMBDA_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"lambda.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
/// Has characters that URL-encoding changes (space, `&`, `/`, `:`).
const INLINE_DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::bucket/a b&c"}]}"#;
const BOUNDARY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";

/// What the example manifests expect to exist in an account besides roles: the customer
/// managed boundary policy of `external-auditor`, and the SAML provider `sso-readonly` trusts
/// (the GitHub OIDC provider is declared by `examples/manifests/github-provider.yaml`).
fn seed_example_prerequisites(moto: &Moto) {
    let iam = moto.iam();
    block_on(async {
        ok(
            iam.create_policy()
                .policy_name("read-only-boundary")
                .policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["s3:Get*","s3:List*"],"Resource":"*"}]}"#,
                )
                .send()
                .await,
            "CreatePolicy read-only-boundary",
        );
        ok(
            iam.create_saml_provider()
                .name("corporate-idp")
                .saml_metadata_document(SAML_METADATA)
                .send()
                .await,
            "CreateSAMLProvider",
        );
    });
}

const SAML_METADATA: &str = r#"<?xml version="1.0"?><md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" entityID="https://idp.example.com/saml"><md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol"><md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/sso"/></md:IDPSSODescriptor></md:EntityDescriptor>"#;

// ---------------------------------------------------------------------------------------------
// The harness itself, and the moto behaviours the adapter depends on.
// ---------------------------------------------------------------------------------------------

#[test]
fn moto_starts_and_serves_iam() {
    let moto = Moto::start();
    assert!(
        moto.endpoint.starts_with("http://127.0.0.1:"),
        "{}",
        moto.endpoint
    );
    let iam = moto.iam();
    block_on(async {
        ok(
            iam.create_role()
                .role_name("plain")
                .assume_role_policy_document(EC2_TRUST)
                .description("no boundary")
                .max_session_duration(7200)
                .tags(tag("team", "a"))
                .send()
                .await,
            "CreateRole plain",
        );
        ok(
            iam.create_role()
                .role_name("bounded")
                .path("/service/")
                .assume_role_policy_document(LAMBDA_TRUST)
                .permissions_boundary(BOUNDARY)
                .tags(tag("managed-by", "rolesmith"))
                .send()
                .await,
            "CreateRole bounded",
        );
        ok(
            iam.put_role_policy()
                .role_name("plain")
                .policy_name("inline")
                .policy_document(INLINE_DOC)
                .send()
                .await,
            "PutRolePolicy",
        );
        // AWS managed policies exist (MOTO_IAM_LOAD_MANAGED_POLICIES=true).
        ok(
            iam.attach_role_policy()
                .role_name("plain")
                .policy_arn("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")
                .send()
                .await,
            "AttachRolePolicy CloudWatchAgentServerPolicy",
        );

        // ListRoles: both roles; trust documents are raw JSON exactly as sent (real IAM
        // URL-encodes them); no tags and no boundary in the listing (as in real IAM).
        let roles = ok(
            iam.list_roles()
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await,
            "ListRoles",
        );
        let by_name: BTreeMap<&str, _> = roles.iter().map(|r| (r.role_name(), r)).collect();
        assert_eq!(
            by_name.keys().copied().collect::<Vec<_>>(),
            ["bounded", "plain"]
        );
        let plain = by_name["plain"];
        assert_eq!(plain.assume_role_policy_document(), Some(EC2_TRUST));
        assert_eq!(plain.description(), Some("no boundary"));
        assert_eq!(plain.max_session_duration(), Some(7200));
        assert_eq!(plain.arn(), format!("arn:aws:iam::{ACCOUNT_ID}:role/plain"));
        let bounded = by_name["bounded"];
        assert_eq!(bounded.path(), "/service/");
        assert_eq!(bounded.assume_role_policy_document(), Some(LAMBDA_TRUST));
        assert!(
            bounded.permissions_boundary().is_none(),
            "moto: ListRoles has no boundary"
        );
        assert!(bounded.tags().is_empty(), "moto: ListRoles has no tags");

        // ListRoles paginates with MaxItems/Marker.
        let page = ok(iam.list_roles().max_items(1).send().await, "ListRoles page");
        assert_eq!(page.roles().len(), 1);
        assert!(page.is_truncated());
        assert!(page.marker().is_some());

        // GetRole: the trust document IS URL-encoded; boundary and tags are there.
        let got = ok(iam.get_role().role_name("bounded").send().await, "GetRole");
        let got = got.role().expect("role");
        let trust = got.assume_role_policy_document().expect("trust");
        assert!(
            trust.starts_with("%7B"),
            "GetRole trust is URL-encoded: {trust}"
        );
        assert_eq!(decode(trust), LAMBDA_TRUST);
        assert_eq!(
            got.permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn()),
            Some(BOUNDARY)
        );
        assert_eq!(got.tags().len(), 1);

        // GetRolePolicy: URL-encoded, decodes to the document byte for byte.
        let inline = ok(
            iam.get_role_policy()
                .role_name("plain")
                .policy_name("inline")
                .send()
                .await,
            "GetRolePolicy",
        );
        assert!(inline.policy_document().starts_with("%7B"));
        assert_eq!(decode(inline.policy_document()), INLINE_DOC);

        // GetAccountAuthorizationDetails (Filter=Role): every role with trust, inline policies,
        // managed policies, boundary and tags, in one response.
        let gaad = ok(
            iam.get_account_authorization_details()
                .filter(EntityType::Role)
                .send()
                .await,
            "GetAccountAuthorizationDetails",
        );
        let details: BTreeMap<&str, _> = gaad
            .role_detail_list()
            .iter()
            .map(|r| (r.role_name().expect("name"), r))
            .collect();
        assert_eq!(
            details.keys().copied().collect::<Vec<_>>(),
            ["bounded", "plain"]
        );
        let plain = details["plain"];
        // Trust: raw JSON as sent (NOT URL-encoded, unlike real IAM).
        assert_eq!(plain.assume_role_policy_document(), Some(EC2_TRUST));
        // Inline documents: URL-encoded.
        let docs = plain.role_policy_list();
        assert_eq!(docs.len(), 1);
        assert_eq!(docs[0].policy_name(), Some("inline"));
        let doc = docs[0].policy_document().expect("inline document");
        assert!(
            doc.starts_with("%7B"),
            "GAAD inline document is URL-encoded: {doc}"
        );
        assert_eq!(decode(doc), INLINE_DOC);
        assert_eq!(
            plain
                .attached_managed_policies()
                .iter()
                .filter_map(|p| p.policy_arn())
                .collect::<Vec<_>>(),
            ["arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy"]
        );
        assert_eq!(plain.tags().len(), 1);
        assert!(plain.permissions_boundary().is_none());
        // The boundary IS in RoleDetail.
        let bounded = details["bounded"];
        assert_eq!(
            bounded
                .permissions_boundary()
                .and_then(|b| b.permissions_boundary_arn()),
            Some(BOUNDARY)
        );
        assert_eq!(bounded.path(), Some("/service/"));
        assert_eq!(bounded.tags()[0].key(), "managed-by");
        // (RoleDetail has no description or max session duration: ListRoles carries those.)

        // moto ignores MaxItems on GetAccountAuthorizationDetails: everything, not truncated.
        let gaad = ok(
            iam.get_account_authorization_details()
                .filter(EntityType::Role)
                .max_items(1)
                .send()
                .await,
            "GetAccountAuthorizationDetails MaxItems=1",
        );
        assert_eq!(gaad.role_detail_list().len(), 2);
        assert!(!gaad.is_truncated());

        // moto accepts a boundary ARN that names no policy (real IAM refuses it).
        ok(
            iam.create_role()
                .role_name("ghost-boundary")
                .assume_role_policy_document(EC2_TRUST)
                .permissions_boundary(format!("arn:aws:iam::{ACCOUNT_ID}:policy/does-not-exist"))
                .send()
                .await,
            "CreateRole with a missing boundary policy",
        );

        // Service-linked roles: name and path chosen by the service; moto writes their trust
        // with list-valued Action and Service.
        let slr = ok(
            iam.create_service_linked_role()
                .aws_service_name("autoscaling.amazonaws.com")
                .description("scales")
                .send()
                .await,
            "CreateServiceLinkedRole",
        );
        let slr = slr.role().expect("role");
        assert_eq!(slr.role_name(), "AWSServiceRoleForAutoScaling");
        assert_eq!(slr.path(), "/aws-service-role/autoscaling.amazonaws.com/");
        let listed = ok(iam.list_roles().send().await, "ListRoles");
        let listed = listed
            .roles()
            .iter()
            .find(|r| r.role_name() == "AWSServiceRoleForAutoScaling")
            .expect("the service-linked role is listed");
        assert_eq!(listed.description(), Some("scales"));
        let trust = listed.assume_role_policy_document().expect("trust");
        assert!(trust.contains(r#""Action": ["sts:AssumeRole"]"#), "{trust}");

        // STS answers with moto's account.
        let sts = aws_sdk_sts::Client::new(&moto.sdk_config());
        let me = ok(sts.get_caller_identity().send().await, "GetCallerIdentity");
        assert_eq!(me.account(), Some(ACCOUNT_ID));

        // EC2 is served by the same endpoint.
        let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config());
        let instances = ok(ec2.describe_instances().send().await, "DescribeInstances");
        assert!(instances.reservations().is_empty());

        // UpdateRole without MaxSessionDuration resets it to 3600 in moto (real IAM keeps it),
        // so an UpdateRole must always send both; UpdateRoleDescription keeps it.
        ok(
            iam.update_role_description()
                .role_name("plain")
                .description("edited once")
                .send()
                .await,
            "UpdateRoleDescription",
        );
        let got = ok(iam.get_role().role_name("plain").send().await, "GetRole");
        assert_eq!(
            got.role().and_then(|r| r.max_session_duration()),
            Some(7200)
        );
        ok(
            iam.update_role()
                .role_name("plain")
                .description("edited twice")
                .send()
                .await,
            "UpdateRole",
        );
        let got = ok(iam.get_role().role_name("plain").send().await, "GetRole");
        let got = got.role().expect("role");
        assert_eq!(got.description(), Some("edited twice"));
        assert_eq!(got.max_session_duration(), Some(3600));
    });

    // The examples' prerequisites can be created.
    seed_example_prerequisites(&moto);

    // Reset clears state.
    moto.reset();
    let roles = block_on(async { ok(moto.iam().list_roles().send().await, "ListRoles") });
    assert!(roles.roles().is_empty());
}

#[test]
fn servers_are_isolated() {
    let (a, b) = (Moto::start(), Moto::start());
    assert_ne!(a.endpoint, b.endpoint);
    block_on(async {
        ok(
            a.iam()
                .create_role()
                .role_name("only-in-a")
                .assume_role_policy_document(EC2_TRUST)
                .send()
                .await,
            "CreateRole",
        );
        let in_b = ok(b.iam().list_roles().send().await, "ListRoles");
        assert!(in_b.roles().is_empty());
    });
}

// ---------------------------------------------------------------------------------------------
// Helpers over plan JSON and the account.
// ---------------------------------------------------------------------------------------------

fn role_change<'a>(plan: &'a Value, role: &str) -> &'a Value {
    array(plan, "changes")
        .iter()
        .find(|c| c["address"]["type"] == "role" && c["address"]["name"] == role)
        .unwrap_or_else(|| panic!("no change for role {role} in plan:\n{plan:#}"))
}

fn attributes(change: &Value) -> Vec<String> {
    change["attributes"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x["attribute"].as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn assert_no_changes(moto: &Moto, paths: &[&str]) {
    let mut args = vec!["plan"];
    args.extend(paths);
    let r = run_live(moto, &args).success();
    assert!(
        r.stdout.contains("No changes"),
        "expected no changes after apply:\n{}",
        r.stdout
    );
}

/// Everything IAM says about every role (and instance profiles), as text: two dumps are equal
/// exactly when nothing changed.
fn account_dump(moto: &Moto) -> BTreeMap<String, String> {
    let iam = moto.iam();
    block_on(async {
        let mut dump = BTreeMap::new();
        let roles = ok(
            iam.list_roles()
                .into_paginator()
                .items()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await,
            "ListRoles",
        );
        for role in roles {
            let name = role.role_name().to_owned();
            let got = ok(iam.get_role().role_name(&name).send().await, "GetRole");
            let attached = ok(
                iam.list_attached_role_policies()
                    .role_name(&name)
                    .send()
                    .await,
                "ListAttachedRolePolicies",
            );
            let inline_names = ok(
                iam.list_role_policies().role_name(&name).send().await,
                "ListRolePolicies",
            );
            let mut inline = Vec::new();
            for policy in inline_names.policy_names() {
                let doc = ok(
                    iam.get_role_policy()
                        .role_name(&name)
                        .policy_name(policy)
                        .send()
                        .await,
                    "GetRolePolicy",
                );
                inline.push((policy.clone(), doc.policy_document().to_owned()));
            }
            dump.insert(
                format!("role {name}"),
                format!(
                    "{role:?}\n{:?}\n{:?}\n{inline:?}",
                    got.role(),
                    attached.attached_policies()
                ),
            );
        }
        let profiles = ok(
            iam.list_instance_profiles().send().await,
            "ListInstanceProfiles",
        );
        for p in profiles.instance_profiles() {
            dump.insert(
                format!("instance profile {}", p.instance_profile_name()),
                format!("{p:?}"),
            );
        }
        dump
    })
}

fn assert_same_dump(before: &BTreeMap<String, String>, after: &BTreeMap<String, String>) {
    assert_eq!(
        before.keys().collect::<Vec<_>>(),
        after.keys().collect::<Vec<_>>(),
        "the set of roles/profiles changed"
    );
    for (k, v) in before {
        assert_eq!(v, &after[k], "{k} changed");
    }
}

/// A fresh server with the examples' prerequisites and the examples applied.
fn applied_examples() -> Moto {
    let moto = Moto::start();
    seed_example_prerequisites(&moto);
    let r = apply(&moto, &[EXAMPLES]);
    assert!(r.stdout.contains("Apply complete"), "{}", r.stdout);
    moto
}

// ---------------------------------------------------------------------------------------------
// Acceptance: apply, idempotency.
// ---------------------------------------------------------------------------------------------

#[test]
fn apply_examples_to_an_empty_account_then_nothing_to_do() {
    let moto = Moto::start();
    seed_example_prerequisites(&moto);

    // The live plan of an empty account is the plan against an empty snapshot.
    let live = plan_json(&moto, &[EXAMPLES]);
    assert_only_reads(&live);
    let dir = tempfile::tempdir().expect("temp dir");
    // An empty account as a file (a missing snapshot is an error for plan: a mistyped path).
    // Roles only, besides the SAML provider the seed made (the examples check that every
    // provider a role trusts exists).
    let saml = serde_json::json!({
        "name": "corporate-idp",
        "metadataDigest": rolesmith::state::provider::metadata_digest(SAML_METADATA),
        "metadataDocument": SAML_METADATA,
    });
    std::fs::write(
        dir.path().join("empty.json"),
        serde_json::json!({"accountId": ACCOUNT_ID, "samlProviders": {"corporate-idp": saml}})
            .to_string(),
    )
    .expect("write empty.json");
    let empty = arg(&dir.path().join("empty.json"));
    let offline = run(
        &moto,
        &["plan", EXAMPLES, "--snapshot", &empty, "--format", "json"],
    )
    .success()
    .json();
    for key in ["changes", "conflicts", "steps"] {
        assert_eq!(
            live[key], offline[key],
            "`{key}` differs from the offline plan"
        );
    }
    assert!(!array(&live, "steps").is_empty());

    let r = apply(&moto, &[EXAMPLES]);
    assert!(r.stdout.contains("Apply complete"), "{}", r.stdout);

    // Every role exists, owned.
    let dump = account_dump(&moto);
    for role in [
        "external-auditor",
        "AWSServiceRoleForAutoScaling",
        "cloudwatch-agent",
        "github-deploy",
        "orders-lambda",
        "ops-breakglass",
        "sso-readonly",
    ] {
        assert!(
            dump.contains_key(&format!("role {role}")),
            "{role} missing: {dump:#?}"
        );
    }
    assert!(
        dump.contains_key("instance profile cloudwatch-agent"),
        "{dump:#?}"
    );

    assert_no_changes(&moto, &[EXAMPLES]);
    let again = plan_json(&moto, &[EXAMPLES]);
    assert!(array(&again, "changes").is_empty(), "{again:#}");
    assert!(array(&again, "steps").is_empty(), "{again:#}");
    assert_only_reads(&again);

    let r = apply(&moto, &[EXAMPLES]);
    assert!(r.stdout.contains("No changes"), "{}", r.stdout);
    assert_same_dump(&dump, &account_dump(&moto));
}

// ---------------------------------------------------------------------------------------------
// Acceptance: out-of-band changes are planned and reverted.
// ---------------------------------------------------------------------------------------------

/// Applies the examples, makes one change with the SDK, and checks that the next plan shows it
/// on `role` (as `attribute`, or as action `create` when `attribute` is `None`) and that apply
/// reverts it.
fn drift_is_planned_and_reverted(
    role: &str,
    attribute: Option<&str>,
    change: impl AsyncFnOnce(&aws_sdk_iam::Client),
) {
    let moto = applied_examples();
    let iam = moto.iam();
    block_on(change(&iam));

    let plan = plan_json(&moto, &[EXAMPLES]);
    assert_only_reads(&plan);
    let c = role_change(&plan, role);
    match attribute {
        Some(attribute) => {
            assert_eq!(c["action"], "update", "{c:#}");
            assert!(
                attributes(c).iter().any(|a| a == attribute),
                "role {role}: expected a `{attribute}` change, got {:?}\n{c:#}",
                attributes(c)
            );
        }
        None => assert_eq!(c["action"], "create", "{c:#}"),
    }

    apply(&moto, &[EXAMPLES]);
    assert_no_changes(&moto, &[EXAMPLES]);
}

#[test]
fn drift_inline_policy() {
    drift_is_planned_and_reverted("github-deploy", Some("inline_policy"), async |iam| {
        ok(
            iam.put_role_policy()
                .role_name("github-deploy")
                .policy_name("deploy-artifacts")
                .policy_document(INLINE_DOC)
                .send()
                .await,
            "PutRolePolicy",
        );
    });
}

#[test]
fn drift_managed_policy() {
    drift_is_planned_and_reverted("cloudwatch-agent", Some("managed_policy"), async |iam| {
        ok(
            iam.detach_role_policy()
                .role_name("cloudwatch-agent")
                .policy_arn("arn:aws:iam::aws:policy/CloudWatchAgentServerPolicy")
                .send()
                .await,
            "DetachRolePolicy",
        );
    });
}

#[test]
fn drift_tags() {
    drift_is_planned_and_reverted("orders-lambda", Some("tags"), async |iam| {
        ok(
            iam.tag_role()
                .role_name("orders-lambda")
                .tags(tag("team", "someone-else"))
                .tags(tag("extra", "added-by-hand"))
                .send()
                .await,
            "TagRole",
        );
    });
}

#[test]
fn drift_trust_policy() {
    drift_is_planned_and_reverted("orders-lambda", Some("trust_policy"), async |iam| {
        ok(
            iam.update_assume_role_policy()
                .role_name("orders-lambda")
                .policy_document(EC2_TRUST)
                .send()
                .await,
            "UpdateAssumeRolePolicy",
        );
    });
}

#[test]
fn drift_permissions_boundary() {
    drift_is_planned_and_reverted(
        "external-auditor",
        Some("permissions_boundary"),
        async |iam| {
            ok(
                iam.delete_role_permissions_boundary()
                    .role_name("external-auditor")
                    .send()
                    .await,
                "DeleteRolePermissionsBoundary",
            );
        },
    );
}

#[test]
fn drift_description() {
    drift_is_planned_and_reverted("sso-readonly", Some("description"), async |iam| {
        ok(
            iam.update_role_description()
                .role_name("sso-readonly")
                .description("edited in the console")
                .send()
                .await,
            "UpdateRoleDescription",
        );
    });
}

#[test]
fn drift_deleted_role() {
    drift_is_planned_and_reverted("ops-breakglass", None, async |iam| {
        ok(
            iam.detach_role_policy()
                .role_name("ops-breakglass")
                .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
                .send()
                .await,
            "DetachRolePolicy",
        );
        ok(
            iam.delete_role().role_name("ops-breakglass").send().await,
            "DeleteRole",
        );
    });
}

// ---------------------------------------------------------------------------------------------
// Acceptance: unowned roles are never written.
// ---------------------------------------------------------------------------------------------

/// Roles named in manifests (without `adopt`) among the 100 unowned ones.
const NAMED_UNOWNED: [&str; 3] = ["legacy-000", "legacy-042", "legacy-099"];

fn create_unowned_roles(moto: &Moto, count: usize) {
    let iam = moto.iam();
    block_on(async {
        for i in 0..count {
            let name = format!("legacy-{i:03}");
            let mut create = iam
                .create_role()
                .role_name(&name)
                .assume_role_policy_document(if i % 2 == 0 { EC2_TRUST } else { LAMBDA_TRUST })
                .description(format!("made by hand #{i}"))
                .tags(tag("owner", &format!("team-{}", i % 7)));
            if i % 7 == 0 {
                create = create.permissions_boundary(BOUNDARY);
            }
            ok(create.send().await, "CreateRole legacy");
            if i % 3 == 0 {
                ok(
                    iam.put_role_policy()
                        .role_name(&name)
                        .policy_name("legacy-inline")
                        .policy_document(INLINE_DOC)
                        .send()
                        .await,
                    "PutRolePolicy legacy",
                );
            }
            if i % 5 == 0 {
                ok(
                    iam.attach_role_policy()
                        .role_name(&name)
                        .policy_arn("arn:aws:iam::aws:policy/ReadOnlyAccess")
                        .send()
                        .await,
                    "AttachRolePolicy legacy",
                );
            }
        }
    });
}

/// Manifests naming [`NAMED_UNOWNED`] (different from their live state, no `adopt`) and one
/// new role, so apply has real work to do next to them.
fn unowned_manifests() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for name in NAMED_UNOWNED.iter().chain(&["fresh-app"]) {
        std::fs::write(
            dir.path().join(format!("{name}.yaml")),
            format!(
                "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: {name}\nspec:\n  \
                 description: Declared in git\n  trust:\n    - service: ecs-tasks.amazonaws.com\n  \
                 managedPolicies:\n    - aws:AdministratorAccess\n  tags:\n    team: platform\n"
            ),
        )
        .expect("write manifest");
    }
    dir
}

#[test]
fn unowned_roles_are_never_written() {
    let moto = Moto::start();
    create_unowned_roles(&moto, 100);
    let manifests = unowned_manifests();
    let paths = arg(manifests.path());
    let before = account_dump(&moto);
    assert_eq!(before.len(), 100);

    for prune in [false, true] {
        let mut args = vec!["plan", paths.as_str(), "--format", "json"];
        if prune {
            args.push("--prune");
        }
        let plan = run_live(&moto, &args).success().json();
        assert_only_reads(&plan);
        let mut conflicts: Vec<&str> = array(&plan, "conflicts")
            .iter()
            .map(|c| {
                assert_eq!(c["address"]["type"], "role", "{c:#}");
                c["address"]["name"].as_str().expect("name")
            })
            .collect();
        conflicts.sort_unstable();
        assert_eq!(conflicts, NAMED_UNOWNED, "prune={prune}");
        let changes = serde_json::to_string(array(&plan, "changes")).expect("json");
        let steps = serde_json::to_string(array(&plan, "steps")).expect("json");
        assert!(
            !changes.contains("legacy-"),
            "prune={prune}: changes touch unowned roles:\n{plan:#}"
        );
        assert!(
            !steps.contains("legacy-"),
            "prune={prune}: steps touch unowned roles:\n{plan:#}"
        );
        assert_eq!(role_change(&plan, "fresh-app")["action"], "create");
    }

    let r = run_live(&moto, &["apply", &paths, "--prune", "--auto-approve"]).success();
    assert!(r.stdout.contains("Apply complete"), "{}", r.stdout);

    let mut after = account_dump(&moto);
    assert!(
        after.remove("role fresh-app").is_some(),
        "fresh-app was not created"
    );
    after.remove("instance profile fresh-app");
    assert_same_dump(&before, &after);
}

// ---------------------------------------------------------------------------------------------
// Acceptance: plan and snapshot only read; a snapshot plans like the live account.
// ---------------------------------------------------------------------------------------------

/// Drift on several roles plus an unowned role named by a manifest: a plan with updates,
/// a create and a conflict.
fn drift_for_read_tests(moto: &Moto) -> tempfile::TempDir {
    let iam = moto.iam();
    block_on(async {
        ok(
            iam.untag_role()
                .role_name("github-deploy")
                .tag_keys("team")
                .send()
                .await,
            "UntagRole",
        );
        ok(
            iam.put_role_policy()
                .role_name("orders-lambda")
                .policy_name("added-by-hand")
                .policy_document(INLINE_DOC)
                .send()
                .await,
            "PutRolePolicy",
        );
        ok(
            iam.detach_role_policy()
                .role_name("ops-breakglass")
                .policy_arn("arn:aws:iam::aws:policy/AdministratorAccess")
                .send()
                .await,
            "DetachRolePolicy",
        );
        ok(
            iam.delete_role().role_name("ops-breakglass").send().await,
            "DeleteRole",
        );
    });
    create_unowned_roles(moto, 1);
    let extra = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        extra.path().join("legacy.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: legacy-000\nspec:\n  \
         trust:\n    - service: ec2.amazonaws.com\n",
    )
    .expect("write manifest");
    extra
}

#[test]
fn plan_and_snapshot_make_only_read_calls() {
    let moto = applied_examples();
    let extra = drift_for_read_tests(&moto);
    let extra = arg(extra.path());
    let before = account_dump(&moto);

    let plan = plan_json(&moto, &[EXAMPLES, &extra]);
    assert_only_reads(&plan);
    assert!(
        !array(&plan, "steps").is_empty(),
        "the drift should need steps"
    );
    assert!(!array(&plan, "conflicts").is_empty());
    assert_same_dump(&before, &account_dump(&moto));

    let dir = tempfile::tempdir().expect("temp dir");
    let out = dir.path().join("acct.json");
    let r = run_live(&moto, &["snapshot", "--out", &arg(&out), "--stats"]).success();
    let written: Vec<&str> = support::WRITE_OPERATIONS
        .iter()
        .copied()
        .filter(|op| {
            r.stderr
                .split(|c: char| !c.is_ascii_alphanumeric())
                .any(|word| word == *op)
        })
        .collect();
    assert!(
        written.is_empty(),
        "snapshot --stats names write calls {written:?}:\n{}",
        r.stderr
    );
    assert!(
        r.stderr.contains("List") || r.stderr.contains("Get"),
        "snapshot --stats printed no call statistics on stderr:\n{}",
        r.stderr
    );
    let snapshot: Value =
        serde_json::from_str(&std::fs::read_to_string(&out).expect("snapshot file"))
            .expect("snapshot is JSON");
    assert_eq!(snapshot["accountId"], ACCOUNT_ID);
    assert!(snapshot["roles"]["legacy-000"].is_object(), "{snapshot:#}");
    assert_same_dump(&before, &account_dump(&moto));
}

#[test]
fn snapshot_plans_like_the_live_account() {
    let moto = applied_examples();
    let extra = drift_for_read_tests(&moto);
    let extra = arg(extra.path());

    let dir = tempfile::tempdir().expect("temp dir");
    let out = arg(&dir.path().join("acct.json"));
    run_live(&moto, &["snapshot", "--out", &out]).success();

    let live = plan_json(&moto, &[EXAMPLES, &extra]);
    let offline = run(
        &moto,
        &[
            "plan",
            EXAMPLES,
            &extra,
            "--snapshot",
            &out,
            "--format",
            "json",
        ],
    )
    .success()
    .json();
    assert!(!array(&live, "changes").is_empty());
    for key in ["changes", "conflicts", "steps"] {
        assert_eq!(
            live[key], offline[key],
            "`{key}` of the snapshot plan differs from the live plan"
        );
    }
}

#[test]
fn path_prefix_scopes_what_is_read_and_managed() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    let manifest = |name: &str, path: &str| {
        format!(
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: {name}\nspec:\n  path: {path}\n  trust:\n    - service: ec2.amazonaws.com\n"
        )
    };
    let inside = dir.path().join("inside.yaml");
    std::fs::write(&inside, manifest("app-web", "/app/")).unwrap();
    let inside = inside.to_str().unwrap();
    support::apply(&moto, &[inside]);
    // An owned role outside the prefix: invisible to a scoped run, so never pruned by it.
    let outside = dir.path().join("outside.yaml");
    std::fs::write(&outside, manifest("ops-tool", "/ops/")).unwrap();
    let outside = outside.to_str().unwrap();
    support::apply(&moto, &[outside]);

    let plan = support::run_live(
        &moto,
        &[
            "plan",
            inside,
            "--path-prefix",
            "/app/",
            "--prune",
            "--format",
            "json",
        ],
    )
    .success()
    .json();
    assert!(array(&plan, "changes").is_empty(), "{plan:#}");
    assert!(array(&plan, "steps").is_empty(), "{plan:#}");
    support::assert_only_reads(&plan);

    // A manifest outside the prefix is an error, and nothing is changed.
    let r = support::run_live(
        &moto,
        &[
            "apply",
            inside,
            outside,
            "--path-prefix",
            "/app/",
            "--auto-approve",
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("[outside-path-prefix]") || r.stderr.contains("outside --path-prefix"),
        "{}",
        r.stderr
    );
}
