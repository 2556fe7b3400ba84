//! The commands about the inventory itself: `rolesmith accounts`, `validate` once per account,
//! and `snapshot --out DIR` of every account.

use super::*;

/// `rolesmith accounts`: the inventory, and with `check` whether each account can be entered
/// (its role assumed, or the caller's own account), made with read calls only.
pub(crate) fn accounts_command(
    config: Option<&AccountsConfig>,
    aws: AwsOptions,
    selectors: &[crate::inventory::Selector],
    check: bool,
    format: super::super::args::ListFormat,
    shards: usize,
) -> Result<ExitStatus, BoxError> {
    use super::super::args::ListFormat;
    let Some(config) = config else {
        return Err(Box::new(UserError::new(
            "no account inventory: rolesmith.toml has no `[accounts]` table",
            "add `[accounts]` with `source = \"organizations\"` or `[[accounts.list]]` entries (README: Many accounts)",
        )));
    };
    let inventory = build_inventory(config, &aws, None)?;
    for note in &inventory.notes {
        eprintln!("note: {note}");
    }
    let accounts = inventory.select(selectors);
    let reach: Vec<Option<Result<(), String>>> = if check {
        let runtime = tokio_runtime()?;
        let me = runtime
            .block_on(AwsAccount::connect(aws.clone()))
            .and_then(|a| runtime.block_on(a.identity()))
            .ok();
        run_each(&accounts, 4, |a| {
            let mut opts = aws.clone();
            if me.as_ref().is_none_or(|m| m.account_id != a.id) {
                let partition = me.as_ref().map_or("aws", |m| m.partition.as_str());
                opts.assume_role = Some(assume_target(&inventory, partition, &a.id));
            }
            let reached = tokio_runtime().map_err(|e| e.to_string()).and_then(|rt| {
                let account = rt
                    .block_on(AwsAccount::connect(opts))
                    .map_err(|e| e.to_string())?;
                let id = rt.block_on(account.identity()).map_err(|e| e.to_string())?;
                if id.account_id == a.id {
                    Ok(())
                } else {
                    Err(format!("reached account {} instead", id.account_id))
                }
            });
            Some(reached)
        })
    } else {
        accounts.iter().map(|_| None).collect()
    };
    if format == ListFormat::GithubMatrix {
        println!("matrix={}", github_matrix(&accounts, shards));
    } else if format == ListFormat::Json {
        let items: Vec<serde_json::Value> = accounts
            .iter()
            .zip(&reach)
            .map(|(a, r)| {
                let mut v = serde_json::to_value(a).unwrap_or_default();
                if let Some(r) = r {
                    v["reachable"] = serde_json::Value::Bool(r.is_ok());
                    if let Err(e) = r {
                        v["error"] = serde_json::Value::String(e.clone());
                    }
                }
                v
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string_pretty(&serde_json::json!({ "accounts": items }))
                .unwrap_or_default()
        );
    } else {
        let width = accounts
            .iter()
            .map(|a| a.name.len())
            .max()
            .unwrap_or(4)
            .max(4);
        println!("{:<width$}  {:<12}  OU / tags", "name", "id");
        for (a, r) in accounts.iter().zip(&reach) {
            let tags = crate::state::tags_inline(&a.tags);
            let status = match r {
                None => String::new(),
                Some(Ok(())) => "  reachable".to_owned(),
                Some(Err(e)) => format!("  UNREACHABLE: {e}"),
            };
            println!("{:<width$}  {}  {} {tags}{status}", a.name, a.id, a.ou);
        }
    }
    Ok(if reach.iter().any(|r| matches!(r, Some(Err(_)))) {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// `validate` over an inventory: the manifests checked for every account of a list or file
/// inventory (each finding once, however many accounts share it), or once against a stand-in
/// account for Organizations, whose accounts are not known offline. The desired state returned
/// holds what any account declares, for the count of valid manifests.
pub(crate) fn validate_each(
    loaded: &crate::manifest::load::Loaded,
    context: &ResolveContext,
    config: &AccountsConfig,
) -> Result<(DesiredState, Vec<Diagnostic>), BoxError> {
    let scopes = match &config.source {
        AccountSource::Organizations => {
            vec![crate::inventory::AccountScope::stand_in(
                config.default.clone(),
            )]
        }
        _ => {
            let inventory = build_inventory(config, &AwsOptions::default(), None)?;
            inventory
                .accounts
                .iter()
                .map(|a| inventory.scope(a))
                .collect()
        }
    };
    let mut seen = std::collections::BTreeSet::new();
    let (mut desired, mut diagnostics) = (DesiredState::default(), Vec::new());
    for scope in scopes {
        let ctx = ResolveContext {
            account_id: scope.account.id.clone(),
            account: Some(scope),
            ..context.clone()
        };
        let (d, found) = validate(loaded, &ctx);
        for f in found {
            if seen.insert(format!("{f:?}")) {
                diagnostics.push(f);
            }
        }
        desired.roles.extend(d.roles);
        desired.policies.extend(d.policies);
        desired.oidc_providers.extend(d.oidc_providers);
        desired.saml_providers.extend(d.saml_providers);
    }
    Ok((desired, diagnostics))
}

/// `rolesmith snapshot --out DIR` over the inventory: every account's snapshot as `DIR/ID.json`
/// and the inventory as `DIR/accounts.json`, so `plan --snapshot DIR` plans the organisation
/// offline (an Organizations inventory then comes from the file).
pub(crate) fn snapshot_fleet(
    config: &AccountsConfig,
    settings: &super::settings::SnapshotSettings,
) -> Result<ExitStatus, BoxError> {
    let aws = settings.live.aws_options();
    let inventory = build_inventory(config, &aws, None)?;
    for note in &inventory.notes {
        eprintln!("note: {note}");
    }
    fs_err::create_dir_all(&settings.out)?;
    let runtime = tokio_runtime()?;
    let me = runtime.block_on(
        runtime
            .block_on(AwsAccount::connect(aws.clone()))?
            .identity(),
    )?;
    let accounts: Vec<&AccountInfo> = inventory.accounts.iter().collect();
    let runs = run_each(&accounts, 4, |a| -> Result<usize, String> {
        let mut opts = aws.clone();
        if me.account_id != a.id {
            opts.assume_role = Some(assume_target(&inventory, &me.partition, &a.id));
        }
        let rt = tokio_runtime().map_err(|e| e.to_string())?;
        let account = AnyAccount::Aws(
            rt.block_on(AwsAccount::connect(opts))
                .map_err(|e| e.to_string())?,
        );
        let state = read_account(&rt, &account, &super::capture::capture_scope())
            .map_err(|e| e.to_string())?;
        crate::account::snapshot::write_atomically(
            &settings.out.join(format!("{}.json", a.id)),
            &state,
        )
        .map_err(|e| e.to_string())?;
        Ok(state.roles.len())
    });
    let file = serde_json::json!({ "accounts": inventory.accounts });
    fs_err::write(
        settings.out.join(SNAPSHOT_INVENTORY),
        serde_json::to_string_pretty(&file)? + "\n",
    )?;
    let mut failed = 0;
    for (a, r) in accounts.iter().zip(&runs) {
        match r {
            Ok(n) => eprintln!("  {}  {}  {n} role(s)", a.name, a.id),
            Err(e) => {
                failed += 1;
                eprintln!("  {}  {}  FAILED: {e}", a.name, a.id);
            }
        }
    }
    eprintln!(
        "Wrote {} account snapshot(s) and {SNAPSHOT_INVENTORY} to {} ({failed} failed).",
        runs.len() - failed,
        settings.out.display()
    );
    Ok(if failed > 0 {
        ExitStatus::Failure
    } else {
        ExitStatus::Success
    })
}

/// The GitHub Actions matrix of `shards` jobs over `accounts`: each job's `accounts` is the
/// `--account ID` selectors of its share, dealt round-robin (no empty job: fewer accounts than
/// shards gives one job per account). IAM's limits are per account, so shards need no
/// coordination.
pub(crate) fn github_matrix(accounts: &[&AccountInfo], shards: usize) -> String {
    let n = shards.clamp(1, accounts.len().max(1));
    let jobs: Vec<serde_json::Value> = (0..n)
        .map(|i| {
            let ids: Vec<String> = accounts
                .iter()
                .skip(i)
                .step_by(n)
                .map(|a| format!("--account {}", a.id))
                .collect();
            serde_json::json!({"shard": format!("{}/{n}", i + 1), "accounts": ids.join(" ")})
        })
        .collect();
    serde_json::json!({ "include": jobs }).to_string()
}
