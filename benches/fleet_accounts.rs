//! Benchmark: one manifest set over many accounts (issue 15), through the real CLI.
//!
//! Run: `cargo bench --bench fleet_accounts -- moto [ACCOUNTS] [ROLES]` (defaults 100, 100) or
//! `cargo bench --bench fleet_accounts -- offline [ACCOUNTS] [ROLES]` (defaults 100, 500; with
//! `FLEET_BENCH_KEEP=1` the generated folder is kept, e.g. for `perf`). The program generates
//! the inputs, then re-runs itself with a clean environment (fake credentials, loopback
//! endpoint, no profile) for the measurements. Results are recorded in docs/BENCHMARKS.md.
//!
//! `moto`: a private moto server (installed into `<target>/moto-venv` on first use) holds an
//! organization of ACCOUNTS members in `/workloads/{prod,dev,sandbox}`; a project with
//! `[accounts] source = "organizations"` places ROLES roles (trust, inline policy, an AWS
//! managed policy, tags with `${account.name}`) in every member. The measuring process runs
//! the `rolesmith` binary (`CARGO_BIN_EXE_rolesmith`: each run is a process, as in CI): the
//! apply (`--account-parallelism 8`), then the no-change `plan --format json --stats` at
//! account parallelism 1, 4 (the default) and 8 — wall time, each account's calls from the JSON
//! — and once more through the recording proxy (`tests/it/support/proxy.rs`) to count the calls
//! on the wire, `AssumeRole` included. In the same run: ACCOUNTS sequential single-account
//! `rolesmith plan`s, each with the credentials of a bare SDK `AssumeRole`, in a project without
//! `[accounts]` whose manifests have the account's name written in; and the floor, the bare SDK
//! calls (AssumeRole, ListRoles, GetAccountAuthorizationDetails, ListInstanceProfiles) for each
//! account, sequential and 8 accounts at once.
//!
//! `offline`: a static `[[accounts.list]]` of ACCOUNTS accounts, ROLES manifests landing in
//! every account, and a snapshot folder written by one untimed `apply --snapshot DIR`. Each
//! measurement is a fresh process running the CLI in-process (`Cli::try_parse_from` +
//! `cli::run`), so its `VmHWM` is that command's peak RSS: `plan --snapshot DIR` at the default
//! account parallelism (4), at 1 and at 2; to see where time and memory go, `validate` alone,
//! one account of the fleet, a single account holding all ACCOUNTS × ROLES roles without an
//! inventory, and the per-account work stage by stage through the library.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::{Command, Output};
use std::time::{Duration, Instant};

use clap::Parser as _;

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

/// The release binary Cargo built for this benchmark.
const BIN: &str = env!("CARGO_BIN_EXE_rolesmith");
/// The OUs (under `/workloads`) the accounts are dealt into.
const OUS: [&str; 3] = ["prod", "dev", "sandbox"];
/// The selector of every member account (the management account is left out).
const MEMBERS: &str = "ou:/workloads";
/// The role moto creates in every member account.
const ACCESS_ROLE: &str = "OrganizationAccountAccessRole";

/// Role `i` in `account` (`${account.name}` for the inventory): `plan_snapshot.rs`'s role
/// with one managed policy and the account's name in the description and a tag.
fn role(i: usize, account: &str) -> String {
    let team = i % 40;
    format!(
        r#"apiVersion: rolesmith/v1
kind: Role
metadata:
  name: app-{i:05}
spec:
  description: Generated role {i} in {account}
  path: /bench/team-{team}/
  trust:
    - service: [ec2.amazonaws.com, lambda.amazonaws.com]
    - account: "210987654321"
      externalId: ext-{i}
  managedPolicies: [aws:ReadOnlyAccess]
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
    account: {account}
"#
    )
}

/// Writes `roles` manifests for `account` into `dir`, 100 to a multi-document file.
fn write_roles(dir: &Path, roles: usize, account: &str) {
    std::fs::create_dir_all(dir).expect("manifest dir");
    for chunk in 0..roles.div_ceil(100) {
        let docs: Vec<String> = (chunk * 100..((chunk + 1) * 100).min(roles))
            .map(|i| role(i, account))
            .collect();
        let file = dir.join(format!("roles-{chunk:04}.yaml"));
        std::fs::write(file, docs.join("---\n")).expect("write manifests");
    }
}

fn main() {
    let raw: Vec<String> = std::env::args().skip(1).collect();
    let num = |i: usize| raw[i].parse().expect("a number");
    match raw.first().map(String::as_str) {
        Some("offline-child") => return offline_child(Path::new(&raw[1]), &raw[2..]),
        Some("stages-child") => return stages_child(Path::new(&raw[1]), num(2)),
        Some("moto-child") => return moto_child(Path::new(&raw[1]), &raw[2], num(3)),
        _ => {}
    }
    let args: Vec<&String> = raw.iter().filter(|a| !a.starts_with("--")).collect();
    let num = |i: usize, or: usize| args.get(i).and_then(|a| a.parse().ok()).unwrap_or(or);
    match args.first().map(|a| a.as_str()) {
        Some("moto") => moto_stage(num(1, 100), num(2, 100)),
        Some("offline") | None => offline_stage(num(1, 100), num(2, 500)),
        Some(other) => panic!("unknown stage `{other}`: moto|offline [ACCOUNTS] [ROLES]"),
    }
}

fn runtime() -> tokio::runtime::Runtime {
    let mut builder = tokio::runtime::Builder::new_current_thread();
    builder.enable_all().build().expect("runtime")
}

/// `rolesmith ARGS` in `dir` (the binary), with `env` set and the variables that could reach
/// another endpoint or real credentials removed.
fn rolesmith(dir: &Path, args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(BIN);
    for key in moto::UNSET_ENV {
        cmd.env_remove(key);
    }
    let cmd = cmd.current_dir(dir).arg("--no-progress").args(args);
    cmd.envs(env.iter().copied()).output().expect("rolesmith")
}

/// Asserts `out` exited 0, showing the end of its output otherwise.
fn check(out: &Output, what: &str) {
    let tail = |bytes: &[u8]| {
        let text = String::from_utf8_lossy(bytes);
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    };
    let (status, stdout, stderr) = (out.status, tail(&out.stdout), tail(&out.stderr));
    assert!(
        status.success(),
        "{what}: {status}\n{stdout}\n--- stderr ---\n{stderr}"
    );
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

/// Command-line words.
fn words(line: &str) -> Vec<&str> {
    line.split(' ').collect()
}

// ---------------------------------------------------------------- stage A: moto

/// Starts moto, builds the organization and both projects, and runs the measuring process.
fn moto_stage(accounts: usize, roles: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (t0, server) = (Instant::now(), moto::Moto::start());
    let members = organization(&server, accounts);
    let setup = secs(t0.elapsed());
    let url = &server.endpoint;
    println!("moto {url} and {accounts} members in /workloads/{{prod,dev,sandbox}}: {setup:.1} s");
    let fleet = dir.path().join("fleet");
    write_roles(&fleet.join("m"), roles, "${account.name}");
    let config = format!(
        "paths = [\"m\"]\n\n[accounts]\nsource = \"organizations\"\nassume_role = \"{ACCESS_ROLE}\"\ndefault = [\"{MEMBERS}\"]\n"
    );
    std::fs::write(fleet.join("rolesmith.toml"), config).expect("config");
    let mut list = String::new();
    for (id, name) in &members {
        write_roles(&dir.path().join("single").join(id).join("m"), roles, name);
        let _ = writeln!(list, "{id} {name}");
    }
    std::fs::write(dir.path().join("members.txt"), list).expect("members");
    let mut cmd = Command::new(std::env::current_exe().expect("own path"));
    cmd.args([
        "moto-child",
        &dir.path().display().to_string(),
        url,
        &roles.to_string(),
    ]);
    server.configure(cmd.env_remove("RUST_LOG"));
    let status = cmd.status().expect("run the measuring process");
    if !status.success() {
        eprintln!("--- moto output ---\n{}", server.log_tail());
    }
    assert!(status.success(), "measuring process failed");
}

/// An organization of `n` members dealt round-robin into `/workloads/{prod,dev,sandbox}`;
/// returns each member's (id, name).
fn organization(moto: &moto::Moto, n: usize) -> Vec<(String, String)> {
    use aws_sdk_organizations::types::OrganizationFeatureSet;
    let org = aws_sdk_organizations::Client::new(&moto.sdk_config());
    let ou = async |parent: &str, name: &str| -> String {
        let ou = org.create_organizational_unit().parent_id(parent);
        let out = ou.name(name).send().await.expect("CreateOU");
        let id = out.organizational_unit().and_then(|o| o.id());
        id.expect("OU id").to_owned()
    };
    runtime().block_on(async {
        let create = org.create_organization();
        let create = create.feature_set(OrganizationFeatureSet::All).send().await;
        create.expect("CreateOrganization");
        let roots = org.list_roots().send().await.expect("ListRoots");
        let root = roots.roots()[0].id().expect("root id").to_owned();
        let workloads = ou(&root, "workloads").await;
        let mut ous = Vec::new();
        for name in OUS {
            ous.push(ou(&workloads, name).await);
        }
        let mut members = Vec::new();
        for i in 0..n {
            let name = format!("{}-{i:03}", OUS[i % 3]);
            let email = format!("{name}@example.com");
            let create = org.create_account().account_name(&name).email(email);
            let created = create.send().await.expect("CreateAccount");
            let id = created.create_account_status().and_then(|s| s.account_id());
            let id = id.expect("account id").to_owned();
            let mv = org.move_account().account_id(&id).source_parent_id(&root);
            let mv = mv.destination_parent_id(&ous[i % 3]).send().await;
            mv.expect("MoveAccount");
            members.push((id, name));
        }
        members
    })
}

/// Each operation's calls, one value per account (an account without the operation: 0).
#[derive(Default)]
struct Spread(BTreeMap<String, Vec<u64>>, usize);

impl Spread {
    fn add(&mut self, calls: &serde_json::Value) {
        for (op, c) in calls.as_object().expect("stats.calls") {
            let each = self.0.entry(op.clone()).or_insert_with(|| vec![0; self.1]);
            each.push(c.as_u64().unwrap_or(0));
        }
        self.1 += 1;
        self.0.values_mut().for_each(|v| v.resize(self.1, 0));
    }

    /// `Op min–max (total T)` for each operation.
    fn show(&self) -> String {
        let each = self.0.iter().map(|(op, v)| {
            let (min, max) = (v.iter().min().unwrap_or(&0), v.iter().max().unwrap_or(&0));
            let range = match min == max {
                true => min.to_string(),
                false => format!("{min}–{max}"),
            };
            format!("{op} {range} (total {})", v.iter().sum::<u64>())
        });
        each.collect::<Vec<_>>().join(", ")
    }
}

/// The no-change fleet plan of the members at `parallelism`: wall time and each account's
/// calls (`accounts[i].plan.stats.calls`).
fn fleet_plan(fleet: &Path, p: &str, endpoint: Option<&str>, n: usize) -> (Duration, Spread) {
    let mut args = words("plan --format json --stats --detailed-exitcode --account-parallelism");
    args.extend([p, "--account", MEMBERS]);
    args.extend(endpoint.iter().flat_map(|url| ["--endpoint-url", url]));
    let t0 = Instant::now();
    let out = rolesmith(fleet, &args, &[]);
    let wall = t0.elapsed();
    check(&out, "no-change fleet plan (exit 0: no changes)");
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
    let accounts = json["accounts"].as_array().expect("accounts");
    assert_eq!(accounts.len(), n, "every member planned");
    let mut spread = Spread::default();
    for a in accounts {
        assert_eq!(a["plan"]["steps"], serde_json::json!([]), "{a:#}");
        spread.add(&a["plan"]["stats"]["calls"]);
    }
    (wall, spread)
}

/// The measuring process of stage A (see the module docs): prints a table of the runs.
fn moto_child(dir: &Path, endpoint: &str, roles: usize) {
    let text = std::fs::read_to_string(dir.join("members.txt")).expect("members");
    let members: Vec<(&str, &str)> = text.lines().filter_map(|l| l.split_once(' ')).collect();
    let (n, fleet, mut rows) = (members.len(), dir.join("fleet"), Vec::new());
    let t0 = Instant::now();
    let args = words("apply --auto-approve --account ou:/workloads --account-parallelism 8");
    let out = rolesmith(&fleet, &args, &[]);
    check(&out, "fleet apply");
    let done =
        [&out.stdout, &out.stderr].map(|o| String::from_utf8_lossy(o).matches(" done").count());
    rows.push((
        args.join(" "),
        t0.elapsed(),
        format!("{} steps done", done[0] + done[1]),
    ));
    for p in ["1", "4", "8"] {
        let (wall, spread) = fleet_plan(&fleet, p, None, n);
        let what = format!("plan --format json --stats --account-parallelism {p}");
        rows.push((what, wall, format!("calls per account: {}", spread.show())));
    }
    let proxy = proxy::Proxy::start(endpoint);
    let (via, _) = fleet_plan(&fleet, "4", Some(&proxy.endpoint), n);
    let mut wire: BTreeMap<String, usize> = BTreeMap::new();
    for r in proxy.log() {
        let action = Some(r.action).filter(|a| !a.is_empty());
        *wire.entry(action.unwrap_or("(JSON)".into())).or_default() += 1;
    }
    let wire: Vec<String> = wire.iter().map(|(a, c)| format!("{a} {c}")).collect();
    let what = "the same, parallelism 4, through the recording proxy".to_owned();
    rows.push((
        what,
        via,
        format!("on the wire in all: {}", wire.join(", ")),
    ));

    let loader = aws_config::defaults(aws_config::BehaviorVersion::latest()).endpoint_url(endpoint);
    let rt = runtime();
    let config = rt.block_on(loader.region(aws_config::Region::new(moto::REGION)).load());
    let sts = aws_sdk_sts::Client::new(&config);
    let (mut assume, mut runs, mut spread) = (Duration::ZERO, Vec::new(), Spread::default());
    let t0 = Instant::now();
    for (id, _) in &members {
        let t = Instant::now();
        let c = rt.block_on(assume_role(&sts, id));
        assume += t.elapsed();
        let t = Instant::now();
        let env = [
            ("AWS_ACCESS_KEY_ID", c.access_key_id()),
            ("AWS_SECRET_ACCESS_KEY", c.secret_access_key()),
            ("AWS_SESSION_TOKEN", c.session_token()),
        ];
        let args = words("plan m --format json --detailed-exitcode");
        let out = rolesmith(&dir.join("single").join(id), &args, &env);
        runs.push(secs(t.elapsed()));
        check(&out, "single-account no-change plan");
        let json: serde_json::Value = serde_json::from_slice(&out.stdout).expect("plan JSON");
        assert_eq!(json["account_id"].as_str(), Some(*id), "planned the member");
        spread.add(&json["stats"]["calls"]);
    }
    let what = format!("{n} × (bare AssumeRole, then single-account `plan m --format json`)");
    runs.sort_by(f64::total_cmp);
    let (assume, sum, median) = (secs(assume), runs.iter().sum::<f64>(), runs[n / 2]);
    let note = format!(
        "AssumeRole {assume:.2} s, rolesmith {sum:.2} s (a run {:.3}–{:.3} s, median {median:.3} s); calls per run: {}",
        runs[0],
        runs[n - 1],
        spread.show()
    );
    rows.push((what, t0.elapsed(), note));

    let t0 = Instant::now();
    for (id, _) in &members {
        rt.block_on(floor_one(&config, &sts, id));
    }
    let floor = "floor: bare SDK AssumeRole, ListRoles, GAAD, ListInstanceProfiles";
    rows.push((
        format!("{floor}, one account after another"),
        t0.elapsed(),
        String::new(),
    ));
    let t0 = Instant::now();
    rt.block_on(async {
        use futures_util::StreamExt as _;
        let each = futures_util::stream::iter(&members).map(|(id, _)| floor_one(&config, &sts, id));
        each.buffer_unordered(8).collect::<Vec<()>>().await
    });
    rows.push((
        format!("{floor}, 8 accounts at once"),
        t0.elapsed(),
        String::new(),
    ));
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!("\nload average at the end: {load}");
    println!("\n| {n} accounts × {roles} roles | wall time | notes |\n|---|---|---|");
    for (what, wall, note) in rows {
        println!("| {what} | {:.2} s | {note} |", secs(wall));
    }
}

async fn assume_role(sts: &aws_sdk_sts::Client, id: &str) -> aws_sdk_sts::types::Credentials {
    let arn = format!("arn:aws:iam::{id}:role/{ACCESS_ROLE}");
    let out = sts.assume_role().role_arn(arn).role_session_name("bench");
    let out = out.send().await.expect("AssumeRole");
    out.credentials().expect("credentials").clone()
}

/// One account's floor: enter it, then every page of the three listings a no-change plan reads.
async fn floor_one(config: &aws_config::SdkConfig, sts: &aws_sdk_sts::Client, id: &str) {
    use aws_sdk_iam::types::EntityType;
    let c = assume_role(sts, id).await;
    let (key, secret, token) = (c.access_key_id(), c.secret_access_key(), c.session_token());
    let creds = aws_sdk_iam::config::Credentials::new(key, secret, Some(token.into()), None, "b");
    let conf = aws_sdk_iam::config::Builder::from(config).credentials_provider(creds);
    let iam = aws_sdk_iam::Client::from_conf(conf.build());
    let mut roles = iam.list_roles().into_paginator().send();
    while let Some(page) = roles.next().await {
        page.expect("ListRoles");
    }
    let details = iam.get_account_authorization_details();
    let details = details.filter(EntityType::Role);
    let details = details.filter(EntityType::LocalManagedPolicy);
    let mut details = details.into_paginator().send();
    while let Some(page) = details.next().await {
        page.expect("GetAccountAuthorizationDetails");
    }
    let mut profiles = iam.list_instance_profiles().into_paginator().send();
    while let Some(page) = profiles.next().await {
        page.expect("ListInstanceProfiles");
    }
}

// ---------------------------------------------------------------- stage B: offline

/// Account `a` of the offline inventory.
fn offline_account(a: usize) -> rolesmith::inventory::AccountInfo {
    rolesmith::inventory::AccountInfo {
        name: format!("acct-{a:03}"),
        id: format!("{:012}", 100_000_000_000usize + a),
        ou: format!("/workloads/{}", OUS[a % 3]),
        tags: BTreeMap::new(),
        vars: BTreeMap::new(),
    }
}

/// Generates the offline fleet, its snapshot folder and the one-account reference, then
/// measures each run in a fresh process.
fn offline_stage(accounts: usize, roles: usize) {
    let dir = tempfile::tempdir().expect("temp dir");
    let (fleet, single) = (dir.path().join("fleet"), dir.path().join("single"));
    write_roles(&fleet.join("m"), roles, "${account.name}");
    let mut config = "paths = [\"m\"]\n\n[accounts]\n".to_owned();
    for a in (0..accounts).map(offline_account) {
        let (name, id, ou) = (a.name, a.id, a.ou);
        let entry = format!("name = \"{name}\"\nid = \"{id}\"\nou = \"{ou}\"\n");
        let _ = write!(config, "\n[[accounts.list]]\n{entry}");
    }
    std::fs::write(fleet.join("rolesmith.toml"), config).expect("config");
    let total = accounts * roles;
    write_roles(&single.join("m"), total, "single");
    println!("offline: {accounts} accounts × {roles} roles = {total} roles, one manifest set");
    for (at, args) in [
        (&fleet, "apply --snapshot snap --auto-approve"),
        (&single, "apply m --snapshot one.json --auto-approve"),
    ] {
        let t0 = Instant::now();
        check(&rolesmith(at, &words(args), &offline_env()), args);
        println!("setup (untimed):  `{args}` in {:.1} s", secs(t0.elapsed()));
    }
    let runs = [
        (&fleet, "plan --snapshot snap"),
        (&fleet, "plan --snapshot snap --account-parallelism 1"),
        (&fleet, "plan --snapshot snap --account-parallelism 2"),
        (&fleet, "validate"),
        (&fleet, "plan --snapshot snap --account acct-000"),
        (&single, "plan m --snapshot one.json"),
    ];
    println!("\n| run | wall time | CPU (user+sys) | peak RSS | load avg | output |");
    println!("|---|---|---|---|---|---|");
    let mut verdict = Vec::new();
    for (i, (at, args)) in runs.into_iter().enumerate() {
        let out = child(&["offline-child", &at.display().to_string()], &words(args));
        check(&out, args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        let line = stderr.lines().find_map(|l| l.strip_prefix("bench-result "));
        let f: Vec<&str> = line.expect("the child's result").split(' ').collect();
        let (wall, peak): (f64, f64) = (f[0].parse().expect("wall"), f[2].parse().expect("rss"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        let summary = stdout.lines().find(|l| l.starts_with("Accounts: "));
        let other = |l: &&str| l.contains("No changes") || l.contains("valid");
        let result = summary.or(stdout.lines().find(other)).unwrap_or("?");
        let one = if at == &single { " (no inventory)" } else { "" };
        let (cpu, load) = (f[1], f[3]);
        println!("| `{args}`{one} | {wall:.2} s | {cpu} s | {peak:.0} MiB | {load} | {result} |");
        assert!(
            summary.is_none_or(|l| l.ends_with(" 0 failed.")),
            "{result}"
        );
        if i < 2 {
            let lt = |pass: bool| if pass { "<" } else { "NOT <" };
            let (t, m) = (lt(wall < 3.0), lt(peak < 400.0));
            verdict.push(format!(
                "`{args}`: {wall:.2} s {t} 3 s, {peak:.0} MiB {m} 400 MiB"
            ));
        }
    }
    println!("\ntarget (< 3 s, < 400 MiB):\n  {}", verdict.join("\n  "));
    let (fleet, n) = (fleet.display().to_string(), accounts.to_string());
    let out = child(&["stages-child", &fleet, &n], &[]);
    check(&out, "stages");
    print!("{}", String::from_utf8_lossy(&out.stdout));
    if std::env::var_os("FLEET_BENCH_KEEP").is_some() {
        println!("kept {}", dir.keep().display());
    }
}

/// This program as a child with `args` then `more`, in the offline environment.
fn child(args: &[&str], more: &[&str]) -> Output {
    let mut cmd = Command::new(std::env::current_exe().expect("own path"));
    for key in moto::UNSET_ENV {
        cmd.env_remove(key);
    }
    cmd.args(args).args(more).env_remove("RUST_LOG");
    cmd.envs(offline_env());
    cmd.output().expect("run the measuring process")
}

/// The environment of an offline run: fake credentials and a dead loopback endpoint.
fn offline_env() -> Vec<(&'static str, &'static str)> {
    vec![
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:9"),
        ("AWS_ACCESS_KEY_ID", "testing"),
        ("AWS_SECRET_ACCESS_KEY", "testing"),
        ("AWS_REGION", moto::REGION),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ]
}

/// Runs `rolesmith ARGS` in-process in `dir` (a plan must exit 0 under
/// `--detailed-exitcode`: no changes) and reports `bench-result WALL_S CPU_S PEAK_MIB LOADAVG`
/// on stderr.
fn offline_child(dir: &Path, args: &[String]) {
    std::env::set_current_dir(dir).expect("cd");
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    let mut argv: Vec<String> = ["rolesmith", "--no-progress"].map(str::to_owned).into();
    argv.extend(args.iter().cloned());
    if args[0] == "plan" {
        argv.push("--detailed-exitcode".into());
    }
    let t0 = Instant::now();
    let cli = rolesmith::cli::Cli::try_parse_from(argv).expect("arguments");
    let status = rolesmith::cli::run(cli);
    let wall = t0.elapsed();
    assert_eq!(status, rolesmith::cli::ExitStatus::Success, "exit 0");
    // utime and stime, in clock ticks (100 a second), are fields 14 and 15 of /proc/self/stat.
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let f: Vec<f64> = stat.split(' ').map(|f| f.parse().unwrap_or(0.0)).collect();
    let (cpu, peak) = ((f[13] + f[14]) / 100.0, status_mib("VmHWM:"));
    let load = load.split(' ').next().unwrap_or("?");
    eprintln!("bench-result {:.3} {cpu:.2} {peak:.1} {load}", secs(wall));
}

/// The CLI's work for each account of the fleet, stage by stage, through the library, one
/// account after another (what each account's run does at `--account-parallelism 1`).
fn stages_child(dir: &Path, accounts: usize) {
    use rolesmith::account::{AccountReader as _, snapshot::SnapshotAccount};
    use rolesmith::check::{ResolveContext, load_and_validate, validate};
    use rolesmith::diff::{DiffOptions, diff};
    let inventory = rolesmith::inventory::Inventory {
        accounts: (0..accounts).map(offline_account).collect(),
        default: vec!["*".parse().expect("selector")],
        ..Default::default()
    };
    let (m, rt) = (vec![dir.join("m")], runtime());
    let t0 = Instant::now();
    let loaded = rolesmith::manifest::load_paths(&m);
    let parse = t0.elapsed();
    let mut t = [Duration::ZERO; 6];
    for a in &inventory.accounts {
        let scope = Some(inventory.scope(a));
        let (account_id, offline) = (a.id.clone(), ResolveContext::offline());
        let ctx = ResolveContext {
            account_id,
            account: scope,
            ..offline
        };
        let t0 = Instant::now();
        let (desired, diagnostics, _) = load_and_validate(&m, &ctx);
        let t1 = Instant::now();
        drop(validate(&loaded, &ctx));
        let t2 = Instant::now();
        let file = dir.join("snap").join(format!("{}.json", a.id));
        let account = SnapshotAccount::open(&file, &a.id).expect("open snapshot");
        let t3 = Instant::now();
        let live = rt.block_on(account.read()).expect("read snapshot");
        let t4 = Instant::now();
        let d = diff(&desired, &live, &DiffOptions::default());
        let plan = rolesmith::plan::Plan::build(d, &live, &ctx.limits);
        drop(rolesmith::render::text::render(&plan, false));
        let t5 = Instant::now();
        drop((desired, live));
        let t6 = Instant::now();
        assert!(diagnostics.is_empty() && plan.is_empty(), "{diagnostics:?}");
        let each = [t1 - t0, t2 - t1, t3 - t2, t4 - t3, t5 - t4, t6 - t5];
        each.iter().zip(&mut t).for_each(|(d, sum)| *sum += *d);
    }
    let ms = |d: Duration| secs(d) * 1e3;
    println!("\n== each account's work by stage ({accounts} accounts in turn, library calls) ==");
    println!(
        "{:<58} {:>7.1} ms",
        "parsing the manifests once (load_paths)",
        ms(parse)
    );
    for (what, d) in [
        "load_and_validate (parse + validate + lint, as plan does)",
        "validate + lint alone (on documents parsed once)",
        "SnapshotAccount::open (parses the file once)",
        "read() (takes the state open parsed)",
        "diff + Plan::build + render text",
        "dropping the desired and live states",
    ]
    .iter()
    .zip(t)
    {
        let (all, each) = (ms(d), ms(d) / accounts as f64);
        println!("{what:<58} {all:>7.1} ms in all, {each:>5.2} ms an account");
    }
    println!("peak RSS of this process: {:.0} MiB", status_mib("VmHWM:"));
}

fn status_mib(field: &str) -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let line = status.lines().find_map(|l| l.strip_prefix(field));
    let kb = line.map(|v| v.trim_end_matches("kB").trim().parse::<f64>());
    kb.and_then(Result::ok).map_or(f64::NAN, |kb| kb / 1024.0)
}
