"""Rate limits do not serialise the public: requests counted against one key never wait for
each other's row locks (PostgreSQL; SQLite takes writers one at a time by design)."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncEngine

from app.db import create_sessionmaker, sqlite_write_intent
from app.kit.ratelimit import RateLimited, RateLimitHit, limit
from tests.conftest import TEST_DATABASE_URL

pytestmark = pytest.mark.skipif(
    not TEST_DATABASE_URL, reason="PostgreSQL's row locks (SQLite serialises writers instead)"
)


@pytest.fixture
async def key(engine: AsyncEngine) -> AsyncIterator[str]:
    """A key of this test's own; its hits are committed, so they are deleted afterwards."""
    name = f"test:{uuid.uuid4().hex}"
    yield name
    async with create_sessionmaker(engine)() as db:
        await db.execute(delete(RateLimitHit).where(RateLimitHit.bucket == name))
        await db.commit()


async def test_a_hit_does_not_wait_for_another_requests_open_transaction(
    engine: AsyncEngine, key: str
) -> None:
    maker = create_sessionmaker(engine)
    token = sqlite_write_intent.set(True)
    try:
        async with maker() as first, maker() as second, maker() as cleanup:
            # The first request counted its hit and is still busy (its transaction open).
            assert await limit(first, key, 3, 3600) == 1
            # The second from the same address is counted at once, not after the first ends.
            assert await asyncio.wait_for(limit(second, key, 3, 3600), timeout=5) == 1
            await second.commit()
            await first.commit()
            assert await limit(cleanup, key, 3, 3600) == 3
            await cleanup.commit()
            with pytest.raises(RateLimited):
                await limit(cleanup, key, 3, 3600)
            await cleanup.rollback()
    finally:
        sqlite_write_intent.reset(token)


async def test_many_concurrent_hits_on_one_key_are_all_counted_while_all_are_open(
    engine: AsyncEngine, key: str
) -> None:
    maker = create_sessionmaker(engine)
    release = asyncio.Event()
    counted = 0
    everyone_counted = asyncio.Event()
    clients = 16

    async def request() -> None:
        nonlocal counted
        async with maker() as db:
            await limit(db, key, 1000, 3600)
            counted += 1
            if counted == clients:
                everyone_counted.set()
            # Each request keeps its transaction open until all have counted: with one
            # counter row updated in place, the second would wait for the first's commit.
            await release.wait()
            await db.commit()

    tasks = [asyncio.create_task(request()) for _ in range(clients)]
    try:
        await asyncio.wait_for(everyone_counted.wait(), timeout=10)
    finally:
        release.set()
        await asyncio.gather(*tasks)
    async with maker() as db:
        assert await limit(db, key, 1000, 3600) == clients + 1
        await db.rollback()
