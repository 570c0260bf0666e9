#!/bin/sh
# Benchmark: the fixed cost of `review lint` on small series, as the pre-push hook runs it.
# Over the last 300 non-merge commits of a real history, one run per commit:
#   git diff --check C^..C      x300
#   review lint C^..C           x300
# timed as two loops in one hyperfine run; prints the totals and the ratio (goal <= 1.00).
#
#   cargo build --release && bench/lint_small_series.sh [SOURCE-REPO] [COMMITS] [RUNS]
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
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
dir=${BENCH_DIR:-${TMPDIR:-/tmp}/review-bench-lint-small-v1}
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
if [ ! -f "$dir/.bench-ready" ]; then
    [ -n "$src" ] || { echo "give a repository with a long history: $0 /path/to/clone" >&2; exit 2; }
    rm -rf "$dir"
    git clone -q "$src" "$dir/repo"
    touch "$dir/.bench-ready"
fi
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
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$dir/result.json" \
    -n git "sh $dir/git.sh" -n review "sh $dir/review.sh" >"$dir/hyperfine.log" 2>&1 \
    || { cat "$dir/hyperfine.log" >&2; exit 1; }
python3 - "$dir/result.json" "$(wc -l < "$dir/commits")" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
n = int(sys.argv[2])
for name, label in (("git", "git diff --check C^..C"), ("review", "review lint C^..C     ")):
    x = r[name]
    print(f"{label} x{n}: {x['mean']:.3f} s mean ({x['mean']/n*1000:.1f} ms each), "
          f"{(x['user']+x['system']):.3f} s CPU")
ratio = r["review"]["mean"] / r["git"]["mean"]
print(f"ratio review/git: {ratio:.2f} (goal <= 1.00)")
sys.exit(0 if ratio <= 1.0 else 3)
PY
