"""The hot read path: a session's key points, for series members (P1 in PERFORMANCE.md).

One statement answers every question the request asks of the database before its data: is
the token valid, whose is it, does the session exist, is the caller a member of its series,
and what version are its key points at. The serialised page is then served from a small
in-process cache keyed by that version; ``key_points_version`` is bumped in SQL by every write
to the session's points (``KeyPointRepository.bump_version``; a trigger for inserts), so a
cached page is never served after a change, from any process. Permissions and token state
are checked on every request; only the page body is reused.

``fast_page`` answers the same question for the fast lane in front of the application
(``app.key_points.fast_lane``): a cached page when every check passes and nothing has to be
written, None whenever the route itself must answer.
"""

from __future__ import annotations

import asyncio
import hashlib
import sqlite3
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple, Protocol

from sqlalchemy import and_, select
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import NotFound, Unauthenticated
from app.key_points.models import KeyPointStatus
from app.key_points.repository import KeyPointRepository
from app.key_points.schemas import KeyPointRead
from app.key_points.service import key_point_read
from app.kit.clock import utcnow
from app.kit.pagination import Page, PageParams
from app.series.models import MemberRole, SeriesMember
from app.sessions.models import DialogueSession
from app.users.models import ApiToken, User
from app.users.repository import UserRepository
from app.users.service import check_token_state, hash_token, needs_touch

_CACHE: OrderedDict[tuple[object, ...], ListedPage] = OrderedDict()
_CACHE_SIZE = 512


class GateRow(NamedTuple):
    """What the gate statement answers about one token and one session."""

    token_id: uuid.UUID
    revoked_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    is_admin: bool
    is_active: bool
    session_found: bool
    version: int
    role: str | None


class ListGate(Protocol):
    """A way to run the gate statement outside the ORM (set up once per process)."""

    async def fetch(self, token_hash: str, session_id: uuid.UUID) -> GateRow | None: ...

    async def close(self) -> None: ...


_GATE_SQL = """
SELECT t.id, t.revoked_at, t.expires_at, t.last_used_at, u.is_admin, u.is_active,
       s.id, s.key_points_version, m.role
FROM api_token AS t
JOIN app_user AS u ON u.id = t.app_user_id
LEFT JOIN dialogue_session AS s ON s.id = {session}
LEFT JOIN series_member AS m
       ON m.dialogue_series_id = s.dialogue_series_id AND m.app_user_id = u.id
WHERE t.token_hash = {token}
"""


def _sqlite_time(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value).replace(tzinfo=UTC)


class SqliteGate:
    """The gate through the synchronous sqlite3 driver, on the event loop.

    aiosqlite hands every statement to a thread and back; for one indexed lookup that hop
    costs more than the query. In WAL mode readers never wait for writers, so this read does
    not block the loop on a lock; the connection is query-only.
    """

    def __init__(self, path: str, busy_timeout_ms: int) -> None:
        self._sql = _GATE_SQL.format(session="?", token="?")
        self._conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._conn.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        self._conn.execute("PRAGMA query_only=ON")

    async def fetch(self, token_hash: str, session_id: uuid.UUID) -> GateRow | None:
        row = self._conn.execute(self._sql, (session_id.hex, token_hash)).fetchone()
        if row is None:
            return None
        return GateRow(
            uuid.UUID(row[0]),
            _sqlite_time(row[1]),
            _sqlite_time(row[2]),
            _sqlite_time(row[3]),
            bool(row[4]),
            bool(row[5]),
            row[6] is not None,
            row[7] or 0,
            row[8],
        )

    async def close(self) -> None:
        self._conn.close()


class PostgresGate:
    """The gate through a small asyncpg pool of its own (no ORM, one prepared statement)."""

    def __init__(self, pool: Any) -> None:
        self._pool = pool
        self._sql = _GATE_SQL.format(session="$1", token="$2")

    @classmethod
    async def open(cls, url: str) -> PostgresGate:
        import asyncpg  # type: ignore[import-untyped]  # asyncpg ships no type hints

        parsed = make_url(url).set(drivername="postgresql")
        pool = await asyncpg.create_pool(parsed.render_as_string(False), min_size=1, max_size=4)
        return cls(pool)

    async def fetch(self, token_hash: str, session_id: uuid.UUID) -> GateRow | None:
        row = await self._pool.fetchrow(self._sql, session_id, token_hash)
        if row is None:
            return None
        return GateRow(
            row[0],
            row[1],
            row[2],
            row[3],
            bool(row[4]),
            bool(row[5]),
            row[6] is not None,
            row[7] or 0,
            row[8],
        )

    async def close(self) -> None:
        await asyncio.wait_for(self._pool.close(), timeout=10)


async def open_list_gate(settings: Settings) -> ListGate | None:
    """The fastest gate for the configured database (None: use the ORM session's)."""
    url = make_url(settings.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return SqliteGate(url.database, settings.database.sqlite_busy_timeout_ms)
    if url.get_backend_name() == "postgresql":
        return await PostgresGate.open(settings.database_url)
    return None


CACHE_CONTROL = "private, no-cache"


@dataclass(frozen=True, slots=True)
class ListedPage:
    """A serialised page, its strong ETag, and the ASGI headers of its 200 and 304 answers
    (in the order the route's ``Response`` writes them, before the request id)."""

    body: bytes
    etag: str
    ok_headers: tuple[tuple[bytes, bytes], ...]
    not_modified_headers: tuple[tuple[bytes, bytes], ...]

    @classmethod
    def of(cls, body: bytes) -> ListedPage:
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        common = ((b"etag", etag.encode()), (b"cache-control", CACHE_CONTROL.encode()))
        return cls(
            body,
            etag,
            (
                *common,
                (b"content-length", str(len(body)).encode()),
                (b"content-type", b"application/json"),
            ),
            common,
        )


class KeyPointListService:
    """Serve a session's key points with one gate query and a version-keyed page cache."""

    def __init__(self, db: AsyncSession, gate: ListGate | None = None) -> None:
        self.db = db
        self.gate = gate

    async def _gate_orm(self, token_hash: str, session_id: uuid.UUID) -> GateRow | None:
        connection = await self.db.connection()
        row = (
            await connection.execute(
                select(
                    ApiToken.id,
                    ApiToken.revoked_at,
                    ApiToken.expires_at,
                    ApiToken.last_used_at,
                    User.is_admin,
                    User.is_active,
                    DialogueSession.id,
                    DialogueSession.key_points_version,
                    SeriesMember.role,
                )
                .select_from(ApiToken)
                .join(User, User.id == ApiToken.app_user_id)
                .outerjoin(DialogueSession, DialogueSession.id == session_id)
                .outerjoin(
                    SeriesMember,
                    and_(
                        SeriesMember.dialogue_series_id == DialogueSession.dialogue_series_id,
                        SeriesMember.app_user_id == User.id,
                    ),
                )
                .where(ApiToken.token_hash == token_hash)
            )
        ).first()
        if row is None:
            return None
        role: MemberRole | None = row[8]
        return GateRow(
            row[0],
            row[1],
            row[2],
            row[3],
            row[4],
            row[5],
            row[6] is not None,
            row[7] or 0,
            None if role is None else role.value,
        )

    async def page(
        self,
        token: str,
        session_id: uuid.UUID,
        params: PageParams,
        status: KeyPointStatus | None,
        part_id: uuid.UUID | None,
        touch_interval: timedelta,
    ) -> ListedPage:
        token_hash = hash_token(token)
        if self.gate is not None:
            gate = await self.gate.fetch(token_hash, session_id)
        else:
            gate = await self._gate_orm(token_hash, session_id)
        if gate is None:
            raise Unauthenticated("The token is not valid")
        now = utcnow()
        check_token_state(gate.revoked_at, gate.expires_at, gate.is_active, now)
        if needs_touch(gate.last_used_at, now, touch_interval):
            await UserRepository(self.db).touch_token(gate.token_id, now)
        if not gate.session_found or (gate.role is None and not gate.is_admin):
            raise NotFound("No such session")
        version = gate.version

        key = (session_id, version, status, part_id, params.limit, params.cursor)
        cached = _cached(key)
        if cached is not None:
            return cached
        rows, cursor = await KeyPointRepository(self.db).list_for_session(
            session_id, params, status=status, part_id=part_id
        )
        page = Page[KeyPointRead](items=[key_point_read(p, t) for p, t in rows], next_cursor=cursor)
        listed = ListedPage.of(page.model_dump_json().encode())
        _CACHE[key] = listed
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return listed


def _cached(key: tuple[object, ...]) -> ListedPage | None:
    cached = _CACHE.get(key)
    if cached is not None:
        _CACHE.move_to_end(key)
    return cached


async def fast_page(
    gate: ListGate,
    token: str,
    session_id: uuid.UUID,
    params: PageParams,
    status: KeyPointStatus | None,
    part_id: uuid.UUID | None,
    touch_interval: timedelta,
) -> ListedPage | None:
    """The cached page :meth:`KeyPointListService.page` would answer, when the gate lets the
    caller through and nothing must be written; None whenever the route must answer instead
    (an unknown, revoked or expired token, a deactivated user, a token whose last use must be
    stamped, a hidden or unknown session, a page not in the cache)."""
    gate_row = await gate.fetch(hash_token(token), session_id)
    if gate_row is None:
        return None
    now = utcnow()
    try:
        check_token_state(gate_row.revoked_at, gate_row.expires_at, gate_row.is_active, now)
    except Unauthenticated:
        return None
    if needs_touch(gate_row.last_used_at, now, touch_interval):
        return None
    if not gate_row.session_found or (gate_row.role is None and not gate_row.is_admin):
        return None
    return _cached((session_id, gate_row.version, status, part_id, params.limit, params.cursor))
