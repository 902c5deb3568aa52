"""sessions remember when they became public

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-26 19:00:00

Backfill: a session that is scheduled, postponed, held or closed has been scheduled, so it
has been public since (at the latest) its last change. A cancelled session may have been a
draft that was never scheduled; it stays private (when in doubt, leave it out).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("dialogue_session", schema=None) as batch_op:
        batch_op.add_column(sa.Column("public_since", sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE dialogue_session SET public_since = updated_at "
        "WHERE status IN ('scheduled', 'postponed', 'held', 'closed')"
    )


def downgrade() -> None:
    with op.batch_alter_table("dialogue_session", schema=None) as batch_op:
        batch_op.drop_column("public_since")
