//! `rolesmith show plan.json`: a saved plan rendered exactly as `plan` rendered it (after a
//! header saying what it was planned against), offline and without manifests; a tampered file
//! is refused.

use std::path::Path;

use crate::support::{DEMO, Run, arg, finish, offline, run_offline, snapshot};

/// `plan examples/manifests --snapshot DEMO --format FORMAT --out OUT`.
fn plan_saved(format: &str, out: &Path) -> Run {
    run_offline(&[
        "plan",
        "examples/manifests",
        "--snapshot",
        DEMO,
        "--format",
        format,
        "--out",
        &arg(out),
    ])
}

/// `show FILE --format FORMAT` from a folder holding no manifests and no snapshot.
fn show_elsewhere(file: &Path, format: &str) -> Run {
    let nowhere = tempfile::tempdir().unwrap();
    let mut cmd = offline();
    cmd.current_dir(nowhere.path())
        // Any AWS call would go to a closed loopback port and fail.
        .env("AWS_ENDPOINT_URL", "http://127.0.0.1:9");
    finish(cmd, &["show", &arg(file), "--format", format], "")
}

#[test]
fn show_prints_what_plan_printed_in_every_format() {
    let temp = tempfile::tempdir().unwrap();
    for format in ["text", "markdown", "json"] {
        let file = temp.path().join(format!("{format}.json"));
        let plan = plan_saved(format, &file).success();
        let shown = show_elsewhere(&file, format).success();
        let plan_id = plan
            .stderr
            .split_whitespace()
            .find(|w| w.starts_with("sha256:"))
            .expect("plan --out names the plan id");
        if format == "json" {
            // stdout stays one JSON document: the plan's, byte for byte; the header is on stderr.
            assert_eq!(shown.stdout, plan.stdout);
            assert!(shown.stderr.contains(plan_id), "{}", shown.stderr);
            continue;
        }
        let header = shown
            .stdout
            .strip_suffix(plan.stdout.as_str())
            .unwrap_or_else(|| {
                panic!(
                    "show --format {format} does not end with the plan's output:\n{}",
                    shown.stdout
                )
            });
        for expected in [
            plan_id,
            "123456789012",
            "examples/manifests",
            "managed-by=rolesmith",
        ] {
            assert!(
                header.contains(expected),
                "{format} header lacks {expected}:\n{header}"
            );
        }
    }
}

#[test]
fn show_text_snapshot() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("plan.json");
    plan_saved("text", &file).success();
    insta::assert_snapshot!(
        "show-text",
        snapshot::render(&show_elsewhere(&file, "text"))
    );
}

#[test]
fn show_refuses_a_plan_whose_steps_were_edited() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("plan.json");
    plan_saved("json", &file).success();
    let mut plan: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    // A step now attaches AdministratorAccess instead of the reviewed policy; the description
    // (`changes`) still says SecurityAudit.
    let steps = plan["steps"].to_string();
    let edited = steps.replace(
        "arn:aws:iam::aws:policy/SecurityAudit",
        "arn:aws:iam::aws:policy/AdministratorAccess",
    );
    assert_ne!(edited, steps, "the fixture attaches SecurityAudit");
    plan["steps"] = serde_json::from_str(&edited).unwrap();
    std::fs::write(&file, serde_json::to_string_pretty(&plan).unwrap()).unwrap();
    for format in ["text", "markdown", "json"] {
        let r = show_elsewhere(&file, format);
        assert_eq!(r.code, Some(1), "{format}: {}", r.stdout);
        assert_eq!(
            r.stdout, "",
            "{format}: a refused plan prints nothing on stdout"
        );
        assert!(r.stderr.contains("was edited"), "{}", r.stderr);
        assert!(r.stderr.contains("hint: "), "{}", r.stderr);
    }
}

#[test]
fn show_refuses_a_file_that_is_not_a_saved_plan() {
    let temp = tempfile::tempdir().unwrap();
    let file = temp.path().join("plan.json");
    let plan = run_offline(&[
        "plan",
        "examples/manifests",
        "--snapshot",
        DEMO,
        "--format",
        "json",
    ]);
    std::fs::write(&file, plan.success().stdout).unwrap();
    let r = show_elsewhere(&file, "text");
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("not a rolesmith saved plan"),
        "{}",
        r.stderr
    );
}
