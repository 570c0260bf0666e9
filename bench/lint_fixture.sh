# Sourced by the lint benchmarks: builds, in a new temporary directory $work (removed on exit),
# the repository `repo` (cwd on return) with `main` and the series `topic`: $files new files of
# $lines lines (1 in 20 with problems) and 50 touched files; sets $base.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export GIT_CONFIG_NOSYSTEM=1 GIT_CONFIG_GLOBAL=/dev/null
export GIT_AUTHOR_NAME=bench GIT_AUTHOR_EMAIL=bench@example.com
export GIT_COMMITTER_NAME=bench GIT_COMMITTER_EMAIL=bench@example.com
cd "$work"
git init -q -b main repo
cd repo
mkdir -p base
for i in $(seq 1 50); do
    printf 'existing line %s\n' $(seq 1 20) > "base/f$i.txt"
done
git add -A && git commit -qm base
git checkout -qb topic
python3 - "$files" "$lines" <<'PY'
import os, sys
files, lines = int(sys.argv[1]), int(sys.argv[2])
for f in range(files):
    d = f"pkg{f % 40}"
    os.makedirs(d, exist_ok=True)
    out = []
    for l in range(lines):
        text = f"    value_{f}_{l} = compute({l}, {f}) + offset  # a comment of some length"
        if f % 20 == 0 and l % 25 == 0:
            text += "  "          # trailing whitespace
        if f % 20 == 1 and l == 3:
            text = "\t" + text    # a TAB in the indentation
        out.append(text + "\n")
    with open(f"{d}/mod_{f}.py", "w") as fh:
        fh.writelines(out)
PY
git add -A && git commit -qm "add $files files"
for i in $(seq 1 50); do printf 'changed line \n' >> "base/f$i.txt"; done
git commit -qam "touch existing files"
base=$(git merge-base HEAD main)
