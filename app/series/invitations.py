"""Inviting people to a series by e-mail, with a role.

An organiser invites an address as organiser or rapporteur. The e-mailed link (signed, with
256 random bits of which only the SHA-256 is stored, valid ``console.invitation_days``) opens
a page with a button; accepting creates the account if the address has none, adds the member
(never lowering an organiser to rapporteur) and signs them in. A newer invitation of the same
address to the same series replaces the older one; organisers can withdraw a pending one.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Literal

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.errors import Conflict, NotFound
from app.kit.clock import as_utc, utcnow
from app.outbox.mail import email_payload, render_email
from app.outbox.models import OutboxKind
from app.outbox.queue import enqueue
from app.series.models import DialogueSeries, MemberRole, SeriesInvitation, SeriesMember
from app.series.repository import InvitationRepository, SeriesRepository
from app.series.service import SeriesAccess
from app.users.models import User
from app.users.repository import UserRepository

_SALT = "track2.series.invitation"

InvitationProblem = Literal["expired", "used", "withdrawn", "invalid", "inactive"]


class BadInvitation(Exception):
    """An invitation link that does not work, and why."""

    def __init__(self, reason: InvitationProblem) -> None:
        super().__init__(reason)
        self.reason: InvitationProblem = reason


@dataclass(frozen=True, slots=True)
class Accepted:
    """Who accepted, into which series, with which role."""

    user: User
    series: DialogueSeries
    role: MemberRole
    created_account: bool


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class InvitationService:
    """Invitations to a series: send, list, withdraw, open, accept."""

    def __init__(self, db: AsyncSession, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.series = SeriesRepository(db)
        self.users = UserRepository(db)
        self.invitations = InvitationRepository(db)
        self._signer = URLSafeTimedSerializer(settings.secret_key.get_secret_value(), salt=_SALT)

    @property
    def lifetime(self) -> timedelta:
        return timedelta(days=self.settings.console.invitation_days)

    async def invite(
        self, access: SeriesAccess, email: str, role: MemberRole, inviter_name: str
    ) -> SeriesInvitation:
        """Invite ``email`` to the series as ``role`` (organisers only) and e-mail the link."""
        access.require_manage()
        address = email.strip().lower()
        series = access.series
        user = await self.users.get_by_email(address)
        if user is not None and await self.series.get_member(series.id, user.id) is not None:
            raise Conflict("This address already belongs to a member of the series", field="email")
        now = utcnow()
        await self.invitations.withdraw_pending(series.id, address, now)
        secret = secrets.token_urlsafe(32)
        invitation = SeriesInvitation(
            dialogue_series_id=series.id,
            email=address,
            role=role,
            token_hash=_hash(secret),
            invited_by_id=access.principal.user_id,
            created_at=now,
            expires_at=now + self.lifetime,
            accepted_at=None,
            revoked_at=None,
        )
        await self.invitations.add(invitation)
        url = f"{self.settings.base_url}/invitations/accept?token={self._signer.dumps(secret)}"
        subject, text, html = render_email(
            "series/invitation",
            {
                "series_title": series.title,
                "inviter": inviter_name,
                "role": role.value,
                "accept_url": url,
                "days": self.settings.console.invitation_days,
            },
        )
        await enqueue(
            self.db,
            kind=OutboxKind.EMAIL,
            payload=email_payload(to=address, subject=subject, text=text, html=html),
        )
        return invitation

    async def pending(self, access: SeriesAccess) -> list[SeriesInvitation]:
        """Invitations not yet accepted, withdrawn or expired, newest first."""
        return await self.invitations.pending(access.series.id, utcnow())

    async def withdraw(self, access: SeriesAccess, invitation_id: uuid.UUID) -> None:
        """Withdraw a pending invitation (organisers only); its link stops working."""
        access.require_manage()
        if not await self.invitations.withdraw(access.series.id, invitation_id, utcnow()):
            raise NotFound("No such invitation")

    async def open(self, token: str) -> tuple[SeriesInvitation, DialogueSeries, User | None]:
        """The invitation behind a link, its series and the existing account (if any)."""
        try:
            secret = self._signer.loads(token, max_age=int(self.lifetime.total_seconds()))
        except SignatureExpired:
            raise BadInvitation("expired") from None
        except BadSignature:
            raise BadInvitation("invalid") from None
        if not isinstance(secret, str):
            raise BadInvitation("invalid")
        found = await self.invitations.by_hash(_hash(secret))
        if found is None:
            raise BadInvitation("invalid")
        invitation, series = found
        if invitation.accepted_at is not None:
            raise BadInvitation("used")
        if invitation.revoked_at is not None:
            raise BadInvitation("withdrawn")
        if as_utc(invitation.expires_at) <= utcnow():
            raise BadInvitation("expired")
        user = await self.users.get_by_email(invitation.email)
        if user is not None and not user.is_active:
            raise BadInvitation("inactive")
        return invitation, series, user

    async def accept(self, token: str, display_name: str) -> Accepted:
        """Accept: the account (created if needed), the membership, the invitation used."""
        invitation, series, user = await self.open(token)
        created = user is None
        if user is None:
            user = await self.users.add(
                User(email=invitation.email, display_name=display_name, is_admin=False)
            )
        member = await self.series.get_member(series.id, user.id)
        role = invitation.role
        if member is None:
            await self.series.add_member(
                SeriesMember(dialogue_series_id=series.id, app_user_id=user.id, role=role)
            )
        elif member.role is MemberRole.ORGANISER:
            role = MemberRole.ORGANISER  # an invitation never demotes
        else:
            member.role = role
        invitation.accepted_at = utcnow()
        await self.db.flush()
        return Accepted(user=user, series=series, role=role, created_account=created)
