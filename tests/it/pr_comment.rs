//! The headers and the PR comment through the binary (issue 13): every plan, drift and apply
//! output starts by naming what it ran against; the Markdown comment names what each change
//! changes in its summary line and opens the sections a reviewer must not skip (deletions,
//! trust changes, admin-grade grants) while ordinary changes stay collapsed; with the GitHub
//! Actions variables set on the child, the header links the commit and the workflow run. None
//! of it changes a plan's id.

use crate::support::moto::Moto;
use crate::support::{Run, arg, finish, offline, run_live, snapshot};

/// The fixture: a trust widened with AdministratorAccess swapped in, a new role with an
/// admin-grade inline policy, an owned role no manifest declares, an ordinary tag change.
const MANIFESTS: &str = "tests/fixtures/pr_comment/manifests";
const ACCOUNT: &str = "tests/fixtures/pr_comment/account.json";

/// GitHub Actions' default variables for a run of `acme/iam`.
const GITHUB: &[(&str, &str)] = &[
    ("GITHUB_SHA", "0f3c9a1be2d4c6f8a0b1c2d3e4f5a6b7c8d9e0f1"),
    ("GITHUB_SERVER_URL", "https://github.com"),
    ("GITHUB_REPOSITORY", "acme/iam"),
    ("GITHUB_RUN_ID", "4242"),
];

/// `plan --prune` of the fixture in `format`, with `env` set on the child.
fn plan(format: &str, env: &[(&str, &str)]) -> Run {
    let mut cmd = offline();
    cmd.envs(env.iter().copied());
    let args = [
        "plan",
        MANIFESTS,
        "--snapshot",
        ACCOUNT,
        "--prune",
        "--format",
        format,
    ];
    finish(cmd, &args, "")
}

/// The `<details …><summary>…` line of the section of `address`.
fn summary_of<'a>(markdown: &'a str, address: &str) -> &'a str {
    let code = format!("<code>{address}</code>");
    markdown
        .lines()
        .find(|l| l.starts_with("<details") && l.contains(&code))
        .unwrap_or_else(|| panic!("no section for {address}:\n{markdown}"))
}

#[test]
fn risky_changes_are_expanded_and_every_summary_names_what_changes() {
    let r = plan("markdown", &[]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let md = &r.stdout;
    for (address, open) in [
        ("role.ops-breakglass", true),
        ("role.admin-bot", true),
        ("role.old-tool", true),
        ("role.web-reader", false),
    ] {
        let line = summary_of(md, address);
        assert_eq!(line.starts_with("<details open>"), open, "{line}");
    }
    let ops = summary_of(md, "role.ops-breakglass");
    for part in [
        "trust policy",
        "+AdministratorAccess",
        "−ReadOnlyAccess",
        "+tag team",
    ] {
        assert!(ops.contains(part), "{part} missing from {ops}");
    }
    assert!(summary_of(md, "role.web-reader").contains("~tag team"));
    insta::assert_snapshot!("risky-changes-expanded", snapshot::render(&r));
}

#[test]
fn github_variables_put_the_commit_and_the_run_in_the_header() {
    let r = plan("markdown", GITHUB);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let header: String = r
        .stdout
        .lines()
        .take_while(|l| !l.starts_with("**Plan:"))
        .map(|l| format!("{l}\n"))
        .collect();
    assert!(
        header.contains("(https://github.com/acme/iam/actions/runs/4242)")
            && header.contains("(https://github.com/acme/iam/commit/0f3c9a1be2d4"),
        "{header}"
    );
    insta::assert_snapshot!("github-run-header", header);
    // Without the variables, no CI line items; the rest is the same comment.
    let plain = plan("markdown", &[]).stdout;
    assert!(!plain.contains("workflow run"), "{plain}");
    assert_eq!(
        plain.lines().skip(3).collect::<Vec<_>>(),
        r.stdout.lines().skip(3).collect::<Vec<_>>()
    );
}

#[test]
fn the_run_context_is_in_the_json_plan_and_changes_no_plan_id() {
    let with = plan("json", GITHUB).success().json();
    let without = plan("json", &[]).success().json();
    assert_eq!(with["context"]["account_id"], "123456789012");
    assert_eq!(with["context"]["account"], "snapshot");
    assert_eq!(with["context"]["path"], ACCOUNT);
    assert_eq!(
        with["context"]["ci"]["run_url"],
        "https://github.com/acme/iam/actions/runs/4242"
    );
    assert!(without["context"].get("ci").is_none(), "{without:#}");
    assert!(with["plan_id"].is_string());
    assert_eq!(with["plan_id"], without["plan_id"]);

    // A saved plan keeps the context; its id is the JSON plan's and it still applies.
    let dir = tempfile::tempdir().unwrap();
    let account = dir.path().join("account.json");
    std::fs::copy(ACCOUNT, &account).unwrap();
    let out = dir.path().join("plan.json");
    let mut cmd = offline();
    cmd.envs(GITHUB.iter().copied());
    let saved_args = [
        "plan",
        MANIFESTS,
        "--snapshot",
        &arg(&account),
        "--prune",
        "--out",
        &arg(&out),
    ];
    finish(cmd, &saved_args, "").success();
    let saved = rolesmith::plan::saved::SavedPlan::load(&out).expect("a saved plan");
    assert_eq!(saved.plan_id.to_string(), with["plan_id"].as_str().unwrap());
    assert_eq!(
        saved.context.and_then(|c| c.ci).and_then(|c| c.commit),
        Some(GITHUB[0].1.to_owned())
    );
    let apply = [
        "apply",
        &arg(&out),
        "--snapshot",
        &arg(&account),
        "--prune",
        "--auto-approve",
    ];
    let r = finish(offline(), &apply, "").success();
    assert!(
        r.stdout.starts_with(&format!(
            "Account: 123456789012 (snapshot {})\n",
            account.display()
        )),
        "{}",
        r.stdout
    );
}

#[test]
fn plan_drift_and_apply_name_the_region_and_endpoint_of_a_live_run() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("web.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: web\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n",
    )
    .unwrap();
    let path = arg(dir.path());
    let expected = format!(
        "Account: 123456789012 (region eu-west-1, endpoint {})",
        moto.endpoint
    );
    for args in [
        &["plan", path.as_str()][..],
        &["drift", path.as_str()],
        &["apply", path.as_str(), "--auto-approve"],
    ] {
        let mut all = args.to_vec();
        all.extend(["--region", "eu-west-1"]);
        let r = run_live(&moto, &all);
        assert!(r.code.is_some_and(|c| c != 1), "{}", r.stderr);
        assert_eq!(
            r.stdout.lines().next(),
            Some(expected.as_str()),
            "`rolesmith {}`:\n{}",
            all.join(" "),
            r.stdout
        );
    }
}
