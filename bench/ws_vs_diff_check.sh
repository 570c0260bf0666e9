#!/bin/sh
# Whitespace findings against `git diff --check` on a real history: for each of the last N
# non-merge commits of REPO, the lines `git diff --check C^ C` flags and the lines
# `review lint --config lint.preset=cpython C^..C` flags with WS-* or CONFLICT.
#
#   cargo build --release && bench/ws_vs_diff_check.sh REPO [N] [REV]
#
# Prints the commits where either tool flags something, how many of those agree line for line,
# and the lines only one tool flags, by rule (git's kinds, or review's rule ids), with the
# files that contribute most. Details stay in $KEEP when it is set.
set -eu
repo=$(cd "$1" && pwd)
n=${2:-4000}
rev=${3:-HEAD}
here=$(cd "$(dirname "$0")/.." && pwd)
review=${REVIEW:-$here/target/release/review}
[ -x "$review" ] || { echo "build first: cargo build --release" >&2; exit 2; }
work=${KEEP:-$(mktemp -d)}
mkdir -p "$work"
[ -n "${KEEP:-}" ] || trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
: > "$work/git"
mkdir -p "$work/json"
git -C "$repo" rev-list --no-merges -n "$n" "$rev" > "$work/commits"
while read -r c; do
    git -C "$repo" diff --check "$c^" "$c" 2>/dev/null |
        sed -n "s|^\(.*\):\([0-9][0-9]*\): \(.*\)\.\$|$c\t\1:\2\t\3|p" >> "$work/git" || true
    "$review" -C "$repo" -qq --config lint.preset=cpython lint --skip-news --format json "$c^..$c" \
        > "$work/json/$c" 2>/dev/null || true
done < "$work/commits"
python3 - "$work" <<'PY'
import collections, json, sys
work = sys.argv[1]
with open(f"{work}/review", "w") as out:
    for c in open(f"{work}/commits").read().split():
        try:
            report = json.load(open(f"{work}/json/{c}"))
        except ValueError:
            continue
        for f in report["findings"]:
            if f["rule"].startswith("WS-") or f["rule"] == "CONFLICT":
                line = 0 if f["rule"] == "WS-EOL" else f["line"]
                print(c, f"{f['path']}:{line}", f["rule"], sep="\t", file=out)
def load(name):
    out = collections.defaultdict(dict)
    for line in open(f"{work}/{name}"):
        c, where, kind = line.rstrip("\n").split("\t")
        out[c].setdefault(where, kind)
    return out
git, review = load("git"), load("review")
commits = [c for c in open(f"{work}/commits").read().split() if git.get(c) or review.get(c)]
agree = sum(1 for c in commits if set(git.get(c, {})) == set(review.get(c, {})))
only_git, only_review = collections.Counter(), collections.Counter()
files = collections.Counter()
for c in commits:
    g, r = git.get(c, {}), review.get(c, {})
    for w in set(g) - set(r):
        only_git[g[w]] += 1
    for w in set(r) - set(g):
        only_review[r[w]] += 1
        files[(r[w], w.rsplit(":", 1)[0])] += 1
print(f"commits: {len(open(f'{work}/commits').read().split())}, flagged by either: {len(commits)}, agreeing line for line: {agree}")
print("lines only git flags:", dict(only_git.most_common()))
print("lines only review flags:", dict(only_review.most_common()))
print("files most flagged by review alone:", [f"{k[0]} {k[1]}: {v}" for k, v in files.most_common(8)])
PY
