"""webhook signing secrets sealed at rest: room for the Fernet token

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-26 18:00:00

The secret column grows from 128 to 512 characters to hold ``sealed:v1:`` + a Fernet token
(app/kit/sealing.py). Values stored before this revision are plain ``whsec_...`` text; the
application still reads them and seals them again when the secret is rotated, and
``track2 reseal-secrets`` seals every one at once (migrations do not import the application,
so they cannot derive its key).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sa.String(length=128),
            type_=sa.String(length=512),
            existing_nullable=False,
        )


def downgrade() -> None:
    # Sealed values do not fit the old column, and a downgraded application could not read
    # them anyway: refuse rather than truncate a secret.
    bind = op.get_bind()
    sealed = bind.execute(
        sa.text("SELECT count(*) FROM webhook_endpoint WHERE secret LIKE 'sealed:%'")
    ).scalar_one()
    if sealed:
        raise RuntimeError(
            f"{sealed} webhook secrets are sealed; rotate or delete those endpoints before "
            "downgrading below 0014"
        )
    with op.batch_alter_table("webhook_endpoint", schema=None) as batch_op:
        batch_op.alter_column(
            "secret",
            existing_type=sa.String(length=512),
            type_=sa.String(length=128),
            existing_nullable=False,
        )
