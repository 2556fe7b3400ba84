//! Benchmark: apply N generated roles to a live account (a private moto server), then plan them
//! again with no change, end to end through the library (manifest files on disk → read the
//! account → load + validate → diff → plan → apply) and the real AWS SDK clients.
//!
//! Run: `cargo bench --bench moto_roles -- [ROLES] [PARALLELISM] [POLICIES]` (defaults 1000, 8,
//! 0).
//! The program starts moto (installed into `<target>/moto-venv` on first use, as the integration
//! tests do), generates the manifests, then re-runs itself with the harness's environment (fake
//! credentials, loopback endpoint, no profile) so the measured process starts clean. It prints
//! wall time, plan steps, and AWS calls by operation (retries = HTTP attempts − calls) for the
//! apply from scratch and for the no-change plan that follows. Results are recorded in
//! docs/BENCHMARKS.md.
//!
//! Each generated role has a service-principal trust policy, one inline policy and two tags (plus
//! the ownership tag), so the minimal apply is one `CreateRole` (tags ride along) and one
//! `PutRolePolicy` per role. With POLICIES > 0, that many `kind: ManagedPolicy` manifests are
//! generated too and role i attaches `policy:team-policy-(i mod POLICIES)`: the minimum adds one
//! `CreatePolicy` per policy (tags ride along) and one `AttachRolePolicy` per role, and the
//! no-change plan must cost exactly the formula of docs/BENCHMARKS.md (bulk pages + one
//! `ListPolicyTags` per declared policy). The same reads made with the bare SDK on the same
//! server, as fast as they can go (tags 8 at a time, like rolesmith), are the floor the
//! no-change plan is compared with.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use rolesmith::account::aws::{AwsAccount, AwsOptions, operations};
use rolesmith::account::{AccountReader, ReadScope};
use rolesmith::apply::{ApplyOptions, OwnershipGuard, apply};
use rolesmith::check::{ResolveContext, load_and_validate};
use rolesmith::diagnostic::has_errors;
use rolesmith::diff::{DiffOptions, diff};
use rolesmith::plan::Plan;
use rolesmith::state::Ownership;

#[allow(dead_code)]
#[path = "../tests/it/support/moto.rs"]
mod moto;
/// The venv installer `moto` uses (as `super::venv`, here as in the tests).
#[allow(dead_code)]
#[path = "../tests/it/support/venv.rs"]
mod venv;

fn manifest(i: usize, policies: usize) -> String {
    let mut y = String::new();
    let _ = write!(
        y,
        r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: app-{i:05}
spec:
  description: Generated role {i} for the moto benchmark
  path: /bench/team-{team}/
  trust:
    - service: lambda.amazonaws.com
  inlinePolicies:
    data:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: [s3:GetObject, s3:PutObject, s3:ListBucket]
          Resource: [arn:aws:s3:::bucket-{i}, arn:aws:s3:::bucket-{i}/*]
  tags:
    team: team-{team}
    service: app-{i}
"#,
        team = i % 40
    );
    if policies > 0 {
        let _ = writeln!(
            y,
            "  managedPolicies:\n    - policy:team-policy-{:04}",
            i % policies
        );
    }
    y
}

fn policy_manifest(p: usize) -> String {
    format!(
        r#"apiVersion: rolesmith/v1
kind: ManagedPolicy
metadata:
  name: team-policy-{p:04}
spec:
  path: /bench/
  description: Generated policy {p} for the moto benchmark
  document:
    Version: "2012-10-17"
    Statement:
      - Effect: Allow
        Action: [dynamodb:GetItem, dynamodb:Query]
        Resource: arn:aws:dynamodb:*:*:table/team-{p}
  tags:
    team: team-{team}
"#,
        team = p % 40
    )
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some("measure") {
        let parse = |i: usize| -> usize {
            args.get(i)
                .and_then(|a| a.parse().ok())
                .expect("measure DIR ENDPOINT ROLES PARALLELISM")
        };
        measure(
            &Path::new(&args[1]).join("manifests"),
            &args[2],
            parse(3),
            parse(4),
            parse(5),
        );
        return;
    }
    let roles: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let parallelism: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(8);
    let policies: usize = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(0);
    let dir = tempfile::tempdir().expect("temp dir");
    generate(&dir.path().join("manifests"), roles, policies);

    let t_start = Instant::now();
    let server = moto::Moto::start();
    println!(
        "moto:             {} (started in {:.1} s)",
        server.endpoint,
        t_start.elapsed().as_secs_f64()
    );
    println!("roles:            {roles}, policies {policies}, parallelism {parallelism}");
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("own path"));
    cmd.arg("measure")
        .arg(dir.path())
        .arg(&server.endpoint)
        .arg(roles.to_string())
        .arg(parallelism.to_string())
        .arg(policies.to_string())
        .env_remove("RUST_LOG");
    server.configure(&mut cmd);
    let status = cmd.status().expect("run the measuring process");
    if !status.success() {
        eprintln!("--- moto output ---\n{}", server.log_tail());
    }
    assert!(status.success(), "measuring process failed");
}

fn generate(manifests: &Path, roles: usize, policies: usize) {
    std::fs::create_dir_all(manifests).expect("manifest dir");
    if policies > 0 {
        let docs: Vec<String> = (0..policies).map(policy_manifest).collect();
        std::fs::write(manifests.join("policies.yaml"), docs.join("---\n"))
            .expect("write manifests");
    }
    // 100 roles per file, as multi-document files.
    for chunk in 0..roles.div_ceil(100) {
        let docs: Vec<String> = (chunk * 100..((chunk + 1) * 100).min(roles))
            .map(|i| manifest(i, policies))
            .collect();
        std::fs::write(
            manifests.join(format!("roles-{chunk:04}.yaml")),
            docs.join("---\n"),
        )
        .expect("write manifests");
    }
}

fn options(endpoint: &str) -> AwsOptions {
    AwsOptions {
        region: Some(moto::REGION.to_owned()),
        endpoint_url: Some(endpoint.to_owned()),
        ..AwsOptions::default()
    }
}

/// Wall time of each stage of one plan.
struct Planned {
    plan: Plan,
    read: Duration,
    plan_time: Duration,
}

/// What `make_plan` in the CLI does: the account's identity, load + validate in its context,
/// read what the manifests need (`ReadScope::needed_by`), diff, order into steps.
fn make_plan(account: &AwsAccount, manifests: &Path, rt: &tokio::runtime::Runtime) -> Planned {
    let t0 = Instant::now();
    let identity = rt
        .block_on(account.identity())
        .expect("the account's identity");
    let ownership = Ownership::default();
    let ctx = ResolveContext {
        account_id: identity.account_id.clone(),
        partition: identity.partition.clone(),
        ownership: ownership.clone(),
        ..ResolveContext::offline()
    };
    let (desired, diagnostics, _) = load_and_validate(&[PathBuf::from(manifests)], &ctx);
    assert!(
        !has_errors(&diagnostics),
        "generated manifests must be valid: {:?}",
        diagnostics.first()
    );
    let t_read = Instant::now();
    let live = rt
        .block_on(account.read_scoped(&ReadScope::needed_by(&desired, false)))
        .expect("read the account");
    let read = t_read.elapsed();
    let d = diff(
        &desired,
        &live,
        &DiffOptions {
            ownership,
            prune: false,
        },
    );
    let plan = Plan::build(d, &live, &ctx.limits);
    Planned {
        plan,
        read,
        plan_time: t0.elapsed() - read,
    }
}

/// The service an operation belongs to, from the adapter's operations table.
fn service(op: &str) -> &'static str {
    match operations::find(op).map(|o| o.action.split(':').next().unwrap_or_default()) {
        Some("iam") => "iam",
        Some("ec2") => "ec2",
        Some("") => "sts",
        _ => "?",
    }
}

fn sum(counts: &BTreeMap<String, u64>) -> u64 {
    counts.values().sum()
}

fn by_service(counts: &BTreeMap<String, u64>, svc: &str) -> u64 {
    counts
        .iter()
        .filter(|(op, _)| service(op) == svc)
        .map(|(_, n)| n)
        .sum()
}

fn print_calls(calls: &BTreeMap<String, u64>, attempts: &BTreeMap<String, u64>) {
    println!(
        "  {:<38} {:>7} {:>9} {:>8}",
        "operation (service)", "calls", "attempts", "retries"
    );
    for (op, n) in calls {
        let a = attempts.get(op).copied().unwrap_or(0);
        println!(
            "  {:<38} {n:>7} {a:>9} {:>8}",
            format!("{op} ({})", service(op)),
            a.saturating_sub(*n)
        );
    }
    let (n, a) = (sum(calls), sum(attempts));
    println!("  {:<38} {n:>7} {a:>9} {:>8}", "total", a.saturating_sub(n));
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

fn measure(manifests: &Path, endpoint: &str, roles: usize, parallelism: usize, policies: usize) {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");

    // 1. Apply from scratch.
    let t0 = Instant::now();
    let account = rt
        .block_on(AwsAccount::connect(options(endpoint)))
        .expect("connect");
    let planned = make_plan(&account, manifests, &rt);
    let steps = planned.plan.steps.len();
    let t_apply = Instant::now();
    let report = rt
        .block_on(apply(
            &planned.plan,
            &account,
            &OwnershipGuard::unchecked(),
            ApplyOptions {
                parallelism,
                ..ApplyOptions::default()
            },
            &|_, _, _| {},
        ))
        .expect("apply");
    let apply_time = t_apply.elapsed();
    let apply_total = t0.elapsed();
    assert_eq!(report.applied, steps, "every step applied");
    let stats = account.stats();
    let (apply_calls, apply_attempts, writes) = (stats.counts(), stats.attempts(), stats.writes());
    let apply_retries = sum(&apply_attempts).saturating_sub(sum(&apply_calls));
    let attached = if policies > 0 { roles } else { 0 };
    let minimal: BTreeMap<String, u64> = [
        ("CreateRole", roles),
        ("PutRolePolicy", roles),
        ("CreatePolicy", policies),
        ("AttachRolePolicy", attached),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(op, n)| (op.to_owned(), n as u64))
    .collect();

    println!("\n== apply from scratch ({roles} roles, parallelism {parallelism}) ==");
    println!("changes / steps:  {} / {steps}", planned.plan.changes.len());
    println!("read account:     {:>9.1} ms", ms(planned.read));
    println!("load+diff+plan:   {:>9.1} ms", ms(planned.plan_time));
    println!(
        "apply steps:      {:>9.1} ms ({:.0} steps/s)",
        ms(apply_time),
        steps as f64 / apply_time.as_secs_f64()
    );
    println!("total:            {:>9.1} ms", ms(apply_total));
    print_calls(&apply_calls, &apply_attempts);
    println!(
        "writes:           {} (minimal {}: {roles} × CreateRole + PutRolePolicy, {policies} × CreatePolicy, {attached} × AttachRolePolicy) — {}",
        sum(&writes),
        sum(&minimal),
        if writes == minimal {
            "minimal"
        } else {
            "NOT minimal"
        }
    );

    // 2. No-change plan with a fresh account (fresh stats).
    let t0 = Instant::now();
    let account = rt
        .block_on(AwsAccount::connect(options(endpoint)))
        .expect("connect");
    let replanned = make_plan(&account, manifests, &rt);
    let plan_total = t0.elapsed();
    let stats = account.stats();
    let (calls, attempts) = (stats.counts(), stats.attempts());
    let iam = by_service(&calls, "iam");
    let sts = by_service(&calls, "sts");

    println!("\n== no-change plan ({roles} roles) ==");
    println!(
        "changes / steps:  {} / {}",
        replanned.plan.changes.len(),
        replanned.plan.steps.len()
    );
    println!("read account:     {:>9.1} ms", ms(replanned.read));
    println!("load+diff+plan:   {:>9.1} ms", ms(replanned.plan_time));
    println!("total:            {:>9.1} ms", ms(plan_total));
    print_calls(&calls, &attempts);
    println!(
        "IAM calls:        {iam} (expected on AWS: ListRoles and GetAccountAuthorizationDetails \
         × ⌈N/1000⌉ pages + 1 ListInstanceProfiles + {policies} ListPolicyTags = {}), STS calls: {sts}",
        2 * roles.div_ceil(1000) + 1 + policies
    );
    // The formula on moto, which answers GetAccountAuthorizationDetails in one page.
    let formula: BTreeMap<String, u64> = [
        ("GetCallerIdentity", 1),
        ("ListRoles", roles.div_ceil(1000)),
        ("GetAccountAuthorizationDetails", 1),
        ("ListInstanceProfiles", 1),
        ("ListPolicyTags", policies),
    ]
    .into_iter()
    .filter(|(_, n)| *n > 0)
    .map(|(op, n)| (op.to_owned(), n as u64))
    .collect();
    println!(
        "formula:          {} — {}",
        formula
            .iter()
            .map(|(op, n)| format!("{op} {n}"))
            .collect::<Vec<_>>()
            .join(", "),
        if calls == formula {
            "matches"
        } else {
            "DIFFERS"
        }
    );
    let arns: Vec<String> = (0..policies)
        .map(|p| {
            format!(
                "arn:aws:iam::{}:policy/bench/team-policy-{p:04}",
                moto::ACCOUNT_ID
            )
        })
        .collect();
    let bare = floor(&rt, endpoint, &arns);
    println!(
        "floor (bare SDK): {:>9.1} ms for the same reads; no-change plan / floor = {:.2}×",
        ms(bare),
        plan_total.as_secs_f64() / bare.as_secs_f64()
    );

    println!(
        "\n| roles | apply wall time | apply calls by operation | retries | plan wall time | plan IAM calls |"
    );
    println!("|---|---|---|---|---|---|");
    let ops = |c: &BTreeMap<String, u64>| {
        c.iter()
            .map(|(op, n)| format!("{op} {n}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!(
        "| {roles} | {:.1} s | {} | {} | {:.2} s | {iam} ({}) |",
        apply_total.as_secs_f64(),
        ops(&apply_calls),
        apply_retries,
        plan_total.as_secs_f64(),
        ops(&calls
            .iter()
            .filter(|(op, _)| service(op) == "iam")
            .map(|(op, n)| (op.clone(), *n))
            .collect()),
    );

    assert!(
        replanned.plan.is_empty(),
        "the plan after apply must be empty: {} changes, {} steps",
        replanned.plan.changes.len(),
        replanned.plan.steps.len()
    );
    assert_eq!(
        writes, minimal,
        "apply must make exactly the minimal writes"
    );
    assert_eq!(
        calls, formula,
        "the no-change plan must cost the stated formula"
    );
}

/// The floor: the no-change plan's reads made with the bare SDK and nothing else — identity,
/// every page of the three listings, and the policies' tags eight at a time.
fn floor(rt: &tokio::runtime::Runtime, endpoint: &str, policy_arns: &[String]) -> Duration {
    use aws_sdk_iam::types::EntityType;
    use futures_util::StreamExt as _;
    let config = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .endpoint_url(endpoint)
            .region(aws_config::Region::new(moto::REGION))
            .load(),
    );
    let iam = aws_sdk_iam::Client::new(&config);
    let sts = aws_sdk_sts::Client::new(&config);
    let t0 = Instant::now();
    rt.block_on(async {
        sts.get_caller_identity()
            .send()
            .await
            .expect("GetCallerIdentity");
        let mut roles = iam.list_roles().into_paginator().send();
        while let Some(page) = roles.next().await {
            page.expect("ListRoles");
        }
        let mut details = iam
            .get_account_authorization_details()
            .filter(EntityType::Role)
            .filter(EntityType::LocalManagedPolicy)
            .into_paginator()
            .send();
        while let Some(page) = details.next().await {
            page.expect("GetAccountAuthorizationDetails");
        }
        let mut profiles = iam.list_instance_profiles().into_paginator().send();
        while let Some(page) = profiles.next().await {
            page.expect("ListInstanceProfiles");
        }
        futures_util::stream::iter(policy_arns)
            .map(|arn| iam.list_policy_tags().policy_arn(arn).send())
            .buffer_unordered(8)
            .for_each(|r| {
                r.expect("ListPolicyTags");
                async {}
            })
            .await;
    });
    t0.elapsed()
}
