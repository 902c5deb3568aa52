"""The demo: the reference series, loaded through the services so that it is real data.

``load_demo(db)`` creates the series "Regional and International Support for Afghan Peace"
of the Heart of Asia Society and its two partners: two brief, closed sessions and the third
session of 29 June 2020 (online, Asia/Kabul) with its agenda, a fictional roster of
fourteen people from nine countries (the Qatari envoy, on record and consenting, is the only
real person), the eleven main points of the reference report written by the demo rapporteur
and approved by the demo organiser (four eyes, with the audit trail the services keep), and
the published public summary with its Dari, Pashto and Arabic editions
(``app/demo_editions.py``, through the editions service and the guard). It does nothing
when the demo series exists already, and it issues no tokens (``track2 create-token`` or
the API give the demo users one when wanted).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.confidentiality.gate import UnacknowledgedWarnings
from app.config import Settings, get_settings
from app.demo_editions import EDITIONS, DemoEdition
from app.key_points.schemas import KeyPointCreate, ReviewAction
from app.key_points.service import KeyPointService
from app.people.models import AttendanceRole, AttendanceStatus, Sector
from app.people.schemas import AttendanceCreate, PersonCreate
from app.people.service import PeopleService
from app.reports.editions import EditionService
from app.reports.models import ReportKind, ReportVersion
from app.reports.schemas import (
    EditionReview,
    EditionTextsIn,
    EditionWrite,
    GuestTextsIn,
    PartTextsIn,
    SeriesTextsIn,
    SessionTextsIn,
)
from app.reports.service import ReportService
from app.series.models import DialogueSeries, DisclosureRegime, MemberRole, ReportRequestPolicy
from app.series.schemas import MemberCreate, SeriesCreate, SeriesUpdate
from app.series.service import SeriesService
from app.sessions.models import PartKind, SessionFormat, SessionStatus
from app.sessions.schemas import PartCreate, SessionCreate, StatusChange
from app.sessions.service import SessionAccess, SessionService
from app.users.models import User
from app.users.repository import UserRepository
from app.users.schemas import UserCreate
from app.users.service import Principal, UserService
from app.wiring import wire

DEMO_SLUG = "afghan-peace"
ORGANISER_EMAIL = "organiser@demo.track2"
RAPPORTEUR_EMAIL = "rapporteur@demo.track2"
# Principals for service calls made by the loader itself (no token is involved).
_NO_TOKEN = uuid.UUID(int=0)

STRAPLINE = "Building Peace and Connectivity through Research and Dialogue"
TITLE_PREFIX = "HAS Track 2 Dialogue Series"
SESSION_TITLE = "While Doha Prepares to Host the IAN, What Are the Challenges Still Ahead?"
ENVOY_NAME = ("H.E. Dr.", "Mutlaq", "bin Majed al-Qahtani")
ENVOY_POSITION = "Special Envoy for Counterterrorism and Mediation in Conflict Resolution of Qatar"

CONTEXT = (
    "During the last few weeks, Afghanistan has seen a resurgence of violence, which "
    "ended a comparative respite from the worst attacks following the Eid ul-Fitr "
    "ceasefire. This threatens to spoil the progress recently made on the road towards "
    "intra-Afghan negotiations (IAN). The possibility that this stage of the peace "
    "process may witness increasing violence, mainly targeting civilians and aimed at "
    "derailing it or influencing its outcome, make attempts at gathering support for "
    "peace in Afghanistan even more relevant and urgent."
)
CLOSING = (
    "HAS and its partners are planning to continue this series of track 2 discussions to "
    "help facilitate dialogue and provide clarity on strategies and positions of parties "
    "to the conflict as well as the role of regional and international actors."
)
MAIN_POINTS: tuple[str, ...] = (
    (
        "Negotiating a peace settlement for the Afghan conflict has been a long and complex "
        "process which has lasted for seven years and has seen progress only in the last "
        "couple of years, after the main actors involved increasingly realized that no "
        "military solution exists."
    ),
    (
        "The pace of the process has been slower than early expectations raised recently by "
        "the sweeping progress on the mutual prisoners\u2019 release. Particularly nasty acts of "
        "violence in the past weeks could be the act of spoilers. However, there is still "
        "consensus by the main parties involved about the imperative for a political "
        "solution. Peace is closer now than at any time in the past, although this has not "
        "yet translated into any tangible security or improvement in the lives of Afghans."
    ),
    (
        "Both sides of the conflict seem to have reached a mutual understanding that a "
        "reduction of violence is an important step towards IAN, although this has still not "
        "happened in a significant way. The possibility of a future trilateral "
        "Taliban-US-Afghan Government communication mechanism to report military activity is "
        "under study."
    ),
    (
        "There is the need to establish monitoring tools to guarantee that released prisoners "
        "do not return to fighting, as well as providing rehabilitation and reintegration and "
        "other assistance programs."
    ),
    (
        "The Taliban and the government agree on the need for the peace process to be "
        "Afghan-owned and Afghan-led. At this stage, the Afghan government and the Taliban "
        "seem not to be ready to accept any third-party mediation or facilitation, though "
        "this could change as IAN formally starts. The role of a third party as a "
        "mediator/facilitator is believed by many actors to be important if not inevitable; "
        "such a role would require the consensus and trust of the two sides. It would be "
        "better to avoid international competition for such a role to avoid putting "
        "unnecessary pressure on the process or offer undue visibility or legitimacy to one "
        "or another of the parties to the conflict."
    ),
    (
        "The US has been the catalyst of the peace process so far and estimates about the "
        "timeframe for the IAN seem to depend largely on the US political agenda: a short "
        "timeframe over a few months for the process is based on the need for a successful "
        "peace agreement between the two warring sides to allow for the US withdrawal. On the "
        "other hand, there are credible doubts that any major progress in the peace process "
        "could take place before the US elections in November or the installation of a new US "
        "administration in January. At any rate, it was considered critical to help the "
        "Afghan peace process make progress in the next few months so that it may resist the "
        "changes that a US election may bring."
    ),
    (
        "Issues like the re-establishment of an Emirate are considered redlines by many "
        "countries in the light of past experiences. However, many participants stressed the "
        "need to leave the issue of nomenclature for the future Afghan government to the "
        "Afghan sides to decide. Instead, it was recommended to focus on contents, state "
        "structures, and political processes."
    ),
    (
        "Most participants supported the preservation of the continuity of government, also "
        "in order to avoid any institutional collapse and the democratic achievements made by "
        "the people of Afghanistan in the last 20 years. The new reality constituted by the "
        "young Afghan generation and the rise of civil society, including the establishment "
        "of a parliament and the growth and development of Afghanistan\u2019s independent media, "
        "cannot be ignored."
    ),
    (
        "The Taliban have come to recognize that any Afghan government that comes to power "
        "will require foreign assistance for a lengthy period of time and also acknowledged "
        "in the Doha Agreement that it will entertain future good relations with the US. "
        "However, there are doubts as to how much they have changed their core political "
        "views and are ready to compromise. Continued foreign assistance will play a "
        "significant role as a leverage tool, as it is linked to the quality of the end state "
        "and the degree to which rights are respected and the aid use is accountable. As "
        "European pledges to Afghanistan are expiring, the next donors\u2019 conference scheduled "
        "for November will need to raise funds as an investment in an end state, with the "
        "form of the end state largely determining the scale and duration of the investment."
    ),
    (
        "There is the need for all the relevant regional and international countries and "
        "organizations to support, despite differences among them on other bilateral issues. "
        "It was suggested to establish a group of friends of the peace process, to improve "
        "communication and streamline support for it, organized at the different levels of "
        "neighbors, regional countries and international actors."
    ),
    (
        "It was emphasized that Afghan peace, economic growth, and regional connectivity are "
        "closely linked and mutually supportive. Participants noted that there is a need to "
        "prioritize an economic development agenda for Afghanistan, both as part of IAN and "
        "of regional and international support for Afghan peace. The current diplomatic tour "
        "of the regional countries by US special envoy Zalmay Khalilzad and the head of the "
        "US International Development Finance Corporation (DFC) could engender cooperation. "
        "The success of a peace settlement depends not only on commitments by the two warring "
        "parties but also by the other countries to abide to the agreement and revert to "
        "economic competition only."
    ),
)

# Themes of each main point (slugs of the default taxonomy), in the order above.
POINT_THEMES: tuple[tuple[str, ...], ...] = (
    ("trust-and-confidence-building",),
    ("reduction-of-violence-and-ceasefire", "prisoners-and-reintegration"),
    ("reduction-of-violence-and-ceasefire", "trust-and-confidence-building"),
    ("prisoners-and-reintegration",),
    ("mediation-and-facilitation",),
    ("foreign-forces-and-timelines",),
    ("governance-and-continuity-of-the-state",),
    ("governance-and-continuity-of-the-state", "rights-women-and-civil-society"),
    ("aid-and-leverage", "rights-women-and-civil-society"),
    ("regional-consensus",),
    ("economy-and-connectivity", "regional-consensus"),
)
# The agenda part (index into the third session's parts) each point emerged from.
POINT_PARTS = (1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 4)


@dataclass(frozen=True)
class DemoPerson:
    honorific: str | None
    given_name: str
    family_name: str
    country: str
    sector: Sector
    role: AttendanceRole
    position: str | None = None
    affiliation: str | None = None
    acronym: str | None = None


# Fictional, apart from the envoy (named on record, as in the reference report).
ROSTER: tuple[DemoPerson, ...] = (
    DemoPerson(
        ENVOY_NAME[0],
        ENVOY_NAME[1],
        ENVOY_NAME[2],
        "QA",
        Sector.SERVING_OFFICIAL,
        AttendanceRole.SPEAKER,
        ENVOY_POSITION,
        "Ministry of Foreign Affairs of the State of Qatar",
    ),
    DemoPerson(
        "Ambassador",
        "Farid",
        "Sultani",
        "AF",
        Sector.FORMER_DIPLOMAT,
        AttendanceRole.CHAIR,
        "Former Ambassador to Tashkent",
        "Kabul Forum for Regional Cooperation",
        "KFRC",
    ),
    DemoPerson(
        "Dr.",
        "Nasrin",
        "Azimi",
        "AF",
        Sector.SCHOLAR,
        AttendanceRole.PARTICIPANT,
        "Director of Research",
        "Hindu Kush Policy Institute",
        "HKPI",
    ),
    DemoPerson(
        "Dr.",
        "Omar",
        "Yusufzai",
        "AF",
        Sector.SCHOLAR,
        AttendanceRole.RAPPORTEUR,
        "Research Associate",
        "Hindu Kush Policy Institute",
        "HKPI",
    ),
    DemoPerson(
        "Prof.",
        "Helga",
        "Brandt",
        "DE",
        Sector.SCHOLAR,
        AttendanceRole.PRESENTER,
        "Professor of International Relations",
        "Rhine Institute for Security Studies",
        "RISS",
    ),
    DemoPerson(
        "Dr.",
        "Anna",
        "Keller",
        "DE",
        Sector.SCHOLAR,
        AttendanceRole.PARTICIPANT,
        "Senior Researcher",
        "Hanseatic Centre for Asian Affairs",
    ),
    DemoPerson(
        "Dr.",
        "Reza",
        "Moradi",
        "IR",
        Sector.SCHOLAR,
        AttendanceRole.PRESENTER,
        "Associate Professor",
        "Caspian Centre for Strategic Thought",
        "CCST",
    ),
    DemoPerson(
        "Ambassador",
        "Torvald",
        "Lunde",
        "NO",
        Sector.FORMER_DIPLOMAT,
        AttendanceRole.PARTICIPANT,
        "Retired Ambassador",
        "Fjord Peace Network",
    ),
    DemoPerson(
        "Ms.",
        "Ingrid",
        "Solberg",
        "NO",
        Sector.SERVING_OFFICIAL,
        AttendanceRole.OBSERVER,
        "Deputy Director for Asia",
        "Nordic Mediation Unit",
        "NMU",
    ),
    DemoPerson(
        "Mr.",
        "Imran",
        "Qureshi",
        "PK",
        Sector.FORMER_DIPLOMAT,
        AttendanceRole.PARTICIPANT,
        "Former Additional Secretary",
        "Margalla Dialogue Trust",
    ),
    DemoPerson(
        "Dr.",
        "Dilnoza",
        "Karimova",
        "UZ",
        Sector.SCHOLAR,
        AttendanceRole.PARTICIPANT,
        "Head of the Afghanistan Desk",
        "Samarkand Connectivity Institute",
        "SCI",
    ),
    DemoPerson(
        "Ms.",
        "Sarah",
        "Whitfield",
        "GB",
        Sector.FORMER_DIPLOMAT,
        AttendanceRole.PARTICIPANT,
        "Former Deputy Head of Mission",
        "Thames Conflict Research Group",
    ),
    DemoPerson(
        "Dr.",
        "James",
        "Harlow",
        "US",
        Sector.SCHOLAR,
        AttendanceRole.PARTICIPANT,
        "Non-resident Fellow",
        "Potomac Center for Peace Studies",
        "PCPS",
    ),
    DemoPerson(
        "Mr.",
        "Khalid",
        "Al-Mansoori",
        "QA",
        Sector.SERVING_OFFICIAL,
        AttendanceRole.OBSERVER,
        "Counsellor",
        "Gulf Mediation Office",
    ),
)

EARLIER_SESSIONS = (
    (
        "The US-Taliban Agreement and Regional Expectations",
        datetime(2020, 4, 27, 9, 30, tzinfo=UTC),
        "The first session discussed what the agreement signed in Doha means for the "
        "region and for the intra-Afghan negotiations it foresees.",
    ),
    (
        "After the Eid ul-Fitr Ceasefire: Prospects for Intra-Afghan Negotiations",
        datetime(2020, 5, 28, 9, 30, tzinfo=UTC),
        "The second session looked at the ceasefire of May 2020 and what it could mean "
        "for a reduction of violence.",
    ),
)
THIRD_STARTS = datetime(2020, 6, 29, 9, 30, tzinfo=UTC)  # 14:00 in Kabul
THIRD_ENDS = datetime(2020, 6, 29, 12, 0, tzinfo=UTC)


def _principal(user: User) -> Principal:
    return Principal(user_id=user.id, email=user.email, is_admin=False, token_id=_NO_TOKEN)


async def _user(db: AsyncSession, email: str, display_name: str) -> User:
    existing = await UserRepository(db).get_by_email(email)
    if existing is not None:
        return existing
    # The demo addresses use a reserved-looking domain that e-mail validation (rightly)
    # refuses for real users; the demo users never receive mail.
    return await UserService(db).create_user(
        UserCreate.model_construct(email=email, display_name=display_name, is_admin=False)
    )


async def _advance(
    sessions: SessionService, access: SessionAccess, *statuses: SessionStatus
) -> None:
    for status in statuses:
        await sessions.change_status(access, StatusChange(status=status))


async def load_demo(
    db: AsyncSession,
    *,
    settings: Settings | None = None,
    languages: Sequence[str] = tuple(EDITIONS),
) -> None:
    """Load the reference series (see the module docstring); a no-op when it exists.
    ``languages`` are the summary's editions to publish (all three by default; tests that
    enter an edition themselves start from fewer)."""
    exists = await db.scalar(select(DialogueSeries.id).where(DialogueSeries.slug == DEMO_SLUG))
    if exists is not None:
        return
    settings = settings or get_settings()
    # The demo is loaded before the app is built (``track2 serve --demo``): the guard's
    # directory source must be registered for the services it uses.
    wire(settings)
    organiser = _principal(await _user(db, ORGANISER_EMAIL, "Demo organiser"))
    rapporteur = _principal(await _user(db, RAPPORTEUR_EMAIL, "Demo rapporteur"))

    series_service = SeriesService(db)
    series = await series_service.create_series(
        organiser,
        SeriesCreate(
            title="Regional and International Support for Afghan Peace",
            slug=DEMO_SLUG,
            description="A series of online Track 2 forums of scholars and former diplomats "
            "from the region and the wider international community on the Afghan peace "
            "process.",
            organiser="Heart of Asia Society",
            partners=[
                "Center for Conflict and Humanitarian Studies in Doha",
                "Center for International Cooperation at New York University",
            ],
            timezone="Asia/Kabul",
        ),
        settings.default_timezone,
    )
    series_access = await series_service.access(organiser, series.id)
    # The report settings are applied as an update, so the demo does not depend on
    # create_series passing them through.
    await series_service.update_series(
        series_access,
        SeriesUpdate(
            strapline=STRAPLINE,
            title_prefix=TITLE_PREFIX,
            dateline="KABUL",
            closing=CLOSING,
            report_request_policy=ReportRequestPolicy.CONFIRMED_SUBSCRIBERS,
        ),
    )
    await series_service.set_member(
        series_access, MemberCreate(user_id=rapporteur.user_id, role=MemberRole.RAPPORTEUR)
    )

    sessions = SessionService(db)
    for title, starts, context in EARLIER_SESSIONS:
        earlier, _ = await sessions.schedule_session(
            series_access,
            SessionCreate(
                title=title,
                context=context,
                starts_at=starts,
                ends_at=starts + timedelta(hours=2),
                format=SessionFormat.ONLINE,
            ),
        )
        access = await sessions.access(organiser, earlier.id)
        await _advance(
            sessions, access, SessionStatus.SCHEDULED, SessionStatus.HELD, SessionStatus.CLOSED
        )

    third, _ = await sessions.schedule_session(
        series_access,
        SessionCreate(
            title=SESSION_TITLE,
            context=CONTEXT,
            starts_at=THIRD_STARTS,
            ends_at=THIRD_ENDS,
            timezone="Asia/Kabul",
            format=SessionFormat.ONLINE,
        ),
    )
    access = await sessions.access(organiser, third.id)
    parts = [
        await sessions.add_part(access, data)
        for data in (
            PartCreate(
                title="Opening address",
                kind=PartKind.OPENING_REMARKS,
                regime=DisclosureRegime.ON_RECORD,
            ),
            PartCreate(
                title="Presentation",
                kind=PartKind.PRESENTATION,
                topic="Perspectives from Europe",
                regime=DisclosureRegime.CHATHAM_HOUSE,
            ),
            PartCreate(
                title="Presentation",
                kind=PartKind.PRESENTATION,
                topic="Perspectives from Iran",
                regime=DisclosureRegime.CHATHAM_HOUSE,
            ),
            PartCreate(
                title="Questions and answers",
                kind=PartKind.Q_AND_A,
                regime=DisclosureRegime.CHATHAM_HOUSE,
            ),
            PartCreate(
                title="General discussion",
                kind=PartKind.DISCUSSION,
                regime=DisclosureRegime.CHATHAM_HOUSE,
            ),
        )
    ]
    await _advance(sessions, access, SessionStatus.SCHEDULED)

    people = PeopleService(db)
    for index, entry in enumerate(ROSTER):
        person = await people.create_person(
            series_access,
            PersonCreate(
                honorific=entry.honorific,
                given_name=entry.given_name,
                family_name=entry.family_name,
                position=entry.position,
                affiliation=entry.affiliation,
                affiliation_acronym=entry.acronym,
                country=entry.country,
                sector=entry.sector,
                email=f"{entry.given_name}.{entry.family_name}".lower().replace(" ", "-")
                + "@example.org",
            ),
        )
        await people.add_attendance(
            access,
            AttendanceCreate(
                person_id=person.id,
                role=entry.role,
                status=AttendanceStatus.ATTENDED,
                # Only the envoy spoke on record, and only in the opening part.
                on_record_part_ids=[parts[0].id] if index == 0 else [],
            ),
        )
    await _advance(sessions, access, SessionStatus.HELD)

    key_points = KeyPointService(db)
    writer = await sessions.access(rapporteur, third.id)
    reviewer = await sessions.access(organiser, third.id)
    for text, themes, part_index in zip(MAIN_POINTS, POINT_THEMES, POINT_PARTS, strict=True):
        point, _, warnings = await key_points.record(
            writer,
            KeyPointCreate(text=text, part_id=parts[part_index].id, themes=list(themes)),
        )
        await key_points.review(writer, point, ReviewAction(action="submit"))
        await key_points.review(
            reviewer,
            point,
            ReviewAction(action="approve", acknowledge=[w.code for w in warnings]),
        )

    version = await ReportService(db, settings).publish(
        await sessions.access(organiser, third.id), ReportKind.SUMMARY, "First edition"
    )
    for language in languages:
        await _edition(db, settings, version, language, EDITIONS[language], rapporteur, organiser)


async def _edition(
    db: AsyncSession,
    settings: Settings,
    version: ReportVersion,
    language: str,
    translation: DemoEdition,
    translator: Principal,
    reviewer: Principal,
) -> None:
    """One of the summary's editions (app/demo_editions.py: Dari, Pashto, Arabic), through
    the editions service: entered by the rapporteur, cleared by the guard, approved by the
    organiser and published (versions 1.1, 1.2 and 1.3, in that order)."""
    reports = ReportService(db, settings)
    sessions = await reports.repo.sessions_of_series(version.dialogue_series_id)
    number = {s.id: s.number for s in sessions}
    parts = await SessionService(db).list_parts(version.dialogue_session_id)
    points = sorted(
        await reports.repo.approved_points(session_id=version.dialogue_session_id),
        key=lambda p: p.position,
    )
    editions = EditionService(db, settings)
    english = (await editions.source(translator, version.id)).texts
    texts = EditionTextsIn(
        series=SeriesTextsIn(**translation.series),
        sessions={
            sid: SessionTextsIn(
                title=translation.sessions[number[sid]][0],
                context=translation.sessions[number[sid]][1],
            )
            for sid in english.sessions
        },
        parts={
            p.id: PartTextsIn(
                title=translation.parts[p.position - 1][0],
                topic=translation.parts[p.position - 1][1],
            )
            for p in parts
            if p.id in english.parts
        },
        points={p.id: translation.points[i] for i, p in enumerate(points)},
        themes={slug: translation.themes[slug] for slug in english.themes},
        guests={
            name: GuestTextsIn(name=translation.guest[0], position=translation.guest[1])
            for name in english.guests
        },
    )
    try:
        await editions.put(translator, version.id, language, EditionWrite(texts=texts))
    except UnacknowledgedWarnings as exc:
        codes = [f["code"] for f in exc.extensions.get("findings", [])]
        await editions.put(
            translator, version.id, language, EditionWrite(texts=texts, acknowledge_warnings=codes)
        )
    await editions.submit(translator, version.id, language)
    read = await editions.get(translator, version.id, language)
    await editions.review(
        reviewer,
        version.id,
        language,
        EditionReview(action="approve", acknowledge_warnings=read.acknowledged_warnings),
    )
    await editions.publish(reviewer, version.id, language)
