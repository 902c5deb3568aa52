"""Rules about series and their members."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.gate import Cleared, Gate, Text
from app.errors import Conflict, Forbidden, NotFound
from app.kit.pagination import PageParams
from app.outbox.events import emit
from app.series.events import series_data
from app.series.models import DialogueSeries, MemberRole, SeriesMember
from app.series.repository import SeriesRepository
from app.series.schemas import MemberCreate, MemberRead, SeriesCreate, SeriesUpdate
from app.series.themes import seed_default_themes
from app.users.repository import UserRepository
from app.users.service import Principal

NOT_FOUND = "No such series"


@dataclass(frozen=True, slots=True)
class SeriesAccess:
    """A series together with what the caller may do in it."""

    series: DialogueSeries
    role: MemberRole | None
    principal: Principal

    @property
    def can_manage(self) -> bool:
        """Organisers and administrators run the series."""
        return self.principal.is_admin or self.role is MemberRole.ORGANISER

    @property
    def can_read_roster(self) -> bool:
        """Organisers, rapporteurs and administrators see confidential series data."""
        return self.principal.is_admin or self.role is not None

    def require_manage(self) -> None:
        """Refuse anyone who cannot run the series (they can see it, so 403, not 404)."""
        if not self.can_manage:
            raise Forbidden("Only the series' organisers may do this")


class SeriesService:
    """Creating, reading, changing and deleting series; managing their members."""

    def __init__(self, session: AsyncSession) -> None:
        self.repo = SeriesRepository(session)
        self.users = UserRepository(session)

    async def access(self, principal: Principal, series_id: uuid.UUID) -> SeriesAccess:
        """The series as the caller may see it; 404 for series the caller is not in."""
        found = await self.repo.get_with_role(
            series_id, principal.user_id, is_admin=principal.is_admin
        )
        if found is None:
            raise NotFound(NOT_FOUND)
        return SeriesAccess(series=found[0], role=found[1], principal=principal)

    async def public_series(self, series_id: uuid.UUID) -> DialogueSeries:
        """A series' public face (title, organiser, calendar); no caller scoping."""
        series = await self.repo.get(series_id)
        if series is None:
            raise NotFound(NOT_FOUND)
        return series

    async def list_series(
        self, principal: Principal, params: PageParams
    ) -> tuple[list[DialogueSeries], str | None]:
        return await self.repo.list_visible(
            principal.user_id, is_admin=principal.is_admin, params=params
        )

    async def create_series(
        self, principal: Principal, data: SeriesCreate, default_timezone: str
    ) -> DialogueSeries:
        if await self.repo.slug_taken(data.slug):
            raise Conflict("Another series already uses this slug", field="slug")
        series = await self.repo.add(
            DialogueSeries(
                slug=data.slug,
                title=data.title,
                description=data.description,
                organiser=data.organiser,
                partners=list(data.partners),
                timezone=data.timezone or default_timezone,
                default_regime=data.default_regime,
                strapline=data.strapline,
                title_prefix=data.title_prefix,
                dateline=data.dateline,
                closing=data.closing,
                report_request_policy=data.report_request_policy,
                paper=data.paper,
            )
        )
        await self.repo.add_member(
            SeriesMember(
                dialogue_series_id=series.id,
                app_user_id=principal.user_id,
                role=MemberRole.ORGANISER,
            )
        )
        await seed_default_themes(self.repo.session, series.id)
        # Unlisted until its first publication: integrations hear of it then
        # (``series.created`` from ReportService.publish), not now.
        return series

    async def update_series(self, access: SeriesAccess, data: SeriesUpdate) -> DialogueSeries:
        access.require_manage()
        series = access.series
        changes = {k: v for k, v in data.model_dump(exclude_unset=True).items() if v is not None}
        acknowledged = changes.pop("acknowledge_warnings", [])
        if "slug" in changes and await self.repo.slug_taken(changes["slug"], excluding=series.id):
            raise Conflict("Another series already uses this slug", field="slug")
        texts = series_texts(changes)
        if texts:
            await Gate(self.repo.session).clear(
                series.id,
                texts,
                acknowledged=acknowledged,
                what="The series' public texts (its pages, feeds, reports and newsletters)",
            )
        for key, value in changes.items():
            setattr(series, key, value)
        await self.repo.session.flush()
        # The database bumps the version when the organiser or partners change.
        await self.repo.session.refresh(series, ["directory_version"])
        if series.listed_at is not None and series.taken_down_at is None:
            cleared = await public_series_texts(self.repo.session, series)
            if cleared is not None:
                await emit(
                    self.repo.session, "series.updated", series.id, series_data(series, cleared)
                )
        return series

    async def delete_series(self, access: SeriesAccess) -> None:
        """Delete an empty series; a series with sessions is history and stays (409)."""
        access.require_manage()
        if not await self.repo.delete(access.series):
            raise Conflict("The series has sessions; cancel them instead of deleting the series")

    async def list_members(
        self, access: SeriesAccess, params: PageParams
    ) -> tuple[list[MemberRead], str | None]:
        rows, cursor = await self.repo.list_members(access.series.id, params)
        return [_member_read(m, u.email, u.display_name) for m, u in rows], cursor

    async def set_member(self, access: SeriesAccess, data: MemberCreate) -> tuple[MemberRead, bool]:
        """Add a member, or change an existing member's role. Returns (member, created)."""
        access.require_manage()
        user = await self.users.get(data.user_id)
        if user is None or not user.is_active:
            raise NotFound("No such user")
        series_id = access.series.id
        member = await self.repo.get_member(series_id, user.id)
        if member is None:
            member = await self.repo.add_member(
                SeriesMember(dialogue_series_id=series_id, app_user_id=user.id, role=data.role)
            )
            return _member_read(member, user.email, user.display_name), True
        if member.role is MemberRole.ORGANISER and data.role is not MemberRole.ORGANISER:
            await self._keep_an_organiser(series_id)
        member.role = data.role
        await self.repo.session.flush()
        return _member_read(member, user.email, user.display_name), False

    async def remove_member(self, access: SeriesAccess, user_id: uuid.UUID) -> None:
        access.require_manage()
        member = await self.repo.get_member(access.series.id, user_id)
        if member is None:
            raise NotFound("No such member")
        if member.role is MemberRole.ORGANISER:
            await self._keep_an_organiser(access.series.id)
        await self.repo.remove_member(member)

    async def _keep_an_organiser(self, series_id: uuid.UUID) -> None:
        if await self.repo.count_organisers(series_id) <= 1:
            raise Conflict("A series needs at least one organiser; appoint another one first")


PUBLIC_TEXTS = (
    "title",
    "slug",
    "description",
    "organiser",
    "strapline",
    "title_prefix",
    "dateline",
    "closing",
)


def series_text_list(series: DialogueSeries) -> list[Text]:
    """Every public text of a series, each key present (empty or not)."""
    texts = [Text(key, getattr(series, key) or "") for key in PUBLIC_TEXTS]
    texts += [Text(f"partners.{i}", p) for i, p in enumerate(series.partners)]
    return texts


async def public_series_texts(
    db: AsyncSession, series: DialogueSeries
) -> dict[str, Cleared] | None:
    """The series' public texts as the guard admits them now: None while the series is
    taken down or one of them names someone in its directory."""
    if series.taken_down_at is not None:
        return None
    return await Gate(db).admit(
        series.id, series_text_list(series), version=series.directory_version
    )


def series_texts(values: dict[str, object]) -> list[Text]:
    """The public-bound texts among a series' fields (partners one by one)."""
    # A slug's hyphens separate words for the matcher as spaces do ("leyla-karimova").
    texts = [Text(key, str(values[key])) for key in PUBLIC_TEXTS if values.get(key)]
    partners = values.get("partners")
    if isinstance(partners, list):
        texts += [Text(f"partners.{i}", str(p)) for i, p in enumerate(partners)]
    return texts


def _member_read(member: SeriesMember, email: str, display_name: str) -> MemberRead:
    return MemberRead(
        user_id=member.app_user_id,
        email=email,
        display_name=display_name,
        role=member.role,
        created_at=member.created_at,
    )
