//! Access that ends on time (issue 16): `expiresAt` on a role, a trust entry, a statement, an
//! attachment and a tag. IAM enforces what it can condition (moto reads the condition back);
//! what it cannot is removed by the first apply after the instant; `expire --write` cleans the
//! manifests without touching another line; a saved plan from before an expiry is refused after
//! it.

use std::path::Path;

use aws_smithy_types::error::display::DisplayErrorContext;

use crate::support::moto::Moto;
use crate::support::{Run, block_on, finish, offline, run_live};

/// The role and its parts end at `END`; `KEEP` is a year later.
const MANIFESTS: &str = r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: contractor
spec:
  description: Contractor access
  # The contractor's account, until Friday.
  trust:
    - service: ec2.amazonaws.com
    - account: "210987654321"
      externalId: acme-2026
      expiresAt: 2026-12-04T18:00:00Z
  managedPolicies:
    - aws:ReadOnlyAccess
    - arn: aws:SecurityAudit
      expiresAt: 2026-12-04T18:00:00Z
  inlinePolicies:
    migrate:
      Version: "2012-10-17"
      Statement:
        - Sid: Keep
          Effect: Allow
          Action: s3:ListBucket
          Resource: arn:aws:s3:::data
        # Only for the migration.
        - Sid: Migration
          Effect: Allow
          Action: s3:GetObject
          Resource: arn:aws:s3:::data/*
          expiresAt: 2026-12-04T18:00:00Z
  tags:
    team: data
    temp: {value: "on", expiresAt: 2026-12-04T18:00:00Z}
    review: {value: "yearly", expiresAt: 2027-12-01}
---
# Break-glass access for the incident.
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: break-glass
spec:
  expiresAt: 2026-12-04T18:00:00Z
  trust:
    - service: ec2.amazonaws.com
"#;

const BEFORE: &str = "2026-12-01T00:00:00Z";
const AFTER: &str = "2026-12-05T00:00:00Z";

fn project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("m")).expect("m");
    std::fs::write(dir.path().join("m/roles.yaml"), MANIFESTS).expect("manifests");
    dir
}

fn offline_in(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = offline();
    cmd.current_dir(dir);
    finish(cmd, args, "")
}

/// `apply m --snapshot s.json` at `now` in `dir`; must succeed.
fn applied_at(dir: &Path, now: &str) {
    let applied = offline_in(
        dir,
        &[
            "--now",
            now,
            "apply",
            "m",
            "--snapshot",
            "s.json",
            "--auto-approve",
        ],
    );
    assert_eq!(applied.code, Some(0), "{}", applied.stderr);
}

fn ok<T, E: std::error::Error>(r: Result<T, E>, what: &str) -> T {
    r.unwrap_or_else(|e| panic!("{what}: {}", DisplayErrorContext(&e)))
}

fn decode(doc: &str) -> serde_json::Value {
    let text = percent_encoding::percent_decode_str(doc)
        .decode_utf8()
        .expect("UTF-8");
    serde_json::from_str(&text).expect("JSON")
}

#[test]
fn iam_enforces_the_end_of_a_trust_entry_and_the_first_apply_after_it_removes_the_rest() {
    let moto = Moto::start();
    let dir = project();
    let m = dir.path().join("m");
    let m = m.to_str().expect("utf-8");
    let applied = run_live(&moto, &["--now", BEFORE, "apply", m, "--auto-approve"]);
    assert_eq!(
        applied.code,
        Some(0),
        "{}\n{}",
        applied.stdout,
        applied.stderr
    );

    let iam = moto.iam();
    let (trust, migrate) = block_on(async {
        let role = ok(
            iam.get_role().role_name("contractor").send().await,
            "GetRole",
        );
        let trust = decode(
            role.role()
                .and_then(|r| r.assume_role_policy_document())
                .expect("a trust policy"),
        );
        let inline = ok(
            iam.get_role_policy()
                .role_name("contractor")
                .policy_name("migrate")
                .send()
                .await,
            "GetRolePolicy",
        );
        (trust, decode(inline.policy_document()))
    });
    let contractor = trust["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Principal"]["AWS"] == "arn:aws:iam::210987654321:root")
        .expect("the contractor's statement");
    assert_eq!(
        contractor["Condition"]["DateLessThan"]["aws:CurrentTime"], "2026-12-04T18:00:00Z",
        "IAM itself ends the entry: {trust:#}"
    );
    assert_eq!(
        contractor["Condition"]["StringEquals"]["sts:ExternalId"], "acme-2026",
        "{trust:#}"
    );
    let migration = migrate["Statement"]
        .as_array()
        .expect("statements")
        .iter()
        .find(|s| s["Sid"] == "Migration")
        .expect("the migration statement");
    assert_eq!(
        migration["Condition"]["DateLessThan"]["aws:CurrentTime"],
        "2026-12-04T18:00:00Z"
    );

    // Before the instant the plan warns (within the 7-day window), after it the plan removes.
    let soon = run_live(&moto, &["--now", "2026-12-03T18:00:00Z", "plan", m]);
    assert!(
        soon.stdout.contains(
            "warning: role.contractor: tag `temp` expires 2026-12-04T18:00Z (in 24 hours;"
        ),
        "{}",
        soon.stdout
    );
    for format in ["markdown", "text"] {
        let listed = run_live(
            &moto,
            &[
                "--now",
                "2026-12-03T18:00:00Z",
                "drift",
                m,
                "--format",
                format,
            ],
        );
        assert_eq!(
            listed.code,
            Some(0),
            "expiring soon is not drift: {}",
            listed.stdout
        );
        assert!(
            listed
                .stdout
                .contains("5 element(s) of the manifests expire soon")
                && listed
                    .stdout
                    .contains("role.break-glass: the role expires 2026-12-04T18:00Z (in 24 hours;"),
            "{}",
            listed.stdout
        );
    }
    let markdown = run_live(
        &moto,
        &[
            "--now",
            "2026-12-03T18:00:00Z",
            "plan",
            m,
            "--format",
            "markdown",
        ],
    );
    assert!(
        markdown
            .stdout
            .contains("tag `temp` expires 2026-12-04T18:00Z"),
        "{}",
        markdown.stdout
    );
    let plan = run_live(&moto, &["--now", AFTER, "plan", m, "--format", "json"]);
    assert_eq!(plan.code, Some(0), "{}", plan.stderr);
    let plan = plan.json();
    let notes: Vec<&str> = plan["notes"]
        .as_array()
        .expect("notes")
        .iter()
        .filter_map(|n| n.as_str())
        .collect();
    for element in [
        "role.contractor: trust entry 2 expired 2026-12-04T18:00Z: removed",
        "role.contractor: managed policy `aws:SecurityAudit` expired 2026-12-04T18:00Z: removed",
        "role.contractor: statement `Migration` of inline policy `migrate` expired 2026-12-04T18:00Z: removed",
        "role.contractor: tag `temp` expired 2026-12-04T18:00Z: removed",
        "role.break-glass: the role expired 2026-12-04T18:00Z: removed",
    ] {
        assert!(
            notes.iter().any(|n| n.starts_with(element)),
            "{element}\n{notes:#?}"
        );
    }
    let applied = run_live(&moto, &["--now", AFTER, "apply", m, "--auto-approve"]);
    assert_eq!(
        applied.code,
        Some(0),
        "{}\n{}",
        applied.stdout,
        applied.stderr
    );

    block_on(async {
        let tags = ok(
            iam.list_role_tags().role_name("contractor").send().await,
            "ListRoleTags",
        );
        let keys: Vec<&str> = tags.tags().iter().map(|t| t.key()).collect();
        assert!(
            !keys.contains(&"temp") && keys.contains(&"review") && keys.contains(&"team"),
            "{keys:?}"
        );
        let attached = ok(
            iam.list_attached_role_policies()
                .role_name("contractor")
                .send()
                .await,
            "ListAttachedRolePolicies",
        );
        let names: Vec<&str> = attached
            .attached_policies()
            .iter()
            .filter_map(|p| p.policy_name())
            .collect();
        assert_eq!(names, ["ReadOnlyAccess"]);
        let inline = ok(
            iam.get_role_policy()
                .role_name("contractor")
                .policy_name("migrate")
                .send()
                .await,
            "GetRolePolicy",
        );
        let doc = decode(inline.policy_document());
        assert!(!doc.to_string().contains("Migration"), "{doc:#}");
        let role = ok(
            iam.get_role().role_name("contractor").send().await,
            "GetRole",
        );
        let trust = role
            .role()
            .and_then(|r| r.assume_role_policy_document())
            .expect("trust");
        assert!(!decode(trust).to_string().contains("210987654321"));
        assert!(
            iam.get_role()
                .role_name("break-glass")
                .send()
                .await
                .is_err(),
            "the expired role is deleted"
        );
    });
    let replan = run_live(&moto, &["--now", AFTER, "plan", m, "--detailed-exitcode"]);
    assert_eq!(replan.code, Some(0), "{}\n{}", replan.stdout, replan.stderr);
}

#[test]
fn expire_write_removes_only_the_expired_lines_and_the_manifests_plan_empty() {
    let dir = project();
    applied_at(dir.path(), AFTER);
    let listed = offline_in(dir.path(), &["--now", AFTER, "expire", "m"]);
    assert_eq!(listed.code, Some(0), "{}", listed.stderr);
    assert!(
        listed.stdout.contains(
            "m/roles.yaml:10:7  role.contractor  trust entry 2  expired 2026-12-04T18:00Z"
        ) && listed.stdout.contains("5 element(s) have expired"),
        "{}",
        listed.stdout
    );
    assert_eq!(
        std::fs::read_to_string(dir.path().join("m/roles.yaml")).expect("read"),
        MANIFESTS,
        "without --write nothing is written"
    );

    let written = offline_in(dir.path(), &["--now", AFTER, "expire", "m", "--write"]);
    assert_eq!(written.code, Some(0), "{}", written.stderr);
    let after = std::fs::read_to_string(dir.path().join("m/roles.yaml")).expect("read");
    // Exactly the expired elements' lines went; every other line is byte for byte as it was,
    // in order, comments and the later expiry included.
    let expired_lines: Vec<&str> = MANIFESTS
        .lines()
        .skip_while(|l| !l.starts_with("---"))
        .collect();
    let mut kept: Vec<&str> = MANIFESTS
        .lines()
        .take_while(|l| !l.starts_with("---"))
        .collect();
    for (first, count) in [
        ("    - account: \"210987654321\"", 3),
        ("    - arn: aws:SecurityAudit", 2),
        ("        - Sid: Migration", 5),
        (
            "    temp: {value: \"on\", expiresAt: 2026-12-04T18:00:00Z}",
            1,
        ),
    ] {
        let at = kept.iter().position(|l| *l == first).expect(first);
        kept.drain(at..at + count);
    }
    assert_eq!(after.lines().collect::<Vec<_>>(), kept, "{after}");
    assert!(
        after.contains("# Only for the migration.") && after.contains("review: {value: \"yearly\"")
    );
    assert!(
        expired_lines.len() > 5,
        "the break-glass document went whole"
    );

    let valid = offline_in(dir.path(), &["--now", AFTER, "validate", "m"]);
    assert_eq!(valid.code, Some(0), "{}", valid.stderr);
    let plan = offline_in(
        dir.path(),
        &[
            "--now",
            AFTER,
            "plan",
            "m",
            "--snapshot",
            "s.json",
            "--detailed-exitcode",
        ],
    );
    assert_eq!(plan.code, Some(0), "{}\n{}", plan.stdout, plan.stderr);
    let again = offline_in(dir.path(), &["--now", AFTER, "expire", "m"]);
    assert!(
        again.stdout.contains("Nothing has expired"),
        "{}",
        again.stdout
    );
}

#[test]
fn a_saved_plan_made_before_an_expiry_is_refused_after_it() {
    let dir = project();
    applied_at(dir.path(), BEFORE);
    // A change to review: the description.
    let path = dir.path().join("m/roles.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(
        &path,
        text.replace("Contractor access", "Contractor access (acme)"),
    )
    .expect("write");
    let planned = offline_in(
        dir.path(),
        &[
            "--now",
            "2026-12-04T12:00:00Z",
            "plan",
            "m",
            "--snapshot",
            "s.json",
            "--out",
            "p.json",
        ],
    );
    assert_eq!(planned.code, Some(0), "{}", planned.stderr);
    let before = std::fs::read(dir.path().join("s.json")).expect("snapshot");
    let late = offline_in(
        dir.path(),
        &[
            "--now",
            AFTER,
            "apply",
            "p.json",
            "--snapshot",
            "s.json",
            "--auto-approve",
        ],
    );
    assert_eq!(late.code, Some(1), "{}\n{}", late.stdout, late.stderr);
    assert!(
        late.stderr.contains("p.json was planned at 2026-12-04T12:00Z, and since then 5 element(s) of its manifests expired")
            && late.stderr.contains("role.contractor: tag `temp` expired 2026-12-04T18:00Z"),
        "{}",
        late.stderr
    );
    assert_eq!(
        std::fs::read(dir.path().join("s.json")).expect("snapshot"),
        before,
        "nothing was changed"
    );
    // Applied before the instant, the same plan runs.
    let in_time = offline_in(
        dir.path(),
        &[
            "--now",
            "2026-12-04T13:00:00Z",
            "apply",
            "p.json",
            "--snapshot",
            "s.json",
            "--auto-approve",
        ],
    );
    assert_eq!(
        in_time.code,
        Some(0),
        "{}\n{}",
        in_time.stdout,
        in_time.stderr
    );
}

#[test]
fn validate_warns_of_a_past_expiry_and_notes_a_far_one() {
    let dir = project();
    let late = offline_in(dir.path(), &["--now", AFTER, "validate", "m"]);
    assert_eq!(late.code, Some(0), "warnings only: {}", late.stderr);
    assert_eq!(
        late.stderr.matches("warning [expired]").count(),
        5,
        "{}",
        late.stderr
    );
    assert!(
        late.stderr.contains("m/roles.yaml:10:7: warning [expired]")
            && late
                .stderr
                .contains("`rolesmith expire --write` removes it from the manifest"),
        "{}",
        late.stderr
    );
    let path = dir.path().join("m/roles.yaml");
    let text = std::fs::read_to_string(&path).expect("read");
    std::fs::write(&path, text.replace("2027-12-01", "2028-06-01")).expect("write");
    let early = offline_in(dir.path(), &["--now", BEFORE, "validate", "m"]);
    assert!(
        early.stderr.contains("info [far-expiry]")
            && early
                .stderr
                .contains("tag `review` of role.contractor expires 2028-06-01T00:00Z"),
        "{}",
        early.stderr
    );
    assert!(!early.stderr.contains("[expired]"), "{}", early.stderr);
}

#[test]
fn a_managed_policy_statement_ends_on_time_too() {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(dir.path().join("m")).expect("m");
    std::fs::write(
        dir.path().join("m/policy.yaml"),
        r#"apiVersion: rolesmith/v1
kind: ManagedPolicy
metadata:
  name: data-access
spec:
  document:
    Version: "2012-10-17"
    Statement:
      - Sid: Read
        Effect: Allow
        Action: s3:GetObject
        Resource: arn:aws:s3:::data/*
      - Sid: Backfill
        Effect: Allow
        Action: s3:PutObject
        Resource: arn:aws:s3:::data/*
        expiresAt: 2026-12-04T18:00:00Z
"#,
    )
    .expect("policy");
    let run = |now: &str, args: &[&str]| {
        let mut all = vec!["--now", now];
        all.extend_from_slice(args);
        offline_in(dir.path(), &all)
    };
    let applied = run(
        BEFORE,
        &["apply", "m", "--snapshot", "s.json", "--auto-approve"],
    );
    assert_eq!(applied.code, Some(0), "{}", applied.stderr);
    let snapshot = std::fs::read_to_string(dir.path().join("s.json")).expect("snapshot");
    assert!(
        snapshot.contains("DateLessThan") && snapshot.contains("2026-12-04T18:00:00Z"),
        "the statement carries its end: {snapshot}"
    );
    let plan = run(
        AFTER,
        &["plan", "m", "--snapshot", "s.json", "--format", "json"],
    );
    let plan = plan.json();
    assert!(
        plan["notes"].to_string().contains(
            "policy.data-access: statement `Backfill` of the policy expired 2026-12-04T18:00Z: removed"
        ),
        "{plan:#}"
    );
    let applied = run(
        AFTER,
        &["apply", "m", "--snapshot", "s.json", "--auto-approve"],
    );
    assert_eq!(applied.code, Some(0), "{}", applied.stderr);
    let replan = run(
        AFTER,
        &["plan", "m", "--snapshot", "s.json", "--detailed-exitcode"],
    );
    assert_eq!(replan.code, Some(0), "{}\n{}", replan.stdout, replan.stderr);
}

/// Review findings: a tag value YAML types as a number or boolean keeps its text; a single
/// expired `Statement:` object takes its inline policy along and is refused for a trust
/// policy; an anchor still used elsewhere is not cut; an escaped `expiresAt` key counts; a
/// folder reached through a symbolic link is not written; an out-of-range instant is an error.
#[test]
fn expiry_edges_found_in_review() {
    let dir = tempfile::tempdir().expect("temp dir");
    let m = dir.path().join("m");
    std::fs::create_dir(&m).expect("m");
    let write = |name: &str, text: &str| std::fs::write(m.join(name), text).expect("write");
    write(
        "typed.yaml",
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: typed\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  tags:\n    cost: 0042\n    ratio: 1.50\n    legacy: on\n    temp: {value: \"1\", expiresAt: 2030-01-01}\n",
    );
    applied_at(dir.path(), BEFORE);
    let state: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("s.json")).expect("s"))
            .expect("JSON");
    let tags = &state["roles"]["typed"]["tags"];
    assert_eq!(
        (&tags["cost"], &tags["ratio"], &tags["legacy"]),
        (&"0042".into(), &"1.50".into(), &"on".into()),
        "{tags}"
    );

    write(
        "single.yaml",
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: single\nspec:\n  trust:\n    - service: ec2.amazonaws.com\n  inlinePolicies:\n    keep:\n      Version: \"2012-10-17\"\n      Statement:\n        - Effect: Allow\n          Action: s3:ListBucket\n          Resource: arn:aws:s3:::a\n    one:\n      Version: \"2012-10-17\"\n      Statement:\n        Effect: Allow\n        Action: s3:GetObject\n        Resource: arn:aws:s3:::a/*\n        expiresAt: 2026-01-01\n",
    );
    let cut = offline_in(dir.path(), &["--now", AFTER, "expire", "m", "--write"]);
    assert_eq!(cut.code, Some(0), "{}", cut.stderr);
    let single = std::fs::read_to_string(m.join("single.yaml")).expect("read");
    assert!(
        !single.contains("one:") && single.contains("keep:"),
        "the inline policy goes with its one statement:\n{single}"
    );
    let valid = offline_in(dir.path(), &["--now", AFTER, "validate", "m"]);
    assert_eq!(valid.code, Some(0), "{}", valid.stderr);

    for (name, text, want) in [
        (
            "trustpolicy.yaml",
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: tp\nspec:\n  trustPolicy:\n    Version: \"2012-10-17\"\n    Statement:\n      Effect: Allow\n      Principal: {Service: ec2.amazonaws.com}\n      Action: sts:AssumeRole\n      expiresAt: 2026-01-01\n",
            "every statement of the policy has expired",
        ),
        (
            "anchor.yaml",
            "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: anchored\nspec:\n  trust:\n    - account: &acct \"210987654321\"\n      externalId: x\n      expiresAt: 2026-01-01\n    - account: *acct\n      externalId: y\n",
            "defines the anchor `&acct`",
        ),
    ] {
        let other = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(other.path().join("m")).expect("m");
        std::fs::write(other.path().join("m").join(name), text).expect("write");
        let r = offline_in(other.path(), &["--now", AFTER, "expire", "m", "--write"]);
        assert_eq!(r.code, Some(1), "{name}: {}", r.stdout);
        assert!(r.stderr.contains(want), "{name}: {}", r.stderr);
        assert_eq!(
            std::fs::read_to_string(other.path().join("m").join(name)).expect("read"),
            text,
            "{name}: nothing was written"
        );
    }

    let escaped = tempfile::tempdir().expect("temp dir");
    std::fs::create_dir(escaped.path().join("m")).expect("m");
    std::fs::write(
        escaped.path().join("m/e.yaml"),
        "apiVersion: rolesmith/v1\nkind: Role\nmetadata:\n  name: e\nspec:\n  trust:\n    - account: \"210987654321\"\n      externalId: x\n      \"expires\\u0041t\": 2026-01-01\n",
    )
    .expect("write");
    let listed = offline_in(escaped.path(), &["--now", AFTER, "expire", "m"]);
    assert!(
        listed.stdout.contains("role.e  trust entry 1  expired"),
        "{}",
        listed.stdout
    );

    #[cfg(unix)]
    {
        let outside = tempfile::tempdir().expect("temp dir");
        std::fs::write(outside.path().join("r.yaml"), MANIFESTS).expect("write");
        let linked = tempfile::tempdir().expect("temp dir");
        std::fs::create_dir(linked.path().join("m")).expect("m");
        std::os::unix::fs::symlink(outside.path(), linked.path().join("m/sub")).expect("link");
        let r = offline_in(
            linked.path(),
            &["--now", AFTER, "expire", "m/sub", "--write"],
        );
        assert_eq!(r.code, Some(1), "{}", r.stdout);
        assert!(r.stderr.contains("symbolic link"), "{}", r.stderr);
        assert_eq!(
            std::fs::read_to_string(outside.path().join("r.yaml")).expect("read"),
            MANIFESTS
        );
    }

    let far = offline_in(
        dir.path(),
        &["--now", "9999-12-31T23:59:59-23:59", "validate", "m"],
    );
    assert_eq!(far.code, Some(1));
    assert!(far.stderr.contains("out of the range"), "{}", far.stderr);
}
