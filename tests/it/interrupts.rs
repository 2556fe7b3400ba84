//! Applies that stop part-way (issue 8): steps that fail for good, Ctrl-C, and what a crash
//! leaves behind. Each must say what happened, lose nothing, and be finished by running the
//! same apply again. The roles come from `support::fleet`.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use crate::support;
use crate::support::ec2::ok;
use crate::support::fleet::{assert_account_matches, assert_no_changes, generate, spawn};
use crate::support::moto::Moto;
use crate::support::proxy::{Chaos, ChaosKind, Fault, Proxy};
use crate::support::{arg, block_on, run};

/// Steps that fail for good (here: access denied on the first two `PutRolePolicy` calls) stop
/// the apply with every failure listed, how many steps were applied, and what to do next; the
/// same apply run again finishes the job.
#[test]
fn a_partial_failure_lists_every_failed_step_and_a_rerun_finishes() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint);
    let dir = tempfile::tempdir().expect("temp dir");
    let expected = generate(dir.path(), 6, 0, false);
    proxy.inject(
        "PutRolePolicy",
        Fault {
            status: 403,
            body: support::proxy::iam_error(
                "AccessDenied",
                "User: arn:aws:iam::123456789012:user/ci is not authorized to perform: \
                 iam:PutRolePolicy",
            ),
            times: 2,
        },
    );
    let manifests = arg(dir.path());
    let args = [
        "apply",
        manifests.as_str(),
        "--auto-approve",
        "--endpoint-url",
        proxy.endpoint.as_str(),
    ];
    let r = run(&moto, &args);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let report: Vec<&str> = r
        .stderr
        .lines()
        .skip_while(|l| !l.starts_with("error: apply stopped"))
        .collect();
    assert!(
        report
            .first()
            .is_some_and(|l| l.starts_with("error: apply stopped: 2 steps failed (")
                && l.ends_with(" of 15 steps applied)")),
        "no summary line:\n{}",
        r.stderr
    );
    let failures: Vec<&&str> = report
        .iter()
        .filter(|l| l.starts_with("  - PutRolePolicy on role chaos-"))
        .collect();
    assert_eq!(failures.len(), 2, "{}", r.stderr);
    assert!(
        failures.iter().all(|l| l.contains("AccessDenied")),
        "{failures:?}"
    );
    assert!(
        r.stderr.contains(
            "hint: every step that succeeded is in the account: run the same apply again"
        ),
        "{}",
        r.stderr
    );
    run(&moto, &args).success();
    assert_no_changes(&moto, &proxy.endpoint, dir.path(), "after the re-run");
    assert_account_matches(&moto, &expected, &BTreeMap::new(), "after the re-run");
}

/// Ctrl-C (SIGINT) during apply: the steps in flight finish, no other starts, and rolesmith
/// exits 130 saying how many steps were applied. The plan afterwards holds exactly the steps
/// that did not run (so none was cut off half-way), and a re-run finishes the job.
#[test]
fn ctrl_c_stops_after_the_steps_in_flight_and_a_rerun_finishes() {
    let moto = Moto::start();
    let proxy = Proxy::start(&moto.endpoint);
    // Every answer 300 ms late, two lanes at a time: about 8 s of steps, time to interrupt.
    proxy.chaos(Some(Chaos {
        seed: 3,
        rate: 1.0,
        kinds: vec![ChaosKind::Slow],
        slow: Duration::from_millis(300),
    }));
    let dir = tempfile::tempdir().expect("temp dir");
    let expected = generate(dir.path(), 20, 0, false);
    let manifests = arg(dir.path());
    let args = [
        "apply",
        manifests.as_str(),
        "--auto-approve",
        "--parallelism",
        "2",
        "--endpoint-url",
        proxy.endpoint.as_str(),
    ];
    let child = spawn(&moto, &args, true);
    let deadline = Instant::now() + Duration::from_secs(60);
    while proxy.count("CreateRole") < 4 {
        assert!(Instant::now() < deadline, "apply never started its steps");
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .expect("run kill");
    assert!(sent.success(), "kill -INT failed");
    let out = child.wait_with_output().expect("wait for apply");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(130), "{stderr}");
    assert!(
        stderr.contains("interrupted: finishing the steps in flight"),
        "{stderr}"
    );
    let summary = stderr
        .lines()
        .find_map(|l| l.strip_prefix("apply interrupted: "))
        .unwrap_or_else(|| panic!("no interruption summary:\n{stderr}"));
    let numbers: Vec<usize> = summary
        .split(|c: char| !c.is_ascii_digit())
        .filter_map(|n| n.parse().ok())
        .take(2)
        .collect();
    let [applied, total] = numbers[..] else {
        panic!("no `N of M steps applied` in {summary:?}")
    };
    assert!(0 < applied && applied < total, "{summary}");
    assert!(stderr.contains("hint: every step that succeeded is in the account"));

    proxy.chaos(None);
    let left = support::plan_json(&moto, &[&manifests]);
    let steps = left["steps"].as_array().expect("plan steps").len();
    assert_eq!(
        steps,
        total - applied,
        "the plan after the interruption should hold exactly the steps that did not run"
    );
    run(&moto, &args).success();
    assert_no_changes(&moto, &proxy.endpoint, dir.path(), "after the re-run");
    assert_account_matches(&moto, &expected, &BTreeMap::new(), "after the re-run");
}

/// What `kill -9` can leave in the account, made by hand through the SDK, then one plan and
/// one apply:
/// - `chaos-0003` was killed after `CreateRole` and `CreateInstanceProfile`: the role has no
///   inline policy yet, and its profile exists, owned, holding no role;
/// - `chaos-0001` was killed after `CreateRole`: no inline policy;
/// - `chaos-0099`, no longer declared, was killed while being deleted (`--prune`), after
///   `RemoveRoleFromInstanceProfile`: the role and an empty owned profile remain.
///
/// The plan finishes exactly those jobs (no second profile, no create of what exists), and
/// after the apply the account holds the manifests' roles and profiles and nothing else.
#[test]
fn what_a_crash_leaves_behind_is_found_and_finished() {
    let moto = Moto::start();
    let dir = tempfile::tempdir().expect("temp dir");
    let expected = generate(dir.path(), 6, 0, false);
    let manifests = arg(dir.path());
    let args = [
        "apply",
        manifests.as_str(),
        "--auto-approve",
        "--prune",
        "--endpoint-url",
        moto.endpoint.as_str(),
    ];
    run(&moto, &args).success();
    let iam = moto.iam();
    let owned = || {
        aws_sdk_iam::types::Tag::builder()
            .key("managed-by")
            .value("rolesmith")
            .build()
            .expect("tag")
    };
    block_on(async {
        for role in ["chaos-0001", "chaos-0003"] {
            ok(
                iam.delete_role_policy()
                    .role_name(role)
                    .policy_name("read-objects")
                    .send()
                    .await,
                "DeleteRolePolicy",
            );
        }
        ok(
            iam.remove_role_from_instance_profile()
                .instance_profile_name("chaos-0003")
                .role_name("chaos-0003")
                .send()
                .await,
            "RemoveRoleFromInstanceProfile",
        );
        ok(
            iam.create_role()
                .role_name("chaos-0099")
                .assume_role_policy_document(
                    r#"{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":"sts:AssumeRole"}]}"#,
                )
                .tags(owned())
                .send()
                .await,
            "CreateRole chaos-0099",
        );
        ok(
            iam.create_instance_profile()
                .instance_profile_name("chaos-0099")
                .tags(owned())
                .send()
                .await,
            "CreateInstanceProfile chaos-0099",
        );
    });

    let plan = support::plan_json(&moto, &[&manifests, "--prune"]);
    let mut steps: Vec<String> = plan["steps"]
        .as_array()
        .expect("plan steps")
        .iter()
        .map(|s| {
            format!(
                "{} {}",
                s["operation"].as_str().unwrap_or_default(),
                s["target"].as_str().unwrap_or_default()
            )
        })
        .collect();
    steps.sort();
    assert_eq!(
        steps,
        [
            "AddRoleToInstanceProfile instance profile chaos-0003 role chaos-0003",
            "DeleteInstanceProfile instance profile chaos-0099",
            "DeleteRole role chaos-0099",
            "PutRolePolicy role chaos-0001 inline policy read-objects",
            "PutRolePolicy role chaos-0003 inline policy read-objects",
        ],
        "the plan should finish exactly what the crashes left undone"
    );
    run(&moto, &args).success();
    assert_no_changes(&moto, &moto.endpoint, dir.path(), "after the repair");
    assert_account_matches(&moto, &expected, &BTreeMap::new(), "after the repair");
}
