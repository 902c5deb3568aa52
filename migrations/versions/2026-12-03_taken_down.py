"""when the guard took a published text down (series, session, report version)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-03 01:00:00

When a change to a series' directory makes a published text name someone, the guard takes it
down at once (app/confidentiality/recheck.py): the series' public texts, a public session's
title and context, or a published report version. ``taken_down_at`` marks it; every public
address of it answers 410 "being revised" until an organiser republishes after the fix
(``POST /api/v1/series/{id}/republish``), which clears the mark. Constant-free nullable
columns: SQLite adds them in place (no table rebuild, the triggers stay).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0031"
down_revision: str | None = "0030"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_TABLES = ("dialogue_series", "dialogue_session", "report_version")


def upgrade() -> None:
    for table in _TABLES:
        op.add_column(table, sa.Column("taken_down_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    for table in reversed(_TABLES):
        op.drop_column(table, "taken_down_at")
