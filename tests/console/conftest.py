"""Console fixtures: a browser-like client that signs in, keeps cookies and fills in the
CSRF token of every form it posts.

``console`` is an anonymous :class:`ConsoleClient` over the suite's rolled-back app;
``signed_in(caller)`` gives one signed in as ``caller`` (a web session started through
:class:`SignInService`, as following an e-mailed link does). E-mails are read from the outbox
rows of the test transaction (:func:`outbox_mail`); the browser tests read real SMTP.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.outbox.models import OutboxMessage
from app.users import pages as users_pages
from app.users.models import User
from app.users.signin import SESSION_COOKIE, SignInService
from tests.factories import Caller, Factory
from tests.key_points.conftest import Dialogue, build_dialogue

_TITLE = re.compile(r"<h1[^>]*>(.*?)</h1>", re.S)
_TOKEN = re.compile(r'<meta name="csrf-token" content="([^"]*)">')


@dataclass
class ConsoleClient:
    """An httpx client that behaves like a browser on the console."""

    http: httpx.AsyncClient

    csrf: str = ""

    async def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return await self.http.get(url, **kwargs)

    async def ensure_csrf(self) -> None:
        """The token a page shows now (it follows the session cookie, so read it afresh)."""
        page = await self.http.get("/sign-in")
        found = _TOKEN.search(page.text)
        assert found, "no CSRF token on the page"
        self.csrf = found.group(1)

    async def post(
        self, url: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """A form post with the page's CSRF token (as the browser's form would send it)."""
        await self.ensure_csrf()
        return await self.http.post(url, data={"csrftoken": self.csrf, **(data or {})}, **kwargs)

    async def htmx(
        self, method: str, url: str, data: dict[str, Any] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """What htmx sends: the HX-Request header and the token from hx-headers."""
        await self.ensure_csrf()
        headers = {"HX-Request": "true", "X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        return await self.http.request(method, url, data=data, headers=headers, **kwargs)


def h1(response: httpx.Response) -> str:
    """The text of the page's h1 (there is exactly one)."""
    found = _TITLE.findall(response.text)
    assert len(found) == 1, f"expected one h1, found {len(found)}"
    return re.sub(r"<[^>]+>", "", found[0]).strip()


@pytest.fixture
def no_even_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sign-in answers normally wait for a floor time; most tests need not."""
    monkeypatch.setattr(users_pages, "MIN_SIGN_IN_SECONDS", 0.0)


@pytest.fixture
async def console(app: FastAPI) -> AsyncIterator[ConsoleClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://testserver", follow_redirects=False
    ) as http:
        yield ConsoleClient(http)


SignedIn = Callable[[Caller], Awaitable[ConsoleClient]]


@pytest.fixture
async def signed_in(app: FastAPI, db: AsyncSession, settings: Settings) -> AsyncIterator[SignedIn]:
    """``await signed_in(caller)``: a console client with a live web session for caller."""
    opened: list[httpx.AsyncClient] = []

    async def make(caller: Caller) -> ConsoleClient:
        user = await db.get(User, caller.id)
        assert user is not None
        started = await SignInService(db, settings).start_session(user, "pytest")
        await db.commit()
        http = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app),
            base_url="http://testserver",
            follow_redirects=False,
            cookies={SESSION_COOKIE: started.cookie},
        )
        opened.append(http)
        return ConsoleClient(http)

    yield make
    for http in opened:
        await http.aclose()


async def outbox_mail(db: AsyncSession, to: str) -> list[dict[str, Any]]:
    """The e-mail payloads queued for ``to`` in the test transaction, oldest first."""
    rows = (await db.execute(select(OutboxMessage).order_by(OutboxMessage.created_at))).scalars()
    return [r.payload for r in rows if str(r.payload.get("to", "")).lower() == to.lower()]


@pytest.fixture
async def dialogue(factory: Factory, db: AsyncSession) -> Dialogue:
    """A held session with parts under every regime and a roster (tests/key_points)."""
    return await build_dialogue(factory, db)
