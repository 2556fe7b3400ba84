//! Benchmark: `rolesmith validate DIR` over N generated role manifests (default 1,000), one file
//! each, as a repository lays them out (`roles/team-NN/app-NNNN.yaml`).
//!
//! Run: `cargo bench --bench validate_manifests -- [ROLES] [RUNS]` (defaults 1000, 5).
//!
//! Each manifest is realistic rather than minimal: trust shorthand of three kinds in turn (a
//! service, another account with an external id, GitHub Actions pinned to one repository and
//! branch), managed policies, two inline policies with four statements between them (conditions,
//! ARNs with `${AWS::…}` variables) and tags. They are lint-clean apart from the intended info
//! finding on service trusts without `aws:SourceAccount` (a third of the roles).
//!
//! Two timings, each the best and median of RUNS:
//! - **binary**: the real `rolesmith validate DIR`, spawned (process start, load, parse,
//!   validate, lint, render), output captured. Cargo builds the binary for benchmarks and hands
//!   its path over as `CARGO_BIN_EXE_rolesmith`;
//! - **library**: `load_and_validate` in this process (load + parse + validate + lint), no
//!   process start or rendering.
//!
//! Results are recorded in docs/BENCHMARKS.md (`## Validate`).

use std::fmt::Write as _;
use std::path::Path;
use std::time::{Duration, Instant};

use rolesmith::check::{ResolveContext, load_and_validate};
use rolesmith::diagnostic::Severity;

fn manifest(i: usize) -> String {
    let team = i % 25;
    let trust = match i % 3 {
        0 => "    - service: [lambda.amazonaws.com, states.amazonaws.com]\n".to_owned(),
        1 => format!("    - account: \"210987654321\"\n      externalId: partner-{i:05}-7f3c\n"),
        _ => format!(
            "    - githubActions:\n        repo: example-org/service-{i:05}\n        ref: main\n"
        ),
    };
    let mut y = String::new();
    let _ = write!(
        y,
        r#"# yaml-language-server: $schema=../../schema/rolesmith.schema.json
# Generated role {i} for the validate benchmark.
apiVersion: rolesmith/v1
kind: Role
metadata:
  name: app-{i:05}
spec:
  description: Service {i} of team {team}, reads its bucket and writes its table
  path: /team-{team:02}/
  maxSessionDuration: 3600
  trust:
{trust}  managedPolicies:
    - aws:ReadOnlyAccess
    - arn:${{AWS::Partition}}:iam::${{AWS::AccountId}}:policy/team-{team:02}-base
  inlinePolicies:
    data:
      Version: "2012-10-17"
      Statement:
        - Sid: ReadBucket
          Effect: Allow
          Action: [s3:GetObject, s3:ListBucket, s3:GetObjectVersion]
          Resource:
            - arn:${{AWS::Partition}}:s3:::app-{i:05}-data
            - arn:${{AWS::Partition}}:s3:::app-{i:05}-data/*
          Condition:
            StringEquals:
              aws:RequestedRegion: [eu-west-1, eu-central-1]
        - Sid: WriteTable
          Effect: Allow
          Action: [dynamodb:GetItem, dynamodb:PutItem, dynamodb:UpdateItem, dynamodb:Query]
          Resource: arn:${{AWS::Partition}}:dynamodb:eu-west-1:${{AWS::AccountId}}:table/app-{i:05}
        - Sid: DenyDelete
          Effect: Deny
          Action: [dynamodb:DeleteTable, s3:DeleteBucket]
          Resource:
            - arn:${{AWS::Partition}}:dynamodb:eu-west-1:${{AWS::AccountId}}:table/app-{i:05}
            - arn:${{AWS::Partition}}:s3:::app-{i:05}-data
    secrets:
      Version: "2012-10-17"
      Statement:
        - Effect: Allow
          Action: [secretsmanager:GetSecretValue, kms:Decrypt]
          Resource:
            - arn:${{AWS::Partition}}:secretsmanager:eu-west-1:${{AWS::AccountId}}:secret:app-{i:05}/*
            - arn:${{AWS::Partition}}:kms:eu-west-1:${{AWS::AccountId}}:key/1234abcd-12ab-34cd-56ef-1234567890ab
          Condition:
            StringLike:
              kms:ViaService: secretsmanager.*.amazonaws.com
  tags:
    team: team-{team:02}
    service: app-{i:05}
    cost-center: cc-{cc}
"#,
        cc = 1000 + team
    );
    y
}

fn generate(dir: &Path, roles: usize) {
    for i in 0..roles {
        let team_dir = dir.join(format!("team-{:02}", i % 25));
        std::fs::create_dir_all(&team_dir).expect("manifest dir");
        std::fs::write(team_dir.join(format!("app-{i:05}.yaml")), manifest(i))
            .expect("write manifest");
    }
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Best, median and worst of the timings, in milliseconds.
fn best_median_worst(mut times: Vec<Duration>) -> (f64, f64, f64) {
    times.sort();
    let n = times.len();
    let median = if n % 2 == 1 {
        ms(times[n / 2])
    } else {
        (ms(times[n / 2 - 1]) + ms(times[n / 2])) / 2.0
    };
    (ms(times[0]), median, ms(times[n - 1]))
}

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        .collect();
    let roles: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(1000);
    let runs: usize = args.get(1).and_then(|a| a.parse().ok()).unwrap_or(5).max(1);
    let tmp = tempfile::tempdir().expect("temp dir");
    let dir = tmp.path().join("roles");
    generate(&dir, roles);
    let bytes: u64 = walkdir::WalkDir::new(&dir)
        .into_iter()
        .filter_map(Result::ok)
        .filter_map(|e| e.metadata().ok())
        .filter(|m| m.is_file())
        .map(|m| m.len())
        .sum();
    println!(
        "manifests:        {roles} files, {} KiB, in {}",
        bytes / 1024,
        dir.display()
    );

    // In-process: load + parse + validate + lint, as `validate` does before rendering.
    let ctx = ResolveContext::offline();
    let mut lib = Vec::new();
    let mut findings = (0, 0, 0);
    for _ in 0..runs {
        let t = Instant::now();
        let (desired, diagnostics, files) = load_and_validate(std::slice::from_ref(&dir), &ctx);
        lib.push(t.elapsed());
        assert_eq!(desired.roles.len(), roles, "every role validates");
        assert_eq!(files.len(), roles);
        findings = diagnostics
            .iter()
            .fold((0, 0, 0), |(e, w, i), d| match d.severity {
                Severity::Error => (e + 1, w, i),
                Severity::Warning => (e, w + 1, i),
                Severity::Info => (e, w, i + 1),
            });
        assert_eq!(findings.0, 0, "{:?}", diagnostics.first());
    }
    println!(
        "findings:         {} error(s), {} warning(s), {} info",
        findings.0, findings.1, findings.2
    );

    // The real binary, spawned.
    let bin = env!("CARGO_BIN_EXE_rolesmith");
    let mut spawned = Vec::new();
    for _ in 0..runs {
        let t = Instant::now();
        let out = std::process::Command::new(bin)
            .arg("validate")
            .arg(&dir)
            .env("NO_COLOR", "1")
            .output()
            .expect("run rolesmith validate");
        spawned.push(t.elapsed());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains(&format!("{roles} manifest(s)")),
            "{stdout}{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    let (lib_best, lib_median, lib_worst) = best_median_worst(lib);
    let (bin_best, bin_median, bin_worst) = best_median_worst(spawned);
    println!("binary:           {bin}");
    println!(
        "rolesmith validate (spawned):   best {bin_best:>7.1} ms, median {bin_median:>7.1} ms, worst {bin_worst:>7.1} ms ({runs} runs)"
    );
    println!(
        "load_and_validate (in-process): best {lib_best:>7.1} ms, median {lib_median:>7.1} ms, worst {lib_worst:>7.1} ms ({runs} runs)"
    );
}
