"""No roster string reaches any report, in any kind or format.

Every kind (summary and detailed previews, published versions, the public pages and API,
the digest, a delivered marked copy) in every format (Markdown, HTML, PDF text via pypdf,
DOCX text via python-docx, JSON) is searched for every roster string: names, aliases,
affiliations, acronyms, positions and e-mail addresses. The one exception is the name and
position of the person who consented to be named for the on-record opening part, and only
inside the agenda paragraph (and, in JSON, the agenda item of that part).
"""

from __future__ import annotations

import html
import json
import re
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.demo import ENVOY_POSITION
from app.people.models import Person
from app.reports.links import DownloadLinks
from app.reports.models import ReportRequest
from app.reports.service import guest_name
from tests.reports.conftest import Demo, docx_text, flat, pdf_body_text

FORMATS = ("md", "html", "pdf", "docx", "json")


def roster_strings(people: list[Person]) -> list[tuple[str, bool]]:
    """(string, case-sensitive) for everything the roster says about anyone."""
    out: list[tuple[str, bool]] = []
    for p in people:
        for value in (
            p.given_name,
            p.family_name,
            f"{p.given_name} {p.family_name}",
            guest_name(p),
            p.position,
            p.affiliation,
            p.email,
            *p.aliases,
        ):
            if value:
                out.append((value, False))
        if p.affiliation_acronym:
            out.append((p.affiliation_acronym, True))
    return out


def searchable(fmt: str, body: bytes, agenda: str) -> str:
    """The output as text, with the agenda paragraph (the one allowed place) removed."""
    if fmt == "pdf":
        text = pdf_body_text(body)
    elif fmt == "docx":
        text = flat(docx_text(body))
    elif fmt == "json":
        data: Any = json.loads(body)
        if isinstance(data, dict) and "agenda" in data:
            data["agenda"]["paragraph"] = ""
            for item in data["agenda"]["items"]:
                item["named"] = []
        text = json.dumps(data, ensure_ascii=False)
    else:
        text = body.decode()
        if fmt == "html":
            text = html.unescape(re.sub(r"<[^>]+>", " ", text))
        text = flat(text.replace("\\", "").replace("**", ""))
    return flat(text).replace(flat(agenda), "") if agenda else flat(text)


def assert_no_leak(label: str, text: str, strings: list[tuple[str, bool]]) -> None:
    for value, case_sensitive in strings:
        pattern = re.compile(
            r"(?<!\w)" + re.escape(value) + r"(?!\w)", 0 if case_sensitive else re.IGNORECASE
        )
        match = pattern.search(text)
        assert match is None, (
            f"{label}: roster string {value!r} at "
            f"...{text[max(0, match.start() - 60) : match.end() + 60]}..."
        )


async def _roster(db: AsyncSession, demo: Demo) -> list[Person]:
    people = list(
        (
            await db.execute(select(Person).where(Person.dialogue_series_id == demo.series.id))
        ).scalars()
    )
    assert len(people) == 14
    return people


async def _agenda(client: httpx.AsyncClient, demo: Demo) -> str:
    preview = await client.get(
        f"/api/v1/sessions/{demo.session.id}/report?format=json", headers=demo.organiser.headers
    )
    agenda: str = preview.json()["agenda"]["paragraph"]
    assert "H.E. Dr. Mutlaq bin Majed al-Qahtani" in agenda
    return agenda


async def test_no_roster_string_in_any_kind_or_format(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession, settings: Settings
) -> None:
    strings = roster_strings(await _roster(db, demo))
    agenda = await _agenda(client, demo)
    auth = demo.organiser.headers
    published = await client.post(
        f"/api/v1/sessions/{demo.session.id}/reports", json={"kind": "detailed"}, headers=auth
    )
    assert published.status_code == 201, published.text
    detailed_id = published.json()["id"]

    outputs: dict[str, tuple[str, bytes]] = {}
    for fmt in FORMATS:
        for kind in ("summary", "detailed"):
            url = f"/api/v1/sessions/{demo.session.id}/report?kind={kind}&format={fmt}"
            outputs[f"preview {kind} {fmt}"] = (fmt, (await client.get(url, headers=auth)).content)
        url = f"/api/v1/series/{demo.series.id}/report?kind=digest&format={fmt}"
        outputs[f"digest {fmt}"] = (fmt, (await client.get(url, headers=auth)).content)
        url = f"/api/v1/public/reports/{demo.summary.id}?format={fmt}"
        outputs[f"public summary {fmt}"] = (fmt, (await client.get(url)).content)
        url = f"/api/v1/reports/{detailed_id}?format={fmt}"
        outputs[f"detailed version {fmt}"] = (fmt, (await client.get(url, headers=auth)).content)
    outputs["public series"] = ("json", (await client.get("/api/v1/public/series")).content)
    outputs["series page"] = ("html", (await client.get("/series/afghan-peace")).content)
    outputs["report page"] = ("html", (await client.get(f"/reports/{demo.summary.id}")).content)

    # A delivered, marked copy of the detailed report.
    await client.post(
        "/api/v1/public/report-requests",
        json={"email": "reader@example.org", "series": "afghan-peace", "session": 3},
    )
    request = (await db.execute(select(ReportRequest))).scalar_one()
    decided = await client.post(
        f"/api/v1/report-requests/{request.id}/decision", json={"decision": "approve"}, headers=auth
    )
    assert decided.json()["status"] == "approved"
    await db.refresh(request)
    links = DownloadLinks(settings.secret_key.get_secret_value(), days=7)
    token = links.make(request.id, request.report_version_id)  # type: ignore[arg-type]
    for fmt in ("pdf", "html", "docx", "md"):
        response = await client.get(f"/reports/download?token={token}&format={fmt}")
        assert response.status_code == 200
        outputs[f"delivered {fmt}"] = (fmt, response.content)

    assert len(outputs) == 32
    for label, (fmt, body) in outputs.items():
        assert body, label
        assert_no_leak(label, searchable(fmt, body, agenda), strings)
    # The allowed name and position really are there, in the agenda paragraph only.
    summary_md = outputs["public summary md"][1].decode().replace("\\", "")
    assert "H.E. Dr. Mutlaq bin Majed al-Qahtani, " + ENVOY_POSITION in flat(summary_md)


@pytest.mark.parametrize("fmt", ["md", "json"])
async def test_consent_counts_only_while_the_part_is_on_record(
    demo: Demo, client: httpx.AsyncClient, db: AsyncSession, fmt: str
) -> None:
    auth = demo.organiser.headers
    parts = (await client.get(f"/api/v1/sessions/{demo.session.id}/parts", headers=auth)).json()
    opening = parts[0] if isinstance(parts, list) else parts["items"][0]
    changed = await client.patch(
        f"/api/v1/parts/{opening['id']}", json={"regime": "chatham_house"}, headers=auth
    )
    assert changed.status_code == 200, changed.text
    body = (
        await client.get(
            f"/api/v1/sessions/{demo.session.id}/report?kind=detailed&format={fmt}", headers=auth
        )
    ).content
    # Nothing is allowed any more: search the whole output, agenda included.
    assert_no_leak(
        f"preview {fmt}", searchable(fmt, body, ""), roster_strings(await _roster(db, demo))
    )
    assert "Qahtani" not in body.decode()
