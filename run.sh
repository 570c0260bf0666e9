#!/usr/bin/env bash
# Builds review (release) and runs it with the arguments given, from any directory:
#
#   ./run.sh demo              watch a change go from post to merged
#   ./run.sh --help
#
# On Debian or Ubuntu it first installs what the build needs when it is missing (CMake, for
# zlib-ng; a C compiler; git), through sudo when not root. Elsewhere install those yourself, or
# build with the system zlib: cargo run --release --no-default-features -- demo.
set -euo pipefail
root=$(cd "$(dirname "$0")" && pwd)
SCRIPT_NAME=run.sh
# shellcheck source=scripts/build-tools.sh
. "$root/scripts/build-tools.sh"
ensure_build_tools
exec cargo run --release --manifest-path "$root/Cargo.toml" -- "$@"
