"""a new key point bumps its session's key_points_version in the database

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-27 00:00:00

Recording a point used to send a separate UPDATE of dialogue_session after the INSERT, to
invalidate cached pages of the session's list (app/key_points/listing.py). A trigger does the
same inside the INSERT: one statement fewer on the hottest write (P2 in docs/performance.md),
and no way for any future code path, script or bulk load that inserts a point to forget it.
Updates and deletes of points still bump in code, next to the change they make.

SQLite and ``batch_alter_table``: rebuilding key_point drops this trigger (create it again
after), and rebuilding dialogue_session fails at the final rename ("error in trigger ...: no
such table: main.dialogue_session") while the trigger refers to it: drop the trigger before
such a rebuild and create it again after (``_SQLITE_UPGRADE``/``_SQLITE_DOWNGRADE`` here).
tests/key_points/test_listing.py proves the bump at the head.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# updated_at is left alone: the session itself did not change (its ETag and calendar stamps
# must not move when a key point does).
_SQLITE_UPGRADE = """
CREATE TRIGGER key_point_insert_bumps_version AFTER INSERT ON key_point
BEGIN
    UPDATE dialogue_session SET key_points_version = key_points_version + 1
    WHERE id = NEW.dialogue_session_id;
END
"""
_SQLITE_DOWNGRADE = "DROP TRIGGER IF EXISTS key_point_insert_bumps_version"

_PG_UPGRADE = (
    """
    CREATE FUNCTION track2_key_point_insert_bumps_version() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        UPDATE dialogue_session SET key_points_version = key_points_version + 1
        WHERE id = NEW.dialogue_session_id;
        RETURN NULL;
    END
    $$
    """,
    """
    CREATE TRIGGER key_point_insert_bumps_version AFTER INSERT ON key_point
    FOR EACH ROW EXECUTE FUNCTION track2_key_point_insert_bumps_version()
    """,
)
_PG_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS key_point_insert_bumps_version ON key_point",
    "DROP FUNCTION IF EXISTS track2_key_point_insert_bumps_version()",
)


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_SQLITE_UPGRADE)
        return
    for statement in _PG_UPGRADE:
        op.execute(statement)


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        op.execute(_SQLITE_DOWNGRADE)
        return
    for statement in _PG_DOWNGRADE:
        op.execute(statement)
