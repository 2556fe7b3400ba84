//! Many accounts from one manifest set (issue 15) against moto 5.2.5, which implements
//! Organizations (OUs, account tags) and AssumeRole into member accounts, each with its own IAM:
//! an organization of a management account and 20 members in 3 OUs, manifests placed by name,
//! OU and tag with account variables, applied, read back account by account, planned again
//! (empty), drift in one account only, and an account whose role cannot be assumed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use aws_sdk_organizations::types::Tag;

use crate::support::moto::{ACCOUNT_ID, Moto};
use crate::support::proxy::{Fault, Proxy, iam_error};
use crate::support::{Run, block_on, finish, rolesmith};

/// The organization: member accounts by name → (id, OU, team tag).
struct Org {
    members: BTreeMap<String, (String, &'static str, &'static str)>,
}

fn ok<T, E: std::error::Error>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| {
        panic!(
            "{what}: {}",
            aws_smithy_types::error::display::DisplayErrorContext(&e)
        )
    })
}

/// 20 members: 8 in /prod, 8 in /dev, 4 in /sandbox; teams alternate.
fn organization(moto: &Moto) -> Org {
    let org = aws_sdk_organizations::Client::new(&moto.sdk_config());
    block_on(async {
        ok(
            org.create_organization()
                .feature_set(aws_sdk_organizations::types::OrganizationFeatureSet::All)
                .send()
                .await,
            "CreateOrganization",
        );
        let roots = ok(org.list_roots().send().await, "ListRoots");
        let root = roots.roots()[0].id().expect("root id").to_owned();
        let mut ous = BTreeMap::new();
        for name in ["prod", "dev", "sandbox"] {
            let ou = ok(
                org.create_organizational_unit()
                    .parent_id(&root)
                    .name(name)
                    .send()
                    .await,
                "CreateOrganizationalUnit",
            );
            ous.insert(
                name,
                ou.organizational_unit()
                    .and_then(|o| o.id())
                    .expect("ou id")
                    .to_owned(),
            );
        }
        let mut members = BTreeMap::new();
        for i in 0..20 {
            let ou = match i {
                0..8 => "prod",
                8..16 => "dev",
                _ => "sandbox",
            };
            let team = if i % 2 == 0 { "payments" } else { "search" };
            let name = format!("{ou}-{i:02}");
            let created = ok(
                org.create_account()
                    .account_name(&name)
                    .email(format!("{name}@example.com"))
                    .send()
                    .await,
                "CreateAccount",
            );
            let id = created
                .create_account_status()
                .and_then(|s| s.account_id())
                .expect("account id")
                .to_owned();
            ok(
                org.move_account()
                    .account_id(&id)
                    .source_parent_id(&root)
                    .destination_parent_id(&ous[ou])
                    .send()
                    .await,
                "MoveAccount",
            );
            ok(
                org.tag_resource()
                    .resource_id(&id)
                    .tags(Tag::builder().key("team").value(team).build().expect("tag"))
                    .send()
                    .await,
                "TagResource",
            );
            members.insert(name, (id, ou, team));
        }
        Org { members }
    })
}

const CONFIG: &str = r#"paths = ["m"]

[accounts]
source = "organizations"
assume_role = "OrganizationAccountAccessRole"
"#;

/// The manifests: `deploy` in /prod and /dev but not dev-09, named after the account's team;
/// `audit` everywhere (the default set), tagged `tier: critical` in /prod by an override;
/// `sandbox-admin` in the sandbox OU by tag and OU.
const MANIFESTS: &str = r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: deploy
accounts:
  include: ["ou:/prod", "ou:/dev"]
  exclude: [dev-09]
spec:
  description: Deploys ${account.name} for team ${account.tags.team}
  trust:
    - service: ec2.amazonaws.com
  tags:
    team: ${account.tags.team}
---
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: audit
overrides:
  - accounts: {include: ["ou:/prod"]}
    spec:
      tags: {tier: critical}
spec:
  trust:
    - account: "123456789012"
      externalId: audit-2026
---
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: sandbox-admin
accounts:
  include: ["ou:/sandbox"]
  exclude: ["tag:team=search"]
spec:
  trust:
    - service: lambda.amazonaws.com
"#;

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("rolesmith.toml"), CONFIG).expect("config");
    std::fs::create_dir(dir.path().join("m")).expect("m");
    std::fs::write(dir.path().join("m/roles.yaml"), MANIFESTS).expect("manifests");
    dir
}

fn run_in(moto: &Moto, dir: &Path, endpoint: &str, args: &[&str]) -> Run {
    let mut cmd = rolesmith(moto);
    cmd.current_dir(dir);
    let mut all = args.to_vec();
    all.extend(["--endpoint-url", endpoint]);
    finish(cmd, &all, "")
}

/// An IAM client in `account_id`: the caller's own, or a session of the member's access role.
fn member_iam(moto: &Moto, account_id: &str) -> aws_sdk_iam::Client {
    let config = moto.sdk_config();
    if account_id == ACCOUNT_ID {
        return aws_sdk_iam::Client::new(&config);
    }
    let sts = aws_sdk_sts::Client::new(&config);
    let out = block_on(
        sts.assume_role()
            .role_arn(format!(
                "arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
            ))
            .role_session_name("test")
            .send(),
    )
    .expect("AssumeRole");
    let c = out.credentials().expect("credentials");
    let creds = aws_sdk_iam::config::Credentials::new(
        c.access_key_id(),
        c.secret_access_key(),
        Some(c.session_token().to_owned()),
        None,
        "test",
    );
    aws_sdk_iam::Client::from_conf(
        aws_sdk_iam::config::Builder::from(&config)
            .credentials_provider(creds)
            .build(),
    )
}

/// The roles of `account_id` (but its access role), read through a session of that role.
fn roles_in(
    moto: &Moto,
    account_id: &str,
) -> BTreeMap<String, (Option<String>, BTreeMap<String, String>)> {
    let iam = member_iam(moto, account_id);
    block_on(async {
        let listed = ok(iam.list_roles().send().await, "ListRoles");
        let mut out = BTreeMap::new();
        // The access role moto creates in each member is the organization's, not the set's.
        for r in listed
            .roles()
            .iter()
            .filter(|r| r.role_name() != "OrganizationAccountAccessRole")
        {
            let tags = ok(
                iam.list_role_tags().role_name(r.role_name()).send().await,
                "ListRoleTags",
            );
            out.insert(
                r.role_name().to_owned(),
                (
                    r.description().map(str::to_owned),
                    tags.tags()
                        .iter()
                        .map(|t| (t.key().to_owned(), t.value().to_owned()))
                        .collect(),
                ),
            );
        }
        out
    })
}

/// What the targeting says each account holds.
fn expected(name: &str, ou: &str, team: &str) -> BTreeSet<&'static str> {
    let mut want = BTreeSet::from(["audit"]);
    if (ou == "prod" || ou == "dev") && name != "dev-09" {
        want.insert("deploy");
    }
    if ou == "sandbox" && team != "search" {
        want.insert("sandbox-admin");
    }
    want
}

#[test]
fn an_organization_applies_as_its_targeting_says_and_replans_empty() {
    let moto = Moto::start();
    let org = organization(&moto);
    let dir = project();

    let listed = run_in(&moto, dir.path(), &moto.endpoint, &["accounts"]);
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert!(
        listed.stdout.contains("prod-00") && listed.stdout.contains("/sandbox"),
        "{}",
        listed.stdout
    );

    let applied = run_in(
        &moto,
        dir.path(),
        &moto.endpoint,
        &["apply", "--auto-approve"],
    );
    assert_eq!(
        applied.code,
        Some(0),
        "{}\n{}",
        applied.stdout,
        applied.stderr
    );
    for (name, (id, ou, team)) in &org.members {
        let roles = roles_in(&moto, id);
        let names: BTreeSet<&str> = roles.keys().map(String::as_str).collect();
        assert_eq!(names, expected(name, ou, team), "account {name} ({id})");
        if let Some((description, tags)) = roles.get("deploy") {
            assert_eq!(
                description.as_deref(),
                Some(format!("Deploys {name} for team {team}").as_str())
            );
            assert_eq!(tags.get("team").map(String::as_str), Some(*team));
        }
        let (_, audit_tags) = &roles["audit"];
        assert_eq!(
            audit_tags.get("tier").map(String::as_str),
            (*ou == "prod").then_some("critical"),
            "the override lands in /prod only: {name}"
        );
    }
    // The management account is in the inventory too (the caller's own, entered directly).
    assert!(roles_in(&moto, ACCOUNT_ID).contains_key("audit"));

    let plan = run_in(
        &moto,
        dir.path(),
        &moto.endpoint,
        &["plan", "--format", "json", "--detailed-exitcode"],
    );
    assert_eq!(plan.code, Some(0), "{}\n{}", plan.stdout, plan.stderr);
    let plan = plan.json();
    let accounts = plan["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 21);
    assert!(
        accounts
            .iter()
            .all(|a| a["plan"]["steps"].as_array().is_some_and(Vec::is_empty)),
        "{plan:#}"
    );

    // The organisation captured into a snapshot folder plans offline: the same 21 accounts,
    // no changes, no call to AWS (the inventory comes from the folder's accounts.json).
    let snap = dir.path().join("snap");
    let captured = run_in(
        &moto,
        dir.path(),
        &moto.endpoint,
        &["snapshot", "--out", snap.to_str().expect("utf-8")],
    );
    assert_eq!(captured.code, Some(0), "{}", captured.stderr);
    assert!(snap.join("accounts.json").is_file());
    let offline_plan = {
        let mut cmd = crate::support::offline();
        cmd.current_dir(dir.path());
        finish(cmd, &["plan", "--snapshot", "snap", "--format", "json"], "")
    };
    assert_eq!(offline_plan.code, Some(0), "{}", offline_plan.stderr);
    let offline_plan = offline_plan.json();
    let planned = offline_plan["accounts"].as_array().expect("accounts");
    assert_eq!(planned.len(), 21, "{offline_plan:#}");
    assert!(
        planned
            .iter()
            .all(|a| a["plan"]["steps"].as_array().is_some_and(Vec::is_empty)),
        "{offline_plan:#}"
    );

    // Imported back from all 21 accounts: one manifest per role, with `accounts:` and
    // `overrides:` where the accounts differ, which plans empty in every account.
    let imported = run_in(
        &moto,
        dir.path(),
        &moto.endpoint,
        &["import", "--out", "imported"],
    );
    assert_eq!(imported.code, Some(0), "{}", imported.stderr);
    assert!(
        imported.stderr.contains("Imported from 21 account(s)."),
        "{}",
        imported.stderr
    );
    let deploy = std::fs::read_to_string(dir.path().join("imported/deploy.yaml"))
        .expect("one manifest for deploy");
    assert!(
        deploy.contains("accounts:") && deploy.contains("${account.name}"),
        "{deploy}"
    );
    let round_trip = run_in(
        &moto,
        dir.path(),
        &moto.endpoint,
        &["plan", "imported", "--format", "json"],
    );
    assert_eq!(round_trip.code, Some(0), "{}", round_trip.stderr);
    let round_trip = round_trip.json();
    let accounts = round_trip["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), 21);
    for a in accounts {
        assert_eq!(
            a["plan"]["steps"].as_array().map(Vec::len),
            Some(0),
            "the import plans changes in {}: {:#}",
            a["name"],
            a["plan"]["changes"]
        );
    }

    // By hand, in one account: a tag on its deploy role. Drift names that account only.
    let (victim_id, _, _) = &org.members["prod-03"];
    let drift_before = run_in(
        &moto,
        dir.path(),
        &moto.endpoint,
        &["drift", "--format", "json"],
    );
    assert_eq!(drift_before.code, Some(0), "{}", drift_before.stderr);
    tag_by_hand(&moto, victim_id);
    let drift = run_in(
        &moto,
        dir.path(),
        &moto.endpoint,
        &["drift", "--format", "json"],
    );
    assert_eq!(drift.code, Some(2), "{}\n{}", drift.stdout, drift.stderr);
    let drift = drift.json();
    let drifted: Vec<&str> = drift["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter(|a| {
            a["drift"]["findings"]
                .as_array()
                .is_some_and(|f| !f.is_empty())
        })
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(drifted, ["prod-03"], "{drift:#}");
}

fn tag_by_hand(moto: &Moto, account_id: &str) {
    let iam = member_iam(moto, account_id);
    block_on(
        iam.tag_role()
            .role_name("deploy")
            .tags(
                aws_sdk_iam::types::Tag::builder()
                    .key("owner")
                    .value("someone")
                    .build()
                    .expect("tag"),
            )
            .send(),
    )
    .expect("TagRole by hand");
}

#[test]
fn an_account_whose_role_cannot_be_assumed_fails_alone() {
    let moto = Moto::start();
    let org = organization(&moto);
    let dir = project();
    let proxy = Proxy::start(&moto.endpoint);
    // The first AssumeRole (accounts run one at a time, in name order: dev-08 first) is denied.
    proxy.inject(
        "AssumeRole",
        Fault {
            status: 403,
            body: iam_error(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: sts:AssumeRole",
            ),
            times: 1,
        },
    );
    let applied = run_in(
        &moto,
        dir.path(),
        &proxy.endpoint,
        &["apply", "--auto-approve", "--account-parallelism", "1"],
    );
    assert_eq!(
        applied.code,
        Some(1),
        "{}\n{}",
        applied.stdout,
        applied.stderr
    );
    let denied = "dev-08";
    assert!(
        applied.stdout.contains(&format!("error: AssumeRole on role arn:aws:iam::{}:role/OrganizationAccountAccessRole failed: AccessDenied", org.members[denied].0)),
        "{}",
        applied.stdout
    );
    assert!(
        applied.stdout.contains("Accounts: 20 planned, 1 failed."),
        "{}",
        applied.stdout
    );
    for (name, (id, ou, team)) in &org.members {
        let names: BTreeSet<String> = roles_in(&moto, id).into_keys().collect();
        if name == denied {
            assert!(names.is_empty(), "{name}: {names:?}");
        } else {
            let want: BTreeSet<String> = expected(name, ou, team)
                .into_iter()
                .map(str::to_owned)
                .collect();
            assert_eq!(names, want, "{name}");
        }
    }
}

#[test]
fn kill_9_during_an_organization_apply_and_the_rerun_converges_everywhere() {
    let moto = Moto::start();
    let org = organization(&moto);
    let dir = project();
    for (point, delay) in [(1, 400u64), (2, 1200), (3, 2500)] {
        // Each point changes every deploy role (its description), so the killed apply has work.
        std::fs::write(
            dir.path().join("m/roles.yaml"),
            MANIFESTS.replace(
                "Deploys ${account.name}",
                &format!("Deploys (v{point}) ${{account.name}}"),
            ),
        )
        .expect("manifests");
        let mut cmd = crate::support::command_for(env!("CARGO_BIN_EXE_rolesmith"), &moto);
        cmd.current_dir(dir.path())
            .args(["apply", "--auto-approve", "--endpoint-url", &moto.endpoint])
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null());
        let mut child = cmd.spawn().expect("spawn apply");
        std::thread::sleep(std::time::Duration::from_millis(delay));
        // SIGKILL: no destructor, no flush.
        let _ = child.kill();
        let _ = child.wait();
        let rerun = run_in(
            &moto,
            dir.path(),
            &moto.endpoint,
            &["apply", "--auto-approve"],
        );
        assert_eq!(
            rerun.code,
            Some(0),
            "point {point}: {}\n{}",
            rerun.stdout,
            rerun.stderr
        );
        for (name, (id, ou, team)) in &org.members {
            let roles = roles_in(&moto, id);
            let names: BTreeSet<&str> = roles.keys().map(String::as_str).collect();
            assert_eq!(names, expected(name, ou, team), "point {point}: {name}");
            if let Some((description, _)) = roles.get("deploy") {
                assert_eq!(
                    description.as_deref(),
                    Some(format!("Deploys (v{point}) {name} for team {team}").as_str()),
                    "point {point}: {name}"
                );
            }
        }
        let plan = run_in(
            &moto,
            dir.path(),
            &moto.endpoint,
            &["plan", "--detailed-exitcode"],
        );
        assert_eq!(plan.code, Some(0), "point {point}: {}", plan.stdout);
    }
}
