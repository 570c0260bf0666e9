# Sourced by ./run.sh and ./test.sh: installs what building review needs when it is missing.
# SCRIPT_NAME names the calling script in messages.

say() { printf '%s: %s\n' "${SCRIPT_NAME:-review}" "$*" >&2; }
die() { say "$*"; exit 1; }

# ensure_apt PACKAGE...: install the Debian packages that are not installed yet. Quick (one
# dpkg-query) when they all are.
ensure_apt() {
  local missing=() pkg sudo=()
  if ! command -v dpkg-query >/dev/null || ! command -v apt-get >/dev/null; then
    say "not Debian or Ubuntu: make sure the equivalent of these packages is installed: $*"
    return 0
  fi
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'ok installed' || missing+=("$pkg")
  done
  ((${#missing[@]})) || return 0
  say "installing ${missing[*]}"
  [ "$(id -u)" = 0 ] || sudo=(sudo)
  # apt's chatter (debconf's notes among it) is shown only if the install fails.
  local log
  log=$(mktemp)
  if ! { "${sudo[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
      -o DPkg::Lock::Timeout=300 --no-install-recommends "${missing[@]}"; } >"$log" 2>&1; then
    cat "$log" >&2
    rm -f "$log"
    die "cannot install ${missing[*]}"
  fi
  rm -f "$log"
}

# ensure_build_tools: what `cargo build` needs beyond Rust: git, a C compiler (libgit2 and SQLite
# are built from source) and CMake (the default feature `zlib-ng` builds zlib-ng with it).
ensure_build_tools() {
  command -v cargo >/dev/null || die "cargo not found: install Rust first (https://rustup.rs)"
  command -v git >/dev/null || ensure_apt git
  command -v cc >/dev/null || ensure_apt gcc libc6-dev
  command -v cmake >/dev/null || ensure_apt cmake
}
