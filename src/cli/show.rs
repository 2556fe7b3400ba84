//! `rolesmith show plan.json`: a saved plan, rendered as `plan` rendered it, with what it was
//! planned against. Read-only and offline: no manifests, no account, no AWS call.
//!
//! It reads the file with the one loader apply uses ([`SavedPlan::load`]) and draws it with the
//! plan's own renderers, so what `show` prints is what the plan job printed (text and Markdown
//! get a short header first; JSON is the plan document exactly, the header going to stderr so
//! stdout stays one JSON value).
//!
//! A file whose steps do not hash to its plan id is refused, not shown with a warning: it was
//! edited after `plan` wrote it, `apply` refuses it for the same reason, and its diffs would be
//! whatever the editor wrote — a reviewer must not be handed them as "the plan". The diffs of a
//! file that passes are still only its own description of its steps: `apply` proves both against
//! the manifests and the account before it writes anything.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::{BoxError, ExitStatus, UserError, fleet, stdout_color};
use crate::plan::saved::{LoadError, SavedPlan};
use crate::plan::saved_accounts::AnySavedPlan;
use crate::render::{self, Format};

/// `rolesmith show FILE` and `rolesmith show --merge FILE...`.
pub(super) fn show_command(
    paths: &[PathBuf],
    merge: bool,
    format: Format,
) -> Result<ExitStatus, BoxError> {
    match paths {
        [path] if !merge => match AnySavedPlan::load(path).map_err(|e| refusal(path, e))? {
            AnySavedPlan::One(saved) => show_one(path, &saved, format),
            AnySavedPlan::Accounts(saved) => {
                print!(
                    "{}",
                    fleet::render_plans(
                        &fleet::runs_of_saved(&saved),
                        format,
                        &[fleet::note_of(&saved, path)]
                    )
                );
                Ok(ExitStatus::Success)
            }
        },
        _ if !merge => Err(Box::new(UserError::new(
            format!("show takes one saved plan, not {}", paths.len()),
            "show the shards of one plan over accounts together with `rolesmith show --merge FILE...`",
        ))),
        _ => show_merged(paths, format),
    }
}

/// Several saved plans as one: every account of each, in the order given, under one table.
fn show_merged(paths: &[PathBuf], format: Format) -> Result<ExitStatus, BoxError> {
    let mut runs = Vec::new();
    let mut notes = Vec::new();
    let mut seen: BTreeMap<String, &Path> = BTreeMap::new();
    for path in paths {
        let file_runs = match AnySavedPlan::load(path).map_err(|e| refusal(path, e))? {
            AnySavedPlan::Accounts(saved) => {
                notes.push(fleet::note_of(&saved, path));
                fleet::runs_of_saved(&saved)
            }
            AnySavedPlan::One(_) => {
                return Err(Box::new(UserError::new(
                    format!(
                        "{} is the saved plan of one account, not of accounts of an inventory",
                        path.display()
                    ),
                    "--merge combines the shards of a plan over accounts: each written by `rolesmith plan --account … --out FILE` with an [accounts] inventory",
                )));
            }
        };
        for r in &file_runs {
            if let Some(other) = seen.insert(r.account.id.clone(), path) {
                return Err(Box::new(UserError::new(
                    format!(
                        "account {} ({}) is planned in both {} and {}",
                        r.account.name,
                        r.account.id,
                        other.display(),
                        path.display()
                    ),
                    "give each shard its own accounts (`rolesmith accounts --format github-matrix --shards N` deals them out)",
                )));
            }
        }
        runs.extend(file_runs);
    }
    print!("{}", fleet::render_plans(&runs, format, &notes));
    Ok(ExitStatus::Success)
}

/// One account's saved plan.
fn show_one(path: &Path, saved: &SavedPlan, format: Format) -> Result<ExitStatus, BoxError> {
    let plan = &saved.plan;
    let context = saved.context.as_ref();
    match format {
        Format::Text => {
            print!("{}", header_text(path, saved));
            print!("{}", render::text::render_in(context, plan, stdout_color()));
        }
        Format::Markdown => {
            print!("{}", header_markdown(path, saved));
            print!(
                "{}",
                render::markdown::render_in(
                    context,
                    plan,
                    &[],
                    render::markdown::GITHUB_COMMENT_LIMIT
                )
            );
        }
        Format::Json => {
            eprint!("{}", header_text(path, saved));
            print!("{}", render::json::render_with_stats(plan, context, None));
        }
    }
    Ok(ExitStatus::Success)
}

/// A file `show` cannot use, with the way out.
fn refusal(path: &Path, e: LoadError) -> BoxError {
    let hint = match &e {
        LoadError::IdMismatch { .. } => format!(
            "`rolesmith apply` refuses this file too; make a new plan with `rolesmith plan --out {}` \
             and review that (the JSON itself shows what the edited file holds)",
            path.display()
        ),
        LoadError::Version { .. } => {
            "show it with the rolesmith version that wrote it, or make a new plan".to_owned()
        }
        LoadError::NotASavedPlan { .. } | LoadError::Io(_) => {
            "`rolesmith show` reads the file `rolesmith plan --out FILE` writes".to_owned()
        }
    };
    Box::new(UserError::new(e.to_string(), hint))
}

/// What the plan was made from, as `(label, value)` lines shared by both headers.
fn provenance_lines(saved: &SavedPlan) -> Vec<(&'static str, String)> {
    let p = &saved.provenance;
    let s = &p.settings;
    let paths = if s.paths.is_empty() {
        "the current directory".to_owned()
    } else {
        s.paths
            .iter()
            .map(|p| p.display().to_string())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let id = if saved.plan.steps.is_empty() {
        format!("{} (no steps)", saved.plan_id)
    } else {
        format!(
            "{} (matches its {} steps)",
            saved.plan_id,
            saved.plan.steps.len()
        )
    };
    vec![
        ("plan id", id),
        ("account", saved.plan.account_id.clone()),
        (
            "manifests",
            format!("{} file(s) in {paths}", p.manifests.files.len()),
        ),
        (
            "ownership",
            format!("{}={}", s.ownership.key, s.ownership.value),
        ),
        ("prune", if s.prune { "yes" } else { "no" }.to_owned()),
        (
            "path prefix",
            s.path_prefix.clone().unwrap_or_else(|| "(none)".into()),
        ),
        (
            "live state",
            format!(
                "{} role(s), {} instance profile(s), {} instance(s) fingerprinted",
                p.live.roles.len(),
                p.live.instance_profiles.len(),
                p.live.instances.len()
            ),
        ),
        ("written by", format!("rolesmith {}", p.rolesmith_version)),
    ]
}

fn header_text(path: &Path, saved: &SavedPlan) -> String {
    let mut out = format!("Saved plan {}\n", path.display());
    for (label, value) in provenance_lines(saved) {
        out.push_str(&format!("  {:<12} {value}\n", format!("{label}:")));
    }
    out.push('\n');
    out
}

fn header_markdown(path: &Path, saved: &SavedPlan) -> String {
    let mut out = format!("**Saved plan** `{}`\n\n", path.display());
    for (label, value) in provenance_lines(saved) {
        out.push_str(&format!("- {label}: {value}\n"));
    }
    out.push('\n');
    out
}
