"""Sign-in by e-mailed link, web sessions, sign-out, CSRF: what a member and an attacker see."""

from __future__ import annotations

import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.kit.clock import utcnow
from app.users.models import SignInLink, WebSession
from app.users.schemas import UserUpdate
from app.users.service import UserService
from app.users.signin import SESSION_COOKIE
from tests.console.conftest import ConsoleClient, SignedIn, h1, outbox_mail
from tests.factories import Factory

pytestmark = pytest.mark.usefixtures("no_even_timing")

LINK = re.compile(r"http://testserver(/sign-in/link\?token=[A-Za-z0-9_.\-]+)")


async def _link_for(console: ConsoleClient, db: AsyncSession, email: str) -> str:
    response = await console.post("/sign-in", {"email": email})
    assert response.status_code == 200
    mails = await outbox_mail(db, email)
    match = LINK.search(mails[-1]["text"])
    assert match, mails[-1]["text"]
    return match.group(1)


async def test_sign_in_by_link_starts_a_session_that_opens_the_console(
    console: ConsoleClient, db: AsyncSession, factory: Factory
) -> None:
    caller = await factory.caller(email="organiser@example.org")
    assert (await console.get("/console")).headers["location"].startswith("/sign-in?next=")
    link = await _link_for(console, db, "Organiser@Example.org")
    # Following the link shows a button; a GET signs nobody in (mail scanners follow links).
    page = await console.get(link)
    assert page.status_code == 200
    assert h1(page) == "Sign in to Track2"
    assert SESSION_COOKIE not in console.http.cookies
    token = link.split("token=")[1]
    signed = await console.post("/sign-in/link", {"token": token})
    assert signed.status_code == 303
    assert signed.headers["location"] == "/console"
    cookie = signed.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=lax" in cookie.replace("Lax", "lax")
    home = await console.get("/console")
    assert home.status_code == 200
    assert h1(home) == "My series"
    assert caller.user.email in home.text
    stored = (await db.execute(select(WebSession))).scalars().all()
    cookie_value = console.http.cookies[SESSION_COOKIE]
    assert all(cookie_value not in (s.token_hash, s.id.hex) for s in stored)


async def test_sign_in_link_works_once_then_says_it_was_used(
    console: ConsoleClient, db: AsyncSession, factory: Factory
) -> None:
    await factory.caller(email="rapporteur@example.org")
    link = await _link_for(console, db, "rapporteur@example.org")
    token = link.split("token=")[1]
    assert (await console.post("/sign-in/link", {"token": token})).status_code == 303
    again = await console.post("/sign-in/link", {"token": token})
    assert again.status_code == 400
    assert h1(again) == "This sign-in link was already used"
    assert 'action="/sign-in"' in again.text  # the form for a new link


async def test_tampered_and_expired_links_get_pages_that_say_so(
    console: ConsoleClient, db: AsyncSession, factory: Factory, settings: Settings
) -> None:
    await factory.caller(email="late@example.org")
    link = await _link_for(console, db, "late@example.org")
    tampered = await console.get(link[:-3] + "abc")
    assert tampered.status_code == 400
    assert h1(tampered) == "This sign-in link does not work"
    # The stored link's own expiry (15 minutes) is checked even when the signature is young.
    await db.execute(
        SignInLink.__table__.update().values(expires_at=utcnow() - timedelta(seconds=1))
    )
    await db.commit()
    expired = await console.post("/sign-in/link", {"token": link.split("token=")[1]})
    assert expired.status_code == 400
    assert h1(expired) == "This sign-in link has expired"


async def test_sign_in_answers_the_same_for_known_and_unknown_addresses(
    console: ConsoleClient, db: AsyncSession, factory: Factory
) -> None:
    await factory.caller(email="known@example.org")
    known = await console.post("/sign-in", {"email": "known@example.org"})
    unknown = await console.post("/sign-in", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200

    def scrub(text: str) -> str:
        return text.replace("known@example.org", "X").replace("nobody@example.org", "X")

    assert scrub(known.text) == scrub(unknown.text)
    # Exactly one e-mail each: a link for the member, a "no account" note for the other.
    known_mail = await outbox_mail(db, "known@example.org")
    unknown_mail = await outbox_mail(db, "nobody@example.org")
    assert len(known_mail) == len(unknown_mail) == 1
    assert known_mail[0]["subject"] == unknown_mail[0]["subject"]
    assert LINK.search(known_mail[0]["text"])
    assert not LINK.search(unknown_mail[0]["text"])


async def test_sign_in_form_error_is_shown_next_to_the_field_and_keeps_the_input(
    console: ConsoleClient, db: AsyncSession
) -> None:
    response = await console.post("/sign-in", {"email": "not an address"})
    assert response.status_code == 422
    assert 'id="f-email-error"' in response.text
    assert 'aria-invalid="true"' in response.text
    assert 'value="not an address"' in response.text
    assert await outbox_mail(db, "not an address") == []


async def test_sign_in_is_rate_limited_per_address(
    console: ConsoleClient, settings: Settings
) -> None:
    for _ in range(settings.console.sign_in_per_address_per_hour):
        assert (await console.post("/sign-in", {"email": "x@example.org"})).status_code == 200
    refused = await console.post("/sign-in", {"email": "x@example.org"})
    assert refused.status_code == 429
    assert "Too many sign-in requests" in refused.text


async def test_sign_in_is_rate_limited_per_ip_across_addresses(
    console: ConsoleClient, settings: Settings, db: AsyncSession
) -> None:
    """Many addresses from one IP (each under its own limit) are refused past the IP's."""
    for n in range(settings.console.sign_in_per_ip_per_hour):
        answer = await console.post("/sign-in", {"email": f"x{n}@example.org"})
        assert answer.status_code == 200
    refused = await console.post("/sign-in", {"email": "fresh@example.org"})
    assert refused.status_code == 429
    assert "Too many sign-in requests" in refused.text
    assert await outbox_mail(db, "fresh@example.org") == []


async def test_sign_out_ends_the_session(signed_in: SignedIn, factory: Factory) -> None:
    browser = await signed_in(await factory.caller())
    assert (await browser.get("/console")).status_code == 200
    out = await browser.post("/sign-out")
    assert out.status_code == 303
    assert (await browser.get("/console")).status_code == 303


async def test_sign_out_everywhere_ends_every_browser(
    signed_in: SignedIn, factory: Factory
) -> None:
    caller = await factory.caller()
    laptop, phone = await signed_in(caller), await signed_in(caller)
    assert (await phone.get("/console")).status_code == 200
    account = await laptop.get("/console/account")
    assert account.text.count("<tr>") == 3  # header + two browsers
    assert (await laptop.post("/sign-out/everywhere")).status_code == 303
    ended = await phone.get("/console")
    assert ended.status_code == 303
    assert "ended=1" in ended.headers["location"]


async def test_deactivating_a_user_ends_their_sessions_at_once(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    await factory.caller(is_admin=True)
    browser = await signed_in(caller)
    assert (await browser.get("/console")).status_code == 200
    await UserService(db).update_user(caller.id, UserUpdate(is_active=False))
    await db.commit()
    assert (await browser.get("/console")).status_code == 303
    rows = (await db.execute(select(WebSession).where(WebSession.app_user_id == caller.id))).all()
    assert all(row[0].revoked_at is not None for row in rows)


async def test_idle_and_absolute_expiry_end_a_session(
    signed_in: SignedIn, factory: Factory, db: AsyncSession, settings: Settings
) -> None:
    caller = await factory.caller()
    browser = await signed_in(caller)
    idle = timedelta(minutes=settings.console.session_idle_minutes)
    await db.execute(
        WebSession.__table__.update()
        .where(WebSession.app_user_id == caller.id)
        .values(last_seen_at=utcnow() - idle - timedelta(seconds=1))
    )
    await db.commit()
    assert (await browser.get("/console")).status_code == 303
    fresh = await signed_in(caller)
    await db.execute(
        WebSession.__table__.update()
        .where(WebSession.app_user_id == caller.id, WebSession.revoked_at.is_(None))
        .values(expires_at=utcnow() - timedelta(seconds=1), last_seen_at=utcnow())
    )
    await db.commit()
    assert (await fresh.get("/console")).status_code == 303


async def test_sign_in_rotates_the_session_cookie(
    console: ConsoleClient, db: AsyncSession, factory: Factory
) -> None:
    await factory.caller(email="rotate@example.org")
    console.http.cookies.set(SESSION_COOKIE, "planted-by-someone-else", domain="testserver.local")
    link = await _link_for(console, db, "rotate@example.org")
    await console.post("/sign-in/link", {"token": link.split("token=")[1]})
    assert console.http.cookies[SESSION_COOKIE] != "planted-by-someone-else"
    first = console.http.cookies[SESSION_COOKIE]
    second_link = await _link_for(console, db, "rotate@example.org")
    await console.post("/sign-in/link", {"token": second_link.split("token=")[1]})
    assert console.http.cookies[SESSION_COOKIE] != first
    # The session the browser had before is over.
    async with httpx.AsyncClient(
        transport=console.http._transport,
        base_url="http://testserver",
        cookies={SESSION_COOKIE: first},
    ) as old:
        assert (await old.get("/console")).status_code == 303


async def test_a_cross_site_post_without_the_token_is_refused(
    signed_in: SignedIn, factory: Factory
) -> None:
    browser = await signed_in(await factory.caller())
    await browser.get("/console")
    forged = await browser.http.post("/sign-out", data={})
    assert forged.status_code == 403
    assert "This form was refused" in forged.text
    wrong = await browser.http.post("/sign-out", data={"csrftoken": "forged"})
    assert wrong.status_code == 403
    # The sign-in button is protected even without any cookie (no login CSRF).
    assert (await browser.get("/console")).status_code == 200


async def test_a_post_from_another_site_is_refused_even_with_the_token(
    signed_in: SignedIn, factory: Factory
) -> None:
    browser = await signed_in(await factory.caller())
    await browser.ensure_csrf()
    for headers in ({"Origin": "https://evil.example"}, {"Sec-Fetch-Site": "cross-site"}):
        forged = await browser.http.post(
            "/sign-out", data={"csrftoken": browser.csrf}, headers=headers
        )
        assert forged.status_code == 403, headers
    assert (await browser.get("/console")).status_code == 200  # still signed in
    same_site = await browser.http.post(
        "/sign-out", data={"csrftoken": browser.csrf}, headers={"Origin": "http://testserver"}
    )
    assert same_site.status_code == 303


@pytest.mark.parametrize(
    ("environment", "base_url", "secure"),
    [
        ("development", "http://127.0.0.1:8000", False),
        ("development", "https://console.example.org", True),
        ("production", "http://track2.internal:8000", True),
    ],
)
def test_the_session_cookie_is_secure_outside_development(
    environment: str, base_url: str, secure: bool
) -> None:
    """The cookie set at sign-in: HttpOnly and SameSite=Lax always, Secure in production
    and whenever the site is served over HTTPS."""
    from fastapi.responses import Response

    from app.users.pages import set_session_cookie
    from app.users.signin import StartedSession
    from tests.conftest import make_settings

    settings = make_settings(
        "sqlite+aiosqlite://",
        environment=environment,
        base_url=base_url,
        secret_key="a-random-production-secret-that-is-long-enough-0123456789",
    )
    response = Response()
    started = StartedSession(cookie="opaque", web_session=None, user=None)  # type: ignore[arg-type]
    set_session_cookie(response, started, settings)
    cookie = response.headers["set-cookie"]
    assert "HttpOnly" in cookie
    assert "samesite=lax" in cookie.lower()
    assert ("Secure" in cookie) is secure
