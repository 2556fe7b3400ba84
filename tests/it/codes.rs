//! `rolesmith explain`: the diagnostic code registry on the command line.

use std::process::Command;

fn explain(args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_rolesmith"))
        .arg("explain")
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

#[test]
fn explain_prints_the_registry_entry() {
    let out = explain(&["unowned-role"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(
        text.starts_with("unowned-role (error, plan conflicts)"),
        "{text}"
    );
    assert!(text.contains("adopt: true"), "{text}");
}

#[test]
fn explain_of_an_unknown_code_fails_with_the_closest_code() {
    let out = explain(&["unowned-rol"]);
    assert_eq!(out.status.code(), Some(1));
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(
        err.contains("`unowned-rol` is not a rolesmith diagnostic code"),
        "{err}"
    );
    assert!(err.contains("did you mean `unowned-role`?"), "{err}");
}

#[test]
fn explain_all_markdown_is_docs_codes_md() {
    let out = explain(&["--all", "--markdown"]);
    assert_eq!(out.status.code(), Some(0));
    let committed = std::fs::read_to_string("docs/CODES.md").unwrap();
    assert_eq!(String::from_utf8(out.stdout).unwrap(), committed);
}
