"""The series screens: create, overview, settings and policy, members, invitations, people."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.people.models import Person
from app.series.models import DialogueSeries, MemberRole, SeriesMember
from app.users.models import User
from app.users.signin import SESSION_COOKIE
from tests.console.conftest import ConsoleClient, SignedIn, h1, outbox_mail
from tests.factories import Factory

INVITE = re.compile(r"http://testserver(/invitations/accept\?token=[A-Za-z0-9_.\-]+)")


async def test_create_series_form_makes_the_creator_its_organiser(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    caller = await factory.caller()
    browser = await signed_in(caller)
    form = await browser.get("/console/series/new")
    assert h1(form) == "New series"
    created = await browser.post(
        "/console/series/new",
        {
            "title": "Regional and International Support for Afghan Peace",
            "slug": "afghan-peace-console",
            "organiser": "Heart of Asia Society",
            "partners": "Center for Conflict and Humanitarian Studies\nCIC at NYU\n",
            "timezone": "Asia/Kabul",
            "default_regime": "chatham_house",
            "report_request_policy": "review",
        },
    )
    assert created.status_code == 303
    series = (
        await db.execute(
            select(DialogueSeries).where(DialogueSeries.slug == "afghan-peace-console")
        )
    ).scalar_one()
    assert series.partners == ["Center for Conflict and Humanitarian Studies", "CIC at NYU"]
    page = await browser.get(created.headers["location"])
    assert h1(page) == series.title
    role = await db.scalar(
        select(SeriesMember.role).where(SeriesMember.dialogue_series_id == series.id)
    )
    assert role is MemberRole.ORGANISER


async def test_series_form_errors_are_shown_by_field_and_nothing_is_stored(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    taken = await factory.series()
    browser = await signed_in(await factory.caller())
    response = await browser.post(
        "/console/series/new",
        {"title": "", "slug": "Not A Slug!", "organiser": "HAS", "timezone": "Mars/Olympus"},
    )
    assert response.status_code == 422
    for field in ("title", "slug", "timezone"):
        assert f'id="f-{field}-error"' in response.text, field
    assert 'value="Not A Slug!"' in response.text
    duplicate = await browser.post(
        "/console/series/new", {"title": "T", "slug": taken.slug, "organiser": "HAS"}
    )
    assert duplicate.status_code == 422
    assert 'id="f-slug-error"' in duplicate.text
    assert await db.scalar(select(DialogueSeries).where(DialogueSeries.title == "T")) is None


async def test_settings_change_the_policy_and_rapporteurs_cannot_open_them(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    organiser, rapporteur = await factory.caller(), await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    browser = await signed_in(organiser)
    page = await browser.get(f"/console/series/{series.id}/settings")
    assert h1(page) == "Settings and policy"
    saved = await browser.post(
        f"/console/series/{series.id}/settings",
        {
            "title": series.title,
            "slug": series.slug,
            "organiser": series.organiser,
            "timezone": "Asia/Qatar",
            "report_request_policy": "confirmed_subscribers",
            "strapline": "Building Peace and Connectivity",
        },
    )
    assert saved.status_code == 303
    await db.refresh(series)
    assert series.timezone == "Asia/Qatar"
    assert series.report_request_policy.value == "confirmed_subscribers"
    other = await signed_in(rapporteur)
    assert (await other.get(f"/console/series/{series.id}/settings")).status_code == 403


async def test_invitation_creates_the_account_and_signs_the_rapporteur_in(
    signed_in: SignedIn, console: ConsoleClient, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    browser = await signed_in(organiser)
    sent = await browser.post(
        f"/console/series/{series.id}/invitations",
        {"email": "New.Rapporteur@example.org", "role": "rapporteur"},
    )
    assert sent.status_code == 303
    members = await browser.get(sent.headers["location"])
    assert "new.rapporteur@example.org" in members.text
    mail = await outbox_mail(db, "new.rapporteur@example.org")
    link = INVITE.search(mail[-1]["text"])
    assert link
    opened = await console.get(link.group(1))
    assert h1(opened) == f"Join {series.title}"
    token = link.group(1).split("token=")[1]
    missing_name = await console.post("/invitations/accept", {"token": token})
    assert missing_name.status_code == 422
    assert 'id="f-display_name-error"' in missing_name.text
    accepted = await console.post(
        "/invitations/accept", {"token": token, "display_name": "Rahima Noor"}
    )
    assert accepted.status_code == 303
    assert SESSION_COOKIE in console.http.cookies
    series_page = await console.get(accepted.headers["location"])
    assert series_page.status_code == 200
    user = await db.scalar(select(User).where(User.email == "new.rapporteur@example.org"))
    assert user is not None
    assert user.display_name == "Rahima Noor"
    again = await console.post("/invitations/accept", {"token": token, "display_name": "X"})
    assert again.status_code == 400
    assert "already accepted" in again.text


async def test_the_last_organiser_cannot_be_removed_or_demoted(
    signed_in: SignedIn, factory: Factory
) -> None:
    organiser, rapporteur = await factory.caller(), await factory.caller()
    series = await factory.series(organiser=organiser, rapporteurs=(rapporteur,))
    browser = await signed_in(organiser)
    page = await browser.get(f"/console/series/{series.id}/members")
    assert "The last organiser stays" in page.text
    refused = await browser.post(f"/console/series/{series.id}/members/{organiser.id}/remove")
    assert refused.status_code == 409
    assert "at least one organiser" in refused.text
    demoted = await browser.post(
        f"/console/series/{series.id}/members/{organiser.id}/role", {"role": "rapporteur"}
    )
    assert demoted.status_code == 409
    promoted = await browser.post(
        f"/console/series/{series.id}/members/{rapporteur.id}/role", {"role": "organiser"}
    )
    assert promoted.status_code == 303
    now_allowed = await browser.post(f"/console/series/{series.id}/members/{organiser.id}/remove")
    assert now_allowed.status_code == 303


async def test_people_search_add_and_csv_import_with_row_errors(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    browser = await signed_in(organiser)
    added = await browser.post(
        f"/console/series/{series.id}/people",
        {
            "given_name": "Leyla",
            "family_name": "Karimova",
            "aliases": "L. Karimova\nLeila Karimova",
            "affiliation": "Kabul Policy Institute",
            "affiliation_acronym": "KPI",
            "country": "af",
            "sector": "scholar",
        },
    )
    assert added.status_code == 303
    person = await db.scalar(select(Person).where(Person.family_name == "Karimova"))
    assert person is not None
    assert person.aliases == ["L. Karimova", "Leila Karimova"]
    assert person.country == "AF"
    found = await browser.htmx("GET", f"/console/series/{series.id}/people?q=karim")
    assert "Karimova" in found.text
    assert "<h1" not in found.text  # the results fragment only
    bad = "given_name,family_name,email\nAhmad,Shah,a@example.org\n,NoGiven,\nB,C,not-an-address\n"
    await browser.ensure_csrf()
    refused = await browser.http.post(
        f"/console/series/{series.id}/people/import",
        data={"csrftoken": browser.csrf},
        files={"file": ("people.csv", bad.encode(), "text/csv")},
    )
    assert refused.status_code == 422
    assert "row 3" in refused.text
    assert "row 4" in refused.text
    assert await db.scalar(select(Person).where(Person.family_name == "Shah")) is None
    good = "given_name,family_name,aliases\nAhmad,Shah,A. Shah;Ahmed Shah\nMaria,Lopez,\n"
    imported = await browser.http.post(
        f"/console/series/{series.id}/people/import",
        data={"csrftoken": browser.csrf},
        files={"file": ("people.csv", good.encode(), "text/csv")},
    )
    assert imported.status_code == 303
    assert "imported-2" in imported.headers["location"]


async def test_person_form_edits_the_other_names_of_the_affiliation(
    signed_in: SignedIn, factory: Factory, db: AsyncSession
) -> None:
    organiser = await factory.caller()
    series = await factory.series(organiser=organiser)
    browser = await signed_in(organiser)
    names = "منتدى كابول للتعاون الإقليمي\nمجمع کابل برای همکاری منطقه‌ای"
    added = await browser.post(
        f"/console/series/{series.id}/people",
        {
            "given_name": "Farid",
            "family_name": "Sultani",
            "affiliation": "Kabul Forum for Regional Cooperation",
            "affiliation_aliases": names,
            "sector": "former_diplomat",
        },
    )
    assert added.status_code == 303
    person = await db.scalar(select(Person).where(Person.family_name == "Sultani"))
    assert person is not None
    assert person.affiliation_aliases == names.splitlines()
    shown = await browser.get(f"/console/people/{person.id}")
    assert 'name="affiliation_aliases"' in shown.text
    assert "مجمع کابل برای همکاری منطقه‌ای" in shown.text
    saved = await browser.post(
        f"/console/people/{person.id}",
        {
            "given_name": "Farid",
            "family_name": "Sultani",
            "affiliation_aliases": "د کابل د سیمه ییزې همکارۍ فورم",
            "sector": "former_diplomat",
        },
    )
    assert saved.status_code == 303
    await db.refresh(person)
    assert person.affiliation_aliases == ["د کابل د سیمه ییزې همکارۍ فورم"]
    refused = await browser.post(
        f"/console/people/{person.id}",
        {
            "given_name": "Farid",
            "family_name": "Sultani",
            "affiliation_aliases": "x" * 301,
            "sector": "former_diplomat",
        },
    )
    assert refused.status_code == 422
    assert "x" * 301 in refused.text  # what was typed stays in the form
    await db.refresh(person)
    assert person.affiliation_aliases == ["د کابل د سیمه ییزې همکارۍ فورم"]


@pytest.mark.parametrize("suffix", ["", "/people", "/members", "/themes", "/settings"])
async def test_series_pages_of_another_series_answer_404(
    signed_in: SignedIn, factory: Factory, suffix: str
) -> None:
    mine, theirs = await factory.caller(), await factory.caller()
    await factory.series(organiser=mine)
    other = await factory.series(organiser=theirs)
    browser = await signed_in(mine)
    response = await browser.get(f"/console/series/{other.id}{suffix}")
    assert response.status_code == 404
    assert h1(response) == "Not found"
