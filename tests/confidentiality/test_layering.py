"""The guard sits at the lowest floor: it imports no domain, and only it makes cleared texts."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "app"
DOMAINS = (
    "users",
    "series",
    "sessions",
    "people",
    "key_points",
    "reports",
    "newsletter",
    "webhooks",
    "outbox",
    "audit",
)


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def test_the_guard_imports_no_domain() -> None:
    for path in sorted((APP / "confidentiality").rglob("*.py")):
        for name in _imports(path):
            assert not any(name.startswith(f"app.{d}") for d in DOMAINS), (path.name, name)


def test_nothing_outside_the_guard_reaches_its_seal() -> None:
    # ``Cleared`` and ``ClearedDocument`` refuse to be made without the gate's private seal.
    for path in sorted(APP.rglob("*.py")):
        if path.is_relative_to(APP / "confidentiality"):
            continue
        text = path.read_text(encoding="utf-8")
        assert "_SEAL" not in text, path
        for name in _imports(path):
            assert not name.endswith("gate._SEAL"), path


def test_the_old_roster_detours_are_gone() -> None:
    # Sessions, people and newsletters used to reach the checker through key points.
    for path in sorted(APP.rglob("*.py")):
        for name in _imports(path):
            assert not name.startswith("app.key_points.public_texts"), path
    for domain in ("sessions", "series", "people"):
        for path in sorted((APP / domain).rglob("*.py")):
            for name in _imports(path):
                assert not name.startswith("app.key_points.service"), (path, name)
