"""rate limits count one row per hit instead of updating one counter row

Revision ID: 0050
Revises: 0032
Create Date: 2026-12-03 10:00:00

Every public request from one address updated the same ``rate_limit_counter`` row, so its
row lock serialised them until each request's transaction committed. ``rate_limit_hit``
takes one inserted row per hit instead. Both directions carry the counts over: each counter
becomes that many hit rows, and the hits of a window are summed back into one counter.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0050"
down_revision: str | None = "0032"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Rate limits are at most a few thousand an hour; a counter above this was never reachable.
_MOST_HITS = 100_000


def upgrade() -> None:
    op.create_table(
        "rate_limit_hit",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_rate_limit_hit")),
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.create_index(
            "ix_rate_limit_hit_bucket_window_start", ["bucket", "window_start"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_rate_limit_hit_expires_at"), ["expires_at"], unique=False
        )
    op.execute(
        sa.text(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < "
            "(SELECT least_of FROM (SELECT min(m) AS least_of FROM (SELECT :most AS m UNION ALL "
            "SELECT coalesce(max(hits), 0) FROM rate_limit_counter) AS bounds) AS bound)) "
            "INSERT INTO rate_limit_hit (bucket, window_start, expires_at) "
            "SELECT c.bucket, c.window_start, c.expires_at FROM rate_limit_counter c "
            "JOIN n ON n.i <= c.hits"
        ).bindparams(most=_MOST_HITS)
    )
    with op.batch_alter_table("rate_limit_counter", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_counter_expires_at"))
    op.drop_table("rate_limit_counter")


def downgrade() -> None:
    op.create_table(
        "rate_limit_counter",
        sa.Column("bucket", sa.String(length=200), nullable=False),
        sa.Column("window_start", sa.DateTime(timezone=True), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("bucket", "window_start", name=op.f("pk_rate_limit_counter")),
    )
    with op.batch_alter_table("rate_limit_counter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_rate_limit_counter_expires_at"), ["expires_at"], unique=False
        )
    op.execute(
        "INSERT INTO rate_limit_counter (bucket, window_start, hits, expires_at) "
        "SELECT bucket, window_start, count(*), max(expires_at) FROM rate_limit_hit "
        "GROUP BY bucket, window_start"
    )
    with op.batch_alter_table("rate_limit_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_rate_limit_hit_expires_at"))
        batch_op.drop_index("ix_rate_limit_hit_bucket_window_start")
    op.drop_table("rate_limit_hit")
