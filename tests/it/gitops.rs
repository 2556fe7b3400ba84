//! The GitOps loop against moto through the real SDK: saved plans refused when stale and applied
//! exactly when not, drift for each kind of out-of-band change, `--unmanaged`, and the deletion
//! guards. Out-of-band changes use the real `aws-sdk-iam` client; `rolesmith` runs as a user
//! would.

use std::collections::BTreeMap;
use std::path::Path;

use aws_sdk_iam::types::Tag;
use serde_json::Value;

use crate::support::ec2::ok;
use crate::support::iam::{dump, stats_table, writes};
use crate::support::moto::Moto;
use crate::support::snapshot;
use crate::support::{arg, block_on, run_live};

const BOUNDARY: &str = "arn:aws:iam::aws:policy/ReadOnlyAccess";
const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;
const DOC: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:ListBucket","Resource":"*"}]}"#;

/// Two roles covering every attribute drift reports on.
fn manifests(dir: &Path, web_description: &str) {
    std::fs::write(
        dir.join("web.yaml"),
        format!(
            r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: web
spec:
  description: {web_description}
  trust:
    - service: lambda.amazonaws.com
  permissionsBoundary: {BOUNDARY}
  inlinePolicies:
    read-config:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: ssm:GetParameter
          Resource: "*"
  tags:
    team: web
"#
        ),
    )
    .expect("write web.yaml");
    std::fs::write(
        dir.join("batch.yaml"),
        r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: batch
spec:
  trust:
    - service: ec2.amazonaws.com
  managedPolicies:
    - aws:ReadOnlyAccess
  tags:
    team: data
"#,
    )
    .expect("write batch.yaml");
}

/// A server with the two roles applied, and the manifest dir.
fn applied() -> (Moto, tempfile::TempDir) {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    manifests(dir.path(), "serves the web app");
    run_live(&moto, &["apply", &arg(dir.path()), "--auto-approve"]).success();
    (moto, dir)
}

fn tag(key: &str, value: &str) -> Tag {
    Tag::builder().key(key).value(value).build().expect("tag")
}

// ---------------------------------------------------------------------------------------------
// Saved plans.
// ---------------------------------------------------------------------------------------------

#[test]
fn stale_saved_plan_is_refused_without_writes_and_a_fresh_one_applies_exactly() {
    let (moto, dir) = applied();
    // A manifest change to plan, saved.
    manifests(dir.path(), "serves the web app and the API");
    let out_dir = tempfile::tempdir().expect("temp dir");
    let saved = out_dir.path().join("plan.json");
    run_live(&moto, &["plan", &arg(dir.path()), "--out", &arg(&saved)]).success();

    // Someone edits the trust policy by hand.
    block_on(async {
        ok(
            moto.iam()
                .update_assume_role_policy()
                .role_name("web")
                .policy_document(EC2_TRUST)
                .send()
                .await,
            "UpdateAssumeRolePolicy",
        );
    });
    let before = dump(&moto);
    let r = run_live(&moto, &["apply", &arg(&saved), "--auto-approve", "--stats"]);
    assert_eq!(r.code, Some(1), "stale plan must fail:\n{}", r.stderr);
    assert!(
        r.stderr
            .contains("role web changed since the plan: trust policy edited"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("is stale"), "{}", r.stderr);
    let stats = stats_table(&r.stderr);
    assert!(
        stats.values().sum::<u64>() > 0,
        "the account was read: {stats:?}"
    );
    assert_eq!(writes(&stats), BTreeMap::new(), "no write call may be made");
    assert_eq!(before, dump(&moto), "the account changed");

    // A fresh plan of the same account is current: applied exactly, step for step.
    run_live(&moto, &["plan", &arg(dir.path()), "--out", &arg(&saved)]).success();
    let plan: Value =
        serde_json::from_str(&std::fs::read_to_string(&saved).expect("read plan")).expect("JSON");
    let mut expected: BTreeMap<String, u64> = BTreeMap::new();
    for step in plan["steps"].as_array().expect("steps") {
        let op = step["mutation"]["op"].as_str().expect("op");
        let op: String = op
            .split('_')
            .map(|w| {
                let mut c = w.chars();
                c.next()
                    .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
                    .unwrap_or_default()
            })
            .collect();
        *expected.entry(op).or_default() += 1;
    }
    assert_eq!(
        expected,
        BTreeMap::from([
            ("UpdateAssumeRolePolicy".to_owned(), 1),
            ("UpdateRole".to_owned(), 1)
        ]),
        "{plan:#}"
    );
    let r = run_live(&moto, &["apply", &arg(&saved), "--auto-approve", "--stats"]).success();
    assert!(
        r.stdout.contains("Apply complete: 2 step(s)"),
        "{}",
        r.stdout
    );
    assert_eq!(writes(&stats_table(&r.stderr)), expected);
    let r = run_live(&moto, &["plan", &arg(dir.path())]).success();
    assert!(r.stdout.contains("No changes"), "{}", r.stdout);

    // Applying the same saved plan again: the account moved (by the plan itself).
    let r = run_live(&moto, &["apply", &arg(&saved), "--auto-approve"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("role web changed since the plan"),
        "{}",
        r.stderr
    );
}

#[test]
fn saved_plan_is_refused_when_manifests_changed_or_without_approval() {
    let (moto, dir) = applied();
    manifests(dir.path(), "v2");
    let out = tempfile::tempdir().expect("temp dir");
    let saved = out.path().join("plan.json");
    run_live(&moto, &["plan", &arg(dir.path()), "--out", &arg(&saved)]).success();
    let before = dump(&moto);

    // No terminal, no --auto-approve: refused with a hint, nothing written.
    let r = run_live(&moto, &["apply", &arg(&saved), "--stats"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr
            .contains("hint: stdin is not a terminal; pass --auto-approve"),
        "{}",
        r.stderr
    );
    assert_eq!(before, dump(&moto));

    manifests(dir.path(), "v3");
    let r = run_live(&moto, &["apply", &arg(&saved), "--auto-approve", "--stats"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let web = dir.path().join("web.yaml");
    assert!(
        r.stderr.contains(&format!(
            "the manifests changed since {} was made (edited: {})",
            saved.display(),
            web.display()
        )),
        "{}",
        r.stderr
    );
    assert_eq!(before, dump(&moto));
}

// ---------------------------------------------------------------------------------------------
// Drift.
// ---------------------------------------------------------------------------------------------

/// `drift --format json`: the exit code and the (address, message, detail messages) of each
/// finding.
/// A finding as (address, message, detail messages).
type Found = (String, String, Vec<String>);

fn drift(moto: &Moto, dir: &Path) -> (Option<i32>, Vec<Found>) {
    let r = run_live(moto, &["drift", &arg(dir), "--format", "json"]);
    assert!(matches!(r.code, Some(0 | 2)), "drift failed:\n{}", r.stderr);
    let v = r.json();
    assert_eq!(
        v["format_version"],
        rolesmith::render::drift::FORMAT_VERSION
    );
    assert_eq!(v["drift"], r.code == Some(2));
    let findings = v["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .map(|f| {
            (
                format!(
                    "{}.{}",
                    f["address"]["type"].as_str().unwrap(),
                    f["address"]["name"].as_str().unwrap()
                ),
                f["message"].as_str().unwrap().to_owned(),
                f["details"]
                    .as_array()
                    .map(|d| {
                        d.iter()
                            .map(|x| x["message"].as_str().unwrap().to_owned())
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect();
    (r.code, findings)
}

#[test]
fn every_out_of_band_change_is_drift_with_the_right_finding() {
    let (moto, dir) = applied();
    let iam = moto.iam();
    assert_eq!(
        drift(&moto, dir.path()),
        (Some(0), vec![]),
        "freshly applied"
    );
    let r = run_live(&moto, &["drift", &arg(dir.path())]);
    // Under the line naming the account, region and endpoint.
    assert!(
        r.stdout
            .lines()
            .nth(1)
            .is_some_and(|l| l.starts_with("No drift")),
        "{}",
        r.stdout
    );

    type Change = Box<dyn Fn(&aws_sdk_iam::Client)>;
    let cases: Vec<(&str, Change, &str, &str)> = vec![
        (
            "inline policy added",
            Box::new(|iam| {
                block_on(async {
                    ok(
                        iam.put_role_policy()
                            .role_name("web")
                            .policy_name("extra")
                            .policy_document(DOC)
                            .send()
                            .await,
                        "PutRolePolicy",
                    );
                })
            }),
            "role.web",
            "inline policy extra added outside rolesmith",
        ),
        (
            "managed policy attached",
            Box::new(|iam| {
                block_on(async {
                    ok(
                        iam.attach_role_policy()
                            .role_name("web")
                            .policy_arn("arn:aws:iam::aws:policy/SecurityAudit")
                            .send()
                            .await,
                        "AttachRolePolicy",
                    );
                })
            }),
            "role.web",
            "managed policy arn:aws:iam::aws:policy/SecurityAudit attached outside rolesmith",
        ),
        (
            "tag added",
            Box::new(|iam| {
                block_on(async {
                    ok(
                        iam.tag_role()
                            .role_name("batch")
                            .tags(tag("cost-center", "cc-1"))
                            .send()
                            .await,
                        "TagRole",
                    );
                })
            }),
            "role.batch",
            "tag cost-center=cc-1 added outside rolesmith",
        ),
        (
            "tag changed",
            Box::new(|iam| {
                block_on(async {
                    ok(
                        iam.tag_role()
                            .role_name("batch")
                            .tags(tag("team", "ops"))
                            .send()
                            .await,
                        "TagRole",
                    );
                })
            }),
            "role.batch",
            r#"tag team changed from "data" to "ops" outside rolesmith"#,
        ),
        (
            "trust edited",
            Box::new(|iam| {
                block_on(async {
                    ok(
                        iam.update_assume_role_policy()
                            .role_name("web")
                            .policy_document(EC2_TRUST)
                            .send()
                            .await,
                        "UpdateAssumeRolePolicy",
                    );
                })
            }),
            "role.web",
            "trust policy edited outside rolesmith",
        ),
        (
            "boundary removed",
            Box::new(|iam| {
                block_on(async {
                    ok(
                        iam.delete_role_permissions_boundary()
                            .role_name("web")
                            .send()
                            .await,
                        "DeleteRolePermissionsBoundary",
                    );
                })
            }),
            "role.web",
            "permissions boundary arn:aws:iam::aws:policy/ReadOnlyAccess removed outside rolesmith",
        ),
        (
            "description changed",
            Box::new(|iam| {
                block_on(async {
                    ok(
                        iam.update_role_description()
                            .role_name("web")
                            .description("edited in the console")
                            .send()
                            .await,
                        "UpdateRoleDescription",
                    );
                })
            }),
            "role.web",
            r#"description changed from "serves the web app" to "edited in the console" outside rolesmith"#,
        ),
    ];
    for (name, change, address, detail) in cases {
        change(&iam);
        let (code, findings) = drift(&moto, dir.path());
        assert_eq!(code, Some(2), "{name}: {findings:#?}");
        assert_eq!(findings.len(), 1, "{name}: {findings:#?}");
        let (a, message, details) = &findings[0];
        assert_eq!(a, address, "{name}");
        assert!(
            message.ends_with("was changed outside rolesmith"),
            "{name}: {message}"
        );
        assert_eq!(details, &[detail.to_owned()], "{name}");
        // Put it back; no drift.
        run_live(&moto, &["apply", &arg(dir.path()), "--auto-approve"]).success();
        assert_eq!(
            drift(&moto, dir.path()),
            (Some(0), vec![]),
            "{name}: reverted"
        );
    }

    // A role deleted by hand.
    block_on(async {
        ok(
            iam.detach_role_policy()
                .role_name("batch")
                .policy_arn(BOUNDARY)
                .send()
                .await,
            "DetachRolePolicy",
        );
        ok(
            iam.delete_role().role_name("batch").send().await,
            "DeleteRole",
        );
    });
    let (code, findings) = drift(&moto, dir.path());
    assert_eq!(code, Some(2));
    assert_eq!(
        findings,
        [(
            "role.batch".to_owned(),
            "role batch is declared but does not exist in the account (deleted outside rolesmith?)"
                .to_owned(),
            vec![]
        )]
    );

    // Markdown for an issue body says the same.
    let r = run_live(&moto, &["drift", &arg(dir.path()), "--format", "markdown"]);
    assert_eq!(r.code, Some(2));
    assert!(
        r.stdout
            .starts_with("### rolesmith drift report for account `123456789012`"),
        "{}",
        r.stdout
    );
    assert!(
        r.stdout
            .contains("- **`role.batch`** role batch is declared but does not exist"),
        "{}",
        r.stdout
    );
}

#[test]
fn unmanaged_lists_exactly_the_undeclared_roles() {
    let (moto, dir) = applied();
    let iam = moto.iam();
    block_on(async {
        for (name, path) in [
            ("hand-made", "/"),
            ("legacy-app", "/legacy/"),
            (
                "AWSReservedSSO_Admin_0123",
                "/aws-reserved/sso.amazonaws.com/",
            ),
        ] {
            ok(
                iam.create_role()
                    .role_name(name)
                    .path(path)
                    .assume_role_policy_document(EC2_TRUST)
                    .send()
                    .await,
                "CreateRole",
            );
        }
        ok(
            iam.create_service_linked_role()
                .aws_service_name("autoscaling.amazonaws.com")
                .send()
                .await,
            "CreateServiceLinkedRole",
        );
    });
    // Without --unmanaged, hand-made roles are not drift.
    assert_eq!(drift(&moto, dir.path()), (Some(0), vec![]));

    let r = run_live(
        &moto,
        &["drift", &arg(dir.path()), "--unmanaged", "--format", "json"],
    );
    assert_eq!(r.code, Some(2), "{}", r.stderr);
    let names = |v: &Value| -> Vec<String> {
        v["unmanaged"]
            .as_array()
            .expect("unmanaged")
            .iter()
            .map(|r| r["name"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(names(&r.json()), ["hand-made", "legacy-app"]);
    assert!(r.json()["findings"].as_array().unwrap().is_empty());

    let r = run_live(
        &moto,
        &[
            "drift",
            &arg(dir.path()),
            "--unmanaged",
            "--include-reserved",
            "--format",
            "json",
        ],
    );
    let mut all = names(&r.json());
    all.sort();
    assert_eq!(
        all,
        [
            "AWSReservedSSO_Admin_0123",
            "AWSServiceRoleForAutoScaling",
            "hand-made",
            "legacy-app"
        ]
    );

    let r = run_live(&moto, &["drift", &arg(dir.path()), "--unmanaged"]);
    assert!(
        r.stdout.contains("2 role(s) are declared by no manifest"),
        "{}",
        r.stdout
    );
}

// ---------------------------------------------------------------------------------------------
// Deletion guards.
// ---------------------------------------------------------------------------------------------

fn role_manifest(dir: &Path, name: &str) {
    std::fs::write(
        dir.join(format!("{name}.yaml")),
        format!(
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: {name}\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n"
        ),
    )
    .expect("write manifest");
}

fn role_names(moto: &Moto) -> Vec<String> {
    let iam = moto.iam();
    block_on(async {
        ok(iam.list_roles().send().await, "ListRoles")
            .roles()
            .iter()
            .map(|r| r.role_name().to_owned())
            .collect()
    })
}

#[test]
fn prune_guard_refuses_too_many_deletions_and_empty_manifests() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    role_manifest(dir.path(), "keeper");
    for i in 0..11 {
        role_manifest(dir.path(), &format!("temp-{i:02}"));
    }
    run_live(&moto, &["apply", &arg(dir.path()), "--auto-approve"]).success();
    assert_eq!(role_names(&moto).len(), 12);
    for i in 0..11 {
        std::fs::remove_file(dir.path().join(format!("temp-{i:02}.yaml"))).expect("rm");
    }

    // Default guard: 10.
    let r = run_live(&moto, &["plan", &arg(dir.path()), "--prune"]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    insta::assert_snapshot!("prune-guard-refuses-11-deletions", snapshot::render(&r));
    let r = run_live(
        &moto,
        &[
            "apply",
            &arg(dir.path()),
            "--prune",
            "--auto-approve",
            "--stats",
        ],
    );
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert_eq!(role_names(&moto).len(), 12, "nothing deleted");

    // Raised: done.
    let r = run_live(
        &moto,
        &[
            "apply",
            &arg(dir.path()),
            "--prune",
            "--max-deletions",
            "20",
            "--auto-approve",
        ],
    )
    .success();
    assert!(r.stdout.contains("11 destroyed"), "{}", r.stdout);
    assert_eq!(role_names(&moto), ["keeper"]);

    // Deletions are listed first in the plan.
    role_manifest(dir.path(), "newcomer");
    std::fs::remove_file(dir.path().join("keeper.yaml")).expect("rm");
    let r = run_live(&moto, &["plan", &arg(dir.path()), "--prune"]).success();
    let del = r
        .stdout
        .find("- role.keeper will be destroyed")
        .expect(&r.stdout);
    let add = r
        .stdout
        .find("+ role.newcomer will be created")
        .expect(&r.stdout);
    assert!(del < add, "{}", r.stdout);

    // No manifests at all with prune: refused before anything is read; allowed explicitly.
    let empty = tempfile::tempdir().expect("temp dir");
    let r = run_live(
        &moto,
        &["apply", &arg(empty.path()), "--prune", "--auto-approve"],
    );
    assert_eq!(r.code, Some(1));
    insta::assert_snapshot!("prune-refused-without-manifests", snapshot::render(&r));
    assert_eq!(role_names(&moto), ["keeper"]);
    let r = run_live(
        &moto,
        &[
            "plan",
            &arg(empty.path()),
            "--prune",
            "--allow-empty",
            "--format",
            "json",
        ],
    )
    .success();
    assert_eq!(r.json()["summary"]["destroy"], 1);
}
