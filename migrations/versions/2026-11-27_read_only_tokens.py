"""read-only API tokens

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 05:00:00

A token with ``read_only`` set may only read (GET and HEAD); every other method answers 403
``/problems/read-only-token``. Existing tokens keep full rights (the server default).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0019"
down_revision: str | None = "0018"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # With a constant default SQLite adds the column in place (no table rebuild).
    op.add_column(
        "api_token",
        sa.Column("read_only", sa.Boolean(), server_default=sa.false(), nullable=False),
    )


def downgrade() -> None:
    op.drop_column("api_token", "read_only")
