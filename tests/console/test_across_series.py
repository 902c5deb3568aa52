"""Every console URL, with the ids of a series the caller is not in, answers the 404 page:
the same as an unknown id, so ids reveal nothing. The routes are read from the app itself,
so a new console page is covered as soon as it exists."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.console.routing import ConsoleRoute
from app.key_points.models import KeyPoint, KeyPointStatus
from app.newsletter.models import NewsletterIssue
from app.reports.models import ReportRequest, ReportVersion
from app.series.models import SeriesInvitation, Theme
from tests.console.conftest import SignedIn, h1
from tests.factories import Factory
from tests.key_points.conftest import Dialogue

PARAM = re.compile(r"{([a-z_]+)(?::path)?}")
# Routes without an object of a series in their path.
NOT_SCOPED = {"/console", "/console/account", "/console/series/new", "/console/{rest:path}"}


async def _their_ids(db: AsyncSession, dialogue: Dialogue) -> dict[str, Any]:
    """One object of every kind in ``dialogue``'s series."""
    point = KeyPoint(
        dialogue_session_id=dialogue.session.id,
        agenda_part_id=dialogue.discussion.id,
        position=1,
        text="Trust is low.",
        status=KeyPointStatus.SUBMITTED,
        warnings=[],
        acknowledged_warnings=[],
        revision=1,
    )
    issue = NewsletterIssue(
        dialogue_series_id=dialogue.series.id,
        subject="S",
        body_markdown="B",
        created_by_id=dialogue.organiser.id,
    )
    db.add_all([point, issue])
    await db.commit()
    theme = await db.scalar(select(Theme).where(Theme.dialogue_series_id == dialogue.series.id))
    assert theme is not None
    return {
        "series_id": dialogue.series.id,
        "session_id": dialogue.session.id,
        "person_id": dialogue.rahimi.id,
        "user_id": dialogue.organiser.id,
        "part_id": dialogue.discussion.id,
        "point_id": point.id,
        "theme_id": theme.id,
        "issue_id": issue.id,
        # Objects that need not exist: an unknown id must look the same.
        "report_id": uuid.uuid4(),
        "request_id": uuid.uuid4(),
        "invitation_id": uuid.uuid4(),
        "language": "fa-AF",
    }


def _walk(routes: list[Any]) -> list[Any]:
    """Every route, inside included routers too (console routers have no prefix)."""
    out = []
    for route in routes:
        included = getattr(route, "original_router", None)
        out += _walk(included.routes) if included is not None else [route]
    return out


def _console_routes(app: FastAPI) -> list[tuple[str, str]]:
    out = []
    for route in _walk(app.routes):
        if not isinstance(route, APIRoute) or not isinstance(route, ConsoleRoute):
            continue
        if not route.path.startswith("/console") or route.path in NOT_SCOPED:
            continue
        for method in sorted(route.methods):
            out.append((method, route.path))
    return out


async def test_every_console_url_of_another_series_answers_404(
    app: FastAPI, signed_in: SignedIn, dialogue: Dialogue, factory: Factory, db: AsyncSession
) -> None:
    ids = await _their_ids(db, dialogue)
    outsider = await factory.caller()
    await factory.series(organiser=outsider)
    browser = await signed_in(outsider)
    routes = _console_routes(app)
    assert len(routes) >= 40
    failures = []
    for method, path in routes:
        url = PARAM.sub(lambda m: str(ids[m.group(1)]), path)
        if method == "GET":
            response = await browser.get(url)
        else:
            response = await browser.post(url, {"text": "x", "reason": "x", "action": "approve"})
        if response.status_code != 404 or h1(response) != "Not found":
            failures.append((method, path, response.status_code))
    assert failures == []
    # Nothing of theirs changed.
    statuses = (await db.execute(select(KeyPoint.status))).scalars().all()
    assert statuses == [KeyPointStatus.SUBMITTED]
    assert (await db.execute(select(ReportVersion.id))).first() is None
    assert (await db.execute(select(ReportRequest.id))).first() is None
    assert (await db.execute(select(SeriesInvitation.id))).first() is None


@pytest.mark.parametrize("path", ["/console/series/{series_id}", "/console/sessions/{session_id}"])
async def test_an_unknown_id_and_another_series_id_look_the_same(
    signed_in: SignedIn, dialogue: Dialogue, factory: Factory, db: AsyncSession, path: str
) -> None:
    outsider = await factory.caller()
    browser = await signed_in(outsider)
    theirs = await browser.get(
        path.format(series_id=dialogue.series.id, session_id=dialogue.session.id)
    )
    unknown = await browser.get(path.format(series_id=uuid.uuid4(), session_id=uuid.uuid4()))
    assert theirs.status_code == unknown.status_code == 404
    assert theirs.text == unknown.text
