#!/usr/bin/env python3
"""Times commands interleaved: run 1 of each, then run 2 of each, ... so that a change in the
machine's load hits every command alike (hyperfine runs one command's batch after another's).
Prints each command's median and mean wall time and its ratio to the first command's median.

    bench/interleave.py [--json FILE] RUNS -- CMD-A ARGS... -- CMD-B ARGS... [-- CMD-C ARGS...]

--json FILE also writes every command's times: [{"command": [...], "median": s, "mean": s,
"times": [s, ...]}, ...] (seconds). e.g. two builds of review against git on one commit:
    bench/interleave.py 300 -- git diff --check C^ C -- ./old lint C^..C -- ./new lint C^..C
"""
import json
import os
import statistics
import sys
import time


def main():
    args = sys.argv[1:]
    json_path = None
    if args[:1] == ["--json"] and len(args) > 1:
        json_path, args = args[1], args[2:]
    if len(args) < 3 or args[1] != "--":
        sys.exit(__doc__)
    runs = int(args[0])
    commands, current = [], []
    for arg in args[2:]:
        if arg == "--":
            commands.append(current)
            current = []
        else:
            current.append(arg)
    commands.append(current)
    if any(not c for c in commands):
        sys.exit("an empty command between two `--`")
    devnull = os.open(os.devnull, os.O_WRONLY)
    quiet = [(os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
    times = [[] for _ in commands]
    for _ in range(runs):
        for command, taken in zip(commands, times):
            start = time.perf_counter()
            pid = os.posix_spawnp(command[0], command, os.environ, file_actions=quiet)
            os.waitpid(pid, 0)
            taken.append(time.perf_counter() - start)
    base = statistics.median(times[0])
    for command, taken in zip(commands, times):
        median = statistics.median(taken)
        print(f"{median * 1000:9.3f} ms median {statistics.mean(taken) * 1000:9.3f} ms mean "
              f"x{median / base:.3f}  {' '.join(command)}")
    if json_path:
        with open(json_path, "w") as out:
            json.dump([{"command": c, "median": statistics.median(t), "mean": statistics.mean(t),
                        "times": t} for c, t in zip(commands, times)], out, indent=1)


if __name__ == "__main__":
    main()
