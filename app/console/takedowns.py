"""What the guard took down in a series, for the organisers' screens.

The guard re-checks what is public when the directory or a roster changes
(``app.confidentiality.recheck``) and takes down what now names someone (its public addresses
answer 410 "being revised"). ``ReportService.takedowns`` says what is down and what the guard
finds in it now; this module turns that into words for the console: what it is, since when,
where and why (the exact words and the reason), where to fix it, and whether it is fixed
(ready to republish). Republishing is ``ReportService.republish``, one action
(``POST /console/series/{id}/republish``, ``app/reports/console_pages.py``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from fastapi.responses import RedirectResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.recheck import taken_down_in
from app.config import Settings
from app.console.findings import finding_view
from app.reports.models import ReportVersion
from app.reports.service import ReportService
from app.series.service import SeriesAccess

FIELD_WORDS = {
    "title": "title",
    "slug": "address name",
    "description": "description",
    "organiser": "organising institution",
    "partners": "partner institution",
    "strapline": "strapline",
    "title_prefix": "report title prefix",
    "dateline": "dateline",
    "closing": "closing paragraph",
    "context": "context",
    "points": "point",
    "agenda": "agenda",
    "items": "item",
    "paragraph": "paragraph",
    "opening": "opening",
    "organisers": "organisers",
    "session": "session",
    "series": "series",
    "text": "text",
}


def where_in_words(path: str) -> str:
    """A field as the guard names it (``points.3.text``), as people say it ("point 4, text")."""
    words: list[str] = []
    for piece in path.split("."):
        if piece.isdigit():
            if words:
                words[-1] += f" {int(piece) + 1}"
            continue
        words.append(FIELD_WORDS.get(piece, piece.replace("_", " ")))
    return ", ".join(words).capitalize() if words else "The text"


@dataclass
class TakedownView:
    """One taken-down item as an organiser reads it."""

    kind: str
    id: uuid.UUID
    label: str
    taken_down_at: datetime
    fix_url: str
    fix_text: str
    where: list[dict[str, Any]] = field(default_factory=list)
    # A report whose points name someone: where those points are edited (then reviewed).
    points_url: str = ""

    @property
    def fixed(self) -> bool:
        """Nothing in it would identify anyone now: republishing puts it back."""
        return not self.where


def _fix(
    kind: str, item_id: uuid.UUID, series_id: uuid.UUID, session_id: uuid.UUID | None
) -> tuple[str, str]:
    if kind == "series":
        return f"/console/series/{series_id}/settings", "Fix the series' texts in Settings"
    if kind == "session":
        return f"/console/sessions/{item_id}?edit=1#edit-h", "Fix the session's title or context"
    if session_id is not None:
        return (
            f"/console/sessions/{session_id}/report",
            "Fix the session's texts or points, then check the report's preview",
        )
    return f"/console/series/{series_id}", "Fix the texts it was made from"


async def takedown_views(
    db: AsyncSession, settings: Settings, access: SeriesAccess
) -> list[TakedownView]:
    """Everything of the series that the guard took down, with where and why, in words."""
    read = await ReportService(db, settings).takedowns(access)
    report_ids = [item.id for item in read.items if item.kind == "report"]
    sessions: dict[uuid.UUID, uuid.UUID] = {}
    if report_ids:
        rows = await db.execute(
            select(ReportVersion.id, ReportVersion.dialogue_session_id).where(
                ReportVersion.id.in_(report_ids)
            )
        )
        sessions = {row[0]: row[1] for row in rows.all()}
    views: list[TakedownView] = []
    for item in read.items:
        url, text = _fix(item.kind, item.id, access.series.id, sessions.get(item.id))
        where = [
            {
                "field": where_in_words(str(f.get("field", ""))),
                "findings": [finding_view(found) for found in f.get("findings") or []],
            }
            for f in item.fields
        ]
        view = TakedownView(item.kind, item.id, item.label, item.taken_down_at, url, text, where)
        session_id = sessions.get(item.id)
        if session_id is not None and any(
            str(f.get("field", "")).startswith("points.") for f in item.fields
        ):
            view.points_url = f"/console/sessions/{session_id}/record"
        views.append(view)
    return views


TAKEN_DOWN_NOTICE = (
    "Saved. After this change the guard took down what would now identify someone; it is "
    "listed below: fix it and republish."
)


def after_change(db: AsyncSession, series_id: uuid.UUID, url: str) -> RedirectResponse:
    """Where a form that changed the directory, a roster, a consent or a part's regime goes
    next: its own page, or the series page's list of takedowns if the change took
    something down (in this request)."""
    if taken_down_in(db):
        return RedirectResponse(
            f"/console/series/{series_id}?done=taken-down#takedowns", status_code=303
        )
    return RedirectResponse(url, status_code=303)
