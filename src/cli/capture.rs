//! Commands that capture the live account: `snapshot` (state for offline plans) and `import`
//! (manifests for existing roles). Both make only read calls.

use std::path::{Path, PathBuf};

use super::{
    BoxError, ExitStatus, LiveArgs, UserError, aws_options, print_stats, read_account,
    tokio_runtime,
};
use crate::account::aws::AwsAccount;
use crate::account::snapshot::SnapshotAccount;
use crate::account::{AnyAccount, ReadScope};
use crate::import::{ImportOptions, import, write};

/// Snapshots include EC2 associations, so offline plans of bindings match live ones.
fn capture_scope() -> ReadScope {
    ReadScope {
        associations: true,
        ..ReadScope::default()
    }
}

/// `rolesmith snapshot --out FILE`.
pub(super) fn snapshot_command(out: &Path, live: &LiveArgs) -> Result<ExitStatus, BoxError> {
    let runtime = tokio_runtime()?;
    let account = AnyAccount::Aws(runtime.block_on(AwsAccount::connect(aws_options(live)))?);
    let state = read_account(&runtime, &account, &capture_scope())?;
    crate::account::snapshot::write_atomically(out, &state)?;
    eprintln!(
        "Wrote {} role(s), {} instance profile(s) and {} instance(s) of account {} to {}.",
        state.roles.len(),
        state.instance_profiles.len(),
        state.instances.len(),
        state.account_id,
        out.display()
    );
    if live.stats {
        print_stats(&account);
    }
    Ok(ExitStatus::Success)
}

/// The options of `rolesmith import`.
pub(super) struct ImportArgs {
    pub out: PathBuf,
    pub name: Option<String>,
    pub adopt: bool,
    pub with_bindings: bool,
    pub force: bool,
    pub snapshot: Option<PathBuf>,
    pub ownership_tag: String,
    pub live: LiveArgs,
}

/// `rolesmith import --out DIR`.
pub(super) fn import_command(args: &ImportArgs) -> Result<ExitStatus, BoxError> {
    let name = match &args.name {
        Some(re) => Some(regex_lite::Regex::new(re).map_err(|e| {
            UserError::new(
                format!("--name `{re}` is not a regular expression: {e}"),
                "write e.g. --name '^app-' or --name 'web|api'",
            )
        })?),
        None => None,
    };
    let ownership = super::settings::parse_ownership(&args.ownership_tag)?;
    let runtime = tokio_runtime()?;
    let account = match &args.snapshot {
        Some(file) => AnyAccount::Snapshot(SnapshotAccount::open(file, "123456789012")?),
        None => AnyAccount::Aws(runtime.block_on(AwsAccount::connect(aws_options(&args.live)))?),
    };
    let scope = if args.with_bindings {
        capture_scope()
    } else {
        ReadScope::default()
    };
    let mut state = read_account(&runtime, &account, &scope)?;
    if let Some(prefix) = &args.live.path_prefix {
        // The live reader already filters; a snapshot is filtered here.
        state
            .roles
            .retain(|_, r| r.path.starts_with(prefix.as_str()));
    }
    let imported = import(
        &state,
        &ImportOptions {
            name,
            adopt: args.adopt,
            with_bindings: args.with_bindings,
            ownership: ownership.clone(),
        },
    );
    let report = write(
        &imported,
        &args.out,
        &crate::schema::manifest_schema(),
        args.force,
    )
    .map_err(|e| UserError::new(e.to_string(), e.hint()))?;
    for path in &report.written {
        eprintln!("wrote   {}", path.display());
    }
    for path in &report.skipped {
        eprintln!("skipped {} (exists; --force overwrites)", path.display());
    }
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    eprintln!(
        "Imported {} role(s) into {}: {} written, {} skipped.",
        imported.files.len(),
        args.out.display(),
        report.written.len(),
        report.skipped.len()
    );
    if !args.adopt {
        let unowned = state
            .roles
            .values()
            .filter(|r| r.service_linked.is_none() && !r.is_owned_by(&ownership))
            .count();
        if unowned > 0 {
            eprintln!(
                "hint: {unowned} role(s) lack the ownership tag; plans show them as conflicts until their manifests say `adopt: true` (re-run with --adopt --force)"
            );
        }
    }
    if args.live.stats {
        print_stats(&account);
    }
    Ok(ExitStatus::Success)
}
