//! Benchmark: plan N generated roles against a snapshot account, end to end through the library
//! (manifest files on disk → load → validate → read snapshot → diff → plan → render).
//!
//! Run: `cargo bench --bench plan_snapshot -- [ROLES] [CHANGED_PERCENT]` (defaults 10000, 10).
//! The program generates the manifests and the snapshot, then re-runs itself on them so the
//! measured process starts clean; it prints wall time per stage and that process's peak RSS
//! (VmHWM). Results are recorded in docs/BENCHMARKS.md.

use std::fmt::Write as _;
use std::path::Path;
use std::time::Instant;

use rolesmith::account::AccountReader;
use rolesmith::account::snapshot::{SnapshotAccount, write_atomically};
use rolesmith::check::{ResolveContext, load_and_validate, validate};
use rolesmith::diff::{DiffOptions, diff};
use rolesmith::manifest::load_paths;
use rolesmith::plan::Plan;

fn manifest(i: usize) -> String {
    let mut y = String::new();
    let _ = write!(
        y,
        r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: app-{i:05}
spec:
  description: Generated role {i} for the plan benchmark
  path: /bench/team-{team}/
  trust:
    - service: [ec2.amazonaws.com, lambda.amazonaws.com]
    - account: "210987654321"
      externalId: ext-{i}
  managedPolicies:
    - aws:ReadOnlyAccess
    - arn:aws:iam::123456789012:policy/team-{team}-base
  inlinePolicies:
    data:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: [s3:GetObject, s3:PutObject, s3:ListBucket]
          Resource: [arn:aws:s3:::bucket-{i}, arn:aws:s3:::bucket-{i}/*]
          Condition:
            StringEquals:
              aws:RequestedRegion: [eu-west-1, eu-central-1]
  tags:
    team: team-{team}
    service: app-{i}
"#,
        team = i % 40
    );
    y
}

fn peak_rss_mib() -> f64 {
    status_mib("VmHWM:")
}

fn rss_mib() -> f64 {
    status_mib("VmRSS:")
}

fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(f64::NAN, |kb| kb / 1024.0)
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    if args.first().map(String::as_str) == Some("measure") {
        let dir = Path::new(&args[1]);
        measure(&dir.join("manifests"), &dir.join("account.json"));
        return;
    }
    let roles: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let changed_pct: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(10);
    let dir = tempfile::tempdir().expect("temp dir");
    generate(dir.path(), roles, changed_pct);
    println!("roles:            {roles} ({changed_pct}% drifted)");
    let status = std::process::Command::new(std::env::current_exe().expect("own path"))
        .arg("measure")
        .arg(dir.path())
        .status()
        .expect("run the measuring process");
    assert!(status.success(), "measuring process failed");
}

fn generate(dir: &Path, roles: usize, changed_pct: usize) {
    let manifests = dir.join("manifests");
    std::fs::create_dir_all(&manifests).expect("manifest dir");
    // 100 roles per file, as multi-document files, to exercise the splitter too.
    for chunk in 0..roles.div_ceil(100) {
        let docs: Vec<String> = (chunk * 100..((chunk + 1) * 100).min(roles))
            .map(manifest)
            .collect();
        std::fs::write(
            manifests.join(format!("roles-{chunk:04}.yaml")),
            docs.join("---\n"),
        )
        .expect("write manifests");
    }

    // The live account: what the manifests say, with a share of roles drifted.
    let ctx = ResolveContext::offline();
    let loaded = load_paths(std::slice::from_ref(&manifests));
    let (desired, diags) = validate(&loaded, &ctx);
    assert!(
        diags.is_empty(),
        "generated manifests must be valid: {:?}",
        diags.first()
    );
    let mut live = rolesmith::state::AccountState::empty(&ctx.account_id, &ctx.partition);
    for (i, role) in desired.roles.values().enumerate() {
        let mut r = role.role.clone();
        if changed_pct > 0 && i % (100 / changed_pct.min(100)) == 0 {
            r.description = Some("changed by hand".into());
            r.tags.insert("extra".into(), "x".into());
        }
        live.roles.insert(r.name.clone(), r);
    }
    write_atomically(&dir.join("account.json"), &live).expect("write snapshot");
}

fn measure(manifests: &Path, snapshot: &Path) {
    let ctx = ResolveContext::offline();
    let t0 = Instant::now();
    let (desired, _, _) = load_and_validate(&[manifests.to_path_buf()], &ctx);
    let t_load = t0.elapsed();
    let rss_loaded = rss_mib();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .expect("runtime");
    let account = SnapshotAccount::open(snapshot, &ctx.account_id).expect("open snapshot");
    let live = rt.block_on(account.read()).expect("read snapshot");
    let t_read = t0.elapsed() - t_load;
    let rss_read = rss_mib();
    let d = diff(&desired, &live, &DiffOptions::default());
    let plan = Plan::build(d, &live, &ctx.limits);
    let t_plan = t0.elapsed() - t_load - t_read;
    let text = rolesmith::render::text::render(&plan, false);
    let total = t0.elapsed();
    let t_render = total - t_load - t_read - t_plan;

    println!(
        "changes / steps:  {} / {}",
        plan.changes.len(),
        plan.steps.len()
    );
    println!("load + validate:  {:>8.1} ms", t_load.as_secs_f64() * 1e3);
    println!("read snapshot:    {:>8.1} ms", t_read.as_secs_f64() * 1e3);
    println!("diff + plan:      {:>8.1} ms", t_plan.as_secs_f64() * 1e3);
    println!(
        "render text:      {:>8.1} ms ({} KiB)",
        t_render.as_secs_f64() * 1e3,
        text.len() / 1024
    );
    println!("total:            {:>8.1} ms", total.as_secs_f64() * 1e3);
    println!("peak RSS:         {:>8.1} MiB", peak_rss_mib());
    println!("RSS after load+validate {rss_loaded:.1} MiB, after read {rss_read:.1} MiB");
}
