"""The transactional outbox: messages written with the change that causes them, sent by a worker.

A service that must send something (an e-mail, later a webhook) calls :func:`enqueue` inside its
own transaction: the row commits or rolls back with the change that caused it, so a rolled-back
request sends nothing and a committed one is never forgotten. :class:`OutboxWorker` claims due
rows in batches, hands each batch to the handler registered for its ``kind`` and records the
outcome.

Delivery is at-least-once with a small, reported window: a row is claimed under a lease
(``locked_by``/``locked_until``), delivered, and marked sent. Handlers report each delivery as it
happens (:meth:`HandlerContext.delivered`) and the worker commits those marks in groups while
the batch is still sending, so a worker killed mid-batch leaves at most the few messages sent
since the last mark in doubt. When a lease expires the row is claimed again and ``last_error``
says that the previous attempt was abandoned; e-mails keep a Message-ID derived from the row id,
so a re-sent copy is recognisable as the same message.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import fcntl
import logging
import os
import random
import re
import secrets
import socket
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    case,
    delete,
    func,
    literal,
    select,
    text,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.config import OutboxSettings, Settings
from app.db import sqlite_write_intent
from app.errors import unavailable_error
from app.kit.clock import utcnow
from app.outbox.models import (
    PRUNABLE_SQL,
    PRUNED_PAYLOAD,
    UNSENT_SQL,
    OutboxKind,
    OutboxMessage,
    OutboxStatus,
)

# A literal, not bound parameters: both planners use a partial index only when the query's
# condition visibly matches the index's.
_unsent = text(UNSENT_SQL)
_prunable = text(PRUNABLE_SQL)

logger = logging.getLogger("track2.outbox")

_MAX_ERROR_CHARS = 2000
ABANDONED_PREFIX = "abandoned:"
_rng = random.Random()


# --- retention ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Pruned:
    """What one retention pass did to sent rows."""

    deleted: int
    emptied: int


# Written so no index can serve it: as ``dedupe_key IS NULL`` SQLite would walk the unique
# index on dedupe_key (every unkeyed row) instead of the prunable index's few rows.
_without_dedupe_key = func.coalesce(OutboxMessage.dedupe_key, "") == ""
_with_dedupe_key = func.coalesce(OutboxMessage.dedupe_key, "") != ""


async def prune_sent(db: AsyncSession, sent_before: datetime, limit: int) -> Pruned:
    """Forget the content of up to ``limit`` messages of each sort sent before
    ``sent_before`` (in the caller's transaction; call again while a sort comes back full).

    A row without a dedupe key is deleted. A row with one stays, its payload replaced by
    :data:`PRUNED_PAYLOAD`, so the key still stops a second copy of the same newsletter,
    invitation or notice and the issue's sent count stays right. Pending, sending and dead
    rows are never touched: they still have work to do or an administrator to see. Both
    statements read their rows off ``ix_outbox_message_prunable``."""
    due = (_prunable, OutboxMessage.sent_at < sent_before)
    unkeyed = select(OutboxMessage.id).where(*due, _without_dedupe_key).limit(limit)
    deleted = await db.execute(
        delete(OutboxMessage)
        .where(OutboxMessage.id.in_(unkeyed.scalar_subquery()))
        .execution_options(synchronize_session=False)
    )
    keyed = select(OutboxMessage.id).where(*due, _with_dedupe_key).limit(limit)
    emptied = await db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(keyed.scalar_subquery()))
        .values(payload=PRUNED_PAYLOAD, last_error=None, pruned_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    return Pruned(
        deleted=int(getattr(deleted, "rowcount", 0) or 0),
        emptied=int(getattr(emptied, "rowcount", 0) or 0),
    )


# --- handlers -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HandlerContext:
    """What a handler gets besides its batch."""

    settings: Settings
    worker_name: str
    # Call as soon as one message is delivered: the worker records it while the rest of the
    # batch is still being sent, which shrinks what a crash can leave in doubt.
    delivered: Callable[[uuid.UUID], None] = field(default=lambda _id: None)
    # The worker's sessions, for handlers that read or record something in the database
    # (webhooks: the endpoint and its delivery log). None when a test builds a context alone.
    sessionmaker: async_sessionmaker[AsyncSession] | None = None


Handler = Callable[
    [Sequence[OutboxMessage], HandlerContext], Awaitable[dict[uuid.UUID, str | None]]
]

_handlers: dict[str, Handler] = {}


def register_handler(kind: str, handler: Handler) -> None:
    """Register the handler for ``kind`` (replacing any earlier one).

    A handler gets a batch of claimed messages and returns, per message id, None when the
    message was delivered or a short error when it was not (it is then retried with backoff).
    A message missing from the result counts as failed.
    """
    _handlers[OutboxKind(kind).value] = handler


# Seconds until the next attempt after the row's latest failed attempt (its ``attempts``
# already counts that one) and the error it gave, or None to give up (the row goes dead).
RetryPolicy = Callable[[OutboxMessage, str], float | None]

_retry_policies: dict[str, RetryPolicy] = {}


def register_retry_policy(kind: str, policy: RetryPolicy) -> None:
    """Give ``kind`` its own retry schedule instead of the generic exponential backoff and
    ``max_attempts`` (webhooks follow the Standard Webhooks schedule)."""
    _retry_policies[OutboxKind(kind).value] = policy


def registered_handlers() -> dict[str, Handler]:
    """The handlers known to this process, built-in ones included."""
    # Imported here: app.outbox.mail imports this module to register its handler.
    import app.outbox.mail  # noqa: F401

    return dict(_handlers)


# --- the worker ---------------------------------------------------------------------------


def backoff_delay(
    attempts: int, settings: OutboxSettings, rng: random.Random | None = None
) -> float:
    """Seconds to wait after the ``attempts``-th failure: exponential, capped, half jittered
    (so messages that failed together do not all come back in the same second)."""
    growth = float(1 << min(max(attempts - 1, 0), 40))
    ceiling = min(settings.backoff_max_seconds, settings.backoff_base_seconds * growth)
    return ceiling / 2 + (rng or _rng).uniform(0, ceiling / 2)


@dataclass(slots=True)
class DrainResult:
    """What a drain did."""

    processed: int = 0
    sent: int = 0
    failed: int = 0
    dead: int = 0
    seconds: float = 0.0


@contextlib.contextmanager
def _write_intent() -> Iterator[None]:
    # SQLite: take the write lock at BEGIN so a claim never has to upgrade a read lock
    # (which fails with SQLITE_BUSY instead of waiting).
    token = sqlite_write_intent.set(True)
    try:
        yield
    finally:
        sqlite_write_intent.reset(token)


class _SentMarker:
    """Commits "sent" marks in groups while a batch is still being delivered.

    A group collects deliveries for ``sent_mark_interval_ms`` and commits once: a commit per
    message would halve the send rate, while a mark at the end of the batch would leave a whole
    batch in doubt after a crash.
    """

    def __init__(self, worker: OutboxWorker, claim_token: str) -> None:
        self._worker = worker
        self._token = claim_token
        self._interval = worker.settings.outbox.sent_mark_interval_ms / 1000
        self._queue: list[uuid.UUID] = []
        self._wake = asyncio.Event()
        self._closing = asyncio.Event()
        self.recorded: set[uuid.UUID] = set()
        self._task = asyncio.create_task(self._run())

    def add(self, message_id: uuid.UUID) -> None:
        self._queue.append(message_id)
        self._wake.set()

    async def _flush(self) -> None:
        ids, self._queue = self._queue, []
        if not ids:
            return
        async with self._worker.sessionmaker() as session:
            await self._worker._mark_sent(session, ids, self._token)
            await session.commit()
        self.recorded.update(ids)

    async def _run(self) -> None:
        with _write_intent():
            while not self._closing.is_set():
                await self._wake.wait()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._closing.wait(), timeout=self._interval)
                if self._closing.is_set():
                    return  # what is left goes into the batch's final commit
                self._wake.clear()
                await self._flush()

    async def close(self, *, flush: bool) -> None:
        """Stop; with ``flush``, also record what is still queued (the batch is abandoned and
        has no final commit). A failure here is logged: the lease covers what is unrecorded."""
        self._closing.set()
        self._wake.set()
        try:
            await self._task
            if flush:
                with _write_intent():
                    await self._flush()
        except Exception:
            logger.warning("recording sent marks failed", exc_info=True)


class DeliveryJournal:
    """A local file of "delivered, not yet marked sent" messages, one per worker process.

    A delivery is appended (one ``write`` syscall, no fsync: the page cache survives the
    process being killed, only a machine crash loses it) before its sent mark is queued, and
    the file is emptied once the batch's outcome is committed. Before each claim a worker looks
    for journals whose owner died (their ``flock`` is free) and marks the listed rows sent if
    they are still under the dead worker's lease. That closes the at-least-once window for
    a process killed on this machine and restarted within the lease; a worker on another
    machine that re-claims the rows first re-sends them, and flags them as abandoned.
    """

    def __init__(self, directory: Path, worker_name: str) -> None:
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        safe = re.sub(r"[^A-Za-z0-9._-]", "_", worker_name)
        self.path = directory / f"{safe}.journal"
        self._fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # held for the process's life

    # The calls below run inside the event loop on purpose: each is one small syscall that
    # lands in the page cache (microseconds); a thread hop would cost more than the call.

    def record(self, claim_token: str, message_id: uuid.UUID) -> None:
        os.write(self._fd, f"{claim_token}\t{message_id}\n".encode())

    def clear(self) -> None:
        os.ftruncate(self._fd, 0)

    def close(self) -> None:
        """Release the journal (a clean stop leaves nothing in it)."""
        os.close(self._fd)
        self.path.unlink(missing_ok=True)

    @staticmethod
    def orphans(
        directory: Path, own: Path | None = None
    ) -> Iterator[tuple[Path, int, dict[str, list[uuid.UUID]]]]:
        """Journals of dead workers: (path, locked fd, message ids by claim token)."""
        if not directory.is_dir():
            return
        for path in directory.glob("*.journal"):
            if path == own:
                continue
            try:
                fd = os.open(path, os.O_RDWR)
            except FileNotFoundError:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)  # its worker is alive
                continue
            entries: dict[str, list[uuid.UUID]] = {}
            with os.fdopen(os.dup(fd), "r", encoding="utf-8") as handle:
                for line in handle:
                    token, _, raw_id = line.rstrip("\n").partition("\t")
                    with contextlib.suppress(ValueError):
                        entries.setdefault(token, []).append(uuid.UUID(raw_id))
            yield path, fd, entries


class OutboxWorker:
    """Claims due messages, hands them to their handlers, records the outcome.

    Run as many as you like against PostgreSQL (claims use ``FOR UPDATE SKIP LOCKED``); on
    SQLite claims serialise on the write lock, which is still correct.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        settings: Settings,
        *,
        name: str | None = None,
        batch_size: int | None = None,
        handlers: Mapping[str, Handler] | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.settings = settings
        self.name = name or f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(3)}"
        self.batch_size = batch_size or settings.outbox.batch_size
        self._handlers = dict(handlers) if handlers is not None else None
        self._clock = clock
        self._claims = 0
        journal_dir = settings.outbox.journal_dir
        self.journal_dir = Path(journal_dir) if journal_dir else None
        # Opened with the first delivery and closed when a loop ends, so a worker that sends
        # nothing leaves no file behind.
        self.journal: DeliveryJournal | None = None
        self._stop = asyncio.Event()
        self.totals = DrainResult()

    # -- claiming --

    def _claim_statement(self, now: datetime, token: str) -> Any:
        lease_until = now + timedelta(seconds=self.settings.outbox.lease_seconds)
        due = (
            select(OutboxMessage.id)
            .where(
                _unsent,
                OutboxMessage.available_at <= now,
            )
            .order_by(OutboxMessage.available_at, OutboxMessage.id)
            .limit(self.batch_size)
            # PostgreSQL: rows another worker is claiming right now are skipped, not waited
            # for. SQLite renders nothing here; BEGIN IMMEDIATE serialises claims instead.
            .with_for_update(skip_locked=True)
        )
        # A row still "sending" here was abandoned by a worker whose lease ran out: say so,
        # because that worker may have delivered it before dying.
        abandoned_note = case(
            (
                OutboxMessage.status == OutboxStatus.SENDING,
                literal(f"{ABANDONED_PREFIX} lease of ")
                + func.coalesce(OutboxMessage.locked_by, "?")
                + literal(
                    " expired; it may have been delivered before; resent as the same message"
                ),
            ),
            else_=OutboxMessage.last_error,
        )
        return (
            update(OutboxMessage)
            .where(OutboxMessage.id.in_(due))
            .values(
                status=OutboxStatus.SENDING,
                attempts=OutboxMessage.attempts + 1,
                locked_by=token,
                locked_until=lease_until,
                available_at=lease_until,
                last_error=abandoned_note,
            )
            .returning(OutboxMessage)
            .execution_options(synchronize_session=False)
        )

    async def _claim_in(self, session: AsyncSession) -> tuple[str, list[OutboxMessage]]:
        """Claim a batch in ``session`` without committing (tests hold the transaction open)."""
        self._claims += 1
        token = f"{self.name}#{self._claims}"[:128]
        result = await session.scalars(self._claim_statement(self._clock(), token))
        rows = sorted(result.all(), key=lambda m: (m.available_at, m.id))
        return token, rows

    async def recover_orphans(self) -> int:
        """Mark sent what dead workers on this machine delivered but had not marked."""
        if self.journal_dir is None:
            return 0
        recovered = 0
        own = self.journal.path if self.journal is not None else None
        for path, fd, entries in DeliveryJournal.orphans(self.journal_dir, own):
            try:
                if entries:
                    with _write_intent():
                        async with self.sessionmaker() as session:
                            for token, ids in entries.items():
                                recovered += await self._mark_sent(session, ids, token)
                            await session.commit()
                path.unlink(missing_ok=True)
            finally:
                os.close(fd)
        if recovered:
            logger.warning(
                "marked sent what a dead worker delivered", extra={"messages": recovered}
            )
        return recovered

    async def claim(self) -> tuple[str, list[OutboxMessage]]:
        """Claim up to ``batch_size`` due messages under a lease, in their own transaction."""
        await self.recover_orphans()
        with _write_intent():
            async with self.sessionmaker() as session:
                token, rows = await self._claim_in(session)
                await session.commit()
        for row in rows:
            if row.last_error and row.last_error.startswith(ABANDONED_PREFIX):
                logger.warning(
                    "re-claimed an abandoned outbox message",
                    extra={"outbox_id": str(row.id), "attempts": row.attempts},
                )
        return token, rows

    # -- recording --

    async def _mark_sent(self, session: AsyncSession, ids: Sequence[uuid.UUID], token: str) -> int:
        # Only while we still hold the lease: if it ran out and another worker re-claimed the
        # row, that worker's outcome is the one that counts.
        result = await session.execute(
            update(OutboxMessage)
            .where(
                OutboxMessage.id.in_(ids),
                OutboxMessage.locked_by == token,
                OutboxMessage.status == OutboxStatus.SENDING,
            )
            .values(
                status=OutboxStatus.SENT,
                sent_at=self._clock(),
                locked_until=None,
                # last_error stays: on a sent row it tells why it took more than one attempt
                # (and flags a re-send after an abandoned lease).
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def _record(
        self,
        rows: Sequence[OutboxMessage],
        results: Mapping[uuid.UUID, str | None],
        already_sent: set[uuid.UUID],
        token: str,
    ) -> DrainResult:
        outcome = DrainResult(processed=len(rows))
        now = self._clock()
        sent = [r.id for r in rows if results.get(r.id, "missing") is None]
        outcome.sent = len(sent)
        failures: list[dict[str, Any]] = []
        for row in rows:
            if row.id in results and results[row.id] is None:
                continue
            error = results.get(row.id) or "the handler returned no result for this message"
            policy = _retry_policies.get(row.kind.value)
            if policy is not None:
                planned = policy(row, error)
                dead, delay = planned is None, planned or 0.0
            else:
                dead = row.attempts >= self.settings.outbox.max_attempts
                delay = backoff_delay(row.attempts, self.settings.outbox)
            failures.append(
                {
                    "b_id": row.id,
                    "b_token": token,
                    "b_status": OutboxStatus.DEAD if dead else OutboxStatus.PENDING,
                    "b_available_at": now if dead else now + timedelta(seconds=delay),
                    "b_error": error[:_MAX_ERROR_CHARS],
                }
            )
            outcome.failed += 1
            outcome.dead += dead
            log = logger.error if dead else logger.info
            log(
                "outbox message failed" + (" for the last time" if dead else "; will retry"),
                extra={"outbox_id": str(row.id), "attempts": row.attempts, "error": error[:200]},
            )
        to_mark = [i for i in sent if i not in already_sent]
        if not to_mark and not failures:
            return outcome
        table = cast(Table, OutboxMessage.__table__)
        with _write_intent():
            async with self.sessionmaker() as session:
                if to_mark:
                    await self._mark_sent(session, to_mark, token)
                if failures:
                    await session.execute(
                        update(table)
                        .where(
                            and_(
                                table.c.id == bindparam("b_id"),
                                table.c.locked_by == bindparam("b_token"),
                                table.c.status == OutboxStatus.SENDING.value,
                            )
                        )
                        .values(
                            status=bindparam("b_status"),
                            available_at=bindparam("b_available_at"),
                            last_error=bindparam("b_error"),
                            locked_until=None,
                        ),
                        failures,
                    )
                await session.commit()
        return outcome

    # -- one unit of work --

    async def run_once(self) -> int:
        """Claim one batch, deliver it, record the outcome. Returns how many were claimed."""
        token, rows = await self.claim()
        if not rows:
            return 0
        handlers = self._handlers if self._handlers is not None else registered_handlers()
        marker = _SentMarker(self, token)
        if self.journal is None and self.journal_dir is not None:
            self.journal = DeliveryJournal(self.journal_dir, self.name)
        journal = self.journal

        def delivered(message_id: uuid.UUID) -> None:
            if journal is not None:
                journal.record(token, message_id)
            marker.add(message_id)

        context = HandlerContext(self.settings, self.name, delivered, self.sessionmaker)
        results: dict[uuid.UUID, str | None] = {}
        try:
            by_kind: dict[str, list[OutboxMessage]] = {}
            for row in rows:
                by_kind.setdefault(row.kind.value, []).append(row)
            for kind, batch in by_kind.items():
                handler = handlers.get(kind)
                if handler is None:
                    results.update({r.id: f"no handler for kind {kind!r}" for r in batch})
                    continue
                try:
                    results.update(await handler(batch, context))
                except Exception as exc:
                    logger.exception("outbox handler failed", extra={"kind": kind})
                    error = f"{type(exc).__name__}: {exc}"
                    results.update({r.id: error for r in batch if r.id not in results})
        except BaseException:
            # Cancelled (shutdown after the grace period): record what was delivered; the
            # rest stays leased and is retried when the lease runs out.
            await marker.close(flush=True)
            raise
        await marker.close(flush=False)
        outcome = await self._record(rows, results, marker.recorded, token)
        if journal is not None:
            journal.clear()  # everything in it is committed now
        for name in ("processed", "sent", "failed", "dead"):
            setattr(self.totals, name, getattr(self.totals, name) + getattr(outcome, name))
        return len(rows)

    # -- loops --

    def close(self) -> None:
        """Release what the worker holds outside the database (its journal)."""
        if self.journal is not None:
            self.journal.close()
            self.journal = None

    def stop(self) -> None:
        """Ask the loop to stop after the current batch."""
        self._stop.set()

    @property
    def stopping(self) -> bool:
        return self._stop.is_set()

    async def count_due(self) -> int:
        """How many messages are due now (pending, or abandoned by an expired lease)."""
        async with self.sessionmaker() as session:
            count = await session.scalar(
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    _unsent,
                    OutboxMessage.available_at <= self._clock(),
                )
            )
        return int(count or 0)

    async def drain(self, progress: Callable[[int, int], None] | None = None) -> DrainResult:
        """Send everything due now, then return. ``progress(done, total)`` after each batch.

        Messages that fail go back with a backoff and are not due now, so a drain ends even
        when a destination is down; ``DrainResult.failed`` says how many.
        """
        before = dataclasses.replace(self.totals)
        total = await self.count_due()
        done = 0
        if progress is not None:
            progress(0, total)
        started = time.perf_counter()
        while not self.stopping:
            claimed = await self.run_once()
            if claimed == 0:
                break
            done += claimed
            if progress is not None:
                # Messages enqueued meanwhile join the drain; count them when a full batch
                # suggests there is more.
                if claimed == self.batch_size:
                    total = max(total, done + await self.count_due())
                progress(done, max(total, done))
        self.close()  # empty now; on an exception it stays, for the next worker to adopt
        return DrainResult(
            processed=self.totals.processed - before.processed,
            sent=self.totals.sent - before.sent,
            failed=self.totals.failed - before.failed,
            dead=self.totals.dead - before.dead,
            seconds=time.perf_counter() - started,
        )

    async def run_forever(self) -> None:
        """Poll until :meth:`stop`; a full batch is followed at once by the next one."""
        idle = self.settings.outbox.poll_interval_seconds
        failures = 0
        logger.info("outbox worker started", extra={"worker": self.name})
        while not self.stopping:
            try:
                claimed = await self.run_once()
                failures = 0
            except Exception as exc:
                # The database is away or a bug: keep the worker alive, back off a little.
                failures += 1
                unavailable = unavailable_error(exc)
                if unavailable is not None:
                    logger.warning(
                        "outbox worker waits for the database",
                        extra={
                            "worker": self.name,
                            "problem": unavailable.slug,
                            "cause": repr(exc),
                        },
                    )
                else:
                    logger.exception("outbox worker loop failed", extra={"worker": self.name})
                claimed = 0
            if claimed >= self.batch_size:
                continue
            wait = idle * min(2**failures, 60) if failures else idle
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), timeout=wait)
        self.close()
        logger.info("outbox worker stopped", extra={"worker": self.name})


@contextlib.asynccontextmanager
async def worker_in_background(
    sessionmaker: async_sessionmaker[AsyncSession],
    settings: Settings,
    *,
    grace_seconds: float = 10.0,
) -> AsyncIterator[OutboxWorker | None]:
    """Run a worker as a task of the current loop while the block runs (``track2 serve``'s
    lifespan), if ``settings.outbox.run_in_serve``; on exit let it finish its batch.

    A batch still running after ``grace_seconds`` is cancelled: what it delivered is recorded,
    the rest is retried when its lease runs out.
    """
    if not settings.outbox.run_in_serve:
        yield None
        return
    worker = OutboxWorker(sessionmaker, settings)
    task = asyncio.create_task(worker.run_forever(), name="track2-outbox-worker")
    try:
        yield worker
    finally:
        worker.stop()
        done, _ = await asyncio.wait({task}, timeout=grace_seconds)
        if not done:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        elif not task.cancelled() and task.exception() is not None:
            logger.error("outbox worker ended with an error", exc_info=task.exception())
        worker.close()
