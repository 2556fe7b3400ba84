
using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'rolesmith' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'rolesmith'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'rolesmith' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter project: `rolesmith.toml`, an example manifest and, with --github, the GitHub workflows. Never overwrites a file')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check manifests without reading any account')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what apply would change. Makes only read calls')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Plan and apply the changes; or, given a saved plan (`apply plan.json`), prove that the manifests and the account still yield exactly its steps and run them. Ctrl-C lets the steps in flight finish and exits 130; running apply again finishes the job')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a saved plan (from `plan --out`) as `plan` showed it, with its plan id and what it was planned against. Reads only the file: no manifests, no AWS call')
            [CompletionResult]::new('expire', 'expire', [CompletionResultType]::ParameterValue, 'List the manifests'' elements whose `expiresAt` has passed; `--write` removes them from the files, leaving every other line as it was. Reads no account')
            [CompletionResult]::new('drift', 'drift', [CompletionResultType]::ParameterValue, 'Report how the account differs from the manifests, including changes made by hand. Exit 0: no drift, 2: drift, 1: error. Makes only read calls')
            [CompletionResult]::new('accounts', 'accounts', [CompletionResultType]::ParameterValue, 'List the `[accounts]` inventory (from its list, its file or AWS Organizations); with `--check`, enter each account (assume its role) and say which can be reached. Makes only read calls')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Capture the live account into a snapshot file for offline plans. Makes only read calls')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Write manifests for roles that already exist, to bring them under management. Makes only read calls')
            [CompletionResult]::new('permissions', 'permissions', [CompletionResultType]::ParameterValue, 'Print the least-privilege IAM policy rolesmith needs')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a diagnostic code: what it finds, why it matters and how to fix it')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of manifests')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): rolesmith''s, or a subcommand''s')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the version (the same as `--version`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rolesmith;init' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--github', '--github', [CompletionResultType]::ParameterName, 'Also write the plan, apply and drift workflows to `.github/workflows/`')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;validate' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format for findings')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--strict', '--strict', [CompletionResultType]::ParameterName, 'Fail on warnings too (exit 1), like `clippy -D warnings` (config: `strict = true`)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rolesmith;plan' {
            [CompletionResult]::new('--max-deletions', '--max-deletions', [CompletionResultType]::ParameterName, 'Refuse a plan that deletes more roles, managed policies and identity providers than this (default 10; config: `max_deletions`)')
            [CompletionResult]::new('--ownership-tag', '--ownership-tag', [CompletionResultType]::ParameterName, 'Tag marking what rolesmith owns, as KEY=VALUE (default: the config''s `[ownership]`, else `managed-by=rolesmith`)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Plan only this resource and what it needs (repeatable): `role.NAME` (with its instance profile and bindings), `instance_profile.NAME`, `binding.INSTANCE_ID`. The plan says it is partial; a saved plan keeps its targets')
            [CompletionResult]::new('--parallelism', '--parallelism', [CompletionResultType]::ParameterName, 'Accepted for scripts that pass apply''s flags; plan changes nothing')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Also save the plan, with a fingerprint of the manifests and of the live state it was made from, for `rolesmith apply FILE` (and `rolesmith show FILE`)')
            [CompletionResult]::new('--snapshot', '--snapshot', [CompletionResultType]::ParameterName, 'Read this JSON snapshot file as the account instead of AWS (offline). It must exist (`rolesmith snapshot --out FILE` captures one); it is never written')
            [CompletionResult]::new('--account-id', '--account-id', [CompletionResultType]::ParameterName, 'Accepted for scripts that pass apply''s flags; an existing snapshot names its account')
            [CompletionResult]::new('--path-prefix', '--path-prefix', [CompletionResultType]::ParameterName, 'Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the shared AWS config files')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (IAM is global; EC2 bindings use it; config: `region`)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts per AWS call (retries for throttling, server errors and lost connections)')
            [CompletionResult]::new('--retry-budget', '--retry-budget', [CompletionResultType]::ParameterName, 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)')
            [CompletionResult]::new('--propagation-timeout', '--propagation-timeout', [CompletionResultType]::ParameterName, 'Accepted for scripts that pass apply''s flags; without effect here')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)')
            [CompletionResult]::new('--account-parallelism', '--account-parallelism', [CompletionResultType]::ParameterName, 'Accounts read and changed at once, each with its own clients, retries and pace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete owned roles that no manifest declares (config: `prune = true`)')
            [CompletionResult]::new('--no-prune', '--no-prune', [CompletionResultType]::ParameterName, 'Do not delete owned roles without manifests, even if the config says `prune = true`')
            [CompletionResult]::new('--allow-empty', '--allow-empty', [CompletionResultType]::ParameterName, 'Allow a manifest set that declares no role (with --prune, every owned role is deleted)')
            [CompletionResult]::new('--detailed-exitcode', '--detailed-exitcode', [CompletionResultType]::ParameterName, 'Exit 2 when there are changes (0: none, 1: error)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print the API calls made, by operation, on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rolesmith;apply' {
            [CompletionResult]::new('--max-deletions', '--max-deletions', [CompletionResultType]::ParameterName, 'Refuse a plan that deletes more roles, managed policies and identity providers than this (default 10; config: `max_deletions`)')
            [CompletionResult]::new('--ownership-tag', '--ownership-tag', [CompletionResultType]::ParameterName, 'Tag marking what rolesmith owns, as KEY=VALUE (default: the config''s `[ownership]`, else `managed-by=rolesmith`)')
            [CompletionResult]::new('--target', '--target', [CompletionResultType]::ParameterName, 'Plan only this resource and what it needs (repeatable): `role.NAME` (with its instance profile and bindings), `instance_profile.NAME`, `binding.INSTANCE_ID`. The plan says it is partial; a saved plan keeps its targets')
            [CompletionResult]::new('--parallelism', '--parallelism', [CompletionResultType]::ParameterName, 'Independent roles changed at once within a plan phase (default 8; config: `parallelism`)')
            [CompletionResult]::new('--expect-plan-id', '--expect-plan-id', [CompletionResultType]::ParameterName, 'With a saved plan: refuse unless its plan id is this one (the id shown in the reviewed plan, e.g. `sha256:3f2a9c0e5b7d1a46`)')
            [CompletionResult]::new('--snapshot', '--snapshot', [CompletionResultType]::ParameterName, 'Use this JSON snapshot file as the account instead of AWS (offline): apply writes the changes to it, and a file that does not exist starts as an empty account')
            [CompletionResult]::new('--account-id', '--account-id', [CompletionResultType]::ParameterName, 'The account id of a --snapshot file that does not exist yet')
            [CompletionResult]::new('--path-prefix', '--path-prefix', [CompletionResultType]::ParameterName, 'Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the shared AWS config files')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (IAM is global; EC2 bindings use it; config: `region`)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts per AWS call (retries for throttling, server errors and lost connections)')
            [CompletionResult]::new('--retry-budget', '--retry-budget', [CompletionResultType]::ParameterName, 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)')
            [CompletionResult]::new('--propagation-timeout', '--propagation-timeout', [CompletionResultType]::ParameterName, 'Seconds to wait for IAM changes to propagate (e.g. a trust naming a new role)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)')
            [CompletionResult]::new('--account-parallelism', '--account-parallelism', [CompletionResultType]::ParameterName, 'Accounts read and changed at once, each with its own clients, retries and pace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Delete owned roles that no manifest declares (config: `prune = true`)')
            [CompletionResult]::new('--no-prune', '--no-prune', [CompletionResultType]::ParameterName, 'Do not delete owned roles without manifests, even if the config says `prune = true`')
            [CompletionResult]::new('--allow-empty', '--allow-empty', [CompletionResultType]::ParameterName, 'Allow a manifest set that declares no role (with --prune, every owned role is deleted)')
            [CompletionResult]::new('--auto-approve', '--auto-approve', [CompletionResultType]::ParameterName, 'Apply without asking (required when stdin is not a terminal)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print the API calls made, by operation, on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;show' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (`json` is the plan''s JSON document, as `plan --format json`)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--merge', '--merge', [CompletionResultType]::ParameterName, 'Show several saved plans over accounts (the shards of one plan, each from `plan --account … --out`) as one: one table of every account, for one PR comment')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rolesmith;expire' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--write', '--write', [CompletionResultType]::ParameterName, 'Remove the expired elements from the manifest files (a file whose every document expired is deleted)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;drift' {
            [CompletionResult]::new('--ownership-tag', '--ownership-tag', [CompletionResultType]::ParameterName, 'Tag marking what rolesmith owns, as KEY=VALUE (default: the config''s `[ownership]`, else `managed-by=rolesmith`)')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format')
            [CompletionResult]::new('--unused-for', '--unused-for', [CompletionResultType]::ParameterName, 'Also list managed roles not used for this long (`90d`, `12h`), and never-used ones older than that, from IAM''s RoleLastUsed (no extra call); with --unmanaged, unmanaged roles too')
            [CompletionResult]::new('--snapshot', '--snapshot', [CompletionResultType]::ParameterName, 'Read this JSON snapshot file as the account instead of AWS (offline). It must exist (`rolesmith snapshot --out FILE` captures one); it is never written')
            [CompletionResult]::new('--account-id', '--account-id', [CompletionResultType]::ParameterName, 'Accepted for scripts that pass apply''s flags; an existing snapshot names its account')
            [CompletionResult]::new('--path-prefix', '--path-prefix', [CompletionResultType]::ParameterName, 'Only read and manage roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the shared AWS config files')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (IAM is global; EC2 bindings use it; config: `region`)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts per AWS call (retries for throttling, server errors and lost connections)')
            [CompletionResult]::new('--retry-budget', '--retry-budget', [CompletionResultType]::ParameterName, 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)')
            [CompletionResult]::new('--propagation-timeout', '--propagation-timeout', [CompletionResultType]::ParameterName, 'Accepted for scripts that pass apply''s flags; without effect here')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)')
            [CompletionResult]::new('--account-parallelism', '--account-parallelism', [CompletionResultType]::ParameterName, 'Accounts read and changed at once, each with its own clients, retries and pace')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--unmanaged', '--unmanaged', [CompletionResultType]::ParameterName, 'Also list roles that no manifest declares and rolesmith does not own')
            [CompletionResult]::new('--include-reserved', '--include-reserved', [CompletionResultType]::ParameterName, 'With --unmanaged, also list service-linked roles and roles under `/aws-reserved/`')
            [CompletionResult]::new('--allow-empty', '--allow-empty', [CompletionResultType]::ParameterName, 'Allow a manifest set that declares no role (every owned role is then drift)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print the API calls made, by operation, on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rolesmith;accounts' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, '`json` writes the inventory file `source = "file"` reads, for offline runs; `github-matrix` a GitHub Actions matrix of `--shards` jobs, each with the `--account` selectors of its accounts')
            [CompletionResult]::new('--shards', '--shards', [CompletionResultType]::ParameterName, 'Jobs of the `github-matrix` (at most 256, GitHub''s limit); accounts are dealt round-robin, so shards differ by one account at most')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'Only the accounts this selects (name, id, `ou:/PATH`, `tag:KEY=VALUE`, `*`; repeatable)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the shared AWS config files')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (IAM is global; EC2 bindings use it; config: `region`)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts per AWS call (retries for throttling, server errors and lost connections)')
            [CompletionResult]::new('--retry-budget', '--retry-budget', [CompletionResultType]::ParameterName, 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--check', '--check', [CompletionResultType]::ParameterName, 'Enter each account and report whether it can be reached (exit 1 if one cannot)')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print the API calls made, by operation, on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rolesmith;snapshot' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Where to write the snapshot JSON')
            [CompletionResult]::new('--path-prefix', '--path-prefix', [CompletionResultType]::ParameterName, 'Only capture roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the shared AWS config files')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (IAM is global; EC2 bindings use it; config: `region`)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts per AWS call (retries for throttling, server errors and lost connections)')
            [CompletionResult]::new('--retry-budget', '--retry-budget', [CompletionResultType]::ParameterName, 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)')
            [CompletionResult]::new('--propagation-timeout', '--propagation-timeout', [CompletionResultType]::ParameterName, 'Accepted for scripts that pass apply''s flags; without effect here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print the API calls made, by operation, on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;import' {
            [CompletionResult]::new('--out', '--out', [CompletionResultType]::ParameterName, 'Directory to write the manifests to (one file per role, by path and name)')
            [CompletionResult]::new('--name', '--name', [CompletionResultType]::ParameterName, 'Only roles whose name matches this regular expression')
            [CompletionResult]::new('--skip-unused', '--skip-unused', [CompletionResultType]::ParameterName, 'Leave out roles not used for this long (`90d`), and never-used ones older than it, from IAM''s RoleLastUsed')
            [CompletionResult]::new('--snapshot', '--snapshot', [CompletionResultType]::ParameterName, 'Import from a snapshot file instead of the live account (it is only read; with an `[accounts]` inventory, a snapshot folder)')
            [CompletionResult]::new('--ownership-tag', '--ownership-tag', [CompletionResultType]::ParameterName, 'Tag marking what rolesmith owns, as KEY=VALUE (left out of imported tags; default: the config''s `[ownership]`, else `managed-by=rolesmith`)')
            [CompletionResult]::new('--path-prefix', '--path-prefix', [CompletionResultType]::ParameterName, 'Only import roles whose path starts with this prefix, e.g. `/app/` (config: `path_prefix`; also filters --snapshot)')
            [CompletionResult]::new('--profile', '--profile', [CompletionResultType]::ParameterName, 'Named profile from the shared AWS config files')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'AWS region (IAM is global; EC2 bindings use it; config: `region`)')
            [CompletionResult]::new('--endpoint-url', '--endpoint-url', [CompletionResultType]::ParameterName, 'Send every AWS call to this endpoint (e.g. a local moto server). `AWS_ENDPOINT_URL` works too')
            [CompletionResult]::new('--max-attempts', '--max-attempts', [CompletionResultType]::ParameterName, 'Attempts per AWS call (retries for throttling, server errors and lost connections)')
            [CompletionResult]::new('--retry-budget', '--retry-budget', [CompletionResultType]::ParameterName, 'Retries the whole run may make; past them, calls fail at once, naming the throttling and the send rate reached (a re-run finishes the job)')
            [CompletionResult]::new('--call-timeout', '--call-timeout', [CompletionResultType]::ParameterName, 'Seconds one attempt of an AWS call may take before it is abandoned and retried (a connection that never answers must not hang the run)')
            [CompletionResult]::new('--account', '--account', [CompletionResultType]::ParameterName, 'With an `[accounts]` inventory: only the accounts this selects — a name, an id, `ou:/PATH`, `tag:KEY=VALUE` or `*` (repeatable; default: every account)')
            [CompletionResult]::new('--account-parallelism', '--account-parallelism', [CompletionResultType]::ParameterName, 'Accounts read and changed at once, each with its own clients, retries and pace')
            [CompletionResult]::new('--propagation-timeout', '--propagation-timeout', [CompletionResultType]::ParameterName, 'Accepted for scripts that pass apply''s flags; without effect here')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--adopt', '--adopt', [CompletionResultType]::ParameterName, 'Write `adopt: true` where the role (or its instance profile) lacks the ownership tag, so the first apply takes it over by tagging it')
            [CompletionResult]::new('--with-bindings', '--with-bindings', [CompletionResultType]::ParameterName, 'Also write `ec2.instances`: the instances that carry each role''s instance profile')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Overwrite manifest files that already exist')
            [CompletionResult]::new('--stats', '--stats', [CompletionResultType]::ParameterName, 'Print the API calls made, by operation, on stderr')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;permissions' {
            [CompletionResult]::new('--for', '--for', [CompletionResultType]::ParameterName, 'For which command: `plan` (read-only; also drift and snapshot) or `apply`')
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rolesmith;explain' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--all', '--all', [CompletionResultType]::ParameterName, 'Every code')
            [CompletionResult]::new('--markdown', '--markdown', [CompletionResultType]::ParameterName, 'As Markdown (`explain --all --markdown` writes docs/CODES.md)')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;schema' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;completions' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            break
        }
        'rolesmith;man' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('--list', '--list', [CompletionResultType]::ParameterName, 'List the commands that have a page, one a line, instead')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;version' {
            [CompletionResult]::new('--config', '--config', [CompletionResultType]::ParameterName, 'Settings file (default: `rolesmith.toml` in the current directory, if any). Flags override it')
            [CompletionResult]::new('--now', '--now', [CompletionResultType]::ParameterName, 'The instant `expiresAt` is compared with, as an RFC 3339 date or date-time (default: the system clock), for tests and reproducible plans')
            [CompletionResult]::new('-v', '-v', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--verbose', '--verbose', [CompletionResultType]::ParameterName, 'More log output on stderr (-v info, -vv debug, -vvv trace). RUST_LOG overrides')
            [CompletionResult]::new('--no-progress', '--no-progress', [CompletionResultType]::ParameterName, 'Never draw progress bars. By default, reads and applies that take longer than a second show one on stderr when stderr is a terminal')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            break
        }
        'rolesmith;help' {
            [CompletionResult]::new('init', 'init', [CompletionResultType]::ParameterValue, 'Write a starter project: `rolesmith.toml`, an example manifest and, with --github, the GitHub workflows. Never overwrites a file')
            [CompletionResult]::new('validate', 'validate', [CompletionResultType]::ParameterValue, 'Check manifests without reading any account')
            [CompletionResult]::new('plan', 'plan', [CompletionResultType]::ParameterValue, 'Show what apply would change. Makes only read calls')
            [CompletionResult]::new('apply', 'apply', [CompletionResultType]::ParameterValue, 'Plan and apply the changes; or, given a saved plan (`apply plan.json`), prove that the manifests and the account still yield exactly its steps and run them. Ctrl-C lets the steps in flight finish and exits 130; running apply again finishes the job')
            [CompletionResult]::new('show', 'show', [CompletionResultType]::ParameterValue, 'Show a saved plan (from `plan --out`) as `plan` showed it, with its plan id and what it was planned against. Reads only the file: no manifests, no AWS call')
            [CompletionResult]::new('expire', 'expire', [CompletionResultType]::ParameterValue, 'List the manifests'' elements whose `expiresAt` has passed; `--write` removes them from the files, leaving every other line as it was. Reads no account')
            [CompletionResult]::new('drift', 'drift', [CompletionResultType]::ParameterValue, 'Report how the account differs from the manifests, including changes made by hand. Exit 0: no drift, 2: drift, 1: error. Makes only read calls')
            [CompletionResult]::new('accounts', 'accounts', [CompletionResultType]::ParameterValue, 'List the `[accounts]` inventory (from its list, its file or AWS Organizations); with `--check`, enter each account (assume its role) and say which can be reached. Makes only read calls')
            [CompletionResult]::new('snapshot', 'snapshot', [CompletionResultType]::ParameterValue, 'Capture the live account into a snapshot file for offline plans. Makes only read calls')
            [CompletionResult]::new('import', 'import', [CompletionResultType]::ParameterValue, 'Write manifests for roles that already exist, to bring them under management. Makes only read calls')
            [CompletionResult]::new('permissions', 'permissions', [CompletionResultType]::ParameterValue, 'Print the least-privilege IAM policy rolesmith needs')
            [CompletionResult]::new('explain', 'explain', [CompletionResultType]::ParameterValue, 'Explain a diagnostic code: what it finds, why it matters and how to fix it')
            [CompletionResult]::new('schema', 'schema', [CompletionResultType]::ParameterValue, 'Print the JSON Schema of manifests')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a shell completion script')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Print a man page (roff): rolesmith''s, or a subcommand''s')
            [CompletionResult]::new('version', 'version', [CompletionResultType]::ParameterValue, 'Print the version (the same as `--version`)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'rolesmith;help;init' {
            break
        }
        'rolesmith;help;validate' {
            break
        }
        'rolesmith;help;plan' {
            break
        }
        'rolesmith;help;apply' {
            break
        }
        'rolesmith;help;show' {
            break
        }
        'rolesmith;help;expire' {
            break
        }
        'rolesmith;help;drift' {
            break
        }
        'rolesmith;help;accounts' {
            break
        }
        'rolesmith;help;snapshot' {
            break
        }
        'rolesmith;help;import' {
            break
        }
        'rolesmith;help;permissions' {
            break
        }
        'rolesmith;help;explain' {
            break
        }
        'rolesmith;help;schema' {
            break
        }
        'rolesmith;help;completions' {
            break
        }
        'rolesmith;help;man' {
            break
        }
        'rolesmith;help;version' {
            break
        }
        'rolesmith;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
