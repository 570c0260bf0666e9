#!/usr/bin/env bash
# Benchmark of `review series` against three maintenance branches that diverged long ago, the
# shape of CPython's 3.x branches: deciding `already-merged` must not cost a walk with a diff of
# every target commit.
#
# Builds (once, cached under $BENCH_DIR) with `git fast-import`:
#   main     100,000 commits over 3,000 files in 60 directories (1-3 files each)
#   maint-a  forked 3,000 commits before main's tip, maint-b 2,000, maint-c 1,000; each
#            receives as many commits as main did since its fork, every one touching 8-24
#            files; one in 25 is a backport of a main commit, one in 40 edits the series'
#            files far from the series' lines
#   feature  3 commits on main's tip, each changing one file in a different directory
# The series is backported to maint-a (early, so the walk must go deep: already-merged),
# two of its three commits to maint-b whose own change conflicts with the third (the walk
# finds only two: conflicts), and not at all to maint-c (applies).
#
# Before timing, each target's verdict is checked against `git cherry <target> feature`
# (`already-merged` exactly when cherry marks every commit `-`). Then times
#   review series --onto main --target maint-a --target maint-b --target maint-c
# and prints best and median wall time against the goal (median < 150 ms).
#
#   bench/series_diverged.sh [RUNS]   (default 15)
set -euo pipefail

RUNS=${1:-15}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/review-bench-series-diverged-v1}
REPO=$BENCH_DIR/repo
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"

REVIEW=${REVIEW:-$ROOT/target/release/review}
[ -x "$REVIEW" ] || { echo "build first: cargo build --release" >&2; exit 2; }

if [ ! -f "$REPO/.bench-ready" ]; then
  rm -rf "$REPO"
  mkdir -p "$REPO"
  git -C "$REPO" init -q -b main
  echo "building the repository (100,000 commits on main, 6,000 on 3 maintenance branches)..." >&2
  python3 - <<'PY' | git -C "$REPO" fast-import --quiet
import sys
out = sys.stdout.buffer
FILES, DIRS, LINES = 3000, 60, 60
MAIN = 100_000
FORKS = {"maint-a": MAIN - 3000, "maint-b": MAIN - 2000, "maint-c": MAIN - 1000}
SERIES_FILES = [0, 1, 2]          # never touched by main: backports keep their patch-ids
SERIES_LINE = 5                   # the line the series changes; maint edits line 50
mark, t = 0, 1_600_000_000

def path(i):
    return f"Lib/d{i % DIRS:02d}/f{i:04d}.py"

def content(i, revs):
    return "".join(f"def f_{i}_{k}(): return {revs.get(k, 0)}\n" for k in range(LINES)).encode()

def commit(ref, msg, changes, parent=None):
    """changes: {file: revs}; returns the new mark."""
    global mark, t
    mark += 1
    t += 1
    out.write(b"commit %s\nmark :%d\ncommitter Bench <bench@example.com> %d +0000\n"
              % (ref.encode(), mark, t))
    m = msg.encode()
    out.write(b"data %d\n%s\n" % (len(m), m))
    if parent is not None:
        out.write(b"from :%d\n" % parent)
    for f, revs in changes.items():
        c = content(f, revs)
        out.write(b"M 100644 inline %s\ndata %d\n%s\n" % (path(f).encode(), len(c), c))
    return mark

# State is {file: {line: rev}} for files that differ from the initial content.
state = {}
def change(st, f, line, rev):
    revs = dict(st.get(f, {}))
    revs[line] = rev
    st[f] = revs
    return revs

marks = {1: commit("refs/heads/main", "initial", {f: {} for f in range(FILES)})}
fork_state, main_changes = {}, {}
for n in range(2, MAIN + 1):
    k = 1 + n % 3
    changes, edits = {}, []
    for j in range(k):
        f, line = 100 + (n * 7 + j * 131) % (FILES - 100), (n + j) % LINES
        changes[f] = change(state, f, line, n)
        edits.append((f, line, n))
    main_changes[n] = edits
    marks[n] = commit("refs/heads/main", f"main change {n}", changes)
    for name, fork in FORKS.items():
        if fork == n:
            fork_state[name] = {f: dict(r) for f, r in state.items()}

series = [(f, 1000 + i) for i, f in enumerate(SERIES_FILES)]
backports = {"maint-a": {150: [0], 300: [1], 450: [2]}, "maint-b": {100: [0], 700: [1]}}
for b, (name, fork) in enumerate(FORKS.items()):
    st, parent = fork_state[name], marks[fork]
    for k in range(MAIN - fork):
        changes, msg = {}, f"{name} change {k}"
        for s in backports.get(name, {}).get(k, []):
            f, rev = series[s]
            changes[f] = change(st, f, SERIES_LINE, rev)
            msg = f"[{name}] backport of feature change {s}"
        if not changes:
            if k % 25 == 0:
                # A backport of a main commit made after the fork.
                n = fork + 1 + (k * 13) % (MAIN - fork)
                for f, line, rev in main_changes[n]:
                    changes[f] = change(st, f, line, rev)
                msg = f"[{name}] backport of main change {n}"
            else:
                for j in range(8 + (k * 5 + b) % 17):
                    f = 100 + (k * 37 + j * 97 + b * 11) % (FILES - 100)
                    changes[f] = change(st, f, (k + j) % LINES, 20_000 + k)
                if k % 40 == 7:
                    f = SERIES_FILES[k % 3]
                    changes[f] = change(st, f, 50, 30_000 + k)
        if name == "maint-b" and k == MAIN - fork - 10:
            # maint-b's own fix on the third series line: the third commit conflicts.
            f = series[2][0]
            changes[f] = change(st, f, SERIES_LINE, 40_000)
        parent = commit(f"refs/heads/{name}", msg, changes, parent)

head = marks[MAIN]
for s, (f, rev) in enumerate(series):
    head = commit("refs/heads/feature", f"feature change {s}", {f: change(state, f, SERIES_LINE, rev)}, head)
PY
  git -C "$REPO" checkout -q feature
  git -C "$REPO" gc -q
  touch "$REPO/.bench-ready"
fi

echo "repository: $(git -C "$REPO" rev-list --count --all) commits, $(git -C "$REPO" ls-files | wc -l) files;" \
  "diverged: $(for b in a b c; do printf 'maint-%s %s/%s  ' $b \
    "$(git -C "$REPO" rev-list --count main..maint-$b)" "$(git -C "$REPO" rev-list --count maint-$b..main)"; done)" >&2

TARGETS=(--target maint-a --target maint-b --target maint-c)

# `already-merged` exactly when `git cherry` finds every commit of the series on the target.
ours=$("$REVIEW" -C "$REPO" series --onto main --format json "${TARGETS[@]}" 2>/dev/null \
  | python3 -c 'import json,sys; print(" ".join(t["verdict"] for t in json.load(sys.stdin)["targets"]))') || true
theirs=""
for b in a b c; do
  if git -C "$REPO" cherry "maint-$b" feature main | grep -q '^+'; then
    theirs="$theirs not-merged($(git -C "$REPO" cherry "maint-$b" feature main | tr -d '\n' | tr -cd '+-'))"
  else
    theirs="$theirs already-merged"
  fi
done
echo "review: $ours" >&2
echo "git cherry:$theirs" >&2
i=0
for v in $ours; do
  i=$((i + 1))
  c=$(echo "$theirs" | awk -v i="$i" '{print $i}')
  if { [ "$v" = already-merged ] && [ "$c" != already-merged ]; } \
    || { [ "$v" != already-merged ] && [ "$c" = already-merged ]; }; then
    echo "verdicts differ on target $i: review $v, git cherry $c" >&2
    exit 1
  fi
done
[ "$i" = 3 ] || { echo "expected 3 verdicts, got: $ours" >&2; exit 1; }
echo "verdicts agree with git cherry" >&2

# hyperfine without a shell (-N): a `date` before and after each run would add two forks.
command -v hyperfine >/dev/null || { echo "needs hyperfine (apt-get install hyperfine)" >&2; exit 2; }
RESULT=$BENCH_DIR/result.json
# Exit 1 is the verdict `conflicts` (maint-b), not a failure.
hyperfine -N --warmup 1 --runs "$RUNS" -i --export-json "$RESULT" \
  "$REVIEW -C $REPO series --onto main ${TARGETS[*]}" >/dev/null 2>&1
python3 - "$RESULT" "$RUNS" <<'PY'
import json, statistics, sys
r = json.load(open(sys.argv[1]))["results"][0]
codes = set(r["exit_codes"])
if not codes <= {0, 1}:
    sys.exit(f"review series exited with {sorted(codes)}")
best, median = min(r["times"]) * 1000, statistics.median(r["times"]) * 1000
print(f"review series --target x3 (diverged 3,000/2,000/1,000): best {best:.1f} ms, "
      f"median {median:.1f} ms ({sys.argv[2]} runs; goal: median < 150 ms)")
sys.exit(0 if median < 150 else 3)
PY
