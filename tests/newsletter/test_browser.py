"""The public pages in a real browser: subscribe, confirm, unsubscribe, end to end.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; nothing is downloaded. The
app runs under uvicorn in a subprocess on a free loopback port, against a temporary SQLite
database built by the migrations, sending mail over SMTP to a real aiosmtpd server. The test
runs the outbox worker itself, so it decides when mail goes out.
"""

from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.clock import utcnow
from app.kit.migrations import upgrade_to_head
from app.newsletter.models import Subscription, SubscriptionStatus
from app.outbox.worker import OutboxWorker
from app.series.schemas import SeriesCreate
from app.series.service import SeriesService
from app.users.schemas import TokenCreate, UserCreate
from app.users.service import Principal, UserService
from tests.conftest import make_settings
from tests.smtp import SmtpSink, free_port, running_smtp_sink

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
LINK = re.compile(r"(http://127\.0\.0\.1:\d+/subscriptions/confirm\?token=[A-Za-z0-9_.\-]+)")

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser test drives /usr/bin/chromium; install Debian's chromium "
    "(apt-get install chromium) to run it",
)


@dataclass
class Server:
    base_url: str
    settings: Settings
    sink: SmtpSink
    organiser_token: str
    series_id: str


@pytest.fixture
def smtp() -> Iterator[SmtpSink]:
    with running_smtp_sink() as sink:
        yield sink


@pytest.fixture
async def server(tmp_path: Path, smtp: SmtpSink) -> AsyncIterator[Server]:
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    url = f"sqlite+aiosqlite:///{tmp_path / 'browser.db'}"
    # Alembic's env.py runs its own event loop: give it a thread of its own.
    await asyncio.to_thread(upgrade_to_head, url)
    settings = make_settings(url, base_url=base_url, mail=smtp.mail_settings())
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            users = UserService(db)
            user = await users.create_user(
                UserCreate(email="organiser@example.org", display_name="Organiser")
            )
            _, token = await users.issue_token(user.id, TokenCreate(name="browser test"))
            principal = Principal(
                user_id=user.id, email=user.email, is_admin=False, token_id=user.id
            )
            series = await SeriesService(db).create_series(
                principal,
                SeriesCreate(
                    title="Regional and International Support for Afghan Peace",
                    slug="afghan-peace",
                    organiser="Heart of Asia Society",
                ),
                "Asia/Kabul",
            )
            # Listed, as after its first publication: unlisted series are in no public form.
            series.listed_at = utcnow()
            await db.commit()
    finally:
        await engine.dispose()

    env = {
        **os.environ,
        "PYTHONPATH": str(REPO),
        "TRACK2_DATABASE_URL": url,
        "TRACK2_BASE_URL": base_url,
        "TRACK2_SECRET_KEY": settings.secret_key.get_secret_value(),
        "TRACK2_MAIL__BACKEND": "smtp",
        "TRACK2_MAIL__SMTP_HOST": smtp.host,
        "TRACK2_MAIL__SMTP_PORT": str(smtp.port),
        "TRACK2_LOG_JSON": "false",
        # The test delivers mail itself (_deliver); a second, in-process worker would race it.
        "TRACK2_OUTBOX__RUN_IN_SERVE": "false",
    }
    process = await asyncio.to_thread(_start_app, port, env, tmp_path)
    try:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as client:
            while True:
                try:
                    if (await client.get(f"{base_url}/healthz")).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        "the app did not start: " + (process.stderr.read() or b"").decode()[-2000:]
                        if process.stderr
                        else "the app did not start"
                    )
                await asyncio.sleep(0.1)
        yield Server(base_url, settings, smtp, token, str(series.id))
    finally:
        await asyncio.to_thread(_stop_app, process)


def _start_app(port: int, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-access-log"]
    return subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )


def _stop_app(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr:
        process.stderr.close()


async def _deliver(server: Server) -> None:
    engine = create_engine(server.settings, pooled=False)
    try:
        await OutboxWorker(create_sessionmaker(engine), server.settings).drain()
    finally:
        await engine.dispose()


async def _status(server: Server) -> SubscriptionStatus:
    engine = create_engine(server.settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            status: SubscriptionStatus = (
                await db.execute(select(Subscription.status))
            ).scalar_one()
            return status
    finally:
        await engine.dispose()


async def test_subscribe_confirm_and_unsubscribe_in_a_browser(server: Server) -> None:
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            page = await browser.new_page()
            await page.goto(f"{server.base_url}/subscribe")
            assert await page.get_attribute("html", "lang") == "en"
            await page.get_by_label("Regional and International Support for Afghan Peace").check()
            await page.get_by_label("E-mail address", exact=True).fill("reader@example.org")
            await page.get_by_label("Name (optional)", exact=True).fill("A. Reader")
            await page.get_by_label("I agree that Track2 may store").check()
            await page.get_by_role("button", name="Subscribe").click()
            await page.get_by_role("heading", name="Check your inbox").wait_for()

            await _deliver(server)
            [mail] = server.sink.received()
            assert mail.rcpt_tos == ["reader@example.org"]
            body = mail.message.get_body(preferencelist=("plain",))
            assert body is not None
            [confirm_link] = set(LINK.findall(body.get_content()))

            await page.goto(confirm_link)
            await page.get_by_role("heading", name="Confirm your subscription").wait_for()
            assert await _status(server) is SubscriptionStatus.PENDING
            await page.get_by_role("button", name="Confirm my subscription").click()
            await page.get_by_text("Your subscription is confirmed").wait_for()
            assert await _status(server) is SubscriptionStatus.CONFIRMED

            async with httpx.AsyncClient(
                base_url=server.base_url,
                headers={"Authorization": f"Bearer {server.organiser_token}"},
            ) as api:
                issue = await api.post(
                    f"/api/v1/series/{server.series_id}/newsletters",
                    json={"subject": "The third session", "body_markdown": "Main points."},
                )
                assert issue.status_code == 201, issue.text
                sent = await api.post(f"/api/v1/newsletters/{issue.json()['id']}/send")
                assert sent.status_code == 202
            await _deliver(server)
            newsletter = server.sink.received()[-1]
            assert str(newsletter.message["Subject"]) == "The third session"
            unsubscribe_url = str(newsletter.message["List-Unsubscribe"]).strip().strip("<>")

            await page.goto(unsubscribe_url)
            await page.get_by_role("heading", name="Unsubscribe").wait_for()
            assert await _status(server) is SubscriptionStatus.CONFIRMED
            await page.get_by_role("button", name="Unsubscribe").click()
            await page.get_by_role("heading", name="You are unsubscribed").wait_for()
            assert await _status(server) is SubscriptionStatus.UNSUBSCRIBED
            assert await page.context.cookies() == []
        finally:
            await browser.close()
