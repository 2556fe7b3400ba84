#!/usr/bin/env bash
# Installs a released rolesmith binary: picks the release asset for this machine (the names
# cargo-dist gives them, see dist-workspace.toml), downloads it and its `.sha256`, refuses it
# unless the checksum matches, and only then puts `rolesmith` into the install directory.
# The GitHub Action (action.yml) runs this script; people can run it too:
#
#   scripts/install.sh --version 0.1.0 --dir ~/.local/bin
#
# Options (each also read from the environment variable after it):
#   --version X     release to install, `0.1.0` or `v0.1.0`            ROLESMITH_VERSION
#   --dir DIR       where `rolesmith` goes (default ~/.local/bin)      ROLESMITH_INSTALL_DIR
#   --base-url URL  where releases live (default GitHub releases):     ROLESMITH_DOWNLOAD_BASE
#                   `https://…`, `file:///…` or a local folder; assets are read from
#                   <URL>/v<version>/<asset>
#   --target T      install the build for target triple T instead of this machine's
#   --print-target  print this machine's target triple and exit
#
# Exit status: 0 installed; 1 anything else, with the reason on stderr and nothing installed.
set -euo pipefail

readonly DEFAULT_BASE="https://github.com/rolesmith/rolesmith/releases/download"
# The scratch folder of one run (global: the EXIT trap removes it after main has returned).
WORK=""
readonly TARGETS="x86_64-unknown-linux-musl aarch64-unknown-linux-musl x86_64-apple-darwin aarch64-apple-darwin x86_64-pc-windows-msvc"

die() {
    printf 'install.sh: error: %s\n' "$1" >&2
    if [ -n "${2:-}" ]; then printf '\nhint: %s\n' "$2" >&2; fi
    exit 1
}

usage() {
    sed -n '2,/^set -euo/p' "$0" | sed -e '$d' -e 's/^# \{0,1\}//'
}

# The target triple of the machine this runs on (the release builds Linux as static musl, so
# one Linux binary fits every distribution).
detect_target() {
    local os arch
    os="$(uname -s)"
    arch="$(uname -m)"
    case "$arch" in
        x86_64 | amd64) arch=x86_64 ;;
        aarch64 | arm64) arch=aarch64 ;;
        *) unsupported "$os" "$arch" ;;
    esac
    case "$os" in
        Linux) echo "$arch-unknown-linux-musl" ;;
        Darwin) echo "$arch-apple-darwin" ;;
        MINGW* | MSYS* | CYGWIN* | Windows_NT)
            [ "$arch" = x86_64 ] || unsupported "$os" "$arch"
            echo "x86_64-pc-windows-msvc"
            ;;
        *) unsupported "$os" "$arch" ;;
    esac
}

unsupported() {
    die "no rolesmith release for this platform ($1 $2); releases are built for: $TARGETS" \
        "build it from source: cargo install --locked rolesmith"
}

# Copies <base>/<name> to <dest>: curl for URLs (file:// included), cp for a folder.
fetch() {
    local base="$1" name="$2" dest="$3"
    case "$base" in
        http://*) die "refusing a plain-http download base ($base): use https:// or file://" ;;
        https://* | file://*)
            if command -v curl >/dev/null 2>&1; then
                curl --fail --silent --show-error --location --proto '=https,file' \
                    --retry 3 --output "$dest" "$base/$name" ||
                    die "could not download $base/$name" "check that this release exists and has this asset"
            elif command -v wget >/dev/null 2>&1; then
                wget --quiet --output-document="$dest" "$base/$name" ||
                    die "could not download $base/$name" "check that this release exists and has this asset"
            else
                die "neither curl nor wget is installed"
            fi
            ;;
        *)
            [ -f "$base/$name" ] || die "no such file: $base/$name"
            cp "$base/$name" "$dest"
            ;;
    esac
}

sha256_of() {
    if command -v sha256sum >/dev/null 2>&1; then
        sha256sum "$1" | cut -d ' ' -f 1
    elif command -v shasum >/dev/null 2>&1; then
        shasum -a 256 "$1" | cut -d ' ' -f 1
    else
        die "neither sha256sum nor shasum is installed: cannot verify the download"
    fi
}

# Checks <archive> against the `.sha256` file cargo-dist writes beside it
# (`<hex> *<file name>`); dies on any difference.
verify() {
    local archive="$1" sums="$2" asset="$3" expected named actual
    read -r expected named <"$sums" || true
    expected="$(printf '%s' "$expected" | tr 'A-F' 'a-f')"
    case "$expected" in
        *[!0-9a-f]* | "") die "$asset.sha256 holds no SHA-256 digest" ;;
    esac
    [ "${#expected}" -eq 64 ] || die "$asset.sha256 holds no SHA-256 digest"
    named="${named#\*}"
    if [ -n "$named" ] && [ "$named" != "$asset" ]; then
        die "$asset.sha256 is the checksum of another file ($named)"
    fi
    actual="$(sha256_of "$archive")"
    if [ "$actual" != "$expected" ]; then
        die "checksum mismatch for $asset: expected $expected, got $actual; nothing was installed" \
            "the download is corrupt or was tampered with; try again, and report it if it persists"
    fi
}

# Unpacks <archive> into <dir> and prints the path of the binary in it. cargo-dist's tarballs
# hold a folder named after the archive; its zips hold the files at their root.
unpack() {
    local archive="$1" dir="$2" stem="$3" exe="$4"
    case "$archive" in
        *.zip)
            if command -v unzip >/dev/null 2>&1; then
                unzip -q "$archive" -d "$dir" || die "could not unpack $(basename "$archive")"
            else
                # PowerShell wants Windows paths; Git Bash's are POSIX ones.
                local from="$archive" to="$dir"
                if command -v cygpath >/dev/null 2>&1; then
                    from="$(cygpath -w "$archive")" to="$(cygpath -w "$dir")"
                fi
                powershell -NoProfile -Command "Expand-Archive -LiteralPath '$from' -DestinationPath '$to'" ||
                    die "could not unpack $(basename "$archive")"
            fi
            ;;
        *) tar -xf "$archive" -C "$dir" || die "could not unpack $(basename "$archive")" ;;
    esac
    for candidate in "$dir/$stem/$exe" "$dir/$exe"; do
        if [ -f "$candidate" ]; then
            echo "$candidate"
            return
        fi
    done
    die "$(basename "$archive") holds no $exe"
}

main() {
    local version="${ROLESMITH_VERSION:-}" dir="${ROLESMITH_INSTALL_DIR:-}"
    local base="${ROLESMITH_DOWNLOAD_BASE:-$DEFAULT_BASE}" target=""
    while [ "$#" -gt 0 ]; do
        case "$1" in
            --version) version="${2:?--version needs a value}"; shift 2 ;;
            --dir) dir="${2:?--dir needs a value}"; shift 2 ;;
            --base-url) base="${2:?--base-url needs a value}"; shift 2 ;;
            --target) target="${2:?--target needs a value}"; shift 2 ;;
            --print-target) detect_target; return ;;
            -h | --help) usage; return ;;
            *) die "unknown argument \`$1\`" "run \`$0 --help\`" ;;
        esac
    done
    version="${version#v}"
    [ -n "$version" ] || die "no version given" "pass --version 0.1.0 (or set ROLESMITH_VERSION)"
    [[ "$version" =~ ^[0-9]+\.[0-9]+\.[0-9]+([-+][0-9A-Za-z.-]+)?$ ]] ||
        die "\`$version\` is not a release version (expected e.g. 0.1.0)"
    if [ -z "$target" ]; then
        target="$(detect_target)"
    fi
    case " $TARGETS " in
        *" $target "*) ;;
        *) die "no rolesmith release for target \`$target\`; releases are built for: $TARGETS" ;;
    esac
    dir="${dir:-$HOME/.local/bin}"
    base="${base%/}/v$version"

    local ext=tar.xz exe=rolesmith
    case "$target" in *windows*) ext=zip exe=rolesmith.exe ;; esac
    local stem="rolesmith-$target"
    local asset="$stem.$ext"

    WORK="$(mktemp -d "${TMPDIR:-/tmp}/rolesmith-install.XXXXXX")"
    trap 'rm -rf "$WORK"' EXIT
    local work="$WORK"
    fetch "$base" "$asset" "$work/$asset"
    fetch "$base" "$asset.sha256" "$work/$asset.sha256"
    verify "$work/$asset" "$work/$asset.sha256" "$asset"
    mkdir "$work/unpacked"
    local binary
    binary="$(unpack "$work/$asset" "$work/unpacked" "$stem" "$exe")"

    mkdir -p "$dir" || die "cannot create $dir"
    # Copy next to the destination, then rename: a concurrent reader never sees half a file.
    cp "$binary" "$dir/.$exe.partial" || die "cannot write to $dir"
    chmod 755 "$dir/.$exe.partial"
    mv -f "$dir/.$exe.partial" "$dir/$exe"
    echo "installed rolesmith $version ($target) to $dir/$exe"
}

main "$@"
