"""series invitations

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 10:00:00

An organiser invites someone to a series by e-mail with a role; the link (stored as a
SHA-256) creates the account if needed, adds the member and signs them in.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "series_invitation",
        sa.Column("dialogue_series_id", sa.Uuid(), nullable=False),
        sa.Column("email", sa.String(length=320), nullable=False),
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
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("invited_by_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("accepted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dialogue_series_id"],
            ["dialogue_series.id"],
            name=op.f("fk_series_invitation_dialogue_series_id_dialogue_series"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["invited_by_id"],
            ["app_user.id"],
            name=op.f("fk_series_invitation_invited_by_id_app_user"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_series_invitation")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_series_invitation_token_hash")),
    )
    with op.batch_alter_table("series_invitation", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_series_invitation_dialogue_series_id"),
            ["dialogue_series_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("series_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_series_invitation_dialogue_series_id"))
    op.drop_table("series_invitation")
