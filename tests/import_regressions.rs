//! Regressions found by an independent trial of `import`, path validation and settings, each
//! test named after the problem it pins. They run the binary (assert_cmd) or the library on
//! snapshot files, and a moto server where the live account matters.

mod support;

use std::path::{Path, PathBuf};

use rolesmith::diagnostic::has_errors;
use rolesmith::manifest::{ResolveContext, load_and_validate};
use support::block_on;
use support::moto::Moto;

const EC2_TRUST: &str = r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#;

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
    let r = support::run_live(&moto, &["import", "--out", out_str, "--adopt"]).success();
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
    let plan = support::plan_json(&moto, &[out_str]);
    let ops: Vec<&str> = plan["steps"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["operation"].as_str().unwrap())
        .collect();
    assert_eq!(ops, ["TagRole"; 5], "{plan:#}");
}
