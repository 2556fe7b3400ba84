# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_rolesmith_global_optspecs
    string join \n v/verbose no-progress config= now= h/help V/version
end

function __fish_rolesmith_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_rolesmith_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_rolesmith_using_subcommand
    set -l cmd (__fish_rolesmith_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c rolesmith -n "__fish_rolesmith_needs_command" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_needs_command" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_needs_command" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -s V -l version -d 'Print version'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "init" -d 'Write a starter project: `rolesmith.toml`, an example manifest and, with --github, the GitHub workflows. Never overwrites a file'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "validate" -d 'Check manifests without reading any account'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "plan" -d 'Show what apply would change. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "apply" -d 'Plan and apply the changes; or, given a saved plan (`apply plan.json`), prove that the manifests and the account still yield exactly its steps and run them. Ctrl-C lets the steps in flight finish and exits 130; running apply again finishes the job'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "show" -d 'Show a saved plan (from `plan --out`) as `plan` showed it, with its plan id and what it was planned against. Reads only the file: no manifests, no AWS call'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "expire" -d 'List the manifests\' elements whose `expiresAt` has passed; `--write` removes them from the files, leaving every other line as it was. Reads no account'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "drift" -d 'Report how the account differs from the manifests, including changes made by hand. Exit 0: no drift, 2: drift, 1: error. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "accounts" -d 'List the `[accounts]` inventory (from its list, its file or AWS Organizations); with `--check`, enter each account (assume its role) and say which can be reached. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "snapshot" -d 'Capture the live account into a snapshot file for offline plans. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "import" -d 'Write manifests for roles that already exist, to bring them under management. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "permissions" -d 'Print the least-privilege IAM policy rolesmith needs'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "explain" -d 'Explain a diagnostic code: what it finds, why it matters and how to fix it'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "schema" -d 'Print the JSON Schema of manifests'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "completions" -d 'Print a shell completion script'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "man" -d 'Print a man page (roff): rolesmith\'s, or a subcommand\'s'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "version" -d 'Print the version (the same as `--version`)'
complete -c rolesmith -n "__fish_rolesmith_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand init" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand init" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand init" -l github -d 'Also write the plan, apply and drift workflows to `.github/workflows/`'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand init" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand init" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand init" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand validate" -l format -d 'Output format for findings' -r -f -a "text\t'Human-readable reports with source excerpts'
json\t'A JSON array'
sarif\t'SARIF 2.1.0, for code scanning'"
complete -c rolesmith -n "__fish_rolesmith_using_subcommand validate" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand validate" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand validate" -l strict -d 'Fail on warnings too (exit 1), like `clippy -D warnings` (config: `strict = true`)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand validate" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand validate" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand validate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l max-deletions -d 'Refuse a plan that deletes more roles, managed policies and identity providers than this (default 10; config: `max_deletions`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l ownership-tag -d 'Tag marking what rolesmith owns, as KEY=VALUE (default: the config\'s `[ownership]`, else `managed-by=rolesmith`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l target -d 'Plan only this resource and what it needs (repeatable): `role.NAME` (with its instance profile and bindings), `instance_profile.NAME`, `binding.INSTANCE_ID`. The plan says it is partial; a saved plan keeps its targets' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l parallelism -d 'Accepted for scripts that pass apply\'s flags; plan changes nothing' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l format -d 'Output format' -r -f -a "text\t'Human text (colored on a terminal unless `NO_COLOR` is set)'
json\t'Machine-readable JSON with a `format_version`'
markdown\t'Markdown for pull-request comments'"
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l out -d 'Also save the plan, with a fingerprint of the manifests and of the live state it was made from, for `rolesmith apply FILE` (and `rolesmith show FILE`)' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l snapshot -d 'Read this JSON snapshot file as the account instead of AWS (offline). It must exist (`rolesmith snapshot --out FILE` captures one); it is never written' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l account-id -d 'Accepted for scripts that pass apply\'s flags; an existing snapshot names its account' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l path-prefix -d 'Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l profile -d 'Named profile from the shared AWS config files' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l region -d 'AWS region (IAM is global; EC2 bindings use it; config: `region`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l endpoint-url -d 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l max-attempts -d 'Attempts per AWS call (retries for throttling, server errors and lost connections)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l retry-budget -d 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l call-timeout -d 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l propagation-timeout -d 'Accepted for scripts that pass apply\'s flags; without effect here' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l account -d 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l account-parallelism -d 'Accounts read and changed at once, each with its own clients, retries and pace' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l prune -d 'Delete owned roles that no manifest declares (config: `prune = true`)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l no-prune -d 'Do not delete owned roles without manifests, even if the config says `prune = true`'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l allow-empty -d 'Allow a manifest set that declares no role (with --prune, every owned role is deleted)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l detailed-exitcode -d 'Exit 2 when there are changes (0: none, 1: error)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l stats -d 'Print the API calls made, by operation, on stderr'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand plan" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l max-deletions -d 'Refuse a plan that deletes more roles, managed policies and identity providers than this (default 10; config: `max_deletions`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l ownership-tag -d 'Tag marking what rolesmith owns, as KEY=VALUE (default: the config\'s `[ownership]`, else `managed-by=rolesmith`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l target -d 'Plan only this resource and what it needs (repeatable): `role.NAME` (with its instance profile and bindings), `instance_profile.NAME`, `binding.INSTANCE_ID`. The plan says it is partial; a saved plan keeps its targets' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l parallelism -d 'Independent roles changed at once within a plan phase (default 8; config: `parallelism`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l expect-plan-id -d 'With a saved plan: refuse unless its plan id is this one (the id shown in the reviewed plan, e.g. `sha256:3f2a9c0e5b7d1a46`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l snapshot -d 'Use this JSON snapshot file as the account instead of AWS (offline): apply writes the changes to it, and a file that does not exist starts as an empty account' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l account-id -d 'The account id of a --snapshot file that does not exist yet' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l path-prefix -d 'Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l profile -d 'Named profile from the shared AWS config files' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l region -d 'AWS region (IAM is global; EC2 bindings use it; config: `region`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l endpoint-url -d 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l max-attempts -d 'Attempts per AWS call (retries for throttling, server errors and lost connections)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l retry-budget -d 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l call-timeout -d 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l propagation-timeout -d 'Seconds to wait for IAM changes to propagate (e.g. a trust naming a new role)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l account -d 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l account-parallelism -d 'Accounts read and changed at once, each with its own clients, retries and pace' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l prune -d 'Delete owned roles that no manifest declares (config: `prune = true`)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l no-prune -d 'Do not delete owned roles without manifests, even if the config says `prune = true`'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l allow-empty -d 'Allow a manifest set that declares no role (with --prune, every owned role is deleted)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l auto-approve -d 'Apply without asking (required when stdin is not a terminal)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l stats -d 'Print the API calls made, by operation, on stderr'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand apply" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand show" -l format -d 'Output format (`json` is the plan\'s JSON document, as `plan --format json`)' -r -f -a "text\t'Human text (colored on a terminal unless `NO_COLOR` is set)'
json\t'Machine-readable JSON with a `format_version`'
markdown\t'Markdown for pull-request comments'"
complete -c rolesmith -n "__fish_rolesmith_using_subcommand show" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand show" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand show" -l merge -d 'Show several saved plans over accounts (the shards of one plan, each from `plan --account … --out`) as one: one table of every account, for one PR comment'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand show" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand show" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand show" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand expire" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand expire" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand expire" -l write -d 'Remove the expired elements from the manifest files (a file whose every document expired is deleted)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand expire" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand expire" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand expire" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l ownership-tag -d 'Tag marking what rolesmith owns, as KEY=VALUE (default: the config\'s `[ownership]`, else `managed-by=rolesmith`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l format -d 'Output format' -r -f -a "text\t'Human text (colored on a terminal unless `NO_COLOR` is set)'
json\t'Machine-readable JSON with a `format_version`'
markdown\t'Markdown for pull-request comments'"
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l unused-for -d 'Also list managed roles not used for this long (`90d`, `12h`), and never-used ones older than that, from IAM\'s RoleLastUsed (no extra call); with --unmanaged, unmanaged roles too' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l snapshot -d 'Read this JSON snapshot file as the account instead of AWS (offline). It must exist (`rolesmith snapshot --out FILE` captures one); it is never written' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l account-id -d 'Accepted for scripts that pass apply\'s flags; an existing snapshot names its account' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l path-prefix -d 'Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l profile -d 'Named profile from the shared AWS config files' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l region -d 'AWS region (IAM is global; EC2 bindings use it; config: `region`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l endpoint-url -d 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l max-attempts -d 'Attempts per AWS call (retries for throttling, server errors and lost connections)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l retry-budget -d 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l call-timeout -d 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l propagation-timeout -d 'Accepted for scripts that pass apply\'s flags; without effect here' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l account -d 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l account-parallelism -d 'Accounts read and changed at once, each with its own clients, retries and pace' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l unmanaged -d 'Also list roles that no manifest declares and rolesmith does not own'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l include-reserved -d 'With --unmanaged, also list service-linked roles and roles under `/aws-reserved/`'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l allow-empty -d 'Allow a manifest set that declares no role (every owned role is then drift)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l stats -d 'Print the API calls made, by operation, on stderr'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand drift" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l format -d '`json` writes the inventory file `source = "file"` reads, for offline runs; `github-matrix` a GitHub Actions matrix of `--shards` jobs, each with the `--account` selectors of its accounts' -r -f -a "text\t'A table'
json\t'JSON'
github-matrix\t'A GitHub Actions matrix (`{"include": [{"shard": "1/N", "accounts": "--account …"}]}`)'"
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l shards -d 'Jobs of the `github-matrix` (at most 256, GitHub\'s limit); accounts are dealt round-robin, so shards differ by one account at most' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l account -d 'Only the accounts this selects (name, id, `ou:/PATH`, `tag:KEY=VALUE`, `*`; repeatable)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l profile -d 'Named profile from the shared AWS config files' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l region -d 'AWS region (IAM is global; EC2 bindings use it; config: `region`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l endpoint-url -d 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l max-attempts -d 'Attempts per AWS call (retries for throttling, server errors and lost connections)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l retry-budget -d 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l call-timeout -d 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l check -d 'Enter each account and report whether it can be reached (exit 1 if one cannot)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l stats -d 'Print the API calls made, by operation, on stderr'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand accounts" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l out -d 'Where to write the snapshot JSON' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l path-prefix -d 'Only capture roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l profile -d 'Named profile from the shared AWS config files' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l region -d 'AWS region (IAM is global; EC2 bindings use it; config: `region`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l endpoint-url -d 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l max-attempts -d 'Attempts per AWS call (retries for throttling, server errors and lost connections)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l retry-budget -d 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l call-timeout -d 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l propagation-timeout -d 'Accepted for scripts that pass apply\'s flags; without effect here' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l stats -d 'Print the API calls made, by operation, on stderr'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand snapshot" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l out -d 'Directory to write the manifests to (one file per role, by path and name)' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l name -d 'Only roles whose name matches this regular expression' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l skip-unused -d 'Leave out roles not used for this long (`90d`), and never-used ones older than it, from IAM\'s RoleLastUsed' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l snapshot -d 'Import from a snapshot file instead of the live account (it is only read; with an `[accounts]` inventory, a snapshot folder)' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l ownership-tag -d 'Tag marking what rolesmith owns, as KEY=VALUE (left out of imported tags; default: the config\'s `[ownership]`, else `managed-by=rolesmith`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l path-prefix -d 'Only import roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`; also filters --snapshot)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l profile -d 'Named profile from the shared AWS config files' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l region -d 'AWS region (IAM is global; EC2 bindings use it; config: `region`)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l endpoint-url -d 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l max-attempts -d 'Attempts per AWS call (retries for throttling, server errors and lost connections)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l retry-budget -d 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l call-timeout -d 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l account -d 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l account-parallelism -d 'Accounts read and changed at once, each with its own clients, retries and pace' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l propagation-timeout -d 'Accepted for scripts that pass apply\'s flags; without effect here' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l adopt -d 'Write `adopt: true` where the role (or its instance profile) lacks the ownership tag, so the first apply takes it over by tagging it'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l with-bindings -d 'Also write `ec2.instances`: the instances that carry each role\'s instance profile'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l force -d 'Overwrite manifest files that already exist'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l stats -d 'Print the API calls made, by operation, on stderr'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand import" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand permissions" -l for -d 'For which command: `plan` (read-only; also drift and snapshot) or `apply`' -r -f -a "plan\t'Read-only: plan, drift, snapshot'
apply\t'Everything apply may call'"
complete -c rolesmith -n "__fish_rolesmith_using_subcommand permissions" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand permissions" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand permissions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand permissions" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand permissions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand explain" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand explain" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand explain" -l all -d 'Every code'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand explain" -l markdown -d 'As Markdown (`explain --all --markdown` writes docs/CODES.md)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand explain" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand explain" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand explain" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand schema" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand schema" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand schema" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand schema" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand schema" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand completions" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand completions" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand completions" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand completions" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand completions" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand man" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand man" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand man" -l list -d 'List the commands that have a page, one a line, instead'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand man" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand man" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand man" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand version" -l config -d 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it' -r -F
complete -c rolesmith -n "__fish_rolesmith_using_subcommand version" -l now -d 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans' -r
complete -c rolesmith -n "__fish_rolesmith_using_subcommand version" -s v -l verbose -d 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand version" -l no-progress -d 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand version" -s h -l help -d 'Print help'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "init" -d 'Write a starter project: `rolesmith.toml`, an example manifest and, with --github, the GitHub workflows. Never overwrites a file'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "validate" -d 'Check manifests without reading any account'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "plan" -d 'Show what apply would change. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "apply" -d 'Plan and apply the changes; or, given a saved plan (`apply plan.json`), prove that the manifests and the account still yield exactly its steps and run them. Ctrl-C lets the steps in flight finish and exits 130; running apply again finishes the job'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "show" -d 'Show a saved plan (from `plan --out`) as `plan` showed it, with its plan id and what it was planned against. Reads only the file: no manifests, no AWS call'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "expire" -d 'List the manifests\' elements whose `expiresAt` has passed; `--write` removes them from the files, leaving every other line as it was. Reads no account'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "drift" -d 'Report how the account differs from the manifests, including changes made by hand. Exit 0: no drift, 2: drift, 1: error. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "accounts" -d 'List the `[accounts]` inventory (from its list, its file or AWS Organizations); with `--check`, enter each account (assume its role) and say which can be reached. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "snapshot" -d 'Capture the live account into a snapshot file for offline plans. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "import" -d 'Write manifests for roles that already exist, to bring them under management. Makes only read calls'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "permissions" -d 'Print the least-privilege IAM policy rolesmith needs'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "explain" -d 'Explain a diagnostic code: what it finds, why it matters and how to fix it'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "schema" -d 'Print the JSON Schema of manifests'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "completions" -d 'Print a shell completion script'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "man" -d 'Print a man page (roff): rolesmith\'s, or a subcommand\'s'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "version" -d 'Print the version (the same as `--version`)'
complete -c rolesmith -n "__fish_rolesmith_using_subcommand help; and not __fish_seen_subcommand_from init validate plan apply show expire drift accounts snapshot import permissions explain schema completions man version help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
