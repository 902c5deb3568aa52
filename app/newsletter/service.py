"""Rules about subscriptions (double opt-in, leaving, export, erasure), newsletter issues and
session invitations.

Nothing here commits: the request boundary does, so mail queued in the outbox leaves only if
the change that caused it is committed.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.gate import BeingRevised, ClearedDocument, Gate, Text
from app.config import Settings, get_settings
from app.errors import Conflict, DomainError, InvalidRequest, NotFound
from app.kit.clock import as_utc, utcnow
from app.kit.ids import uuid7
from app.kit.pagination import PageParams
from app.kit.ratelimit import address_key
from app.newsletter import emails
from app.newsletter.events import subscription_data
from app.newsletter.models import (
    EmailSuppression,
    NewsletterIssue,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from app.newsletter.repository import NewsletterRepository
from app.newsletter.schemas import (
    CONSENT_TEXT,
    InvitationsQueued,
    NewsletterCreate,
    NewsletterPreview,
    NewsletterProgress,
    NewsletterRead,
    PreferencesRead,
    PreferencesUpdate,
    TestSendQueued,
)
from app.newsletter.tokens import BadLink, LinkSigner, Purpose
from app.outbox.events import emit
from app.outbox.mail import email_payload
from app.outbox.models import OutboxKind, OutboxStatus
from app.outbox.queue import enqueue
from app.people.models import AttendanceStatus
from app.people.service import PeopleService
from app.reports.editions import EditionService
from app.reports.locales import LANGUAGES as READER_LANGUAGES
from app.reports.service import ReportService, ReportWithdrawn
from app.series.models import DialogueSeries
from app.series.service import SeriesAccess, SeriesService, public_series_texts
from app.sessions.models import SessionStatus
from app.sessions.service import SessionAccess, SessionService
from app.users.service import Principal

logger = logging.getLogger("track2.newsletter")

ISSUE_NOT_FOUND = "No such newsletter"
# At most one confirmation e-mail per address in this interval, however often it is asked.
CONFIRMATION_INTERVAL = timedelta(hours=1)
SUPPRESSION_ERASED = "erased"


async def is_confirmed_subscriber(db: AsyncSession, email: str, series_id: uuid.UUID) -> bool:
    """Whether the address has a confirmed subscription to the series (what the reports
    domain asks of this one, through the hook app.main wires into ReportService)."""
    return await NewsletterRepository(db).is_confirmed(normalise_email(email), series_id)


def normalise_email(address: str) -> str:
    """One subscriber per address: compared and stored lower-case, without spaces."""
    return address.strip().lower()


def newsletter_dedupe_key(issue_id: uuid.UUID, subscriber_id: uuid.UUID) -> str:
    """One outbox row per (issue, subscriber), whatever happens to the send request. Hex ids,
    so the issue's prefix can be built in SQL on both databases (see the progress counts)."""
    return f"{newsletter_prefix(issue_id)}{subscriber_id.hex}"


def newsletter_prefix(issue_id: uuid.UUID) -> str:
    """The dedupe-key prefix shared by every outbox row of one newsletter issue."""
    return f"newsletter:{issue_id.hex}:"


def invitation_dedupe_key(session_id: uuid.UUID, person_id: uuid.UUID, sequence: int) -> str:
    """One invitation per (session, person, calendar version)."""
    return f"invitation:{session_id}:{person_id}:{sequence}"


class NewsletterBlocked(DomainError):
    """An issue that now identifies a participant (the roster grew) is not sent."""

    status = 409
    slug = "newsletter-attribution-blocked"
    title = "The issue would identify a participant"


@dataclass(frozen=True, slots=True)
class IssueAccess:
    """A newsletter issue together with the caller's rights in its series."""

    issue: NewsletterIssue
    series_access: SeriesAccess

    @property
    def series(self) -> DialogueSeries:
        return self.series_access.series


@dataclass(frozen=True, slots=True)
class SeriesChoice:
    """A series as the public pages list it."""

    id: uuid.UUID
    slug: str
    title: str
    status: SubscriptionStatus | None = None


@dataclass(slots=True)
class SubscriberView:
    """What a signed link shows: the subscriber and their series (no other subscriber)."""

    subscriber: Subscriber
    series: list[SeriesChoice] = field(default_factory=list)

    @property
    def confirmed_ids(self) -> set[uuid.UUID]:
        return {s.id for s in self.series if s.status is SubscriptionStatus.CONFIRMED}


@dataclass(frozen=True, slots=True)
class ImportResult:
    """What an import of subscribers did."""

    added: int
    skipped_suppressed: int
    skipped_existing: int


class NewsletterService:
    """Subscriptions, newsletter issues and invitations.

    ``settings`` is needed for anything that signs links or renders mail; read-only helpers
    for other domains (:meth:`is_confirmed_subscriber`) work without it.
    """

    def __init__(self, db: AsyncSession, settings: Settings | None = None) -> None:
        self.db = db
        self.repo = NewsletterRepository(db)
        self._settings = settings

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = get_settings()
        return self._settings

    @property
    def signer(self) -> LinkSigner:
        return LinkSigner(
            self.settings.secret_key.get_secret_value(),
            confirmation_hours=self.settings.public.confirmation_link_hours,
        )

    def _address_hash(self, email: str) -> str:
        return address_key(self.settings.secret_key.get_secret_value(), email)

    def link(self, path: str, token: str) -> str:
        """An absolute link to a public page with a token."""
        return f"{self.settings.base_url}{path}?token={token}"

    # -- for other domains ----------------------------------------------------------------

    async def is_confirmed_subscriber(self, email: str, series_id: uuid.UUID) -> bool:
        """Whether the address has a confirmed subscription to the series."""
        return await is_confirmed_subscriber(self.db, email, series_id)

    async def public_series(self) -> list[SeriesChoice]:
        """Every listed series, by title, for the subscription form, with its title as the
        guard admits it now (a series being revised is left out)."""
        out = []
        for s in await self.repo.all_series():
            texts = await public_series_texts(self.db, s)
            if texts is not None:
                out.append(SeriesChoice(s.id, s.slug, texts["title"]))
        return out

    # -- subscribing ----------------------------------------------------------------------

    async def request_subscription(
        self, email: str, slugs: Collection[str], name: str | None, language: str | None = None
    ) -> None:
        """Record a double opt-in request and send a confirmation message if one is due.

        The caller always answers the same, so this does the same kind of work whatever it
        finds: an unknown slug, a new, pending, confirmed or unsubscribed address. A
        confirmation is due when a requested series is (now) pending and no confirmation went
        to the address in the last hour. An erased (suppressed) address may ask again: the
        request itself is the fresh opt-in, and confirming it lifts the suppression.
        """
        address = normalise_email(email)
        name = " ".join(name.split()) or None if name else None
        now = utcnow()
        series = await self.repo.series_by_slugs(set(slugs))
        try:
            # Rendered whatever happens, so the work done does not depend on what was found;
            # it also checks that the address can be written into a message at all.
            emails.confirmation_email(
                to=address,
                to_name=name,
                series_titles=[s.title for s in series],
                confirm_url=self.link("/subscriptions/confirm", "-"),
                link_hours=self.settings.public.confirmation_link_hours,
                consent_text=CONSENT_TEXT,
            )
        except ValueError:
            return
        if not series:
            return
        subscriber = await self.repo.subscriber_for_update(address, name)
        existing = {s.dialogue_series_id: s for s in await self.repo.subscriptions(subscriber.id)}
        confirmed = any(s.status is SubscriptionStatus.CONFIRMED for s in existing.values())
        if language is not None and language in READER_LANGUAGES and not confirmed:
            # Only until the address confirms: a stranger who knows it cannot change the
            # language of someone's newsletters (the preferences link can).
            subscriber.language = language
        pending: list[DialogueSeries] = []
        for item in series:
            subscription = existing.get(item.id)
            if subscription is None:
                subscription = Subscription(
                    subscriber_id=subscriber.id,
                    dialogue_series_id=item.id,
                    status=SubscriptionStatus.PENDING,
                    requested_at=now,
                )
                self.db.add(subscription)
            elif subscription.status is SubscriptionStatus.UNSUBSCRIBED:
                subscription.status = SubscriptionStatus.PENDING
                subscription.requested_at = now
            elif subscription.status is SubscriptionStatus.PENDING:
                subscription.requested_at = now
            if subscription.status is SubscriptionStatus.PENDING:
                pending.append(item)
        await self.db.flush()
        last = subscriber.confirmation_sent_at
        if not pending or (last is not None and now - as_utc(last) < CONFIRMATION_INTERVAL):
            return
        token = self.signer.make(Purpose.CONFIRM, subscriber.id, tuple(s.id for s in pending))
        message = emails.confirmation_email(
            to=address,
            to_name=subscriber.name,
            series_titles=[s.title for s in pending],
            confirm_url=self.link("/subscriptions/confirm", token),
            link_hours=self.settings.public.confirmation_link_hours,
            consent_text=CONSENT_TEXT,
        )
        subscriber.confirmation_sent_at = now
        await enqueue(self.db, kind=OutboxKind.EMAIL, payload=message)
        await self.db.flush()

    async def _view(
        self, purpose: Purpose, token: str | None
    ) -> tuple[SubscriberView, tuple[uuid.UUID, ...]]:
        data = self.signer.read(purpose, token)
        subscriber = await self.repo.get_subscriber(data.subscriber_id)
        if subscriber is None:
            # Erased since the link was sent: the link is as dead as a forged one.
            raise BadLink("invalid")
        rows = await self.repo.subscriptions_with_series(subscriber.id)
        view = SubscriberView(
            subscriber=subscriber,
            series=[SeriesChoice(s.id, s.slug, s.title, sub.status) for sub, s in rows],
        )
        return view, data.series_ids

    async def confirmation_view(self, token: str | None) -> list[SeriesChoice]:
        """The series a confirmation link would confirm (reads only; GET is safe)."""
        view, series_ids = await self._view(Purpose.CONFIRM, token)
        return [s for s in view.series if s.id in series_ids]

    async def confirm(self, token: str | None, ip: str | None) -> list[SeriesChoice]:
        """Confirm the link's pending subscriptions, recording the time, the consent wording
        and (if configured) the IP address. Idempotent; a later unsubscribe is not undone."""
        view, series_ids = await self._view(Purpose.CONFIRM, token)
        subscriber = view.subscriber
        now = utcnow()
        record_ip = ip if self.settings.public.record_consent_ip else None
        confirmed: list[SeriesChoice] = []
        for subscription in await self.repo.subscriptions(subscriber.id):
            if subscription.dialogue_series_id not in series_ids:
                continue
            if subscription.status is SubscriptionStatus.PENDING:
                subscription.status = SubscriptionStatus.CONFIRMED
                subscription.confirmed_at = now
                subscription.unsubscribed_at = None
                subscription.consent_text = CONSENT_TEXT
                subscription.consent_ip = record_ip
                slug = next(s.slug for s in view.series if s.id == subscription.dialogue_series_id)
                event = subscription_data(slug, subscriber.email)
                await emit(
                    self.db, "subscription.confirmed", subscription.dialogue_series_id, event
                )
        await self.repo.lift_suppression(self._address_hash(subscriber.email))
        await self.db.flush()
        by_id = {s.id: s for s in view.series}
        for subscription in await self.repo.subscriptions(subscriber.id):
            choice = by_id.get(subscription.dialogue_series_id)
            if choice is not None and subscription.dialogue_series_id in series_ids:
                confirmed.append(
                    SeriesChoice(choice.id, choice.slug, choice.title, subscription.status)
                )
        return confirmed

    # -- leaving --------------------------------------------------------------------------

    def unsubscribe_link(self, subscriber_id: uuid.UUID, series_id: uuid.UUID) -> str:
        return self.link(
            "/subscriptions/unsubscribe",
            self.signer.make(Purpose.UNSUBSCRIBE, subscriber_id, (series_id,)),
        )

    def preferences_link(self, subscriber_id: uuid.UUID) -> str:
        return self.link(
            "/subscriptions/preferences", self.signer.make(Purpose.PREFERENCES, subscriber_id)
        )

    async def unsubscribe_view(self, token: str | None) -> list[SeriesChoice]:
        """The series an unsubscribe link is for (reads only). An erased subscriber's link
        shows nothing to leave."""
        data = self.signer.read(Purpose.UNSUBSCRIBE, token)
        subscriber = await self.repo.get_subscriber(data.subscriber_id)
        if subscriber is None:
            return []
        rows = await self.repo.subscriptions_with_series(subscriber.id)
        return [
            SeriesChoice(s.id, s.slug, s.title, sub.status)
            for sub, s in rows
            if not data.series_ids or s.id in data.series_ids
        ]

    async def unsubscribe(self, token: str | None) -> list[SeriesChoice]:
        """RFC 8058 one-click: unsubscribe from the link's series at once. Idempotent, and
        a link of an erased subscriber succeeds with nothing to do."""
        data = self.signer.read(Purpose.UNSUBSCRIBE, token)
        subscriber = await self.repo.get_subscriber(data.subscriber_id)
        if subscriber is None:
            return []
        now = utcnow()
        left: list[SeriesChoice] = []
        for subscription, series in await self.repo.subscriptions_with_series(subscriber.id):
            if data.series_ids and series.id not in data.series_ids:
                continue
            if subscription.status is not SubscriptionStatus.UNSUBSCRIBED:
                subscription.status = SubscriptionStatus.UNSUBSCRIBED
                subscription.unsubscribed_at = now
                event = subscription_data(series.slug, subscriber.email)
                await emit(self.db, "subscription.unsubscribed", series.id, event)
            left.append(SeriesChoice(series.id, series.slug, series.title, subscription.status))
        await self.db.flush()
        return left

    # -- preferences, export, erasure -----------------------------------------------------

    async def preferences_view(
        self, token: str | None
    ) -> tuple[SubscriberView, list[SeriesChoice]]:
        """The subscriber, their subscriptions, and every series they could choose."""
        view, _ = await self._view(Purpose.PREFERENCES, token)
        states = {s.id: s.status for s in view.series}
        choices = [
            SeriesChoice(s.id, s.slug, s.title, states.get(s.id))
            for s in await self.repo.all_series(also=states)
        ]
        return view, choices

    async def update_preferences(
        self,
        token: str | None,
        series_ids: Collection[uuid.UUID] | None,
        name: str | None,
        ip: str | None,
        language: str | None = None,
    ) -> SubscriberView:
        """Receive exactly the chosen series. The link was mailed to the address, so a newly
        ticked series is confirmed at once, with the consent wording shown on the page."""
        view, _ = await self._view(Purpose.PREFERENCES, token)
        subscriber = view.subscriber
        if language is not None and language in READER_LANGUAGES:
            subscriber.language = language
        if series_ids is None:
            if name is not None:
                subscriber.name = name.strip() or None
            await self.db.flush()
            view, _ = await self._view(Purpose.PREFERENCES, token)
            return view
        now = utcnow()
        existing = {s.dialogue_series_id: s for s in await self.repo.subscriptions(subscriber.id)}
        known = {s.id for s in await self.repo.all_series(also=existing)}
        wanted = set(series_ids) & known
        record_ip = ip if self.settings.public.record_consent_ip else None
        for series_id in wanted:
            subscription = existing.get(series_id)
            if subscription is None:
                subscription = Subscription(
                    subscriber_id=subscriber.id, dialogue_series_id=series_id
                )
                self.db.add(subscription)
            if subscription.status is not SubscriptionStatus.CONFIRMED:
                subscription.status = SubscriptionStatus.CONFIRMED
                subscription.requested_at = subscription.requested_at or now
                subscription.confirmed_at = now
                subscription.unsubscribed_at = None
                subscription.consent_text = CONSENT_TEXT
                subscription.consent_ip = record_ip
        for series_id, subscription in existing.items():
            if (
                series_id not in wanted
                and subscription.status is not SubscriptionStatus.UNSUBSCRIBED
            ):
                subscription.status = SubscriptionStatus.UNSUBSCRIBED
                subscription.unsubscribed_at = now
        if name is not None:
            subscriber.name = name.strip() or None
        await self.db.flush()
        view, _ = await self._view(Purpose.PREFERENCES, token)
        return view

    async def export_data(self, token: str | None) -> None:
        """Mail the subscriber everything stored about them, as JSON, to their own address."""
        view, _ = await self._view(Purpose.PREFERENCES, token)
        subscriber = view.subscriber
        rows = await self.repo.subscriptions_with_series(subscriber.id)
        data: dict[str, Any] = {
            "exported_at": utcnow().isoformat(),
            "email": subscriber.email,
            "name": subscriber.name,
            "language": subscriber.language,
            "created_at": as_utc(subscriber.created_at).isoformat(),
            "confirmation_sent_at": (
                as_utc(subscriber.confirmation_sent_at).isoformat()
                if subscriber.confirmation_sent_at
                else None
            ),
            "subscriptions": [
                {
                    "series": series.title,
                    "series_slug": series.slug,
                    "status": sub.status.value,
                    "requested_at": as_utc(sub.requested_at).isoformat(),
                    "confirmed_at": _iso(sub.confirmed_at),
                    "unsubscribed_at": _iso(sub.unsubscribed_at),
                    "consent_text": sub.consent_text,
                    "consent_ip": sub.consent_ip,
                }
                for sub, series in rows
            ],
        }
        payload = emails.export_email(to=subscriber.email, to_name=subscriber.name, data=data)
        await enqueue(self.db, kind=OutboxKind.EMAIL, payload=payload)

    async def erase(self, token: str | None) -> None:
        """Delete the subscriber and their subscriptions, forget the address in the outbox,
        and keep only a keyed hash of it so that imports cannot bring it back."""
        view, _ = await self._view(Purpose.PREFERENCES, token)
        subscriber = view.subscriber
        address_hash = self._address_hash(subscriber.email)
        # The subscriber's row first, as every writer takes it (the repository's lock order).
        await self.repo.lock_subscriber(subscriber.id)
        await self.repo.forget_address_in_outbox(subscriber.email)
        subscriber_id = subscriber.id
        await self.repo.delete_subscriber(subscriber)
        if not await self.repo.is_suppressed(address_hash):
            await self.repo.add(
                EmailSuppression(address_hash=address_hash, reason=SUPPRESSION_ERASED)
            )
        # The id only: the log must not become the place where the address survives.
        logger.info("subscriber erased", extra={"subscriber_id": str(subscriber_id)})

    async def expire_stale_requests(self) -> datetime:
        """Delete subscription requests whose confirmation link expired a day ago, one
        subscriber at a time in id order, its row locked first (the repository's lock order):
        a request renewing the subscription meanwhile is waited for and then kept. Answers
        the cutoff used."""
        cutoff = utcnow() - timedelta(hours=self.settings.public.confirmation_link_hours + 24)
        for subscriber_id in await self.repo.subscribers_with_stale_requests(cutoff):
            if await self.repo.lock_subscriber(subscriber_id):
                await self.repo.delete_stale_requests(subscriber_id, cutoff)
        return cutoff

    async def forget_orphans(self, cutoff: datetime) -> int:
        """Delete subscribers created before ``cutoff`` and left with no subscription (their
        address is blanked in the outbox as on erasure, but not suppressed: they may simply
        subscribe again), unless the address also asked for a report. Answers how many went.

        Housekeeping runs :meth:`expire_stale_requests` and this in separate transactions, so
        each holds its subscriber locks in id order only."""
        gone = 0
        for subscriber in await self.repo.subscribers_without_subscriptions(cutoff):
            if await self.repo.delete_orphan(subscriber.id):
                await self.repo.forget_address_in_outbox(subscriber.email)
                gone += 1
        return gone

    async def import_subscribers(
        self, access: SeriesAccess, entries: Sequence[tuple[str, str | None]], consent_note: str
    ) -> ImportResult:
        """Add confirmed subscribers from another system that holds their consent
        (organisers only). Erased addresses are skipped: only the subscriber's own fresh
        opt-in through the public form brings them back. ``consent_note`` says where the
        consent was given and is stored as the consent record."""
        access.require_manage()
        now = utcnow()
        added = suppressed = existing = 0
        for email, name in entries:
            address = normalise_email(email)
            if await self.repo.is_suppressed(self._address_hash(address)):
                suppressed += 1
                continue
            subscriber = await self.repo.subscriber_by_email(address, lock=True)
            if subscriber is None:
                subscriber = Subscriber(email=address, name=name)
                await self.repo.add(subscriber)
            current = {s.dialogue_series_id for s in await self.repo.subscriptions(subscriber.id)}
            if access.series.id in current:
                existing += 1
                continue
            self.db.add(
                Subscription(
                    subscriber_id=subscriber.id,
                    dialogue_series_id=access.series.id,
                    status=SubscriptionStatus.CONFIRMED,
                    requested_at=now,
                    confirmed_at=now,
                    consent_text=consent_note,
                )
            )
            added += 1
        await self.db.flush()
        return ImportResult(added=added, skipped_suppressed=suppressed, skipped_existing=existing)

    # -- newsletter issues ----------------------------------------------------------------

    async def issue_access(self, principal: Principal, issue_id: uuid.UUID) -> IssueAccess:
        """An issue as the caller may see it: 404 for a missing issue and for one of a series
        the caller is not a member of, alike."""
        issue = await self.repo.get_issue(issue_id)
        if issue is None:
            raise NotFound(ISSUE_NOT_FOUND)
        try:
            access = await SeriesService(self.db).access(principal, issue.dialogue_series_id)
        except NotFound:
            raise NotFound(ISSUE_NOT_FOUND) from None
        return IssueAccess(issue=issue, series_access=access)

    async def create_issue(self, access: SeriesAccess, data: NewsletterCreate) -> NewsletterIssue:
        """Compose an issue for the series (organisers only)."""
        access.require_manage()
        if data.report_id is not None:
            await self._require_public_summary(access.series.id, data.report_id)
        await Gate(self.db).clear(
            access.series.id,
            issue_texts(data.subject, data.body_markdown),
            acknowledged=data.acknowledge_warnings,
            what="The issue (as subscribers will read it)",
        )
        issue = NewsletterIssue(
            dialogue_series_id=access.series.id,
            subject=data.subject,
            body_markdown=data.body_markdown,
            report_id=data.report_id,
            created_by_id=access.principal.user_id,
        )
        await self.repo.add(issue)
        return issue

    async def list_issues(
        self, access: SeriesAccess, params: PageParams
    ) -> tuple[list[NewsletterRead], str | None]:
        # One statement for the page, progress included (no query per issue).
        rows, cursor = await self.repo.list_issues_with_progress(access.series.id, params)
        return [_issue_read(issue, progress) for issue, progress in rows], cursor

    async def read_issue(self, issue: NewsletterIssue) -> NewsletterRead:
        """The issue with its progress, counted from its outbox rows."""
        counts = await self.repo.outbox_progress(newsletter_prefix(issue.id))
        progress = NewsletterProgress(
            queued=counts.get(OutboxStatus.PENDING, 0) + counts.get(OutboxStatus.SENDING, 0),
            sent=counts.get(OutboxStatus.SENT, 0),
            failed=counts.get(OutboxStatus.DEAD, 0),
        )
        return _issue_read(issue, progress)

    async def check_issue_texts(
        self, access: SeriesAccess, subject: str, body_markdown: str
    ) -> list[dict[str, Any]]:
        """What the gate finds in a draft issue (blocks and warnings, ``[{field, findings}]``),
        without storing anything: the console's live checker, the same review as
        ``create_issue``."""
        review = await Gate(self.db).review(access.series.id, issue_texts(subject, body_markdown))
        return review.as_fields()

    async def _require_public_summary(self, series_id: uuid.UUID, report_id: uuid.UUID) -> None:
        """An issue may announce a published summary of its own series, nothing else: a
        detailed report is never public, and another series' report is none of its
        subscribers' business (and its existence none of this organiser's)."""
        try:
            cleared = await ReportService(self.db, self.settings).public_summary(report_id)
        except (NotFound, ReportWithdrawn, BeingRevised):
            cleared = None
        found = cleared is not None and cleared.value.dialogue_series_id == series_id
        if not found:
            raise InvalidRequest.single(
                "report_id", "must be a published summary of this series", "body"
            )

    def _report_url(self, report_id: uuid.UUID | None, language: str | None = None) -> str | None:
        if report_id is None:
            return None
        url = f"{self.settings.base_url}/reports/{report_id}"
        return f"{url}?lang={language}" if language and language != "en" else url

    def _render(self, access: IssueAccess) -> emails.RenderedIssue:
        return emails.render_issue(
            series=access.series,
            subject=access.issue.subject,
            body_markdown=access.issue.body_markdown,
            report_url=self._report_url(access.issue.report_id),
        )

    async def preferences(self, token: str | None) -> PreferencesRead:
        """The preferences a signed link shows (the public API's read)."""
        view, _ = await self._view(Purpose.PREFERENCES, token)
        return PreferencesRead(
            email=view.subscriber.email,
            name=view.subscriber.name,
            language=view.subscriber.language,  # type: ignore[arg-type]  # checked on write
            series=sorted(s.slug for s in view.series if s.status is SubscriptionStatus.CONFIRMED),
        )

    async def update_preferences_api(
        self, data: PreferencesUpdate, ip: str | None
    ) -> PreferencesRead:
        """Change preferences with a signed link's token (the public API's write)."""
        ids: set[uuid.UUID] | None = None
        if data.series is not None:
            ids = {s.id for s in await self.repo.series_by_slugs(set(data.series))}
        await self.update_preferences(data.token, ids, data.name, ip, data.language)
        return await self.preferences(data.token)

    async def preview(self, access: IssueAccess) -> NewsletterPreview:
        """The issue as a subscriber would get it, with placeholder links."""
        rendered = self._render(access)
        placeholder = f"{self.settings.base_url}/subscribe"
        text, html = rendered.personalise(placeholder, placeholder)
        return NewsletterPreview(subject=rendered.subject, text=text, html=html)

    async def send_test(self, access: IssueAccess) -> TestSendQueued:
        """Send one copy to the caller's own address (organisers only). It carries no
        unsubscribe headers: it goes to the organiser, not to the list."""
        access.series_access.require_manage()
        rendered = self._render(access)
        placeholder = f"{self.settings.base_url}/subscribe"
        text, html = rendered.personalise(placeholder, placeholder)
        to = access.series_access.principal.email
        payload = email_payload(to=to, subject=f"[Test] {rendered.subject}", text=text, html=html)
        await enqueue(self.db, kind=OutboxKind.EMAIL, payload=payload)
        return TestSendQueued(queued=1, to=to)

    async def send_issue(self, access: IssueAccess) -> NewsletterRead:
        """Queue one message per confirmed subscriber (organisers only), exactly once.

        The first call marks the issue sent and queues the messages in the same transaction;
        later calls find it sent and queue nothing. Each row's dedupe key
        ``newsletter:{issue}:{subscriber}`` guards against a concurrent duplicate as well.
        """
        access.series_access.require_manage()
        issue = access.issue
        if issue.sent_at is None:
            # The directory may have grown since the issue was written: check again, what
            # subscribers will get (the rendered subject, text and HTML).
            rendered = self._render(access)
            texts = rendered_texts(rendered)
            gate = Gate(self.db)
            cleared = await gate.admit_document(
                issue.dialogue_series_id,
                rendered,
                lambda: _ready(texts),
                key=("newsletter", issue.id, rendered.subject, rendered.text, rendered.html),
            )
            if cleared is None:
                review = await gate.review(issue.dialogue_series_id, texts)
                raise NewsletterBlocked(
                    "The issue now identifies someone in the series' directory; compose a "
                    "corrected issue (nothing was sent)",
                    fields=review.as_fields("block"),
                )
            recipients = await self.repo.confirmed_recipients(issue.dialogue_series_id)
            now = utcnow()
            claimed = await self.repo.claim_send(
                issue.id, access.series_access.principal.user_id, now, len(recipients)
            )
            if claimed:
                await self._queue_issue(access, cleared, recipients, now)
            await self.db.refresh(issue)
        return await self.read_issue(issue)

    async def _queue_issue(
        self,
        access: IssueAccess,
        cleared: ClearedDocument[emails.RenderedIssue],
        recipients: Sequence[tuple[uuid.UUID, str, str | None, str]],
        now: Any,
    ) -> None:
        mailer = emails.IssueMailer(cleared)
        series_id = access.series.id
        rows: list[dict[str, Any]] = []
        report_id = access.issue.report_id
        # The summary it announces, in each reader's language where it has an edition.
        editions: set[str] = set()
        if report_id is not None:
            found = await EditionService(self.db, self.settings).languages([report_id])
            editions = set(found.get(report_id, []))
        for subscriber_id, email, name, language in recipients:
            payload = mailer.copy_for(
                to=email,
                to_name=name,
                unsubscribe_url=self.unsubscribe_link(subscriber_id, series_id),
                preferences_url=self.preferences_link(subscriber_id),
                report_url=self._report_url(report_id, language) if language in editions else None,
                language=language if language in editions else None,
            )
            rows.append(
                {
                    "id": uuid7(),
                    "kind": OutboxKind.EMAIL.value,
                    "payload": payload,
                    "status": OutboxStatus.PENDING.value,
                    "attempts": 0,
                    "available_at": now,
                    "dedupe_key": newsletter_dedupe_key(access.issue.id, subscriber_id),
                    "created_at": now,
                }
            )
        await self.repo.enqueue_many(rows)
        logger.info(
            "newsletter queued",
            extra={"newsletter_id": str(access.issue.id), "recipients": len(rows)},
        )

    # -- invitations ----------------------------------------------------------------------

    async def send_invitations(self, access: SessionAccess) -> InvitationsQueued:
        """E-mail every invitee (status ``invited``) with an address their own invitation
        (organisers only), once per calendar version of the session."""
        access.series_access.require_manage()
        session = access.session
        if session.status is not SessionStatus.SCHEDULED:
            raise Conflict(
                f"Invitations go out for scheduled sessions; this one is {session.status.value}",
                session_status=session.status.value,
            )
        # Invitees are outside the series' organisers and rapporteurs: the texts the invitation
        # and its calendar file carry pass the guard as they are now.
        series_texts = await public_series_texts(self.db, access.series)
        session_texts = await SessionService(self.db).public_texts(session)
        if series_texts is None or session_texts is None:
            raise Conflict(
                "The session's or the series' public texts now identify someone in the "
                "directory (they are taken down while they are revised); fix them and "
                "republish before sending invitations"
            )
        roster = await PeopleService(self.db).session_roster(session.id)
        queued = already = without = 0
        for member in roster:
            if member.attendance.status is not AttendanceStatus.INVITED:
                continue
            person = member.person
            if not person.email:
                without += 1
                continue
            invitee = emails.Invitee(email=person.email, display_name=_display_name(person))
            payload = emails.invitation_email(
                series=access.series,
                session=session,
                invitee=invitee,
                organiser_address=self.settings.mail.sender_address,
                base_url=self.settings.base_url,
            )
            message = await enqueue(
                self.db,
                kind=OutboxKind.EMAIL,
                payload=payload,
                dedupe_key=invitation_dedupe_key(session.id, person.id, session.calendar_sequence),
            )
            if message is None:
                already += 1
            else:
                queued += 1
        return InvitationsQueued(queued=queued, already_queued=already, without_email=without)


async def _ready(texts: list[Text]) -> list[Text]:
    return texts


def issue_texts(subject: str, body_markdown: str) -> list[Text]:
    """An issue's texts as the guard reads them: the body as rendered, and consent to be
    named only in a paragraph tied to its on-record part."""
    return [
        Text("subject", subject, tied=True),
        Text("body_markdown", body_markdown, markdown=True, tied=True),
    ]


def rendered_texts(rendered: emails.RenderedIssue) -> list[Text]:
    """What every subscriber receives: the subject line, the text part and the HTML part."""
    return [
        Text("subject", rendered.subject, tied=True),
        Text("text", rendered.text, tied=True),
        Text("html", rendered.html, html=True, tied=True),
    ]


def _iso(value: Any) -> str | None:
    return None if value is None else as_utc(value).isoformat()


def _display_name(person: Any) -> str:
    parts = [person.honorific, person.given_name, person.family_name]
    return " ".join(" ".join(p for p in parts if p).split())


def _issue_read(issue: NewsletterIssue, progress: NewsletterProgress) -> NewsletterRead:
    return NewsletterRead(
        id=issue.id,
        series_id=issue.dialogue_series_id,
        subject=issue.subject,
        body_markdown=issue.body_markdown,
        report_id=issue.report_id,
        created_at=issue.created_at,
        updated_at=issue.updated_at,
        sent_at=issue.sent_at,
        recipient_count=issue.recipient_count,
        progress=progress,
    )
