//! `rolesmith expire [--write]`: the manifests' elements whose `expiresAt` has passed, and with
//! `--write` the manifests without them.
//!
//! IAM already stopped honouring an expired trust entry or statement (its condition), and the
//! next apply removed what IAM cannot condition; this cleans the manifests up so they say what
//! the account holds. Only the elements' own lines change (`manifest::cut`); a file whose every
//! document expired is deleted. A file that is a symbolic link, or an element written in flow
//! style, is refused before anything is written.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{BoxError, ExitStatus, UserError};
use crate::expiry::Instant;
use crate::manifest::cut::{cut, removals};
use crate::manifest::load_paths;
use crate::manifest::source::Seg;
use crate::manifest::validate::expiry::at;

/// `rolesmith expire`.
pub(super) fn expire_command(
    paths: &[PathBuf],
    write: bool,
    now: Instant,
) -> Result<ExitStatus, BoxError> {
    let loaded = load_paths(paths);
    if let Some(bad) = loaded
        .diagnostics
        .iter()
        .find(|d| d.severity == crate::diagnostic::Severity::Error)
    {
        super::print_diagnostics(&loaded.diagnostics);
        return Err(Box::new(UserError::new(
            format!(
                "the manifests do not load ({}); nothing was changed",
                bad.message
            ),
            "fix the errors above (`rolesmith validate` shows them)",
        )));
    }
    let mut by_file: BTreeMap<PathBuf, (String, Vec<std::ops::Range<usize>>)> = BTreeMap::new();
    let mut listed = 0;
    let mut by_hand = 0;
    for doc in &loaded.documents {
        for (path, at) in expired_in_overrides(doc, now) {
            println!(
                "{}  {}  in overrides  expired {at}  (not removed by --write: edit it by hand)",
                doc.locate(&path),
                doc.document.name()
            );
            by_hand += 1;
        }
        let found = at(doc, now).found;
        let expired: Vec<_> = found.into_iter().filter(|f| f.expiring.expired).collect();
        if expired.is_empty() {
            continue;
        }
        for f in &expired {
            let e = &f.expiring;
            println!(
                "{}  {}  {}  expired {}",
                e.location, e.address, e.element, e.at
            );
        }
        listed += expired.len();
        let paths: Vec<_> = expired
            .iter()
            .map(|f| (f.expiring.element != "the role").then(|| f.path.clone()))
            .collect();
        let ranges = removals(doc, &paths).map_err(|m| {
            UserError::new(
                format!("{}: {m}; nothing was changed", doc.source.path.display()),
                "edit the manifest by hand, then run `rolesmith expire` again",
            )
        })?;
        by_file
            .entry(doc.source.path.clone())
            .or_insert_with(|| (doc.source.text.to_string(), Vec::new()))
            .1
            .extend(ranges);
    }
    if listed == 0 {
        if by_hand == 0 {
            println!("Nothing has expired (at {now}).");
        }
        return Ok(ExitStatus::Success);
    }
    if !write {
        println!(
            "{listed} element(s) have expired (at {now}); `rolesmith expire --write` removes them from {} file(s).",
            by_file.len()
        );
        return Ok(ExitStatus::Success);
    }
    for path in by_file.keys() {
        refuse_link(path)?;
    }
    for (path, (text, ranges)) in &by_file {
        let left = cut(text, ranges.clone());
        if holds_nothing(&left) {
            fs_err::remove_file(path)?;
            eprintln!("deleted {} (every document in it expired)", path.display());
        } else {
            super::commands::replace_file(path, &left)?;
            eprintln!("edited  {}", path.display());
        }
    }
    println!(
        "Removed {listed} expired element(s) from {} file(s).",
        by_file.len()
    );
    Ok(ExitStatus::Success)
}

/// The `expiresAt` under a document's `overrides:` that have passed, by the YAML path of the
/// element holding each: overrides are merged per account, so their elements are listed for
/// editing by hand rather than cut.
fn expired_in_overrides(
    doc: &crate::manifest::load::LoadedDocument,
    now: Instant,
) -> Vec<(Vec<Seg>, Instant)> {
    fn walk(
        v: &serde_json::Value,
        path: &mut Vec<Seg>,
        now: Instant,
        out: &mut Vec<(Vec<Seg>, Instant)>,
    ) {
        match v {
            serde_json::Value::Object(map) => {
                if let Some(at) = map
                    .get("expiresAt")
                    .and_then(|t| t.as_str())
                    .and_then(|t| Instant::parse(t).ok())
                    .filter(|at| *at <= now)
                {
                    out.push((path.clone(), at));
                }
                for (k, inner) in map {
                    path.push(Seg::from(k.as_str()));
                    walk(inner, path, now, out);
                    path.pop();
                }
            }
            serde_json::Value::Array(items) => {
                for (i, inner) in items.iter().enumerate() {
                    path.push(Seg::from(i));
                    walk(inner, path, now, out);
                    path.pop();
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    let Ok(value) = doc.document.to_value() else {
        return out;
    };
    if let Some(serde_json::Value::Array(overrides)) = value.get("overrides") {
        for (i, o) in overrides.iter().enumerate() {
            let mut path = vec![Seg::from("overrides"), Seg::from(i), Seg::from("spec")];
            if let Some(spec) = o.get("spec") {
                walk(spec, &mut path, now, &mut out);
            }
        }
    }
    out
}

/// A manifest that is a symbolic link, or lies in a folder reached through one (below the
/// current directory, for an absolute path), is not written through.
fn refuse_link(path: &Path) -> Result<(), BoxError> {
    let here = std::env::current_dir().unwrap_or_default();
    for p in path.ancestors() {
        if p.as_os_str().is_empty() || p == Path::new(".") {
            break;
        }
        // The file itself is always checked; an absolute path's folders only below here.
        if p != path && p.is_absolute() && !(p.starts_with(&here) && p != here) {
            break;
        }
        if fs_err::symlink_metadata(p)?.file_type().is_symlink() {
            return Err(Box::new(UserError::new(
                format!(
                    "{} is reached through the symbolic link {}: rolesmith never writes through one; nothing was changed",
                    path.display(),
                    p.display()
                ),
                "run `rolesmith expire --write` on the files where they are",
            )));
        }
    }
    Ok(())
}

/// Whether what is left of a file is only blank lines, comments and document markers.
fn holds_nothing(text: &str) -> bool {
    text.lines().all(|l| {
        let l = l.trim();
        l.is_empty() || l.starts_with('#') || l == "---" || l == "..."
    })
}
