"""HTTP route for searching approved key points."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from app.db import DbSession
from app.errors import problem_responses
from app.key_points.search import (
    MAX_QUERY_LENGTH,
    KeyPointHit,
    KeyPointSearchService,
    SearchFilters,
)
from app.kit.pagination import Page, PageQuery
from app.security import CurrentPrincipal

router = APIRouter(tags=["search"])

SearchText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY_LENGTH,
        description="Plain words; every word must occur (in any form: 'ceasefires' finds "
        "'ceasefire'). Punctuation and operators are ignored.",
        examples=["ceasefire prisoners"],
    ),
]
SeriesFilter = Annotated[
    uuid.UUID | None, Query(description="Only this series (one the caller is a member of).")
]
ThemeFilter = Annotated[
    str | None,
    Query(
        min_length=2,
        max_length=80,
        pattern=r"^[a-z0-9]+(?:-[a-z0-9]+)*$",
        description="Only points tagged with this theme slug (in their series' taxonomy).",
    ),
]


@router.get(
    "/search/key-points",
    response_model=Page[KeyPointHit],
    operation_id="search_key_points",
    summary="Search approved key points",
    responses=problem_responses(401, 404, 422),
)
async def search_key_points(
    session: DbSession,
    principal: CurrentPrincipal,
    page: PageQuery,
    q: SearchText,
    series_id: SeriesFilter = None,
    theme: ThemeFilter = None,
) -> Page[KeyPointHit]:
    """Full-text search over approved key points in the series the caller is a member of
    (administrators: all). Drafts, submitted and returned points are never found.

    Every word of `q` must occur; common words ("the", "and") are ignored. Results are
    ranked by how many of the words occur, then how often, then newest first, and each
    carries an HTML-escaped `snippet` with the matches in `<mark>`. A `series_id` the caller
    cannot see answers 404; an unknown `theme` finds nothing.
    """
    filters = SearchFilters(q=q, series_id=series_id, theme=theme)
    items, cursor = await KeyPointSearchService(session).search(principal, filters, page)
    return Page(items=items, next_cursor=cursor)
