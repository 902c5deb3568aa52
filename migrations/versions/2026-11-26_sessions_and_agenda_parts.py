"""dialogue sessions and agenda parts

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 14:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "dialogue_session",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("context", sa.Text(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column(
            "format",
            sa.Enum(
                "online",
                "in_person",
                "hybrid",
                name="session_format",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("venue", sa.String(length=300), nullable=True),
        sa.Column("meeting_url", sa.String(length=2000), nullable=True),
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
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "scheduled",
                "held",
                "closed",
                "postponed",
                "cancelled",
                name="session_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("status_reason", sa.Text(), nullable=True),
        sa.Column("calendar_sequence", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_dialogue_session_ends_after_start")
        ),
        sa.CheckConstraint("number >= 1", name=op.f("ck_dialogue_session_number_positive")),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_dialogue_session_dialogue_series_id_dialogue_series"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dialogue_session")),
        sa.UniqueConstraint(
            "dialogue_series_id",
            "number",
            name=op.f("uq_dialogue_session_dialogue_series_id_number"),
        ),
    )
    with op.batch_alter_table("dialogue_session", schema=None) as batch_op:
        batch_op.create_index(
            "ix_dialogue_session_series_starts", ["dialogue_series_id", "starts_at"], unique=False
        )
    op.create_table(
        "agenda_part",
        sa.Column("dialogue_session_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "opening_remarks",
                "presentation",
                "q_and_a",
                "discussion",
                "other",
                name="part_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("topic", sa.String(length=300), nullable=True),
        sa.Column(
            "regime",
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
        sa.ForeignKeyConstraint(
            ["dialogue_session_id"],
            ["dialogue_session.id"],
            name=op.f("fk_agenda_part_dialogue_session_id_dialogue_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agenda_part")),
    )
    with op.batch_alter_table("agenda_part", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agenda_part_session_position", ["dialogue_session_id", "position"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("agenda_part", schema=None) as batch_op:
        batch_op.drop_index("ix_agenda_part_session_position")
    op.drop_table("agenda_part")
    with op.batch_alter_table("dialogue_session", schema=None) as batch_op:
        batch_op.drop_index("ix_dialogue_session_series_starts")
    op.drop_table("dialogue_session")
