"""What the guard took down, in the console: organisers see it on "my series" and on the
series page with the reason in words, fix the text where the page points, and republish in
one action (all or nothing, the service's rule)."""

from __future__ import annotations

import html
import re

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from app.kit.clock import utcnow
from app.sessions.pages import _local_input
from tests.console.conftest import SignedIn
from tests.key_points.conftest import Dialogue

CONTEXT = "Opened at the invitation of Ambassador Okonkwo, who hosted the first round."
FIXED = "Opened at the invitation of the hosts of the first round."


def visible(response: httpx.Response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.text)))


async def _public_session_naming_a_newcomer(dialogue: Dialogue, db: AsyncSession) -> None:
    session = dialogue.session
    session.context = CONTEXT
    session.public_since = utcnow()
    await db.commit()


async def test_a_takedown_is_shown_explained_fixed_and_republished(
    dialogue: Dialogue, signed_in: SignedIn, db: AsyncSession, client: httpx.AsyncClient
) -> None:
    await _public_session_naming_a_newcomer(dialogue, db)
    organiser = await signed_in(dialogue.organiser)
    series_url = f"/console/series/{dialogue.series.id}"
    assert "Taken down" not in visible(await organiser.get(series_url))

    # The organiser adds the ambassador to the directory: the session's context names them now.
    added = await organiser.post(
        f"{series_url}/people",
        {"given_name": "Chidi", "family_name": "Okonkwo", "sector": "serving_official"},
    )
    assert added.status_code == 303
    assert added.headers["location"] == f"{series_url}?done=taken-down#takedowns"
    await db.refresh(dialogue.session)
    assert dialogue.session.taken_down_at is not None

    # My series says so, for the organisers ...
    home = visible(await organiser.get("/console"))
    assert "Taken down while it is revised" in home
    assert "The title and context of session 1" in home
    # ... and the series page says where and why, in words, and where to fix it.
    page = await organiser.get(f"{series_url}?done=taken-down")
    shown = visible(page)
    assert "Taken down while it is revised (1)" in shown
    assert re.search(r"Context: “[^”]*Okonkwo” ?, name of a participant", shown), shown
    assert f'href="/console/sessions/{dialogue.session.id}?edit=1#edit-h"' in page.text
    # Rapporteurs read the series, but taking down and republishing is the organisers' work.
    rapporteur = await signed_in(dialogue.rapporteur)
    assert "Taken down" not in visible(await rapporteur.get(series_url))
    assert "Taken down" not in visible(await rapporteur.get("/console"))

    # Republishing before the fix changes nothing, and says why.
    refused = await organiser.post(f"{series_url}/republish")
    assert refused.status_code == 409
    assert "Nothing was republished" in visible(refused)
    await db.refresh(dialogue.session)
    assert dialogue.session.taken_down_at is not None

    # The session's form opens with the findings beside the context.
    session_page = await organiser.get(f"/console/sessions/{dialogue.session.id}?edit=1")
    assert re.search(r"<details open>\s*<summary>Edit the session", session_page.text)
    assert "name of a participant" in visible(session_page)
    assert 'id="f-context-findings"' in session_page.text
    session = dialogue.session
    saved = await organiser.post(
        f"/console/sessions/{session.id}/edit",
        {
            "title": session.title,
            "context": FIXED,
            "starts_local": _local_input(session.starts_at, session.timezone),
            "ends_local": _local_input(session.ends_at, session.timezone),
            "timezone": session.timezone,
            "format": session.format.value,
            "default_regime": session.default_regime.value,
        },
    )
    assert saved.status_code == 303, visible(saved)[:1500]
    assert "Fixed: nothing in it identifies anyone now" in visible(await organiser.get(series_url))

    republished = await organiser.post(f"{series_url}/republish")
    assert republished.status_code == 303
    assert republished.headers["location"].endswith("?done=republished#takedowns")
    await db.refresh(dialogue.session)
    assert dialogue.session.taken_down_at is None
    after = visible(await organiser.get(f"{series_url}?done=republished"))
    assert "Republished" in after
    assert "Taken down" not in after
    assert "Taken down" not in visible(await organiser.get("/console"))


async def test_republishing_is_for_organisers_and_inside_their_series(
    dialogue: Dialogue, signed_in: SignedIn, factory: object, db: AsyncSession
) -> None:
    await _public_session_naming_a_newcomer(dialogue, db)
    rapporteur = await signed_in(dialogue.rapporteur)
    answer = await rapporteur.post(f"/console/series/{dialogue.series.id}/republish")
    assert answer.status_code == 403
    stranger_series = await factory.series()  # type: ignore[attr-defined]
    organiser = await signed_in(dialogue.organiser)
    answer = await organiser.post(f"/console/series/{stranger_series.id}/republish")
    assert answer.status_code == 404
