#!/usr/bin/env bash
# The one test command, on a fresh machine and in CI (.ci/run calls it): installs what the tests
# need when it is missing, then runs cargo fmt --check, clippy with warnings denied and the whole
# suite. A test whose tool is missing fails rather than skips, so the set-up belongs here.
#
#   ./test.sh                  everything
#   ./test.sh ARGS...          the same, with ARGS passed on to `cargo test` (e.g. a test name)
#
# Needs Rust (https://rustup.rs); on Debian or Ubuntu it installs the rest (CMake, a C compiler,
# git and the tests' tools) with apt-get (through sudo when not root). A later need is one more
# line in "What the tests need" below: `ensure_apt <package>...` for a Debian package,
# `ensure_venv <requirement>...` for Python tools (a virtual environment cached in
# $REVIEW_TEST_CACHE/venv, on PATH for the tests), `ensure_tool_venv <name> <requirement>...` for
# a tool whose dependencies clash with those. ensure_apt and the build's own needs are in
# scripts/build-tools.sh, shared with ./run.sh.
set -euo pipefail
cd "$(dirname "$0")"

cache=${REVIEW_TEST_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/review-test}

SCRIPT_NAME=test.sh
# shellcheck source=scripts/build-tools.sh
. scripts/build-tools.sh

# make_venv DIR REQUIREMENT...: a Python virtual environment in DIR holding these pip
# requirements, made again only when the requirement list changes (a stamp file records it).
make_venv() {
  local venv=$1 want
  shift
  want=$(printf '%s\n' "$@" | sort)
  if [ ! -x "$venv/bin/python" ] || [ "$(cat "$venv/.requirements" 2>/dev/null)" != "$want" ]; then
    command -v python3 >/dev/null || ensure_apt python3
    python3 -c 'import venv, ensurepip' 2>/dev/null || ensure_apt python3-venv
    say "making $venv"
    rm -rf "$venv"
    python3 -m venv "$venv" || die "cannot make $venv"
    if (($#)); then
      "$venv/bin/python" -m pip install -q "$@" || die "cannot install $* into $venv"
    fi
    printf '%s\n' "$want" >"$venv/.requirements"
  fi
}

# ensure_venv REQUIREMENT...: the tests' main virtual environment, $cache/venv, put first on
# PATH with VIRTUAL_ENV exported for the tests (its python3 is the tests' python3).
ensure_venv() {
  make_venv "$cache/venv" "$@"
  export VIRTUAL_ENV=$cache/venv PATH=$cache/venv/bin:$PATH
}

# ensure_tool_venv NAME REQUIREMENT...: a separate virtual environment $cache/venv-NAME for a
# tool whose dependencies would clash with the main one; its bin directory goes last on PATH,
# so its commands are found but python3 stays the main venv's.
ensure_tool_venv() {
  local name=$1
  shift
  make_venv "$cache/venv-$name" "$@"
  export PATH=$PATH:$cache/venv-$name/bin
}

# What the tests need.
ensure_build_tools
# tests/it/keyring.rs: a private D-Bus bus with a real GNOME Keyring on it, read back with
# libsecret's secret-tool.
ensure_apt dbus-daemon dbus-bin gnome-keyring libsecret-tools
# Every job of `review serve` runs under bubblewrap (tests/it/serve_sandbox.rs and every service test).
ensure_apt bubblewrap
# tests/it/web_*.rs drive the web pages in a real headless Chromium through chromedriver.
ensure_apt chromium chromium-driver
# One venv for every PyPI tool the tests run (ensure_venv rebuilds it when this list changes):
# tests/it/news.rs judges NEWS entries against blurb itself (tests/it/data/blurb_judge.py);
# tests/it/serve_schemathesis.rs runs property-based tests of the API from its OpenAPI document.
ensure_venv blurb==2.3.0 schemathesis==4.32.5
# tests/it/tracker.rs runs a real Roundup tracker (roundup-admin, roundup-server) in its own
# environment, so adding it does not rebuild the shared one.
ensure_tool_venv roundup roundup==2.6.0
# tests/it/serve_buildbot.rs and bench/buildbot.rs: a real Buildbot master and workers
# (buildbot-www is needed even without web plugins, or the master's www fails to start).
ensure_tool_venv buildbot buildbot==4.3.0 buildbot-worker==4.3.0 buildbot-www==4.3.0
if command -v rustup >/dev/null; then
  rustup component add rustfmt clippy >/dev/null 2>&1 || true
fi

export CARGO_TERM_COLOR=${CARGO_TERM_COLOR:-never}
say "cargo fmt --check"
cargo fmt --all -- --check
say "cargo clippy"
cargo clippy --all-targets --all-features --locked -- -D warnings
say "cargo test"
cargo test --locked --all-targets "$@"
