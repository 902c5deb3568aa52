"""A session's key points, for series members: the list every reader of a session asks for.

The serialised page is a document (``app.kit.documents``) keyed by the session's
``key_points_version``, which the database bumps with every write to the session's points
(``KeyPointRepository.bump_version``; a trigger for inserts). The version comes from the
access query (``SessionRapporteur``) in the request's snapshot, so a cached page is never
served after a change, from any process; authentication and membership are checked on every
request, as on every route.
"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.key_points.models import KeyPointStatus
from app.key_points.repository import KeyPointRepository
from app.key_points.schemas import KeyPointRead
from app.key_points.service import key_point_read
from app.kit.documents import Document, DocumentCache
from app.kit.pagination import Page, PageParams
from app.sessions.models import DialogueSession

# Members only, and revalidated every time (membership can end at any moment).
CACHE_CONTROL = "private, no-cache"


class KeyPointListService:
    """Pages of a session's key points, rendered once per version of its points."""

    def __init__(self, db: AsyncSession, documents: DocumentCache) -> None:
        self.db = db
        self.documents = documents

    async def page(
        self,
        session: DialogueSession,
        params: PageParams,
        status: KeyPointStatus | None,
        part_id: uuid.UUID | None,
    ) -> Document:
        async def render() -> Document:
            rows, cursor = await KeyPointRepository(self.db).list_for_session(
                session.id, params, status=status, part_id=part_id
            )
            page = Page[KeyPointRead](
                items=[key_point_read(p, t) for p, t in rows], next_cursor=cursor
            )
            return Document.of(page.model_dump_json().encode(), "application/json", CACHE_CONTROL)

        key = (
            "key-points",
            session.id,
            session.key_points_version,
            status,
            part_id,
            params.limit,
            params.cursor,
        )
        return await self.documents.get(key, render)
