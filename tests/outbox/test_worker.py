"""The outbox worker against a real SMTP server and a database whose commits are real."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import Sequence
from datetime import timedelta
from email import policy
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from app.outbox.mail import Attachment, email_payload, send_email_batch
from app.outbox.models import OutboxMessage, OutboxStatus
from app.outbox.queue import enqueue
from app.outbox.worker import ABANDONED_PREFIX, HandlerContext
from tests.outbox.conftest import IS_POSTGRES, WorkerKit
from tests.smtp import free_port


async def _enqueue_mails(
    maker: async_sessionmaker[AsyncSession], count: int, *, prefix: str = "reader", **extra: object
) -> list[uuid.UUID]:
    async with maker() as session:
        ids = []
        for n in range(count):
            message = await enqueue(
                session,
                kind="email",
                payload=email_payload(
                    to=f"{prefix}{n}@example.org",
                    to_name=f"Reader {n}",
                    subject=f"Issue {n}",
                    text=f"Plain body {n}",
                    html=f"<p>HTML body {n}</p>",
                    **extra,  # type: ignore[arg-type]
                ),
                dedupe_key=f"{prefix}:{n}",
            )
            assert message is not None
            ids.append(message.id)
        await session.commit()
    return ids


async def _rows(maker: async_sessionmaker[AsyncSession]) -> dict[uuid.UUID, OutboxMessage]:
    async with maker() as session:
        rows = (await session.scalars(select(OutboxMessage))).all()
    return {row.id: row for row in rows}


async def test_enqueue_in_a_rolled_back_transaction_sends_nothing(kit: WorkerKit) -> None:
    async with kit.maker() as session:
        await enqueue(
            session,
            kind="email",
            payload=email_payload(to="gone@example.org", subject="x", text="x"),
        )
        await session.rollback()
    [kept] = await _enqueue_mails(kit.maker, 1, prefix="kept")

    result = await kit.worker().drain()

    assert result.sent == 1
    assert [m.rcpt_tos for m in kit.sink.received()] == [["kept0@example.org"]]
    assert (await _rows(kit.maker)).keys() == {kept}


async def test_batch_goes_over_one_smtp_connection_with_multipart_and_message_ids(
    kit: WorkerKit,
) -> None:
    ids = await _enqueue_mails(
        kit.maker,
        5,
        headers={
            "List-Unsubscribe": "<https://t2.example.org/u/abc>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
        attachments=[Attachment("agenda.pdf", "application/pdf", b"%PDF-1.7 tiny")],
        reply_to="secretariat@example.org",
    )

    assert await kit.worker(batch_size=10).run_once() == 5

    received = kit.sink.received()
    assert len(received) == 5
    assert len({m.peer for m in received}) == 1, "one connection for the whole batch"
    by_id = {m.message_id: m for m in received}
    assert set(by_id) == {f"<{i}@testserver>" for i in ids}
    mail = by_id[f"<{ids[0]}@testserver>"].message
    assert mail["From"] == "Track2 <track2@localhost>"
    assert mail["To"] == "Reader 0 <reader0@example.org>"
    assert mail["Reply-To"] == "secretariat@example.org"
    assert mail["Subject"] == "Issue 0"
    assert mail["Date"] is not None
    assert mail["List-Unsubscribe"] == "<https://t2.example.org/u/abc>"
    assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.get_content_type() == "multipart/mixed"
    body = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert body is not None
    assert body.get_content().strip() == "Plain body 0"
    assert html is not None
    assert html.get_content().strip() == "<p>HTML body 0</p>"
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "agenda.pdf"
    assert attachment.get_content() == b"%PDF-1.7 tiny"
    rows = await _rows(kit.maker)
    assert {r.status for r in rows.values()} == {OutboxStatus.SENT}
    assert all(r.sent_at is not None and r.attempts == 1 for r in rows.values())


async def test_refused_message_backs_off_then_goes_dead_after_max_attempts(
    kit: WorkerKit,
) -> None:
    settings = kit.settings(
        outbox={"max_attempts": 3, "backoff_base_seconds": 10, "backoff_max_seconds": 600}
    )
    [bad] = await _enqueue_mails(kit.maker, 1, prefix="bad")
    [good] = await _enqueue_mails(kit.maker, 1, prefix="good")
    kit.sink.refuse["bad0@example.org"] = "550 5.1.1 No such user"
    worker = kit.worker(settings)

    assert await worker.run_once() == 2
    row = (await _rows(kit.maker))[bad]
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    assert row.last_error is not None
    assert "550" in row.last_error
    delay = (row.available_at - kit.clock()).total_seconds()
    assert 4 <= delay <= 10  # base 10 s, half of it jittered
    assert (await _rows(kit.maker))[good].status is OutboxStatus.SENT
    assert await worker.run_once() == 0, "not due before its backoff ends"

    kit.clock.advance(11)
    assert await worker.run_once() == 1
    row = (await _rows(kit.maker))[bad]
    assert (row.status, row.attempts) == (OutboxStatus.PENDING, 2)
    assert 9 <= (row.available_at - kit.clock()).total_seconds() <= 20  # doubled

    kit.clock.advance(21)
    assert await worker.run_once() == 1
    row = (await _rows(kit.maker))[bad]
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, 3)
    kit.clock.advance(3600)
    assert await worker.run_once() == 0, "dead messages are not retried"
    assert [m.rcpt_tos for m in kit.sink.received()] == [["good0@example.org"]]


async def test_expired_lease_is_reclaimed_and_each_message_sent_once(kit: WorkerKit) -> None:
    ids = await _enqueue_mails(kit.maker, 4)
    crashed = kit.worker()
    _token, claimed = await crashed.claim()  # ...and then the process dies
    assert len(claimed) == 4

    survivor = kit.worker()
    assert await survivor.run_once() == 0, "a live lease is respected"
    kit.clock.advance(kit.settings().outbox.lease_seconds + 1)
    assert await survivor.run_once() == 4

    assert kit.sink.message_id_counts() == {f"<{i}@testserver>": 1 for i in ids}
    rows = await _rows(kit.maker)
    assert all(r.status is OutboxStatus.SENT and r.attempts == 2 for r in rows.values())
    # The re-send is reported: the previous worker may have delivered before dying.
    assert all((r.last_error or "").startswith(ABANDONED_PREFIX) for r in rows.values())
    assert all(
        r.locked_by is not None and r.locked_by.startswith(survivor.name) for r in rows.values()
    )


class _Killed(BaseException):
    """Stands for the process dying (not an Exception: nothing handles it)."""


async def test_worker_killed_mid_batch_resumes_without_duplicates(kit: WorkerKit) -> None:
    ids = await _enqueue_mails(kit.maker, 6)

    async def dies_after_three(
        batch: Sequence[OutboxMessage], context: HandlerContext
    ) -> dict[uuid.UUID, str | None]:
        await send_email_batch(batch[:3], context)
        raise _Killed

    with pytest.raises(_Killed):
        await kit.worker(handlers={"email": dies_after_three}).run_once()
    assert len(kit.sink.received()) == 3
    statuses = [r.status for r in (await _rows(kit.maker)).values()]
    assert statuses.count(OutboxStatus.SENT) == 3, "deliveries are recorded as they happen"

    # The same send requested again (a retried request) adds nothing.
    async with kit.maker() as session:
        again = await enqueue(
            session,
            kind="email",
            payload=email_payload(to="reader0@example.org", subject="x", text="x"),
            dedupe_key="reader:0",
        )
        await session.commit()
    assert again is None

    kit.clock.advance(kit.settings().outbox.lease_seconds + 1)
    result = await kit.worker().drain()

    assert result.sent == 3
    assert kit.sink.message_id_counts() == {f"<{i}@testserver>": 1 for i in ids}
    assert {r.status for r in (await _rows(kit.maker)).values()} == {OutboxStatus.SENT}


async def test_deliveries_of_a_killed_worker_are_recovered_from_its_journal(
    kit: WorkerKit, monkeypatch: pytest.MonkeyPatch
) -> None:
    ids = await _enqueue_mails(kit.maker, 6)
    doomed = kit.worker()

    async def dies_after_three(
        batch: Sequence[OutboxMessage], context: HandlerContext
    ) -> dict[uuid.UUID, str | None]:
        await send_email_batch(batch[:3], context)
        raise _Killed

    async def no_commit(self: object) -> None:
        return None  # killed before any sent mark reached the database

    monkeypatch.setattr("app.outbox.worker._SentMarker._flush", no_commit)
    doomed._handlers = {"email": dies_after_three}
    with pytest.raises(_Killed):
        await doomed.run_once()
    monkeypatch.undo()
    assert {r.status for r in (await _rows(kit.maker)).values()} == {OutboxStatus.SENDING}
    assert doomed.journal is not None
    os.close(doomed.journal._fd)  # the process is gone: its lock goes with it
    doomed.journal = None

    survivor = kit.worker()
    assert await survivor.run_once() == 0, "the unsent three are still leased"
    assert [r.status for r in (await _rows(kit.maker)).values()].count(OutboxStatus.SENT) == 3
    kit.clock.advance(kit.settings().outbox.lease_seconds + 1)
    assert await survivor.run_once() == 3

    assert kit.sink.message_id_counts() == {f"<{i}@testserver>": 1 for i in ids}
    survivor.close()
    assert list(kit.journal_dir.iterdir()) == [], "adopted and own journals are gone"


async def test_unreachable_smtp_server_fails_the_batch_at_once(kit: WorkerKit) -> None:
    await _enqueue_mails(kit.maker, 3)
    settings = kit.settings(mail={"backend": "smtp", "smtp_port": free_port()})

    result = await kit.worker(settings).drain()

    assert (result.processed, result.failed) == (3, 3)
    rows = (await _rows(kit.maker)).values()
    assert all(r.status is OutboxStatus.PENDING for r in rows)
    assert all("SMTP connection failed" in (r.last_error or "") for r in rows)


async def test_file_backend_writes_one_readable_eml_per_message(
    kit: WorkerKit, tmp_path: Path
) -> None:
    ids = await _enqueue_mails(
        kit.maker, 3, attachments=[Attachment("note.txt", "text/plain", "é".encode())]
    )
    settings = kit.settings(mail={"backend": "file", "file_dir": str(tmp_path / "mail")})

    assert (await kit.worker(settings).drain()).sent == 3

    files = sorted((tmp_path / "mail").iterdir())
    assert [f.name for f in files] == sorted(f"{i}@testserver.eml" for i in ids)
    mail = BytesParser(policy=policy.default).parsebytes(files[0].read_bytes())
    assert mail["Message-ID"] == f"<{files[0].stem}>"
    assert mail["To"].startswith("Reader ")
    html = mail.get_body(("html",))
    assert html is not None
    assert "<p>HTML body" in html.get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == "note.txt"
    assert attachment.get_payload(decode=True) == "é".encode()
    assert kit.sink.received() == []


async def test_enqueue_refuses_unknown_kinds(kit: WorkerKit) -> None:
    async with kit.maker() as session:
        with pytest.raises(ValueError, match="sms"):
            await enqueue(session, kind="sms", payload={})


@pytest.mark.skipif(not IS_POSTGRES, reason="SKIP LOCKED is PostgreSQL's")
async def test_two_workers_never_claim_the_same_row(kit: WorkerKit) -> None:
    await _enqueue_mails(kit.maker, 30)
    first, second = kit.worker(batch_size=20), kit.worker(batch_size=20)

    async with kit.maker() as holding:
        # The first claim stays uncommitted (its rows locked) while the second one runs.
        _token, mine = await first._claim_in(holding)
        _token, theirs = await asyncio.wait_for(second.claim(), timeout=5)
        await holding.commit()

    assert (len(mine), len(theirs)) == (20, 10), "skipped the locked rows instead of waiting"
    assert not {m.id for m in mine} & {m.id for m in theirs}

    # Racing workers over many batches: every row sent exactly once.
    await _enqueue_mails(kit.maker, 60, prefix="race")
    workers = [kit.worker(batch_size=7) for _ in range(3)]
    await asyncio.gather(*(w.drain() for w in workers))
    assert sum(w.totals.sent for w in workers) == 60
    assert set(kit.sink.message_id_counts().values()) == {1}


@pytest.mark.skipif(not IS_POSTGRES, reason="SQLite serialises the writers instead")
async def test_concurrent_enqueue_with_one_dedupe_key_keeps_one(kit: WorkerKit) -> None:
    payload = email_payload(to="once@example.org", subject="x", text="x")
    async with kit.maker() as first, kit.maker() as second:
        kept = await enqueue(first, kind="email", payload=payload, dedupe_key="once")
        racing = asyncio.create_task(
            enqueue(second, kind="email", payload=payload, dedupe_key="once")
        )
        await asyncio.sleep(0.2)  # the second insert now waits on the first's unique key
        await first.commit()
        assert kept is not None
        assert await racing is None
        await second.commit()
    assert len(await _rows(kit.maker)) == 1


async def test_drain_reports_progress_to_the_end(kit: WorkerKit) -> None:
    await _enqueue_mails(kit.maker, 25)
    seen: list[tuple[int, int]] = []

    result = await kit.worker(batch_size=10).drain(lambda done, total: seen.append((done, total)))

    assert result.sent == 25
    assert seen[0] == (0, 25)
    assert seen[-1] == (25, 25)
    assert [d for d, _ in seen] == [0, 10, 20, 25]


async def test_lease_is_written_with_the_claim(kit: WorkerKit) -> None:
    await _enqueue_mails(kit.maker, 1)
    worker = kit.worker()
    token, [row] = await worker.claim()
    assert row.status is OutboxStatus.SENDING
    assert row.locked_by == token
    assert row.locked_until is not None
    lease = timedelta(seconds=kit.settings().outbox.lease_seconds)
    assert abs(row.locked_until - (kit.clock() + lease)) < timedelta(seconds=5)
    assert row.available_at == row.locked_until
