#!/bin/sh
# NEWS rules against blurb on a real history: every file ever added under Misc/NEWS.d/next/ in
# REPO (its content as added), judged by blurb (tests/it/data/blurb_judge.py) and by
# `review lint --config lint.preset=cpython` (NEWS-PATH, NEWS-BODY).
#
#   cargo build --release && bench/news_vs_blurb.sh REPO [REV]
#
# Needs blurb importable by `python3` (./test.sh's venv has it). Prints the count judged, the
# count agreeing, and each disagreement.
set -eu
repo=$(cd "$1" && pwd)
rev=${2:-HEAD}
here=$(cd "$(dirname "$0")/.." && pwd)
review=${REVIEW:-$here/target/release/review}
[ -x "$review" ] || { echo "build first: cargo build --release" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
git init -q -b main "$work/r"
git -C "$work/r" commit -q --allow-empty -m base
# Each path with the blob of the commit that first added it (oldest first, so the first wins).
git -C "$repo" log --reverse --diff-filter=A --raw --no-abbrev --format= "$rev" -- Misc/NEWS.d/next/ |
    awk -F'\t' '{ split($1, m, " "); if (!($2 in seen)) { seen[$2] = 1; print m[4] "\t" $2 } }' |
    grep -v '/README\.rst$' > "$work/added"
while IFS="$(printf '\t')" read -r blob path; do
    mkdir -p "$work/r/$(dirname "$path")"
    git -C "$repo" cat-file blob "$blob" > "$work/r/$path"
done < "$work/added"
git -C "$work/r" add -A
git -C "$work/r" commit -q -m "every entry" --no-verify
cut -f2 "$work/added" | sort > "$work/paths"
python3 "$here/tests/it/data/blurb_judge.py" "$work/r" < "$work/paths" | sort -k2 > "$work/blurb"
"$review" -C "$work/r" --config lint.preset=cpython lint --format json main~1..main > "$work/json" || true
python3 - "$work/json" "$work/paths" > "$work/review" <<'PY'
import json, sys
report = json.load(open(sys.argv[1]))
bad = {f["path"] for f in report["findings"] if f["rule"] in ("NEWS-PATH", "NEWS-BODY")}
for path in open(sys.argv[2]).read().splitlines():
    print("bad" if path in bad else "ok", path)
PY
sort -k2 "$work/review" -o "$work/review"
total=$(wc -l < "$work/paths")
agree=$(paste -d'\n' "$work/blurb" "$work/review" | paste - - | awk -F'\t' '$1 == $2' | wc -l)
echo "entries: $total, blurb accepts: $(grep -c '^ok ' "$work/blurb" || true), review accepts: $(grep -c '^ok ' "$work/review" || true), agreeing: $agree"
paste -d'\t' "$work/blurb" "$work/review" | awk -F'\t' '$1 != $2 { print "blurb " $1 " | review " $2 }'
