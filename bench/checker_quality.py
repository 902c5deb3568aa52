"""Quality of the guard's matcher on labelled corpora, per class.

Run with ``python -m bench.checker_quality [CORPUS.json ...] [--misses]``. Without a path it
reads the tuning corpora in ``tests/confidentiality/`` (``corpus.json``, the key-point
corpus, and ``corpus_caspian.json``, the disguised-name corpus). Each corpus has a roster
(the series directory) and items with a ``label`` (``leak``: must block; ``indirect``: must
warn or block; ``clean``: should pass untouched), optionally a ``class``, ``format:
"markdown"`` (checked as rendered, as newsletters are) and ``allowed_person_ids`` (consent).

It prints **aggregate figures only**: per class, how many items, how many were blocked and how
many had any finding; then the targets of issue 15 (block recall >= 0.95 for every class of
disguised names, clean false-block <= 0.02, clean any-finding <= 0.10). ``--misses`` also
lists the items the checker got wrong, for tuning on one's own corpus; it is refused for a
held-out corpus (a file whose name contains "heldout"), whose texts the checker's author must
never see.
"""

from __future__ import annotations

import dataclasses
import json
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.confidentiality.checker import Checker, Finding, RosterEntry
from app.confidentiality.views import markdown_visible_text

HERE = Path(__file__).resolve().parent.parent / "tests" / "confidentiality"
DEFAULT = (HERE / "corpus.json", HERE / "corpus_caspian.json")
BLOCK_RECALL = 0.95
CLEAN_FALSE_BLOCK = 0.02
CLEAN_ANY = 0.10
_FIELDS = {f.name for f in dataclasses.fields(RosterEntry)}


@dataclass
class ClassFigures:
    n: int = 0
    blocked: int = 0
    flagged: int = 0  # any finding
    labels: Counter[str] = field(default_factory=Counter)

    def rate(self, count: int) -> float:
        return count / self.n if self.n else 0.0


@dataclass
class Evaluation:
    corpus: str
    classes: dict[str, ClassFigures]
    misses: list[tuple[str, str, str, list[Finding]]]

    def pooled(self, label: str) -> ClassFigures:
        out = ClassFigures()
        for key, figures in self.classes.items():
            if key.split("/")[0] == label:
                out.n += figures.n
                out.blocked += figures.blocked
                out.flagged += figures.flagged
        return out


def roster_entry(raw: dict[str, Any]) -> RosterEntry:
    values = {k: v for k, v in raw.items() if k in _FIELDS}
    values["aliases"] = tuple(values.get("aliases") or ())
    values["person_id"] = str(values["person_id"])
    return RosterEntry(**values)


def load(path: Path) -> tuple[list[RosterEntry], list[dict[str, Any]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [roster_entry(p) for p in data["roster"]], data["items"]


def predict(findings: list[Finding]) -> str:
    if any(f.severity == "block" for f in findings):
        return "leak"
    return "indirect" if findings else "clean"


def evaluate(path: Path) -> Evaluation:
    roster, items = load(path)
    checker = Checker(roster)
    classes: dict[str, ClassFigures] = defaultdict(ClassFigures)
    misses: list[tuple[str, str, str, list[Finding]]] = []
    for item in items:
        text = item["text"]
        if item.get("format") == "markdown":
            text = markdown_visible_text(text)
        allowed = frozenset(str(p) for p in item.get("allowed_person_ids") or ())
        findings = checker.check(text, allowed_person_ids=allowed)
        label = item["label"]
        cls = f"{label}/{item.get('class') or label}"
        figures = classes[cls]
        figures.n += 1
        figures.labels[label] += 1
        pred = predict(findings)
        figures.blocked += pred == "leak"
        figures.flagged += pred != "clean"
        if pred != label and not (label == "indirect" and pred == "leak"):
            misses.append((label, pred, item["text"], findings))
    return Evaluation(path.name, dict(sorted(classes.items())), misses)


def verdicts(ev: Evaluation) -> dict[str, tuple[float, str, bool]]:
    out: dict[str, tuple[float, str, bool]] = {}
    for cls, figures in ev.classes.items():
        label = cls.split("/")[0]
        if label == "leak":
            value = figures.rate(figures.blocked)
            out[f"block recall, {cls}"] = (value, f">= {BLOCK_RECALL}", value >= BLOCK_RECALL)
    clean = ev.pooled("clean")
    if clean.n:
        fb = clean.rate(clean.blocked)
        anyf = clean.rate(clean.flagged)
        out["clean false-block"] = (fb, f"<= {CLEAN_FALSE_BLOCK}", fb <= CLEAN_FALSE_BLOCK)
        out["clean any-finding"] = (anyf, f"<= {CLEAN_ANY}", anyf <= CLEAN_ANY)
    return out


def recall_below(figures: dict[str, tuple[float, str, bool]], floor: float) -> dict[str, float]:
    """The classes of :func:`verdicts` whose block recall is under ``floor``."""
    return {
        name: value
        for name, (value, _, _) in figures.items()
        if name.startswith("block recall") and value < floor
    }


def markdown(ev: Evaluation) -> str:
    lines = [
        f"Corpus `{ev.corpus}`: {sum(f.n for f in ev.classes.values())} items.",
        "",
        "| label / class | n | blocked | any finding |",
        "|---|---:|---:|---:|",
    ]
    for cls, f in ev.classes.items():
        lines.append(f"| {cls} | {f.n} | {f.rate(f.blocked):.3f} | {f.rate(f.flagged):.3f} |")
    lines += ["", "| target | measured | limit | verdict |", "|---|---:|---:|---|"]
    for name, (value, limit, ok) in verdicts(ev).items():
        lines.append(f"| {name} | {value:.3f} | {limit} | {'PASS' if ok else 'FAIL'} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    show = "--misses" in argv
    paths = [Path(a) for a in argv if not a.startswith("--")] or list(DEFAULT)
    ok = True
    for path in paths:
        ev = evaluate(path)
        if show:
            if "heldout" in path.name:
                print(f"{path.name}: held out; only aggregate figures are printed")
            else:
                print(f"Misses in {path.name} (label -> predicted):")
                for label, pred, text, findings in ev.misses:
                    shown = ", ".join(f"{f.severity}/{f.kind}:{f.excerpt!r}" for f in findings)
                    print(f"  [{label} -> {pred}] {text!r}\n      findings: {shown or '-'}")
                print()
        print(markdown(ev))
        print()
        ok = ok and all(v[2] for v in verdicts(ev).values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
