#!/bin/sh
# Benchmark: every form of `review lint` against `git diff --check` on a series adding 200,000
# lines across 2,000 files (1 in 20 files has problems), first as a fresh series is stored
# (loose objects), then packed (`git gc`). Each phase times all commands in one hyperfine run:
#   git diff --check <base>..HEAD
#   review lint                      (default range: the series against `main`)
#   review lint <base>..HEAD         (explicit range)
#   review lint --pre-push           (git's line for a new branch on stdin)
# and prints each form's ratio to `git diff --check` (mean wall time; goal <= 0.50).
#
#   cargo build --release && bench/lint_forms.sh [FILES] [LINES_PER_FILE] [RUNS]
set -eu
files=${1:-2000}
lines=${2:-100}
runs=${3:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
review=${REVIEW:-$here/target/release/review}
[ -x "$review" ] || { echo "build first: cargo build --release" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
. "$here/bench/lint_fixture.sh"
tip=$(git rev-parse HEAD)
added=$(git diff --numstat "$base"..HEAD | awk '{s += $1} END {print s}')
printf 'refs/heads/topic %s refs/heads/topic %s\n' "$tip" 0000000000000000000000000000000000000000 > "$work/push"

# All forms must report the same findings before anything is timed.
expect=$("$review" lint "$base"..HEAD 2>/dev/null | wc -l || true)
for form in "" "--pre-push"; do
    got=$("$review" lint $form < "$work/push" 2>/dev/null | wc -l || true)
    [ "$got" = "$expect" ] || { echo "review lint $form: $got findings, explicit range: $expect" >&2; exit 1; }
done
printf 'series: %s files, %s added lines, %s findings in every form\n' "$((files + 50))" "$added" "$expect"

phase() {
    printf '\n== %s: %s loose objects, %s packs\n' "$1" \
        "$(find .git/objects -type f -path '*/[0-9a-f][0-9a-f]/*' | wc -l)" \
        "$(find .git/objects/pack -name '*.pack' | wc -l)"
    hyperfine --style basic --warmup 2 --runs "$runs" -i --export-json "$work/$1.json" \
        -n git "git diff --check $base..HEAD" \
        -n default "$review lint" \
        -n explicit "$review lint $base..HEAD" \
        -n pre-push "$review lint --pre-push < $work/push" >"$work/$1.log" 2>&1 \
        || { cat "$work/$1.log" >&2; exit 1; }
    python3 - "$work/$1.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
git = r["git"]
print(f"git diff --check:   {git['mean']*1000:7.1f} ms mean, {git['median']*1000:7.1f} ms median, "
      f"{(git['user']+git['system'])*1000:7.1f} ms CPU")
ok = True
for form in ("default", "explicit", "pre-push"):
    x = r[form]
    ratio = x["mean"] / git["mean"]
    ok &= ratio <= 0.5
    print(f"review lint {form:9s}{x['mean']*1000:7.1f} ms mean, {x['median']*1000:7.1f} ms median, "
          f"{(x['user']+x['system'])*1000:7.1f} ms CPU, ratio {ratio:.2f} (goal <= 0.50)")
sys.exit(0 if ok else 3)
PY
}
status=0
phase loose || status=$?
git gc -q
phase packed || status=$?
exit $status
