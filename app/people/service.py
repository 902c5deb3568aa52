"""Rules about the confidential roster: people, attendance, consent, and what may be shown.

The roster (names, aliases, positions, affiliations, e-mails, roles) never leaves the series'
organisers and rapporteurs. What others may see is :class:`CompositionPublic`, computed by the
pure function :func:`compose` with small-cell suppression.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.recheck import directory_changed
from app.errors import Conflict, FieldError, InvalidRequest, NotFound
from app.kit.clock import utcnow
from app.kit.pagination import PageParams
from app.people.csv_import import ImportRow
from app.people.models import Attendance, AttendanceStatus, Person, Sector
from app.people.repository import PeopleRepository
from app.people.schemas import (
    SMALL_CELL,
    AttendanceCreate,
    AttendanceRead,
    AttendanceUpdate,
    AttendeeNames,
    CompositionPublic,
    PersonCreate,
    PersonRead,
    PersonUpdate,
)
from app.series.models import DisclosureRegime
from app.series.service import SeriesAccess, SeriesService
from app.sessions.models import SessionStatus
from app.sessions.schemas import SchedulingWarning
from app.sessions.service import SessionAccess, SessionService
from app.users.service import Principal

PERSON_NOT_FOUND = "No such person"
ATTENDANCE_NOT_FOUND = "This person is not on the session's roster"
EMAIL_TAKEN = "Another person of this series has this e-mail address"

# Once a session has taken place, who was on its roster is history: the non-attribution
# checker needs it for as long as the session's key points exist.
ROSTER_FROZEN = frozenset({SessionStatus.HELD, SessionStatus.CLOSED})
COUNT_ATTENDED = frozenset({AttendanceStatus.ATTENDED})
COUNT_CONFIRMED = frozenset({AttendanceStatus.CONFIRMED, AttendanceStatus.ATTENDED})

K = TypeVar("K", bound=Hashable)
CountryRow = tuple[str | None, Sector]


@dataclass(frozen=True, slots=True)
class PersonAccess:
    """A person together with the caller's access to the person's series."""

    person: Person
    series_access: SeriesAccess


@dataclass(frozen=True)
class RosterMember:
    """One person on a session's roster, for the non-attribution checker (members only)."""

    person: Person
    attendance: Attendance
    on_record_part_ids: frozenset[uuid.UUID]


def person_read(person: Person) -> PersonRead:
    """The members' view of a person."""
    return PersonRead(
        id=person.id,
        series_id=person.dialogue_series_id,
        honorific=person.honorific,
        given_name=person.given_name,
        family_name=person.family_name,
        aliases=list(person.aliases),
        position=person.position,
        affiliation=person.affiliation,
        affiliation_acronym=person.affiliation_acronym,
        affiliation_aliases=list(person.affiliation_aliases or ()),
        country=person.country,
        sector=person.sector,
        email=person.email,
        notes=person.notes,
        created_at=person.created_at,
        updated_at=person.updated_at,
    )


def attendance_read(
    attendance: Attendance, person: Person, part_ids: Iterable[uuid.UUID]
) -> AttendanceRead:
    """The members' view of one attendance."""
    return AttendanceRead(
        person_id=person.id,
        session_id=attendance.dialogue_session_id,
        person=AttendeeNames(
            honorific=person.honorific,
            given_name=person.given_name,
            family_name=person.family_name,
        ),
        role=attendance.role,
        status=attendance.status,
        on_record_part_ids=sorted(part_ids),
        created_at=attendance.created_at,
        updated_at=attendance.updated_at,
    )


# -- composition ----------------------------------------------------------------------------


def _fold(counts: Counter[K], other: K) -> dict[K, int]:
    """Show groups of at least SMALL_CELL; everything else is counted under ``other``.

    If ``other`` would then hold 1 or 2 people, the smallest shown groups join it until it
    holds at least SMALL_CELL, so no count between 1 and SMALL_CELL - 1 is ever shown and
    none can be derived from the total (the shown counts always add up to it).
    """
    shown = {k: n for k, n in counts.items() if k != other and n >= SMALL_CELL}
    rest = sum(counts.values()) - sum(shown.values())
    while 0 < rest < SMALL_CELL and shown:
        smallest = min(shown, key=lambda k: (shown[k], str(k)))
        rest += shown.pop(smallest)
    out = dict(sorted(shown.items(), key=lambda item: (-item[1], str(item[0]))))
    if rest:
        out[other] = rest
    return out


def compose(
    rows: Iterable[CountryRow], *, basis: Literal["attended", "confirmed"] = "attended"
) -> CompositionPublic:
    """The aggregate composition of the people counted, with small-cell suppression.

    ``rows`` are (country, sector) pairs, one per person counted. Fewer than SMALL_CELL people:
    nothing is shown but ``suppressed``. Otherwise the total, counts by sector and by country in
    which every shown group holds at least SMALL_CELL people (smaller groups, and people
    without a country, are counted under "other"), and the number of distinct countries only
    when no country has fewer than SMALL_CELL people: "7 participants from seven countries"
    says each country has one, and with the folded counts any number of countries that hides
    small ones lets their sizes be worked out (``k`` countries of 1 or 2 people sharing ``n``
    in "other" are ``n - k`` pairs and ``2k - n`` singles).
    """
    people = list(rows)
    if len(people) < SMALL_CELL:
        return CompositionPublic(suppressed=True, basis=basis)
    countries: Counter[str] = Counter(country or "other" for country, _ in people)
    sectors: Counter[Sector] = Counter(sector for _, sector in people)
    named = {c: n for c, n in countries.items() if c != "other"}
    safe = all(n >= SMALL_CELL for n in named.values())
    return CompositionPublic(
        suppressed=False,
        basis=basis,
        total=len(people),
        countries=len(named) if safe else None,
        by_sector=_fold(sectors, Sector.OTHER),
        by_country=_fold(countries, "other"),
    )


# -- the service ----------------------------------------------------------------------------


class PartConsentLedger:
    """The roster's answer to the sessions domain about an agenda part's consents
    (registered by ``app.wiring.wire``: ``SessionService`` cannot import this domain)."""

    async def consenting(self, db: AsyncSession, part_id: uuid.UUID) -> list[uuid.UUID]:
        return await PeopleRepository(db).consenting_people(part_id)

    async def forget(self, db: AsyncSession, part_id: uuid.UUID) -> None:
        await PeopleRepository(db).drop_consents(part_id)


class PeopleService:
    """A series' directory of people, session rosters, consent, and the aggregate view."""

    def __init__(self, db: AsyncSession) -> None:
        self.db = db
        self.repo = PeopleRepository(db)

    # -- people ---------------------------------------------------------------------------

    async def person_access(self, principal: Principal, person_id: uuid.UUID) -> PersonAccess:
        """A person as the caller may see them: 404 for a missing person and for a person of
        a series the caller is not a member of, alike."""
        person = await self.repo.get_person(person_id)
        if person is None:
            raise NotFound(PERSON_NOT_FOUND)
        try:
            access = await SeriesService(self.db).access(principal, person.dialogue_series_id)
        except NotFound:
            raise NotFound(PERSON_NOT_FOUND) from None
        return PersonAccess(person=person, series_access=access)

    async def list_people(
        self, access: SeriesAccess, params: PageParams, name: str | None = None
    ) -> tuple[list[Person], str | None]:
        """The series' people in creation order, optionally those whose name contains
        ``name`` (case-insensitive)."""
        return await self.repo.list_people(access.series.id, params, name=name)

    async def create_person(self, access: SeriesAccess, data: PersonCreate) -> Person:
        """Add a person to the series' directory (organisers only)."""
        access.require_manage()
        if data.email and await self.repo.existing_emails(access.series.id, {data.email}):
            raise Conflict(EMAIL_TAKEN, field="email")
        person = _new_person(access.series.id, data)
        await self.repo.add_people([person])
        await directory_changed(self.db, access.series.id, [person.id])
        return person

    async def update_person(self, access: PersonAccess, data: PersonUpdate) -> Person:
        """Change a person (organisers only); ``null`` clears an optional field."""
        access.series_access.require_manage()
        person = access.person
        changes = data.model_dump(exclude_unset=True)
        email = changes.get("email")
        if email and await self.repo.existing_emails(
            person.dialogue_series_id, {email}, excluding=person.id
        ):
            raise Conflict(EMAIL_TAKEN, field="email")
        for key, value in changes.items():
            setattr(person, key, list(value) if key in _LIST_FIELDS else value)
        await self.db.flush()
        await directory_changed(self.db, person.dialogue_series_id, [person.id])
        return person

    async def delete_person(self, access: PersonAccess) -> None:
        """Delete a person and their attendance (organisers only).

        A person on the roster of a held or closed session stays (409): who was there is
        what the non-attribution checker protects for that session's key points.
        """
        access.series_access.require_manage()
        if await self.repo.attends_session_in(access.person.id, ROSTER_FROZEN):
            raise Conflict(
                "This person is on the roster of a held or closed session; that record is kept"
            )
        await self.repo.delete_person(access.person)
        # Someone gone names no one new; the next matcher is built after the commit.
        await directory_changed(self.db, access.person.dialogue_series_id, [])

    async def import_people(self, access: SeriesAccess, rows: Sequence[ImportRow]) -> list[Person]:
        """Store every row or none (organisers only). The rows are already valid people; an
        e-mail address already used in the series refuses the whole import, row by row."""
        access.require_manage()
        emails = {r.person.email for r in rows if r.person.email}
        taken = await self.repo.existing_emails(access.series.id, emails) if emails else set()
        errors = [
            FieldError(
                location=f"row {r.row}",
                field="email",
                reason="another person of this series already has this e-mail address",
                code="email_taken",
            )
            for r in rows
            if r.person.email in taken
        ]
        if errors:
            raise InvalidRequest(
                errors, detail=f"{len(errors)} row(s) have errors; nothing was imported"
            )
        people = [_new_person(access.series.id, r.person) for r in rows]
        await self.repo.add_people(people)
        await directory_changed(self.db, access.series.id, [p.id for p in people])
        return people

    # -- attendance -----------------------------------------------------------------------

    async def list_attendance(
        self, access: SessionAccess, params: PageParams
    ) -> tuple[list[AttendanceRead], str | None]:
        """The session's roster, one page, with names and current on-record consents."""
        rows, cursor = await self.repo.list_attendance(access.session.id, params)
        return [attendance_read(a, p, parts) for a, p, parts in rows], cursor

    async def add_attendance(
        self, access: SessionAccess, data: AttendanceCreate
    ) -> tuple[AttendanceRead, list[SchedulingWarning]]:
        """Put a person of the series on the roster (organisers only).

        A person already on it is a 409. Being on the roster of an overlapping session
        elsewhere is allowed and reported in the warnings.
        """
        access.series_access.require_manage()
        session = access.session
        person = await self.repo.get_person_in_series(session.dialogue_series_id, data.person_id)
        if person is None:
            raise NotFound(PERSON_NOT_FOUND)
        if await self.repo.get_attendance(session.id, person.id) is not None:
            raise Conflict("This person is already on the session's roster", field="person_id")
        part_ids = await self._consent_parts(session.id, data.on_record_part_ids)
        attendance = await self.repo.add_attendance(
            Attendance(
                dialogue_session_id=session.id,
                person_id=person.id,
                role=data.role,
                status=data.status,
            )
        )
        if part_ids:
            await self.repo.replace_consents(attendance.id, part_ids)
        await directory_changed(self.db, session.dialogue_series_id, [person.id])
        warnings = await self._double_booking(access, person, attendance)
        return attendance_read(attendance, person, part_ids), warnings

    async def update_attendance(
        self, access: SessionAccess, person_id: uuid.UUID, data: AttendanceUpdate
    ) -> tuple[AttendanceRead, list[SchedulingWarning]]:
        """Change a role, a status or the on-record consents (organisers only)."""
        access.series_access.require_manage()
        attendance, person = await self._attendance(access.session.id, person_id)
        changes = data.model_dump(exclude_unset=True)
        if "on_record_part_ids" in changes:
            part_ids = await self._consent_parts(access.session.id, changes["on_record_part_ids"])
            await self.repo.replace_consents(attendance.id, part_ids)
            # The consent rows have no timestamp of their own; the attendance carries it.
            attendance.updated_at = utcnow()
        else:
            part_ids = (await self.repo.on_record_consents([attendance.id]))[attendance.id]
        for key in ("role", "status"):
            if key in changes:
                setattr(attendance, key, changes[key])
        await self.db.flush()
        # A consent withdrawn, or an attendance that no longer counts, may make a published
        # text name them.
        await directory_changed(self.db, access.series.id, [person.id])
        warnings = await self._double_booking(access, person, attendance)
        return attendance_read(attendance, person, part_ids), warnings

    async def remove_attendance(self, access: SessionAccess, person_id: uuid.UUID) -> None:
        """Take a person off the roster (organisers only), unless the session was held."""
        access.series_access.require_manage()
        attendance, _ = await self._attendance(access.session.id, person_id)
        if access.session.status in ROSTER_FROZEN:
            raise Conflict(
                f"The roster of a {access.session.status.value} session is kept; "
                "set the attendance status to 'absent' or 'declined' instead",
                session_status=access.session.status.value,
            )
        await self.repo.delete_attendance(attendance)
        await directory_changed(self.db, access.series.id, [person_id])

    async def _attendance(
        self, session_id: uuid.UUID, person_id: uuid.UUID
    ) -> tuple[Attendance, Person]:
        found = await self.repo.get_attendance(session_id, person_id)
        if found is None:
            raise NotFound(ATTENDANCE_NOT_FOUND)
        return found

    async def _consent_parts(
        self, session_id: uuid.UUID, part_ids: Sequence[uuid.UUID]
    ) -> set[uuid.UUID]:
        """The requested consent parts, each checked to be an on-record part of the session."""
        if not part_ids:
            return set()
        parts = {p.id: p for p in await SessionService(self.db).list_parts(session_id)}
        errors: list[FieldError] = []
        for index, part_id in enumerate(part_ids):
            part = parts.get(part_id)
            if part is None:
                reason = "not an agenda part of this session"
            elif part.regime is not DisclosureRegime.ON_RECORD:
                reason = (
                    f"this part is held under the {part.regime.value} regime; consent to be "
                    "named applies to on_record parts only"
                )
            else:
                continue
            errors.append(
                FieldError(location="body", field=f"on_record_part_ids.{index}", reason=reason)
            )
        if errors:
            raise InvalidRequest(errors)
        return set(part_ids)

    async def _double_booking(
        self, access: SessionAccess, person: Person, attendance: Attendance
    ) -> list[SchedulingWarning]:
        """Warnings for overlapping sessions with this person (or their e-mail address) on
        their roster, among the sessions the caller can already see: never a session of a
        series they are not a member of, so the warning is no oracle.

        A session of this series is named by its number; one of another series the caller is
        a member of is mentioned without details.
        """
        session = access.session
        if attendance.status is AttendanceStatus.DECLINED:
            return []
        found = await self.repo.overlapping_bookings(
            session_id=session.id,
            person_id=person.id,
            email=person.email,
            starts_at=session.starts_at,
            ends_at=session.ends_at,
            user_id=access.principal.user_id,
            is_admin=access.principal.is_admin,
        )
        warnings: list[SchedulingWarning] = []
        elsewhere = False
        for other_id, series_id, number in sorted(found, key=lambda r: r[2]):
            if series_id != session.dialogue_series_id:
                elsewhere = True
                continue
            warnings.append(
                SchedulingWarning(
                    code="person_double_booked",
                    message=f"This person is on the roster of session {number} of this "
                    "series, which overlaps this one",
                    session_id=other_id,
                    number=number,
                )
            )
        if elsewhere:
            warnings.append(
                SchedulingWarning(
                    code="person_double_booked",
                    message="This person is on the roster of another session that overlaps "
                    "this one",
                )
            )
        return warnings

    # -- for other domains ----------------------------------------------------------------

    async def composition(self, session_id: uuid.UUID) -> CompositionPublic:
        """The session's aggregate composition, safe for reports and public pages.

        Held and closed sessions count who attended; any other session counts who confirmed
        (or was already marked as attended). Callers decide who may see a session at all.
        """
        status = await self.repo.session_status(session_id)
        if status is None:
            raise NotFound("No such session")
        if status in ROSTER_FROZEN:
            rows = await self.repo.composition_rows(session_id, COUNT_ATTENDED)
            return compose(rows, basis="attended")
        rows = await self.repo.composition_rows(session_id, COUNT_CONFIRMED)
        return compose(rows, basis="confirmed")

    async def session_roster(self, session_id: uuid.UUID) -> list[RosterMember]:
        """Everyone with attendance in the session, any status, with the parts (currently
        on record) in which they consented to be named. Two queries, whatever the size."""
        rows = await self.repo.roster(session_id)
        consents = await self.repo.on_record_consents([a.id for a, _ in rows])
        return [
            RosterMember(person=p, attendance=a, on_record_part_ids=frozenset(consents[a.id]))
            for a, p in rows
        ]

    async def sessions_of_person(self, person_id: uuid.UUID) -> list[uuid.UUID]:
        """The sessions whose roster the person is on."""
        return await self.repo.sessions_of_person(person_id)

    async def series_roster(self, series_id: uuid.UUID) -> tuple[list[Person], set[uuid.UUID]]:
        """Everyone in the series' people directory, and who of them consented to be named
        for an on-record part of a session they attended or confirmed (for checking texts
        that concern the whole series, such as newsletters)."""
        people = await self.repo.series_people(series_id)
        named = await self.repo.named_on_record(
            series_id, (AttendanceStatus.CONFIRMED, AttendanceStatus.ATTENDED)
        )
        return people, named


_LIST_FIELDS = ("aliases", "affiliation_aliases")


def _new_person(series_id: uuid.UUID, data: PersonCreate) -> Person:
    return Person(
        dialogue_series_id=series_id,
        honorific=data.honorific,
        given_name=data.given_name,
        family_name=data.family_name,
        aliases=list(data.aliases),
        position=data.position,
        affiliation=data.affiliation,
        affiliation_acronym=data.affiliation_acronym,
        affiliation_aliases=list(data.affiliation_aliases),
        country=data.country,
        sector=data.sector,
        email=data.email,
        notes=data.notes,
    )
