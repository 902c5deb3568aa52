"""Report fixtures: the demo series (the reference report's third session), published
through the services, and helpers to read every format as text."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass

import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.config import Settings
from app.demo import DEMO_SLUG, ORGANISER_EMAIL, RAPPORTEUR_EMAIL, load_demo
from app.demo_editions import EDITIONS
from app.reports import router as reports_router
from app.reports.models import ReportVersion
from app.series.models import DialogueSeries
from app.sessions.models import DialogueSession
from app.users.models import User
from app.users.schemas import TokenCreate
from app.users.service import UserService
from tests.factories import Caller


@pytest.fixture(autouse=True)
def _no_even_timing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Report requests wait to answer in constant time; tests need not."""
    monkeypatch.setattr(reports_router, "MIN_REQUEST_SECONDS", 0.0)


@dataclass
class Demo:
    series: DialogueSeries
    session: DialogueSession
    summary: ReportVersion
    organiser: Caller
    rapporteur: Caller


async def _caller(db: AsyncSession, email: str) -> Caller:
    user = (await db.execute(select(User).where(User.email == email))).scalar_one()
    _, secret = await UserService(db).issue_token(user.id, TokenCreate(name="test"))
    await db.commit()
    return Caller(user=user, token=secret)


async def _load(db: AsyncSession, settings: Settings, languages: tuple[str, ...]) -> Demo:
    await load_demo(db, settings=settings, languages=languages)
    await db.commit()
    series = (
        await db.execute(select(DialogueSeries).where(DialogueSeries.slug == DEMO_SLUG))
    ).scalar_one()
    session = (
        await db.execute(
            select(DialogueSession).where(
                DialogueSession.dialogue_series_id == series.id, DialogueSession.number == 3
            )
        )
    ).scalar_one()
    summary = (
        await db.execute(
            select(ReportVersion).where(ReportVersion.dialogue_session_id == session.id)
        )
    ).scalar_one()
    return Demo(
        series=series,
        session=session,
        summary=summary,
        organiser=await _caller(db, ORGANISER_EMAIL),
        rapporteur=await _caller(db, RAPPORTEUR_EMAIL),
    )


@pytest.fixture
async def demo(db: AsyncSession, settings: Settings) -> Demo:
    """The demo with its summary's Dari edition only: the Pashto and Arabic ones are left
    for the tests that enter, review and publish an edition themselves."""
    return await _load(db, settings, ("fa-AF",))


@pytest.fixture
async def shipped_demo(db: AsyncSession, settings: Settings) -> Demo:
    """The demo as ``track2 serve --demo`` loads it: Dari, Pashto and Arabic editions."""
    return await _load(db, settings, tuple(EDITIONS))


def pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return "\n".join(page.extract_text() or "" for page in reader.pages)


_FURNITURE = re.compile(
    r"Page \d+ of \d+( (Summary|Detailed report), version \d+, published \d{1,2} [A-Z][a-z]+ "
    r"\d{4})?\s*"
)


def pdf_body_text(body: bytes) -> str:
    """The PDF's text, flattened, without the page furniture (numbers and version stamps)
    that interrupts a paragraph running over a page break."""
    return _FURNITURE.sub("", flat(pdf_text(body)))


def pdf_pages(body: bytes) -> list[str]:
    return [page.extract_text() or "" for page in PdfReader(io.BytesIO(body)).pages]


def docx_text(body: bytes) -> str:
    document = Document(io.BytesIO(body))
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        for row in table.rows:
            parts.extend(cell.text for cell in row.cells)
    for section in document.sections:
        parts.extend(p.text for p in section.header.paragraphs)
        parts.extend(p.text for p in section.footer.paragraphs)
    # Anything else in the package (properties, comments) counts as output too.
    with zipfile.ZipFile(io.BytesIO(body)) as package:
        for name in package.namelist():
            if name.endswith(".xml") and not name.startswith("word/document"):
                parts.append(re.sub(r"<[^>]+>", " ", package.read(name).decode("utf-8")))
    return "\n".join(parts)


def flat(text: str) -> str:
    """Whitespace collapsed, for comparing text that a format may wrap differently."""
    return " ".join(text.split())
