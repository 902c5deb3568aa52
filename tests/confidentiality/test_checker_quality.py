"""Quality targets of the non-attribution checker on the labelled corpus.

The corpus (tests/confidentiality/corpus.json) holds a fictional roster and labelled key points:
"leak" (must block), "indirect" (must warn or block) and "clean" (should pass untouched).
No timing here: speed is measured by ``python -m bench.checker_speed``.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from app.confidentiality.checker import Checker, RosterEntry
from bench.checker_quality import evaluate, verdicts

CORPUS = Path(__file__).with_name("corpus.json")


def _load() -> tuple[list[RosterEntry], list[dict[str, Any]]]:
    data = json.loads(CORPUS.read_text(encoding="utf-8"))
    roster = [
        RosterEntry(**{**p, "aliases": tuple(p.get("aliases") or ())}) for p in data["roster"]
    ]
    return roster, data["items"]


ROSTER, ITEMS = _load()


@pytest.fixture(scope="module")
def outcomes() -> list[tuple[str, str]]:
    """(label, predicted) per item: any block is a leak, any warning indirect."""
    checker = Checker(ROSTER)
    out = []
    for item in ITEMS:
        findings = checker.check(
            item["text"], allowed_person_ids=frozenset(item.get("allowed_person_ids") or ())
        )
        if any(f.severity == "block" for f in findings):
            predicted = "leak"
        else:
            predicted = "indirect" if findings else "clean"
        out.append((item["label"], predicted))
    return out


def _rate(outcomes: list[tuple[str, str]], label: str, predicted: set[str]) -> float:
    chosen = [p for lab, p in outcomes if lab == label]
    return sum(p in predicted for p in chosen) / len(chosen)


def test_corpus_is_large_and_balanced_enough() -> None:
    counts = Counter(item["label"] for item in ITEMS)
    assert set(counts) == {"leak", "indirect", "clean"}
    assert len(ITEMS) >= 200
    assert counts["clean"] >= 70
    assert counts["leak"] >= 70
    assert counts["indirect"] >= 60
    assert 25 <= len(ROSTER) <= 40
    assert len({p.person_id for p in ROSTER}) == len(ROSTER)
    ids = {p.person_id for p in ROSTER}
    for item in ITEMS:
        assert set(item.get("allowed_person_ids") or ()) <= ids


def test_block_recall_on_leaks(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "leak", {"leak"}) >= 0.98


def test_warn_or_block_recall_on_indirect(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "indirect", {"leak", "indirect"}) >= 0.80


def test_block_rate_on_clean(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "clean", {"leak"}) <= 0.02


def test_any_finding_rate_on_clean(outcomes: list[tuple[str, str]]) -> None:
    assert _rate(outcomes, "clean", {"leak", "indirect"}) <= 0.10


# -- per class, on the disguised-name corpus and the held-out one ---------------------------------

HERE = Path(__file__).parent
HELD_OUT = Path(os.environ.get("TRACK2_HELDOUT_CORPUS") or HERE / "heldout.json")
CORPORA = [HERE / "corpus.json", HERE / "corpus_caspian.json"]


def _targets(path: Path) -> dict[str, tuple[float, bool]]:
    """Aggregate figures only (a held-out corpus's texts are never shown, not even when an
    assertion fails: only class names and rates are compared)."""
    return {name: (value, ok) for name, (value, _, ok) in verdicts(evaluate(path)).items()}


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_every_class_meets_its_target_on_the_tuning_corpora(path: Path) -> None:
    failed = sorted(name for name, (_, ok) in _targets(path).items() if not ok)
    assert failed == []


def test_the_disguised_name_corpus_has_every_class() -> None:
    data = json.loads((HERE / "corpus_caspian.json").read_text(encoding="utf-8"))
    classes = Counter(item["class"] for item in data["items"])
    expected = {
        "invisible",
        "lookalike",
        "compatibility",
        "bidi",
        "linebreak",
        "misspelling",
        "transliteration",
        "note-format",
        "acronym",
        "affiliation",
        "position",
        "other-session",
        "email",
        "markdown",
        "arabic",
        "clean",
    }
    assert expected <= set(classes)
    assert sum(classes.values()) >= 300


@pytest.mark.skipif(not HELD_OUT.exists(), reason="the held-out corpus is not in this tree")
@pytest.mark.xfail(
    reason="issue 15's targets on the held-out corpus are not all met yet; the measured "
    "figures per class are in docs/performance.md",
    strict=False,
)
def test_the_held_out_corpus_meets_the_targets() -> None:
    failed = sorted(name for name, (_, ok) in _targets(HELD_OUT).items() if not ok)
    assert failed == []
