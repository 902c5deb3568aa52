"""report editions: translations of a published version, reviewed by four eyes

Revision ID: 0060
Revises: 0050
Create Date: 2026-12-03 14:00:00

A published report version (n) can have editions in other languages: a complete
translation of its public texts, entered by a member, reviewed by another, and published as
version n.m of the same content (issue 18, item 2). An edition's texts are stored as JSON
(keyed by the ids of the records they translate); once published, its canonical content and
its SHA-256 are frozen like a version's. Withdrawing a version withdraws its editions.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0060"
down_revision: str | None = "0050"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_edition",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("report_version_id", sa.Uuid(), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "draft",
                "submitted",
                "approved",
                "published",
                name="edition_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("calendar", sa.String(length=16), nullable=False, server_default="gregorian"),
        sa.Column("texts", sa.Text(), nullable=False),
        sa.Column("acknowledged_warnings", sa.Text(), nullable=False, server_default="[]"),
        sa.Column("translated_by_id", sa.Uuid(), nullable=True),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reviewed_by_id", sa.Uuid(), nullable=True),
        sa.Column("reviewed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("review_note", sa.Text(), nullable=True),
        sa.Column("number", sa.Integer(), nullable=True),
        sa.Column("content", sa.Text(), nullable=True),
        sa.Column("content_sha256", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint(
            "number IS NULL OR number >= 1", name=op.f("ck_report_edition_number_positive")
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_report_edition_dialogue_series_id_dialogue_series"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["report_version_id"],
            ["report_version.id"],
            name=op.f("fk_report_edition_report_version_id_report_version"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["translated_by_id"],
            ["app_user.id"],
            name=op.f("fk_report_edition_translated_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["reviewed_by_id"],
            ["app_user.id"],
            name=op.f("fk_report_edition_reviewed_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["app_user.id"],
            name=op.f("fk_report_edition_published_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_edition")),
        sa.UniqueConstraint(
            "report_version_id",
            "language",
            name=op.f("uq_report_edition_report_version_id_language"),
        ),
        sa.UniqueConstraint(
            "report_version_id",
            "number",
            name=op.f("uq_report_edition_report_version_id_number"),
        ),
    )
    with op.batch_alter_table("report_edition", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_edition_series_status", ["dialogue_series_id", "status"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("report_edition", schema=None) as batch_op:
        batch_op.drop_index("ix_report_edition_series_status")
    op.drop_table("report_edition")
