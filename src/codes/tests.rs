use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use super::*;

#[test]
fn codes_are_unique_kebab_case_and_explained() {
    let mut seen = BTreeSet::new();
    for c in all() {
        assert!(seen.insert(c.code), "`{}` is registered twice", c.code);
        assert!(
            c.code.split('-').all(|w| !w.is_empty()
                && w.chars()
                    .all(|ch| ch.is_ascii_lowercase() || ch.is_ascii_digit())),
            "`{}` is not kebab-case",
            c.code
        );
        assert!(
            !c.summary.is_empty() && !c.summary.ends_with('.'),
            "{}",
            c.code
        );
        assert!(
            c.explanation.contains("Fix:"),
            "`{}`: the explanation says how to fix it",
            c.code
        );
    }
    assert_eq!(find("invalid-arn").map(|c| c.stage), Some(Stage::Validate));
    assert_eq!(find("no-such-code"), None);
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|x| x == "rs") {
            out.push(path);
        }
    }
}

/// Kebab-case string literals (`"a-b"`) of one line.
fn kebab_literals(line: &str) -> Vec<&str> {
    line.split('"')
        .skip(1)
        .step_by(2)
        .filter(|s| {
            s.contains('-')
                && s.split('-').all(|w| {
                    !w.is_empty()
                        && w.chars()
                            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                })
        })
        .collect()
}

/// Diagnostics are built from registered [`Code`]s, so most code positions cannot hold a bare
/// string. The places that still can, a `code: "..."` field or a `fn code(...)` that maps
/// errors to strings (e.g. `policy::trust::TrustError::code`), must name registered codes.
#[test]
fn no_source_file_uses_an_unregistered_code() {
    let mut files = Vec::new();
    rust_files(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut files,
    );
    let mut unregistered = Vec::new();
    for file in files
        .iter()
        .filter(|f| !f.components().any(|c| c.as_os_str() == "codes"))
    {
        let text = std::fs::read_to_string(file).unwrap();
        let mut in_code_fn = false;
        for (i, line) in text.lines().enumerate() {
            if line.contains("fn code(") {
                in_code_fn = true;
            } else if in_code_fn && line.trim_end() == "    }" {
                in_code_fn = false;
            }
            if !(in_code_fn || line.contains("code: \"")) {
                continue;
            }
            for literal in kebab_literals(line) {
                if find(literal).is_none() {
                    unregistered.push(format!("{}:{}: `{literal}`", file.display(), i + 1));
                }
            }
        }
    }
    assert!(
        unregistered.is_empty(),
        "codes used but not registered in src/codes/:\n{}",
        unregistered.join("\n")
    );
}

#[test]
fn codes_md_is_generated_from_the_registry() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/CODES.md");
    let committed = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        committed == markdown(),
        "docs/CODES.md is stale; regenerate it with\n\n    cargo run -- explain --all --markdown > docs/CODES.md\n"
    );
}

#[test]
fn explain_prints_the_entry() {
    let text = explain(crate::codes::UNOWNED_ROLE);
    assert!(
        text.starts_with("unowned-role (error, plan conflicts)\n"),
        "{text}"
    );
    assert!(text.contains("adopt: true"), "{text}");
    assert!(text.lines().all(|l| l.chars().count() <= 100), "{text}");
}
