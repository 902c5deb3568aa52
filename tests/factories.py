"""Factories that build valid objects through the services, with overrides."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from app.series.models import DialogueSeries, DisclosureRegime, MemberRole, SeriesMember
from app.sessions.models import (
    AgendaPart,
    DialogueSession,
    PartKind,
    SessionFormat,
    SessionStatus,
)
from app.users.models import User
from app.users.schemas import TokenCreate, UserCreate
from app.users.service import UserService

_seq = itertools.count(1)


PUBLISHED_STATUSES = frozenset(
    {SessionStatus.SCHEDULED, SessionStatus.POSTPONED, SessionStatus.HELD, SessionStatus.CLOSED}
)


@dataclass
class Caller:
    """A user with a working token, and the headers that use it."""

    user: User
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    @property
    def id(self) -> uuid.UUID:
        return self.user.id


class Factory:
    """Builds rows in the test transaction."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def caller(self, *, is_admin: bool = False, email: str | None = None) -> Caller:
        n = next(_seq)
        service = UserService(self.session)
        user = await service.create_user(
            UserCreate(
                email=email or f"user{n}@example.org",
                display_name=f"User {n}",
                is_admin=is_admin,
            )
        )
        _, secret = await service.issue_token(user.id, TokenCreate(name="test"))
        await self.session.commit()
        return Caller(user=user, token=secret)

    async def series(
        self,
        *,
        organiser: Caller | None = None,
        rapporteurs: tuple[Caller, ...] = (),
        **overrides: object,
    ) -> DialogueSeries:
        n = next(_seq)
        values: dict[str, object] = {
            "slug": f"series-{n}",
            "title": f"Series {n}",
            "description": "",
            "organiser": "Heart of Asia Society",
            "partners": ["Center for Conflict and Humanitarian Studies"],
            "timezone": "Asia/Kabul",
        }
        values.update(overrides)
        series = DialogueSeries(**values)
        self.session.add(series)
        await self.session.flush()
        if organiser is not None:
            self.session.add(
                SeriesMember(
                    dialogue_series_id=series.id,
                    app_user_id=organiser.id,
                    role=MemberRole.ORGANISER,
                )
            )
        for rapporteur in rapporteurs:
            self.session.add(
                SeriesMember(
                    dialogue_series_id=series.id,
                    app_user_id=rapporteur.id,
                    role=MemberRole.RAPPORTEUR,
                )
            )
        await self.session.commit()
        return series

    async def dialogue_session(
        self, series: DialogueSeries, **overrides: object
    ) -> DialogueSession:
        """A session of ``series`` (draft by default), numbered after the last one."""
        from app.sessions.repository import SessionRepository

        number = await SessionRepository(self.session).next_number(series.id)
        starts = datetime(2020, 6, 29, 9, 30, tzinfo=UTC) + timedelta(days=30 * number)
        values: dict[str, object] = {
            "dialogue_series_id": series.id,
            "number": number,
            "title": f"Session {number}",
            "context": "Afghanistan has seen a resurgence of violence.",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "timezone": series.timezone,
            "format": SessionFormat.ONLINE,
            "meeting_url": "https://meet.example.org/secret-room-42",
            "venue": None,
            "default_regime": series.default_regime,
            "status": SessionStatus.DRAFT,
            "calendar_sequence": 0,
        }
        values.update(overrides)
        # A session past the draft stage has been scheduled, hence public (a cancelled one is
        # taken to have been a draft unless the test says otherwise).
        if values["status"] in PUBLISHED_STATUSES and "public_since" not in overrides:
            values["public_since"] = starts - timedelta(days=14)
        session = DialogueSession(**values)
        self.session.add(session)
        await self.session.commit()
        return session

    async def part(self, session: DialogueSession, **overrides: object) -> AgendaPart:
        """An agenda part appended to ``session``."""
        from sqlalchemy import func, select

        count = (
            await self.session.execute(
                select(func.count()).where(AgendaPart.dialogue_session_id == session.id)
            )
        ).scalar_one()
        values: dict[str, object] = {
            "dialogue_session_id": session.id,
            "position": count + 1,
            "title": f"Part {count + 1}",
            "kind": PartKind.DISCUSSION,
            "topic": None,
            "regime": DisclosureRegime.CHATHAM_HOUSE,
        }
        values.update(overrides)
        part = AgendaPart(**values)
        self.session.add(part)
        await self.session.commit()
        return part
