"""the authentication version, bumped by the database whenever a cached token may be wrong

Revision ID: 0080
Revises: 0062
Create Date: 2026-12-03 00:00:00

Every process keeps the state of the tokens it has authenticated in memory
(``app.users.tokens``) and trusts it only while ``auth_version.version`` is what it was when
the state was read; every request reads that one integer. Triggers bump it, in the
transaction of the change, on every change of a token's revocation, expiry, read-only flag or
owner, on deleting a token, on every change of a user's activity, administrator flag or
address, and on deleting a user. So no service, script or future code path can revoke a
token or deactivate a user without every process seeing it on its next request.
``last_used_at`` (written at most once per interval per token) is left out on purpose.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0080"
down_revision: str | None = "0062"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUMP = "UPDATE auth_version SET version = version + 1 WHERE id = 1"
# (table, event) -> trigger name
_TRIGGERS = {
    ("api_token", "UPDATE OF revoked_at, expires_at, read_only, app_user_id"): "api_token_update",
    ("api_token", "DELETE"): "api_token_delete",
    ("app_user", "UPDATE OF is_active, is_admin, email"): "app_user_update",
    ("app_user", "DELETE"): "app_user_delete",
}


def upgrade() -> None:
    op.create_table(
        "auth_version",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), server_default="0", nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_auth_version")),
    )
    op.execute("INSERT INTO auth_version (id, version) VALUES (1, 0)")
    sqlite = op.get_bind().dialect.name == "sqlite"
    if not sqlite:
        # The row was given its id: move the serial past it.
        op.execute("SELECT setval(pg_get_serial_sequence('auth_version', 'id'), 1)")
        op.execute(
            f"""
            CREATE FUNCTION track2_bump_auth_version() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                {_BUMP};
                RETURN NULL;
            END
            $$
            """
        )
    for (table, event), name in _TRIGGERS.items():
        trigger = f"{name}_bumps_auth_version"
        if sqlite:
            op.execute(f"CREATE TRIGGER {trigger} AFTER {event} ON {table} BEGIN {_BUMP}; END")
        else:
            op.execute(
                f"CREATE TRIGGER {trigger} AFTER {event} ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION track2_bump_auth_version()"
            )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for (table, _event), name in _TRIGGERS.items():
        trigger = f"{name}_bumps_auth_version"
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}" + ("" if sqlite else f" ON {table}"))
    if not sqlite:
        op.execute("DROP FUNCTION IF EXISTS track2_bump_auth_version()")
    op.drop_table("auth_version")
