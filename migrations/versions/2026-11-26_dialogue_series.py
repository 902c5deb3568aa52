"""dialogue series and their members

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 14:12:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialogue_series",
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=False),
        sa.Column(
            "partners",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "default_regime",
            sa.Enum(
                "chatham_house",
                "on_record",
                "off_record",
                name="disclosure_regime",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_series")),
        sa.UniqueConstraint("slug", name=op.f("uq_dialogue_series_slug")),
    )
    op.create_table(
        "series_member",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("app_user_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "organiser",
                "rapporteur",
                name="member_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["app_user_id"],
            ["app_user.id"],
            name=op.f("fk_series_member_app_user_id_app_user"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_series_member_dialogue_series_id_dialogue_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_member")),
        sa.UniqueConstraint(
            "dialogue_series_id",
            "app_user_id",
            name=op.f("uq_series_member_dialogue_series_id_app_user_id"),
        ),
    )
    with op.batch_alter_table("series_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_series_member_app_user_id"), ["app_user_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_series_member_dialogue_series_id"), ["dialogue_series_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("series_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_series_member_dialogue_series_id"))
        batch_op.drop_index(batch_op.f("ix_series_member_app_user_id"))
    op.drop_table("series_member")
    op.drop_table("dialogue_series")
