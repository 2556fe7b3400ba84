//! How flags, `rolesmith.toml` and defaults resolve, per command.

use std::path::Path;

use clap::Parser;

use super::*;
use crate::cli::{Cli, Command};

fn plan_settings(argv: &[&str], config: &str) -> Settings {
    let cli = Cli::try_parse_from(argv).unwrap();
    let Command::Plan {
        paths,
        account,
        choices,
        parallelism,
        ..
    } = cli.command
    else {
        panic!("not plan")
    };
    let config = Config::parse(config, Path::new("rolesmith.toml")).unwrap();
    let flags = choices.flags(&paths, account.flags(), parallelism);
    Settings::for_plan(&flags, &config).unwrap()
}

const CONFIG: &str = r#"
paths = ["teams"]
prune = true
max_deletions = 3
parallelism = 2
path_prefix = "/app/"
region = "eu-west-1"
[ownership]
key = "owner"
value = "platform"
[quotas]
managed_policies_per_role = 20
"#;

#[test]
fn config_fills_what_flags_leave_out() {
    let s = plan_settings(&["rolesmith", "plan"], CONFIG);
    assert_eq!(s.paths, [PathBuf::from("teams")]);
    assert!(s.prune);
    assert_eq!(s.max_deletions, 3);
    assert_eq!(s.parallelism, 2);
    assert_eq!(s.path_prefix.as_deref(), Some("/app/"));
    assert_eq!(s.region.as_deref(), Some("eu-west-1"));
    assert_eq!(s.ownership.key, "owner");
    assert_eq!(s.limits.managed_policies_per_role, 20);
    assert_eq!(
        s.limits.trust_policy_size,
        Limits::default().trust_policy_size
    );
}

#[test]
fn flags_override_the_config() {
    let s = plan_settings(
        &[
            "rolesmith",
            "plan",
            "other",
            "--no-prune",
            "--max-deletions",
            "20",
            "--parallelism",
            "16",
            "--path-prefix",
            "/ops/",
            "--region",
            "us-west-2",
            "--ownership-tag",
            "team=iam",
        ],
        CONFIG,
    );
    assert_eq!(s.paths, [PathBuf::from("other")]);
    assert!(!s.prune);
    assert_eq!(s.max_deletions, 20);
    assert_eq!(s.parallelism, 16);
    assert_eq!(s.path_prefix.as_deref(), Some("/ops/"));
    assert_eq!(s.region.as_deref(), Some("us-west-2"));
    assert_eq!(s.ownership.key, "team");
}

#[test]
fn defaults_without_config_or_flags() {
    let s = plan_settings(&["rolesmith", "plan"], "");
    assert!(s.paths.is_empty());
    assert!(!s.prune);
    assert_eq!(s.max_deletions, DEFAULT_MAX_DELETIONS);
    assert_eq!(s.parallelism, usize::from(DEFAULT_PARALLELISM));
    assert_eq!(s.ownership, Ownership::default());
}

fn config(text: &str) -> Config {
    Config::parse(text, Path::new("rolesmith.toml")).unwrap()
}

fn import_settings(argv: &[&str], config_text: &str) -> Result<ImportSettings, UserError> {
    let cli = Cli::try_parse_from(argv).unwrap();
    let Command::Import {
        out,
        name,
        adopt,
        with_bindings,
        force,
        skip_unused,
        snapshot,
        ownership_tag,
        path_prefix,
        live,
        inventory,
        unused,
    } = cli.command
    else {
        panic!("not import")
    };
    let flags = ImportFlags {
        out: &out,
        name: name.as_deref(),
        adopt,
        with_bindings,
        force,
        snapshot: snapshot.as_deref(),
        ownership_tag: ownership_tag.as_deref(),
        live: live.flags(path_prefix.as_deref(), unused.propagation_timeout),
        inventory: &inventory,
        skip_unused,
    };
    ImportSettings::resolve(&flags, &config(config_text))
}

#[test]
fn import_takes_ownership_region_and_prefix_from_the_config() {
    let s = import_settings(&["rolesmith", "import", "--out", "m"], CONFIG).unwrap();
    assert_eq!(
        s.options.ownership,
        Ownership {
            key: "owner".into(),
            value: "platform".into()
        }
    );
    assert_eq!(s.live.path_prefix.as_deref(), Some("/app/"));
    assert_eq!(s.live.region.as_deref(), Some("eu-west-1"));
    assert_eq!(s.out, PathBuf::from("m"));

    let s = import_settings(
        &[
            "rolesmith",
            "import",
            "--out",
            "m",
            "--ownership-tag",
            "team=iam",
            "--path-prefix",
            "/ops/",
            "--region",
            "us-west-2",
            "--name",
            "^web",
            "--adopt",
        ],
        CONFIG,
    )
    .unwrap();
    assert_eq!(s.options.ownership.key, "team");
    assert_eq!(s.live.path_prefix.as_deref(), Some("/ops/"));
    assert_eq!(s.live.region.as_deref(), Some("us-west-2"));
    assert!(s.options.adopt);
    assert!(
        s.options
            .name
            .as_ref()
            .is_some_and(|re| re.is_match("web-1"))
    );

    let s = import_settings(&["rolesmith", "import", "--out", "m"], "").unwrap();
    assert_eq!(s.options.ownership, Ownership::default());
    assert_eq!(s.live.path_prefix, None);
}

#[test]
fn import_flags_that_do_not_parse_are_user_errors_with_a_hint() {
    let e = import_settings(&["rolesmith", "import", "--out", "m", "--name", "("], "").unwrap_err();
    assert!(e.to_string().starts_with("--name `(`"), "{e}");
    assert!(e.hint.is_some());
    let e = import_settings(
        &["rolesmith", "import", "--out", "m", "--ownership-tag", "x"],
        "",
    )
    .unwrap_err();
    assert!(e.to_string().contains("--ownership-tag"), "{e}");
}

#[test]
fn snapshot_takes_region_and_prefix_from_the_config() {
    let cli = Cli::try_parse_from(["rolesmith", "snapshot", "--out", "a.json"]).unwrap();
    let Command::Snapshot {
        out,
        path_prefix,
        live,
        unused,
    } = cli.command
    else {
        panic!("not snapshot")
    };
    let live = live.flags(path_prefix.as_deref(), unused.propagation_timeout);
    let s = SnapshotSettings::resolve(&out, &live, &config(CONFIG));
    let aws = s.live.aws_options();
    assert_eq!(aws.region.as_deref(), Some("eu-west-1"));
    assert_eq!(aws.path_prefix.as_deref(), Some("/app/"));
    assert_eq!(aws.max_attempts, 8);
    assert_eq!(s.out, PathBuf::from("a.json"));
}

#[test]
fn validate_takes_paths_ownership_quotas_and_lint_from_the_config() {
    let text = format!("{CONFIG}[lint]\nwildcard-action = \"off\"\n");
    let s = ValidateSettings::resolve(&[], DiagnosticFormat::Text, false, &config(&text));
    assert_eq!(s.paths, [PathBuf::from("teams")]);
    assert_eq!(s.context.ownership.key, "owner");
    assert_eq!(s.context.limits.managed_policies_per_role, 20);
    assert!(s.context.lint.off.contains("wildcard-action"));
    let s = ValidateSettings::resolve(&["m".into()], DiagnosticFormat::Json, false, &config(""));
    assert_eq!(s.paths, [PathBuf::from("m")]);
    assert_eq!(s.context.ownership, Ownership::default());
    assert!(!s.strict);
    // `--strict`, or `strict = true` in the config.
    assert!(ValidateSettings::resolve(&[], DiagnosticFormat::Text, true, &config("")).strict);
    let strict = config("strict = true\n");
    assert!(ValidateSettings::resolve(&[], DiagnosticFormat::Text, false, &strict).strict);
}

#[test]
fn flags_hidden_on_plan_resolve_as_they_do_on_apply() {
    // `--parallelism`, `--propagation-timeout` and `--account-id` are hidden on plan (they
    // do nothing there) but still accepted and resolved, so one flag set serves both.
    let flags = [
        "--prune",
        "--max-deletions",
        "3",
        "--parallelism",
        "4",
        "--propagation-timeout",
        "7",
        "--account-id",
        "111111111111",
        "--snapshot",
        "s.json",
        "--path-prefix",
        "/a/",
        "--ownership-tag",
        "team=iam",
    ];
    let plan = plan_settings(&[&["rolesmith", "plan"][..], &flags].concat(), CONFIG);
    let cli = Cli::try_parse_from([&["rolesmith", "apply"][..], &flags].concat()).unwrap();
    let Command::Apply {
        paths,
        account,
        choices,
        parallelism,
        ..
    } = cli.command
    else {
        panic!("not apply")
    };
    let flags = choices.flags(&paths, account.flags(), parallelism);
    let mut apply = Settings::for_apply(&flags, &config(CONFIG)).unwrap();
    assert!(apply.account.create_missing_snapshot);
    apply.account.create_missing_snapshot = false;
    // Each reads the clock when it is made.
    apply.now = plan.now;
    assert_eq!(plan, apply);
    assert_eq!(plan.parallelism, 4);
    assert_eq!(
        plan.account.live.propagation_timeout,
        Duration::from_secs(7)
    );
    assert_eq!(plan.account.snapshot_account_id, "111111111111");
}

#[test]
fn plan_and_snapshot_resolve_the_live_account_alike() {
    let cli = Cli::try_parse_from(["rolesmith", "plan", "--profile", "p"]).unwrap();
    let Command::Plan {
        paths,
        account,
        choices,
        parallelism,
        ..
    } = cli.command
    else {
        panic!("not plan")
    };
    let config = config(CONFIG);
    let settings = Settings::for_plan(
        &choices.flags(&paths, account.flags(), parallelism),
        &config,
    )
    .unwrap();
    let live = LiveSettings::resolve(&account.flags().live, &config);
    assert_eq!(settings.aws_options(), live.aws_options());
    assert_eq!(live.profile.as_deref(), Some("p"));
}
