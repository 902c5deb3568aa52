"""The front door and what every page shares: security headers, the landing page, the
offline API reference, Track2's own copy of htmx, HTML 404s for console URLs."""

from __future__ import annotations

import hashlib
import re
import uuid
from pathlib import Path

import httpx
import pytest

from app.console.rendering import HTMX_FILE, STATIC_DIR
from tests.console.conftest import ConsoleClient, SignedIn, h1
from tests.factories import Factory

REPO = Path(__file__).resolve().parents[2]
PUBLIC_PAGES = [
    "/",
    "/subscribe",
    "/sign-in",
    "/api/docs",
    "/series/no-such-series",
    "/reports/download?token=altered",
    "/subscriptions/confirm?token=altered",
]


def _csp(response: httpx.Response) -> dict[str, str]:
    policy = response.headers["content-security-policy"]
    return {d.split(" ", 1)[0]: d.split(" ", 1)[1] for d in policy.split("; ")}


@pytest.mark.parametrize("path", PUBLIC_PAGES)
async def test_public_pages_send_the_security_headers(client: httpx.AsyncClient, path: str) -> None:
    response = await client.get(path)
    assert response.status_code < 500
    assert response.headers["content-type"].startswith("text/html")
    csp = _csp(response)
    assert csp["script-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] in {"no-referrer", "same-origin"}
    # No inline script anywhere (the policy would block it, so it must not be needed).
    assert not re.search(r"<script(?![^>]*\bsrc=)", response.text)
    assert not re.search(r"\son[a-z]+=", response.text)


async def test_console_pages_send_a_strict_policy_without_inline_style(
    signed_in: SignedIn, factory: Factory
) -> None:
    browser = await signed_in(await factory.caller())
    response = await browser.get("/console")
    csp = _csp(response)
    assert csp["style-src"] == "'self'"
    assert csp["default-src"] == "'none'"
    assert response.headers["cache-control"] == "no-store"
    assert " style=" not in response.text
    assert '"includeIndicatorStyles":false' in response.text


async def test_landing_lists_series_with_published_summaries_and_the_way_in(
    client: httpx.AsyncClient,
) -> None:
    response = await client.get("/")
    assert response.status_code == 200
    assert 'href="/sign-in"' in response.text
    assert 'href="/subscribe"' in response.text
    assert h1(response) == "Track 2 dialogues"


async def test_api_reference_uses_only_track2s_own_files(client: httpx.AsyncClient) -> None:
    page = await client.get("/api/docs")
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources
    assert all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        if source.startswith("/static/"):
            asset = await client.get(source)
            assert asset.status_code == 200, source
    assert (await client.get("/api/v1/openapi.json")).status_code == 200


async def test_htmx_is_the_vendored_pinned_file(client: httpx.AsyncClient) -> None:
    readme = (STATIC_DIR / "vendor" / "README.md").read_text()
    digest = hashlib.sha256((STATIC_DIR / HTMX_FILE).read_bytes()).hexdigest()
    assert digest in readme
    served = await client.get(f"/static/{HTMX_FILE}")
    assert served.status_code == 200
    assert 'version:"2.0.10"' in served.text


async def test_console_urls_answer_an_html_404_for_unknown_and_malformed_ids(
    signed_in: SignedIn, factory: Factory
) -> None:
    browser = await signed_in(await factory.caller())
    for path in (f"/console/series/{uuid.uuid4()}", "/console/series/not-an-id"):
        response = await browser.get(path)
        assert response.status_code == 404
        assert response.headers["content-type"].startswith("text/html")
        assert h1(response) == "Not found"


async def test_signed_out_visitor_is_sent_to_sign_in_and_comes_back(
    console: ConsoleClient,
) -> None:
    response = await console.get("/console/account")
    assert response.status_code == 303
    assert response.headers["location"] == "/sign-in?next=/console/account"
    form = await console.get(response.headers["location"])
    assert 'name="next" value="/console/account"' in form.text
    hx = await console.htmx("GET", "/console/account")
    assert hx.headers["hx-redirect"].startswith("/sign-in")


def test_the_console_docs_show_pictures_the_browser_tests_took() -> None:
    doc = (REPO / "docs" / "console.md").read_text()
    pictures = re.findall(r"\]\((console/[a-z0-9-]+\.png)\)", doc)
    assert len(pictures) >= 8
    for picture in pictures:
        assert (REPO / "docs" / picture).is_file(), picture
