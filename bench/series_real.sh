#!/usr/bin/env bash
# `review series` on a real history: the series checked out in REPO against maintenance
# branches, each verdict checked against `git cherry` first (`already-merged` exactly when no
# commit is marked `+`), then timed with hyperfine.
#
#   bench/series_real.sh REPO ONTO TARGET... [-- RUNS]
#
# The figures in bench/README.md: a local clone of CPython's history (101,235 commits on
# master) with `topic` = master's last 3 commits checked out, `master` 3 commits back (no
# upstream), and local branches 3.7, 3.6 and 3.5:
#   bench/series_real.sh /tmp/cpy master 3.7 3.6 3.5
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
REVIEW=${REVIEW:-$ROOT/target/release/review}
[ -x "$REVIEW" ] || { echo "build first: cargo build --release" >&2; exit 2; }
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
[ $# -ge 3 ] || { echo "usage: $0 REPO ONTO TARGET... [-- RUNS]" >&2; exit 2; }
REPO=$1 ONTO=$2
shift 2
TARGETS=() RUNS=15
while [ $# -gt 0 ]; do
  if [ "$1" = -- ]; then RUNS=$2; break; fi
  TARGETS+=(--target "$1")
  shift
done

ours=$("$REVIEW" -C "$REPO" series --onto "$ONTO" --format json "${TARGETS[@]}" 2>/dev/null \
  | python3 -c 'import json,sys; print(" ".join(t["verdict"] for t in json.load(sys.stdin)["targets"]))') || true
i=0
for v in $ours; do
  t=${TARGETS[$((i * 2 + 1))]}
  i=$((i + 1))
  marks=$(git -C "$REPO" cherry "$t" HEAD "$ONTO" | cut -c1 | tr -d '\n')
  case "$marks" in *+*) merged=no ;; *) merged=yes ;; esac
  echo "$t: review $v, git cherry $marks" >&2
  if { [ "$v" = already-merged ] && [ $merged = no ]; } || { [ "$v" != already-merged ] && [ $merged = yes ]; }; then
    echo "verdicts differ on $t" >&2
    exit 1
  fi
done
[ "$i" = $((${#TARGETS[@]} / 2)) ] || { echo "expected $((${#TARGETS[@]} / 2)) verdicts, got: $ours" >&2; exit 1; }
echo "verdicts agree with git cherry" >&2
out=$(mktemp)
trap 'rm -f "$out"' EXIT
hyperfine -N --style basic --warmup 2 --runs "$RUNS" -i --export-json "$out" \
  "$REVIEW -C $REPO series --onto $ONTO ${TARGETS[*]}" >/dev/null 2>&1
python3 - "$out" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"review series: median {r['median']*1000:.1f} ms, mean {r['mean']*1000:.1f} ms, "
      f"best {r['min']*1000:.1f} ms, CPU {(r['user']+r['system'])*1000:.1f} ms "
      f"({len(r['times'])} runs; goal: median < 150 ms)")
sys.exit(0 if r["median"] < 0.150 else 3)
PY
