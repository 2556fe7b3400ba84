//! The examples each `--help` ends with (clap's `after_help`), one constant per command, kept
//! apart from the flags so `args.rs` stays a list of flags. Every example is a command that
//! works as written against the paths `rolesmith init` creates.

/// `rolesmith --help`.
pub const TOP: &str = "\
Examples:
  rolesmith init --github                             # start a project here
  rolesmith validate --strict manifests/              # check without any account
  rolesmith plan manifests/ --out plan.json           # what would change, saved
  rolesmith apply plan.json --expect-plan-id ID       # run exactly the reviewed plan

`rolesmith <command> --help` shows each command's options and examples.";

/// `rolesmith init --help`.
pub const INIT: &str = "\
Examples:
  rolesmith init                      # rolesmith.toml and manifests/ here
  rolesmith init infra/iam --github   # in a new folder, with the GitHub workflows";

/// `rolesmith validate --help`.
pub const VALIDATE: &str = "\
Examples:
  rolesmith validate manifests/
  rolesmith validate --strict                         # warnings fail too (CI)
  rolesmith validate --format sarif > rolesmith.sarif # for code scanning";

/// `rolesmith plan --help`.
pub const PLAN: &str = "\
Examples:
  rolesmith plan manifests/ --profile prod --region eu-west-1
  rolesmith plan --snapshot account.json              # offline, against a snapshot file
  rolesmith plan --out plan.json --detailed-exitcode  # save it; exit 2 when it has changes
  rolesmith plan --format markdown > plan.md          # a pull-request comment
  rolesmith plan --target role.web                    # only role.web, its profile and bindings";

/// `rolesmith apply --help`.
pub const APPLY: &str = "\
Examples:
  rolesmith apply manifests/                          # plan, ask, apply
  rolesmith apply plan.json --expect-plan-id sha256:3f2a9c0e5b7d1a46 --auto-approve
  rolesmith apply --snapshot account.json --auto-approve   # offline: rewrites the file
  rolesmith apply --target instance_profile.web       # a partial apply, and what it needs";

/// `rolesmith show --help`.
pub const SHOW: &str = "\
Examples:
  rolesmith show plan.json
  rolesmith show plan.json --format markdown > plan.md
  rolesmith show plan.json --format json | jq .summary
  rolesmith show --merge shard-*/plan.json --format markdown > plan.md   # shards of one plan";

/// `rolesmith expire --help`.
pub const EXPIRE: &str = "\
Examples:
  rolesmith expire                                # what has expired, with file:line
  rolesmith expire --write && git diff            # the manifests without it
  rolesmith --now 2026-12-05 expire               # as it will stand on a day";

/// `rolesmith drift --help`.
pub const DRIFT: &str = "\
Examples:
  rolesmith drift manifests/ --profile prod           # exit 2 when the account drifted
  rolesmith drift --unmanaged                         # also roles nobody declared
  rolesmith drift --format markdown > drift.md";

/// `rolesmith snapshot --help`.
pub const SNAPSHOT: &str = "\
Examples:
  rolesmith snapshot --out account.json --profile prod
  rolesmith snapshot --out app.json --path-prefix /app/";

/// `rolesmith accounts --help`.
pub const ACCOUNTS: &str = "\
Examples:
  rolesmith accounts
  rolesmith accounts --check
  rolesmith accounts --format json > accounts.json   # for source = \"file\" (offline runs)
  rolesmith accounts --format github-matrix --shards 8 >> \"$GITHUB_OUTPUT\"   # matrix=…";

/// `rolesmith import --help`.
pub const IMPORT: &str = "\
Examples:
  rolesmith import --out manifests/ --name '^app-' --adopt
  rolesmith import --out manifests/ --snapshot account.json --with-bindings";

/// `rolesmith permissions --help`.
pub const PERMISSIONS: &str = "\
Examples:
  rolesmith permissions > rolesmith-plan-policy.json            # plan, drift, snapshot
  rolesmith permissions --for apply > rolesmith-apply-policy.json";

/// `rolesmith explain --help`.
pub const EXPLAIN: &str = "\
Examples:
  rolesmith explain unowned-role
  rolesmith explain --all --markdown > docs/CODES.md";

/// `rolesmith schema --help`.
pub const SCHEMA: &str = "\
Examples:
  rolesmith schema > manifests/rolesmith.schema.json   # beside the manifests
  rolesmith schema | diff - schema/rolesmith.schema.json   # is a committed copy current?

Editors that read modelines then check a manifest that starts with
`# yaml-language-server: $schema=rolesmith.schema.json`.";

/// `rolesmith completions --help`.
pub const COMPLETIONS: &str = "\
Examples:
  rolesmith completions bash > ~/.local/share/bash-completion/completions/rolesmith
  rolesmith completions zsh > \"${fpath[1]}/_rolesmith\"
  rolesmith completions fish > ~/.config/fish/completions/rolesmith.fish
  rolesmith completions powershell >> $PROFILE";

/// `rolesmith man --help`.
pub const MAN: &str = "\
Examples:
  rolesmith man | man -l -
  rolesmith man plan > ~/.local/share/man/man1/rolesmith-plan.1";
