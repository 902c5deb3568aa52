"""A running Track2 for the console's browser tests, and what those tests share.

Debian's Chromium (``/usr/bin/chromium``) driven by Playwright; nothing is downloaded. The
app runs under uvicorn in a subprocess on a loopback port of 8100-8109, against a temporary
SQLite database built by the migrations, sending mail over SMTP to a real aiosmtpd server;
the test runs the outbox worker itself (:meth:`LiveServer.deliver`), so it decides when mail
goes out. axe-core comes from the ``axe-playwright-python`` package (no download).

Screenshots go to a temporary folder, or to ``docs/console/`` when
``TRACK2_DOC_SCREENSHOTS=1`` (that is how the pictures of docs/console.md are made).
"""

from __future__ import annotations

import asyncio
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.config import Settings
from app.db import create_engine, create_sessionmaker
from app.kit.migrations import upgrade_to_head
from app.outbox.worker import OutboxWorker
from app.users.repository import UserRepository
from app.users.signin import SESSION_COOKIE, SignInService
from tests.conftest import make_settings
from tests.smtp import SmtpSink

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
REPO = Path(__file__).resolve().parents[2]
DOCS_SHOTS = REPO / "docs" / "console"
PORTS = range(8100, 8110)
WIDE = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}

needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists(),
    reason="the browser tests drive /usr/bin/chromium; install Debian's chromium "
    "(apt-get install chromium) to run them",
)


def console_socket() -> socket.socket:
    """A loopback socket bound to a free port among the console's (8100-8109), kept bound.

    The server gets the socket itself (uvicorn ``--fd``), not the port number: a port that
    was only probed free can be taken by another process before uvicorn binds it (several
    test runs share this machine), and the tests then talked to that other server (a 401
    for a token it never issued)."""
    for port in PORTS:
        bound = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            bound.bind(("127.0.0.1", port))
        except OSError:
            bound.close()
            continue
        bound.set_inheritable(True)
        return bound
    raise RuntimeError("no free port in 8100-8109")


@dataclass
class LiveServer:
    base_url: str
    settings: Settings
    sink: SmtpSink
    shots: Path
    scratch: Path
    ids: dict[str, Any] = field(default_factory=dict)

    async def deliver(self) -> None:
        """Run the outbox worker until nothing is due (mail goes to the SMTP sink)."""
        engine = create_engine(self.settings, pooled=False)
        try:
            await OutboxWorker(create_sessionmaker(engine), self.settings).drain()
        finally:
            await engine.dispose()

    async def cookie_for(self, email: str) -> dict[str, Any]:
        """A signed-in browser's session cookie for ``email`` (a web session started the
        way following an e-mailed link starts one)."""
        engine = create_engine(self.settings, pooled=False)
        try:
            async with create_sessionmaker(engine)() as db:
                user = await UserRepository(db).get_by_email(email)
                assert user is not None, email
                started = await SignInService(db, self.settings).start_session(user, "browser")
                await db.commit()
        finally:
            await engine.dispose()
        return {
            "name": SESSION_COOKIE,
            "value": started.cookie,
            "url": self.base_url,
            "httpOnly": True,
            "sameSite": "Lax",
        }

    def mail_to(self, address: str) -> list[str]:
        """Plain-text bodies of the mail received for ``address``, oldest first."""
        out = []
        for mail in self.sink.received():
            if address in mail.rcpt_tos:
                body = mail.message.get_body(preferencelist=("plain",))
                out.append(body.get_content() if body is not None else "")
        return out

    def link_in_mail(self, address: str, path: str) -> str:
        texts = self.mail_to(address)
        assert texts, f"no mail for {address}"
        found = re.findall(
            rf"({re.escape(self.base_url)}{re.escape(path)}\?token=[A-Za-z0-9_.\-]+)", texts[-1]
        )
        assert found, texts[-1]
        return str(found[-1])


async def start_server(
    tmp: Path, sink: SmtpSink, seed: Any, shots: Path
) -> AsyncIterator[LiveServer]:
    """Migrate a fresh database, ``await seed(db, settings, ids)``, run uvicorn on it."""
    bound = console_socket()
    port = bound.getsockname()[1]
    base_url = f"http://127.0.0.1:{port}"
    url = f"sqlite+aiosqlite:///{tmp / 'console.db'}"
    await asyncio.to_thread(upgrade_to_head, url)
    settings = make_settings(url, base_url=base_url, mail=sink.mail_settings())
    scratch = tmp / "scratch-shots"
    scratch.mkdir(exist_ok=True)
    server = LiveServer(base_url, settings, sink, shots, scratch)
    engine = create_engine(settings, pooled=False)
    try:
        async with create_sessionmaker(engine)() as db:
            await seed(db, settings, server.ids)
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
        "TRACK2_MAIL__SMTP_HOST": sink.host,
        "TRACK2_MAIL__SMTP_PORT": str(sink.port),
        "TRACK2_LOG_JSON": "false",
        "TRACK2_OUTBOX__RUN_IN_SERVE": "false",
    }
    command = [sys.executable, "-m", "uvicorn", "app.main:create_app", "--factory"]
    command += ["--fd", str(bound.fileno()), "--no-access-log"]
    try:
        process = await asyncio.to_thread(
            subprocess.Popen,
            command,
            cwd=tmp,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(bound.fileno(),),
        )
    finally:
        bound.close()  # the server holds its own copy; the port stays ours until it ends
    try:
        deadline = time.monotonic() + 30
        async with httpx.AsyncClient() as client:
            while True:
                if process.poll() is None:
                    try:
                        if (await client.get(f"{base_url}/healthz")).status_code == 200:
                            break
                    except httpx.TransportError:
                        pass
                if process.poll() is not None or time.monotonic() > deadline:
                    error = process.stderr.read().decode()[-2000:] if process.stderr else ""
                    raise RuntimeError("the app did not start: " + error)
                await asyncio.sleep(0.1)
        yield server
    finally:
        await asyncio.to_thread(_stop, process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    if process.stderr:
        process.stderr.close()


def shots_folder(tmp: Path) -> Path:
    if os.environ.get("TRACK2_DOC_SCREENSHOTS") == "1":
        DOCS_SHOTS.mkdir(parents=True, exist_ok=True)
        return DOCS_SHOTS
    folder = tmp / "shots"
    folder.mkdir(exist_ok=True)
    return folder


async def launch(playwright: Any) -> Any:
    return await playwright.chromium.launch(
        executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
    )


async def serious_violations(page: Any) -> list[str]:
    """axe-core's serious and critical violations on the page, as readable lines."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


async def overflows(page: Any) -> int:
    """How far the page scrolls sideways (0: it fits the window)."""
    value = await page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    return int(value)


async def until(
    read: Callable[[], Awaitable[Any]], ok: Callable[[Any], bool], seconds: float = 10.0
) -> Any:
    """Poll ``read()`` until ``ok(value)`` (the page's CSP forbids Playwright's string
    predicates, which need eval)."""
    deadline = time.monotonic() + seconds
    while True:
        value = await read()
        if ok(value):
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"still {value!r} after {seconds} s")
        await asyncio.sleep(0.05)
