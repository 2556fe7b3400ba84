//! Build script: the commit and date `rolesmith --version` shows, e.g.
//! `rolesmith 0.1.0 (e950fff 2026-12-01)`, passed to the crate as `ROLESMITH_VERSION`.
//!
//! * The commit is `ROLESMITH_BUILD_COMMIT` when set (empty: none), else `git rev-parse --short
//!   HEAD` when the package is the top of a git checkout, else absent (a crates.io build).
//! * The date is `SOURCE_DATE_EPOCH` when set (reproducible builds), else today (UTC); only the
//!   day, so two builds of one commit on one day are identical.
//!
//! The script reruns only when those variables, `.git/HEAD` or the ref it points at change —
//! not on every source edit, which would rebuild the crate on every build. The date is
//! therefore the day of the last commit checked out or built from a clean target, not of every
//! incremental build.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{SystemTime, UNIX_EPOCH};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=ROLESMITH_BUILD_COMMIT");
    println!("cargo:rerun-if-env-changed=SOURCE_DATE_EPOCH");
    let dir = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap_or_default());
    let commit = match std::env::var("ROLESMITH_BUILD_COMMIT") {
        Ok(given) => Some(given.trim().to_owned()).filter(|c| !c.is_empty()),
        Err(_) => git_commit(&dir),
    };
    let date = civil_date(build_epoch() / 86_400);
    let detail = match commit {
        Some(commit) => format!("{commit} {date}"),
        None => date,
    };
    println!(
        "cargo:rustc-env=ROLESMITH_VERSION={} ({detail})",
        std::env::var("CARGO_PKG_VERSION").unwrap_or_default()
    );
}

/// `git` in `dir`, its trimmed stdout when it succeeds.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    (out.status.success() && !text.trim().is_empty()).then(|| text.trim().to_owned())
}

/// The short commit of the checkout whose top is `dir` (not of a repository that merely
/// contains it, such as a home directory under git holding `~/.cargo`), and the files whose
/// change means another commit: HEAD, the branch it names and `packed-refs`.
fn git_commit(dir: &Path) -> Option<String> {
    let top = PathBuf::from(git(dir, &["rev-parse", "--show-toplevel"])?);
    if top.canonicalize().ok()? != dir.canonicalize().ok()? {
        return None;
    }
    let mut watched = vec!["HEAD".to_owned(), "packed-refs".to_owned()];
    watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    for name in watched {
        // `--git-path` resolves worktrees: HEAD is the worktree's, refs are the common dir's.
        let Some(path) = git(dir, &["rev-parse", "--git-path", &name]) else {
            continue;
        };
        let path = dir.join(path);
        // A path that does not exist would make cargo rerun the script on every build.
        if path.exists() {
            println!("cargo:rerun-if-changed={}", path.display());
        }
    }
    git(dir, &["rev-parse", "--short", "HEAD"])
}

/// Seconds since the epoch: `SOURCE_DATE_EPOCH` when set, else now.
fn build_epoch() -> i64 {
    if let Ok(text) = std::env::var("SOURCE_DATE_EPOCH") {
        match text.trim().parse::<i64>() {
            Ok(secs) => return secs,
            Err(_) => println!(
                "cargo:warning=SOURCE_DATE_EPOCH `{text}` is not a number of seconds; using today"
            ),
        }
    }
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

/// `YYYY-MM-DD` of a day counted from 1970-01-01, in the proleptic Gregorian calendar (Howard
/// Hinnant's `civil_from_days`: shift the year to start in March so the leap day comes last,
/// then split into 400-year eras of 146,097 days).
fn civil_date(days: i64) -> String {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1_460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}
