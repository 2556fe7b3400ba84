//! Benchmark: `rolesmith apply` at the account's rate limit and through transient faults.
//!
//! Run: `cargo bench --bench apply_throttled -- SCENARIO [ROLES]`, where SCENARIO is
//! - `ceiling RATE BURST`: a token bucket of RATE requests/s (burst BURST) in front of moto, as
//!   IAM's per-account limit is; over it, requests are answered `Throttling`. Reports the apply's
//!   throughput (requests moto served per second of the apply) against RATE, the ceiling no
//!   client can pass.
//! - `faults SHARE`: SHARE (0–1) of requests get a random non-throttle fault (500, 503, a reset
//!   connection, a lost answer), no rate limit; compared with a fault-free apply in the same run.
//! - `mixed SHARE`: the same with throttling among the fault kinds (the fault test's mix).
//!
//! Each apply starts from an empty account (moto is reset) and runs the real binary with
//! `--stats` against the test proxy (`tests/it/support/proxy.rs`) in front of a private moto
//! server; afterwards a plan straight to moto must say "No changes". Results are recorded in
//! docs/BENCHMARKS.md.

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

#[allow(dead_code)]
#[path = "../tests/it/support/moto.rs"]
mod moto;
#[allow(dead_code)]
#[path = "../tests/it/support/proxy.rs"]
mod proxy;
/// The venv installer `moto` uses (as `super::venv`, here as in the tests).
#[allow(dead_code)]
#[path = "../tests/it/support/venv.rs"]
mod venv;

use proxy::{Chaos, ChaosKind, Proxy};

fn manifest(i: usize) -> String {
    format!(
        r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: app-{i:05}
spec:
  path: /bench/
  trust:
    - service: lambda.amazonaws.com
  inlinePolicies:
    data:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: s3:GetObject
          Resource: arn:aws:s3:::bucket-{i}/*
  tags:
    service: app-{i}
"#
    )
}

fn generate(dir: &Path, roles: usize) {
    std::fs::create_dir_all(dir).expect("manifest dir");
    for chunk in 0..roles.div_ceil(100) {
        let docs: Vec<String> = (chunk * 100..((chunk + 1) * 100).min(roles))
            .map(manifest)
            .collect();
        std::fs::write(
            dir.join(format!("roles-{chunk:04}.yaml")),
            docs.join("---\n"),
        )
        .expect("write manifests");
    }
}

/// One run of the binary: wall time, exit code, stderr.
struct Run {
    wall: Duration,
    code: Option<i32>,
    stderr: String,
    stdout: String,
}

fn rolesmith(server: &moto::Moto, endpoint: &str, args: &[&str]) -> Run {
    // ROLESMITH_BIN: measure another build of the binary (e.g. a copy kept aside).
    let bin =
        std::env::var_os("ROLESMITH_BIN").unwrap_or_else(|| env!("CARGO_BIN_EXE_rolesmith").into());
    let mut cmd = Command::new(bin);
    server.configure(&mut cmd);
    cmd.args(args)
        .args(["--endpoint-url", endpoint, "--no-progress"])
        .env("NO_COLOR", "1")
        .env_remove("RUST_LOG");
    let started = Instant::now();
    let out = cmd.output().expect("run rolesmith");
    Run {
        wall: started.elapsed(),
        code: out.status.code(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
    }
}

/// What one apply through the proxy did.
struct Measured {
    wall: Duration,
    served: usize,
    throttled: usize,
    faulted: usize,
    runs: usize,
}

/// Applies the manifests to an empty account through `proxy` until it succeeds (at most 3
/// runs; each re-run finishes what the last left), then checks a direct plan is empty.
fn apply(server: &moto::Moto, proxy: &Proxy, manifests: &Path) -> Measured {
    server.reset();
    let before = proxy.log().len();
    let dir = manifests.to_str().expect("utf-8 path");
    let mut wall = Duration::ZERO;
    let mut runs = 0;
    loop {
        runs += 1;
        let r = rolesmith(
            server,
            &proxy.endpoint,
            &["apply", dir, "--auto-approve", "--stats"],
        );
        wall += r.wall;
        if r.code == Some(0) {
            if runs == 1 {
                let stats: Vec<&str> = r.stderr.lines().filter(|l| !l.is_empty()).collect();
                println!("  --stats of the apply:\n    {}", stats.join("\n    "));
            }
            break;
        }
        assert!(runs < 3, "apply failed {runs} times:\n{}", r.stderr);
        println!("  run {runs} ended with {:?}; running apply again", r.code);
        let stats: Vec<&str> = r
            .stderr
            .lines()
            .skip_while(|l| !l.starts_with("API calls"))
            .take_while(|l| !l.is_empty())
            .collect();
        println!("    {}", stats.join("\n    "));
    }
    let log = proxy.log();
    let log = &log[before..];
    let plan = rolesmith(server, &server.endpoint, &["plan", dir]);
    assert!(
        plan.stdout.contains("No changes."),
        "the account converged: {}",
        plan.stdout
    );
    Measured {
        wall,
        served: log
            .iter()
            .filter(|r| !r.rate_limited && r.chaos.is_none() && !r.action.is_empty())
            .count(),
        throttled: log.iter().filter(|r| r.rate_limited).count(),
        faulted: log.iter().filter(|r| r.chaos.is_some()).count(),
        runs,
    }
}

fn report(label: &str, m: &Measured) {
    println!(
        "{label}: {:.1} s in {} run(s), {} requests served by moto ({:.1}/s), {} rate-limited, {} faulted",
        m.wall.as_secs_f64(),
        m.runs,
        m.served,
        m.served as f64 / m.wall.as_secs_f64(),
        m.throttled,
        m.faulted
    );
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let scenario = args.first().map(String::as_str).unwrap_or("ceiling");
    let number = |i: usize, default: f64| -> f64 {
        args.get(i).and_then(|a| a.parse().ok()).unwrap_or(default)
    };
    let dir = tempfile::tempdir().expect("temp dir");
    let server = moto::Moto::start();
    let proxy = Proxy::start(&server.endpoint);
    match scenario {
        "ceiling" => {
            let (rate, burst) = (number(1, 20.0), number(2, 20.0) as u32);
            let roles = number(3, 1000.0) as usize;
            generate(dir.path(), roles);
            println!("{roles} roles, token bucket {rate}/s, burst {burst}");
            proxy.rate_limit(Some((rate, burst)));
            let m = apply(&server, &proxy, dir.path());
            proxy.rate_limit(None);
            report("apply", &m);
            println!(
                "throughput {:.1} requests/s = {:.0} % of the ceiling ({rate}/s)",
                m.served as f64 / m.wall.as_secs_f64(),
                100.0 * m.served as f64 / m.wall.as_secs_f64() / rate
            );
        }
        "faults" | "mixed" => {
            let share = number(1, 0.1);
            let roles = number(2, 1000.0) as usize;
            generate(dir.path(), roles);
            let mut chaos = Chaos::new(7, share);
            if scenario == "faults" {
                chaos.kinds = vec![
                    ChaosKind::ServerError,
                    ChaosKind::Unavailable,
                    ChaosKind::Reset,
                    ChaosKind::LostAnswer,
                ];
            }
            println!(
                "{roles} roles, {:.0} % of requests faulted ({:?})",
                share * 100.0,
                chaos.kinds
            );
            let clean = apply(&server, &proxy, dir.path());
            report("fault-free apply", &clean);
            proxy.chaos(Some(chaos));
            let faulty = apply(&server, &proxy, dir.path());
            proxy.chaos(None);
            report("faulted apply   ", &faulty);
            println!(
                "faulted / fault-free wall time: {:.2}×",
                faulty.wall.as_secs_f64() / clean.wall.as_secs_f64()
            );
        }
        other => panic!(
            "unknown scenario {other}: ceiling RATE BURST [ROLES] | faults SHARE [ROLES] | mixed SHARE [ROLES]"
        ),
    }
}
