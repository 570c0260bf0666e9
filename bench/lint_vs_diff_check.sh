#!/bin/sh
# Benchmark: `review lint` against `git diff --check` on a series adding 200,000 lines across
# 2,000 files (1 in 20 files has problems), measured in the same run.
#
#   cargo build --release && bench/lint_vs_diff_check.sh [FILES] [LINES_PER_FILE] [RUNS]
#
# Prints the best wall time of each over RUNS interleaved rounds and the mean CPU time, the ratio (review / git; must be <= 1.0) and the
# throughput of `review lint` in MB/s of diff text (`git diff` output size).
set -eu
files=${1:-2000}
lines=${2:-100}
runs=${3:-10}
here=$(cd "$(dirname "$0")/.." && pwd)
review=${REVIEW:-$here/target/release/review}
[ -x "$review" ] || { echo "build first: cargo build --release" >&2; exit 2; }
. "$here/bench/lint_fixture.sh"
diff_bytes=$(git diff "$base"..HEAD | wc -c)
added=$(git diff --numstat "$base"..HEAD | awk '{s += $1} END {print s}')

now() { date +%s.%N; }
# Each round runs both commands back to back, so both see the same machine load; the best
# round of each is kept. CPU time (user + system) is summed over all rounds.
git_t= review_t= git_cpu=0 review_cpu=0
for _ in $(seq 1 "$runs"); do
    for tool in git review; do
        s=$(now)
        if [ "$tool" = git ]; then
            /usr/bin/time -f '%U %S' -o "$work/cpu" git diff --check "$base"..HEAD >/dev/null 2>&1 || true
        else
            /usr/bin/time -f '%U %S' -o "$work/cpu" "$review" lint "$base"..HEAD >/dev/null 2>&1 || true
        fi
        t=$(echo "$(now) - $s" | bc -l)
        cpu=$(tail -n 1 "$work/cpu" | awk '{print $1 + $2}')
        if [ "$tool" = git ]; then
            git_cpu=$(echo "$git_cpu + $cpu" | bc -l)
            if [ -z "$git_t" ] || [ "$(echo "$t < $git_t" | bc -l)" = 1 ]; then git_t=$t; fi
        else
            review_cpu=$(echo "$review_cpu + $cpu" | bc -l)
            if [ -z "$review_t" ] || [ "$(echo "$t < $review_t" | bc -l)" = 1 ]; then review_t=$t; fi
        fi
    done
done
findings=$("$review" lint "$base"..HEAD 2>/dev/null | wc -l || true)
ratio=$(echo "$review_t / $git_t" | bc -l)
mbps=$(echo "$diff_bytes / 1000000 / $review_t" | bc -l)
printf 'series: %s files, %s added lines, %s bytes of diff text, %s findings\n' \
    "$((files + 50))" "$added" "$diff_bytes" "$findings"
printf 'git diff --check: %.3f s wall (best of %s rounds), %.3f s CPU per run\n' "$git_t" "$runs" "$(echo "$git_cpu / $runs" | bc -l)"
printf 'review lint:      %.3f s wall (best of %s rounds), %.3f s CPU per run\n' "$review_t" "$runs" "$(echo "$review_cpu / $runs" | bc -l)"
printf 'ratio review/git: %.2f wall (must be <= 1.0), %.2f CPU\n' "$ratio" "$(echo "$review_cpu / $git_cpu" | bc -l)"
printf 'throughput:       %.1f MB/s of diff text\n' "$mbps"
[ "$(echo "$ratio <= 1.0" | bc -l)" = 1 ]
