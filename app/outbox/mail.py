"""E-mail: the outbox payload, template rendering, and the file and SMTP transports.

A service builds a payload with :func:`email_payload` (often from :func:`render_email`) and
passes it to :func:`app.outbox.worker.enqueue` with ``kind="email"``. The worker turns each row
into a MIME message whose Message-ID is derived from the row id, and sends the batch through
the configured transport: ``file`` (the embedded default, one ``.eml`` per message) or ``smtp``.

Payload shape (JSON)::

    {"to": str, "to_name": str | None, "subject": str, "text": str, "html": str | None,
     "headers": {str: str}, "reply_to": str | None,
     "attachments": [{"filename": str, "content_type": str, "content_b64": str}]}
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import logging
import os
import re
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass
from email import policy
from email.charset import QP, Charset
from email.header import Header
from email.headerregistry import Address
from email.message import Message
from email.mime.base import MIMEBase
from email.mime.multipart import MIMEMultipart
from email.mime.nonmultipart import MIMENonMultipart
from email.mime.text import MIMEText
from email.utils import format_datetime, formataddr
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

import aiosmtplib
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from app.config import MailBackend, MailSettings, Settings
from app.kit.clock import utcnow
from app.outbox.models import OutboxKind, OutboxMessage
from app.outbox.worker import HandlerContext, register_handler

logger = logging.getLogger("track2.mail")

# Headers the message builder owns; a payload may not set them through ``headers``.
_RESERVED_HEADERS = frozenset(
    {
        "from",
        "to",
        "cc",
        "bcc",
        "sender",
        "subject",
        "date",
        "message-id",
        "reply-to",
        "mime-version",
        "content-type",
        "content-transfer-encoding",
    }
)
_HEADER_NAME = re.compile(r"[A-Za-z0-9-]{1,76}")
_FILENAME_UNSAFE = re.compile(r"[^A-Za-z0-9@._-]")
# compat32 with CRLF: headers are taken as given (see build_message), lines end as SMTP wants.
_WIRE = policy.compat32.clone(linesep="\r\n")
_UTF8_QP = Charset("utf-8")
_UTF8_QP.body_encoding = QP


@dataclass(frozen=True, slots=True)
class Attachment:
    """A file attached to an e-mail."""

    filename: str
    content_type: str
    content: bytes


def _single_line(name: str, value: str) -> str:
    if "\r" in value or "\n" in value:
        raise ValueError(f"{name} must be a single line")
    return value


def _address(value: str, display_name: str | None = None) -> Address:
    # Address parses the addr-spec and refuses anything that is not exactly one address.
    _single_line("address", value)
    if display_name is not None:
        _single_line("display name", display_name)
    try:
        address = Address(display_name=display_name or "", addr_spec=value.strip())
    except (ValueError, IndexError) as exc:
        raise ValueError(f"not an e-mail address: {value!r}") from exc
    if "@" not in address.addr_spec:
        raise ValueError(f"not an e-mail address: {value!r}")
    return address


def email_payload(
    *,
    to: str,
    subject: str,
    text: str,
    html: str | None = None,
    to_name: str | None = None,
    headers: Mapping[str, str] | None = None,
    attachments: Sequence[Attachment] = (),
    reply_to: str | None = None,
) -> dict[str, Any]:
    """Build (and check) the outbox payload of one e-mail.

    ``headers`` carries extra headers such as ``List-Unsubscribe`` and
    ``List-Unsubscribe-Post``; the builder owns From, To, Subject, Date, Message-ID and the MIME
    headers. Raises ValueError for anything that could not be sent, so the mistake surfaces in
    the request that made it rather than in the worker.
    """
    _address(to, to_name)
    if reply_to is not None:
        _address(reply_to)
    _single_line("subject", subject)
    extra: dict[str, str] = {}
    for name, value in (headers or {}).items():
        if not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"header {name!r} cannot be set through headers")
        extra[name] = _single_line(f"header {name}", value)
    return {
        "to": to.strip(),
        "to_name": to_name,
        "subject": subject,
        "text": text,
        "html": html,
        "headers": extra,
        "attachments": [
            {
                "filename": _single_line("attachment filename", a.filename),
                "content_type": a.content_type,
                "content_b64": base64.b64encode(a.content).decode("ascii"),
            }
            for a in attachments
        ],
        "reply_to": reply_to,
    }


# --- templates ----------------------------------------------------------------------------


@lru_cache(maxsize=1)
def template_environment() -> Environment:
    """Jinja2 over ``app/templates`` (shipped in the wheel); HTML is autoescaped, text is not.

    StrictUndefined: a missing variable fails the render instead of mailing a blank.
    """
    return Environment(
        loader=PackageLoader("app", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_email(template: str, context: Mapping[str, Any]) -> tuple[str, str, str]:
    """Render ``app/templates/email/<template>.{subject.txt,txt,html}`` to (subject, text, html).

    The text and HTML templates usually extend ``email/base.txt`` and ``email/base.html``. The
    subject is collapsed to one line.
    """
    env = template_environment()
    values = dict(context)
    subject = env.get_template(f"email/{template}.subject.txt").render(values)
    text = env.get_template(f"email/{template}.txt").render(values)
    html = env.get_template(f"email/{template}.html").render(values)
    return " ".join(subject.split()), text, html


# --- building messages --------------------------------------------------------------------


def message_id_for(row_id: uuid.UUID, base_url: str) -> str:
    """The Message-ID of the e-mail sent for outbox row ``row_id``: the same on every attempt,
    so a copy re-sent after a crash is recognisable as the same message."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"<{row_id}@{host}>"


def _looks_encoded(value: str) -> bool:
    # Text that a mail reader would decode as an RFC 2047 encoded word ("=?utf-8?q?...?="):
    # passed on raw it would show the reader something other than what was checked and
    # written (a name spelt in hex, say).
    return "=?" in value


def _header_value(name: str, value: str) -> str:
    _single_line(f"header {name}", value)
    # RFC 2047 encoded words for anything beyond ASCII, and for ASCII that would otherwise
    # be decoded as encoded words: encoding it makes the reader show it literally.
    if value.isascii() and not _looks_encoded(value):
        return value
    return Header(value, "utf-8").encode()


def _mailbox(address: str, display_name: str | None) -> str:
    # Addresses were checked by email_payload; this guards rows written by other means.
    address = _single_line("address", address.strip())
    if "@" not in address or any(c.isspace() or c in "<>,;" for c in address):
        raise ValueError(f"not an e-mail address: {address!r}")
    name = _single_line("display name", display_name or "")
    if name and _looks_encoded(name):
        return f"{Header(name, 'utf-8').encode()} <{address}>"
    return formataddr((name, address), "utf-8")


def _text_part(body: str, subtype: str) -> Message:
    # 7bit when it is plain ASCII in short lines; otherwise UTF-8 quoted-printable, which
    # keeps every line under SMTP's 998-octet limit and stays readable in the raw source.
    if body.isascii() and all(len(line) <= 998 for line in body.splitlines()):
        return MIMEText(body, subtype, "us-ascii", policy=_WIRE)
    part = MIMENonMultipart("text", subtype, policy=_WIRE)
    part.set_payload(body, _UTF8_QP)
    return part


def build_message(payload: Mapping[str, Any], *, row_id: uuid.UUID, settings: Settings) -> Message:
    """The MIME message for one payload: text, optional HTML alternative, attachments.

    Built with the compat32 MIME classes, which take header strings as given: the default
    policy's header objects cost ~2 ms a message, five times the rest of the work, and the
    payload was already checked by :func:`email_payload`.
    """
    body: Message = _text_part(str(payload["text"]), "plain")
    if payload.get("html"):
        # A boundary of our own: without one the generator invents one per part and compiles
        # a regex to check it against the body, a third of the build time. The row id cannot
        # occur in a body written before the row existed.
        alternative = MIMEMultipart("alternative", boundary=f"=_alt_{row_id.hex}", policy=_WIRE)
        alternative.attach(body)
        alternative.attach(_text_part(str(payload["html"]), "html"))
        body = alternative
    attachments = payload.get("attachments") or ()
    if attachments:
        mixed = MIMEMultipart("mixed", boundary=f"=_mix_{row_id.hex}", policy=_WIRE)
        mixed.attach(body)
        for item in attachments:
            maintype, _, subtype = str(item["content_type"]).partition("/")
            part = MIMEBase(maintype, subtype or "octet-stream", policy=_WIRE)
            # Re-encoded so the lines are wrapped at 76 columns whatever the payload held.
            content = base64.b64decode(item["content_b64"], validate=True)
            part.set_payload(base64.encodebytes(content).decode("ascii"))
            part["Content-Transfer-Encoding"] = "base64"
            filename = _single_line("attachment filename", str(item["filename"]))
            part.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
            mixed.attach(part)
        body = mixed
    mail = settings.mail
    body["From"] = _mailbox(mail.sender_address, mail.sender_name)
    body["To"] = _mailbox(str(payload["to"]), payload.get("to_name"))
    if payload.get("reply_to"):
        body["Reply-To"] = _mailbox(str(payload["reply_to"]), None)
    body["Subject"] = _header_value("Subject", str(payload["subject"]))
    body["Date"] = format_datetime(utcnow())
    body["Message-ID"] = message_id_for(row_id, settings.base_url)
    for name, value in (payload.get("headers") or {}).items():
        if not _HEADER_NAME.fullmatch(name) or name.lower() in _RESERVED_HEADERS:
            raise ValueError(f"header {name!r} cannot be set through headers")
        body[name] = _header_value(name, str(value))
    return body


def message_bytes(message: Message) -> bytes:
    """The message as sent: CRLF line endings."""
    return message.as_bytes(policy=_WIRE)


# --- transports ---------------------------------------------------------------------------

Outgoing = tuple[uuid.UUID, str, bytes]  # row id, envelope recipient, the message
OnSent = Callable[[uuid.UUID], None]


class Transport(Protocol):
    """Delivers a batch as it is produced; returns per row id None (sent) or an error, and
    calls ``on_sent`` as each message is delivered."""

    async def send(
        self, messages: AsyncIterator[Outgoing], on_sent: OnSent
    ) -> dict[uuid.UUID, str | None]: ...


class FileTransport:
    """One ``.eml`` file per message, named after its Message-ID.

    A retry rewrites the same file (write to a temporary name, then rename), so a message is
    never there twice or half-written.
    """

    def __init__(self, directory: str | Path, base_url: str) -> None:
        self.directory = Path(directory)
        self.base_url = base_url

    def path_for(self, message_id: str) -> Path:
        name = _FILENAME_UNSAFE.sub("_", message_id.strip("<> "))
        return self.directory / f"{name}.eml"

    def _write(self, row_id: uuid.UUID, message: bytes) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        target = self.path_for(message_id_for(row_id, self.base_url))
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".eml")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(message)
            os.replace(tmp, target)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def _write_all(self, messages: Sequence[Outgoing]) -> dict[uuid.UUID, str | None]:
        results: dict[uuid.UUID, str | None] = {}
        for row_id, _to, message in messages:
            try:
                self._write(row_id, message)
            except OSError as exc:
                results[row_id] = f"cannot write the .eml file: {exc}"
            else:
                results[row_id] = None
        return results

    async def send(
        self, messages: AsyncIterator[Outgoing], on_sent: OnSent
    ) -> dict[uuid.UUID, str | None]:
        # File I/O blocks: the whole batch is written in one worker thread.
        batch = [item async for item in messages]
        results = await asyncio.to_thread(self._write_all, batch)
        for row_id, error in results.items():
            if error is None:
                on_sent(row_id)
        return results


class SmtpTransport:
    """Sends a batch over one SMTP connection, reconnecting once if it drops."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def _connect(self) -> aiosmtplib.SMTP:
        s = self.settings
        client = aiosmtplib.SMTP(
            hostname=s.smtp_host,
            port=s.smtp_port,
            username=s.smtp_username,
            password=s.smtp_password.get_secret_value() if s.smtp_password else None,
            use_tls=s.smtp_tls,
            # False, not None: None would upgrade whenever offered, and the setting says no.
            start_tls=s.smtp_starttls,
            timeout=s.smtp_timeout_seconds,
        )
        await client.connect()
        return client

    @staticmethod
    async def _close(client: aiosmtplib.SMTP | None) -> None:
        if client is None:
            return
        try:
            await client.quit()
        except (aiosmtplib.SMTPException, OSError):
            client.close()

    async def send(
        self, messages: AsyncIterator[Outgoing], on_sent: OnSent
    ) -> dict[uuid.UUID, str | None]:
        results: dict[uuid.UUID, str | None] = {}
        client: aiosmtplib.SMTP | None = None
        sender = self.settings.sender_address
        try:
            async for row_id, to, message in messages:
                for attempt in (1, 2):
                    if client is None:
                        try:
                            client = await self._connect()
                        except (aiosmtplib.SMTPException, OSError) as exc:
                            # No connection (or no login): the rest of the batch would fail
                            # the same way, so stop here instead of timing out per message.
                            error = f"SMTP connection failed: {type(exc).__name__}: {exc}"
                            results[row_id] = error[:500]
                            async for rest_id, _to, _message in messages:
                                results[rest_id] = error[:500]
                            return results
                    try:
                        await client.sendmail(sender, [to], message)
                    except OSError as exc:
                        # Disconnected or timed out (aiosmtplib's connection errors are
                        # OSErrors): a connection that worked may have been dropped by the
                        # server, so try this message once more on a new one.
                        await self._close(client)
                        client = None
                        if attempt == 1:
                            continue
                        results[row_id] = f"SMTP connection lost: {type(exc).__name__}: {exc}"
                    except aiosmtplib.SMTPResponseException as exc:
                        # The server refused this message; the connection is still good.
                        results[row_id] = f"SMTP {exc.code}: {exc.message}"[:500]
                    except aiosmtplib.SMTPException as exc:
                        results[row_id] = f"SMTP error: {type(exc).__name__}: {exc}"[:500]
                    else:
                        results[row_id] = None
                        on_sent(row_id)
                    break
        finally:
            await self._close(client)
        return results


def transport_for(settings: Settings) -> Transport:
    """The configured transport."""
    if settings.mail.backend is MailBackend.SMTP:
        return SmtpTransport(settings.mail)
    return FileTransport(settings.mail.file_dir, settings.base_url)


async def send_email_batch(
    messages: Sequence[OutboxMessage], context: HandlerContext
) -> dict[uuid.UUID, str | None]:
    """The outbox handler for ``kind="email"``.

    Messages are built as they are sent, one step ahead: building is CPU work that fills the
    time spent waiting for the SMTP server's replies (about a third of the send rate).
    """
    results: dict[uuid.UUID, str | None] = {}

    async def built() -> AsyncIterator[Outgoing]:
        for row in messages:
            try:
                message = build_message(row.payload, row_id=row.id, settings=context.settings)
                item = (row.id, str(row.payload["to"]).strip(), message_bytes(message))
            except (KeyError, TypeError, ValueError) as exc:
                results[row.id] = f"invalid e-mail payload: {type(exc).__name__}: {exc}"[:500]
                continue
            yield item

    results.update(await transport_for(context.settings).send(_ahead(built()), context.delivered))
    return results


async def _ahead(source: AsyncIterator[Outgoing], depth: int = 4) -> AsyncIterator[Outgoing]:
    """Yield from ``source`` while a task produces the next items whenever the loop is idle
    (i.e. while the consumer awaits the network)."""
    queue: asyncio.Queue[Outgoing | None] = asyncio.Queue(maxsize=depth)

    async def produce() -> None:
        try:
            async for item in source:
                await queue.put(item)
                await asyncio.sleep(0)  # one message at a time, then let the sender run
        finally:
            await queue.put(None)

    producer = asyncio.create_task(produce())
    try:
        while (item := await queue.get()) is not None:
            yield item
        await producer  # re-raises a failure of the producer
    finally:
        if not producer.done():
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer


register_handler(OutboxKind.EMAIL, send_email_batch)
