"""the paper size of a series' printed reports (A4 or US Letter)

Revision ID: 0061
Revises: 0060
Create Date: 2026-12-03 14:05:00

PDF and DOCX renderings of a series' reports use its paper size; A4 unless the series says
Letter (issue 18, item 1). Existing series keep A4.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0061"
down_revision: str | None = "0060"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # Not a batch (table copy) on SQLite: dialogue_series carries the directory triggers of
    # migration 0030. Both databases take a column CHECK in ADD COLUMN.
    op.execute(
        "ALTER TABLE dialogue_series ADD COLUMN paper VARCHAR(32) DEFAULT 'a4' NOT NULL "
        "CONSTRAINT ck_dialogue_series_paper_size CHECK (paper IN ('a4', 'letter'))"
    )


def downgrade() -> None:
    op.drop_column("dialogue_series", "paper")
