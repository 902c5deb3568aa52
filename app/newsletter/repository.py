"""Every SQL statement about subscribers, subscriptions, suppressions and newsletter issues,
and the few about outbox rows that belong to newsletters (bulk enqueue, progress, erasure)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import String, cast, delete, exists, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql.selectable import ScalarSelect

from app.db import upsert_insert
from app.kit.clock import utcnow
from app.kit.ids import uuid7
from app.kit.pagination import PageParams, apply_keyset, split_page
from app.newsletter.models import (
    EmailSuppression,
    NewsletterIssue,
    Subscriber,
    Subscription,
    SubscriptionStatus,
)
from app.newsletter.schemas import NewsletterProgress
from app.outbox.models import OutboxMessage, OutboxStatus
from app.series.models import DialogueSeries

# Rows per INSERT statement when enqueueing a newsletter (SQLite's bound-parameter limit is
# 32766; an outbox row binds nine values).
_INSERT_CHUNK = 1000


class NewsletterRepository:
    """Subscribers and issues; no caller scoping (the service decides who may ask)."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    # -- series (read-only, for the public forms) -----------------------------------------

    async def series_by_slugs(self, slugs: Collection[str]) -> list[DialogueSeries]:
        if not slugs:
            return []
        stmt = select(DialogueSeries).where(DialogueSeries.slug.in_(sorted(slugs)))
        return list((await self.session.execute(stmt.order_by(DialogueSeries.title))).scalars())

    async def all_series(self, also: Collection[uuid.UUID] = ()) -> list[DialogueSeries]:
        """Listed series (published at least once, not taken down), and any in ``also``
        (a subscriber's own): an unlisted series is in no public form."""
        listed = DialogueSeries.listed_at.is_not(None) & DialogueSeries.taken_down_at.is_(None)
        if also:
            listed = listed | DialogueSeries.id.in_(list(also))
        stmt = select(DialogueSeries).where(listed)
        stmt = stmt.order_by(DialogueSeries.title, DialogueSeries.id)
        return list((await self.session.execute(stmt)).scalars())

    # -- subscribers ----------------------------------------------------------------------

    # Lock order, for every writer: the subscriber row first, then its subscriptions (and
    # its outbox rows). Requests lock one subscriber; housekeeping locks them one at a time in
    # id order; so no two transactions can wait on each other in a cycle. (SQLite serialises
    # writers with BEGIN IMMEDIATE and ignores FOR UPDATE.)

    async def subscriber_by_email(self, email: str, *, lock: bool = False) -> Subscriber | None:
        """The subscriber with this address; ``lock`` holds its row (FOR NO KEY UPDATE) until
        the transaction ends."""
        stmt = select(Subscriber).where(Subscriber.email == email)
        if lock:
            stmt = stmt.with_for_update(key_share=True).execution_options(populate_existing=True)
        return (await self.session.execute(stmt)).scalar_one_or_none()

    async def subscriber_for_update(self, email: str, name: str | None) -> Subscriber:
        """The subscriber with this address, created if there is none, its row locked (FOR NO
        KEY UPDATE) until the transaction ends. Two requests for a new address cannot both
        insert it (the second's insert does nothing), and housekeeping cannot delete the row
        under a request that is subscribing it again: it waits, then sees the request's
        subscriptions."""
        insert = upsert_insert(self.session)
        now = utcnow()
        await self.session.execute(
            insert(Subscriber)
            .values(id=uuid7(), email=email, name=name, created_at=now, updated_at=now)
            .on_conflict_do_nothing(index_elements=["email"])
        )
        found = await self.subscriber_by_email(email, lock=True)
        assert found is not None  # inserted above, or there already and now locked
        return found

    async def lock_subscriber(self, subscriber_id: uuid.UUID) -> bool:
        """Lock the subscriber's row (FOR UPDATE) in a statement of its own; False if it is
        gone. A statement after it sees what the transaction that held the lock committed."""
        locked = await self.session.execute(
            select(Subscriber.id).where(Subscriber.id == subscriber_id).with_for_update()
        )
        return locked.first() is not None

    async def get_subscriber(self, subscriber_id: uuid.UUID) -> Subscriber | None:
        return await self.session.get(Subscriber, subscriber_id)

    async def add(
        self, obj: Subscriber | Subscription | NewsletterIssue | EmailSuppression
    ) -> None:
        self.session.add(obj)
        await self.session.flush()

    async def subscriptions(self, subscriber_id: uuid.UUID) -> list[Subscription]:
        stmt = (
            select(Subscription)
            .where(Subscription.subscriber_id == subscriber_id)
            .order_by(Subscription.id)
        )
        return list((await self.session.execute(stmt)).scalars())

    async def subscriptions_with_series(
        self, subscriber_id: uuid.UUID
    ) -> list[tuple[Subscription, DialogueSeries]]:
        stmt = (
            select(Subscription, DialogueSeries)
            .join(DialogueSeries, DialogueSeries.id == Subscription.dialogue_series_id)
            .where(Subscription.subscriber_id == subscriber_id)
            .order_by(DialogueSeries.title, DialogueSeries.id)
        )
        return [(row[0], row[1]) for row in (await self.session.execute(stmt)).all()]

    async def is_confirmed(self, email: str, series_id: uuid.UUID) -> bool:
        stmt = (
            select(Subscription.id)
            .join(Subscriber, Subscriber.id == Subscription.subscriber_id)
            .where(
                Subscriber.email == email,
                Subscription.dialogue_series_id == series_id,
                Subscription.status == SubscriptionStatus.CONFIRMED,
            )
        )
        return (await self.session.execute(stmt.limit(1))).first() is not None

    async def confirmed_recipients(
        self, series_id: uuid.UUID
    ) -> Sequence[tuple[uuid.UUID, str, str | None, str]]:
        """(subscriber id, address, name, language) of every confirmed subscriber."""
        stmt = (
            select(Subscriber.id, Subscriber.email, Subscriber.name, Subscriber.language)
            .join(Subscription, Subscription.subscriber_id == Subscriber.id)
            .where(
                Subscription.dialogue_series_id == series_id,
                Subscription.status == SubscriptionStatus.CONFIRMED,
            )
            .order_by(Subscriber.id)
        )
        rows = (await self.session.execute(stmt)).all()
        return [(row[0], row[1], row[2], row[3]) for row in rows]

    async def delete_subscriber(self, subscriber: Subscriber) -> None:
        # The subscriber's row first (the lock order above); subscriptions go with it (ON
        # DELETE CASCADE), deleted explicitly as well so the identity map keeps no stale rows.
        if not await self.lock_subscriber(subscriber.id):
            self.session.expunge(subscriber)
            return
        await self.session.execute(
            delete(Subscription).where(Subscription.subscriber_id == subscriber.id)
        )
        await self.session.delete(subscriber)
        await self.session.flush()

    async def subscribers_with_stale_requests(self, cutoff: datetime) -> list[uuid.UUID]:
        """Subscribers with a subscription still pending that was requested before
        ``cutoff``, in id order (the order housekeeping locks them in)."""
        stmt = (
            select(Subscription.subscriber_id)
            .where(
                Subscription.status == SubscriptionStatus.PENDING,
                Subscription.requested_at < cutoff,
            )
            .distinct()
            .order_by(Subscription.subscriber_id)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def delete_stale_requests(self, subscriber_id: uuid.UUID, cutoff: datetime) -> int:
        """Delete the subscriber's subscriptions still pending that were requested before
        ``cutoff`` (call with the subscriber's row locked: a request renewed meanwhile is
        then seen as renewed, and kept)."""
        result = await self.session.execute(
            delete(Subscription)
            .where(
                Subscription.subscriber_id == subscriber_id,
                Subscription.status == SubscriptionStatus.PENDING,
                Subscription.requested_at < cutoff,
            )
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)

    async def subscribers_without_subscriptions(self, created_before: datetime) -> list[Subscriber]:
        """Subscribers (created before ``created_before``) left with no subscription at all,
        except addresses that also asked for a report: their mail is the request's business."""
        from app.reports.models import ReportRequest

        stmt = (
            select(Subscriber)
            .where(
                Subscriber.created_at < created_before,
                ~exists().where(Subscription.subscriber_id == Subscriber.id),
                ~exists().where(func.lower(ReportRequest.email) == func.lower(Subscriber.email)),
            )
            .order_by(Subscriber.id)
        )
        return list((await self.session.execute(stmt)).scalars().all())

    async def delete_orphan(self, subscriber_id: uuid.UUID) -> bool:
        """Delete the subscriber if it still has no subscription.

        The row is locked first, in a statement of its own: a request that is subscribing the
        address again holds it (:meth:`subscriber_for_update`) until it commits, and the
        DELETE that follows takes a fresh snapshot on PostgreSQL, so its re-check sees that
        request's new subscription. (A re-check inside a DELETE that had waited for the lock
        would still read the old snapshot and cascade the new subscription away.)"""
        if not await self.lock_subscriber(subscriber_id):
            return False
        result = await self.session.execute(
            delete(Subscriber)
            .where(
                Subscriber.id == subscriber_id,
                ~exists().where(Subscription.subscriber_id == Subscriber.id),
            )
            .execution_options(synchronize_session=False)
        )
        return bool(getattr(result, "rowcount", 0))

    # -- suppressions ---------------------------------------------------------------------

    async def is_suppressed(self, address_hash: str) -> bool:
        stmt = select(EmailSuppression.id).where(EmailSuppression.address_hash == address_hash)
        return (await self.session.execute(stmt)).first() is not None

    async def lift_suppression(self, address_hash: str) -> None:
        await self.session.execute(
            delete(EmailSuppression).where(EmailSuppression.address_hash == address_hash)
        )

    # -- issues ---------------------------------------------------------------------------

    async def get_issue(self, issue_id: uuid.UUID) -> NewsletterIssue | None:
        return await self.session.get(NewsletterIssue, issue_id)

    async def list_issues_with_progress(
        self, series_id: uuid.UUID, params: PageParams
    ) -> tuple[list[tuple[NewsletterIssue, NewsletterProgress]], str | None]:
        """A page of issues with their delivery progress, in one statement: each issue's
        outbox rows are an index range of dedupe keys ('newsletter:<hex id>:...')."""
        hex_id = func.replace(cast(NewsletterIssue.id, String), "-", "")
        low = literal("newsletter:").concat(hex_id).concat(":")
        high = literal("newsletter:").concat(hex_id).concat(";")  # ';' sorts right after ':'

        def counted(*statuses: OutboxStatus) -> ScalarSelect[int]:
            return (
                select(func.count())
                .select_from(OutboxMessage)
                .where(
                    OutboxMessage.dedupe_key >= low,
                    OutboxMessage.dedupe_key < high,
                    OutboxMessage.status.in_(statuses),
                )
                .correlate(NewsletterIssue)
                .scalar_subquery()
            )

        stmt = select(
            NewsletterIssue,
            counted(OutboxStatus.PENDING, OutboxStatus.SENDING),
            counted(OutboxStatus.SENT),
            counted(OutboxStatus.DEAD),
        ).where(NewsletterIssue.dialogue_series_id == series_id)
        stmt = apply_keyset(stmt, [NewsletterIssue.id], [uuid.UUID], params)
        rows = [
            (r[0], NewsletterProgress(queued=int(r[1]), sent=int(r[2]), failed=int(r[3])))
            for r in (await self.session.execute(stmt)).all()
        ]
        return split_page(rows, params, lambda pair: (pair[0].id,))

    async def claim_send(
        self, issue_id: uuid.UUID, user_id: uuid.UUID, now: datetime, recipients: int
    ) -> bool:
        """Mark the issue sent unless it already is; True for the one caller that did.

        On PostgreSQL a concurrent second send waits on the row lock and then finds
        ``sent_at`` set; on SQLite writers are serialised by the database lock.
        """
        result = await self.session.execute(
            update(NewsletterIssue)
            .where(NewsletterIssue.id == issue_id, NewsletterIssue.sent_at.is_(None))
            .values(sent_at=now, sent_by_id=user_id, recipient_count=recipients, updated_at=now)
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0) == 1

    # -- outbox rows of newsletters -------------------------------------------------------

    async def enqueue_many(self, rows: Sequence[dict[str, Any]]) -> None:
        """Insert outbox rows in a few statements; a row whose ``dedupe_key`` exists is
        skipped (so a repeated or concurrent send cannot queue a message twice)."""
        if not rows:
            return
        insert = upsert_insert(self.session)
        for start in range(0, len(rows), _INSERT_CHUNK):
            chunk = rows[start : start + _INSERT_CHUNK]
            await self.session.execute(
                insert(OutboxMessage)
                .values(list(chunk))
                .on_conflict_do_nothing(index_elements=["dedupe_key"])
            )

    async def outbox_progress(self, dedupe_prefix: str) -> dict[OutboxStatus, int]:
        """How many outbox rows whose dedupe key starts with the prefix are in each status."""
        stmt = (
            select(OutboxMessage.status, func.count())
            .where(OutboxMessage.dedupe_key.startswith(dedupe_prefix, autoescape=True))
            .group_by(OutboxMessage.status)
        )
        return {row[0]: int(row[1]) for row in (await self.session.execute(stmt)).all()}

    async def forget_address_in_outbox(self, email: str) -> None:
        """Erasure: drop queued mail to the address and blank the payload of mail already
        sent or given up on, so no copy of the address stays in the outbox."""
        to = OutboxMessage.payload["to"].as_string()
        await self.session.execute(
            delete(OutboxMessage)
            .where(func.lower(to) == email, OutboxMessage.status == OutboxStatus.PENDING)
            .execution_options(synchronize_session=False)
        )
        await self.session.execute(
            update(OutboxMessage)
            .where(func.lower(to) == email)
            .values(payload={"erased": True}, last_error=None)
            .execution_options(synchronize_session=False)
        )
