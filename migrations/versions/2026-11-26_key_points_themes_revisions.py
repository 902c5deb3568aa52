"""key points themes revisions

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 14:26:59.948530

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "theme",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("slug", sa.String(length=80), nullable=False),
        sa.Column("label", sa.String(length=200), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_theme_dialogue_series_id_dialogue_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_theme")),
        sa.UniqueConstraint(
            "dialogue_series_id", "slug", name=op.f("uq_theme_dialogue_series_id_slug")
        ),
    )
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_theme_dialogue_series_id"), ["dialogue_series_id"], unique=False
        )

    op.create_table(
        "key_point",
        sa.Column("dialogue_session_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_part_id", sa.Uuid(), nullable=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "returned",
                name="key_point_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "warnings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column(
            "acknowledged_warnings",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("approved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_part_id"],
            ["agenda_part.id"],
            name=op.f("fk_key_point_agenda_part_id_agenda_part"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_session_id"],
            ["dialogue_session.id"],
            name=op.f("fk_key_point_dialogue_session_id_dialogue_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_point")),
    )
    with op.batch_alter_table("key_point", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_point_agenda_part_id"), ["agenda_part_id"], unique=False
        )
        batch_op.create_index(
            "ix_key_point_session_position", ["dialogue_session_id", "position", "id"], unique=False
        )
        batch_op.create_index("ix_key_point_status", ["status"], unique=False)

    op.create_table(
        "key_point_revision",
        sa.Column("key_point_id", sa.Uuid(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("agenda_part_id", sa.Uuid(), nullable=True),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "returned",
                name="key_point_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_point_id"],
            ["key_point.id"],
            name=op.f("fk_key_point_revision_key_point_id_key_point"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_key_point_revision")),
        sa.UniqueConstraint(
            "key_point_id", "revision", name=op.f("uq_key_point_revision_key_point_id_revision")
        ),
    )
    with op.batch_alter_table("key_point_revision", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_key_point_revision_key_point_id"), ["key_point_id"], unique=False
        )

    op.create_table(
        "key_point_theme",
        sa.Column("key_point_id", sa.Uuid(), nullable=False),
        sa.Column("theme_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["key_point_id"],
            ["key_point.id"],
            name=op.f("fk_key_point_theme_key_point_id_key_point"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["theme_id"],
            ["theme.id"],
            name=op.f("fk_key_point_theme_theme_id_theme"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("key_point_id", "theme_id", name=op.f("pk_key_point_theme")),
    )
    with op.batch_alter_table("key_point_theme", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_key_point_theme_theme_id"), ["theme_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("key_point_theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_point_theme_theme_id"))

    op.drop_table("key_point_theme")
    with op.batch_alter_table("key_point_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_key_point_revision_key_point_id"))

    op.drop_table("key_point_revision")
    with op.batch_alter_table("key_point", schema=None) as batch_op:
        batch_op.drop_index("ix_key_point_status")
        batch_op.drop_index("ix_key_point_session_position")
        batch_op.drop_index(batch_op.f("ix_key_point_agenda_part_id"))

    op.drop_table("key_point")
    with op.batch_alter_table("theme", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_theme_dialogue_series_id"))

    op.drop_table("theme")
