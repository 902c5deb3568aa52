"""The editions screens' actions: "Publish all approved editions" (the API's service, all or
nothing, a confirmation before it, the result or the refusal said on the screen), and a
refused review that keeps what the reviewer typed."""

from __future__ import annotations

import html

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.models import OutboxKind, OutboxMessage
from tests.console.conftest import SignedIn
from tests.reports.conftest import Demo, demo  # noqa: F401  (the demo series fixture)

WORDS = {"ps": "ژباړه", "ar": "ترجمة"}  # "translation", before each translated point


def _api(demo: Demo, tail: str = "") -> str:  # noqa: F811
    return f"/api/v1/reports/{demo.summary.id}/editions{tail}"


async def _submit(client: httpx.AsyncClient, demo: Demo, lang: str) -> None:  # noqa: F811
    """The rapporteur translates ``lang`` completely and submits it for review."""
    r = await client.get(_api(demo, "/source"), headers=demo.rapporteur.headers)
    texts = r.json()["texts"]
    texts["points"] = {k: f"{WORDS[lang]}: {v}" for k, v in texts["points"].items()}
    r = await client.put(
        _api(demo, f"/{lang}"), json={"texts": texts}, headers=demo.rapporteur.headers
    )
    assert r.status_code == 201, r.text
    r = await client.post(_api(demo, f"/{lang}/submit"), headers=demo.rapporteur.headers)
    assert r.status_code == 200, r.text


async def _approve(client: httpx.AsyncClient, demo: Demo, lang: str) -> None:  # noqa: F811
    await _submit(client, demo, lang)
    r = await client.post(
        _api(demo, f"/{lang}/review"), json={"action": "approve"}, headers=demo.organiser.headers
    )
    assert r.status_code == 200, r.text


async def _states(client: httpx.AsyncClient, demo: Demo) -> dict[str, str]:  # noqa: F811
    r = await client.get(_api(demo), headers=demo.organiser.headers)
    return {e["language"]: e["status"] for e in r.json()}


async def _add_alias(client: httpx.AsyncClient, demo: Demo, alias: str) -> None:  # noqa: F811
    """Someone in the directory is now also known as ``alias``."""
    r = await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={
            "given_name": "Zmarai",
            "family_name": "Oryakhel",
            "aliases": [alias],
            "sector": "scholar",
            "country": "AF",
        },
        headers=demo.organiser.headers,
    )
    assert r.status_code in (200, 201), r.text


async def test_publish_all_approved_editions_from_the_screen(
    demo: Demo,  # noqa: F811
    client: httpx.AsyncClient,
    signed_in: SignedIn,
) -> None:
    screen = f"/console/reports/{demo.summary.id}/editions"
    organiser = await signed_in(demo.organiser)
    r = await organiser.get(screen)
    assert "Publish all approved editions" not in r.text  # none approved
    for lang in ("ps", "ar"):
        await _approve(client, demo, lang)

    rapporteur = await signed_in(demo.rapporteur)
    r = await rapporteur.get(screen)
    assert r.status_code == 200
    assert "Publish all approved editions" not in r.text  # organisers publish
    r = await rapporteur.post(f"{screen}/publish")
    assert r.status_code == 403
    assert await _states(client, demo) == {"fa-AF": "published", "ps": "approved", "ar": "approved"}

    r = await organiser.get(screen)
    page = html.unescape(r.text)
    assert "Publish all approved editions" in page
    # The browser asks first (console.js reads data-confirm), naming what will be published.
    assert 'data-confirm="Publish 2 approved editions (پښتو, العربية) of version 1 now?' in page
    r = await organiser.post(f"{screen}/publish")
    assert r.status_code == 303
    assert r.headers["location"] == f"{screen}?published=ar&published=ps"
    r = await organiser.get(r.headers["location"])
    assert (
        'Published 2 editions: <bdi lang="ps">پښتو</bdi> as version 1.3, '
        '<bdi lang="ar">العربية</bdi> as version 1.2.'
    ) in html.unescape(r.text)
    assert "Publish all approved editions" not in r.text
    assert await _states(client, demo) == {
        "fa-AF": "published",
        "ps": "published",
        "ar": "published",
    }
    # Again, with nothing approved: refused, said on the screen.
    r = await organiser.post(f"{screen}/publish")
    assert r.status_code == 409
    assert "Nothing was published." in r.text
    assert "No edition of this version is approved" in r.text


async def test_publish_all_is_all_or_nothing(
    demo: Demo,  # noqa: F811
    client: httpx.AsyncClient,
    db: AsyncSession,
    signed_in: SignedIn,
) -> None:
    """Arabic would publish, Pashto is refused (someone in the directory is now known by a
    word of its text): neither is published, and the screen says which one was refused."""
    for lang in ("ps", "ar"):
        await _approve(client, demo, lang)
    await _add_alias(client, demo, WORDS["ps"])
    organiser = await signed_in(demo.organiser)
    screen = f"/console/reports/{demo.summary.id}/editions"
    r = await organiser.post(f"{screen}/publish")
    assert r.status_code == 409, r.text[:300]
    page = html.unescape(r.text)
    assert (
        "<strong>Nothing was published.</strong> The <bdi>پښتو</bdi> edition was refused:" in page
    )
    # The screen shows what is true: both still approved, the button still there.
    assert page.count("Approved, not yet published") == 2
    assert "Publish all approved editions" in page
    assert await _states(client, demo) == {"fa-AF": "published", "ps": "approved", "ar": "approved"}
    webhooks = await db.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == OutboxKind.WEBHOOK)
    )
    assert webhooks.all() == []
    # The API's answer names the language refused too.
    r = await client.post(_api(demo, "/publish"), headers=demo.organiser.headers)
    assert r.status_code == 409
    assert r.json()["language"] == "ps"


async def test_a_refused_review_keeps_the_reviewers_note(
    demo: Demo,  # noqa: F811
    client: httpx.AsyncClient,
    signed_in: SignedIn,
) -> None:
    await _submit(client, demo, "ar")
    await _add_alias(client, demo, WORDS["ar"])  # approval checks the directory again
    organiser = await signed_in(demo.organiser)
    form = f"/console/reports/{demo.summary.id}/editions/ar"
    note = "Check the third point against the English, please."
    for action in ("approve", "return"):
        r = await organiser.post(form, data={"action": action, "note": note})
        if action == "approve":
            assert r.status_code == 422, r.text[:300]
            assert f">{note}</textarea>" in r.text
            assert 'id="f-note"' in r.text
    # Returning needs no guard: the typed note went with it.
    assert r.status_code == 303
    edition = (await client.get(_api(demo, "/ar"), headers=demo.organiser.headers)).json()
    assert (edition["status"], edition["review_note"]) == ("draft", note)


async def test_a_return_without_a_note_is_refused_at_the_note(
    demo: Demo,  # noqa: F811
    client: httpx.AsyncClient,
    signed_in: SignedIn,
) -> None:
    await _submit(client, demo, "ar")
    organiser = await signed_in(demo.organiser)
    form = f"/console/reports/{demo.summary.id}/editions/ar"
    r = await organiser.post(form, data={"action": "return", "note": "  "})
    assert r.status_code == 422
    assert 'id="f-note-error"' in r.text
    # A note the API's schema refuses (a NUL) is a refusal at the note too, never a 500.
    r = await organiser.post(form, data={"action": "approve", "note": "bad\x00note"})
    assert r.status_code == 422
    assert 'id="f-note-error"' in r.text
    assert (await _states(client, demo))["ar"] == "submitted"
