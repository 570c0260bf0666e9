#!/usr/bin/env python3
"""Cold-start time of `review --version` and `review config show` (median of N runs).

Usage: cargo build --release && python3 bench/cold_start.py [RUNS]
Runs inside a fresh one-commit repository so `config show` reads a real repository.
"""
import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = int(sys.argv[1]) if len(sys.argv) > 1 else 31
BIN = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "target", "release", "review")


def median_ms(args, cwd):
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([BIN, *args], cwd=cwd, stdout=subprocess.DEVNULL, check=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000, min(times) * 1000


with tempfile.TemporaryDirectory() as repo:
    env = dict(os.environ, GIT_AUTHOR_NAME="a", GIT_AUTHOR_EMAIL="a@example.com",
               GIT_COMMITTER_NAME="a", GIT_COMMITTER_EMAIL="a@example.com")
    subprocess.run(["git", "init", "-q", "-b", "main", repo], check=True, env=env)
    subprocess.run(["git", "commit", "-q", "--allow-empty", "-m", "init"], cwd=repo, check=True, env=env)
    for args in (["--version"], ["config", "show"]):
        median, best = median_ms(args, repo)
        print(f"review {' '.join(args):<12} median {median:6.2f} ms  min {best:6.2f} ms  ({RUNS} runs)")
