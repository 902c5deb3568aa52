"""report versions can be withdrawn

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-26 18:30:00

Downgrading refuses while any version is withdrawn: below this revision a stored version is
published, so the downgrade would publish again what an organiser took down (a withdrawal
is how a text that names a participant leaves the public). Delete those versions, or stay.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.add_column(sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_reason", sa.Text(), nullable=True))
        batch_op.add_column(sa.Column("withdrawn_by_id", sa.Uuid(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f("fk_report_version_withdrawn_by_id_app_user"),
            "app_user",
            ["withdrawn_by_id"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    withdrawn = (
        op.get_bind()
        .execute(sa.text("SELECT count(*) FROM report_version WHERE withdrawn_at IS NOT NULL"))
        .scalar_one()
    )
    if withdrawn:
        raise RuntimeError(
            f"{withdrawn} report versions are withdrawn; below 0015 they would be published "
            "again. Nothing was changed: delete those versions first (they are no longer "
            "public), or stay at 0015 or later"
        )
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_report_version_withdrawn_by_id_app_user"), type_="foreignkey"
        )
        batch_op.drop_column("withdrawn_by_id")
        batch_op.drop_column("withdrawn_reason")
        batch_op.drop_column("withdrawn_at")
