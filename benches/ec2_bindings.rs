//! Benchmark: EC2 bindings for many instances on a live account (a private moto server), through
//! the library and the real AWS SDK clients.
//!
//! Run: `cargo bench --bench ec2_bindings -- [INSTANCES] [BATCH] [PARALLELISM]` (defaults 1000,
//! 100, 8). The program starts moto (installed into `<target>/moto-venv` on first use, as the
//! integration tests do), then re-runs itself with the harness's environment (fake credentials,
//! loopback endpoint, no profile) so the measured process starts clean. That process:
//!
//! 1. launches INSTANCES instances tagged `cloudwatch-agent=enabled` with `RunInstances`,
//!    BATCH per call (MinCount = MaxCount = BATCH), plus one batch of untagged ones (noise the
//!    server-side tag filter must skip);
//! 2. plans and applies the seed's CloudWatch example (`examples/manifests/cloudwatch-agent.yaml`:
//!    role, instance profile, selector `cloudwatch-agent=enabled`) — one
//!    `AssociateIamInstanceProfile` per instance;
//! 3. plans again with a fresh account handle (fresh call counts) and reports the EC2 calls the
//!    read made, which must be ⌈N/1000⌉ `DescribeIamInstanceProfileAssociations` plus
//!    ⌈pages⌉ `DescribeInstances` for the one selector, and no change.
//!
//! Two moto 5.2.5 quirks shape the numbers, and the program accounts for both: moto pages
//! `DescribeInstances` by *reservation* (one per `RunInstances` call) where AWS pages by
//! instance — run with BATCH = 1 to make moto's pages count instances as AWS's do; and moto
//! ignores `MaxResults` on `DescribeIamInstanceProfileAssociations` (it reads `MaxItems`), so its
//! pages hold 100 associations where AWS's hold the 1000 rolesmith asks for (the request's
//! `MaxResults=1000` is pinned by `tests/it/aws_ec2.rs`). Results are recorded in
//! docs/BENCHMARKS.md (section "EC2 bindings").

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use aws_sdk_ec2::types::{InstanceType, ResourceType, Tag, TagSpecification};
use rolesmith::account::aws::{AwsAccount, AwsOptions};
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

/// The seed's example, relative to the crate root.
const EXAMPLE: &str = "examples/manifests/cloudwatch-agent.yaml";
/// An AMI in moto's bundled list.
const AMI: &str = "ami-12c6146b";
/// Largest page of both EC2 listings (what rolesmith asks for, and AWS honours).
const PAGE: usize = 1000;
/// moto's fixed page for `DescribeIamInstanceProfileAssociations`.
const MOTO_ASSOCIATIONS_PAGE: usize = 100;

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let num = |i: usize, default: usize| -> usize {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    if args.first().map(String::as_str) == Some("measure") {
        measure(&args[1], num(2, 1000), num(3, 100), num(4, 8));
        return;
    }
    let (instances, batch, parallelism) = (num(0, 1000), num(1, 100).max(1), num(2, 8));
    let t_start = Instant::now();
    let server = moto::Moto::start();
    println!(
        "moto:             {} (started in {:.1} s)",
        server.endpoint,
        t_start.elapsed().as_secs_f64()
    );
    println!("instances:        {instances} in batches of {batch}, parallelism {parallelism}");
    let mut cmd = std::process::Command::new(std::env::current_exe().expect("own path"));
    cmd.arg("measure")
        .arg(&server.endpoint)
        .arg(instances.to_string())
        .arg(batch.to_string())
        .arg(parallelism.to_string())
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .env_remove("RUST_LOG");
    server.configure(&mut cmd);
    let status = cmd.status().expect("run the measuring process");
    if !status.success() {
        eprintln!("--- moto output ---\n{}", server.log_tail());
    }
    assert!(status.success(), "measuring process failed");
}

fn options(endpoint: &str) -> AwsOptions {
    AwsOptions {
        region: Some(moto::REGION.to_owned()),
        endpoint_url: Some(endpoint.to_owned()),
        ..AwsOptions::default()
    }
}

/// `RunInstances` in batches: `count` instances with `tags`, `batch` per call. Returns the
/// number of calls.
async fn launch(
    ec2: &aws_sdk_ec2::Client,
    count: usize,
    batch: usize,
    tags: &[(&str, &str)],
) -> usize {
    let mut left = count;
    let mut calls = 0;
    while left > 0 {
        let n = i32::try_from(left.min(batch)).expect("batch fits i32");
        let mut request = ec2
            .run_instances()
            .image_id(AMI)
            .instance_type(InstanceType::T2Micro)
            .min_count(n)
            .max_count(n);
        if !tags.is_empty() {
            let mut spec = TagSpecification::builder().resource_type(ResourceType::Instance);
            for (k, v) in tags {
                spec = spec.tags(Tag::builder().key(*k).value(*v).build());
            }
            request = request.tag_specifications(spec.build());
        }
        request.send().await.expect("RunInstances");
        left -= n as usize;
        calls += 1;
    }
    calls
}

struct Planned {
    plan: Plan,
    read: Duration,
    instances_read: usize,
}

/// Identity → load + validate → scoped read → diff → plan, as `rolesmith plan` does.
fn make_plan(account: &AwsAccount, rt: &tokio::runtime::Runtime) -> Planned {
    let identity = rt.block_on(account.identity()).expect("identity");
    let ownership = Ownership::default();
    let ctx = ResolveContext {
        account_id: identity.account_id,
        partition: identity.partition,
        ownership: ownership.clone(),
        ..ResolveContext::offline()
    };
    let (desired, diagnostics, _) = load_and_validate(&[PathBuf::from(EXAMPLE)], &ctx);
    assert!(!has_errors(&diagnostics), "{:?}", diagnostics.first());
    let t0 = Instant::now();
    let live = rt
        .block_on(account.read_scoped(&ReadScope::needed_by(&desired, false)))
        .expect("read the account");
    let read = t0.elapsed();
    let instances_read = live.instances.len();
    let d = diff(
        &desired,
        &live,
        &DiffOptions {
            ownership,
            prune: false,
        },
    );
    Planned {
        plan: Plan::build(d, &live, &ctx.limits),
        read,
        instances_read,
    }
}

fn ec2_only(calls: &BTreeMap<String, u64>) -> BTreeMap<String, u64> {
    calls
        .iter()
        .filter(|(op, _)| {
            rolesmith::account::aws::operations::find(op)
                .is_some_and(|o| o.action.starts_with("ec2:"))
        })
        .map(|(op, n)| (op.clone(), *n))
        .collect()
}

fn list(calls: &BTreeMap<String, u64>) -> String {
    calls
        .iter()
        .map(|(op, n)| format!("{op} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn measure(endpoint: &str, instances: usize, batch: usize, parallelism: usize) {
    assert!(
        Path::new(EXAMPLE).is_file(),
        "run from the crate root ({EXAMPLE} not found)"
    );
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let account = rt
        .block_on(AwsAccount::connect(options(endpoint)))
        .expect("connect");

    // 1. Instances (outside the measured account's stats: a plain SDK client).
    let sdk = rt.block_on(
        aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_config::Region::new(moto::REGION))
            .endpoint_url(endpoint)
            .load(),
    );
    let ec2 = aws_sdk_ec2::Client::new(&sdk);
    let t0 = Instant::now();
    let run_calls = rt.block_on(launch(
        &ec2,
        instances,
        batch,
        &[("cloudwatch-agent", "enabled")],
    ));
    let noise = batch.min(instances);
    rt.block_on(launch(&ec2, noise, batch, &[("team", "other")]));
    println!(
        "launched:         {instances} tagged + {noise} untagged instances, {run_calls} RunInstances calls for the tagged ones, {:.1} s",
        t0.elapsed().as_secs_f64()
    );

    // 2. Apply from scratch.
    let t0 = Instant::now();
    let planned = make_plan(&account, &rt);
    let steps = planned.plan.steps.len();
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
    let apply_time = t0.elapsed();
    assert_eq!(report.applied, steps);
    let apply_calls = account.stats().counts();
    println!("\n== apply from scratch ==");
    println!("changes / steps:  {} / {steps}", planned.plan.changes.len());
    println!("total:            {:.1} s", apply_time.as_secs_f64());
    println!("calls:            {}", list(&apply_calls));
    assert_eq!(
        apply_calls.get("AssociateIamInstanceProfile").copied(),
        Some(instances as u64),
        "one association per instance"
    );

    // 3. No-change plan with fresh call counts.
    let account = rt
        .block_on(AwsAccount::connect(options(endpoint)))
        .expect("connect");
    let t0 = Instant::now();
    let replanned = make_plan(&account, &rt);
    let plan_time = t0.elapsed();
    let calls = account.stats().counts();
    let ec2_calls = ec2_only(&calls);
    let ec2_total: u64 = ec2_calls.values().sum();
    let reservations = run_calls;
    let expected_assoc = instances.div_ceil(MOTO_ASSOCIATIONS_PAGE) as u64;
    let aws_assoc = instances.div_ceil(PAGE);
    let expected_describe = reservations.div_ceil(PAGE).max(1) as u64;
    println!("\n== no-change plan ==");
    println!(
        "changes / steps:  {} / {}",
        replanned.plan.changes.len(),
        replanned.plan.steps.len()
    );
    println!(
        "instances read:   {} (the tagged ones; the untagged batch is filtered out by EC2)",
        replanned.instances_read
    );
    println!(
        "read account:     {:.1} ms",
        replanned.read.as_secs_f64() * 1e3
    );
    println!("total:            {:.1} ms", plan_time.as_secs_f64() * 1e3);
    println!("calls:            {}", list(&calls));
    println!(
        "EC2 calls:        {ec2_total} (expected on moto: {expected_assoc} DescribeIamInstanceProfileAssociations = ⌈{instances}/{MOTO_ASSOCIATIONS_PAGE}⌉ + {expected_describe} DescribeInstances = ⌈{reservations} reservations/{PAGE}⌉)"
    );
    println!(
        "on AWS:           {} = {aws_assoc} DescribeIamInstanceProfileAssociations (⌈{instances}/{PAGE}⌉) + {} DescribeInstances (⌈{instances}/{PAGE}⌉)",
        aws_assoc + instances.div_ceil(PAGE),
        instances.div_ceil(PAGE)
    );
    println!(
        "\n| instances | RunInstances batch | apply wall time | no-change plan wall time | plan EC2 calls |"
    );
    println!("|---|---|---|---|---|");
    println!(
        "| {instances} | {batch} | {:.1} s | {:.2} s | {ec2_total} ({}) |",
        apply_time.as_secs_f64(),
        plan_time.as_secs_f64(),
        list(&ec2_calls)
    );

    assert!(replanned.plan.is_empty(), "no change after apply");
    assert_eq!(replanned.instances_read, instances);
    assert_eq!(
        ec2_calls
            .get("DescribeIamInstanceProfileAssociations")
            .copied(),
        Some(expected_assoc)
    );
    assert_eq!(
        ec2_calls.get("DescribeInstances").copied(),
        Some(expected_describe)
    );
}
