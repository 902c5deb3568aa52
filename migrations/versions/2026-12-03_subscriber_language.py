"""a subscriber's language for newsletters and the editions they link

Revision ID: 0062
Revises: 0061
Create Date: 2026-12-03 14:10:00

Subscribers choose the language they read in (issue 18, item 4): en, fa-AF, ps or ar.
Existing subscribers read English, as before.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0062"
down_revision: str | None = "0061"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "subscriber",
        sa.Column("language", sa.String(length=16), nullable=False, server_default="en"),
    )


def downgrade() -> None:
    op.drop_column("subscriber", "language")
