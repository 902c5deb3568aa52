"""HTTP routes for newsletters (organisers) and subscriptions (public API)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, status

from app.config import AppSettings
from app.db import DbSession
from app.errors import DomainError, NotFound, problem_responses
from app.kit.pagination import Page, PageQuery
from app.kit.ratelimit import client_ip
from app.newsletter.deps import EvenTiming, limit_public
from app.newsletter.schemas import (
    InvitationsQueued,
    NewsletterCreate,
    NewsletterPreview,
    NewsletterRead,
    PreferencesRead,
    PreferencesUpdate,
    SubscriptionAccepted,
    SubscriptionRequest,
    TestSendQueued,
)
from app.newsletter.service import IssueAccess, NewsletterService
from app.newsletter.tokens import BadLink
from app.security import CurrentPrincipal
from app.series.deps import SeriesOrganiser, SeriesRapporteur
from app.sessions.deps import SessionOrganiser

router = APIRouter(tags=["newsletter"])


class LinkExpired(DomainError):
    """A signed link too old to use."""

    status = 410
    slug = "link-expired"
    title = "This link has expired"


public_router = APIRouter(tags=["public"])


async def _issue_member(
    newsletter_id: uuid.UUID, db: DbSession, principal: CurrentPrincipal
) -> IssueAccess:
    return await NewsletterService(db).issue_access(principal, newsletter_id)


IssueMember = Annotated[IssueAccess, Depends(_issue_member)]


# -- public ---------------------------------------------------------------------------------


@public_router.post(
    "/public/subscriptions",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=SubscriptionAccepted,
    operation_id="request_subscription",
    summary="Subscribe to series' newsletters (double opt-in)",
    responses=problem_responses(422, 429),
)
async def request_subscription(
    _timing: EvenTiming,
    data: SubscriptionRequest,
    request: Request,
    db: DbSession,
    settings: AppSettings,
) -> SubscriptionAccepted:
    """Ask for the newsletters of one or more series. No token needed.

    Always answers 202 with the same body, whether the address is new, pending, confirmed
    or unsubscribed and whether the slugs exist, so the answer reveals nothing about who
    subscribes. A confirmation message is sent only when one is due (at most one per address
    per hour); the subscription starts when its link is followed and confirmed. `consent`
    must be `true`. Rate-limited per IP address and per e-mail address (429).
    """
    await limit_public(db, request, settings, "subscribe", address=str(data.email))
    await NewsletterService(db, settings).request_subscription(
        str(data.email), data.series, data.name, data.language
    )
    return SubscriptionAccepted()


@public_router.get(
    "/public/subscriptions/preferences",
    response_model=PreferencesRead,
    operation_id="get_subscription_preferences",
    summary="A subscriber's preferences (with their signed link's token)",
    responses=problem_responses(404, 410, 422, 429),
)
async def get_subscription_preferences(
    request: Request,
    db: DbSession,
    settings: AppSettings,
    token: Annotated[str, Query(max_length=2000, description="The preferences link's token.")],
) -> PreferencesRead:
    """The address, name, reading language and series of the subscriber whose preferences
    link (in every newsletter) carries `token`. No other token needed; an altered token is
    a 404, an expired one a 410."""
    await limit_public(db, request, settings, "preferences")
    try:
        return await NewsletterService(db, settings).preferences(token)
    except BadLink as exc:
        raise _link_problem(exc) from None


@public_router.patch(
    "/public/subscriptions/preferences",
    response_model=PreferencesRead,
    operation_id="update_subscription_preferences",
    summary="Change a subscriber's preferences (language, name, series)",
    responses=problem_responses(404, 410, 422, 429),
)
async def update_subscription_preferences(
    request: Request, data: PreferencesUpdate, db: DbSession, settings: AppSettings
) -> PreferencesRead:
    """Change the reading language (`en`, `fa-AF`, `ps`, `ar`: newsletters then link a
    report's edition in that language where one is published), the name, or the series
    received (exactly those given), with the preferences link's token."""
    await limit_public(db, request, settings, "preferences")
    try:
        return await NewsletterService(db, settings).update_preferences_api(
            data, client_ip(request)
        )
    except BadLink as exc:
        raise _link_problem(exc) from None


def _link_problem(exc: BadLink) -> DomainError:
    if exc.reason == "expired":
        return LinkExpired("This preferences link has expired; use the one in a newer newsletter")
    return NotFound("No such preferences link")


_NEWSLETTER_EXAMPLE: dict[str, Any] = {
    "id": "01a218d2-5b1e-7a40-9c3e-2f4b8d6a1c07",
    "series_id": "01a218c8-9b5f-7305-8156-d95a8b39d0d6",
    "subject": "Third session: the main points",
    "body_markdown": "The third session discussed **regional support** for the talks.",
    "report_id": "01a218c8-9c79-71d1-a21b-c728f09cecf8",
    "created_at": "2026-11-26T17:02:11.402113Z",
    "updated_at": "2026-11-26T17:05:40.118734Z",
    "sent_at": "2026-11-26T17:05:40.118734Z",
    "recipient_count": 412,
    "progress": {"queued": 12, "sent": 400, "failed": 0},
}


def _example(status_code: int) -> dict[int | str, dict[str, Any]]:
    return {status_code: {"content": {"application/json": {"example": _NEWSLETTER_EXAMPLE}}}}


# -- organisers -----------------------------------------------------------------------------


@router.post(
    "/series/{series_id}/newsletters",
    status_code=status.HTTP_201_CREATED,
    response_model=NewsletterRead,
    operation_id="create_newsletter",
    summary="Compose a newsletter issue",
    responses=problem_responses(401, 403, 404, 409, 422, extra=_example(201)),
)
async def create_newsletter(
    data: NewsletterCreate, access: SeriesOrganiser, db: DbSession, settings: AppSettings
) -> NewsletterRead:
    """Compose an issue for the series' subscribers (organisers only). The body is Markdown;
    raw HTML in it is shown as text. `report_id` names the published summary it announces
    (a summary of this series, else 422); the e-mail links its public page."""
    service = NewsletterService(db, settings)
    issue = await service.create_issue(access, data)
    return await service.read_issue(issue)


@router.get(
    "/series/{series_id}/newsletters",
    response_model=Page[NewsletterRead],
    operation_id="list_newsletters",
    summary="List a series' newsletter issues",
    responses=problem_responses(401, 404, 422),
)
async def list_newsletters(
    access: SeriesRapporteur, db: DbSession, page: PageQuery
) -> Page[NewsletterRead]:
    """The series' issues, oldest first, each with its sending progress."""
    items, cursor = await NewsletterService(db).list_issues(access, page)
    return Page(items=items, next_cursor=cursor)


@router.get(
    "/newsletters/{newsletter_id}",
    response_model=NewsletterRead,
    operation_id="get_newsletter",
    summary="Get a newsletter issue and its progress",
    responses=problem_responses(401, 404, 422, extra=_example(200)),
)
async def get_newsletter(access: IssueMember, db: DbSession) -> NewsletterRead:
    """One issue, with how many of its messages are queued, sent and failed."""
    return await NewsletterService(db).read_issue(access.issue)


@router.post(
    "/newsletters/{newsletter_id}/preview",
    response_model=NewsletterPreview,
    operation_id="preview_newsletter",
    summary="Render a newsletter issue",
    responses=problem_responses(401, 404, 422),
)
async def preview_newsletter(
    access: IssueMember, db: DbSession, settings: AppSettings
) -> NewsletterPreview:
    """The subject, text and HTML a subscriber would receive (links are placeholders)."""
    return await NewsletterService(db, settings).preview(access)


@router.post(
    "/newsletters/{newsletter_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=TestSendQueued,
    operation_id="test_newsletter",
    summary="Send a test copy to yourself",
    responses=problem_responses(401, 403, 404, 422),
)
async def test_newsletter(
    access: IssueMember, db: DbSession, settings: AppSettings
) -> TestSendQueued:
    """Send one copy, subject prefixed with [Test], to the caller's own address (organisers
    only)."""
    return await NewsletterService(db, settings).send_test(access)


@router.post(
    "/newsletters/{newsletter_id}/send",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=NewsletterRead,
    operation_id="send_newsletter",
    summary="Send a newsletter issue to the series' confirmed subscribers",
    responses=problem_responses(401, 403, 404, 422),
)
async def send_newsletter(
    access: IssueMember, db: DbSession, settings: AppSettings
) -> NewsletterRead:
    """Queue one message per confirmed subscriber (organisers only) and answer 202 with the
    progress. Idempotent: sending again (or twice at once) queues nothing more and answers
    202 with the same issue; each subscriber receives the issue once."""
    return await NewsletterService(db, settings).send_issue(access)


@router.post(
    "/sessions/{session_id}/invitations",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=InvitationsQueued,
    operation_id="send_invitations",
    summary="E-mail the session's invitees their invitation",
    responses=problem_responses(401, 403, 404, 409, 422),
)
async def send_invitations(
    access: SessionOrganiser, db: DbSession, settings: AppSettings
) -> InvitationsQueued:
    """E-mail each attendee with status `invited` and an address their own invitation, with
    the session as an iCalendar attachment (METHOD:REQUEST, the public calendar's UID and
    SEQUENCE). Each message names only its recipient. The session must be scheduled (409).
    Sent once per person and calendar version: after a change of time the next call sends
    updates; calling again without a change queues nothing."""
    return await NewsletterService(db, settings).send_invitations(access)
