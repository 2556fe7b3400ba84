//! A fleet of generated roles for the robustness tests (`faults.rs`, `interrupts.rs`): manifests
//! of N roles (trust, inline policies, tags, some managed policies, some instance profiles bound
//! to the EC2 instances tagged with the role's name), optionally churning from one generation to
//! the next, and the checks that the account read back through the SDK holds exactly them.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::process::Stdio;

use super::ec2::{associations, launch, ok};
use super::moto::Moto;
use super::{arg, block_on, run};

/// AWS managed policies moto loads (`MOTO_IAM_LOAD_MANAGED_POLICIES`).
pub const MANAGED: [&str; 3] = ["ReadOnlyAccess", "SecurityAudit", "AmazonS3ReadOnlyAccess"];

/// The instance tag whose value names the role whose profile the instance should carry.
pub const BIND_TAG: &str = "chaos-role";

/// What one role should look like in the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expected {
    pub managed: BTreeSet<String>,
    pub inline: BTreeSet<String>,
    pub tags: BTreeMap<String, String>,
    pub profile: bool,
}

/// One role as read back from the account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actual {
    pub managed: BTreeSet<String>,
    pub inline: BTreeSet<String>,
    pub tags: BTreeMap<String, String>,
}

/// Writes `n` role manifests of generation `generation` (100 a file) into `dir`, replacing the
/// YAML files there; returns what the account should hold afterwards. With `churn`, each
/// generation drops a fifth of the roles (a different fifth each time) and moves profiles,
/// managed policies, inline documents and tags around, so consecutive generations differ in
/// every kind of step (create, update, teardown, delete).
pub fn generate(
    dir: &Path,
    n: usize,
    generation: usize,
    churn: bool,
) -> BTreeMap<String, Expected> {
    for entry in std::fs::read_dir(dir).expect("read manifest dir") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "yaml") {
            std::fs::remove_file(path).expect("remove old manifest");
        }
    }
    let g = if churn { generation } else { 0 };
    let mut expected = BTreeMap::new();
    let mut docs = Vec::new();
    for i in 0..n {
        if churn && (i + g) % 5 == 0 {
            continue;
        }
        let name = format!("chaos-{i:04}");
        let trust = if i % 2 == 0 {
            "    - service: ec2.amazonaws.com\n".to_owned()
        } else {
            "    - account: \"210987654321\"\n      externalId: ext-{i}\n"
                .replace("{i}", &i.to_string())
        };
        // Without churn, a sixth of the roles get a managed policy and another sixth a
        // profile: enough of each, while keeping the first apply under ~800 calls (under
        // throttling the SDK's adaptive mode sends ~20 requests a second).
        let managed: BTreeSet<String> = match (i + g) % if churn { 4 } else { 6 } {
            0 => [MANAGED[(i / 6 + g) % 3]].into(),
            1 if churn && i % 3 == 0 => [MANAGED[0], MANAGED[1]].into(),
            _ => BTreeSet::new(),
        }
        .into_iter()
        .map(|m| m.to_owned())
        .collect();
        let profile = if churn { (i + g) % 3 == 0 } else { i % 6 == 3 };
        let mut inline: BTreeSet<String> = ["read-objects".to_owned()].into();
        if churn && (i + g) % 2 == 0 {
            inline.insert("write-logs".to_owned());
        }
        let mut tags: BTreeMap<String, String> = [
            ("team".to_owned(), format!("team-{}", i % 7)),
            ("index".to_owned(), i.to_string()),
            ("generation".to_owned(), g.to_string()),
        ]
        .into();
        let mut doc = format!(
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: {name}\nspec:\n  \
             description: Fault-test role {i}\n  trust:\n{trust}"
        );
        if !managed.is_empty() {
            doc.push_str("  managedPolicies:\n");
            for m in &managed {
                doc.push_str(&format!("    - aws:{m}\n"));
            }
        }
        doc.push_str(&format!(
            "  inlinePolicies:\n    read-objects:\n      Version: \"2012-10-17\"\n      \
             Statement:\n        - Effect: Allow\n          Action: s3:GetObject\n          \
             Resource: arn:aws:s3:::bucket-{i}-g{g}/*\n"
        ));
        if inline.contains("write-logs") {
            doc.push_str(
                "    write-logs:\n      Version: \"2012-10-17\"\n      Statement:\n        \
                 - Effect: Allow\n          Action:\n            - logs:CreateLogStream\n            \
                 - logs:PutLogEvents\n          Resource: arn:aws:logs:*:*:log-group:app-*\n",
            );
        }
        doc.push_str("  tags:\n");
        for (k, v) in &tags {
            doc.push_str(&format!("    {k}: \"{v}\"\n"));
        }
        if profile {
            // The profile goes to the instances tagged with the role's name, if any.
            doc.push_str(&format!(
                "  instanceProfile: true\n  ec2:\n    selector:\n      tags:\n        \
                 {BIND_TAG}: {name}\n"
            ));
        }
        docs.push(doc);
        tags.insert("managed-by".to_owned(), "rolesmith".to_owned());
        let managed = managed
            .into_iter()
            .map(|m| format!("arn:aws:iam::aws:policy/{m}"))
            .collect();
        expected.insert(
            name,
            Expected {
                managed,
                inline,
                tags,
                profile,
            },
        );
    }
    for (chunk, docs) in docs.chunks(100).enumerate() {
        std::fs::write(
            dir.join(format!("roles-{chunk:02}.yaml")),
            docs.join("---\n"),
        )
        .expect("write manifests");
    }
    expected
}

/// Every role (with its attachments, inline policy names and tags) and every instance profile
/// (with the roles it holds), straight from moto through the SDK.
pub fn read_account(moto: &Moto) -> (BTreeMap<String, Actual>, BTreeMap<String, Vec<String>>) {
    let iam = moto.iam();
    block_on(async {
        let details = ok(
            iam.get_account_authorization_details()
                .filter(aws_sdk_iam::types::EntityType::Role)
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await,
            "GetAccountAuthorizationDetails",
        );
        let mut roles = BTreeMap::new();
        for page in &details {
            for role in page.role_detail_list() {
                let name = role.role_name().unwrap_or_default().to_owned();
                let actual = Actual {
                    managed: role
                        .attached_managed_policies()
                        .iter()
                        .filter_map(|p| p.policy_arn().map(str::to_owned))
                        .collect(),
                    inline: role
                        .role_policy_list()
                        .iter()
                        .filter_map(|p| p.policy_name().map(str::to_owned))
                        .collect(),
                    tags: role
                        .tags()
                        .iter()
                        .map(|t| (t.key().to_owned(), t.value().to_owned()))
                        .collect(),
                };
                assert!(
                    roles.insert(name.clone(), actual).is_none(),
                    "role {name} listed twice"
                );
            }
        }
        let pages = ok(
            iam.list_instance_profiles()
                .into_paginator()
                .send()
                .collect::<Result<Vec<_>, _>>()
                .await,
            "ListInstanceProfiles",
        );
        let mut profiles = BTreeMap::new();
        for page in &pages {
            for p in page.instance_profiles() {
                let name = p.instance_profile_name().to_owned();
                let held = p.roles().iter().map(|r| r.role_name().to_owned()).collect();
                assert!(
                    profiles.insert(name.clone(), held).is_none(),
                    "instance profile {name} listed twice"
                );
            }
        }
        (roles, profiles)
    })
}

/// Launches one instance tagged for each of `roles`; returns instance id → role name.
pub fn launch_for(
    moto: &Moto,
    roles: impl IntoIterator<Item = String>,
) -> BTreeMap<String, String> {
    roles
        .into_iter()
        .map(|role| {
            let id = launch(moto, 1, &[(BIND_TAG, &role)]).remove(0);
            (id, role)
        })
        .collect()
}

/// The account holds exactly the expected roles and profiles: nothing missing, nothing extra,
/// every profile holding its role and only it; and each of `instances` (id → the role it is
/// tagged for) carries that role's profile exactly when the role has one.
pub fn assert_account_matches(
    moto: &Moto,
    expected: &BTreeMap<String, Expected>,
    instances: &BTreeMap<String, String>,
    when: &str,
) {
    let (roles, profiles) = read_account(moto);
    let want_roles: BTreeSet<&String> = expected.keys().collect();
    let have_roles: BTreeSet<&String> = roles.keys().collect();
    assert_eq!(
        have_roles.difference(&want_roles).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "{when}: roles no manifest declares (orphans)"
    );
    assert_eq!(
        want_roles.difference(&have_roles).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "{when}: declared roles missing"
    );
    for (name, want) in expected {
        let have = &roles[name];
        assert_eq!(
            (&have.managed, &have.inline, &have.tags),
            (&want.managed, &want.inline, &want.tags),
            "{when}: role {name} differs (managed, inline, tags)"
        );
    }
    let want_profiles: BTreeMap<String, Vec<String>> = expected
        .iter()
        .filter(|(_, e)| e.profile)
        .map(|(n, _)| (n.clone(), vec![n.clone()]))
        .collect();
    assert_eq!(
        profiles, want_profiles,
        "{when}: instance profiles (name → roles held) differ from the manifests"
    );
    let want_bound: BTreeMap<String, String> = instances
        .iter()
        .filter(|(_, role)| expected.get(*role).is_some_and(|e| e.profile))
        .map(|(id, role)| (id.clone(), role.clone()))
        .collect();
    let bound: BTreeMap<String, String> = associations(moto)
        .into_iter()
        .filter(|(id, _)| instances.contains_key(id))
        .collect();
    assert_eq!(
        bound, want_bound,
        "{when}: instance → profile associations differ from the manifests"
    );
}

/// `rolesmith plan DIR` through `endpoint`; asserts it succeeds and says "No changes".
pub fn assert_no_changes(moto: &Moto, endpoint: &str, dir: &Path, when: &str) {
    let r = run(moto, &["plan", &arg(dir), "--endpoint-url", endpoint]).success();
    assert!(
        r.stdout.contains("No changes"),
        "{when}: plan still has changes:\n{}",
        r.stdout
    );
}

/// `rolesmith ARGS` as a child process with the server's environment, output discarded or
/// piped.
pub fn spawn(moto: &Moto, args: &[&str], piped: bool) -> std::process::Child {
    let mut cmd = super::command_for(env!("CARGO_BIN_EXE_rolesmith"), moto);
    cmd.args(args);
    if piped {
        cmd.stdout(Stdio::piped()).stderr(Stdio::piped());
    } else {
        cmd.stdout(Stdio::null()).stderr(Stdio::null());
    }
    cmd.spawn().expect("spawn rolesmith")
}

/// The apply arguments for a churned generation: deletions are part of it.
pub fn apply_args<'a>(manifests: &'a str, endpoint: &'a str) -> Vec<&'a str> {
    vec![
        "apply",
        manifests,
        "--auto-approve",
        "--prune",
        "--max-deletions",
        "1000",
        "--endpoint-url",
        endpoint,
    ]
}
