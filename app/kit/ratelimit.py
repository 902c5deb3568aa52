"""Fixed-window rate limits kept in the database, so every app process shares the counts.

``await limit(db, key, limit=30, window=3600)`` counts the hits for ``key`` in the current
window and raises :class:`RateLimited` (a 429 problem with ``Retry-After``) when there are
already ``limit``; otherwise it records one more.

Each hit is a row of its own (``rate_limit_hit``), inserted, never updated: concurrent
requests from one address (or everything behind one proxy) never wait for each other's
row lock, whatever else their transactions do before they commit. (A single counter row
updated in place serialised them: under 50 concurrent clients on PostgreSQL a request
waited up to 30 s for the transactions ahead of it.) A refused request records nothing, so
a flood cannot grow the table past ``limit`` rows per key and window, plus the requests in
flight at the same moment. Those are the price: on PostgreSQL, requests that run at the
same instant do not see each other's uncommitted hits, so a burst of N concurrent requests
can pass the limit by at most N - 1 once; every request after them is refused. SQLite runs
one writer at a time and counts exactly.

Keys name what is limited, never who: an e-mail address is turned into a keyed hash with
:func:`address_key` first, so the table holds no address and a limit reached for an
address looks the same whether or not anybody knows that address.

The hit is part of the request's transaction. A request refused later on (a 4xx that rolls
back) therefore does not count, but a refused request over the limit is still refused: the
stored count already exceeds the limit.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from datetime import datetime, timedelta

from fastapi import Request
from sqlalchemy import BigInteger, Index, Integer, String, delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base
from app.errors import DomainError
from app.kit.clock import utcnow

# One request in this many also sweeps expired windows of every key.
_SWEEP_ONE_IN = 200


class RateLimitHit(Base):
    """One counted request for one key in one fixed window."""

    __tablename__ = "rate_limit_hit"
    __table_args__ = (Index("ix_rate_limit_hit_bucket_window_start", "bucket", "window_start"),)

    # An integer key from the database (SQLite's rowid): no id to make per hit.
    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True, autoincrement=True
    )
    bucket: Mapped[str] = mapped_column(String(200))
    window_start: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)


class RateLimited(DomainError):
    """Too many requests for one key; ``Retry-After`` says when the window ends."""

    status = 429
    slug = "rate-limited"
    title = "Too many requests"

    def __init__(self, retry_after: int) -> None:
        super().__init__(
            f"Too many requests; try again in {retry_after} seconds",
            retry_after=retry_after,
            headers={"Retry-After": str(retry_after)},
        )
        self.retry_after = retry_after


def address_key(secret: str, address: str) -> str:
    """A keyed hash (HMAC-SHA256) of a normalised e-mail address: stable, not reversible
    without the secret key, and safe to store."""
    normalised = address.strip().lower()
    return hmac.new(secret.encode(), normalised.encode(), hashlib.sha256).hexdigest()


def client_ip(request: Request) -> str:
    """The caller's address as the ASGI server reports it.

    Behind a reverse proxy run uvicorn with ``--proxy-headers --forwarded-allow-ips`` so
    this is the client, not the proxy.
    """
    return request.client.host if request.client is not None else "unknown"


def _window(now: datetime, seconds: int) -> tuple[datetime, datetime]:
    epoch = int(now.timestamp())
    start = epoch - epoch % seconds
    return (
        datetime.fromtimestamp(start, now.tzinfo),
        datetime.fromtimestamp(start + seconds, now.tzinfo),
    )


async def limit(db: AsyncSession, key: str, limit: int, window: int | timedelta) -> int:
    """Count a hit for ``key``; raise :class:`RateLimited` when ``limit`` hits were already
    counted in the current window of ``window`` seconds. Returns the hits so far."""
    seconds = int(window.total_seconds()) if isinstance(window, timedelta) else int(window)
    if seconds < 1 or limit < 1:
        raise ValueError("a rate limit needs a positive limit and window")
    now = utcnow()
    start, end = _window(now, seconds)
    bucket = key[:200]
    hits = int(
        (
            await db.execute(
                select(func.count())
                .select_from(RateLimitHit)
                .where(RateLimitHit.bucket == bucket, RateLimitHit.window_start == start)
            )
        ).scalar_one()
    )
    if hits >= limit:
        raise RateLimited(max(1, math.ceil((end - now).total_seconds())))
    await db.execute(insert(RateLimitHit).values(bucket=bucket, window_start=start, expires_at=end))
    if secrets.randbelow(_SWEEP_ONE_IN) == 0:
        await purge_expired(db)
    return hits + 1


async def purge_expired(db: AsyncSession) -> int:
    """Delete the hits of windows that have ended; returns how many went."""
    result = await db.execute(delete(RateLimitHit).where(RateLimitHit.expires_at <= utcnow()))
    return int(getattr(result, "rowcount", 0) or 0)
