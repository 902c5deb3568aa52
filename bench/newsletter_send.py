"""P5: a 10,000-recipient newsletter through the outbox to a local SMTP sink.

    python -m bench.newsletter_send [--count 10000] [--postgres postgresql+asyncpg://.../db]

Three processes on loopback: this script (set-up and checks), an aiosmtpd sink recording each
message's Message-ID and recipient (CPU 1), and ``track2 worker`` (CPU 0).

1. Throughput: ``track2 worker --drain`` sends every row; its own timer runs from the first
   claim to the last sent mark. Peak RSS is the worker process's ``ru_maxrss`` (wait4).
2. Crash: ``track2 worker`` is SIGKILLed mid-send, then started again and stopped with SIGTERM
   once every row is marked sent. The sink then says whether every recipient got exactly one
   message. A message delivered after the last sent mark committed and before the kill is sent
   again by the restarted worker (at-least-once): it arrives with the same Message-ID and is
   counted and reported as a duplicate, never hidden.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import func, insert, select, text
from sqlalchemy.engine import make_url

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.clock import utcnow
from app.kit.ids import uuid7
from app.kit.migrations import upgrade_to_head
from app.outbox.mail import email_payload
from app.outbox.models import OutboxKind, OutboxMessage, OutboxStatus
from bench.harness import ROOT, free_port, machine

WORKER_CPU = "0"
SINK_CPU = "1"
LEASE_SECONDS = 5  # short, so the restarted worker picks up the killed one's rows quickly
TARGET_RATE = 400.0
TARGET_RSS_MB = 200.0


def _settings(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url)


def _pinned(argv: list[str], cpu: str) -> list[str]:
    return ["taskset", "-c", cpu, *argv] if shutil.which("taskset") else argv


# --- the sink (runs as its own process: `python -m bench.newsletter_send sink ...`) ---------


def run_sink(port: int, log_path: Path) -> None:
    """Accept everything; append "message-id<TAB>recipient" per message, flushed each time."""
    from aiosmtpd.controller import Controller

    message_id = re.compile(rb"^Message-ID:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
    log = log_path.open("a", buffering=1)

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            head = bytes(envelope.content).split(b"\r\n\r\n", 1)[0]
            found = message_id.search(head)
            mid = found.group(1).decode() if found else "-"
            log.write(f"{mid}\t{','.join(envelope.rcpt_tos)}\n")
            return "250 OK"

    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    print("ready", flush=True)
    stop = False

    def on_term(*_: object) -> None:
        nonlocal stop
        stop = True

    signal.signal(signal.SIGTERM, on_term)
    while not stop:
        time.sleep(0.1)
    controller.stop()
    log.close()


@dataclass
class Sink:
    port: int
    log: Path
    process: subprocess.Popen[str]

    def lines(self) -> list[tuple[str, str]]:
        out = []
        for line in self.log.read_text().splitlines():
            mid, _, rcpt = line.partition("\t")
            out.append((mid, rcpt))
        return out

    def count(self) -> int:
        with self.log.open("rb") as handle:
            return sum(1 for _ in handle)

    def reset(self) -> None:
        self.log.write_text("")


def start_sink(workdir: Path) -> Sink:
    port = free_port()
    log = workdir / "sink.log"
    log.write_text("")
    argv = [sys.executable, "-m", "bench.newsletter_send", "sink", "--port", str(port)]
    process = subprocess.Popen(
        _pinned([*argv, "--log", str(log)], SINK_CPU), cwd=ROOT, stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    if process.stdout.readline().strip() != "ready":
        raise RuntimeError("the SMTP sink did not start")
    return Sink(port, log, process)


# --- data ---------------------------------------------------------------------------------

_PARAGRAPH = (
    "Participants discussed the sequencing of confidence-building measures, the role of "
    "regional guarantors and the conditions under which a ceasefire could be monitored. "
)


def _payload(n: int) -> dict[str, Any]:
    body = _PARAGRAPH * 12  # ~2.3 KB, about a newsletter issue's text
    return email_payload(
        to=f"reader{n}@example.org",
        to_name=f"Reader {n}",
        subject="Heart of Asia dialogue: session 12 summary",
        text=f"Dear reader {n},\n\n{body}\n",
        html=f"<p>Dear reader {n},</p><p>{body}</p>",
        headers={
            "List-Unsubscribe": f"<https://t2.example.org/u/{n}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )


async def _reset(url: str, count: int) -> None:
    engine = create_engine(_settings(url), pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            await session.execute(text("DELETE FROM outbox_message"))
            now = utcnow()
            rows = [
                {
                    "id": uuid7(),
                    "kind": OutboxKind.EMAIL,
                    "payload": _payload(n),
                    "status": OutboxStatus.PENDING,
                    "attempts": 0,
                    "available_at": now,
                    "created_at": now,
                    "dedupe_key": f"newsletter:bench:{n}",
                }
                for n in range(count)
            ]
            for start in range(0, count, 500):
                await session.execute(insert(OutboxMessage), rows[start : start + 500])
            await session.commit()
    finally:
        await engine.dispose()


async def _status_counts(url: str) -> dict[str, int]:
    engine = create_engine(_settings(url), pooled=False)
    try:
        async with create_sessionmaker(engine)() as session:
            result = await session.execute(
                select(OutboxMessage.status, func.count()).group_by(OutboxMessage.status)
            )
            counts = {str(status.value): int(n) for status, n in result.all()}
            abandoned = await session.scalar(
                select(func.count()).where(OutboxMessage.last_error.like("abandoned:%"))
            )
            counts["abandoned_and_resent"] = int(abandoned or 0)
            return counts
    finally:
        await engine.dispose()


def prepare_database(url: str | None, workdir: Path) -> str:
    if url is None:
        url = f"sqlite+aiosqlite:///{workdir / 'bench.db'}"
    else:
        from tests.conftest import create_postgres_database

        asyncio.run(create_postgres_database(url))
    upgrade_to_head(url)
    return url


# --- the worker ---------------------------------------------------------------------------


def worker_env(url: str, sink: Sink, batch_size: int) -> dict[str, str]:
    return {
        # Shared by the killed worker and its replacement, as on one machine.
        "TRACK2_OUTBOX__JOURNAL_DIR": str(sink.log.parent / "journal"),
        **os.environ,
        "TRACK2_DATABASE_URL": url,
        "TRACK2_BASE_URL": "https://t2.example.org",
        "TRACK2_LOG_LEVEL": "WARNING",
        "TRACK2_MAIL__BACKEND": "smtp",
        "TRACK2_MAIL__SMTP_HOST": "127.0.0.1",
        "TRACK2_MAIL__SMTP_PORT": str(sink.port),
        "TRACK2_OUTBOX__BATCH_SIZE": str(batch_size),
        "TRACK2_OUTBOX__LEASE_SECONDS": str(LEASE_SECONDS),
        "TRACK2_OUTBOX__POLL_INTERVAL_SECONDS": "0.2",
    }


def start_worker(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    argv = _pinned([sys.executable, "-m", "app.cli", "worker", *args], WORKER_CPU)
    return subprocess.Popen(argv, cwd=ROOT, env=env, stderr=subprocess.PIPE, text=True)


def wait_with_rss(process: subprocess.Popen[str]) -> tuple[int, float, str]:
    """Wait for the worker; return its exit code, peak RSS in MB and its stderr."""
    assert process.stderr is not None
    stderr = process.stderr.read()
    _pid, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return process.returncode, usage.ru_maxrss / 1024, stderr


def yardstick(sink: Sink, count: int) -> float:
    """Messages/s of prebuilt messages over one reused aiosmtplib connection (no database, no
    MIME building): PERFORMANCE.md's "~500 messages/s" yardstick, measured in this run."""
    import aiosmtplib

    from app.outbox.mail import build_message, message_bytes

    settings = _settings("sqlite+aiosqlite://")
    raw = [
        message_bytes(build_message(_payload(n), row_id=uuid7(), settings=settings))
        for n in range(count)
    ]

    async def send() -> float:
        client = aiosmtplib.SMTP(hostname="127.0.0.1", port=sink.port, start_tls=False)
        await client.connect()
        started = time.perf_counter()
        for n, message in enumerate(raw):
            await client.sendmail("track2@localhost", [f"reader{n}@example.org"], message)
        elapsed = time.perf_counter() - started
        await client.quit()
        return count / elapsed

    # Pinned like the worker while measuring.
    with contextlib.suppress(AttributeError, OSError):
        os.sched_setaffinity(0, {int(WORKER_CPU)})
    try:
        return asyncio.run(send())
    finally:
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))


@dataclass
class Throughput:
    sent: int
    seconds: float
    rate: float
    rss_mb: float
    duplicates: int


def measure_throughput(url: str, sink: Sink, count: int, batch_size: int) -> Throughput:
    asyncio.run(_reset(url, count))
    sink.reset()
    code, rss_mb, stderr = wait_with_rss(start_worker(worker_env(url, sink, batch_size), "--drain"))
    found = re.search(r"outbox: (\d+) sent, (\d+) failed .* in ([\d.]+) s", stderr)
    if code != 0 or found is None:
        raise RuntimeError(f"the drain failed (exit {code}):\n{stderr[-2000:]}")
    sent, seconds = int(found.group(1)), float(found.group(3))
    counts = Counter(mid for mid, _ in sink.lines())
    return Throughput(
        sent=sent,
        seconds=seconds,
        rate=sent / seconds,
        rss_mb=rss_mb,
        duplicates=sum(n - 1 for n in counts.values() if n > 1),
    )


@dataclass
class CrashResult:
    delivered_at_kill: int
    received: int
    recipients_exactly_once: int
    recipients_missing: int
    duplicate_messages: int
    abandoned_rows: int
    sent_rows: int
    restart_exit: int


def crash_and_resume(url: str, sink: Sink, count: int, batch_size: int) -> CrashResult:
    asyncio.run(_reset(url, count))
    sink.reset()
    env = worker_env(url, sink, batch_size)
    first = start_worker(env)
    # Off a batch boundary (between batches the sink count rests on a multiple of the batch
    # size while the next batch is claimed and built), so the kill lands mid-send.
    kill_at = int(count * 0.4) + batch_size // 3
    while sink.count() < kill_at:
        if first.poll() is not None:
            raise RuntimeError("the worker stopped before the kill")
        time.sleep(0.01)
    first.send_signal(signal.SIGKILL)
    first.wait()
    delivered_at_kill = sink.count()

    second = start_worker(env)
    deadline = time.monotonic() + 120
    while asyncio.run(_status_counts(url)).get("sent", 0) < count:
        if time.monotonic() > deadline or second.poll() is not None:
            raise RuntimeError("the restarted worker did not finish")
        time.sleep(0.5)
    second.send_signal(signal.SIGTERM)
    restart_exit, _rss, _err = wait_with_rss(second)

    lines = sink.lines()
    by_recipient: dict[str, set[str]] = {}
    for mid, rcpt in lines:
        by_recipient.setdefault(rcpt, set()).add(mid)
    expected = {f"reader{n}@example.org" for n in range(count)}
    per_mid = Counter(mid for mid, _ in lines)
    counts = asyncio.run(_status_counts(url))
    return CrashResult(
        delivered_at_kill=delivered_at_kill,
        received=len(lines),
        recipients_exactly_once=sum(1 for r in expected if len(by_recipient.get(r, ())) == 1),
        recipients_missing=sum(1 for r in expected if r not in by_recipient),
        duplicate_messages=sum(n - 1 for n in per_mid.values() if n > 1),
        abandoned_rows=counts.get("abandoned_and_resent", 0),
        sent_rows=counts.get("sent", 0),
        restart_exit=restart_exit,
    )


def report(label: str, count: int, t: Throughput, c: CrashResult, ceiling: float) -> str:
    rate_ok = "pass" if t.rate >= TARGET_RATE else "FAIL"
    rss_ok = "pass" if t.rss_mb <= TARGET_RSS_MB else "FAIL"
    once_ok = (
        "pass"
        if c.recipients_exactly_once == count and c.duplicate_messages == 0
        else "FAIL (see duplicates)"
    )
    return "\n".join(
        [
            f"| {label}: messages/s, first claim to last sent mark | {t.rate:,.0f} "
            f"({t.sent:,} in {t.seconds:.1f} s) | >= {TARGET_RATE:.0f} | {rate_ok} |",
            f"| {label}: yardstick, prebuilt messages over one reused connection (mean of "
            f"before and after) | {ceiling:,.0f} msg/s; the worker reaches "
            f"{t.rate / ceiling:.2f} of it | - | - |",
            f"| {label}: worker peak RSS | {t.rss_mb:.0f} MB | <= {TARGET_RSS_MB:.0f} MB "
            f"| {rss_ok} |",
            f"| {label}: kill -9 at {c.delivered_at_kill:,} delivered, restart | "
            f"{c.recipients_exactly_once:,}/{count:,} recipients got exactly one message; "
            f"{c.recipients_missing} missing; {c.duplicate_messages} duplicate deliveries "
            f"(same Message-ID); {c.abandoned_rows} claimed, unsent rows taken over after "
            f"the lease "
            f"| every recipient exactly once | {once_ok} |",
        ]
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    sub = parser.add_subparsers(dest="mode")
    sink_parser = sub.add_parser("sink")
    sink_parser.add_argument("--port", type=int, required=True)
    sink_parser.add_argument("--log", type=Path, required=True)
    parser.add_argument("--count", type=int, default=10_000)
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--postgres", default=None, help="also run on this PostgreSQL URL")
    args = parser.parse_args()
    if args.mode == "sink":
        run_sink(args.port, args.log)
        return

    lines = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        sink = start_sink(workdir)
        try:
            targets: list[tuple[str, str | None]] = [("SQLite", None)]
            if args.postgres:
                targets.append(("PostgreSQL", args.postgres))
            for label, given in targets:
                url = prepare_database(given, workdir)
                shown = make_url(url).render_as_string(hide_password=True)
                print(f"{label}: {shown}", file=sys.stderr)
                # Before and after the drain: the machine is shared and its load drifts.
                sink.reset()
                before = yardstick(sink, min(args.count, 3000))
                throughput = measure_throughput(url, sink, args.count, args.batch_size)
                sink.reset()
                after = yardstick(sink, min(args.count, 3000))
                ceiling = (before + after) / 2
                print(f"  yardstick: {before:,.0f} / {after:,.0f} msg/s", file=sys.stderr)
                print(f"  throughput: {throughput}", file=sys.stderr)
                crash = crash_and_resume(url, sink, args.count, args.batch_size)
                print(f"  crash: {crash}", file=sys.stderr)
                lines.append(report(label, args.count, throughput, crash, ceiling))
        finally:
            sink.process.send_signal(signal.SIGTERM)
            sink.process.wait(timeout=10)

    command = "python -m bench.newsletter_send" + (" --postgres <url>" if args.postgres else "")
    print(f"\n## P5: newsletter send (outbox -> SMTP)\n\nCommand: `{command}`")
    print(f"Machine: {machine()}. {args.count:,} e-mails (~5 KB each, text + HTML), batch ")
    print(f"{args.batch_size}, worker on CPU {WORKER_CPU}, aiosmtpd sink on CPU {SINK_CPU}.\n")
    print("| measure | result | target | verdict |\n|---|---|---|---|")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
