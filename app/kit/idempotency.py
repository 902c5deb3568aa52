"""``Idempotency-Key`` for POST requests (IETF httpapi-idempotency-key-header draft).

The first request with a key is processed and its answer stored; a retry with the same key and
the same body replays the stored status and body (with ``Idempotent-Replayed: true``); the same
key with a different body is a 422 problem; a retry while the first is still running is a 409
problem. Keys are scoped to the user behind the bearer token and kept for 24 hours.

A record is claimed (inserted as ``processing``) in its own committed transaction before the
request runs, so a concurrent duplicate sees it. The answer is stored after the request's own
transaction committed. A process that dies in between leaves the key ``processing``: retries
answer 409 until it expires, which never creates a duplicate. 5xx answers are not stored, so
the client may retry them with the same key.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import re
import uuid
from collections.abc import Awaitable, Callable
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint, delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.db import Base, IdMixin, sqlite_write_intent
from app.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE
from app.kit.clock import as_utc, utcnow
from app.kit.request_id import current_request_id

HEADER = b"idempotency-key"
TTL = timedelta(hours=24)
_KEY = re.compile(r"^[\x21-\x7e]{1,255}$")  # visible ASCII, as the draft's sf-string allows
_STORED_HEADERS = frozenset({"content-type", "location", "etag"})


class IdempotencyRecord(IdMixin, Base):
    """One Idempotency-Key of one user, and the answer it produced."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("app_user_id", "key"),)

    app_user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("app_user.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))  # processing | done
    response_status: Mapped[int | None]
    response_headers: Mapped[str | None] = mapped_column(String(2000))
    response_body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


async def purge_expired(db: AsyncSession) -> int:
    """Delete the records whose 24 hours are over; returns how many went."""
    result = await db.execute(
        delete(IdempotencyRecord).where(IdempotencyRecord.expires_at <= utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _problem(scope: Scope, status: int, slug: str, title: str, detail: str) -> bytes:
    return json.dumps(
        {
            "type": PROBLEM_BASE + slug,
            "title": title,
            "status": status,
            "detail": detail,
            "instance": scope.get("path"),
            "request_id": current_request_id(),
            **(
                {"errors": [{"location": "header", "field": "Idempotency-Key", "reason": detail}]}
                if status == 422
                else {}
            ),
        }
    ).encode()


async def _send_body(
    send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]
) -> None:
    headers = [*headers, (b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


CallerLookup = Callable[[AsyncSession, str, datetime], Awaitable[uuid.UUID | None]]
"""The user whose bearer token this is, if the token is valid and may write (not read-only):
the users domain answers (app.main wires it in), so this plumbing imports no domain."""


class IdempotencyMiddleware:
    """Apply Idempotency-Key semantics to authenticated POSTs under ``prefix``."""

    def __init__(
        self,
        app: ASGIApp,
        prefix: str,
        sessions: Callable[[Scope], Callable[[], AsyncSession]],
        caller: CallerLookup,
    ) -> None:
        self.app = app
        self.prefix = prefix
        self.sessions = sessions
        self.caller = caller

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith(self.prefix)
        ):
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers", ()))
        raw_key = headers.get(HEADER)
        token = _bearer(headers.get(b"authorization"))
        if raw_key is None or token is None:
            await self.app(scope, receive, send)
            return
        key = raw_key.decode("latin-1").strip().strip('"')
        if not _KEY.match(key):
            body = _problem(
                scope,
                422,
                "validation-error",
                "The request is not valid",
                "Idempotency-Key must be 1-255 visible ASCII characters",
            )
            await _send_body(send, 422, body, [(b"content-type", PROBLEM_MEDIA_TYPE.encode())])
            return

        body = await _read_body(receive)
        fingerprint = hashlib.sha256(
            b"\n".join(
                [
                    scope["method"].encode(),
                    scope["path"].encode(),
                    scope.get("query_string", b""),
                    body,
                ]
            )
        ).hexdigest()
        maker = self.sessions(scope)
        claim = await self._claim(maker, token, key, fingerprint)
        if claim is None:  # no valid token: let the route answer 401
            await self.app(scope, _replay_receive(body, receive), send)
            return
        outcome, record = claim
        if outcome == "replay":
            assert record is not None
            stored = json.loads(record.response_headers or "[]")
            replay_headers = [(k.encode(), v.encode()) for k, v in stored]
            replay_headers.append((b"idempotent-replayed", b"true"))
            await _send_body(
                send, record.response_status or 200, record.response_body or b"", replay_headers
            )
            return
        if outcome in ("mismatch", "in_flight"):
            status, slug, title, detail = (
                (
                    422,
                    "idempotency-key-reused",
                    "Idempotency-Key reused with another request",
                    "This Idempotency-Key was used with a different request body; use a new key",
                )
                if outcome == "mismatch"
                else (
                    409,
                    "idempotency-key-in-flight",
                    "A request with this key is in progress",
                    "The first request with this Idempotency-Key has not finished; retry later",
                )
            )
            extra = [(b"retry-after", b"1")] if status == 409 else []
            await _send_body(
                send,
                status,
                _problem(scope, status, slug, title, detail),
                [(b"content-type", PROBLEM_MEDIA_TYPE.encode()), *extra],
            )
            return

        assert record is not None
        captured_status = 500
        captured_headers: list[tuple[bytes, bytes]] = []
        chunks: list[bytes] = []
        last: Message | None = None

        async def capture(message: Message) -> None:
            nonlocal captured_status, captured_headers, last
            if message["type"] == "http.response.start":
                captured_status = message["status"]
                captured_headers = list(message.get("headers", []))
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))
                if not message.get("more_body", False):
                    # Held back until the answer is stored: a client that has the whole
                    # response and retries at once (from any process) gets the replay, not
                    # a 409 "in progress".
                    last = message
                    return
            await send(message)

        try:
            await self.app(scope, _replay_receive(body, receive), capture)
        except BaseException:
            await self._release(maker, record.id)
            raise
        try:
            if captured_status >= 500:
                await self._release(maker, record.id)
            else:
                await self._complete(
                    maker, record.id, captured_status, captured_headers, b"".join(chunks)
                )
        finally:
            if last is not None:
                await send(last)

    async def _claim(
        self, maker: Callable[[], AsyncSession], token: str, key: str, fingerprint: str
    ) -> tuple[str, IdempotencyRecord | None] | None:
        now = utcnow()
        write = sqlite_write_intent.set(True)
        try:
            async with maker() as db:
                # Only a token that may create anything takes part: the route answers every
                # other caller (401, or 403 to a read-only token) and nothing is recorded, so
                # no answer is ever replayed across a user's tokens of different rights.
                user_id = await self.caller(db, token, now)
                if user_id is None:
                    return None
                existing = (
                    await db.execute(
                        select(IdempotencyRecord).where(
                            IdempotencyRecord.app_user_id == user_id, IdempotencyRecord.key == key
                        )
                    )
                ).scalar_one_or_none()
                if existing is not None and as_utc(existing.expires_at) <= now:
                    await db.delete(existing)
                    await db.flush()
                    existing = None
                if existing is not None:
                    if existing.fingerprint != fingerprint:
                        return "mismatch", existing
                    return ("replay" if existing.status == "done" else "in_flight"), existing
                record = IdempotencyRecord(
                    app_user_id=user_id,
                    key=key,
                    fingerprint=fingerprint,
                    status="processing",
                    created_at=now,
                    expires_at=now + TTL,
                )
                db.add(record)
                try:
                    await db.commit()
                except IntegrityError:
                    # A concurrent duplicate claimed the key between our read and insert.
                    return "in_flight", None
                return "process", record
        finally:
            _reset(write)

    async def _complete(
        self,
        maker: Callable[[], AsyncSession],
        record_id: uuid.UUID,
        status: int,
        headers: list[tuple[bytes, bytes]],
        body: bytes,
    ) -> None:
        kept = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in headers
            if k.decode("latin-1").lower() in _STORED_HEADERS
        ]
        write = sqlite_write_intent.set(True)
        try:
            async with maker() as db:
                record = await db.get(IdempotencyRecord, record_id)
                if record is not None:
                    record.status = "done"
                    record.response_status = status
                    record.response_headers = json.dumps(kept)
                    record.response_body = body
                    await db.commit()
        finally:
            _reset(write)

    async def _release(self, maker: Callable[[], AsyncSession], record_id: uuid.UUID) -> None:
        write = sqlite_write_intent.set(True)
        try:
            async with maker() as db:
                await db.execute(delete(IdempotencyRecord).where(IdempotencyRecord.id == record_id))
                await db.commit()
        finally:
            _reset(write)


def _reset(token: Any) -> None:
    with contextlib.suppress(ValueError):
        sqlite_write_intent.reset(token)


def _bearer(value: bytes | None) -> str | None:
    if not value:
        return None
    scheme, _, credentials = value.decode("latin-1").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


async def _read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        if message["type"] == "http.request":
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                return b"".join(chunks)
        elif message["type"] == "http.disconnect":
            return b"".join(chunks)


def _replay_receive(body: bytes, original: Receive) -> Receive:
    """Hand the buffered body to the app once, then wait on the real channel (disconnects)."""
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await original()

    return receive
