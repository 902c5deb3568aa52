"""The default theme taxonomy every new series starts with (from the background reference)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from app.series.models import Theme

DEFAULT_THEMES: tuple[tuple[str, str], ...] = (
    ("trust-and-confidence-building", "Trust and confidence-building"),
    ("reduction-of-violence-and-ceasefire", "Reduction of violence and ceasefire"),
    ("prisoners-and-reintegration", "Prisoners and reintegration"),
    ("mediation-and-facilitation", "Mediation and facilitation"),
    ("foreign-forces-and-timelines", "Foreign forces and timelines"),
    ("governance-and-continuity-of-the-state", "Governance and continuity of the state"),
    ("rights-women-and-civil-society", "Rights, women and civil society"),
    ("aid-and-leverage", "Aid and leverage"),
    ("regional-consensus", "Regional consensus"),
    ("economy-and-connectivity", "Economy and connectivity"),
)


async def seed_default_themes(db: AsyncSession, series_id: uuid.UUID) -> None:
    """Give a new series the default taxonomy; organisers edit it afterwards."""
    for position, (slug, label) in enumerate(DEFAULT_THEMES, start=1):
        db.add(Theme(dialogue_series_id=series_id, slug=slug, label=label, position=position))
    await db.flush()
