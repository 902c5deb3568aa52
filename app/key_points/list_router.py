"""The list route of a session's key points: the hot read path (see ``listing.py``).

It authenticates with the same bearer tokens as every other route, but in the same single
statement that checks membership, so it lives on its own router rather than under the API
router's per-request ``get_principal`` dependency.

Cached pages are usually answered before the request reaches FastAPI, by the fast lane in
``fast_lane.py``; this route answers everything else (a page not cached yet, every error) and
is what the fast lane's answers are tested against.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request, Response
from fastapi.security import HTTPAuthorizationCredentials

from app.config import Settings
from app.db import DbSession
from app.errors import Unauthenticated, problem_responses
from app.key_points.listing import CACHE_CONTROL, KeyPointListService
from app.key_points.models import KeyPointStatus
from app.key_points.schemas import KeyPointRead
from app.kit.pagination import Page, PageQuery
from app.security import CHALLENGE, bearer_scheme, bearer_secret

router = APIRouter(tags=["key points"])


@router.get(
    "/sessions/{session_id}/key-points",
    response_model=Page[KeyPointRead],
    operation_id="list_key_points",
    summary="List a session's key points",
    responses=problem_responses(
        401, 404, 422, extra={304: {"description": "Not modified (If-None-Match)"}}
    ),
)
async def list_key_points(
    session_id: uuid.UUID,
    request: Request,
    db: DbSession,
    page: PageQuery,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    status_filter: Annotated[KeyPointStatus | None, Query(alias="status")] = None,
    part_id: uuid.UUID | None = None,
) -> Response:
    """The session's key points in order, for series members; filter by `status` or
    `part_id`. No point carries an author: the rule forbids attribution. The answer carries a
    strong `ETag`; send it back in `If-None-Match` to get 304 while nothing changed."""
    secret = bearer_secret(credentials)
    settings: Settings = request.app.state.settings
    try:
        gate = getattr(request.app.state, "list_gate", None)
        listed = await KeyPointListService(db, gate).page(
            secret,
            session_id,
            page,
            status_filter,
            part_id,
            settings.security.token_touch_interval,
        )
    except Unauthenticated as exc:
        exc.extensions["headers"] = CHALLENGE
        raise
    headers = {"ETag": listed.etag, "Cache-Control": CACHE_CONTROL}
    if listed.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    return Response(listed.body, media_type="application/json", headers=headers)
