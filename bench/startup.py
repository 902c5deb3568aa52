"""P7: `track2 serve` answers /healthz within 2 s of starting on the embedded default.

    python -m bench.startup [--runs 5]

Each run starts `track2 serve` in a fresh empty directory (so the first run also creates and
migrates the SQLite file) and polls /healthz every 10 ms on loopback.

Bytecode is compiled first (``compileall`` over app/ and migrations/), as ``pip install`` does
for an installed package and as the first start of an editable install does when Python may
write ``__pycache__``. One more start, reported for information only, runs with an empty
bytecode cache (``PYTHONPYCACHEPREFIX`` pointing at an empty directory, nothing written): what
a machine with ``PYTHONDONTWRITEBYTECODE=1`` and an editable install pays on every start.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from bench.harness import free_port

TARGET_S = 2.0


ROOT = Path(__file__).resolve().parent.parent


def one_start(workdir: Path, *, extra_env: dict[str, str] | None = None) -> float:
    port = free_port()
    track2 = shutil.which("track2") or str(Path(sys.executable).with_name("track2"))
    env = dict(os.environ, TRACK2_LOG_LEVEL="WARNING", **(extra_env or {}))
    env.pop("TRACK2_DATABASE_URL", None)
    start = time.perf_counter()
    proc = subprocess.Popen(
        [track2, "serve", "--port", str(port)],
        cwd=workdir,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while time.perf_counter() - start < 30:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=0.5) as r:
                    if r.status == 200:
                        return time.perf_counter() - start
            except OSError:
                time.sleep(0.01)
        raise RuntimeError("no answer within 30 s")
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    for folder in ("app", "migrations"):
        compileall.compile_dir(ROOT / folder, quiet=1)
    with tempfile.TemporaryDirectory() as tmp, tempfile.TemporaryDirectory() as empty_cache:
        workdir = Path(tmp)
        first = one_start(workdir)  # creates and migrates track2.db
        again = [one_start(workdir) for _ in range(max(args.runs - 1, 1))]
        uncached = one_start(
            workdir,
            extra_env={"PYTHONPYCACHEPREFIX": empty_cache, "PYTHONDONTWRITEBYTECODE": "1"},
        )
    worst = max(first, *again)
    print("### Start-up (P7, `python -m bench.startup`)")
    print()
    print("| start | seconds to first 200 from /healthz |")
    print("|---|---:|")
    print(f"| fresh directory (creates and migrates the SQLite file) | {first:.2f} |")
    print(f"| existing database, median of {len(again)} | {statistics.median(again):.2f} |")
    print(
        f"| for information: existing database, no bytecode cache (every module compiled) "
        f"| {uncached:.2f} |"
    )
    print()
    verdict = "PASS" if worst <= TARGET_S else "MISS"
    print(f"Worst of all runs: {worst:.2f} s against a target of {TARGET_S:.1f} s: {verdict}.")
    return 0 if worst <= TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
