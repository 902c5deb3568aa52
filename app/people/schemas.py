"""Request and response shapes for people, attendance and the aggregate composition.

``PersonRead`` and ``AttendanceRead`` carry roster data and are for series members only.
``CompositionPublic`` is the one shape here that may leave the series: its fields can hold
counts, sector names and country codes, and nothing else.
"""

from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    EmailStr,
    Field,
    StringConstraints,
    field_validator,
)

from app.kit.types import LongText, not_nullable
from app.people.countries import ISO_3166_ALPHA2
from app.people.models import AttendanceRole, AttendanceStatus, Sector
from app.sessions.schemas import SchedulingWarning

MAX_ALIASES = 20
MAX_CONSENTS = 50


def _no_controls(value: str) -> str:
    # NUL and other control characters are never part of a name, and PostgreSQL refuses NUL.
    # (Zl, Zp: the Unicode line and paragraph separators, line breaks too.)
    if any(unicodedata.category(c) in {"Cc", "Zl", "Zp"} for c in value):
        raise ValueError("must not contain control characters (tabs, line breaks, NUL ...)")
    return value


def _notes_controls(value: str) -> str:
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in value):
        raise ValueError("must not contain control characters other than line breaks and tabs")
    return value


def _text(max_length: int) -> StringConstraints:
    return StringConstraints(strip_whitespace=True, min_length=1, max_length=max_length)


_NO_CONTROLS = AfterValidator(_no_controls)


def _iso_country(value: str) -> str:
    code = value.upper()
    if code not in ISO_3166_ALPHA2:
        raise ValueError(
            f"{value!r} is not an ISO 3166-1 alpha-2 country code (e.g. 'AF', 'GB', 'QA')"
        )
    return code


def _lower(value: str) -> str:
    return value.lower()


Honorific = Annotated[str, _text(50), _NO_CONTROLS, Field(examples=["Ambassador"])]
GivenName = Annotated[str, _text(100), _NO_CONTROLS, Field(examples=["Farida"])]
FamilyName = Annotated[str, _text(100), _NO_CONTROLS, Field(examples=["Rahimi"])]
Alias = Annotated[str, _text(100), _NO_CONTROLS]
Aliases = Annotated[
    list[Alias],
    Field(
        max_length=MAX_ALIASES,
        description="Other names the person is known by (transliterations, nicknames).",
        examples=[["F. Rahimi"]],
    ),
]
PersonPosition = Annotated[
    str, _text(300), _NO_CONTROLS, Field(examples=["Former Deputy Foreign Minister"])
]
Affiliation = Annotated[str, _text(300), _NO_CONTROLS, Field(examples=["Kabul Policy Institute"])]
AffiliationAlias = Annotated[str, _text(300), _NO_CONTROLS]
AffiliationAliases = Annotated[
    list[AffiliationAlias],
    Field(
        max_length=MAX_ALIASES,
        description="Other names of the person's affiliation: its name in Dari, Pashto or "
        "Arabic (every language the series publishes editions in), its other English names. "
        "The guard cannot translate: it blocks only the names given here.",
        examples=[["منتدى كابول للتعاون الإقليمي", "د کابل د سیمه ییزې همکارۍ فورم"]],
    ),
]
Acronym = Annotated[str, _text(30), _NO_CONTROLS, Field(examples=["KPI"])]
CountryCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=8),
    AfterValidator(_iso_country),
    Field(
        description="ISO 3166-1 alpha-2 code; lower case is accepted and stored upper-case.",
        examples=["AF"],
    ),
]
PersonEmail = Annotated[
    EmailStr,
    Field(max_length=320, description="Stored lower-case; unique within the series."),
    AfterValidator(_lower),
]
Notes = Annotated[LongText, AfterValidator(_notes_controls)]
PartIds = Annotated[
    list[uuid.UUID],
    Field(
        max_length=MAX_CONSENTS,
        description="Agenda parts of this session, each `on_record`, in which the person "
        "consented to be named.",
    ),
]


class PersonCreate(BaseModel):
    """A new person in the series' directory. Also the shape of one CSV import row."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "honorific": "Dr",
                    "given_name": "Farida",
                    "family_name": "Rahimi",
                    "aliases": ["F. Rahimi"],
                    "position": "Senior Fellow",
                    "affiliation": "Kabul Policy Institute",
                    "affiliation_acronym": "KPI",
                    "affiliation_aliases": ["انستیتوت پالیسی کابل"],
                    "country": "AF",
                    "sector": "scholar",
                    "email": "farida.rahimi@example.org",
                    "notes": "Prefers to be invited through her institute.",
                }
            ]
        },
    )

    honorific: Honorific | None = None
    given_name: GivenName
    family_name: FamilyName
    aliases: Aliases = []
    position: PersonPosition | None = None
    affiliation: Affiliation | None = None
    affiliation_acronym: Acronym | None = None
    affiliation_aliases: AffiliationAliases = []
    country: CountryCode | None = None
    sector: Sector = Sector.OTHER
    email: PersonEmail | None = None
    notes: Notes = ""


_REQUIRED_WHEN_GIVEN = (
    "given_name",
    "family_name",
    "aliases",
    "affiliation_aliases",
    "sector",
    "notes",
)


class PersonUpdate(BaseModel):
    """Changes to a person; absent fields stay as they are, and `null` clears an optional one.

    `given_name`, `family_name`, `aliases`, `affiliation_aliases`, `sector` and `notes` cannot
    be null.
    """

    model_config = ConfigDict(extra="forbid", json_schema_extra=not_nullable(*_REQUIRED_WHEN_GIVEN))

    honorific: Honorific | None = None
    given_name: GivenName | None = None
    family_name: FamilyName | None = None
    aliases: Aliases | None = None
    position: PersonPosition | None = None
    affiliation: Affiliation | None = None
    affiliation_acronym: Acronym | None = None
    affiliation_aliases: AffiliationAliases | None = None
    country: CountryCode | None = None
    sector: Sector | None = None
    email: PersonEmail | None = None
    notes: Notes | None = None

    @field_validator(*_REQUIRED_WHEN_GIVEN, mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep it")
        return value


class PersonRead(BaseModel):
    """A person as the series' organisers and rapporteurs see them."""

    id: uuid.UUID
    series_id: uuid.UUID
    honorific: str | None
    given_name: str
    family_name: str
    aliases: list[str]
    position: str | None
    affiliation: str | None
    affiliation_acronym: str | None
    affiliation_aliases: list[str]
    country: str | None
    sector: Sector
    email: str | None
    notes: str
    created_at: datetime
    updated_at: datetime


class PersonWritten(PersonRead):
    """A changed person, with any warnings about published reports."""

    warnings: list[SchedulingWarning] = []


class PeopleImported(BaseModel):
    """The outcome of a CSV import: every row was stored."""

    created: int
    items: list[PersonRead]


class AttendanceCreate(BaseModel):
    """Put a person of the series on a session's roster."""

    model_config = ConfigDict(extra="forbid")

    person_id: uuid.UUID
    role: AttendanceRole
    status: AttendanceStatus = AttendanceStatus.INVITED
    on_record_part_ids: PartIds = []


class AttendanceUpdate(BaseModel):
    """Changes to an attendance; `on_record_part_ids`, when given, replaces the set."""

    model_config = ConfigDict(
        extra="forbid", json_schema_extra=not_nullable("role", "status", "on_record_part_ids")
    )

    role: AttendanceRole | None = None
    status: AttendanceStatus | None = None
    on_record_part_ids: PartIds | None = None

    @field_validator("role", "status", "on_record_part_ids", mode="before")
    @classmethod
    def _not_null(cls, value: object) -> object:
        if value is None:
            raise ValueError("may not be null; leave the field out to keep it")
        return value


class AttendeeNames(BaseModel):
    """Who an attendance is about (members only)."""

    honorific: str | None
    given_name: str
    family_name: str


class AttendanceRead(BaseModel):
    """One person on a session's roster (members only)."""

    person_id: uuid.UUID
    session_id: uuid.UUID
    person: AttendeeNames
    role: AttendanceRole
    status: AttendanceStatus
    on_record_part_ids: list[uuid.UUID] = Field(
        description="On-record parts in which the person consented to be named. Consent to a "
        "part that is no longer on record is not listed and does not count."
    )
    created_at: datetime
    updated_at: datetime


class AttendanceWritten(AttendanceRead):
    """A created or changed attendance, with any scheduling warnings."""

    warnings: list[SchedulingWarning] = []


# -- the public aggregate -----------------------------------------------------------------

SMALL_CELL = 3
"""No group smaller than this is ever shown (small-cell suppression)."""


def _country_group(value: str) -> str:
    if value != "other" and value not in ISO_3166_ALPHA2:
        raise ValueError("a country group is an ISO 3166-1 alpha-2 code or 'other'")
    return value


CountryGroup = Annotated[str, AfterValidator(_country_group)]
GroupCount = Annotated[int, Field(ge=SMALL_CELL)]


class CompositionPublic(BaseModel):
    """Who took part, in aggregate: safe for reports and public pages.

    Holds only counts, sectors and country codes; every count shown is at least 3. When fewer
    than 3 people are counted, nothing but `suppressed: true` is shown.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    suppressed: bool = Field(description="True when the roster is too small to show anything.")
    basis: Literal["attended", "confirmed"] = Field(
        description="'attended' for held and closed sessions (who came), else 'confirmed' "
        "(who confirmed or is already marked as attended)."
    )
    total: GroupCount | None = None
    countries: int | None = Field(
        default=None,
        ge=0,
        description="Number of distinct countries among those counted; null when some "
        "country has fewer than 3 people (the count would let its size be worked out).",
    )
    by_sector: dict[Sector, GroupCount] | None = Field(
        default=None, description="Sectors with fewer than 3 people are counted under 'other'."
    )
    by_country: dict[CountryGroup, GroupCount] | None = Field(
        default=None,
        description="ISO codes; countries with fewer than 3 people (or none given) are "
        "counted under 'other'.",
    )
