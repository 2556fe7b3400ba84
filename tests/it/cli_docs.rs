//! The committed shell completions (`completions/`) and man pages (`docs/man/`) are what the
//! binary generates from its clap definition. CI runs these tests by name (`.ci/run`).

use rolesmith::cli::{CompletionShell, completion_script, man_pages};

use crate::support::root;

/// The regeneration command every failure names.
const REGENERATE: &str = "scripts/update-cli-docs.sh";

/// Fails, naming the file and the command that fixes it, unless `path` holds `generated`.
fn assert_fresh(path: &str, generated: &str, how: &str) {
    crate::support::assert_fresh(
        path,
        generated,
        &format!("run `{how}` (or `{REGENERATE}`) and commit the result"),
    );
}

/// CI runs this test by name.
#[test]
fn completion_scripts_are_fresh() {
    for (shell, name, file) in [
        (CompletionShell::Bash, "bash", "completions/rolesmith.bash"),
        (CompletionShell::Zsh, "zsh", "completions/_rolesmith"),
        (CompletionShell::Fish, "fish", "completions/rolesmith.fish"),
        (
            CompletionShell::Powershell,
            "powershell",
            "completions/rolesmith.ps1",
        ),
    ] {
        let script = completion_script(shell);
        assert!(script.contains("rolesmith"), "{name}: {script}");
        assert_fresh(
            file,
            &script,
            &format!("cargo run -- completions {name} > {file}"),
        );
    }
}

/// CI runs this test by name.
#[test]
fn man_pages_are_fresh() {
    let pages = man_pages();
    for (name, text) in &pages {
        let how = match name.strip_prefix("rolesmith-") {
            Some(sub) => format!(
                "cargo run -- man {} > docs/man/{name}",
                sub.trim_end_matches(".1")
            ),
            None => format!("cargo run -- man > docs/man/{name}"),
        };
        assert_fresh(&format!("docs/man/{name}"), text, &how);
    }
    // A page of a command that no longer exists would document it forever.
    let mut committed: Vec<String> = std::fs::read_dir(root().join("docs/man"))
        .expect("docs/man exists")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    committed.sort();
    let mut expected: Vec<String> = pages.into_iter().map(|(name, _)| name).collect();
    expected.sort();
    assert_eq!(
        committed, expected,
        "docs/man holds other pages than the commands have; run `{REGENERATE}` and commit"
    );
}

#[test]
fn every_visible_command_has_a_page_and_completes() {
    let names: Vec<String> = man_pages().into_iter().map(|(name, _)| name).collect();
    for sub in [
        "init",
        "plan",
        "apply",
        "show",
        "drift",
        "completions",
        "man",
    ] {
        assert!(
            names.contains(&format!("rolesmith-{sub}.1")),
            "no page for {sub}: {names:?}"
        );
        assert!(
            completion_script(CompletionShell::Bash).contains(sub),
            "bash completes no {sub}"
        );
    }
    assert!(!names.iter().any(|n| n.contains("version")), "{names:?}");
    // Pages carry the package version only: one that named the commit would be stale after
    // every commit.
    let page = rolesmith::cli::man_page(Some("plan")).expect("plan has a page");
    let title = page
        .lines()
        .find(|l| l.starts_with(".TH"))
        .expect(".TH line");
    assert_eq!(
        title.trim_end(),
        format!(
            ".TH rolesmith-plan 1  \"rolesmith {}\"",
            env!("CARGO_PKG_VERSION")
        )
    );
    assert!(
        !rolesmith::cli::man_page(None)
            .expect("top page")
            .contains(rolesmith::cli::VERSION),
        "the top page names the commit"
    );
}

#[test]
fn man_prints_the_committed_page_and_names_a_near_miss() {
    let r = crate::support::run_offline(&["man", "plan"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let committed = std::fs::read_to_string(root().join("docs/man/rolesmith-plan.1")).unwrap();
    assert_eq!(r.stdout, committed);
    let r = crate::support::run_offline(&["man", "plna"]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("`rolesmith man plan`"), "{}", r.stderr);
}
