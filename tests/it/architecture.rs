//! The data flow, checked from the code: load → check → desired; read → live; diff → plan →
//! apply / render. Every `crate::<module>` path in a module's non-test code (comments and doc
//! comments skipped) must name a module this table allows, so an arrow that runs back up the
//! flow fails here with the file that draws it.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use crate::support::root;

/// Top-level module → the modules it may use. Everything may use the leaves `diagnostic`,
/// `codes` and `json`; the command line (`cli`) may use everything.
const ALLOWED: &[(&str, &[&str])] = &[
    ("codes", &["diagnostic"]),
    ("diagnostic", &["codes"]),
    ("json", &[]),
    ("expiry", &[]),
    ("policy", &["expiry"]),
    ("quotas", &[]),
    ("inventory", &[]),
    ("state", &["policy", "expiry"]),
    (
        "manifest",
        &["policy", "state", "quotas", "inventory", "expiry"],
    ),
    ("lint", &["manifest", "policy", "state", "expiry"]),
    (
        "check",
        &[
            "manifest",
            "lint",
            "policy",
            "state",
            "quotas",
            "inventory",
            "expiry",
        ],
    ),
    (
        "config",
        &["lint", "manifest", "state", "quotas", "inventory", "expiry"],
    ),
    ("schema", &["manifest"]),
    ("account", &["state", "policy", "inventory", "expiry"]),
    ("diff", &["state", "policy"]),
    (
        "plan",
        &["diff", "account", "state", "policy", "quotas", "expiry"],
    ),
    ("apply", &["plan", "account", "state", "policy"]),
    (
        "render",
        &["plan", "diff", "state", "policy", "lint", "expiry"],
    ),
    (
        "import",
        &["state", "manifest", "policy", "account", "schema", "expiry"],
    ),
];

/// Macros exported at the crate root, by the module that defines them.
const MACROS: &[(&str, &str)] = &[("yaml_path", "manifest")];

/// The crate's code outside `#[cfg(test)]` items and comments.
fn code_of(text: &str) -> String {
    let mut out = String::new();
    for line in text.lines() {
        let trimmed = line.trim_start();
        if trimmed.starts_with("#[cfg(test)]") {
            break;
        }
        if trimmed.starts_with("//") {
            continue;
        }
        out.push_str(line);
        out.push('\n');
    }
    out
}

fn uses(dir: &Path, module: &str, found: &mut BTreeMap<String, BTreeSet<String>>) {
    let files: Vec<_> = if dir.join(format!("{module}.rs")).exists() {
        vec![dir.join(format!("{module}.rs"))]
    } else {
        walk(&dir.join(module))
    };
    for file in files {
        let text = std::fs::read_to_string(&file).expect("read source");
        let code = code_of(&text);
        for (at, _) in code.match_indices("crate::") {
            let used: String = code[at + 7..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                .collect();
            let used = MACROS
                .iter()
                .find(|(m, _)| *m == used)
                .map_or(used.clone(), |(_, owner)| (*owner).to_owned());
            if used != module {
                found
                    .entry(used)
                    .or_default()
                    .insert(file.strip_prefix(root()).unwrap().display().to_string());
            }
        }
    }
}

fn walk(dir: &Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("read dir") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn no_module_depends_against_the_data_flow() {
    let src = root().join("src");
    let mut wrong = Vec::new();
    let mut modules: BTreeSet<String> = BTreeSet::new();
    for entry in std::fs::read_dir(&src).expect("src") {
        let name = entry
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        let name = name.trim_end_matches(".rs").to_owned();
        if !["lib", "main", "cli"].contains(&name.as_str()) {
            modules.insert(name);
        }
    }
    let allowed: BTreeMap<&str, &[&str]> = ALLOWED.iter().copied().collect();
    for module in &modules {
        let Some(may) = allowed.get(module.as_str()) else {
            wrong.push(format!(
                "src/{module}: a new module; add it to ALLOWED with the modules it may use"
            ));
            continue;
        };
        let mut found = BTreeMap::new();
        uses(&src, module, &mut found);
        for (used, files) in found {
            if !may.contains(&used.as_str())
                && !["diagnostic", "codes", "json"].contains(&used.as_str())
            {
                wrong.push(format!("{module} uses {used} in {files:?}"));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "arrows against the data flow:\n{}",
        wrong.join("\n")
    );
}
