//! The commands that plan and change: `plan`, `drift` and a fresh `apply` (`saved_plan.rs`
//! applies a saved plan). Each takes resolved [`Settings`], never clap types.

use super::*;
use crate::plan::RunContext;
use crate::plan::saved_accounts::AnySavedPlan;

/// `rolesmith plan`.
pub(super) fn plan_command(
    settings: &Settings,
    format: Format,
    detailed: bool,
    out: Option<&Path>,
) -> Result<ExitStatus, BoxError> {
    if let Some(config) = &settings.account.inventory {
        return fleet::plan_fleet(settings, config, format, detailed, out);
    }
    let runtime = tokio_runtime()?;
    let planned = make_plan(settings, &runtime)?;
    let (plan, account, context) = (&planned.plan, &planned.account, Some(&planned.context));
    let stats = matches!(account, AnyAccount::Aws(_)).then(|| account.call_counts());
    let text = match format {
        Format::Text => render::text::render_in(context, plan, stdout_color()),
        Format::Json => render::json::render_with_stats(plan, context, stats.as_ref()),
        Format::Markdown => render::markdown::render_in(
            context,
            plan,
            &planned.findings,
            render::markdown::GITHUB_COMMENT_LIMIT,
        ),
    };
    print!("{text}");
    append_step_summary(plan, &planned.context, &planned.findings);
    if let Some(out) = out {
        save_plan(&planned, settings, out)?;
    }
    if settings.account.live.stats {
        print_stats(account);
    }
    Ok(if detailed && !plan.is_empty() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// In a GitHub Actions job (`GITHUB_STEP_SUMMARY` set), appends the Markdown plan to the job
/// summary, so the run page — and the approval gate of a protected environment — shows what
/// will run. A summary that cannot be written is a warning, never a failed plan.
pub(super) fn append_step_summary(plan: &Plan, context: &RunContext, findings: &[Diagnostic]) {
    let Some(path) = std::env::var_os("GITHUB_STEP_SUMMARY").filter(|p| !p.is_empty()) else {
        return;
    };
    let markdown = render::markdown::render_in(
        Some(context),
        plan,
        findings,
        render::markdown::GITHUB_COMMENT_LIMIT,
    );
    append_to_step_summary(&path, &markdown);
}

/// Appends `markdown` to the GitHub Actions job summary at `path`; a failure is a warning.
pub(super) fn append_to_step_summary(path: &std::ffi::OsStr, markdown: &str) {
    let written = std::fs::OpenOptions::new()
        .append(true)
        .create(true)
        .open(path)
        .and_then(|mut f| writeln!(f, "{markdown}"));
    if let Err(e) = written {
        tracing::warn!(
            "could not append the plan to GITHUB_STEP_SUMMARY ({}): {e}",
            std::path::Path::new(path).display()
        );
    }
}

/// Writes the saved plan (atomically: a half-written plan must never be applied).
pub(super) fn save_plan(
    planned: &Planned,
    settings: &Settings,
    out: &Path,
) -> Result<(), BoxError> {
    let json = saved::to_json(
        &planned.plan,
        Some(&planned.context),
        &provenance(planned, settings)?,
    );
    replace_file(out, &json)?;
    match planned.plan.steps.is_empty() {
        true => eprintln!(
            "Saved the plan to {} (it has no steps to apply).",
            out.display()
        ),
        false => eprintln!(
            "Saved plan {} to {}; apply exactly these steps with `rolesmith apply {} --expect-plan-id {}`.",
            planned.plan.id(),
            out.display(),
            out.display(),
            planned.plan.id()
        ),
    }
    Ok(())
}

/// What `planned` was made from, for its saved plan.
pub(super) fn provenance(planned: &Planned, settings: &Settings) -> Result<Provenance, BoxError> {
    Ok(Provenance {
        rolesmith_version: env!("CARGO_PKG_VERSION").to_owned(),
        settings: PlanSettings {
            paths: settings.paths.clone(),
            ownership: settings.ownership.clone(),
            prune: settings.prune,
            path_prefix: settings.path_prefix.clone(),
            scope: planned.scope.clone(),
            targets: settings.targets.clone(),
        },
        manifests: ManifestDigest::of_files(&planned.files)?,
        live: LiveFingerprint::take(&planned.desired, &planned.live, &settings.ownership),
        planned_at: Some(settings.now),
    })
}

/// Writes a file atomically (a half-written plan must never be applied, a half-edited manifest
/// never read), never through a symlink: the file is made beside `out` and renamed over it,
/// with the permissions of the file it replaces.
pub(super) fn replace_file(out: &Path, json: &str) -> Result<(), BoxError> {
    let dir = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(json.as_bytes())?;
    if let Ok(meta) = fs_err::symlink_metadata(out)
        && meta.is_file()
    {
        let _ = std::fs::set_permissions(tmp.path(), meta.permissions());
    }
    tmp.persist(out).map_err(|e| e.error)?;
    Ok(())
}

/// What drift lists besides the differences.
#[derive(Debug, Clone, Default)]
pub(super) struct DriftLists {
    /// `--unmanaged`: roles no manifest declares and rolesmith does not own.
    pub(super) unmanaged: bool,
    /// `--include-reserved`: with them, service-linked and `/aws-reserved/` roles.
    pub(super) include_reserved: bool,
    /// `--unused-for`: roles unused that long, in seconds and as written.
    pub(super) unused_for: Option<(i64, String)>,
}

/// Reports how the account differs from the manifests.
pub(super) fn drift_command(
    settings: &Settings,
    format: Format,
    lists: &DriftLists,
) -> Result<ExitStatus, BoxError> {
    if let Some(config) = &settings.account.inventory {
        return fleet::drift_fleet(settings, config, format, lists);
    }
    let (report, account) = drift_report(settings, lists)?;
    let text = match format {
        Format::Text => render::drift::render_text(&report),
        Format::Json => render::drift::render_json(&report),
        Format::Markdown => {
            render::drift::render_markdown(&report, render::markdown::GITHUB_COMMENT_LIMIT)
        }
    };
    print!("{text}");
    if settings.account.live.stats {
        print_stats(&account);
    }
    Ok(if report.has_drift() {
        ExitStatus::Changes
    } else {
        ExitStatus::Success
    })
}

/// How the account of `settings` differs from the manifests, and the account read.
pub(super) fn drift_report(
    settings: &Settings,
    lists: &DriftLists,
) -> Result<(render::drift::DriftReport, AnyAccount), BoxError> {
    check_before_connecting(settings)?;
    let runtime = tokio_runtime()?;
    let account = open_account(settings, &runtime)?;
    let (desired, ..) = load_desired(settings, &account, &runtime)?;
    check_not_empty(settings, &desired)?;
    let live = read_within_prefix(
        &runtime,
        &account,
        &ReadScope::needed_by(&desired, false),
        settings,
    )?;
    // With prune, owned roles no manifest declares come out as deletions: drift reports them.
    let d = diff(
        &desired,
        &live,
        &DiffOptions {
            ownership: settings.ownership.clone(),
            prune: true,
        },
    );
    let is_declared = |name: &str| desired.roles.keys().any(|n| n.eq_ignore_ascii_case(name));
    let unused = lists.unused_for.as_ref().map(|(seconds, given)| {
        let mut unused = render::unused::unused_roles(
            &live,
            &settings.ownership,
            is_declared,
            (*seconds, given),
            settings.now,
            lists.unmanaged,
        );
        unused.roles.retain(|u| {
            u.managed
                || !live
                    .roles
                    .get(&u.name)
                    .is_some_and(|r| crate::state::ignore::ignored(&settings.ignore, r))
        });
        unused
    });
    let unmanaged = lists.unmanaged.then(|| {
        let undeclared = live.roles.values().filter(|r| {
            !crate::state::ignore::ignored(&settings.ignore, r)
                && !r.is_owned_by(&settings.ownership)
                && !is_declared(&r.name)
        });
        render::drift::unmanaged_roles(undeclared, lists.include_reserved)
    });
    let report = render::drift::DriftReport {
        account_id: live.account_id.clone(),
        context: Some(run_context(settings, &account, &live.account_id)),
        findings: render::drift::findings(&d),
        unmanaged,
        unused,
        expiring: crate::plan::expiries::soon(
            &desired.expiring,
            settings.now,
            settings.warn_expiring_within,
        ),
    };
    Ok((report, account))
}

/// Asks for confirmation on a terminal; without one, `--auto-approve` is required. `Ok(false)`:
/// the user declined.
pub(super) fn confirm(auto_approve: bool) -> Result<bool, BoxError> {
    if auto_approve {
        return Ok(true);
    }
    if !std::io::stdin().is_terminal() {
        return Err(Box::new(UserError::new(
            "refusing to apply without confirmation",
            "stdin is not a terminal; pass --auto-approve to apply non-interactively",
        )));
    }
    print!("\nApply these changes? Only `yes` is accepted: ");
    std::io::stdout().flush()?;
    let mut answer = String::new();
    std::io::stdin().read_line(&mut answer)?;
    if answer.trim() != "yes" {
        eprintln!("Apply cancelled; nothing was changed.");
        return Ok(false);
    }
    Ok(true)
}

/// The saved plan among apply's arguments: a single `.json` path (manifests are YAML, so a JSON
/// file is never a manifest).
pub(super) fn saved_plan_arg(paths: &[PathBuf]) -> Result<Option<&Path>, UserError> {
    let is_json = |p: &PathBuf| {
        p.extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("json"))
    };
    match paths {
        [one] if is_json(one) => Ok(Some(one)),
        _ if paths.iter().any(is_json) => Err(UserError::new(
            "a saved plan is applied on its own, without manifest paths",
            "run `rolesmith apply plan.json`: the plan records the manifests it was made from",
        )),
        _ => Ok(None),
    }
}

/// `rolesmith apply`: a fresh plan, or the saved plan `saved` (see `saved_plan.rs`).
pub(super) fn apply_command(
    settings: Settings,
    saved: Option<&Path>,
    auto_approve: bool,
    expect_plan_id: Option<&str>,
) -> Result<ExitStatus, BoxError> {
    if let Some(path) = saved {
        return match AnySavedPlan::load(path)? {
            AnySavedPlan::One(plan) => {
                apply_saved(settings, *plan, path, auto_approve, expect_plan_id)
            }
            AnySavedPlan::Accounts(plan) => {
                fleet::apply_saved_accounts(&settings, plan, path, auto_approve, expect_plan_id)
            }
        };
    }
    if expect_plan_id.is_some() {
        return Err(Box::new(UserError::new(
            "--expect-plan-id checks a saved plan; this apply makes a new plan",
            "save the plan with `rolesmith plan --out plan.json` and run `rolesmith apply plan.json --expect-plan-id ID`",
        )));
    }
    if let Some(config) = &settings.account.inventory {
        return fleet::apply_fleet(&settings, config, auto_approve);
    }
    let runtime = tokio_runtime()?;
    let Planned {
        plan,
        account,
        desired,
        live,
        context,
        ..
    } = make_plan(&settings, &runtime)?;
    let guard = OwnershipGuard::new(&live, &desired, &settings.ownership);
    print!(
        "{}",
        render::text::render_in(Some(&context), &plan, stdout_color())
    );
    append_step_summary(&plan, &context, &[]);
    if plan.steps.is_empty() {
        if settings.account.live.stats {
            print_stats(&account);
        }
        return Ok(ExitStatus::Success);
    }
    if !confirm(auto_approve)? {
        return Ok(ExitStatus::Failure);
    }
    let s = plan.summary();
    run_steps(
        &plan,
        &account,
        &guard,
        &settings,
        &runtime,
        (s.add, s.change, s.destroy),
        "every step that succeeded is in the account: run the same apply again to finish (it \
         reads the account again and plans only what is left)",
    )
}

/// Runs the plan's steps with a progress bar; a failure becomes an error with `after_failure`
/// as its hint. The first Ctrl-C lets the steps in flight finish and starts no other (exit
/// 130); a second one exits at once.
pub(super) fn run_steps(
    plan: &Plan,
    account: &AnyAccount,
    guard: &OwnershipGuard,
    settings: &Settings,
    runtime: &tokio::runtime::Runtime,
    (add, change, destroy): (usize, usize, usize),
    after_failure: &str,
) -> Result<ExitStatus, BoxError> {
    let bar = progress::Progress::applying(plan.steps.len(), account);
    // Off a terminal (CI logs) each finished step is a line on stdout, as Terraform prints them;
    // a terminal has the progress bar instead.
    let step_lines = !std::io::stdout().is_terminal();
    // Accounts of an inventory apply side by side: each line names its account.
    let label = match &settings.account.scope {
        Some(scope) => format!("{}: ", scope.account.name),
        None => String::new(),
    };
    let started = std::sync::Mutex::new(std::collections::HashMap::new());
    let on_step = |event, i: usize, step: &crate::plan::Step| match event {
        crate::apply::StepEvent::Started => {
            if step_lines {
                lock(&started).insert(i, std::time::Instant::now());
            }
            tracing::info!(
                "{label}[{}/{}] {} {}",
                i + 1,
                plan.steps.len(),
                step.mutation.operation(),
                step.mutation.target()
            )
        }
        crate::apply::StepEvent::Done => {
            bar.inc();
            if step_lines {
                let took = lock(&started).remove(&i).map(|t| t.elapsed());
                println!(
                    "{label}{}: {} done ({:.2} s)",
                    step.mutation.target(),
                    step.mutation.operation(),
                    took.unwrap_or_default().as_secs_f64()
                );
            }
        }
    };
    let options = crate::apply::ApplyOptions {
        parallelism: settings.parallelism,
        stop: stop_on_ctrl_c(runtime),
    };
    let result = runtime.block_on(crate::apply::apply(plan, account, guard, options, &on_step));
    drop(bar);
    if settings.account.live.stats {
        print_stats(account);
    }
    if let Some(pace) = account.call_stats().as_ref().and_then(pace_summary) {
        eprintln!("{pace}");
    }
    let report = match result {
        Ok(report) => report,
        Err(e) if e.interrupted && e.failed.is_empty() => {
            eprintln!("{e}\n\nhint: {after_failure}");
            return Ok(ExitStatus::Interrupted);
        }
        Err(e) if !e.refused.is_empty() => {
            return Err(Box::new(UserError::new(
                e.to_string(),
                "rolesmith changes only what carries its ownership tag: add `adopt: true` to the manifest of a role to take it over (or `ec2.takeover: true` for an instance), then plan again",
            )));
        }
        Err(e) => return Err(Box::new(UserError::new(e.to_string(), after_failure))),
    };
    println!(
        "\n{label}Apply complete: {} step(s); {add} added, {change} changed, {destroy} destroyed.",
        report.applied
    );
    Ok(ExitStatus::Success)
}

/// What throttling cost the run, when the account throttled it: how often, the rate the pace
/// settled at and how long requests waited for their turn.
fn pace_summary(stats: &crate::account::aws::CallStats) -> Option<String> {
    let rate = stats.rate()?;
    let throttles: u64 = stats.throttles().values().sum();
    Some(format!(
        "Throttled {throttles} time(s) by AWS: paced at {rate:.1} requests/s; requests waited {:.1} s in all for their turn.",
        stats.waited().as_secs_f64()
    ))
}

/// The step start times, even if a step's observer panicked while holding them.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// A stop signal raised by the first Ctrl-C (from now on, while `runtime` runs); the second
/// Ctrl-C exits at once with 130.
fn stop_on_ctrl_c(runtime: &tokio::runtime::Runtime) -> crate::apply::StopSignal {
    let stop = crate::apply::StopSignal::default();
    let signal = stop.clone();
    runtime.spawn(async move {
        if tokio::signal::ctrl_c().await.is_ok() {
            signal.request();
            tracing::warn!(
                "interrupted: finishing the steps in flight, then stopping (Ctrl-C again stops at once)"
            );
            if tokio::signal::ctrl_c().await.is_ok() {
                std::process::exit(130);
            }
        }
    });
    stop
}
