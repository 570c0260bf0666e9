#!/usr/bin/env bash
# Benchmark of `review series --target` x5 against the equivalent git script.
#
# Builds (once, cached under $BENCH_DIR) a repository of 100,000+ commits with `git fast-import`:
# `main` with 100,000 commits over 2,000 files, five long-lived maintenance branches that forked
# from it at different points and have 1,000 commits of their own each, and a 10-commit feature
# branch on top of `main`. Then times, in the same run:
#   review:  review series --target maint-1 ... --target maint-5   (release build)
#   git:     git format-patch main..feature, then per target a temporary worktree and
#            git cherry-pick main..feature in it
# and prints both (best and median), and the ratios. Usage: bench/series.sh [runs]   (default 5)
set -euo pipefail

RUNS=${1:-5}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH_DIR=${BENCH_DIR:-${TMPDIR:-/tmp}/review-bench-series-v2}
REPO=$BENCH_DIR/repo
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=Bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=Bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_AUTHOR_DATE="1700000000 +0000" GIT_COMMITTER_DATE="1700000000 +0000"

(cd "$ROOT" && cargo build --release --quiet)
REVIEW=$ROOT/target/release/review

if [ ! -f "$REPO/.bench-ready" ]; then
  rm -rf "$REPO"
  mkdir -p "$REPO"
  git -C "$REPO" init -q -b main
  echo "building the repository (100,000 commits on main + 5 x 1,000 on maintenance branches)..." >&2
  python3 - <<'PY' | git -C "$REPO" fast-import --quiet
import sys
out = sys.stdout.buffer
FILES = 2000
MAIN = 100_000
FORKS = [80_000, 85_000, 90_000, 95_000, 98_000]
BRANCH_COMMITS = 1_000
mark = 0
t = 1_600_000_000

def path(i):
    return f"src/d{i % 40:02d}/f{i:04d}.txt"

def data(text):
    b = text.encode()
    out.write(b"data %d\n" % len(b))
    out.write(b)
    out.write(b"\n")

def commit(ref, msg, changes, parent=None):
    global mark, t
    mark += 1
    t += 1
    out.write(b"commit %s\nmark :%d\n" % (ref.encode(), mark))
    out.write(b"committer Bench <bench@example.com> %d +0000\n" % t)
    data(msg)
    if parent is not None:
        out.write(b"from :%d\n" % parent)
    for p, content in changes:
        out.write(b"M 100644 inline %s\n" % p.encode())
        data(content)
    return mark

def lines(i, rev):
    # 20 lines per file; revision `rev` changes line rev % 20.
    return "".join(f"file {i} line {k} rev {rev if k == rev % 20 else 0}\n" for k in range(20))

first = commit("refs/heads/main", "initial", [(path(i), lines(i, 0)) for i in range(FILES)])
marks = {1: first}
for n in range(2, MAIN + 1):
    # Files 0-99 are left to the feature branch; main churns the others.
    f = 100 + n % (FILES - 100)
    marks[n] = commit("refs/heads/main", f"main change {n}", [(path(f), lines(f, n))])
for b, fork in enumerate(FORKS, 1):
    parent = marks[fork]
    for k in range(BRANCH_COMMITS):
        f = 100 + (k * 7 + b) % (FILES - 100)
        # maint-5 also edits the feature's first file, so one target conflicts.
        rev = 10_000 + k
        if b == 5 and k == BRANCH_COMMITS - 1:
            f, rev = 0, 10_001  # the line `feature change 0` edits
        parent = commit(f"refs/heads/maint-{b}", f"maint-{b} change {k}",
                        [(path(f), lines(f, rev))], parent)
feature = marks[MAIN]
for k in range(10):
    f = k * 3
    feature = commit("refs/heads/feature", f"feature change {k}", [(path(f), lines(f, k + 1))], feature)
PY
  git -C "$REPO" checkout -q feature
  git -C "$REPO" gc -q
  touch "$REPO/.bench-ready"
fi

echo "repository: $(git -C "$REPO" rev-list --count --all) commits, $(git -C "$REPO" ls-files | wc -l) files" >&2

now() { date +%s.%N; }

time_review() {
  local start end
  start=$(now)
  "$REVIEW" -C "$REPO" series --onto main \
    --target maint-1 --target maint-2 --target maint-3 --target maint-4 --target maint-5 \
    >/dev/null 2>&1 || [ $? -eq 1 ]
  end=$(now)
  echo "$end - $start" | bc -l
}

time_git() {
  local start end tmp
  tmp=$(mktemp -d)
  start=$(now)
  git -C "$REPO" format-patch -q -o "$tmp/patches" main..feature >/dev/null
  for b in 1 2 3 4 5; do
    git -C "$REPO" worktree add -q --detach "$tmp/wt-$b" "maint-$b"
    git -C "$tmp/wt-$b" cherry-pick --keep-redundant-commits main..feature >/dev/null 2>&1 \
      || git -C "$tmp/wt-$b" cherry-pick --abort >/dev/null 2>&1 || true
    git -C "$REPO" worktree remove --force "$tmp/wt-$b"
  done
  end=$(now)
  rm -rf "$tmp"
  echo "$end - $start" | bc -l
}

best() { sort -g | head -1; }

# Both must say the same thing: the verdict and the resulting tree of every target.
check_agreement() {
  local tmp ours theirs=""
  tmp=$(mktemp -d)
  ours=$("$REVIEW" -C "$REPO" series --onto main --format json \
    --target maint-1 --target maint-2 --target maint-3 --target maint-4 --target maint-5 \
    2>/dev/null | python3 -c 'import json,sys; print(" ".join(t.get("tree", t["verdict"]) for t in json.load(sys.stdin)["targets"]))') || true
  for b in 1 2 3 4 5; do
    git -C "$REPO" worktree add -q --detach "$tmp/wt-$b" "maint-$b"
    if git -C "$tmp/wt-$b" cherry-pick --keep-redundant-commits main..feature >/dev/null 2>&1; then
      theirs="$theirs $(git -C "$tmp/wt-$b" rev-parse 'HEAD^{tree}')"
    else
      git -C "$tmp/wt-$b" cherry-pick --abort >/dev/null 2>&1 || true
      theirs="$theirs conflicts"
    fi
    git -C "$REPO" worktree remove --force "$tmp/wt-$b"
  done
  rm -rf "$tmp"
  if [ "$ours" != "${theirs# }" ]; then
    echo "verdicts differ: review: $ours / git: ${theirs# }" >&2
    exit 1
  fi
  echo "verdicts agree: $ours" >&2
}
check_agreement

# One warm-up of each so both start with the same page cache.
time_review >/dev/null
time_git >/dev/null
median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
RT=$(for _ in $(seq "$RUNS"); do time_review; done)
GT=$(for _ in $(seq "$RUNS"); do time_git; done)
R=$(echo "$RT" | best); RM=$(echo "$RT" | median)
G=$(echo "$GT" | best); GM=$(echo "$GT" | median)
printf 'review series --target x5: best %.3f s, median %.3f s (%d runs)\n' "$R" "$RM" "$RUNS"
printf 'git format-patch + cherry-pick x5: best %.3f s, median %.3f s (%d runs)\n' "$G" "$GM" "$RUNS"
printf 'ratio (best): %.1fx faster; ratio (median): %.1fx faster\n' \
  "$(echo "$G / $R" | bc -l)" "$(echo "$GM / $RM" | bc -l)"
