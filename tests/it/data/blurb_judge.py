"""blurb's verdict on NEWS entry files: the oracle for tests/it/news.rs and bench/news_vs_blurb.sh.

    python3 blurb_judge.py ROOT < paths

ROOT is a checkout; each line of stdin a path under ROOT/Misc/NEWS.d/next/. Prints one line per
path: `ok PATH` when blurb reads it as an entry (the way `blurb merge` finds and loads "next"
files), `bad PATH` otherwise. Needs blurb from PyPI (./test.sh installs it).
"""
import os
import sys

from blurb._blurb_file import Blurbs
from blurb._utils.globs import glob_blurbs


def main() -> None:
    root = sys.argv[1]
    os.chdir(root)
    # The files blurb itself would merge: its own glob over its own section directories.
    found = set(glob_blurbs("next"))
    for line in sys.stdin:
        path = line.rstrip("\n")
        if not path:
            continue
        verdict = "bad"
        if path in found:
            try:
                Blurbs().load_next(path)
                verdict = "ok"
            # blurb reports bad names with assert and bad text with BlurbError.
            except (AssertionError, RuntimeError, UnicodeDecodeError, ValueError):
                pass
        print(verdict, path)


main()
