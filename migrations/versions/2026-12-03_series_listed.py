"""a series is unlisted until its first publication

Revision ID: 0032
Revises: 0031
Create Date: 2026-12-03 02:00:00

Anyone may create a series; listing every series publicly (and announcing each to webhook
endpoints) would publish titles and organisers of dialogues that have not chosen to go
public, and let the directory of such series be browsed. ``listed_at`` is set when the
series' first report version is published; until then the series is in no public listing and
no ``series.created`` event is sent. Series that already have a published report are listed
from that report's publication.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0032"
down_revision: str | None = "0031"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "dialogue_series", sa.Column("listed_at", sa.DateTime(timezone=True), nullable=True)
    )
    op.execute(
        "UPDATE dialogue_series SET listed_at = ("
        "SELECT min(published_at) FROM report_version "
        "WHERE report_version.dialogue_series_id = dialogue_series.id)"
    )


def downgrade() -> None:
    op.drop_column("dialogue_series", "listed_at")
