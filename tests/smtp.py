"""A real SMTP server for tests: aiosmtpd on 127.0.0.1, collecting what it receives.

Use the ``smtp_sink`` fixture (import it into your conftest or test module)::

    from tests.smtp import SmtpSink, smtp_sink  # noqa: F401  (pytest finds the fixture)

    async def test_x(smtp_sink: SmtpSink) -> None:
        settings = make_settings(url, mail=smtp_sink.mail_settings())
        ...  # send through the outbox worker
        [mail] = await smtp_sink.wait_for(1)
        assert mail.message["Subject"] == "Hello"

or ``with running_smtp_sink() as sink:`` anywhere (a session-scoped fixture, a script). The
server runs in its own thread, so tests on any event loop can talk to it. ``sink.refuse`` maps
a recipient address to the SMTP reply its RCPT gets (e.g. ``"550 5.1.1 no such user"``).
"""

from __future__ import annotations

import asyncio
import socket
import threading
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any

import pytest
from aiosmtpd.controller import Controller

__all__ = ["ReceivedMail", "SmtpSink", "running_smtp_sink", "smtp_sink"]


@dataclass(frozen=True)
class ReceivedMail:
    """One message as the server received it."""

    peer: tuple[str, int]  # the client's address: the same for messages on one connection
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        parsed = BytesParser(policy=policy.default).parsebytes(self.data)
        assert isinstance(parsed, EmailMessage)
        return parsed

    @property
    def message_id(self) -> str:
        return str(self.message["Message-ID"])


@dataclass
class SmtpSink:
    """The running server's address and everything it has received."""

    host: str
    port: int
    messages: list[ReceivedMail] = field(default_factory=list)
    refuse: dict[str, str] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def mail_settings(self, **overrides: Any) -> dict[str, Any]:
        """``MailSettings`` values that send to this server (pass as ``mail=``)."""
        return {"backend": "smtp", "smtp_host": self.host, "smtp_port": self.port, **overrides}

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()
            self.refuse.clear()

    def received(self) -> list[ReceivedMail]:
        with self._lock:
            return list(self.messages)

    def message_id_counts(self) -> Counter[str]:
        """How often each Message-ID arrived (a value above 1 is a duplicate)."""
        return Counter(m.message_id for m in self.received())

    async def wait_for(self, count: int, seconds: float = 5.0) -> list[ReceivedMail]:
        """Wait until at least ``count`` messages arrived; return all of them."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"expected {count} messages, got {len(self.messages)}")
            await asyncio.sleep(0.01)
        return self.received()

    # aiosmtpd handler hooks (run on the server's thread)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        reply = self.refuse.get(address)
        if reply is not None:
            return reply
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        with self._lock:
            self.messages.append(
                ReceivedMail(
                    peer=tuple(session.peer),
                    mail_from=envelope.mail_from,
                    rcpt_tos=list(envelope.rcpt_tos),
                    data=bytes(envelope.content),
                )
            )
        return "250 Message accepted for delivery"


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_smtp_sink(host: str = "127.0.0.1") -> Iterator[SmtpSink]:
    """Start an SMTP server on a free loopback port for the duration of the block."""
    sink = SmtpSink(host=host, port=free_port(host))
    controller = Controller(sink, hostname=host, port=sink.port, enable_SMTPUTF8=True)
    controller.start()
    try:
        yield sink
    finally:
        controller.stop()


@pytest.fixture
def smtp_sink() -> Iterator[SmtpSink]:
    """A fresh SMTP server for one test."""
    with running_smtp_sink() as sink:
        yield sink
