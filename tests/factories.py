"""Factories that build valid objects through the services, with overrides."""

from __future__ import annotations

import itertools
import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.series.models import DialogueSeries, MemberRole, SeriesMember
from app.users.models import User
from app.users.schemas import TokenCreate, UserCreate
from app.users.service import UserService

_seq = itertools.count(1)


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
