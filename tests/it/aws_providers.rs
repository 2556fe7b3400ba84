//! OIDC and SAML providers as resource kinds (issue 14): validated manifests, the GitHub form
//! and the `githubActions` shorthand naming the declared provider, plans that create providers
//! before the roles trusting them, drift restored with the provider's own update calls (never
//! a delete), and roles trusting a provider that exists nowhere refused in the plan.
//!
//! Offline tests run against a snapshot file; the `moto_` tests run the binary against moto
//! 5.2.5. Moto implements OIDC providers (create with tags, get, thumbprints, tags, delete) and
//! SAML providers without tags; it does not implement `AddClientIDToOpenIDConnectProvider`,
//! `RemoveClientIDFromOpenIDConnectProvider`, `TagSAMLProvider` or `UntagSAMLProvider`, so
//! those paths are tested offline (same plan, same steps) and only read against moto.

use std::fs;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::support::iam::{stats_table, writes};
use crate::support::moto::Moto;
use crate::support::{arg, array, block_on, finish, offline, plan_json, run_live};

const FIXTURES: &str = "tests/fixtures/providers";

/// A temporary copy of the fixture directories named, side by side under `m/`.
fn manifests(names: &[&str]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().expect("tempdir");
    let m = dir.path().join("m");
    for name in names {
        let to = m.join(name);
        fs::create_dir_all(&to).expect("mkdir");
        for entry in fs::read_dir(crate::support::root().join(FIXTURES).join(name)).expect("ls") {
            let entry = entry.expect("entry");
            fs::copy(entry.path(), to.join(entry.file_name())).expect("copy");
        }
    }
    (dir, m)
}

/// Runs the binary offline (from the crate root) with `args`.
fn run(args: &[&str]) -> crate::support::Run {
    finish(offline(), args, "")
}

fn steps(plan: &Value) -> Vec<String> {
    array(plan, "steps")
        .iter()
        .map(|s| s["operation"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn plan_offline(m: &Path, snapshot: &Path) -> Value {
    let r = run(&[
        "plan",
        &arg(m),
        "--snapshot",
        &arg(snapshot),
        "--format",
        "json",
    ]);
    assert!(matches!(r.code, Some(0 | 2)), "{}{}", r.stdout, r.stderr);
    r.json()
}

fn apply_offline(m: &Path, snapshot: &Path) {
    run(&[
        "apply",
        &arg(m),
        "--snapshot",
        &arg(snapshot),
        "--auto-approve",
    ])
    .success();
}

fn edit_snapshot(snapshot: &Path, edit: impl FnOnce(&mut Value)) {
    let mut account: Value =
        serde_json::from_str(&fs::read_to_string(snapshot).expect("read")).expect("JSON");
    edit(&mut account);
    fs::write(snapshot, account.to_string()).expect("write");
}

const GITHUB: &str = "token.actions.githubusercontent.com";

#[test]
fn github_provider_is_created_before_the_role_that_trusts_it_and_replans_empty() {
    let (dir, m) = manifests(&["github"]);
    let snapshot = dir.path().join("account.json");
    fs::write(&snapshot, json!({"accountId": "123456789012"}).to_string()).expect("write");
    let plan = plan_offline(&m, &snapshot);
    let ops = steps(&plan);
    assert_eq!(
        ops,
        ["CreateOpenIDConnectProvider", "CreateRole"],
        "{plan:#}"
    );
    let create = &array(&plan, "steps")[0]["mutation"]["provider"];
    assert_eq!(create["url"], GITHUB);
    assert_eq!(create["clientIds"], json!(["sts.amazonaws.com"]));
    assert_eq!(create["tags"]["managed-by"], "rolesmith");
    // The role's trust names exactly the declared provider's ARN.
    let role = &array(&plan, "steps")[1]["mutation"]["role"];
    let principal = &role["trustPolicy"]["Statement"][0]["Principal"]["Federated"];
    assert_eq!(
        principal,
        &json!(format!("arn:aws:iam::123456789012:oidc-provider/{GITHUB}")),
        "{role:#}"
    );

    apply_offline(&m, &snapshot);
    let again = plan_offline(&m, &snapshot);
    assert!(steps(&again).is_empty(), "{again:#}");
    assert!(array(&again, "conflicts").is_empty(), "{again:#}");
}

#[test]
fn client_id_added_by_hand_is_drift_and_one_apply_removes_it_in_place() {
    let (dir, m) = manifests(&["github"]);
    let snapshot = dir.path().join("account.json");
    fs::write(&snapshot, json!({"accountId": "123456789012"}).to_string()).expect("write");
    apply_offline(&m, &snapshot);
    edit_snapshot(&snapshot, |a| {
        a["oidcProviders"][GITHUB]["clientIds"] = json!(["sts.amazonaws.com", "by-hand"]);
    });

    let r = run(&["drift", &arg(&m), "--snapshot", &arg(&snapshot)]);
    assert_eq!(r.code, Some(2), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("client id by-hand added"), "{}", r.stdout);

    let plan = plan_offline(&m, &snapshot);
    assert_eq!(
        steps(&plan),
        ["RemoveClientIDFromOpenIDConnectProvider"],
        "{plan:#}"
    );
    apply_offline(&m, &snapshot);
    assert!(steps(&plan_offline(&m, &snapshot)).is_empty());
}

#[test]
fn saml_metadata_uploaded_by_hand_is_drift_compared_by_digest_and_restored_by_update() {
    let (dir, m) = manifests(&["saml"]);
    let snapshot = dir.path().join("account.json");
    fs::write(&snapshot, json!({"accountId": "123456789012"}).to_string()).expect("write");
    let first = plan_offline(&m, &snapshot);
    assert_eq!(
        steps(&first),
        ["CreateSAMLProvider", "CreateRole", "AttachRolePolicy"]
    );
    apply_offline(&m, &snapshot);
    assert!(steps(&plan_offline(&m, &snapshot)).is_empty());

    let rotated = fs::read_to_string(m.join("saml/idp-metadata-rotated.xml")).expect("read");
    edit_snapshot(&snapshot, |a| {
        let p = &mut a["samlProviders"]["corporate-idp"];
        p["metadataDigest"] = json!(rolesmith::state::provider::metadata_digest(&rotated));
        p["metadataDocument"] = json!(rotated);
    });
    let r = run(&["plan", &arg(&m), "--snapshot", &arg(&snapshot)]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert!(r.stdout.contains("SAML metadata: sha256:"), "{}", r.stdout);
    // The plan shows digests, never the XML.
    assert!(!r.stdout.contains("X509Certificate"), "{}", r.stdout);
    let plan = plan_offline(&m, &snapshot);
    assert_eq!(steps(&plan), ["UpdateSAMLProvider"], "{plan:#}");
    assert!(
        !array(&plan, "changes")
            .iter()
            .any(|c| c.to_string().contains("X509Certificate")),
        "{plan:#}"
    );
    apply_offline(&m, &snapshot);
    assert!(steps(&plan_offline(&m, &snapshot)).is_empty());
}

#[test]
fn role_trusting_a_provider_that_exists_nowhere_is_a_conflict_and_never_created() {
    let (dir, m) = manifests(&["dangling"]);
    let snapshot = dir.path().join("account.json");
    fs::write(&snapshot, json!({"accountId": "123456789012"}).to_string()).expect("write");
    let plan = plan_offline(&m, &snapshot);
    let conflicts = array(&plan, "conflicts");
    assert_eq!(conflicts.len(), 1, "{plan:#}");
    assert_eq!(conflicts[0]["code"], "unknown-identity-provider");
    assert_eq!(conflicts[0]["address"]["name"], "auth-app");
    assert!(
        conflicts[0]["message"]
            .as_str()
            .is_some_and(|m| m.contains("oidc-provider/auth.example.com")),
        "{plan:#}"
    );
    assert_eq!(steps(&plan), ["CreateOpenIDConnectProvider"], "{plan:#}");
}

#[test]
fn owned_provider_still_trusted_by_a_role_is_not_pruned() {
    let (dir, m) = manifests(&["github", "saml"]);
    let snapshot = dir.path().join("account.json");
    fs::write(&snapshot, json!({"accountId": "123456789012"}).to_string()).expect("write");
    apply_offline(&m, &snapshot);
    // The SAML provider's manifest goes; its role stays.
    fs::remove_file(m.join("saml/provider.yaml")).expect("rm");
    fs::write(
        m.join("saml/role.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: sso-console\nspec:\n  trust:\n    - saml: arn:aws:iam::123456789012:saml-provider/corporate-idp\n  managedPolicies:\n    - aws:ReadOnlyAccess\n",
    )
    .expect("write");
    let r = run(&[
        "plan",
        &arg(&m),
        "--snapshot",
        &arg(&snapshot),
        "--prune",
        "--format",
        "json",
    ]);
    let plan = r.json();
    assert!(
        array(&plan, "conflicts")
            .iter()
            .any(|c| c["code"] == "provider-in-use"),
        "{plan:#}"
    );
    assert!(
        !steps(&plan).iter().any(|s| s.starts_with("Delete")),
        "{plan:#}"
    );
}

/// `validate` on one manifest text (written next to `files`), returning stderr.
fn validate(text: &str, files: &[(&str, &[u8])]) -> String {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("p.yaml");
    fs::write(&path, text).expect("write");
    for (name, content) in files {
        fs::write(dir.path().join(name), content).expect("write");
    }
    let r = run(&["validate", &arg(&path)]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    r.stderr.replace(&arg(dir.path()), "DIR")
}

#[test]
fn provider_manifests_are_validated_with_locations() {
    let oidc = "apiVersion: rolesmith/v1\nkind: OIDCProvider\nmetadata:\n  name: auth\nspec:\n  url: http://auth.example.com\n  clientIds: [app]\n  thumbprints:\n    - 6938fd4d98bab03faadb97b34396831e3780aea\n";
    let err = validate(oidc, &[]);
    assert!(
        err.contains("invalid-oidc-url") && err.contains("p.yaml:6:"),
        "{err}"
    );
    assert!(
        err.contains("invalid-thumbprint") && err.contains("p.yaml:9:"),
        "{err}"
    );

    let saml = "apiVersion: rolesmith/v1\nkind: SAMLProvider\nmetadata:\n  name: idp\nspec:\n  metadataFile: small.xml\n";
    let err = validate(saml, &[("small.xml", b"<md/>")]);
    assert!(
        err.contains("invalid-saml-metadata") && err.contains("p.yaml:6:"),
        "{err}"
    );
    assert!(err.contains("5 bytes"), "{err}");

    let twice = "apiVersion: rolesmith/v1\nkind: OIDCProvider\nmetadata:\n  name: a\nspec:\n  github: true\n---\napiVersion: rolesmith/v1\nkind: OIDCProvider\nmetadata:\n  name: b\nspec:\n  url: https://token.actions.githubusercontent.com\n  clientIds: [sts.amazonaws.com]\n";
    let err = validate(twice, &[]);
    assert!(err.contains("duplicate-provider"), "{err}");
}

// --- against moto ----------------------------------------------------------------------------

fn stats_of(run: &crate::support::Run) -> std::collections::BTreeMap<String, u64> {
    stats_table(&run.stderr)
}

#[test]
fn moto_github_provider_and_deploy_role_apply_then_replan_reads_per_the_formula() {
    let moto = Moto::start();
    let (_dir, m) = manifests(&["github"]);
    let m = arg(&m);
    let r = run_live(&moto, &["apply", &m, "--auto-approve", "--stats"]).success();
    let written = writes(&stats_of(&r));
    assert_eq!(
        written.get("CreateOpenIDConnectProvider"),
        Some(&1),
        "{written:?}"
    );
    assert_eq!(written.get("CreateRole"), Some(&1), "{written:?}");

    let provider = block_on(
        moto.iam()
            .get_open_id_connect_provider()
            .open_id_connect_provider_arn(format!(
                "arn:aws:iam::{}:oidc-provider/{GITHUB}",
                crate::support::moto::ACCOUNT_ID
            ))
            .send(),
    )
    .expect("the provider exists");
    assert_eq!(provider.client_id_list(), ["sts.amazonaws.com"]);

    // No-change plan: 1 GetCallerIdentity + the role reads (ListRoles,
    // GetAccountAuthorizationDetails, ListInstanceProfiles: one page each) + one listing per
    // provider kind + one Get per provider.
    let plan = plan_json(&moto, &[&m, "--stats"]);
    assert!(steps(&plan).is_empty(), "{plan:#}");
    let calls: std::collections::BTreeMap<String, u64> =
        crate::support::stats_calls(&plan).into_iter().collect();
    for (op, n) in [
        ("ListOpenIDConnectProviders", 1),
        ("GetOpenIDConnectProvider", 1),
        ("ListSAMLProviders", 1),
    ] {
        assert_eq!(calls.get(op), Some(&n), "{op}: {calls:?}");
    }
    assert_eq!(calls.get("GetSAMLProvider"), None, "{calls:?}");
    crate::support::assert_only_reads(&plan);
}

#[test]
fn moto_oidc_thumbprint_and_tag_drift_is_restored_in_place_without_delete() {
    let moto = Moto::start();
    let (dir, m) = manifests(&["github"]);
    // Thumbprints declared, so they are compared.
    let provider = m.join("github/provider.yaml");
    let text = fs::read_to_string(&provider).expect("read").replace(
        "  github: true\n",
        "  github: true\n  thumbprints: [6938fd4d98bab03faadb97b34396831e3780aea1]\n",
    );
    fs::write(&provider, text).expect("write");
    let m = arg(&m);
    run_live(&moto, &["apply", &m, "--auto-approve"]).success();

    let arn = format!(
        "arn:aws:iam::{}:oidc-provider/{GITHUB}",
        crate::support::moto::ACCOUNT_ID
    );
    let iam = moto.iam();
    block_on(async {
        iam.update_open_id_connect_provider_thumbprint()
            .open_id_connect_provider_arn(&arn)
            .thumbprint_list("1111111111111111111111111111111111111111")
            .send()
            .await
            .expect("thumbprint by hand");
        iam.untag_open_id_connect_provider()
            .open_id_connect_provider_arn(&arn)
            .tag_keys("team")
            .send()
            .await
            .expect("untag by hand");
    });
    let drift = run_live(&moto, &["drift", &m]);
    assert_eq!(drift.code, Some(2), "{}{}", drift.stdout, drift.stderr);
    assert!(
        drift.stdout.contains("thumbprints are [1111"),
        "{}",
        drift.stdout
    );
    assert!(
        drift.stdout.contains("tag team=platform removed"),
        "{}",
        drift.stdout
    );

    let r = run_live(&moto, &["apply", &m, "--auto-approve", "--stats"]).success();
    let written = writes(&stats_of(&r));
    assert_eq!(
        written.keys().map(String::as_str).collect::<Vec<_>>(),
        [
            "TagOpenIDConnectProvider",
            "UpdateOpenIDConnectProviderThumbprint"
        ],
        "{written:?}"
    );
    assert!(
        !r.stderr.contains("DeleteOpenIDConnectProvider"),
        "{}",
        r.stderr
    );
    assert!(steps(&plan_json(&moto, &[&m])).is_empty());
    drop(dir);
}

#[test]
fn moto_role_trusting_a_provider_that_exists_nowhere_is_refused_before_any_write() {
    let moto = Moto::start();
    let (_dir, m) = manifests(&["dangling"]);
    let m = arg(&m);
    let plan = plan_json(&moto, &[&m]);
    assert!(
        array(&plan, "conflicts")
            .iter()
            .any(|c| c["code"] == "unknown-identity-provider"),
        "{plan:#}"
    );
    let r = run_live(&moto, &["apply", &m, "--auto-approve", "--stats"]).success();
    let written = writes(&stats_of(&r));
    assert_eq!(written.get("CreateRole"), None, "{written:?}");
    let role = block_on(moto.iam().get_role().role_name("auth-app").send());
    assert!(role.is_err(), "the role was created: {role:?}");
}

#[test]
fn moto_saml_provider_is_created_with_its_metadata_and_left_alone_once_moto_drops_its_tags() {
    let moto = Moto::start();
    let (_dir, dir_m) = manifests(&["saml"]);
    let m = arg(&dir_m);
    let r = run_live(&moto, &["apply", &m, "--auto-approve", "--stats"]).success();
    let written = writes(&stats_of(&r));
    assert_eq!(written.get("CreateSAMLProvider"), Some(&1), "{written:?}");
    let arn = format!(
        "arn:aws:iam::{}:saml-provider/corporate-idp",
        crate::support::moto::ACCOUNT_ID
    );
    let metadata = fs::read_to_string(dir_m.join("saml/idp-metadata.xml")).expect("read");
    let got = block_on(
        moto.iam()
            .get_saml_provider()
            .saml_provider_arn(&arn)
            .send(),
    )
    .expect("the provider exists");
    assert_eq!(got.saml_metadata_document(), Some(metadata.as_str()));

    // Moto keeps no tags on SAML providers, so the account shows the provider as unowned:
    // the plan leaves it alone (a conflict) rather than writing to it.
    let plan = plan_json(&moto, &[&m]);
    assert!(
        array(&plan, "conflicts")
            .iter()
            .any(|c| c["code"] == "unowned-provider"),
        "{plan:#}"
    );
    assert!(steps(&plan).is_empty(), "{plan:#}");
}

#[test]
fn saved_plan_is_refused_when_a_provider_moved_and_says_how() {
    let (dir, m) = manifests(&["github"]);
    let snapshot = dir.path().join("account.json");
    fs::write(&snapshot, json!({"accountId": "123456789012"}).to_string()).expect("write");
    apply_offline(&m, &snapshot);
    let provider = m.join("github/provider.yaml");
    let text = fs::read_to_string(&provider).expect("read").replace(
        "  github: true\n",
        "  github: true\n  clientIds: [sts.amazonaws.com, deploy-tool]\n",
    );
    fs::write(&provider, text).expect("write");
    let saved = dir.path().join("plan.json");
    run(&[
        "plan",
        &arg(&m),
        "--snapshot",
        &arg(&snapshot),
        "--out",
        &arg(&saved),
    ])
    .success();
    edit_snapshot(&snapshot, |a| {
        a["oidcProviders"][GITHUB]["tags"]["team"] = json!("someone-else");
    });
    let r = run(&[
        "apply",
        &arg(&saved),
        "--snapshot",
        &arg(&snapshot),
        "--auto-approve",
    ]);
    assert_eq!(r.code, Some(1), "{}{}", r.stdout, r.stderr);
    assert!(
        r.stderr.contains(&format!("oidc_provider.{GITHUB}"))
            || r.stderr.contains(&format!("OIDC provider {GITHUB}")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("team"), "{}", r.stderr);
}

#[test]
fn moto_imported_providers_plan_nothing_but_the_ownership_tags() {
    let moto = Moto::start();
    let (dir, m) = manifests(&["github"]);
    run_live(&moto, &["apply", &arg(&m), "--auto-approve"]).success();
    // A SAML provider made by hand (moto keeps no SAML tags, so it stays unowned).
    let metadata = fs::read_to_string(
        crate::support::root()
            .join(FIXTURES)
            .join("saml/idp-metadata.xml"),
    )
    .expect("read");
    block_on(
        moto.iam()
            .create_saml_provider()
            .name("corporate-idp")
            .saml_metadata_document(&metadata)
            .send(),
    )
    .expect("CreateSAMLProvider by hand");

    let out = dir.path().join("imported");
    let r = run_live(&moto, &["import", "--out", &arg(&out), "--adopt"]).success();
    assert!(
        r.stderr
            .contains("1 role(s) and 3 identity provider file(s)"),
        "{}",
        r.stderr
    );
    let oidc = fs::read_to_string(out.join(format!("providers/oidc/{GITHUB}.yaml"))).expect("oidc");
    assert!(oidc.contains("github: true"), "{oidc}");
    assert!(!oidc.contains("managed-by"), "{oidc}");
    let saml = fs::read_to_string(out.join("providers/saml/corporate-idp.yaml")).expect("saml");
    assert!(
        saml.contains("metadataFile: corporate-idp.xml") && saml.contains("adopt: true"),
        "{saml}"
    );
    assert_eq!(
        fs::read_to_string(out.join("providers/saml/corporate-idp.xml")).expect("xml"),
        metadata
    );

    let plan = plan_json(&moto, &[&arg(&out)]);
    assert_eq!(steps(&plan), ["TagSAMLProvider"], "{plan:#}");
    assert!(array(&plan, "conflicts").is_empty(), "{plan:#}");
}

#[test]
fn unowned_provider_is_a_conflict_until_adopted_then_tagged_in_place() {
    let (dir, m) = manifests(&["github"]);
    let snapshot = dir.path().join("account.json");
    fs::write(
        &snapshot,
        json!({
            "accountId": "123456789012",
            "oidcProviders": {GITHUB: {"url": GITHUB, "clientIds": ["sts.amazonaws.com"]}}
        })
        .to_string(),
    )
    .expect("write");
    let plan = plan_offline(&m, &snapshot);
    assert!(
        array(&plan, "conflicts")
            .iter()
            .any(|c| c["code"] == "unowned-provider"),
        "{plan:#}"
    );
    assert_eq!(steps(&plan), ["CreateRole"], "{plan:#}");

    let provider = m.join("github/provider.yaml");
    let text = fs::read_to_string(&provider)
        .expect("read")
        .replace("  github: true\n", "  github: true\n  adopt: true\n");
    fs::write(&provider, text).expect("write");
    let plan = plan_offline(&m, &snapshot);
    assert!(array(&plan, "conflicts").is_empty(), "{plan:#}");
    assert_eq!(
        steps(&plan),
        ["TagOpenIDConnectProvider", "CreateRole"],
        "{plan:#}"
    );
    apply_offline(&m, &snapshot);
    assert!(steps(&plan_offline(&m, &snapshot)).is_empty());
}
