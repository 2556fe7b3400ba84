//! `rolesmith init`: a starter project that validates cleanly and plans to nothing once applied,
//! written only where nothing exists, never through a link.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use crate::support::{Run, arg, finish, offline, root, snapshot};

/// Runs the binary in `dir` with `args`.
fn run_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = offline();
    cmd.current_dir(dir);
    finish(cmd, args, "")
}

/// Every file under `dir`, by path relative to it, with its bytes.
fn files_under(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

#[test]
fn init_into_an_empty_folder_validates_strictly_and_applies_to_no_changes() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path().join("project");
    let r = crate::support::run_offline(&["init", &arg(&dir)]);
    insta::assert_snapshot!("init-empty-folder", snapshot::render(&r));
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let written: Vec<PathBuf> = files_under(&dir).into_keys().collect();
    assert_eq!(
        written,
        [
            "manifests/cloudwatch-agent.yaml",
            "manifests/rolesmith.schema.json",
            "rolesmith.toml",
        ]
        .map(PathBuf::from)
    );
    let manifest = std::fs::read_to_string(dir.join("manifests/cloudwatch-agent.yaml")).unwrap();
    assert!(
        manifest.starts_with("# yaml-language-server: $schema=rolesmith.schema.json\n"),
        "{manifest}"
    );
    assert_eq!(
        std::fs::read_to_string(dir.join("manifests/rolesmith.schema.json")).unwrap(),
        rolesmith::schema::manifest_schema()
    );

    // `strict = true` is in the config, and --strict besides: no finding at all.
    let validate = run_in(&dir, &["validate", "--strict"]);
    assert_eq!(validate.code, Some(0), "{}", validate.stderr);
    assert_eq!(validate.stderr, "", "findings: {}", validate.stderr);
    assert_eq!(validate.stdout, "2 manifest(s) in 1 file(s) are valid.\n");

    let apply = run_in(&dir, &["apply", "--snapshot", "new.json", "--auto-approve"]);
    assert_eq!(apply.code, Some(0), "{}", apply.stderr);
    assert!(apply.stdout.contains("Apply complete"), "{}", apply.stdout);
    let plan = run_in(&dir, &["plan", "--snapshot", "new.json"]);
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    // The example binds instances by tag; a new account has none, which the plan says.
    assert!(
        plan.stdout
            .contains("No changes. The account matches the manifests.\nwarning: the `ec2` selector of instance profile cloudwatch-agent (cloudwatch-agent=enabled) matches no running or stopped instance"),
        "{}",
        plan.stdout
    );
}

#[test]
fn init_twice_refuses_and_leaves_every_file_byte_identical() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    run_in(dir, &["init", "--github"]).success();
    std::fs::write(dir.join("manifests/cloudwatch-agent.yaml"), "# edited\n").unwrap();
    let before = files_under(dir);
    for args in [&["init"][..], &["init", "--github"]] {
        let again = run_in(dir, args);
        assert_eq!(again.code, Some(1), "{}", again.stdout);
        assert!(
            again.stderr.contains("rolesmith.toml already exists"),
            "{}",
            again.stderr
        );
        assert_eq!(files_under(dir), before, "init {args:?} changed a file");
    }
}

#[test]
fn init_refuses_when_any_one_file_exists_and_writes_none() {
    let temp = tempfile::tempdir().unwrap();
    let dir = temp.path();
    std::fs::create_dir_all(dir.join(".github/workflows")).unwrap();
    std::fs::write(dir.join(".github/workflows/rolesmith-apply.yml"), "mine\n").unwrap();
    // Without --github the workflow is not in the way.
    let r = run_in(dir, &["init", "--github"]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("rolesmith-apply.yml already exists"),
        "{}",
        r.stderr
    );
    assert_eq!(files_under(dir).len(), 1, "init wrote something");
    run_in(dir, &["init"]).success();
    assert_eq!(files_under(dir).len(), 4);
}

#[test]
fn init_github_writes_the_three_example_workflows_unchanged() {
    let temp = tempfile::tempdir().unwrap();
    let r = run_in(temp.path(), &["init", "--github"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    for (written, example) in [
        ("rolesmith-plan.yml", "plan.yml"),
        ("rolesmith-apply.yml", "apply.yml"),
        ("rolesmith-drift.yml", "drift.yml"),
    ] {
        let written = temp.path().join(".github/workflows").join(written);
        assert_eq!(
            std::fs::read(&written).unwrap(),
            std::fs::read(root().join("examples/github").join(example)).unwrap(),
            "{} differs from examples/github/{example}",
            written.display()
        );
    }
    assert_eq!(
        std::fs::read_dir(temp.path().join(".github/workflows"))
            .unwrap()
            .count(),
        3
    );
}

#[cfg(unix)]
#[test]
fn init_never_writes_through_a_symlinked_folder() {
    let temp = tempfile::tempdir().unwrap();
    let elsewhere = temp.path().join("elsewhere");
    let dir = temp.path().join("project");
    std::fs::create_dir_all(&elsewhere).unwrap();
    std::fs::create_dir_all(&dir).unwrap();
    std::os::unix::fs::symlink(&elsewhere, dir.join("manifests")).unwrap();
    let r = run_in(&dir, &["init"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("is a symbolic link"), "{}", r.stderr);
    assert_eq!(std::fs::read_dir(&elsewhere).unwrap().count(), 0);
    assert!(
        !dir.join("rolesmith.toml").exists(),
        "init wrote before refusing"
    );
}
