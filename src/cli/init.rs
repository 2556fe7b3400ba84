//! `rolesmith init [DIR] [--github]`: a starter project a new user can plan from at once.
//!
//! It writes `rolesmith.toml` (the keys a team sets first, commented), `manifests/` with the
//! seed's CloudWatch-agent role (only an AWS managed policy that exists, no boundary, so it
//! applies to any account) and the schema its modeline points at, and with `--github` the three
//! example workflows. The example manifest and the workflows are the committed files under
//! `examples/`, embedded at build time, so what `init` writes cannot drift from what is tested.
//!
//! It never overwrites and never writes through a link: the files go through
//! [`crate::import::write_new`], which refuses before writing anything if any of them exists.

use std::path::Path;

use super::{BoxError, ExitStatus, UserError};
use crate::import::SCHEMA_FILE;

/// The seed's example role, whose first line (its modeline) is replaced by one pointing at the
/// schema `init` writes beside it.
const EXAMPLE_MANIFEST: &str = include_str!("../../examples/manifests/cloudwatch-agent.yaml");

/// The example GitHub workflows, by the name `init --github` gives them.
const WORKFLOWS: [(&str, &str); 3] = [
    (
        ".github/workflows/rolesmith-plan.yml",
        include_str!("../../examples/github/plan.yml"),
    ),
    (
        ".github/workflows/rolesmith-apply.yml",
        include_str!("../../examples/github/apply.yml"),
    ),
    (
        ".github/workflows/rolesmith-drift.yml",
        include_str!("../../examples/github/drift.yml"),
    ),
];

/// The config `init` writes: every key a new project decides, the rest as comments.
const CONFIG: &str = r#"# rolesmith settings. Flags on the command line override them; `rolesmith <command> --help`
# names the key of each flag.

# The manifests: files or folders, relative to this file.
paths = ["manifests"]

# The AWS region EC2 bindings (instance profiles on instances) are read and changed in. IAM
# itself is global. Unset: the SDK's usual chain (AWS_REGION, the profile's region) decides.
# region = "us-east-1"

# Only read and manage roles under this IAM path, e.g. when several tools share one account.
# path_prefix = "/app/"

# Delete roles rolesmith owns that no manifest declares any more (or pass --prune).
prune = false

# Refuse a plan that deletes more roles than this.
max_deletions = 10

# `rolesmith validate` fails on warnings too, as CI should.
strict = true

# The tag that marks what rolesmith owns: it creates roles with it and changes or deletes only
# roles that carry it (or whose manifest says `adopt: true`).
[ownership]
key = "managed-by"
value = "rolesmith"

# Lint levels by check code (`rolesmith explain --all` lists them), and the accounts that count
# as your own in trust policies.
# [lint]
# wildcard-action = "error"
# own_accounts = ["111122223333"]
"#;

/// The example manifest with its modeline pointing at `SCHEMA_FILE` in the same folder.
fn example_manifest() -> String {
    let body = match EXAMPLE_MANIFEST.split_once('\n') {
        Some((first, rest)) if first.starts_with("# yaml-language-server:") => rest,
        _ => EXAMPLE_MANIFEST,
    };
    format!("# yaml-language-server: $schema={SCHEMA_FILE}\n{body}")
}

/// The files `init` writes, relative to its folder.
fn files(github: bool) -> Vec<(String, String)> {
    let mut files = vec![
        (crate::config::FILE_NAME.to_owned(), CONFIG.to_owned()),
        (
            "manifests/cloudwatch-agent.yaml".to_owned(),
            example_manifest(),
        ),
        (
            format!("manifests/{SCHEMA_FILE}"),
            crate::schema::manifest_schema(),
        ),
    ];
    if github {
        files.extend(
            WORKFLOWS
                .iter()
                .map(|(path, text)| ((*path).to_owned(), (*text).to_owned())),
        );
    }
    files
}

/// `rolesmith init`.
pub(super) fn init_command(dir: &Path, github: bool) -> Result<ExitStatus, BoxError> {
    let files = files(github);
    let targets: Vec<(&Path, &str)> = files
        .iter()
        .map(|(path, text)| (Path::new(path.as_str()), text.as_str()))
        .collect();
    crate::import::write_new(dir, &targets).map_err(|e| UserError::new(e.to_string(), e.hint()))?;
    eprintln!("Wrote {} file(s) in {}:", files.len(), dir.display());
    for (path, _) in &files {
        eprintln!("  {path}");
    }
    eprintln!("\nNext:");
    if dir != Path::new(".") {
        eprintln!("  cd {}", dir.display());
    }
    eprintln!("  rolesmith validate                                  # the manifests, no account");
    eprintln!("  rolesmith plan --profile NAME --region REGION       # what apply would change");
    if github {
        eprintln!(
            "\nEach workflow's first lines name the AWS roles and repository variables it needs."
        );
    }
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_gets_one_modeline_pointing_beside_it() {
        let text = example_manifest();
        assert!(text.starts_with("# yaml-language-server: $schema=rolesmith.schema.json\n"));
        assert_eq!(text.matches("yaml-language-server").count(), 1, "{text}");
        assert!(text.contains("kind: Role"));
    }

    #[test]
    fn the_config_parses_and_names_the_manifests_folder() {
        let config =
            crate::config::Config::parse(CONFIG, Path::new("rolesmith.toml")).expect("valid");
        assert_eq!(config.paths, [Path::new("manifests")]);
        assert_eq!(config.strict, Some(true));
        assert_eq!(config.ownership, Some(crate::state::Ownership::default()));
    }
}
