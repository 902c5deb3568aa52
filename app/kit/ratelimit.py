"""Fixed-window rate limits kept in the database, so every app process shares the counts.

``await limit(db, key, limit=30, window=3600)`` counts one hit for ``key`` in the current
window and raises :class:`RateLimited` (a 429 problem with ``Retry-After``) once the count
passes ``limit``. The count is one atomic upsert (``INSERT ... ON CONFLICT DO UPDATE ...
RETURNING``) on SQLite and PostgreSQL alike, so concurrent requests in several processes
never lose a hit.

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
from sqlalchemy import String, delete
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from app.db import Base, upsert_insert
from app.errors import DomainError
from app.kit.clock import utcnow

# One request in this many also sweeps expired windows of every key.
_SWEEP_ONE_IN = 200


class RateLimitCounter(Base):
    """Hits for one key in one fixed window."""

    __tablename__ = "rate_limit_counter"

    bucket: Mapped[str] = mapped_column(String(200), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    hits: Mapped[int]
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
    """Count a hit for ``key``; raise :class:`RateLimited` when it is over ``limit`` hits
    in the current window of ``window`` seconds. Returns the hits so far."""
    seconds = int(window.total_seconds()) if isinstance(window, timedelta) else int(window)
    if seconds < 1 or limit < 1:
        raise ValueError("a rate limit needs a positive limit and window")
    now = utcnow()
    start, end = _window(now, seconds)
    insert = upsert_insert(db)
    stmt = (
        insert(RateLimitCounter)
        .values(bucket=key[:200], window_start=start, hits=1, expires_at=end)
        .on_conflict_do_update(
            index_elements=["bucket", "window_start"],
            set_={"hits": RateLimitCounter.hits + 1},
        )
        .returning(RateLimitCounter.hits)
    )
    hits = int((await db.execute(stmt)).scalar_one())
    if secrets.randbelow(_SWEEP_ONE_IN) == 0:
        await purge_expired(db)
    if hits > limit:
        raise RateLimited(max(1, math.ceil((end - now).total_seconds())))
    return hits


async def purge_expired(db: AsyncSession) -> int:
    """Delete the counters of windows that have ended; returns how many went."""
    result = await db.execute(
        delete(RateLimitCounter).where(RateLimitCounter.expires_at <= utcnow())
    )
    return int(getattr(result, "rowcount", 0) or 0)
