"""E-mails about report requests, queued in the transactional outbox.

They go out with the change that causes them (or not at all), once: each has a dedupe key.
They name the recipient's own address and the series, never anyone on a roster.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.outbox.mail import email_payload, render_email
from app.outbox.queue import enqueue


async def _queue(
    db: AsyncSession, template: str, to: str, context: dict[str, Any], dedupe_key: str
) -> None:
    subject, text, html = render_email(template, context)
    await enqueue(
        db,
        kind="email",
        payload=email_payload(to=to, subject=subject, text=text, html=html),
        dedupe_key=dedupe_key,
    )


async def send_download_link(
    db: AsyncSession,
    *,
    request_id: uuid.UUID,
    version_id: uuid.UUID,
    to: str,
    context: dict[str, Any],
) -> None:
    """The approval e-mail with the signed links (one per version delivered)."""
    await _queue(
        db, "reports/approved", to, context, f"report-request:{request_id}:{version_id}:link"
    )


async def send_decline(
    db: AsyncSession, *, request_id: uuid.UUID, to: str, context: dict[str, Any]
) -> None:
    """The polite decline."""
    await _queue(db, "reports/declined", to, context, f"report-request:{request_id}:declined")
