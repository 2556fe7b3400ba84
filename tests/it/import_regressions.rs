//! Regressions found by an independent trial of `import`, path validation and settings, each
//! test named after the problem it pins. They run the binary (assert_cmd) or the library on
//! snapshot files, and a moto server where the live account matters.

use std::path::{Path, PathBuf};

use crate::support::block_on;
use crate::support::moto::Moto;
use rolesmith::check::{ResolveContext, load_and_validate};
use rolesmith::diagnostic::has_errors;

const ACCOUNT: &str = "123456789012";
const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

/// A role for [`snapshot_file`]: name, path, tags.
type Role<'a> = (&'a str, &'a str, &'a [(&'a str, &'a str)]);

/// Writes a snapshot file holding `roles` (each trusted by EC2) into `dir`.
fn snapshot_file(dir: &Path, roles: &[Role]) -> PathBuf {
    let trust: serde_json::Value = serde_json::from_str(EC2_TRUST).unwrap();
    let roles: serde_json::Map<String, serde_json::Value> = roles
        .iter()
        .map(|(name, path, tags)| {
            let tags: serde_json::Map<String, serde_json::Value> = tags
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).into()))
                .collect();
            let role = serde_json::json!({
                "name": name, "path": path, "trustPolicy": trust, "tags": tags,
            });
            ((*name).to_owned(), role)
        })
        .collect();
    let file = dir.join("account.json");
    let json = serde_json::json!({ "accountId": ACCOUNT, "partition": "aws", "roles": roles });
    std::fs::write(&file, serde_json::to_string_pretty(&json).unwrap()).unwrap();
    file
}

/// The binary, run in `cwd` (so no `rolesmith.toml` but the test's own is found), offline.
fn rolesmith_in(cwd: &Path) -> assert_cmd::Command {
    let mut cmd = assert_cmd::Command::cargo_bin("rolesmith").unwrap();
    cmd.current_dir(cwd)
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG")
        .timeout(std::time::Duration::from_secs(120));
    cmd
}

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// Every file below `dir`, recursively (links listed, never followed).
fn files_below(dir: &Path) -> Vec<PathBuf> {
    walkdir::WalkDir::new(dir)
        .min_depth(1)
        .into_iter()
        .map(|e| e.unwrap().into_path())
        .collect()
}

// ---------------------------------------------------------------------------------------------
// 1. Roles at paths with dot or empty segments.
// ---------------------------------------------------------------------------------------------

/// IAM accepts `/.ops/`, `/a//b/` and `///`, and role names that start with a dot. Import used to
/// write `.ops/…` and `.hidden.yaml` (which the loader skips: the roles left management without
/// a word) and `spec.path: /a//b/` (which validate rejected).
#[test]
fn import_dropped_roles_at_dot_and_double_slash_paths() {
    let moto = Moto::start();
    let iam = moto.iam();
    let roles = [
        ("ops-agent", "/.ops/"),
        ("ab", "/a//b/"),
        ("slashes", "///"),
        (".hidden", "/"),
        ("dots", "/../x/"),
    ];
    block_on(async {
        for (name, path) in roles {
            iam.create_role()
                .role_name(name)
                .path(path)
                .assume_role_policy_document(EC2_TRUST)
                .send()
                .await
                .expect("CreateRole");
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("manifests");
    let out_str = out.to_str().unwrap();
    let r = crate::support::run_live(&moto, &["import", "--out", out_str, "--adopt"]).success();
    assert!(r.stderr.contains("Imported 5 role(s)"), "{}", r.stderr);

    let (desired, diags, _) =
        load_and_validate(std::slice::from_ref(&out), &ResolveContext::offline());
    assert!(!has_errors(&diags), "{diags:#?}");
    for (name, path) in roles {
        let role = desired.roles.get(name).unwrap_or_else(|| {
            panic!(
                "{name} ({path}) was not loaded from {:?}",
                files_below(&out)
            )
        });
        assert_eq!(role.role.path, path, "{name}");
    }
    assert_eq!(desired.roles.len(), roles.len());

    // Against the same account, only the adoption tags change.
    let plan = crate::support::plan_json(&moto, &[out_str]);
    let ops: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["TagRole"; 5], "{plan:#}");
}

// ---------------------------------------------------------------------------------------------
// 2. Symlinks inside `--out`.
// ---------------------------------------------------------------------------------------------

/// `out/app -> elsewhere`: importing a role at `/app/` used to write `elsewhere/web.yaml`.
#[test]
fn import_wrote_through_a_symlinked_directory_inside_out() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot_file(dir.path(), &[("web", "/app/", &[]), ("batch", "/", &[])]);
    let out = dir.path().join("out");
    let elsewhere = dir.path().join("elsewhere");
    std::fs::create_dir_all(&out).unwrap();
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::os::unix::fs::symlink(&elsewhere, out.join("app")).unwrap();

    for force in [false, true] {
        let mut cmd = rolesmith_in(dir.path());
        cmd.args(["import", "--snapshot"])
            .arg(&snapshot)
            .arg("--out")
            .arg(&out);
        if force {
            cmd.arg("--force");
        }
        let output = cmd.output().unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "force={force}: {err}");
        assert!(
            err.contains(&out.join("app").display().to_string()),
            "{err}"
        );
        assert!(
            err.contains("symbolic link") && err.contains("hint:"),
            "{err}"
        );
        assert_eq!(
            files_below(&elsewhere),
            Vec::<PathBuf>::new(),
            "force={force}"
        );
        // Refused before anything was written.
        assert!(!out.join("batch.yaml").exists(), "force={force}");
    }
    assert!(out.join("app").symlink_metadata().unwrap().is_symlink());
}

/// `out/batch.yaml -> elsewhere/keep.txt` (and the schema file likewise): `import --force` used
/// to overwrite the link's target.
#[test]
fn import_wrote_through_a_symlinked_file_inside_out() {
    for link in ["batch.yaml", "rolesmith.schema.json"] {
        let dir = tempfile::tempdir().unwrap();
        let snapshot = snapshot_file(dir.path(), &[("batch", "/", &[])]);
        let out = dir.path().join("out");
        let elsewhere = dir.path().join("elsewhere");
        std::fs::create_dir_all(&out).unwrap();
        std::fs::create_dir_all(&elsewhere).unwrap();
        let keep = elsewhere.join("keep.txt");
        std::fs::write(&keep, "do not touch\n").unwrap();
        std::os::unix::fs::symlink(&keep, out.join(link)).unwrap();

        let output = rolesmith_in(dir.path())
            .args(["import", "--force", "--snapshot"])
            .arg(&snapshot)
            .arg("--out")
            .arg(&out)
            .output()
            .unwrap();
        let err = stderr(&output);
        assert_eq!(output.status.code(), Some(1), "{link}: {err}");
        assert!(err.contains(&out.join(link).display().to_string()), "{err}");
        assert!(err.contains("hint:"), "{err}");
        assert_eq!(std::fs::read_to_string(&keep).unwrap(), "do not touch\n");
        assert_eq!(
            files_below(&elsewhere),
            std::slice::from_ref(&keep),
            "{link}"
        );
        assert!(out.join(link).symlink_metadata().unwrap().is_symlink());
    }
}

/// The snapshot writer (also `apply --snapshot`'s checkpoint) renames a temporary file over its
/// target: a symlink there is replaced by the file, and what it pointed to is left alone.
#[test]
fn snapshot_write_replaces_a_symlink_at_its_target_never_the_linked_file() {
    let dir = tempfile::tempdir().unwrap();
    let keep = dir.path().join("keep.json");
    std::fs::write(&keep, "do not touch\n").unwrap();
    let target = dir.path().join("acct.json");
    std::os::unix::fs::symlink(&keep, &target).unwrap();
    let state = rolesmith::state::AccountState::empty(ACCOUNT, "aws");
    rolesmith::account::snapshot::write_atomically(&target, &state).unwrap();
    assert_eq!(std::fs::read_to_string(&keep).unwrap(), "do not touch\n");
    assert!(!target.symlink_metadata().unwrap().is_symlink());
    let text = std::fs::read_to_string(&target).unwrap();
    assert_eq!(
        rolesmith::account::snapshot::parse(&target, &text).unwrap(),
        state
    );
}

// ---------------------------------------------------------------------------------------------
// 3. `rolesmith.toml` for snapshot and import.
// ---------------------------------------------------------------------------------------------

const PLATFORM_CONFIG: &str =
    "path_prefix = \"/app/\"\n[ownership]\nkey = \"owner\"\nvalue = \"platform\"\n";

/// With `[ownership] owner=platform` in rolesmith.toml, a role tagged `owner=platform` is owned:
/// import used to apply `managed-by=rolesmith` regardless, so it wrote `adopt: true`, kept the
/// ownership tag among the role's tags and hinted that the role lacked the tag.
#[test]
fn import_ignored_the_ownership_tag_of_rolesmith_toml() {
    let dir = tempfile::tempdir().unwrap();
    let snapshot = snapshot_file(
        dir.path(),
        &[
            ("web", "/app/", &[("owner", "platform"), ("team", "web")]),
            ("other", "/other/", &[]),
        ],
    );
    std::fs::write(dir.path().join("rolesmith.toml"), PLATFORM_CONFIG).unwrap();
    let out = dir.path().join("out");
    let output = rolesmith_in(dir.path())
        .args(["import", "--adopt", "--snapshot"])
        .arg(&snapshot)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(!err.contains("lack the ownership tag"), "{err}");
    let text = std::fs::read_to_string(out.join("app/web.yaml")).unwrap();
    assert!(!text.contains("adopt"), "{text}");
    assert!(!text.contains("owner"), "{text}");
    assert!(text.contains("team: web"), "{text}");
    // The config's path prefix applies to a snapshot too.
    assert!(!out.join("other/other.yaml").exists(), "{err}");
    assert!(err.contains("Imported 1 role(s)"), "{err}");

    // A flag still beats the config.
    let output = rolesmith_in(dir.path())
        .args([
            "import",
            "--force",
            "--adopt",
            "--ownership-tag",
            "managed-by=rolesmith",
        ])
        .args(["--path-prefix", "/"])
        .arg("--snapshot")
        .arg(&snapshot)
        .arg("--out")
        .arg(&out)
        .output()
        .unwrap();
    let err = stderr(&output);
    assert!(output.status.success(), "{err}");
    assert!(err.contains("Imported 2 role(s)"), "{err}");
    let text = std::fs::read_to_string(out.join("app/web.yaml")).unwrap();
    assert!(
        text.contains("adopt: true") && text.contains("owner: platform"),
        "{text}"
    );
}

/// `path_prefix = "/app/"` in rolesmith.toml: snapshot used to capture every role.
#[test]
fn snapshot_ignored_the_path_prefix_of_rolesmith_toml() {
    let moto = Moto::start();
    let iam = moto.iam();
    block_on(async {
        for (name, path) in [("web", "/app/"), ("other", "/other/")] {
            iam.create_role()
                .role_name(name)
                .path(path)
                .assume_role_policy_document(EC2_TRUST)
                .send()
                .await
                .expect("CreateRole");
        }
    });
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("rolesmith.toml");
    std::fs::write(&config, PLATFORM_CONFIG).unwrap();
    let file = dir.path().join("acct.json");
    let r = crate::support::run_live(
        &moto,
        &[
            "--config",
            config.to_str().unwrap(),
            "snapshot",
            "--out",
            file.to_str().unwrap(),
        ],
    )
    .success();
    let text = std::fs::read_to_string(&file).unwrap();
    let state = rolesmith::account::snapshot::parse(&file, &text).unwrap();
    let names: Vec<&str> = state.roles.keys().map(String::as_str).collect();
    assert_eq!(names, ["web"], "{}", r.stderr);
}

/// `validate` resolves its settings like plan (pins the move from a hand-built context to
/// resolved settings): the config's quotas, and its `paths` when none are given.
#[test]
fn validate_takes_quotas_and_paths_from_rolesmith_toml() {
    let dir = tempfile::tempdir().unwrap();
    let manifests = dir.path().join("m");
    std::fs::create_dir_all(&manifests).unwrap();
    let policies: String = (0..12)
        .map(|i| format!("    - arn:aws:iam::{ACCOUNT}:policy/p{i}\n"))
        .collect();
    std::fs::write(
        manifests.join("web.yaml"),
        format!(
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  managedPolicies:\n{policies}"
        ),
    )
    .unwrap();
    let run = |config: &str| {
        std::fs::write(dir.path().join("rolesmith.toml"), config).unwrap();
        rolesmith_in(dir.path())
            .args(["validate", "m"])
            .output()
            .unwrap()
    };
    let output = run("");
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    let output = run("[quotas]\nmanaged_policies_per_role = 20\n");
    assert!(output.status.success(), "{}", stderr(&output));
    // `paths` from the config when none are given.
    std::fs::write(
        dir.path().join("rolesmith.toml"),
        "paths = [\"m\"]\n[quotas]\nmanaged_policies_per_role = 20\n",
    )
    .unwrap();
    let output = rolesmith_in(dir.path()).arg("validate").output().unwrap();
    let out = String::from_utf8_lossy(&output.stdout);
    assert!(out.contains("1 manifest(s) in 1 file(s)"), "{out}");
}
