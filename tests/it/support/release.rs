//! Fake rolesmith releases for the install script (`scripts/install.sh`, which `action.yml`
//! runs): a folder laid out as GitHub serves a release, holding archives shaped as cargo-dist
//! builds them around a fake binary, with their `.sha256` files; and the script itself, run
//! as a child with none of the caller's settings.

use std::fs;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use sha2::{Digest, Sha256};

use super::root;

/// The version the fake releases carry.
pub const VERSION: &str = "0.1.0";
/// What the fake `rolesmith` prints for `--version`.
pub const FAKE_OUTPUT: &str = "rolesmith 0.1.0 (fake)";

/// A finished child process.
pub struct Out {
    /// Exit status 0.
    pub ok: bool,
    /// The exit code (`None` when killed by a signal).
    pub code: Option<i32>,
    /// Standard output.
    pub stdout: String,
    /// Standard error.
    pub stderr: String,
}

impl Out {
    /// stdout then stderr, for failure messages.
    pub fn text(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `cmd` to the end, stdin empty.
pub fn output(cmd: &mut Command) -> Out {
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    Out {
        ok: out.status.success(),
        code: out.status.code(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The SHA-256 of `bytes` in lowercase hex, as `sha256sum` prints it.
pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// `bash scripts/install.sh` with none of the caller's `ROLESMITH_*` settings.
pub fn install_script() -> Command {
    let mut cmd = Command::new("bash");
    cmd.arg(root().join("scripts/install.sh"));
    for var in [
        "ROLESMITH_VERSION",
        "ROLESMITH_INSTALL_DIR",
        "ROLESMITH_DOWNLOAD_BASE",
    ] {
        cmd.env_remove(var);
    }
    cmd
}

/// The target triple the script detects on this machine.
pub fn this_target() -> String {
    let out = output(install_script().arg("--print-target"));
    assert!(out.ok, "--print-target failed:\n{}", out.text());
    out.stdout.trim().to_owned()
}

/// A release folder laid out as GitHub serves one: `<root>/v<version>/<asset>`.
pub struct FakeRelease {
    /// The release root (the download base).
    pub dir: tempfile::TempDir,
}

impl FakeRelease {
    /// An empty release folder for [`VERSION`].
    pub fn new() -> FakeRelease {
        let dir = tempfile::tempdir().expect("temp dir");
        fs::create_dir_all(dir.path().join(format!("v{VERSION}"))).expect("release dir");
        FakeRelease { dir }
    }

    /// The folder holding the assets (`<root>/v<version>`).
    pub fn assets(&self) -> PathBuf {
        self.dir.path().join(format!("v{VERSION}"))
    }

    /// Adds `asset` as cargo-dist builds it (a tarball holding `<stem>/rolesmith`, or a zip
    /// holding `rolesmith.exe` at its root) with a fake binary that prints [`FAKE_OUTPUT`],
    /// and its `.sha256` holding `digest` (the real one when `None`).
    pub fn add(&self, asset: &str, digest: Option<&str>) {
        let stage = tempfile::tempdir().expect("temp dir");
        let path = self.assets().join(asset);
        if asset.ends_with(".zip") {
            let script = "import sys, zipfile\n\
                with zipfile.ZipFile(sys.argv[1], 'w') as z:\n\
                \x20   z.writestr('rolesmith.exe', sys.argv[2])\n";
            let out = output(
                Command::new("python3")
                    .args(["-c", script])
                    .arg(&path)
                    .arg(format!("#!/bin/sh\necho '{FAKE_OUTPUT}'\n")),
            );
            assert!(out.ok, "make {asset}: {}", out.text());
        } else {
            let stem = asset
                .strip_suffix(".tar.xz")
                .expect("a .tar.xz or .zip asset");
            let bin = stage.path().join(stem);
            fs::create_dir_all(&bin).expect("stage dir");
            fs::write(
                bin.join("rolesmith"),
                format!("#!/bin/sh\necho '{FAKE_OUTPUT}'\n"),
            )
            .expect("fake binary");
            let out = output(Command::new("chmod").arg("755").arg(bin.join("rolesmith")));
            assert!(out.ok, "chmod: {}", out.text());
            let out = output(
                Command::new("tar")
                    .arg("-C")
                    .arg(stage.path())
                    .arg("-cJf")
                    .arg(&path)
                    .arg(stem),
            );
            assert!(out.ok, "make {asset}: {}", out.text());
        }
        let real = sha256_hex(&fs::read(&path).expect("read the asset"));
        let digest = digest.unwrap_or(&real);
        // The format cargo-dist writes: `<hex> *<file name>`, then a blank line.
        fs::write(
            self.assets().join(format!("{asset}.sha256")),
            format!("{digest} *{asset}\n\n"),
        )
        .expect("write the checksum");
    }

    /// The release root as a `file://` URL (the script's download base).
    pub fn file_url(&self) -> String {
        format!("file://{}", self.dir.path().display())
    }
}

/// `rolesmith-<target>.tar.xz`, or `.zip` for Windows (cargo-dist's defaults).
pub fn asset_for(target: &str) -> String {
    let ext = if target.contains("windows") {
        "zip"
    } else {
        "tar.xz"
    };
    format!("rolesmith-{target}.{ext}")
}
