"""Import every domain's models so ``Base.metadata`` is complete (Alembic, tests)."""

from __future__ import annotations


def load_all_models() -> None:
    """Register all mapped classes with the declarative base."""
    import app.series.models
    import app.users.models  # noqa: F401
