"""HTTP routes for outbox administration (administrators only)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response
from fastapi import status as http_status

from app.db import DbSession
from app.errors import problem_responses
from app.kit.pagination import Page, PageQuery
from app.outbox.models import OutboxStatus
from app.outbox.schemas import OutboxMessageRead
from app.outbox.service import OutboxAdminService
from app.security import AdminPrincipal

router = APIRouter(prefix="/outbox", tags=["outbox"])


@router.get(
    "",
    response_model=Page[OutboxMessageRead],
    operation_id="list_outbox_messages",
    summary="List outbox messages",
    responses=problem_responses(401, 403, 422),
)
async def list_outbox_messages(
    session: DbSession,
    _admin: AdminPrincipal,
    page: PageQuery,
    status: Annotated[
        OutboxStatus | None, Query(description="Only messages in this state.")
    ] = None,
) -> Page[OutboxMessageRead]:
    """Outgoing e-mails and webhooks, oldest first, a page at a time (administrators only).

    Shows the recipient, subject, state, attempts and last error of each message; bodies and
    attachments are never returned.
    """
    items, cursor = await OutboxAdminService(session).list_messages(status, page)
    return Page(items=items, next_cursor=cursor)


@router.post(
    "/{message_id}/retry",
    response_model=OutboxMessageRead,
    operation_id="retry_outbox_message",
    summary="Retry an outbox message",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def retry_outbox_message(
    message_id: uuid.UUID, session: DbSession, _admin: AdminPrincipal
) -> OutboxMessageRead:
    """Send a dead (or failing) message again now, with a fresh attempt budget
    (administrators only). A sent message, or one a worker is sending, answers 409."""
    return await OutboxAdminService(session).retry(message_id)


@router.delete(
    "/{message_id}",
    status_code=http_status.HTTP_204_NO_CONTENT,
    response_class=Response,
    operation_id="discard_outbox_message",
    summary="Discard an outbox message",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def discard_outbox_message(
    message_id: uuid.UUID, session: DbSession, _admin: AdminPrincipal
) -> Response:
    """Delete a dead (or pending) message for good, its content with it: it will not be
    sent (administrators only). For a message that can never be delivered, or one that must
    not go out. A sent message, or one a worker is sending, answers 409; retention removes
    sent ones (TRACK2_OUTBOX__SENT_RETENTION_DAYS).
    """
    await OutboxAdminService(session).discard(message_id)
    return Response(status_code=http_status.HTTP_204_NO_CONTENT)
