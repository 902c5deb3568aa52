"""The HTTP/1.1 protocol ``track2 serve`` runs: uvicorn's httptools protocol, answering
problems it finds before any application code runs as ``application/problem+json``.

uvicorn answers an unparseable request with a plain-text 400 and buffers a request line or a
header section of any size before the application can refuse it. Here a request target over
``TRACK2_HTTP__MAX_TARGET_BYTES`` is a 414 and a header section over
``TRACK2_HTTP__MAX_HEADER_BYTES`` a 431 as soon as the parser has read that much (so a 200 kB
header is never held whole), and every other parse error a 400 problem. The application
applies the same limits (``EdgeMiddleware``) for servers that do not run this protocol.
"""

from __future__ import annotations

import json
from typing import Any

from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from app.config import get_settings
from app.errors import PROBLEM_BASE, PROBLEM_MEDIA_TYPE


class _TooLarge(Exception):
    """Stops the parser; ``send_400_response`` then answers the status it carries."""


def problem_bytes(status: int, slug: str, title: str, detail: str) -> bytes:
    """A complete HTTP/1.1 problem response that closes the connection."""
    body = json.dumps(
        {"type": PROBLEM_BASE + slug, "title": title, "status": status, "detail": detail}
    ).encode()
    head = (
        f"HTTP/1.1 {status} {title}\r\n"
        f"content-type: {PROBLEM_MEDIA_TYPE}\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode("latin-1")
    return head + body


class ProblemHttpToolsProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with request limits and problem+json parse errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        limits = get_settings().http
        self._max_target = limits.max_target_bytes
        self._max_headers = limits.max_header_bytes
        self._header_bytes = 0
        self._refusal: tuple[int, str, str, str] | None = None

    def on_message_begin(self) -> None:
        super().on_message_begin()
        self._header_bytes = 0

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > self._max_target:
            self._refusal = (
                414,
                "uri-too-long",
                "Request target too long",
                f"The request target exceeds {self._max_target} bytes",
            )
            raise _TooLarge

    def on_header(self, name: bytes, value: bytes) -> None:
        self._header_bytes += len(name) + len(value) + 4
        if self._header_bytes > self._max_headers:
            self._refusal = (
                431,
                "headers-too-large",
                "Request headers too large",
                f"The request headers exceed {self._max_headers} bytes in all",
            )
            raise _TooLarge
        super().on_header(name, value)

    def send_400_response(self, msg: str) -> None:
        status, slug, title, detail = self._refusal or (
            400,
            "bad-request",
            "Bad request",
            "The request is not valid HTTP/1.1",
        )
        self.transport.write(problem_bytes(status, slug, title, detail))
        self.transport.close()
