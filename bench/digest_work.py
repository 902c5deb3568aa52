"""The digest's doubling ratio in instructions, not seconds: ``python -m bench.digest_work``

``bench.reports`` times the digest (builder plus HTML renderer) at 100 and 200 sessions of 30
points; on a 2-core machine shared with anything else the ratio of the two times moves by
+-0.1 between runs of the same code, more than the gap between 2.0 and the figures measured.
This counts instead the instructions one build-and-render executes, under valgrind's
callgrind (repeatable for the same interpreter and inputs, whatever else the machine does):
each size runs in two processes, doing the work once and three times after a warm-up, and the
difference of their totals divided by two is the work of one digest, free of start-up and
set-up costs. Then the same with CPython's cyclic garbage collector disabled, which tells
the builder's and renderer's own work from the collector's.

    python -m bench.digest_work [--languages en,fa-AF] [--sessions 100]

Needs valgrind (Debian's package). Prints one markdown table.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys

_WORKER = """
import gc, sys
from bench.reports import digest_source
from bench.report_editions import digest_edition
from app.reports.builder import build_digest
from app.reports.render.html import render_html
tag, n, k, collect = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "1"
if not collect:
    gc.disable()
source = digest_source(n, 30)
edition = digest_edition(tag, source)
render_html(build_digest(source, edition))
for _ in range(k):
    render_html(build_digest(source, edition))
"""


def instructions(tag: str, sessions: int, repeats: int, collect: bool) -> int:
    run = subprocess.run(
        [
            "valgrind",
            "--tool=callgrind",
            "--callgrind-out-file=/dev/null",
            sys.executable,
            "-c",
            _WORKER,
            tag,
            str(sessions),
            str(repeats),
            "1" if collect else "0",
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    found = re.search(r"Collected : (\d+)", run.stderr)
    if found is None:
        raise SystemExit(f"callgrind printed no total:\n{run.stderr[-2000:]}")
    return int(found.group(1))


def per_digest(tag: str, sessions: int, collect: bool) -> float:
    return (instructions(tag, sessions, 3, collect) - instructions(tag, sessions, 1, collect)) / 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--languages", default="en,fa-AF,ps,ar")
    parser.add_argument("--sessions", type=int, default=100)
    args = parser.parse_args()
    if shutil.which("valgrind") is None:
        raise SystemExit("valgrind is not installed (apt-get install valgrind)")
    n = args.sessions
    print(
        f"| language | collector | instructions, {n} sessions | {2 * n} sessions | ratio |\n"
        "|---|---|---:|---:|---:|"
    )
    for tag in args.languages.split(","):
        for collect in (True, False):
            small, large = per_digest(tag, n, collect), per_digest(tag, 2 * n, collect)
            label = "on (as served)" if collect else "off"
            print(
                f"| {tag} | {label} | {small / 1e6:,.1f} M | {large / 1e6:,.1f} M | "
                f"{large / small:.3f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
