#!/bin/sh
# Benchmark: the fixed cost of `review lint` on small series, as the pre-push hook runs it.
# Over the last 300 non-merge commits of a real history, one run per commit:
#   git diff --check C^..C      x300
#   review lint C^..C           x300
# timed as two loops run in turn (bench/interleave.py: one loop of each, RUNS times, so a change
# in the machine's load hits both alike); prints the medians and the ratio (goal <= 1.00).
#
#   cargo build --release [--no-default-features] && bench/lint_small_series.sh [SOURCE-REPO] [COMMITS] [RUNS]
#
# SOURCE-REPO (any clone with a long history; default $BENCH_SOURCE) is cloned once into
# $BENCH_DIR with a work tree, as a user's checkout is. The figures in bench/README.md use
# git's own history (github.com/git/git).
set -eu
src=${1:-${BENCH_SOURCE:-}}
count=${2:-300}
runs=${3:-5}
here=$(cd "$(dirname "$0")/.." && pwd)
review=${REVIEW:-$here/target/release/review}
[ -x "$review" ] || { echo "build first: cargo build --release" >&2; exit 2; }

dir=${BENCH_DIR:-${TMPDIR:-/tmp}/review-bench-lint-small-v1}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
if [ ! -f "$dir/.bench-ready" ]; then
    [ -n "$src" ] || { echo "give a repository with a long history: $0 /path/to/clone" >&2; exit 2; }
    rm -rf "$dir"
    git clone -q "$src" "$dir/repo"
    touch "$dir/.bench-ready"
fi
# Timed as installed (`cargo install` copies the binary): the file the linker wrote starts 11%
# slower here than a copy of it (`bench/interleave.py 200` on one commit: 10.06 against 9.01 ms),
# its pages cached in smaller pieces; git is an installed copy too.
mkdir -p "$dir/bin"
cp "$review" "$dir/bin/review.tmp" && mv "$dir/bin/review.tmp" "$dir/bin/review"
review=$dir/bin/review
repo=$dir/repo
cd "$repo"
git rev-list --no-merges -n "$count" HEAD > "$dir/commits"
{
    echo 'while read c; do git diff --check "$c^" "$c" >/dev/null 2>&1; done < '"$dir/commits"
} > "$dir/git.sh"
{
    echo 'while read c; do '"$review"' lint "$c^..$c" >/dev/null 2>&1; done < '"$dir/commits"
} > "$dir/review.sh"
echo "history: $(git rev-list --count HEAD) commits, $(git ls-files | wc -l) files; $(wc -l < "$dir/commits") commits timed" >&2
# Which inflater the binary carries (the default build links zlib-ng in; one built with
# --no-default-features uses the system zlib, as git does): the figure depends on it.
if grep -q 'zlib-ng' "$review"; then zlib="zlib-ng (built in)"; else zlib="stock zlib"; fi
echo "review: $review, $zlib" >&2
# One loop of each first, unmeasured: the pack and the binaries in the page cache.
sh "$dir/git.sh"; sh "$dir/review.sh"
python3 "$here/bench/interleave.py" --json "$dir/result.json" "$runs" \
    -- sh "$dir/git.sh" -- sh "$dir/review.sh" >"$dir/interleave.log"
python3 - "$dir/result.json" "$(wc -l < "$dir/commits")" <<'PY'
import json, sys
git, review = json.load(open(sys.argv[1]))
n = int(sys.argv[2])
for x, label in ((git, "git diff --check C^..C"), (review, "review lint C^..C     ")):
    print(f"{label} x{n}: {x['median']:.3f} s median ({x['median']/n*1000:.1f} ms each), "
          f"{min(x['times']):.3f} s best")
ratio = review["median"] / git["median"]
print(f"ratio review/git: {ratio:.2f} (goal <= 1.00)")
sys.exit(0 if ratio <= 1.0 else 3)
PY
