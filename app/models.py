"""Import every domain's models so ``Base.metadata`` is complete (Alembic, tests)."""

from __future__ import annotations


def load_all_models() -> None:
    """Register all mapped classes with the declarative base."""
    import app.audit.models
    import app.key_points.models
    import app.kit.idempotency
    import app.newsletter.models
    import app.outbox.models
    import app.people.models
    import app.reports.models
    import app.series.models
    import app.sessions.models
    import app.users.models
    import app.webhooks.models  # noqa: F401
