"""A second pair of eyes on the console's editions screens (review): nothing of another
series' editions reaches a stranger; a form naming a participant in Arabic script is
refused at its field and nothing is stored; four eyes hold on the screens as in the API; a
taken-down edition is not served from the screens' public links."""

from __future__ import annotations

import httpx

from tests.console.conftest import SignedIn
from tests.factories import Factory
from tests.reports.conftest import Demo, demo  # noqa: F401  (the demo series fixture)

DARI_ENVOY = "جلالتمآب"


async def _source(client: httpx.AsyncClient, demo: Demo) -> dict:  # noqa: F811
    r = await client.get(
        f"/api/v1/reports/{demo.summary.id}/editions/source", headers=demo.rapporteur.headers
    )
    assert r.status_code == 200, r.text
    return r.json()["texts"]


async def _languages(client: httpx.AsyncClient, demo: Demo) -> dict[str, str]:  # noqa: F811
    r = await client.get(
        f"/api/v1/reports/{demo.summary.id}/editions", headers=demo.organiser.headers
    )
    return {e["language"]: e["status"] for e in r.json()}


async def test_another_series_editions_screens_are_404(
    demo: Demo,  # noqa: F811
    signed_in: SignedIn,
    factory: Factory,
) -> None:
    stranger = await factory.caller()
    await factory.series(organiser=stranger)
    browser = await signed_in(stranger)
    base = f"/console/reports/{demo.summary.id}/editions"
    for url in (base, f"{base}/fa-AF", f"{base}/ar", f"{base}/fa-AF/download?format=pdf"):
        r = await browser.get(url)
        assert r.status_code == 404, (url, r.status_code)
        assert DARI_ENVOY not in r.text
        assert "Sultani" not in r.text
    for action in ("save", "submit", "approve", "publish"):
        r = await browser.post(f"{base}/fa-AF", data={"action": action})
        assert r.status_code == 404, (action, r.status_code)
        assert DARI_ENVOY not in r.text


async def test_anonymous_visitors_get_nothing_of_the_screens(
    demo: Demo,  # noqa: F811
    app: object,
) -> None:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        base = f"/console/reports/{demo.summary.id}/editions"
        for url in (base, f"{base}/fa-AF", f"{base}/fa-AF/download?format=pdf"):
            r = await http.get(url)
            assert r.status_code in (302, 303, 401, 404), (url, r.status_code)
            assert DARI_ENVOY not in r.text


async def test_a_form_naming_a_participant_is_refused_at_its_field_and_not_stored(
    demo: Demo,  # noqa: F811
    client: httpx.AsyncClient,
    signed_in: SignedIn,
) -> None:
    texts = await _source(client, demo)
    point = list(texts["points"])[4]
    browser = await signed_in(demo.rapporteur)
    r = await browser.post(
        f"/console/reports/{demo.summary.id}/editions/ar",
        data={
            "action": "save",
            "series.title": "الدعم الإقليمي والدولي",
            f"points.{point}": "قال فريد سلطاني إن عملية السلام بطيئة.",
        },
    )
    assert r.status_code == 422, (r.status_code, r.text[:300])
    assert "no-store" in r.headers.get("cache-control", "")
    assert f"points.{point}" in r.text
    assert "ar" not in await _languages(client, demo)


async def test_the_screens_keep_four_eyes_after_a_resave(
    demo: Demo,  # noqa: F811
    client: httpx.AsyncClient,
    signed_in: SignedIn,
) -> None:
    """The organiser translates on the screen, the rapporteur re-saves and submits, the
    organiser's approve is refused and the edition stays submitted."""
    texts = await _source(client, demo)
    texts["points"] = {k: f"ترجمة: {v}" for k, v in texts["points"].items()}
    url = f"/api/v1/reports/{demo.summary.id}/editions/ar"
    r = await client.put(url, json={"texts": texts}, headers=demo.organiser.headers)
    assert r.status_code == 201, r.text
    r = await client.put(url, json={"texts": texts}, headers=demo.rapporteur.headers)
    assert r.status_code == 200, r.text
    r = await client.post(f"{url}/submit", headers=demo.rapporteur.headers)
    assert r.status_code == 200, r.text
    organiser = await signed_in(demo.organiser)
    r = await organiser.post(
        f"/console/reports/{demo.summary.id}/editions/ar", data={"action": "approve"}
    )
    assert r.status_code == 403, (r.status_code, r.text[:300])
    assert (await _languages(client, demo))["ar"] == "submitted"


async def test_the_console_shows_an_edition_only_takedown_and_republishing_keeps_it_down(
    demo: Demo,  # noqa: F811
    client: httpx.AsyncClient,
    signed_in: SignedIn,
) -> None:
    """A name whose Arabic-script alias is in the Dari title only: the organisers' series
    page lists the takedown, rapporteurs and strangers see none of it, one republish puts the
    English back, and the Dari edition stays down in every format and on its page."""
    word = "میزبانی"
    organiser = await signed_in(demo.organiser)
    series_url = f"/console/series/{demo.series.id}"
    r = await client.post(
        f"/api/v1/series/{demo.series.id}/people",
        json={
            "given_name": "Mezbani",
            "family_name": "Rahmani",
            "aliases": [word],
            "sector": "scholar",
            "country": "AF",
        },
        headers=demo.organiser.headers,
    )
    assert r.status_code in (200, 201), r.text
    page = await organiser.get(series_url)
    assert page.status_code == 200
    assert "Taken down" in page.text
    rapporteur = await signed_in(demo.rapporteur)
    assert "Taken down" not in (await rapporteur.get(series_url)).text
    republished = await organiser.post(f"{series_url}/republish")
    assert republished.status_code == 303, republished.text[:500]
    rid = demo.summary.id
    english = await client.get(f"/api/v1/public/reports/{rid}", params={"format": "md"})
    assert english.status_code == 200
    for fmt in ("pdf", "docx", "html", "md", "json"):
        r = await client.get(
            f"/api/v1/public/reports/{rid}", params={"lang": "fa-AF", "format": fmt}
        )
        assert r.status_code in (404, 410), (fmt, r.status_code)
        assert word not in r.text
    r = await client.get(f"/reports/{rid}", params={"lang": "fa-AF"})
    assert r.status_code in (404, 410)
    assert word not in r.text
    # The editions screen says the Dari edition was withdrawn; it is not public.
    screen = await organiser.get(f"/console/reports/{rid}/editions")
    assert screen.status_code == 200
    assert f"/reports/{rid}?lang=fa-AF" not in screen.text
