#!/usr/bin/env bash
# Regenerates the shell completions (completions/) and man pages (docs/man/) from the binary,
# which builds them from its clap definition. The freshness tests `cli_docs::` fail until the
# committed files equal these.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --quiet
bin="${CARGO_TARGET_DIR:-target}/debug/rolesmith"
mkdir -p completions docs/man
"$bin" completions bash > completions/rolesmith.bash
"$bin" completions zsh > completions/_rolesmith
"$bin" completions fish > completions/rolesmith.fish
"$bin" completions powershell > completions/rolesmith.ps1
rm -f docs/man/*.1
"$bin" man > docs/man/rolesmith.1
for command in $("$bin" man --list); do
  "$bin" man "$command" > "docs/man/rolesmith-$command.1"
done
