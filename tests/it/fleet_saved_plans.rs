//! Saved plans over the inventory (issue 15): `plan --out` fingerprints every account under one
//! plan id, `apply FILE` proves every account before it changes any, and `show --merge` puts the
//! shards of one plan in one PR comment. Offline, over a snapshot folder.

use std::collections::BTreeMap;
use std::path::Path;

use crate::fleet_offline::{DEPLOY, project, run};

/// Every file of the snapshot folder, by name, with its bytes.
fn folder(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir.join("accounts"))
        .expect("the snapshot folder")
        .map(|e| {
            let e = e.expect("entry");
            (
                e.file_name().to_string_lossy().into_owned(),
                std::fs::read(e.path()).expect("file"),
            )
        })
        .collect()
}

/// A project applied once, then with its manifests edited so prod and dev have a change.
fn applied_then_edited() -> tempfile::TempDir {
    let dir = project(DEPLOY);
    let r = run(
        dir.path(),
        &["apply", "--snapshot", "accounts", "--auto-approve"],
    );
    assert_eq!(r.code, Some(0), "{}\n{}", r.stdout, r.stderr);
    let path = dir.path().join("m/roles.yaml");
    let text = std::fs::read_to_string(&path).expect("manifest");
    std::fs::write(&path, text.replace("Deploys ", "Deploys for ")).expect("edit");
    dir
}

/// `apply FILE --snapshot accounts --auto-approve`, with `--expect-plan-id` when given.
fn apply_file(dir: &Path, file: &str, expect: Option<&str>) -> crate::support::Run {
    let mut args = vec!["apply", file, "--snapshot", "accounts", "--auto-approve"];
    if let Some(id) = expect {
        args.extend(["--expect-plan-id", id]);
    }
    run(dir, &args)
}

fn plan_id(dir: &Path, file: &str) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join(file)).expect("the saved plan"))
            .expect("JSON");
    assert_eq!(json["kind"], "rolesmith-saved-plan-accounts");
    json["plan_id"].as_str().expect("a plan id").to_owned()
}

#[test]
fn a_saved_plan_over_accounts_runs_only_where_every_account_proves_it() {
    let dir = applied_then_edited();
    let planned = run(
        dir.path(),
        &["plan", "--snapshot", "accounts", "--out", "plan.json"],
    );
    assert_eq!(planned.code, Some(0), "{}", planned.stderr);
    let id = plan_id(dir.path(), "plan.json");
    assert!(
        planned.stdout.contains(&format!(
            "Saved plan plan.json (3 account(s)): plan id {id}; apply exactly it with `rolesmith apply plan.json --expect-plan-id {id}`"
        )),
        "{}",
        planned.stdout
    );
    let before = folder(dir.path());

    // Another id than the reviewed one: refused before any account is read.
    let wrong = apply_file(dir.path(), "plan.json", Some("sha256:0123456789abcdef"));
    assert_eq!(wrong.code, Some(1));
    assert!(
        wrong.stderr.contains("not the expected plan"),
        "{}",
        wrong.stderr
    );

    // Out of band in prod after the plan: prod's fingerprint moved, so no account changes —
    // not even dev, whose own plan still holds.
    let prod = dir.path().join("accounts/111111111111.json");
    let mut state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&prod).expect("prod")).expect("JSON");
    state["roles"]["deploy"]["description"] = "edited by hand".into();
    std::fs::write(&prod, serde_json::to_vec_pretty(&state).expect("JSON")).expect("write");
    let by_hand = folder(dir.path());
    let stale = apply_file(dir.path(), "plan.json", Some(&id));
    assert_eq!(stale.code, Some(1), "{}\n{}", stale.stdout, stale.stderr);
    assert!(
        stale
            .stderr
            .contains("prod  111111111111  plan.json is stale")
            && stale.stderr.contains(
                "does not hold in 1 of its 3 account(s) (above); nothing was changed in any account"
            ),
        "{}",
        stale.stderr
    );
    assert_eq!(
        folder(dir.path()),
        by_hand,
        "a refused plan changes no account"
    );

    // Put back, the reviewed plan applies in every account, each step line naming its account.
    for (name, bytes) in &before {
        std::fs::write(dir.path().join("accounts").join(name), bytes).expect("restore");
    }
    let applied = apply_file(dir.path(), "plan.json", Some(&id));
    assert_eq!(
        applied.code,
        Some(0),
        "{}\n{}",
        applied.stdout,
        applied.stderr
    );
    assert!(
        applied
            .stdout
            .contains("prod: role deploy: UpdateRole done")
            && applied.stdout.contains("dev: role deploy: UpdateRole done")
            && applied.stdout.contains(&format!(
                "Saved plan plan.json ({id}) for 3 account(s): 0 to add, 2 to change, 0 to destroy."
            )),
        "{}",
        applied.stdout
    );
    let replan = run(dir.path(), &["plan", "--snapshot", "accounts"]);
    assert!(
        replan.stdout.contains("prod      111111111111  no changes")
            && replan.stdout.contains("dev       222222222222  no changes"),
        "{}",
        replan.stdout
    );
    // Applied once, the same file is stale everywhere it changed something.
    let again = apply_file(dir.path(), "plan.json", None);
    assert_eq!(again.code, Some(1), "{}", again.stderr);
}

#[test]
fn an_edited_account_plan_or_a_failed_account_is_never_applied() {
    let dir = applied_then_edited();
    let r = run(
        dir.path(),
        &["plan", "--snapshot", "accounts", "--out", "plan.json"],
    );
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let before = folder(dir.path());

    // One account's step edited (its description widened): its plan id no longer matches.
    let path = dir.path().join("plan.json");
    let text = std::fs::read_to_string(&path).expect("plan");
    assert!(text.contains("Deploys for prod (prod)"));
    std::fs::write(&path, text.replace("Deploys for prod (prod)", "owned")).expect("edit");
    let edited = apply_file(dir.path(), "plan.json", None);
    assert_eq!(edited.code, Some(1));
    assert!(
        edited
            .stderr
            .contains("the file was edited after `rolesmith plan` wrote it"),
        "{}",
        edited.stderr
    );
    let shown = run(dir.path(), &["show", "plan.json"]);
    assert_eq!(shown.code, Some(1), "show refuses it too: {}", shown.stdout);

    // One account twice (its steps would run twice): refused whatever the stated id.
    std::fs::write(&path, &text).expect("restore");
    let mut json: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    let first = json["accounts"][0].clone();
    json["accounts"]
        .as_array_mut()
        .expect("accounts")
        .push(first);
    std::fs::write(&path, serde_json::to_string(&json).expect("JSON")).expect("write");
    let twice = apply_file(dir.path(), "plan.json", None);
    assert_eq!(twice.code, Some(1));
    assert!(twice.stderr.contains("is in it twice"), "{}", twice.stderr);

    // An account that cannot be planned: the file says so, and apply refuses the whole file.
    std::fs::remove_file(dir.path().join("accounts/333333333333.json")).expect("remove");
    let failed = run(
        dir.path(),
        &["plan", "--snapshot", "accounts", "--out", "plan.json"],
    );
    assert_eq!(failed.code, Some(1), "{}", failed.stdout);
    assert!(
        failed.stdout.contains("security  333333333333  FAILED"),
        "{}",
        failed.stdout
    );
    let refused = apply_file(dir.path(), "plan.json", None);
    assert_eq!(refused.code, Some(1));
    assert!(
        refused.stderr.contains(
            "holds no plan for account security (333333333333): it failed to plan; a saved plan runs in every account or none"
        ),
        "{}",
        refused.stderr
    );
    let mut without_security = before.clone();
    without_security.remove("333333333333.json");
    assert_eq!(folder(dir.path()), without_security);
}

#[test]
fn show_merge_puts_the_shards_of_a_plan_in_one_comment() {
    let dir = applied_then_edited();
    // As the example workflow runs it: the matrix, then one saved plan per shard (dev and
    // security in the first, prod in the second).
    let matrix = run(
        dir.path(),
        &["accounts", "--format", "github-matrix", "--shards", "2"],
    );
    let matrix: serde_json::Value = serde_json::from_str(
        matrix
            .stdout
            .trim()
            .strip_prefix("matrix=")
            .expect("a GITHUB_OUTPUT line"),
    )
    .expect("JSON");
    let shards = matrix["include"].as_array().expect("include");
    assert_eq!(shards.len(), 2);
    for (i, shard) in shards.iter().enumerate() {
        let file = format!("shard-{}.json", i + 1);
        let mut args = vec!["plan", "--snapshot", "accounts", "--out", &file];
        args.extend(
            shard["accounts"]
                .as_str()
                .expect("selectors")
                .split_whitespace(),
        );
        let r = run(dir.path(), &args);
        assert_eq!(r.code, Some(0), "{}", r.stderr);
    }
    let (one, two) = (
        plan_id(dir.path(), "shard-1.json"),
        plan_id(dir.path(), "shard-2.json"),
    );
    let merged = run(
        dir.path(),
        &[
            "show",
            "--merge",
            "shard-1.json",
            "shard-2.json",
            "--format",
            "markdown",
        ],
    );
    assert_eq!(merged.code, Some(0), "{}", merged.stderr);
    let md = &merged.stdout;
    for want in [
        format!("Saved plan `shard-1.json` (2 account(s)): plan id `{one}`"),
        format!("Saved plan `shard-2.json` (1 account(s)): plan id `{two}`"),
        "3 account(s). Lands in (accounts): role.deploy 2".to_owned(),
        "| `prod` | 111111111111 | `/workloads/prod` | 0 | 1 | 0 | 0 | changes |".to_owned(),
        "| `dev` | 222222222222 | `/workloads/dev` | 0 | 1 | 0 | 0 | changes |".to_owned(),
        "| `security` | 333333333333 | `/security` | 0 | 0 | 0 | 0 | no changes |".to_owned(),
        "Deploys for prod (prod)".to_owned(),
    ] {
        assert!(md.contains(&want), "{want}\n{md}");
    }
    assert!(md.len() < 65_536, "within GitHub's comment limit");
    // JSON: every account, and each shard's id to apply it by.
    let json = run(
        dir.path(),
        &[
            "show",
            "--merge",
            "shard-1.json",
            "shard-2.json",
            "--format",
            "json",
        ],
    )
    .json();
    assert_eq!(json["accounts"].as_array().map(Vec::len), Some(3));
    assert_eq!(json["saved_plans"][1]["plan_id"], two.as_str());

    // The same account in two shards is refused; so is several files without --merge.
    let twice = run(
        dir.path(),
        &["show", "--merge", "shard-1.json", "shard-1.json"],
    );
    assert_eq!(twice.code, Some(1));
    assert!(
        twice.stderr.contains(
            "account dev (222222222222) is planned in both shard-1.json and shard-1.json"
        ),
        "{}",
        twice.stderr
    );
    let unmerged = run(dir.path(), &["show", "shard-1.json", "shard-2.json"]);
    assert_eq!(unmerged.code, Some(1));
    assert!(unmerged.stderr.contains("--merge"), "{}", unmerged.stderr);
    // Each shard applies on its own.
    let applied = apply_file(dir.path(), "shard-2.json", Some(&two));
    assert_eq!(applied.code, Some(0), "{}", applied.stderr);
}
