"""The hot read path: a session's key points, for series members (P1 in PERFORMANCE.md).

One statement answers every question the request asks of the database before its data: is
the token valid, whose is it, does the session exist, is the caller a member of its series,
and what version are its key points at. The serialised page is then served from a small
in-process cache keyed by that version; ``key_points_version`` is bumped in SQL by every write
to the session's points (``KeyPointRepository.bump_version``), so a cached page is never served
after a change, from any process. Permissions and token state are checked on every request;
only the page body is reused.
"""

from __future__ import annotations

import hashlib
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import and_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from app.errors import NotFound, Unauthenticated
from app.key_points.models import KeyPointStatus
from app.key_points.repository import KeyPointRepository
from app.key_points.schemas import KeyPointRead
from app.key_points.service import key_point_read
from app.kit.clock import utcnow
from app.kit.pagination import Page, PageParams
from app.series.models import SeriesMember
from app.sessions.models import DialogueSession
from app.users.models import ApiToken, User
from app.users.service import check_token_state, hash_token, needs_touch

_CACHE: OrderedDict[tuple[object, ...], tuple[bytes, str]] = OrderedDict()
_CACHE_SIZE = 512


@dataclass(frozen=True, slots=True)
class ListedPage:
    """A serialised page and its strong ETag."""

    body: bytes
    etag: str


class KeyPointListService:
    """Serve a session's key points with one gate query and a version-keyed page cache."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db

    async def page(
        self,
        token: str,
        session_id: uuid.UUID,
        params: PageParams,
        status: KeyPointStatus | None,
        part_id: uuid.UUID | None,
        touch_interval: timedelta,
    ) -> ListedPage:
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
                .where(ApiToken.token_hash == hash_token(token))
            )
        ).first()
        if row is None:
            raise Unauthenticated("The token is not valid")
        token_id, revoked_at, expires_at, last_used_at, is_admin, is_active = row[:6]
        found_session, version, role = row[6:]
        now = utcnow()
        check_token_state(revoked_at, expires_at, is_active, now)
        if needs_touch(last_used_at, now, touch_interval):
            await connection.execute(
                update(ApiToken).where(ApiToken.id == token_id).values(last_used_at=now)
            )
        if found_session is None or (role is None and not is_admin):
            raise NotFound("No such session")

        key = (session_id, version, status, part_id, params.limit, params.cursor)
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return ListedPage(*cached)
        rows, cursor = await KeyPointRepository(self.db).list_for_session(
            session_id, params, status=status, part_id=part_id
        )
        page = Page[KeyPointRead](items=[key_point_read(p, t) for p, t in rows], next_cursor=cursor)
        body = page.model_dump_json().encode()
        etag = '"' + hashlib.sha256(body).hexdigest()[:32] + '"'
        _CACHE[key] = (body, etag)
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
        return ListedPage(body, etag)
