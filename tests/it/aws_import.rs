//! Import against a real AWS API server (moto) through the real SDK: a corpus of roles created
//! in varied but equivalent forms must import to manifests that validate, plan to nothing, and
//! come out byte-identical when imported twice.

use std::collections::BTreeMap;

use aws_sdk_iam::types::Tag;
use rolesmith::check::{ResolveContext, load_and_validate};
use rolesmith::diff::{DiffOptions, diff};
use rolesmith::import::{ImportOptions, import, write};
use rolesmith::plan::Plan;

use crate::support;
use crate::support::block_on;
use crate::support::moto::Moto;

const ACCOUNT: &str = "123456789012";

/// Trust policies in every form the seed lists, each written several equivalent ways.
fn trust_documents() -> Vec<String> {
    let gh = "token.actions.githubusercontent.com";
    vec![
        // Services: scalar vs list, one vs two, statement order.
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}}"#.into(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["ec2.amazonaws.com"]},"Action":["sts:AssumeRole"]}]}"#.into(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":["lambda.amazonaws.com","edgelambda.amazonaws.com"]},"Action":"sts:AssumeRole"}]}"#.into(),
        // Accounts: bare id vs root ARN, external id, MFA.
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"210987654321"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":"ext-1"}}}]}"#.into(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::210987654321:root"},"Action":"sts:AssumeRole","Condition":{"StringEquals":{"sts:ExternalId":["ext-1"]}}}]}"#.into(),
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:root"}},"Action":"sts:AssumeRole","Condition":{{"Bool":{{"aws:MultiFactorAuthPresent":"true"}}}}}}]}}"#),
        // Roles and users, with session tags.
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":["arn:aws:iam::{ACCOUNT}:role/ci-b","arn:aws:iam::{ACCOUNT}:role/ci-a"]}},"Action":["sts:TagSession","sts:AssumeRole"]}}]}}"#),
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{ACCOUNT}:user/alice"}},"Action":"sts:AssumeRole"}}]}}"#),
        // SAML and OIDC.
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{ACCOUNT}:saml-provider/corporate-idp"}},"Action":"sts:AssumeRoleWithSAML","Condition":{{"StringEquals":{{"SAML:aud":"https://signin.aws.amazon.com/saml"}}}}}}]}}"#),
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{ACCOUNT}:oidc-provider/{gh}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{gh}:aud":"sts.amazonaws.com","{gh}:sub":"repo:org/app:environment:prod"}}}}}}]}}"#),
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{ACCOUNT}:oidc-provider/{gh}"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"{gh}:aud":"sts.amazonaws.com"}},"StringLike":{{"{gh}:sub":"repo:org/app:*"}}}}}}]}}"#),
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Effect":"Allow","Principal":{{"Federated":"arn:aws:iam::{ACCOUNT}:oidc-provider/auth.example.com"}},"Action":"sts:AssumeRoleWithWebIdentity","Condition":{{"StringEquals":{{"auth.example.com:aud":["app-1","app-2"]}}}}}}]}}"#),
        // Beyond the shorthand: several statements, a Sid, a Deny — kept raw.
        format!(r#"{{"Version":"2012-10-17","Statement":[{{"Sid":"Ec2","Effect":"Allow","Principal":{{"Service":"ec2.amazonaws.com"}},"Action":"sts:AssumeRole"}},{{"Effect":"Allow","Principal":{{"AWS":"{ACCOUNT}"}},"Action":"sts:AssumeRole"}}]}}"#),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ecs-tasks.amazonaws.com"},"Action":"sts:AssumeRole","Condition":{"ArnLike":{"aws:SourceArn":["arn:aws:ecs:us-east-1:123456789012:*"]},"StringEquals":{"aws:SourceAccount":"123456789012"}}},{"Effect":"Deny","Principal":{"AWS":"*"},"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:SecureTransport":"false"}}}]}"#.into(),
    ]
}

/// Inline documents: hand-written variants and AWS managed documents from moto's catalogue.
fn inline_documents(moto: &Moto) -> Vec<String> {
    let iam = moto.iam();
    let mut docs: Vec<String> = vec![
        r#"{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}}"#.into(),
        r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":["S3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"StringEquals":{"aws:RequestedRegion":["eu-west-1","us-east-1"]},"Bool":{"aws:SecureTransport":true}}}]}"#.into(),
        r#"{"Version":"2012-10-17","Statement":[{"Sid":"Two","Effect":"Deny","NotAction":"iam:*","NotResource":"arn:aws:iam::*:role/x"},{"Sid":"One","Effect":"Allow","Action":"*","Resource":"*"}]}"#.into(),
    ];
    for name in [
        "AmazonS3ReadOnlyAccess",
        "CloudWatchAgentServerPolicy",
        "service-role/AWSLambdaBasicExecutionRole",
        "AmazonSSMReadOnlyAccess",
    ] {
        let arn = format!("arn:aws:iam::aws:policy/{name}");
        let doc = block_on(async {
            let policy = iam
                .get_policy()
                .policy_arn(&arn)
                .send()
                .await
                .expect("GetPolicy");
            let version = policy
                .policy()
                .and_then(|p| p.default_version_id())
                .unwrap_or("v1")
                .to_owned();
            let v = iam
                .get_policy_version()
                .policy_arn(&arn)
                .version_id(version)
                .send()
                .await
                .expect("GetPolicyVersion");
            v.policy_version()
                .and_then(|p| p.document())
                .unwrap_or_default()
                .to_owned()
        });
        let decoded = percent_decode(&doc);
        docs.push(decoded);
    }
    docs
}

fn percent_decode(s: &str) -> String {
    // IAM returns documents URL-encoded (moto too, from GetPolicyVersion).
    if s.trim_start().starts_with('{') {
        return s.to_owned();
    }
    percent_encoding::percent_decode_str(s)
        .decode_utf8()
        .expect("a UTF-8 policy document")
        .into_owned()
}

/// Creates the corpus; returns how many roles it made.
fn create_corpus(moto: &Moto) -> usize {
    let iam = moto.iam();
    let trusts = trust_documents();
    let inlines = inline_documents(moto);
    let mut count = 0;
    block_on(async {
        iam.create_policy()
            .policy_name("boundary")
            .policy_document(r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"*","Resource":"*"}]}"#)
            .send()
            .await
            .expect("CreatePolicy");
        for i in 0..64usize {
            let name = format!("corpus-{i:02}");
            let path = match i % 4 {
                0 => "/".to_owned(),
                1 => "/app/".to_owned(),
                2 => format!("/team-{}/svc/", i % 3),
                _ => "/".to_owned(),
            };
            let mut create = iam
                .create_role()
                .role_name(&name)
                .path(&path)
                .assume_role_policy_document(&trusts[i % trusts.len()]);
            if i % 3 == 0 {
                create = create.description(
                    format!("Role {i}: {}", "a long description. ".repeat(i % 40))
                        .trim()
                        .to_owned(),
                );
            }
            if i % 5 == 0 {
                create = create.max_session_duration(3600 + 600 * (i as i32 % 10));
            }
            if i % 7 == 0 {
                create =
                    create.permissions_boundary(format!("arn:aws:iam::{ACCOUNT}:policy/boundary"));
            }
            let ntags = if i % 11 == 0 { 40 } else { i % 4 };
            for t in 0..ntags {
                create = create.tags(
                    Tag::builder()
                        .key(format!("k{t}"))
                        .value(format!("v {t}:{i}"))
                        .build()
                        .unwrap(),
                );
            }
            if i % 2 == 0 {
                create = create.tags(
                    Tag::builder()
                        .key("managed-by")
                        .value("rolesmith")
                        .build()
                        .unwrap(),
                );
            }
            create.send().await.expect("CreateRole");
            for (n, doc) in inlines
                .iter()
                .enumerate()
                .filter(|(n, _)| (i + n) % 5 == 0)
                .take(2)
            {
                iam.put_role_policy()
                    .role_name(&name)
                    .policy_name(format!("inline-{n}"))
                    .policy_document(doc)
                    .send()
                    .await
                    .expect("PutRolePolicy");
            }
            for (n, arn) in [
                "arn:aws:iam::aws:policy/ReadOnlyAccess",
                "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess",
            ]
            .iter()
            .enumerate()
            {
                if (i + n) % 3 == 0 {
                    iam.attach_role_policy()
                        .role_name(&name)
                        .policy_arn(*arn)
                        .send()
                        .await
                        .expect("AttachRolePolicy");
                }
            }
            if i % 6 == 0 {
                let profile = if i % 12 == 0 {
                    name.clone()
                } else {
                    format!("{name}-profile")
                };
                let ppath = if i % 12 == 0 { "/" } else { "/profiles/" };
                iam.create_instance_profile()
                    .instance_profile_name(&profile)
                    .path(ppath)
                    .send()
                    .await
                    .expect("CreateInstanceProfile");
                iam.add_role_to_instance_profile()
                    .instance_profile_name(&profile)
                    .role_name(&name)
                    .send()
                    .await
                    .expect("AddRoleToInstanceProfile");
                if i % 12 == 0 {
                    // Bound instances: two carry this profile.
                    let ec2 = aws_sdk_ec2::Client::new(&moto.sdk_config());
                    let out = ec2
                        .run_instances()
                        .image_id("ami-12c6146b")
                        .instance_type(aws_sdk_ec2::types::InstanceType::T2Micro)
                        .min_count(2)
                        .max_count(2)
                        .send()
                        .await
                        .expect("RunInstances");
                    for instance in out.instances() {
                        ec2.associate_iam_instance_profile()
                            .instance_id(instance.instance_id().unwrap_or_default())
                            .iam_instance_profile(
                                aws_sdk_ec2::types::IamInstanceProfileSpecification::builder()
                                    .name(&profile)
                                    .build(),
                            )
                            .send()
                            .await
                            .expect("AssociateIamInstanceProfile");
                    }
                }
            }
            count += 1;
        }
    });
    count
}

/// The live state, captured with `rolesmith snapshot` (the binary gets the server's env).
fn read(moto: &Moto) -> rolesmith::state::AccountState {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("acct.json");
    support::run_live(moto, &["snapshot", "--out", file.to_str().unwrap()]).success();
    let text = std::fs::read_to_string(&file).unwrap();
    rolesmith::account::snapshot::parse(&file, &text).unwrap()
}

#[test]
fn a_varied_corpus_imports_to_manifests_that_plan_nothing() {
    let moto = Moto::start();
    let created = create_corpus(&moto);
    assert!(created >= 60);
    let live = read(&moto);
    assert!(live.roles.len() >= 60, "read {} roles", live.roles.len());
    let bound = live
        .instances
        .values()
        .filter(|i| i.association.is_some())
        .count();
    assert!(bound >= 8, "{bound} instances carry corpus profiles");

    let opts = ImportOptions {
        adopt: true,
        with_bindings: true,
        ..ImportOptions::default()
    };
    let imported = import(&live, &opts);
    // One manifest per role and one per customer managed policy (the boundary the corpus uses).
    assert_eq!(live.policies.len(), 1, "{:?}", live.policies.keys());
    assert_eq!(
        imported.files.len(),
        live.roles.len() + live.policies.len(),
        "{:?}",
        imported.notes
    );
    let dir = tempfile::tempdir().unwrap();
    let schema = rolesmith::schema::manifest_schema();
    write(&imported, dir.path(), &schema, false).unwrap();

    // Every file validates against the JSON Schema and through rolesmith's own validation.
    let schema_json: serde_json::Value = serde_json::from_str(&schema).unwrap();
    let validator = jsonschema::validator_for(&schema_json).unwrap();
    for file in &imported.files {
        let value: serde_json::Value = serde_saphyr::from_str(&file.text).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&value)
            .map(|e| e.to_string())
            .collect();
        assert!(
            errors.is_empty(),
            "{}: {errors:?}\n{}",
            file.path.display(),
            file.text
        );
    }
    let ctx = ResolveContext {
        account_id: live.account_id.clone(),
        ..ResolveContext::offline()
    };
    let (desired, diags, _) = load_and_validate(&[dir.path().to_path_buf()], &ctx);
    let errors: Vec<_> = diags
        .iter()
        .filter(|d| d.severity == rolesmith::diagnostic::Severity::Error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    assert_eq!(desired.roles.len(), live.roles.len());
    assert_eq!(desired.policies.len(), live.policies.len());
    let declared_bindings: usize = desired
        .roles
        .values()
        .filter_map(|r| r.bindings.as_ref())
        .map(|b| b.instances.len())
        .sum();
    assert_eq!(declared_bindings, bound, "every bound instance is declared");

    // Planning the imported manifests against the same account: only the adoption tags.
    let plan = Plan::build(
        diff(&desired, &live, &DiffOptions::default()),
        &live,
        &ctx.limits,
    );
    assert!(plan.conflicts.is_empty(), "{:#?}", plan.conflicts);
    let unowned = live
        .roles
        .values()
        .filter(|r| !r.tags.contains_key("managed-by"))
        .count();
    // Roles whose role or instance profile lacks the ownership tag: conflicts until adopted.
    let needs_adoption = live
        .roles
        .values()
        .filter(|r| {
            !r.tags.contains_key("managed-by")
                || live
                    .profiles_of_role(&r.name)
                    .any(|p| !p.tags.contains_key("managed-by"))
        })
        .count();
    assert!(
        needs_adoption > unowned,
        "the corpus has owned roles in unowned profiles"
    );
    let mut ops: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &plan.steps {
        *ops.entry(s.mutation.operation()).or_default() += 1;
    }
    assert_eq!(ops.get("TagRole").copied().unwrap_or(0), unowned, "{ops:?}");
    assert_eq!(
        ops.get("TagPolicy"),
        Some(&1),
        "the boundary policy is adopted: {ops:?}"
    );
    assert!(
        ops.keys()
            .all(|op| ["TagRole", "TagInstanceProfile", "TagPolicy"].contains(op)),
        "only ownership tags may change: {ops:?}\n{:#?}",
        plan.changes
            .iter()
            .filter(|c| !c
                .attributes
                .iter()
                .all(|a| matches!(a, rolesmith::plan::AttributeChange::Tags { .. })))
            .collect::<Vec<_>>()
    );

    // Without --adopt, the owned half plans nothing and the rest are conflicts.
    let plain = import(
        &live,
        &ImportOptions {
            with_bindings: true,
            ..ImportOptions::default()
        },
    );
    let dir2 = tempfile::tempdir().unwrap();
    write(&plain, dir2.path(), &schema, false).unwrap();
    let (desired, _, _) = load_and_validate(&[dir2.path().to_path_buf()], &ctx);
    let plan = Plan::build(
        diff(&desired, &live, &DiffOptions::default()),
        &live,
        &ctx.limits,
    );
    let conflicted: std::collections::BTreeSet<String> = plan
        .conflicts
        .iter()
        .map(|c| match &c.address {
            rolesmith::plan::Address::Role(n) => n.clone(),
            rolesmith::plan::Address::InstanceProfile(p) => live.instance_profiles[p]
                .roles
                .iter()
                .next()
                .cloned()
                .unwrap_or_default(),
            other => other.to_string(),
        })
        .collect();
    // The roles, and the boundary policy made by hand.
    assert!(conflicted.contains("policy.boundary"), "{conflicted:?}");
    assert_eq!(
        conflicted.len(),
        needs_adoption + 1,
        "{:#?}",
        plan.conflicts
    );
    assert!(plan.steps.is_empty(), "{:#?}", plan.steps);

    // Importing twice gives identical files.
    let again = import(&read(&moto), &opts);
    assert_eq!(again, imported);
}

/// The command line: `import` writes files and reports them, refuses to overwrite without
/// `--force`, and `plan` on its output shows only the adoption tags.
#[test]
fn import_command_round_trips_through_plan() {
    let moto = Moto::start();
    let iam = moto.iam();
    block_on(async {
        for (name, path) in [("web", "/app/"), ("batch", "/"), ("ops", "/")] {
            iam.create_role()
                .role_name(name)
                .path(path)
                .assume_role_policy_document(&trust_documents()[0])
                .send()
                .await
                .expect("CreateRole");
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("manifests");
    let out_str = out.to_str().unwrap();
    let r = support::run_live(
        &moto,
        &[
            "import",
            "--out",
            out_str,
            "--adopt",
            "--name",
            "^(web|batch)$",
        ],
    )
    .success();
    assert!(r.stderr.contains("Imported 2 role(s)"), "{}", r.stderr);
    assert!(out.join("app/web.yaml").exists() && out.join("batch.yaml").exists());
    assert!(!out.join("ops.yaml").exists());
    assert!(out.join("rolesmith.schema.json").exists());

    let plan = support::plan_json(&moto, &[out_str]);
    let ops: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["TagRole", "TagRole"], "{plan:#}");
    support::assert_only_reads(&plan);

    let before = std::fs::read_to_string(out.join("batch.yaml")).unwrap();
    let r = support::run_live(
        &moto,
        &[
            "import",
            "--out",
            out_str,
            "--adopt",
            "--name",
            "^(web|batch)$",
        ],
    )
    .success();
    assert!(r.stderr.contains("0 written, 2 skipped"), "{}", r.stderr);
    let r = support::run_live(
        &moto,
        &[
            "import",
            "--out",
            out_str,
            "--adopt",
            "--force",
            "--name",
            "^(web|batch)$",
        ],
    )
    .success();
    assert!(r.stderr.contains("2 written, 0 skipped"), "{}", r.stderr);
    assert_eq!(
        std::fs::read_to_string(out.join("batch.yaml")).unwrap(),
        before
    );

    // After the adopting apply, a fresh import needs no adoption and plans nothing.
    support::apply(&moto, &[out_str]);
    let plan = support::plan_json(&moto, &[out_str]);
    assert!(plan["steps"].as_array().unwrap().is_empty(), "{plan:#}");
}
