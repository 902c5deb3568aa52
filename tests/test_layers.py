"""Imports point down: a domain's logic never imports a domain above it.

The floors, lowest first (docs/architecture.md): the plumbing (``app.kit``, ``app.db``,
``app.errors``, ``app.config``), then the guard, the audit trail and the outbox (which every
domain calls), then users, series, sessions, people, key points, reports, newsletter and
webhooks. Where a lower floor needs an answer only a higher one has, the higher one registers
it in ``app.wiring`` (the composition root), and the lower floor declares what it needs.

HTTP faces (``router.py``, ``pages.py`` ...) sit above every domain's services: they may call
any service, but build no queries, so they never import another domain's repository.
Composition modules (``app.main``, ``app.cli``, ``app.wiring``, ``app.demo``,
``app.housekeeping``, ``app.security``, ``app.console``, ``app.health``) may import anything.
"""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

FLOORS: dict[str, int] = {
    "kit": 0,
    "db": 0,
    "errors": 0,
    "config": 0,
    "confidentiality": 1,
    "audit": 1,
    "outbox": 1,
    "users": 2,
    "series": 3,
    "sessions": 4,
    "people": 5,
    "key_points": 6,
    "reports": 7,
    "newsletter": 8,
    "webhooks": 9,
}
FACES = frozenset({"router.py", "pages.py", "console_pages.py", "search_router.py", "deps.py"})


def _imports(path: Path) -> list[tuple[str, int]]:
    """Every ``app.*`` module the file imports, wherever the import statement stands
    (inside functions too: a deferred import is still an import)."""
    found: list[tuple[str, int]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("app"):
            if node.module == "app":
                found.extend((f"app.{alias.name}", node.lineno) for alias in node.names)
            else:
                found.append((node.module, node.lineno))
        elif isinstance(node, ast.Import):
            found.extend((a.name, node.lineno) for a in node.names if a.name.startswith("app."))
    return found


def _violations(app_dir: Path = APP) -> list[str]:
    out: list[str] = []
    for path in sorted(app_dir.rglob("*.py")):
        relative = path.relative_to(app_dir)
        owner = relative.parts[0].removesuffix(".py")
        if owner not in FLOORS:
            continue  # a composition module
        face = path.name in FACES
        for module, line in _imports(path):
            parts = module.split(".")
            target = parts[1] if len(parts) > 1 else ""
            if target == owner:
                continue
            where = f"app/{relative}:{line} imports {module}"
            if target not in FLOORS:
                if not face:
                    out.append(f"{where} (a composition module, from a domain's logic)")
                continue
            if face:
                if len(parts) > 2 and parts[2] == "repository":
                    out.append(f"{where} (a face builds no queries)")
                continue
            if FLOORS[target] > FLOORS[owner]:
                out.append(f"{where} (floor {FLOORS[target]} above floor {FLOORS[owner]})")
    return out


def test_every_domain_is_on_a_floor() -> None:
    packages = {p.name for p in APP.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    composition = {"console"}
    assert packages - composition <= set(FLOORS), "put a new domain on a floor in FLOORS"


def test_imports_point_down() -> None:
    assert _violations() == []


def test_the_check_sees_what_it_forbids(tmp_path: Path) -> None:
    # The check itself must be able to fail: each kind of violation in a small tree is found.
    (tmp_path / "series").mkdir()
    (tmp_path / "series" / "service.py").write_text(
        "def f() -> None:\n    from app.webhooks.events import wants\n", encoding="utf-8"
    )
    (tmp_path / "series" / "pages.py").write_text(
        "from app.sessions.repository import SessionRepository\n"
        "from app.sessions.service import SessionService\n",
        encoding="utf-8",
    )
    (tmp_path / "people").mkdir()
    (tmp_path / "people" / "service.py").write_text(
        "from app.security import CurrentPrincipal\nfrom app.series.service import S\n",
        encoding="utf-8",
    )
    found = _violations(tmp_path)
    assert len(found) == 3, found
    assert any("series/service.py:2 imports app.webhooks.events" in v for v in found)
    assert any("series/pages.py:1 imports app.sessions.repository" in v for v in found)
    assert any("people/service.py:1 imports app.security" in v for v in found)
