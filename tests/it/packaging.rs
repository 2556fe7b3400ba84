//! How rolesmith reaches its users, checked offline: the install script behind the GitHub
//! Action against a folder of fake release assets (a right checksum installs, a wrong one
//! installs nothing, an unknown platform is named), the asset names against what cargo-dist
//! plans, the release workflow against what cargo-dist generates, actionlint on every workflow
//! and the action, hadolint on the Dockerfile, and what `cargo package` would publish.
//!
//! The linters and cargo-dist come from PyPI into venvs under the target dir
//! ([`crate::support::venv`]); each check also runs once on a deliberately bad input, so a
//! linter that silently passes everything fails the test.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::release::{
    FAKE_OUTPUT, FakeRelease, Out, VERSION, asset_for, install_script, output, sha256_hex,
    this_target,
};
use crate::support::root;
use crate::support::venv::{ACTIONLINT, CARGO_DIST, HADOLINT};

/// Largest file `cargo package` may ship.
const MAX_PACKAGED_FILE: u64 = 1024 * 1024;

// ---------------------------------------------------------------------------------------------
// The install script (scripts/install.sh, which action.yml runs).
// ---------------------------------------------------------------------------------------------

#[test]
fn install_script_installs_a_release_whose_checksum_matches() {
    let target = this_target();
    let release = FakeRelease::new();
    release.add(&asset_for(&target), None);
    // The action passes a URL; a person may pass a folder. `v` before the version is accepted.
    for (base, version) in [
        (release.file_url(), VERSION.to_owned()),
        (
            release.dir.path().display().to_string(),
            format!("v{VERSION}"),
        ),
    ] {
        let bin = tempfile::tempdir().expect("temp dir");
        let dir = bin.path().join("bin");
        let out = output(
            install_script()
                .args(["--version", &version, "--dir"])
                .arg(&dir)
                .env("ROLESMITH_DOWNLOAD_BASE", &base),
        );
        assert!(out.ok, "install from {base} failed:\n{}", out.text());
        assert!(
            out.stdout
                .contains(&format!("installed rolesmith {VERSION} ({target})")),
            "{}",
            out.text()
        );
        let installed = output(Command::new(dir.join("rolesmith")).arg("--version"));
        assert!(
            installed.ok,
            "the installed binary failed: {}",
            installed.text()
        );
        assert_eq!(installed.stdout.trim(), FAKE_OUTPUT);
        let left: Vec<_> = fs::read_dir(&dir).expect("bin dir").collect();
        assert_eq!(
            left.len(),
            1,
            "only the binary is left in {}",
            dir.display()
        );
    }
}

#[test]
fn install_script_refuses_a_wrong_checksum_and_installs_nothing() {
    let target = this_target();
    let asset = asset_for(&target);
    let release = FakeRelease::new();
    let wrong = sha256_hex(b"something else");
    release.add(&asset, Some(&wrong));
    let real = sha256_hex(&fs::read(release.assets().join(&asset)).expect("asset"));
    let bin = tempfile::tempdir().expect("temp dir");
    // A binary already installed stays as it was.
    fs::write(bin.path().join("rolesmith"), "previous").expect("previous binary");
    let out = output(
        install_script()
            .args(["--version", VERSION, "--dir"])
            .arg(bin.path())
            .args(["--base-url", &release.file_url()]),
    );
    assert_eq!(out.code, Some(1), "{}", out.text());
    assert!(
        out.stderr.contains(&format!(
            "checksum mismatch for {asset}: expected {wrong}, got {real}; nothing was installed"
        )),
        "{}",
        out.text()
    );
    let names: Vec<String> = fs::read_dir(bin.path())
        .expect("bin dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(names, ["rolesmith"], "nothing else was written");
    assert_eq!(
        fs::read_to_string(bin.path().join("rolesmith")).expect("binary"),
        "previous"
    );
}

#[test]
fn install_script_names_an_unsupported_platform() {
    // A `uname` that says SunOS on SPARC, first on PATH.
    let fake = tempfile::tempdir().expect("temp dir");
    let uname = fake.path().join("uname");
    fs::write(
        &uname,
        "#!/bin/sh\ncase \"$1\" in -s) echo SunOS ;; -m) echo sparc64 ;; esac\n",
    )
    .expect("fake uname");
    assert!(output(Command::new("chmod").arg("755").arg(&uname)).ok);
    let path = format!(
        "{}:{}",
        fake.path().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let bin = tempfile::tempdir().expect("temp dir");
    let dir = bin.path().join("bin");
    let cases: [(&[&str], &str); 2] = [
        (
            &[],
            "no rolesmith release for this platform (SunOS sparc64)",
        ),
        (
            &["--target", "mips-unknown-linux-gnu"],
            "no rolesmith release for target `mips-unknown-linux-gnu`",
        ),
    ];
    for (extra, message) in cases {
        let out = output(
            install_script()
                .args(["--version", VERSION, "--dir"])
                .arg(&dir)
                .args(extra)
                .env("PATH", &path),
        );
        assert_eq!(out.code, Some(1), "{}", out.text());
        assert!(out.stderr.contains(message), "{}", out.text());
        assert!(
            out.stderr
                .contains("releases are built for: x86_64-unknown-linux-musl"),
            "{}",
            out.text()
        );
        assert!(!dir.exists(), "nothing installed");
    }
}

/// cargo-dist's manifest for a `v<VERSION>` release (what the release workflow uploads).
fn dist_manifest() -> serde_json::Value {
    let out = output(
        Command::new(CARGO_DIST.executable())
            .args(["manifest", "--artifacts=all", "--output-format=json"])
            .args(["--no-local-paths", "--tag", &format!("v{VERSION}")])
            .current_dir(root()),
    );
    assert!(out.ok, "dist manifest failed:\n{}", out.text());
    serde_json::from_str(&out.stdout).expect("dist manifest is JSON")
}

#[test]
fn install_script_installs_every_archive_cargo_dist_builds() {
    let manifest = dist_manifest();
    let archives: Vec<(String, String)> = manifest["artifacts"]
        .as_object()
        .expect("artifacts")
        .iter()
        .filter(|(_, a)| a["kind"] == "executable-zip")
        .map(|(name, a)| {
            let target = a["target_triples"][0]
                .as_str()
                .expect("a target")
                .to_owned();
            (name.clone(), target)
        })
        .collect();
    assert_eq!(archives.len(), 5, "five platforms: {archives:?}");
    for (asset, target) in &archives {
        assert!(
            manifest["artifacts"]
                .get(format!("{asset}.sha256"))
                .is_some(),
            "dist publishes {asset}.sha256"
        );
        let release = FakeRelease::new();
        release.add(asset, None);
        let bin = tempfile::tempdir().expect("temp dir");
        let out = output(
            install_script()
                .args(["--version", VERSION, "--target", target, "--dir"])
                .arg(bin.path())
                .args(["--base-url", &release.file_url()]),
        );
        assert!(out.ok, "{target} ({asset}):\n{}", out.text());
        let exe = if target.contains("windows") {
            "rolesmith.exe"
        } else {
            "rolesmith"
        };
        assert!(bin.path().join(exe).is_file(), "{target}: no {exe}");
    }
    // And the script offers exactly the platforms dist builds.
    let out = output(install_script().args(["--version", VERSION, "--target", "none"]));
    let offered = out
        .stderr
        .split("releases are built for: ")
        .nth(1)
        .expect("the script lists its targets");
    let mut offered: Vec<&str> = offered.split_whitespace().collect();
    let mut built: Vec<&str> = archives.iter().map(|(_, t)| t.as_str()).collect();
    offered.sort_unstable();
    built.sort_unstable();
    assert_eq!(offered, built);
}

// ---------------------------------------------------------------------------------------------
// The release workflow is cargo-dist's.
// ---------------------------------------------------------------------------------------------

#[test]
fn release_workflow_is_what_cargo_dist_generates() {
    let dist = CARGO_DIST.executable();
    let check = |dir: &Path| {
        output(
            Command::new(&dist)
                .args(["generate", "--check"])
                .current_dir(dir),
        )
    };
    let out = check(&root());
    assert!(
        out.ok,
        "the release workflow is not what dist-workspace.toml generates; regenerate it with\n\
         \x20   {} generate\n{}",
        dist.display(),
        out.text()
    );
    // The check does catch a hand edit (in a copy of the files dist reads).
    let copy = tempfile::tempdir().expect("temp dir");
    for file in [
        "Cargo.toml",
        "Cargo.lock",
        "dist-workspace.toml",
        "README.md",
        "build.rs",
    ] {
        if root().join(file).is_file() {
            fs::copy(root().join(file), copy.path().join(file)).expect(file);
        }
    }
    copy_tree(&root().join("src"), &copy.path().join("src"));
    let workflow = copy.path().join(".github/workflows/v-release.yml");
    fs::create_dir_all(workflow.parent().expect("parent")).expect("workflows dir");
    let text =
        fs::read_to_string(root().join(".github/workflows/v-release.yml")).expect("workflow");
    fs::write(&workflow, format!("{text}# edited by hand\n")).expect("edit");
    let out = check(copy.path());
    assert!(
        !out.ok && out.text().contains("v-release.yml"),
        "{}",
        out.text()
    );
    // The workflow installs the dist the tests pin.
    let pinned = fs::read_to_string(root().join(CARGO_DIST.requirements)).expect("requirements");
    let config = fs::read_to_string(root().join("dist-workspace.toml")).expect("config");
    let version = pinned
        .lines()
        .find_map(|l| l.strip_prefix("astral-dev-toolchain-cargo-dist=="))
        .expect("a pinned version");
    assert!(
        config.contains(&format!("cargo-dist-version = \"{version}\"")),
        "dist-workspace.toml and {} name different versions",
        CARGO_DIST.requirements
    );
}

fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from) {
        let entry = entry.expect("walk");
        let dest = to.join(entry.path().strip_prefix(from).expect("inside"));
        if entry.file_type().is_dir() {
            fs::create_dir_all(&dest).expect("mkdir");
        } else {
            fs::copy(entry.path(), &dest).expect("copy");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Linters.
// ---------------------------------------------------------------------------------------------

/// actionlint on `files`, from `dir` (where `uses: ./` resolves), with shellcheck on every
/// `run:` script; `ignore` takes actionlint `-ignore` patterns.
fn actionlint(dir: &Path, files: &[PathBuf], ignore: &[&str]) -> Out {
    let exe = ACTIONLINT.executable();
    let shellcheck = exe.with_file_name("shellcheck");
    let mut cmd = Command::new(&exe);
    cmd.arg("-no-color").arg("-shellcheck").arg(&shellcheck);
    for pattern in ignore {
        cmd.args(["-ignore", pattern]);
    }
    output(cmd.args(files).current_dir(dir))
}

fn yaml_files(dir: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "yml" || e == "yaml"))
        .collect();
    files.sort();
    files
}

#[test]
fn workflows_and_the_action_pass_actionlint() {
    // The linter really runs: a broken expression and a misspelled input of this action fail.
    let project = tempfile::tempdir().expect("temp dir");
    fs::create_dir_all(project.path().join(".git")).expect(".git");
    fs::create_dir_all(project.path().join(".github/workflows")).expect("workflows");
    fs::copy(root().join("action.yml"), project.path().join("action.yml")).expect("action");
    let broken = project.path().join(".github/workflows/broken.yml");
    fs::write(
        &broken,
        "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n\
         \x20     - run: echo ${{ github.evnt }}\n\
         \x20     - uses: ./\n        with:\n          verzion: 0.1.0\n",
    )
    .expect("write");
    let out = actionlint(project.path(), &[broken], &[]);
    assert!(
        !out.ok,
        "actionlint accepted a broken workflow:\n{}",
        out.text()
    );
    for problem in [
        "evnt",
        "input \"verzion\" is not defined",
        "missing input \"version\"",
    ] {
        assert!(
            out.text().contains(problem),
            "no `{problem}` in:\n{}",
            out.text()
        );
    }

    let ours = root().join(".github/workflows");
    let generated = ours.join("v-release.yml");
    let mut files: Vec<PathBuf> = yaml_files(&ours)
        .into_iter()
        .filter(|f| f != &generated)
        .collect();
    files.extend(yaml_files(&root().join("examples/github")));
    files.extend(yaml_files(&root().join("examples/github/organization")));
    assert!(
        files.iter().any(|f| f.ends_with("ci.yml")) && files.len() >= 4,
        "{files:?}"
    );
    let ci = fs::read_to_string(ours.join("ci.yml")).expect("ci.yml");
    assert!(
        ci.contains("uses: ./"),
        "ci.yml runs the action, so its inputs are checked"
    );
    let out = actionlint(&root(), &files, &[]);
    assert!(out.ok, "actionlint found problems:\n{}", out.text());
    // cargo-dist's output is checked as it is (it is regenerated, never edited), less two
    // shellcheck style notes about its own scripts.
    let out = actionlint(&root(), &[generated], &["SC2086", "SC2129"]);
    assert!(
        out.ok,
        "actionlint found problems in the release workflow:\n{}",
        out.text()
    );
}

#[test]
fn install_script_passes_shellcheck() {
    let shellcheck = ACTIONLINT.executable().with_file_name("shellcheck");
    let bad = tempfile::tempdir().expect("temp dir");
    fs::write(bad.path().join("bad.sh"), "#!/bin/sh\nrm -rf $1/*\n").expect("write");
    let out = output(Command::new(&shellcheck).arg(bad.path().join("bad.sh")));
    assert!(!out.ok && out.text().contains("SC2086"), "{}", out.text());
    let out = output(Command::new(&shellcheck).arg(root().join("scripts/install.sh")));
    assert!(out.ok, "shellcheck found problems:\n{}", out.text());
}

#[test]
fn dockerfile_passes_hadolint() {
    let hadolint = HADOLINT.executable();
    let bad = tempfile::tempdir().expect("temp dir");
    fs::write(
        bad.path().join("Dockerfile"),
        "FROM ubuntu:latest\nRUN apt-get update && apt-get install -y curl\n",
    )
    .expect("write");
    let out = output(
        Command::new(&hadolint)
            .arg("--no-color")
            .arg(bad.path().join("Dockerfile")),
    );
    assert!(
        !out.ok && out.text().contains("DL3007"),
        "hadolint accepted:\n{}",
        out.text()
    );
    let out = output(
        Command::new(&hadolint)
            .arg("--no-color")
            .arg(root().join("Dockerfile")),
    );
    assert!(out.ok, "hadolint found problems:\n{}", out.text());

    let text = fs::read_to_string(root().join("Dockerfile")).expect("Dockerfile");
    let froms: Vec<&str> = text.lines().filter(|l| l.starts_with("FROM ")).collect();
    assert!(froms.len() >= 2, "multi-stage: {froms:?}");
    let last = froms.last().expect("a FROM");
    assert!(
        last.contains("distroless/static") || last.contains("scratch"),
        "a minimal final base: {last}"
    );
    let user = text
        .lines()
        .filter_map(|l| l.strip_prefix("USER "))
        .next_back()
        .expect("a USER");
    assert!(
        !user.starts_with('0') && !user.starts_with("root"),
        "non-root: {user}"
    );
    assert!(text.contains("ENTRYPOINT [\"rolesmith\"]"));
}

// ---------------------------------------------------------------------------------------------
// What crates.io would get.
// ---------------------------------------------------------------------------------------------

#[test]
fn cargo_package_ships_nothing_large_or_private() {
    let out = output(
        Command::new(env!("CARGO"))
            .args(["package", "--list", "--allow-dirty", "--quiet"])
            .current_dir(root()),
    );
    assert!(out.ok, "cargo package --list failed:\n{}", out.text());
    let files: Vec<&str> = out.stdout.lines().collect();
    // Written by cargo into the package, not files of ours.
    let generated = [".cargo_vcs_info.json", "Cargo.toml.orig"];
    let private = [
        "tests/",
        "target/",
        ".ci/",
        ".github/",
        "examples/",
        "benches/",
        "docs/",
        "scripts/",
    ];
    for file in &files {
        assert!(
            !private.iter().any(|p| file.starts_with(p)),
            "{file} is not for crates.io"
        );
        assert!(
            !file.ends_with(".snap") && !file.ends_with(".snap.new"),
            "{file} is a test snapshot"
        );
        let name = file.rsplit('/').next().unwrap_or(file);
        assert!(
            !name.starts_with('.') || generated.contains(file),
            "{file} is a hidden file"
        );
        if !generated.contains(file) {
            let size = fs::metadata(root().join(file)).expect(file).len();
            assert!(
                size <= MAX_PACKAGED_FILE,
                "{file} is {size} bytes (over 1 MiB)"
            );
        }
    }
    // Everything the build needs is there: every file under src/ (include_str! may read any),
    // the compiled-in data, the build script if there is one.
    let mut needed: Vec<String> = walkdir::WalkDir::new(root().join("src"))
        .into_iter()
        .map(|e| e.expect("walk"))
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let relative = e.path().strip_prefix(root()).expect("inside the crate");
            relative.to_string_lossy().replace('\\', "/")
        })
        .collect();
    needed.extend(
        [
            "Cargo.toml",
            "Cargo.lock",
            "README.md",
            "data/iam-actions.txt",
        ]
        .map(String::from),
    );
    if root().join("build.rs").is_file() {
        needed.push("build.rs".to_owned());
    }
    for file in &needed {
        assert!(
            files.contains(&file.as_str()),
            "{file} is missing from the package"
        );
    }
}
