"""Run every benchmark and rewrite docs/performance.md with the figures.

    python -m bench [--seconds 8] [--postgres postgresql+asyncpg://postgres@127.0.0.1:5432/db]
                    [--only routes,p2_record]

Each benchmark is its own module (runnable alone) that prints a markdown section last; this
runner runs them one after another in subprocesses, keeps each section, and writes them with
the machine, the date and the command. Sections of benchmarks this run did not run (``--only``,
or modules run by hand such as ``concurrent_writers`` and ``report_editions``) are kept from
the previous file, each with the date and command it states. The analysis that explains the
figures lives in bench/NOTES.md and is appended unchanged.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import platform
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DOC = ROOT / "docs" / "performance.md"
NOTES = Path(__file__).resolve().parent / "NOTES.md"

PREAMBLE = """\
# Performance

Every figure below is a ratio against a yardstick measured **in the same run**, or a scaling
ratio, never a bare time compared across runs: the machines are 2-core and noisy. Server on
CPU 0 (one uvicorn worker), load client on CPU 1 (a raw asyncio keep-alive client in
`bench/load.py`, 32 connections, 1 s warm-up), loopback only. The ceiling is
`bench/ceiling_app.py`: a bare FastAPI endpoint returning a prebuilt 7.8 KB JSON body. No test
asserts a timing; quality targets (the checker's corpus) are asserted by the test suite.

This file is written by `python -m bench` (see the command below); the analysis at the end
comes from `bench/NOTES.md`. A run with `--only` rewrites the sections it ran; the others are
kept from earlier runs (each states its own command, and its date where it was run alone).
"""


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{model}, {os.cpu_count()} cores, {platform.machine()}, Linux {platform.release()}, "
        f"Python {platform.python_version()}"
    )


def section(module: str, *args: str) -> str:
    """Run one benchmark module and return its markdown (from its first heading)."""
    command = [sys.executable, "-m", f"bench.{module}", *args]
    print(f"running {' '.join(command[1:])}", file=sys.stderr)
    done = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=1800)
    out = done.stdout
    heading = re.search(r"^##+ ", out, flags=re.MULTILINE)
    start = heading.start() if heading else -1
    body = out[start:].strip() if start >= 0 else out.strip()
    # 1 means "ran, but a target was missed" only when the section was printed: an uncaught
    # exception also exits with 1, and a section that vanished must say why.
    crashed = done.returncode not in (0, 1) or start < 0 or "Traceback" in done.stderr
    if crashed:
        tail = done.stderr.strip().splitlines()[-8:]
        body = (
            f"### `python -m bench.{module}`\n\n**The benchmark failed to run** "
            f"(exit status {done.returncode}):\n\n```\n" + "\n".join(tail) + "\n```"
        )
        print(f"FAILED: bench.{module}", file=sys.stderr)
    return body


# Sections of modules that no longer exist: their figures are measured elsewhere now.
SUPERSEDED = {"p1_key_points", "readpath"}
_MODULE = re.compile(r"python -m bench\.(\w+)")


def previous_sections(ran: set[str]) -> list[str]:
    """The sections of the current file whose benchmark this run did not run."""
    if not DOC.exists():
        return []
    text = DOC.read_text().split("\n## Analysis", 1)[0]
    chunks = re.split(r"(?m)^(?=#{2,3} )", text)
    kept = []
    for chunk in chunks[1:]:
        heading = chunk.splitlines()[0]
        found = _MODULE.search(chunk)
        module = found.group(1) if found else heading
        if module in ran or module in SUPERSEDED:
            continue
        kept.append(chunk.strip())
    return kept


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--postgres", default=None)
    parser.add_argument("--only", default=None, help="comma-separated modules to run")
    args = parser.parse_args()
    pg = ["--postgres", args.postgres] if args.postgres else []
    secs = ["--seconds", str(args.seconds)]
    plan: list[tuple[str, list[str]]] = [
        ("routes", [*secs, *pg, "--workers-scaling"]),
        ("checker_speed", []),
        ("checker_quality", []),
        ("startup", []),
    ]
    for optional, extra in (
        ("p2_record", secs),
        ("p6_pagination", []),
        ("reports", []),
        ("newsletter_send", pg),
        ("console", secs),
    ):
        if (Path(__file__).parent / f"{optional}.py").exists():
            plan.append((optional, extra))
    if args.only:
        wanted = set(args.only.split(","))
        plan = [(module, extra) for module, extra in plan if module in wanted]
    sections = [section(module, *extra) for module, extra in plan]
    sections += previous_sections({module for module, _ in plan})
    command = "python -m bench " + " ".join(a for a in sys.argv[1:])
    parts = [
        PREAMBLE,
        f"Run: {dt.date.today().isoformat()}. Machine: {machine()}.",
        f"Command: `{command.strip()}`",
        *sections,
    ]
    if NOTES.exists():
        parts.append(NOTES.read_text().strip())
    DOC.write_text("\n\n".join(parts) + "\n")
    print(f"wrote {DOC}", file=sys.stderr)


if __name__ == "__main__":
    main()
