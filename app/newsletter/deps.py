"""What the public newsletter endpoints share: abuse limits, even timing, settings.

``EvenTiming`` must come before ``DbSession`` in a route's signature: dependencies are torn
down in reverse order, so its wait runs after the session has committed and the answer's
timing then covers the whole of the work, writes and commit included.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.kit.ratelimit import address_key, client_ip, limit

# Every subscription request takes at least this long, whatever it found (a new address,
# a known one, an unknown series): the time of the answer says nothing either.
MIN_SUBSCRIBE_SECONDS = 0.3
# One-click unsubscribes arrive from mail providers' servers, many users per address;
# their per-IP allowance is this many times the normal one.
UNSUBSCRIBE_IP_FACTOR = 20
WINDOW_SECONDS = 3600


async def _even_timing() -> AsyncIterator[None]:
    started = time.perf_counter()
    yield
    remaining = MIN_SUBSCRIBE_SECONDS - (time.perf_counter() - started)
    if remaining > 0:
        await asyncio.sleep(remaining)


EvenTiming = Annotated[None, Depends(_even_timing, scope="function")]


async def limit_public(
    db: AsyncSession,
    request: Request,
    settings: Settings,
    scope: str,
    *,
    address: str | None = None,
    ip_factor: int = 1,
) -> None:
    """Count this request against the per-IP limit (and the per-address one when an address
    is known) of ``scope``; 429 with ``Retry-After`` when over. The per-address bucket is a
    keyed hash, so it reveals nothing and stores no address."""
    public = settings.public
    await limit(
        db,
        f"{scope}:ip:{client_ip(request)}",
        public.rate_limit_per_ip_per_hour * ip_factor,
        WINDOW_SECONDS,
    )
    if address is not None:
        key = address_key(settings.secret_key.get_secret_value(), address)
        await limit(
            db, f"{scope}:addr:{key}", public.rate_limit_per_address_per_hour, WINDOW_SECONDS
        )
