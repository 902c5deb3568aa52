"""read-only API tokens

Revision ID: 0019
Revises: 0018
Create Date: 2026-11-27 05:00:00

A token with ``read_only`` set may only read (GET and HEAD); every other method answers 403
``/problems/read-only-token``. Existing tokens keep full rights (the server default).

Downgrading revokes every read-only token that is not revoked yet: below this revision a
token has full rights, and a read-only token must never become one. Upgrading again leaves
them revoked (their holders need new tokens).
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
    api_token = sa.table(
        "api_token",
        sa.column("read_only", sa.Boolean()),
        sa.column("revoked_at", sa.DateTime(timezone=True)),
    )
    op.execute(
        api_token.update()
        .where(api_token.c.read_only.is_(sa.true()), api_token.c.revoked_at.is_(None))
        .values(revoked_at=sa.func.current_timestamp())
    )
    op.drop_column("api_token", "read_only")
