"""people, attendance and on-record consent

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 14:20:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "person",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("honorific", sa.String(length=50), nullable=True),
        sa.Column("given_name", sa.String(length=100), nullable=False),
        sa.Column("family_name", sa.String(length=100), nullable=False),
        sa.Column(
            "aliases",
            sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), "postgresql"),
            nullable=False,
        ),
        sa.Column("position", sa.String(length=300), nullable=True),
        sa.Column("affiliation", sa.String(length=300), nullable=True),
        sa.Column("affiliation_acronym", sa.String(length=30), nullable=True),
        sa.Column("country", sa.String(length=2), nullable=True),
        sa.Column(
            "sector",
            sa.Enum(
                "scholar",
                "former_diplomat",
                "serving_official",
                "former_official",
                "civil_society",
                "media",
                "other",
                name="sector",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("email", sa.String(length=320), nullable=True),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_person_dialogue_series_id_dialogue_series"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_person")),
        sa.UniqueConstraint(
            "dialogue_series_id", "email", name=op.f("uq_person_dialogue_series_id_email")
        ),
    )
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_person_dialogue_series_id"), ["dialogue_series_id"], unique=False
        )
    op.create_table(
        "attendance",
        sa.Column("dialogue_session_id", sa.Uuid(), nullable=False),
        sa.Column("person_id", sa.Uuid(), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "chair",
                "speaker",
                "presenter",
                "participant",
                "rapporteur",
                "observer",
                name="attendance_role",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "invited",
                "confirmed",
                "declined",
                "attended",
                "absent",
                name="attendance_status",
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
            name=op.f("fk_attendance_dialogue_session_id_dialogue_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_attendance_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attendance")),
        sa.UniqueConstraint(
            "dialogue_session_id",
            "person_id",
            name=op.f("uq_attendance_dialogue_session_id_person_id"),
        ),
    )
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_attendance_dialogue_session_id"), ["dialogue_session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_attendance_person_id"), ["person_id"], unique=False)
    op.create_table(
        "on_record_consent",
        sa.Column("attendance_id", sa.Uuid(), nullable=False),
        sa.Column("agenda_part_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["agenda_part_id"],
            ["agenda_part.id"],
            name=op.f("fk_on_record_consent_agenda_part_id_agenda_part"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["attendance_id"],
            ["attendance.id"],
            name=op.f("fk_on_record_consent_attendance_id_attendance"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "attendance_id", "agenda_part_id", name=op.f("pk_on_record_consent")
        ),
    )
    with op.batch_alter_table("on_record_consent", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_on_record_consent_agenda_part_id"), ["agenda_part_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("on_record_consent", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_on_record_consent_agenda_part_id"))
    op.drop_table("on_record_consent")
    with op.batch_alter_table("attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attendance_person_id"))
        batch_op.drop_index(batch_op.f("ix_attendance_dialogue_session_id"))
    op.drop_table("attendance")
    with op.batch_alter_table("person", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_person_dialogue_series_id"))
    op.drop_table("person")
