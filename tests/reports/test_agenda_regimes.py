"""A consenting speaker's name stays in the paragraph of their own on-record part."""

from __future__ import annotations

import uuid

from app.reports.builder import GuestFacts, PartFacts, agenda_paragraph


def part(
    position: int, regime: str, *, topic: str | None = None, guest: str | None = None
) -> PartFacts:
    return PartFacts(
        id=uuid.uuid4(),
        position=position,
        title=f"Part {position}",
        kind="presentation",
        regime=regime,
        topic=topic,
        guests=(GuestFacts(guest, "EU Special Envoy"),) if guest else (),
    )


def test_a_named_presentation_is_not_merged_with_a_chatham_house_one() -> None:
    text = agenda_paragraph(
        [part(1, "on_record", guest="Jane Doe"), part(2, "chatham_house", topic="Iran")]
    )
    sentences = [s for s in text.split(". ") if "Jane Doe" in s]
    assert len(sentences) == 1
    assert "Iran" not in sentences[0]
    assert "two presentations" not in text


def test_unnamed_presentations_of_one_regime_still_read_as_one_part() -> None:
    text = agenda_paragraph(
        [part(1, "chatham_house", topic="Europe"), part(2, "chatham_house", topic="Iran")]
    )
    assert "two presentations on Europe and Iran" in text
