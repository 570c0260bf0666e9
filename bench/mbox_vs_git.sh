#!/bin/sh
# The mbox of `review series --mbox` against `git format-patch --stdout`, commit by commit, over
# the last N non-merge commits of a repository (first parent only, newest first).
#
#   cargo build --release && bench/mbox_vs_git.sh REPO N [--no-stat]
#
# REPO is a repository (bare or not; it is only read: a temporary worktree with no checkout holds
# HEAD and a temporary branch). For each commit C, `review series --mbox --onto <C^>` with HEAD at
# C is compared with `git format-patch --stdout -1 C`, both with `--no-stat` when given and the
# same signature. Binary payloads aside: the lines of a `GIT binary patch` section (the
# `literal`/`delta` lines and the base85 data, which depend on the zlib stream) are replaced by
# one placeholder line in both mboxes before comparing; everything else must be byte-identical.
# Then our mbox is applied with `git am --keep-cr` on C^ (the paths C touches, in a scratch
# repository) and the result must be C's version of them: this covers the binary payloads.
#
# Prints one line per commit that differs (`DIFF <id>` and the first differing lines) or does
# not apply (`FAIL <id>`), then the totals. REVIEW overrides the binary, REV the starting
# revision (default HEAD).
set -eu
[ $# -ge 2 ] || { echo "usage: $0 REPO N [--no-stat]" >&2; exit 2; }
repo=$(cd "$1" && git rev-parse --absolute-git-dir)
n=$2
stat=${3:-}
here=$(cd "$(dirname "$0")/.." && pwd)
review=${REVIEW:-$here/target/release/review}
[ -x "$review" ] || review=$here/target/debug/review
[ -x "$review" ] || { echo "build first: cargo build --release" >&2; exit 2; }
version=$("$review" --version | sed 's/^review //')
work=$(mktemp -d)
base_ref=refs/heads/mbox-vs-git-base-$$
cleanup() {
    git --git-dir="$repo" worktree remove --force "$work/series" >/dev/null 2>&1 || true
    git --git-dir="$repo" update-ref -d "$base_ref" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null LC_ALL=C GIT_LITERAL_PATHSPECS=1
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
# The series worktree never checks files out: review reads commits, not files (the uncommitted
# changes warning it prints is discarded).
git --git-dir="$repo" worktree add -q --no-checkout --detach "$work/series" HEAD

# Replaces each `GIT binary patch` section (up to the next `diff --git` or signature line) by
# one line.
mask() {
    awk '/^GIT binary patch$/ { print "GIT binary patch <payload>"; skip = 1; next }
         skip && (/^diff --git / || /^-- $/) { skip = 0 }
         !skip' "$1"
}

total=0 same=0 applied=0 skipped=0
for c in $(git --git-dir="$repo" rev-list --no-merges --first-parent -n "$n" "${REV:-HEAD}"); do
    parent=$(git --git-dir="$repo" rev-parse --verify -q "$c^" || true)
    [ -n "$parent" ] || continue
    total=$((total + 1))
    if ! git --git-dir="$repo" format-patch --stdout $stat "--signature=review $version" -1 "$c" \
        >"$work/git" 2>"$work/err"; then
        # A snapshot without some blobs: neither side can be made.
        echo "SKIP $c git format-patch: $(head -1 "$work/err")"
        total=$((total - 1)) skipped=$((skipped + 1))
        continue
    fi
    git --git-dir="$repo" update-ref "$base_ref" "$parent"
    git -C "$work/series" update-ref --no-deref HEAD "$c"
    (cd "$work/series" && "$review" series --mbox $stat --onto "${base_ref#refs/heads/}") \
        >"$work/ours" 2>"$work/err" || { echo "FAIL $c review: $(head -3 "$work/err")"; continue; }
    mask "$work/ours" >"$work/ours.masked"
    mask "$work/git" >"$work/git.masked"
    if cmp -s "$work/ours.masked" "$work/git.masked"; then
        same=$((same + 1))
    else
        echo "DIFF $c"
        diff "$work/git.masked" "$work/ours.masked" | head -${DIFF_LINES:-8} | sed 's/^/    /'
    fi
    # git am runs in a scratch repository (borrowing the objects) whose first commit holds the
    # parent's version of the paths the commit touches, and only them: a snapshot may lack the
    # blobs of its largest files, which a whole tree would need, and untouched paths cannot
    # change. The result must be the commit's version of those paths (ids and modes).
    rm -rf "$work/am"
    git init -q "$work/am"
    echo "$repo/objects" >"$work/am/.git/objects/info/alternates"
    git --git-dir="$repo" diff-tree -z --no-commit-id --name-only -r "$c" >"$work/paths"
    xargs -0 -r git --git-dir="$repo" ls-tree -r "$parent" -- <"$work/paths" |
        git -C "$work/am" update-index --index-info
    xargs -0 -r git --git-dir="$repo" ls-tree -r "$c" -- <"$work/paths" >"$work/expected"
    if git -C "$work/am" checkout-index -a -f 2>"$work/err" &&
        git -C "$work/am" commit -q --allow-empty -m base 2>>"$work/err" &&
        git -C "$work/am" am -q --keep-cr --empty=keep "$work/ours" >/dev/null 2>>"$work/err" &&
        git -C "$work/am" ls-tree -r HEAD >"$work/actual" &&
        cmp -s "$work/expected" "$work/actual"; then
        applied=$((applied + 1))
    else
        echo "FAIL $c: git am does not give the commit's tree $(head -1 "$work/err")"
    fi
done
echo "commits: $total (skipped: $skipped)  byte-identical (binary payloads aside): $same  applied by git am to the commit's tree: $applied"
[ "$same" -eq "$total" ] && [ "$applied" -eq "$total" ]
