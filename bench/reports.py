"""P4: report rendering, in every report language. ``python -m bench.reports``

Measures the report pipeline as the service runs it after loading the records: the builder
(facts -> canonical model, the edition's translation included) plus one renderer, in this
process, for English, Dari (``fa-AF``), Pashto (``ps``) and Arabic (``ar``):

* the public summary of a session with 50 approved points, as HTML (target <= 5 ms);
* the detailed report of a session, as a PDF of ten pages (target <= 250 ms): the number
  of points is found for each language by rendering, so that the PDF really has ten pages;
* the digest of a series of 100 sessions x 30 points, as HTML (target <= 1 s);
* each again with twice the data: the time may at most double (ratio <= 2.0).

Warm figures are the best and the median of repeated runs after a warm-up. The first PDF
rendering of a process (fonts loaded and parsed, shaping caches empty) is measured apart,
in fresh processes (``--first``).

    python -m bench.reports [--languages en,fa-AF] [--first-runs 3]

Prints a markdown section (the last thing on stdout) for docs/performance.md; exits 1 when
a target is missed.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import re
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from app.people.schemas import CompositionPublic
from app.reports.builder import (
    DigestSource,
    GuestFacts,
    PartFacts,
    PointFacts,
    SeriesFacts,
    SessionFacts,
    SessionSource,
    ThemeFacts,
    build_digest,
    build_session_report,
)
from app.reports.render.html import render_html
from app.reports.render.markdown import render_markdown
from app.series.themes import DEFAULT_THEMES
from bench.report_editions import LANGUAGES, digest_edition, session_edition

ROOT = Path(__file__).resolve().parent.parent

_WORDS = (
    "peace process regional support negotiations violence reduction ceasefire prisoners "
    "release mediation facilitation trust confidence institutions continuity government "
    "rights civil society media aid leverage donors conference connectivity economy trade "
    "neighbours consensus withdrawal timeline elections administration agreement parties "
    "sides region international community dialogue monitoring reintegration assistance"
).split()
THEMES = tuple(ThemeFacts(slug, label) for slug, label in DEFAULT_THEMES)
SERIES = SeriesFacts(
    title="Regional and International Support for Afghan Peace",
    slug="afghan-peace",
    organiser="Heart of Asia Society",
    partners=(
        "Center for Conflict and Humanitarian Studies in Doha",
        "Center for International Cooperation at New York University",
    ),
    timezone="Asia/Kabul",
    strapline="Building Peace and Connectivity through Research and Dialogue",
    title_prefix="HAS Track 2 Dialogue Series",
    dateline="KABUL",
    closing="HAS and its partners are planning to continue this series.",
)
COMPOSITION = CompositionPublic(
    suppressed=False,
    basis="attended",
    total=14,
    countries=9,
    by_sector={"scholar": 7, "former_diplomat": 4, "serving_official": 3},  # type: ignore[dict-item]
    by_country={"AF": 3, "other": 11},
)
START = datetime(2020, 6, 29, 9, 30, tzinfo=UTC)


def _text(rng: random.Random, words: int) -> str:
    picked = [rng.choice(_WORDS) for _ in range(words)]
    return (" ".join(picked).capitalize() + ".").replace(" ,", ",")


def _session(number: int) -> SessionFacts:
    return SessionFacts(
        id=uuid.UUID(int=number),
        number=number,
        title=f"Session {number}: challenges still ahead",
        starts_at=START + timedelta(days=30 * number),
        status="held",
        context="Afghanistan has seen a resurgence of violence.\n\nSupport for peace is urgent.",
    )


def _parts(session: SessionFacts) -> tuple[PartFacts, ...]:
    base = session.number * 10
    return (
        PartFacts(
            uuid.UUID(int=base + 1),
            1,
            "Opening address",
            "opening_remarks",
            "on_record",
            guests=(GuestFacts("H.E. Dr. Mutlaq bin Majed al-Qahtani", "Special Envoy"),),
        ),
        PartFacts(
            uuid.UUID(int=base + 2),
            2,
            "Presentation",
            "presentation",
            "chatham_house",
            "Perspectives from Europe",
        ),
        PartFacts(
            uuid.UUID(int=base + 3), 3, "Presentation", "presentation", "chatham_house", "Iran"
        ),
        PartFacts(uuid.UUID(int=base + 4), 4, "Discussion", "discussion", "chatham_house"),
    )


def _points(
    rng: random.Random, session: SessionFacts, parts: tuple[PartFacts, ...], n: int, words: int
) -> list[PointFacts]:
    return [
        PointFacts(
            id=uuid.UUID(int=(session.number << 32) + i),
            session_id=session.id,
            position=i,
            text=_text(rng, words),
            part_id=parts[1 + i % 3].id,
            themes=tuple(t.slug for t in rng.sample(THEMES, 2)),
        )
        for i in range(1, n + 1)
    ]


def session_source(points: int, words: int = 45) -> SessionSource:
    rng = random.Random(points)
    session = _session(3)
    parts = _parts(session)
    return SessionSource(
        series=SERIES,
        session=session,
        parts=parts,
        points=tuple(_points(rng, session, parts, points, words)),
        themes=THEMES,
        composition=COMPOSITION,
        earlier=(_session(1), _session(2)),
        base_url="https://track2.example.org",
    )


def digest_source(sessions: int, per_session: int) -> DigestSource:
    rng = random.Random(sessions)
    all_sessions = [_session(n) for n in range(1, sessions + 1)]
    points: list[PointFacts] = []
    for s in all_sessions:
        points += _points(rng, s, _parts(s), per_session, 30)
    return DigestSource(
        series=SERIES,
        sessions=tuple(all_sessions),
        points=tuple(points),
        themes=THEMES,
        base_url="https://track2.example.org",
    )


@dataclass(frozen=True)
class Timing:
    """Wall-clock best and median of a workload's runs, and its best CPU time."""

    best: float
    median: float
    cpu: float


def _timing(wall: list[float], cpu: list[float]) -> Timing:
    return Timing(min(wall), statistics.median(wall), min(cpu))


def timed_pair(
    small: Callable[[], object], large: Callable[[], object], repeat: int
) -> tuple[Timing, Timing]:
    """Each workload timed ``repeat`` times after one warm-up run, the two run alternately
    so both see the same heap and the same machine noise (measured one after the other,
    the second size pays for the first one's heap growth). Each run starts from a collected
    heap. The best run is the cost of the work itself on a noisy 2-core machine; the
    median is printed beside it, and the CPU time of the thread for information."""
    small()
    large()
    wall: tuple[list[float], list[float]] = ([], [])
    cpu: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for index, work in enumerate((small, large)):
            gc.collect()
            started, started_cpu = time.perf_counter(), time.thread_time()
            work()
            wall[index].append(time.perf_counter() - started)
            cpu[index].append(time.thread_time() - started_cpu)
    return _timing(wall[0], cpu[0]), _timing(wall[1], cpu[1])


def pdf_pages(body: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", body))


def detailed_report(tag: str, points: int) -> Callable[[], bytes]:
    """The build-and-render work of the detailed report of ``points`` points in ``tag``."""
    from app.reports.render.pdf import render_pdf

    source = session_source(points)
    edition = session_edition(tag, source)
    return lambda: render_pdf(build_session_report(source, "detailed", edition))


def points_for_pages(tag: str, pages: int) -> int:
    """The most points whose detailed PDF in ``tag`` has ``pages`` pages (by bisection;
    the page count never falls as points are added)."""
    low, high = 1, 8
    while pdf_pages(detailed_report(tag, high)()) <= pages:
        low, high = high, high * 2
    while high - low > 1:
        middle = (low + high) // 2
        if pdf_pages(detailed_report(tag, middle)()) <= pages:
            low = middle
        else:
            high = middle
    return low


def first_rendering(tag: str, points: int, preload: bool) -> None:
    """``--first``: in this fresh process, the PDF renderer's import (with its fonts when
    ``preload``, as ``track2 serve`` does once it answers), then the first and the second
    build-and-render of the same detailed report, as JSON on stdout."""
    started = time.perf_counter()
    if preload:
        from app.reports.render import warm_up

        warm_up()
    else:
        import app.reports.render.pdf  # noqa: F401  # what a first PDF imports

    imported = time.perf_counter() - started
    work = detailed_report(tag, points)
    started = time.perf_counter()
    work()
    first = time.perf_counter() - started
    started = time.perf_counter()
    work()
    second = time.perf_counter() - started
    print(json.dumps({"import": imported, "first": first, "second": second}))


def first_in_fresh_processes(
    tag: str, points: int, runs: int, preload: bool = False
) -> tuple[float, float]:
    """(best first rendering, best renderer import) over ``runs`` fresh processes."""
    firsts, imports = [], []
    command = [sys.executable, "-m", "bench.reports", "--first", tag, str(points)]
    for _ in range(runs):
        out = subprocess.run(
            [*command, "--preload"] if preload else command,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        ).stdout
        figures = json.loads(out.strip().splitlines()[-1])
        firsts.append(figures["first"])
        imports.append(figures["import"])
    return min(firsts), min(imports)


@dataclass
class Row:
    workload: str
    tag: str
    size: str
    timing: Timing
    limit: float
    first: float | None = None
    preloaded: float | None = None  # the first rendering once the fonts are loaded
    pages: int | None = None
    ratio: float | None = None  # of the best run to the best run with half the data
    cpu_ratio: float | None = None

    @property
    def within(self) -> bool:
        # The first rendering of a serving process (fonts loaded at start-up) is held to the
        # same budget as a warm one; the very first of a bare process is printed beside it.
        first = self.preloaded is None or self.preloaded <= self.limit
        return (
            first and self.timing.best <= self.limit and (self.ratio is None or self.ratio <= 2.0)
        )


def measure(tag: str, first_runs: int) -> tuple[list[Row], float]:
    rows: list[Row] = []

    def pair(
        workload: str,
        make: Callable[[int], Callable[[], object]],
        n: int,
        sizes: tuple[str, str],
        limit: float,
        repeat: int,
    ) -> tuple[Row, Row]:
        a, b = timed_pair(make(n), make(2 * n), repeat)
        small = Row(workload, tag, sizes[0], a, limit)
        large = Row(workload, tag, sizes[1], b, 2 * limit, ratio=b.best / a.best)
        large.cpu_ratio = b.cpu / a.cpu
        rows.extend((small, large))
        return small, large

    def summary(points: int) -> Callable[[], object]:
        source = session_source(points)
        edition = session_edition(tag, source)
        return lambda: render_html(build_session_report(source, "summary", edition))

    def detailed(points: int) -> Callable[[], object]:
        return detailed_report(tag, points)

    def digest(sessions: int) -> Callable[[], object]:
        source = digest_source(sessions, 30)
        edition = digest_edition(tag, source)
        return lambda: render_html(build_digest(source, edition))

    pair("public summary, HTML", summary, 50, ("50 points", "100 points"), 0.005, 200)
    ten = points_for_pages(tag, 10)
    d1, d2 = pair(
        "detailed report, PDF", detailed, ten, (f"{ten} points", f"{2 * ten} points"), 0.250, 9
    )
    d1.pages = pdf_pages(detailed(ten)())
    d2.pages = pdf_pages(detailed(2 * ten)())
    imported = 0.0
    if first_runs:
        d1.first, imported = first_in_fresh_processes(tag, ten, first_runs)
        d1.preloaded, _ = first_in_fresh_processes(tag, ten, first_runs, preload=True)
    pair("series digest, HTML", digest, 100, ("100 sessions x 30", "200 sessions x 30"), 1.0, 25)
    return rows, imported


def ms(seconds: float | None) -> str:
    return "" if seconds is None else f"{seconds * 1000:.1f} ms"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--languages", default=",".join(LANGUAGES))
    parser.add_argument("--first-runs", type=int, default=3)
    parser.add_argument("--first", nargs=2, metavar=("LANGUAGE", "POINTS"), help=argparse.SUPPRESS)
    parser.add_argument("--preload", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.first:
        first_rendering(args.first[0], int(args.first[1]), args.preload)
        return 0
    rows: list[Row] = []
    imports: list[float] = []
    for tag in args.languages.split(","):
        print(f"measuring {tag}", file=sys.stderr)
        measured, imported = measure(tag, args.first_runs)
        rows += measured
        imports.append(imported)
    from app.reports.render.pdf import render_pdf

    big = digest_source(100, 30)
    md_best = timed_pair(
        lambda: render_markdown(build_digest(big)), lambda: render_markdown(build_digest(big)), 3
    )[0].best
    started = time.perf_counter()
    digest_pdf = render_pdf(build_digest(big))
    pdf_seconds = time.perf_counter() - started

    print("### Reports (P4, `python -m bench.reports`)")
    print()
    print(
        "Builder (facts -> canonical model, the edition's translation included) plus one "
        "renderer, in process, per language. **warm**: best and median of repeated runs "
        "after a warm-up (the shaping cache then holds the report's words), each from a "
        "collected heap, each size run alternately with its doubled size; the verdict uses "
        "the best run (the cost of the work itself on a noisy 2-core machine), and the "
        "ratio's CPU-time twin is in brackets. **first**: the first build-and-render of a "
        "fresh process whose renderer is imported (fonts loaded and parsed then, shaping "
        "caches empty); **first, fonts loaded**: the same once the fonts are loaded, as "
        "`track2 serve` loads them in the background when it starts "
        f"(`app.reports.render.warm_up`); best of {args.first_runs} processes each, held to "
        "the same budget. Synthetic points of 45 words (30 in the digest), two themes each, "
        "the default taxonomy; in Dari, Pashto and Arabic with a Latin acronym every 11th "
        "word and a number in the language's digits every 17th "
        "(`bench/report_editions.py`). The detailed report's points are as many as fit in "
        "ten pages in each language (the pages column is counted in the PDF). The database "
        "reads before the builder are a handful of set queries "
        "(`app/reports/repository.py`) and are not included."
    )
    print()
    print(
        "| workload | language | size | first | first, fonts loaded | warm best | warm median "
        "| target | pages | x half the data (CPU) | verdict |"
    )
    print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|---|")
    ok = True
    for row in rows:
        ok = ok and row.within
        ratio = "" if row.ratio is None else f"{row.ratio:.3f} ({row.cpu_ratio:.3f})"
        print(
            f"| {row.workload} | {row.tag} | {row.size} | {ms(row.first)} | {ms(row.preloaded)} | "
            f"{ms(row.timing.best)} | {ms(row.timing.median)} | <= {row.limit * 1000:.0f} ms | "
            f"{row.pages if row.pages is not None else ''} | {ratio} | "
            f"{'PASS' if row.within else 'FAIL'} |"
        )
    print()
    if any(imports):
        print(
            f"The first PDF or DOCX of a process also imports the renderers (reportlab, "
            f"python-docx): {min(i for i in imports if i) * 1000:.0f} ms, once."
        )
        print()
    print(
        f"For information: the English 100 x 30 digest takes {md_best * 1000:.1f} ms as "
        f"Markdown and {pdf_seconds * 1000:.0f} ms as a PDF of {pdf_pages(digest_pdf)} pages "
        "(one run)."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
