"""report versions, requests, downloads and series report settings

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 14:40:00

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "report_version",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("dialogue_session_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "summary",
                "detailed",
                name="report_kind",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("content_sha256", sa.String(length=64), nullable=False),
        sa.Column("changelog", sa.Text(), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_by_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.CheckConstraint("number >= 1", name=op.f("ck_report_version_number_positive")),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_report_version_dialogue_series_id_dialogue_series"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_session_id"],
            ["dialogue_session.id"],
            name=op.f("fk_report_version_dialogue_session_id_dialogue_session"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["published_by_id"],
            ["app_user.id"],
            name=op.f("fk_report_version_published_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_version")),
        sa.UniqueConstraint(
            "dialogue_session_id",
            "kind",
            "number",
            name=op.f("uq_report_version_dialogue_session_id_kind_number"),
        ),
    )
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.create_index(
            "ix_report_version_series_kind", ["dialogue_series_id", "kind"], unique=False
        )

    op.create_table(
        "report_request",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("dialogue_session_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column(
            "status",
            sa.Enum(
                "pending",
                "approved",
                "declined",
                name="report_request_status",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "pending_reason",
            sa.Enum(
                "awaiting_review",
                "no_detailed_report",
                name="report_request_pending_reason",
                native_enum=False,
                create_constraint=True,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("approved_by_policy", sa.Boolean(), nullable=False),
        sa.Column("decided_by_id", sa.Uuid(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("report_version_id", sa.Uuid(), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["decided_by_id"],
            ["app_user.id"],
            name=op.f("fk_report_request_decided_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_report_request_dialogue_series_id_dialogue_series"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["dialogue_session_id"],
            ["dialogue_session.id"],
            name=op.f("fk_report_request_dialogue_session_id_dialogue_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_version_id"],
            ["report_version.id"],
            name=op.f("fk_report_request_report_version_id_report_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_request")),
    )
    with op.batch_alter_table("report_request", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_request_report_version_id"), ["report_version_id"], unique=False
        )
        batch_op.create_index(
            "ix_report_request_series_status", ["dialogue_series_id", "status"], unique=False
        )
        batch_op.create_index(
            "ix_report_request_session_email", ["dialogue_session_id", "email"], unique=False
        )

    op.create_table(
        "report_download",
        sa.Column("report_request_id", sa.Uuid(), nullable=False),
        sa.Column("report_version_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
        sa.Column("format", sa.String(length=16), nullable=False),
        sa.Column("downloaded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["report_request_id"],
            ["report_request.id"],
            name=op.f("fk_report_download_report_request_id_report_request"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["report_version_id"],
            ["report_version.id"],
            name=op.f("fk_report_download_report_version_id_report_version"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_report_download")),
    )
    with op.batch_alter_table("report_download", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_report_download_report_request_id"), ["report_request_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_report_download_report_version_id"), ["report_version_id"], unique=False
        )

    # Existing series get the defaults through a server default, which is then removed: the
    # application sets these columns itself (as for every other column of the table).
    with op.batch_alter_table("dialogue_series", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("strapline", sa.String(length=300), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("title_prefix", sa.String(length=200), server_default="", nullable=False)
        )
        batch_op.add_column(
            sa.Column("dateline", sa.String(length=100), server_default="", nullable=False)
        )
        batch_op.add_column(sa.Column("closing", sa.Text(), server_default="", nullable=False))
        batch_op.add_column(
            sa.Column(
                "report_request_policy",
                sa.Enum(
                    "confirmed_subscribers",
                    "review",
                    name="report_request_policy",
                    native_enum=False,
                    create_constraint=True,
                    length=32,
                ),
                server_default="review",
                nullable=False,
            )
        )
    with op.batch_alter_table("dialogue_series", schema=None) as batch_op:
        for column in ("strapline", "title_prefix", "dateline", "closing", "report_request_policy"):
            batch_op.alter_column(column, server_default=None)


def downgrade() -> None:
    with op.batch_alter_table("dialogue_series", schema=None) as batch_op:
        batch_op.drop_constraint(op.f("ck_dialogue_series_report_request_policy"), type_="check")
        batch_op.drop_column("report_request_policy")
        batch_op.drop_column("closing")
        batch_op.drop_column("dateline")
        batch_op.drop_column("title_prefix")
        batch_op.drop_column("strapline")

    with op.batch_alter_table("report_download", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_report_download_report_version_id"))
        batch_op.drop_index(batch_op.f("ix_report_download_report_request_id"))

    op.drop_table("report_download")
    with op.batch_alter_table("report_request", schema=None) as batch_op:
        batch_op.drop_index("ix_report_request_session_email")
        batch_op.drop_index("ix_report_request_series_status")
        batch_op.drop_index(batch_op.f("ix_report_request_report_version_id"))

    op.drop_table("report_request")
    with op.batch_alter_table("report_version", schema=None) as batch_op:
        batch_op.drop_index("ix_report_version_series_kind")

    op.drop_table("report_version")
