"""sent outbox rows can be pruned: pruned_at, and an index of the rows still to prune

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-27 04:00:00

Housekeeping forgets the content of messages sent more than ``TRACK2_OUTBOX__SENT_RETENTION_DAYS``
ago (app/outbox/worker.py ``prune_sent``). A row without a dedupe key is deleted; a row with one
keeps its key (so the same newsletter, invitation or notice is still never sent twice) with its
payload replaced and ``pruned_at`` set. The partial index holds only sent rows not pruned yet,
by ``sent_at``, so each pass reads exactly the rows it prunes however many pruned rows stay.

On PostgreSQL the index is built inside the migration's transaction (not CONCURRENTLY), so
writes to outbox_message wait while it is built: seconds for a few million rows; run the
upgrade in a quiet moment on a large installation.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_PRUNABLE = "status = 'sent' AND pruned_at IS NULL"


def upgrade() -> None:
    # A nullable column with no default: SQLite adds it in place (no table rebuild).
    op.add_column("outbox_message", sa.Column("pruned_at", sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        "ix_outbox_message_prunable",
        "outbox_message",
        ["sent_at"],
        unique=False,
        sqlite_where=sa.text(_PRUNABLE),
        postgresql_where=sa.text(_PRUNABLE),
    )


def downgrade() -> None:
    op.drop_index("ix_outbox_message_prunable", table_name="outbox_message")
    # In place on SQLite too (3.35+): a batch rebuild would have to carry the partial index
    # ix_outbox_message_due across, and reflection does not keep its WHERE clause.
    op.drop_column("outbox_message", "pruned_at")
