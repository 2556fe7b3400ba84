//! Which files a manifest path names: a named file is a manifest whatever it holds; a directory
//! is searched recursively (sorted, hidden entries skipped) for `*.yaml` / `*.yml`, and a file
//! found there counts only if one of its documents is rolesmith's — decided by a line scan of
//! its top-level keys, without parsing, so a folder of other YAML costs almost nothing.

use std::path::{Path, PathBuf};

use super::{Found, Header, KINDS, is_blank, pad, parse, split_documents};
use crate::codes;
use crate::diagnostic::Diagnostic;

/// The files `paths` name (the current directory when none), in order.
pub(super) fn discover_all(
    paths: &[PathBuf],
    diagnostics: &mut Vec<Diagnostic>,
) -> Vec<(PathBuf, Found)> {
    let default = [PathBuf::from(".")];
    let paths = if paths.is_empty() {
        &default[..]
    } else {
        paths
    };
    paths
        .iter()
        .flat_map(|p| discover(p, diagnostics))
        .collect()
}

/// The manifest files loading `paths` reads — [`Loaded::files`] — found without parsing them
/// (a YAML file found in a directory is read only to see whether it holds a rolesmith
/// document). For digests of a manifest set, where parsing would be wasted.
pub fn manifest_files(paths: &[PathBuf]) -> Vec<PathBuf> {
    discover_all(paths, &mut Vec::new())
        .into_iter()
        .filter(|(file, found)| {
            *found == Found::Named
                || match fs_err::read(file).map(String::from_utf8) {
                    Ok(Ok(text)) => is_manifest_text(&text),
                    // Unreadable and non-UTF-8 files are in `files` too (with a diagnostic).
                    _ => true,
                }
        })
        .map(|(file, _)| file)
        .collect()
}

fn discover(path: &Path, diagnostics: &mut Vec<Diagnostic>) -> Vec<(PathBuf, Found)> {
    if path.is_file() {
        return vec![(path.to_path_buf(), Found::Named)];
    }
    if !path.is_dir() {
        diagnostics.push(
            Diagnostic::new(
                codes::PATH_NOT_FOUND,
                format!("{} does not exist", path.display()),
            )
            .with_help("give manifest files or directories that hold them"),
        );
        return Vec::new();
    }
    let mut files = Vec::new();
    let walker = walkdir::WalkDir::new(path)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(|e| e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.'));
    for entry in walker {
        match entry {
            Ok(e) if e.file_type().is_file() => {
                let is_yaml = e
                    .path()
                    .extension()
                    .is_some_and(|x| x == "yaml" || x == "yml");
                if is_yaml {
                    files.push((e.into_path(), Found::InDirectory));
                }
            }
            Ok(_) => {}
            Err(e) => diagnostics.push(Diagnostic::new(codes::UNREADABLE_FILE, e.to_string())),
        }
    }
    files
}

/// Whether a file's text holds a rolesmith document: one whose `apiVersion` starts with
/// `rolesmith/`, or a file with no documents at all (an empty manifest file stays one).
///
/// Decided without parsing: a top-level `apiVersion:` line settles a document; only a document
/// without one that still mentions `apiVersion` (flow style, a quoted key) has its header
/// parsed.
pub(super) fn is_manifest_text(text: &str) -> bool {
    let mut any = false;
    for (_, range) in split_documents(text) {
        let body = &text[range];
        if is_blank(body) {
            continue;
        }
        any = true;
        if is_rolesmith_document(body) {
            return true;
        }
    }
    !any
}

/// Whether one document is meant for rolesmith (see [`is_manifest_text`]): its top-level
/// `apiVersion` starts with `rolesmith/`, or it has no `apiVersion` but a rolesmith `kind:`
/// (a manifest that forgot its `apiVersion` is reported, not skipped).
fn is_rolesmith_document(body: &str) -> bool {
    let unquote = |value: &str| value.trim().trim_matches(['"', '\'']).to_owned();
    let mut kind = None;
    let mut has_api_version = false;
    for line in body.lines() {
        // Only top-level keys count (a `--- ` marker may precede one on its line).
        let line = line.strip_prefix("---").map_or(line, str::trim_start);
        let Some((key, value)) = line.split_once(':') else {
            continue;
        };
        if key.starts_with([' ', '\t']) {
            continue;
        }
        let value = value.split(" #").next().unwrap_or_default().trim();
        match unquote(key).as_str() {
            "apiVersion" => {
                has_api_version = true;
                if unquote(value).starts_with(API_VERSION_PREFIX) {
                    return true;
                }
                // A plain value settles it; anything else (empty, an anchor, a tag) is left to
                // the header parse below.
                if !value.is_empty() && !value.starts_with(['&', '!', '*']) {
                    return false;
                }
            }
            "kind" => kind = Some(unquote(value)),
            _ => {}
        }
    }
    if !has_api_version && kind.is_some_and(|k| KINDS.contains(&k.as_str())) {
        return true;
    }
    if !body.contains("apiVersion") {
        return false;
    }
    // Flow style or another shape the line scan does not settle: read just the header.
    match parse::<Header>(&pad(body, 1)) {
        Ok(header) => header
            .api_version
            .as_ref()
            .and_then(|v| v.as_str())
            .is_some_and(|v| v.starts_with(API_VERSION_PREFIX)),
        Err(_) => false,
    }
}

/// What every rolesmith `apiVersion` starts with.
const API_VERSION_PREFIX: &str = "rolesmith/";
