//! The account inventory offline (issue 15): a static `[[accounts.list]]`, a snapshot folder
//! (`--snapshot DIR`, one `ID.json` per account), placement and variables, and the located
//! errors of `accounts:`, selectors and variables — per account where the value is the
//! account's.

use std::path::Path;

use crate::support::{Run, finish, offline};

pub(crate) const CONFIG: &str = r#"paths = ["m"]

[accounts]

[[accounts.list]]
name = "prod"
id = "111111111111"
ou = "/workloads/prod"
tags = { env = "prod" }

[[accounts.list]]
name = "dev"
id = "222222222222"
ou = "/workloads/dev"
tags = { env = "dev" }

[[accounts.list]]
name = "security"
id = "333333333333"
ou = "/security"

[accounts.vars.prod]
bucket = "prod-logs"

[accounts.vars.dev]
bucket = "dev-logs"
"#;

pub(crate) const DEPLOY: &str = r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: deploy
accounts:
  include: ["ou:/workloads"]
spec:
  description: Deploys ${account.name} (${account.tags.env})
  trust:
    - service: ec2.amazonaws.com
  inlinePolicies:
    logs:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: s3:PutObject
          Resource: arn:aws:s3:::${var.bucket}/*
"#;

pub(crate) fn project(manifest: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("rolesmith.toml"), CONFIG).expect("config");
    std::fs::create_dir(dir.path().join("m")).expect("m");
    std::fs::write(dir.path().join("m/roles.yaml"), manifest).expect("manifest");
    dir
}

pub(crate) fn run(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = offline();
    cmd.current_dir(dir);
    finish(cmd, args, "")
}

#[test]
fn a_snapshot_folder_plans_and_applies_each_account_with_its_values() {
    let dir = project(DEPLOY);
    let applied = run(
        dir.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(
        applied.code,
        Some(0),
        "{}\n{}",
        applied.stdout,
        applied.stderr
    );
    let role = |id: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.path().join(format!("accounts/{id}.json")))
            .expect("the account's snapshot");
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON")["roles"]["deploy"].clone()
    };
    assert_eq!(role("111111111111")["description"], "Deploys prod (prod)");
    assert_eq!(
        role("222222222222")["inlinePolicies"]["logs"]["Statement"][0]["Resource"],
        "arn:aws:s3:::dev-logs/*"
    );
    assert!(
        role("333333333333").is_null(),
        "security is outside ou:/workloads"
    );

    let plan = run(dir.path(), &["plan", "--snapshot", "accounts"]);
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    assert!(
        plan.stdout
            .contains("Accounts: 3 planned, 0 failed.\nLands in (accounts): role.deploy 2\n")
            && plan.stdout.contains("prod      111111111111  no changes"),
        "{}",
        plan.stdout
    );
    // --account limits the run; the JSON has one entry per account.
    let one = run(
        dir.path(),
        &[
            "plan",
            "--snapshot",
            "accounts",
            "--account",
            "tag:env=dev",
            "--format",
            "json",
        ],
    );
    assert_eq!(one.code, Some(0), "{}", one.stderr);
    let json = one.json();
    assert_eq!(json["format_version"], 2);
    let names: Vec<&str> = json["accounts"]
        .as_array()
        .expect("accounts")
        .iter()
        .filter_map(|a| a["name"].as_str())
        .collect();
    assert_eq!(names, ["dev"]);
}

#[test]
fn a_value_missing_in_one_account_is_an_error_naming_it_and_nothing_changes() {
    // security has no `bucket`: the manifest lands there too once it targets every account.
    let dir = project(&DEPLOY.replace("ou:/workloads", "*"));
    let r = run(
        dir.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(1), "{}\n{}", r.stdout, r.stderr);
    assert!(
        r.stderr
            .contains("`${var.bucket}`: account security (333333333333) has no value for `bucket`"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("roles.yaml:"), "located: {}", r.stderr);
    assert!(
        r.stderr.contains("nothing was changed in any account"),
        "{}",
        r.stderr
    );
    for id in ["111111111111", "222222222222", "333333333333"] {
        assert!(
            !dir.path().join(format!("accounts/{id}.json")).exists(),
            "bad manifests change no account: {id} was written"
        );
    }
}

#[test]
fn placement_errors_are_located_and_suggest_the_fix() {
    for (manifest, want) in [
        (
            DEPLOY.replace("ou:/workloads", "prdo"),
            "no account of the inventory is named or numbered `prdo`",
        ),
        (
            DEPLOY.replace("ou:/workloads", "ou:workloads"),
            "is not an account selector",
        ),
        (
            DEPLOY.replace("${account.name}", "${account.nmae}"),
            "`${account.nmae}` is not an account variable",
        ),
    ] {
        let dir = project(&manifest);
        let r = run(
            dir.path(),
            &["apply", "--snapshot", "accounts", "--auto-approve"],
        );
        assert_eq!(r.code, Some(1), "{want}: {}\n{}", r.stdout, r.stderr);
        assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
        assert!(r.stderr.contains("roles.yaml:"), "{want}: {}", r.stderr);
    }
    if let Some(typo) = Some("prdo") {
        let dir = project(&DEPLOY.replace("ou:/workloads", typo));
        let r = run(
            dir.path(),
            &["apply", "--snapshot", "accounts", "--auto-approve"],
        );
        assert!(r.stderr.contains("did you mean `prod`?"), "{}", r.stderr);
    }
}

#[test]
fn without_an_inventory_accounts_and_account_variables_are_errors() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(dir.path().join("roles.yaml"), DEPLOY).expect("manifest");
    let r = run(dir.path(), &["validate", "roles.yaml"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    for want in [
        "[accounts-without-inventory]",
        "`${account.name}` needs an account inventory",
    ] {
        assert!(r.stderr.contains(want), "{want}: {}", r.stderr);
    }
}

#[test]
fn inventory_config_errors_name_file_line_and_column() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::write(
        dir.path().join("rolesmith.toml"),
        "[accounts]\n\n[[accounts.list]]\nname = \"prod\"\nid = \"12345\"\n",
    )
    .expect("config");
    let r = run(dir.path(), &["accounts"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("rolesmith.toml:5:6") && r.stderr.contains("is not 12 digits"),
        "{}",
        r.stderr
    );
    let listed = {
        let dir = project(DEPLOY);
        run(dir.path(), &["accounts", "--format", "json"])
    };
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert_eq!(listed.json()["accounts"].as_array().map(Vec::len), Some(3));
}

#[test]
fn validate_checks_every_account_of_the_inventory_and_reports_each_finding_once() {
    let dir = project(DEPLOY);
    let r = run(dir.path(), &["validate", "--strict"]);
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    assert_eq!(r.stdout, "1 manifest(s) in 1 file(s) are valid.\n");
    // Landing in security too, where `bucket` has no value: an error naming that account.
    let dir = project(&DEPLOY.replace("ou:/workloads", "*"));
    let r = run(dir.path(), &["validate"]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert_eq!(
        r.stderr.matches("has no value for `bucket`").count(),
        1,
        "{}",
        r.stderr
    );
    // An Organizations inventory is not known offline: one pass against a stand-in account.
    let dir = project(DEPLOY);
    std::fs::write(
        dir.path().join("rolesmith.toml"),
        "paths = [\"m\"]\n\n[accounts]\nsource = \"organizations\"\n",
    )
    .expect("config");
    let r = run(dir.path(), &["validate", "--strict"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
}

#[test]
fn trust_may_name_an_account_of_the_inventory() {
    let manifest = "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: audit\naccounts:\n  exclude: [security]\nspec:\n  trust:\n    - account: security\n      externalId: audit-2026\n";
    let dir = project(manifest);
    let r = run(
        dir.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    let text =
        std::fs::read_to_string(dir.path().join("accounts/111111111111.json")).expect("prod");
    assert!(
        text.contains("arn:aws:iam::333333333333:root"),
        "security's id in prod's trust: {text}"
    );
    // The inventory's accounts are one's own: trusting one without an external id is no
    // cross-account finding.
    let own = project(&manifest.replace("\n      externalId: audit-2026", ""));
    let r = run(
        own.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(
        !r.stderr.contains("cross-account-without-external-id"),
        "{}",
        r.stderr
    );
    let typo = project(&manifest.replace("account: security", "account: securty"));
    let r = run(
        typo.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
}

#[test]
fn overrides_merge_over_spec_in_the_accounts_they_select() {
    let manifest = format!(
        "{DEPLOY}overrides:\n  - accounts: {{include: [prod]}}\n    spec:\n      maxSessionDuration: 7200\n      tags: {{tier: critical}}\n"
    );
    let dir = project(&manifest);
    let r = run(
        dir.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    let role = |id: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.path().join(format!("accounts/{id}.json")))
            .expect("snapshot");
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON")["roles"]["deploy"].clone()
    };
    assert_eq!(role("111111111111")["maxSessionDuration"], 7200);
    assert_eq!(role("111111111111")["tags"]["tier"], "critical");
    assert_eq!(role("222222222222")["maxSessionDuration"], 3600);
    assert!(role("222222222222")["tags"]["tier"].is_null());
    // An override that does not fit the spec is an error at the override.
    let bad = project(&manifest.replace("maxSessionDuration: 7200", "maxSesionDuration: 7200"));
    let r = run(
        bad.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains("[invalid-override]") && r.stderr.contains("maxSesionDuration"),
        "{}",
        r.stderr
    );
    // A merged value the kind's checks refuse is located in the override that set it, not in
    // `spec` (which does not hold it).
    let out_of_range =
        project(&manifest.replace("maxSessionDuration: 7200", "maxSessionDuration: 99999"));
    let r = run(
        out_of_range.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let line = DEPLOY.lines().count() + 4;
    assert!(
        r.stderr.contains(&format!("roles.yaml:{line}:27: error")),
        "at line {line}, the override's maxSessionDuration:\n{}",
        r.stderr
    );
}

#[test]
fn accounts_shard_into_a_github_matrix_dealt_round_robin() {
    let dir = project(DEPLOY);
    let r = run(
        dir.path(),
        &["accounts", "--format", "github-matrix", "--shards", "2"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert_eq!(
        r.stdout,
        "matrix={\"include\":[{\"shard\":\"1/2\",\"accounts\":\"--account 222222222222 --account 333333333333\"},{\"shard\":\"2/2\",\"accounts\":\"--account 111111111111\"}]}\n"
    );
    // More shards than accounts: one job per account, never an empty one.
    let r = run(
        dir.path(),
        &["accounts", "--format", "github-matrix", "--shards", "9"],
    );
    let line = r.stdout.trim().strip_prefix("matrix=").expect("matrix=");
    let matrix: serde_json::Value = serde_json::from_str(line).expect("JSON");
    assert_eq!(matrix["include"].as_array().map(Vec::len), Some(3));
    // Each shard's selectors plan exactly its accounts.
    let plan = run(
        dir.path(),
        &[
            "apply",
            "--snapshot",
            "accounts",
            "--auto-approve",
            "--account",
            "222222222222",
            "--account",
            "333333333333",
        ],
    );
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    assert!(
        plan.stdout.contains("Accounts: 2 planned, 0 failed."),
        "{}",
        plan.stdout
    );
    let too_many = run(
        dir.path(),
        &["accounts", "--format", "github-matrix", "--shards", "257"],
    );
    assert_eq!(too_many.code, Some(1), "{}", too_many.stderr);
}

#[test]
fn import_from_every_account_writes_one_manifest_per_role_and_plans_empty() {
    // deploy differs by account name and id only; audit differs by an override in prod and
    // lacks a tag in dev; prod-only lives in one account.
    let dir = project(
        &(DEPLOY
            .replace("ou:/workloads", "*")
            .replace(" (${account.tags.env})", "")
            .replace("${var.bucket}", "logs-${account.id}")
            + r#"---
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: audit
overrides:
  - accounts: {include: [prod]}
    spec:
      maxSessionDuration: 7200
      tags: {tier: critical}
  - accounts: {include: [dev]}
    spec:
      tags: {team: null}
spec:
  description: Audit
  trust:
    - service: ec2.amazonaws.com
  tags: {team: sec}
---
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: prod-only
accounts:
  include: [prod]
spec:
  trust:
    - service: lambda.amazonaws.com
"#),
    );
    let applied = run(
        dir.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(
        applied.code,
        Some(0),
        "{}\n{}",
        applied.stdout,
        applied.stderr
    );
    // `team: null` removed the tag in dev only.
    let tags = |id: &str| -> serde_json::Value {
        let text = std::fs::read_to_string(dir.path().join(format!("accounts/{id}.json")))
            .expect("snapshot");
        serde_json::from_str::<serde_json::Value>(&text).expect("JSON")["roles"]["audit"]["tags"]
            .clone()
    };
    assert!(tags("222222222222").get("team").is_none());
    assert_eq!(tags("111111111111")["team"], "sec");

    let imported = run(
        dir.path(),
        &["import", "--snapshot", "accounts", "--out", "imported"],
    );
    assert_eq!(imported.code, Some(0), "{}", imported.stderr);
    let read = |f: &str| {
        std::fs::read_to_string(dir.path().join("imported").join(f)).expect("imported manifest")
    };
    let deploy = read("deploy.yaml");
    assert!(
        !deploy.contains("overrides:")
            && !deploy.contains("accounts:")
            && deploy.contains("description: Deploys ${account.name}")
            && deploy.contains("arn:aws:s3:::logs-${account.id}/*"),
        "one manifest, its variables found again:\n{deploy}"
    );
    let audit = read("audit.yaml");
    for want in [
        "overrides:",
        "- prod\n  spec:\n    maxSessionDuration: 7200\n    tags:\n      tier: critical",
        "- dev\n  spec:\n    tags: null",
    ] {
        assert!(audit.contains(want), "{want}\n{audit}");
    }
    assert!(
        read("prod-only.yaml").contains("accounts:\n  include:\n  - prod\n"),
        "{}",
        read("prod-only.yaml")
    );

    let round_trip = run(dir.path(), &["plan", "imported", "--snapshot", "accounts"]);
    assert_eq!(round_trip.code, Some(0), "{}", round_trip.stderr);
    for line in [
        "dev       222222222222  no changes",
        "prod      111111111111  no changes",
        "security  333333333333  no changes",
        "Lands in (accounts): role.audit 3, role.deploy 3, role.prod-only 1",
    ] {
        assert!(
            round_trip.stdout.contains(line),
            "{line}\n{}",
            round_trip.stdout
        );
    }
}
