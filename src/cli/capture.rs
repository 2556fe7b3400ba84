//! Commands that capture the live account: `snapshot` (state for offline plans) and `import`
//! (manifests for existing roles). Both make only read calls, and both run on resolved settings
//! (`cli::settings`), so `rolesmith.toml`'s region, path prefix and ownership tag count as they
//! do for plan.

use super::settings::{ImportSettings, SnapshotSettings};
use super::{BoxError, ExitStatus, UserError, print_stats, read_account, tokio_runtime};
use crate::account::aws::AwsAccount;
use crate::account::snapshot::SnapshotAccount;
use crate::account::{AnyAccount, ReadScope};
use crate::import::{FileKind, Import, WriteReport, import, write};
use crate::state::AccountState;

/// The account id of a snapshot file that does not exist yet (an empty account).
const SNAPSHOT_ACCOUNT_ID: &str = "123456789012";

/// Snapshots include EC2 associations and identity providers, so offline plans of bindings and
/// providers match live ones, and every customer managed policy's tags, so offline plans know
/// which are rolesmith's.
pub(super) fn capture_scope() -> ReadScope {
    ReadScope {
        associations: true,
        providers: true,
        policy_ownership: true,
        ..ReadScope::default()
    }
}

/// `rolesmith snapshot --out FILE`.
pub(super) fn snapshot_command(settings: &SnapshotSettings) -> Result<ExitStatus, BoxError> {
    if let Some(config) = &settings.inventory {
        return super::fleet::snapshot_fleet(config, settings);
    }
    let runtime = tokio_runtime()?;
    let account =
        AnyAccount::Aws(runtime.block_on(AwsAccount::connect(settings.live.aws_options()))?);
    let state = read_account(&runtime, &account, &capture_scope())?;
    crate::account::snapshot::write_atomically(&settings.out, &state)?;
    eprintln!(
        "Wrote {} role(s), {} instance profile(s), {} managed policy(ies), {} identity provider(s) and {} instance(s) of account {} to {}.",
        state.roles.len(),
        state.instance_profiles.len(),
        state.policies.len(),
        state.oidc_providers.len() + state.saml_providers.len(),
        state.instances.len(),
        state.account_id,
        settings.out.display()
    );
    if settings.live.stats {
        print_stats(&account);
    }
    Ok(ExitStatus::Success)
}

/// `rolesmith import --out DIR`.
pub(super) fn import_command(settings: &ImportSettings) -> Result<ExitStatus, BoxError> {
    if let Some(config) = &settings.inventory {
        return super::fleet::import_fleet(config, settings);
    }
    let runtime = tokio_runtime()?;
    let account = match &settings.snapshot {
        Some(file) => AnyAccount::Snapshot(SnapshotAccount::open(file, SNAPSHOT_ACCOUNT_ID)?),
        None => {
            AnyAccount::Aws(runtime.block_on(AwsAccount::connect(settings.live.aws_options()))?)
        }
    };
    let state = read_for_import(&runtime, &account, settings)?;
    write_import(&import(&state, &settings.options), settings)?;
    if !settings.options.adopt {
        hint_unowned(&state, settings);
    }
    if settings.live.stats {
        print_stats(&account);
    }
    Ok(ExitStatus::Success)
}

/// The account as import sees it: read within the scope the options need, and limited to the
/// path prefix (the live reader already filters; a snapshot is filtered here).
pub(super) fn read_for_import(
    runtime: &tokio::runtime::Runtime,
    account: &AnyAccount,
    settings: &ImportSettings,
) -> Result<AccountState, BoxError> {
    // Identity providers and managed policies (with their tags) are always imported; EC2 is
    // read only for bindings.
    let scope = if settings.options.with_bindings {
        capture_scope()
    } else {
        ReadScope {
            providers: true,
            policy_ownership: true,
            ..ReadScope::default()
        }
    };
    let mut state = read_account(runtime, account, &scope)?;
    if let Some(prefix) = &settings.live.path_prefix {
        state
            .roles
            .retain(|_, r| r.path.starts_with(prefix.as_str()));
    }
    Ok(state)
}

/// Writes the imported manifests to `--out` and reports what was written and skipped.
pub(super) fn write_import(imported: &Import, settings: &ImportSettings) -> Result<(), BoxError> {
    let report = write(
        imported,
        &settings.out,
        &crate::schema::manifest_schema(),
        settings.force,
    )
    .map_err(|e| UserError::new(e.to_string(), e.hint()))?;
    print_import_report(imported, &report, settings);
    Ok(())
}

/// What was written and skipped, the import's notes, and a summary, on stderr.
fn print_import_report(imported: &Import, report: &WriteReport, settings: &ImportSettings) {
    for path in &report.written {
        eprintln!("wrote   {}", path.display());
    }
    for path in &report.skipped {
        eprintln!("skipped {} (exists; --force overwrites)", path.display());
    }
    for note in &imported.notes {
        eprintln!("note: {note}");
    }
    let count = |kind: FileKind| imported.files.iter().filter(|f| f.kind == kind).count();
    let roles = count(FileKind::Role);
    let mut also = String::new();
    for (n, what) in [
        (count(FileKind::ManagedPolicy), "managed policy"),
        (
            count(FileKind::IdentityProvider) + count(FileKind::SamlMetadata),
            "identity provider",
        ),
    ] {
        if n > 0 {
            also.push_str(&format!(" and {n} {what} file(s)"));
        }
    }
    eprintln!(
        "Imported {roles} role(s){also} into {}: {} written, {} skipped.",
        settings.out.display(),
        report.written.len(),
        report.skipped.len()
    );
}

/// Without `--adopt`, says how many roles plans will show as conflicts, and what to do.
fn hint_unowned(state: &AccountState, settings: &ImportSettings) {
    let ownership = &settings.options.ownership;
    let unowned = state
        .roles
        .values()
        .filter(|r| r.service_linked.is_none() && !r.is_owned_by(ownership))
        .count();
    let policies = state
        .policies
        .values()
        .filter(|p| !p.is_owned_by(ownership))
        .count();
    let providers = state
        .oidc_providers
        .values()
        .filter(|p| !ownership.is_on(&p.tags))
        .count()
        + state
            .saml_providers
            .values()
            .filter(|p| !p.is_owned_by(ownership))
            .count();
    if unowned + policies + providers > 0 {
        eprintln!(
            "hint: {unowned} role(s), {policies} managed policy(ies) and {providers} identity provider(s) lack the ownership tag `{}={}`; plans show them as conflicts until their manifests say `adopt: true` (re-run with --adopt --force)",
            ownership.key, ownership.value
        );
    }
}
