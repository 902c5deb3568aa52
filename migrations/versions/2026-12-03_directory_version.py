"""a series' directory version, bumped by the database on every change the guard reads

Revision ID: 0030
Revises: 0021
Create Date: 2026-12-03 00:00:00

The guard (app/confidentiality) checks every public text against a matcher built from the
series' whole directory: its people (names, aliases, positions, affiliations, e-mails), who
attends which session, who consented to be named in which on-record part, and the parts'
regimes. Building that matcher costs ~0.15 ms per person, so it is built once per version of
the directory and cached under ``(series, directory_version)``.

Triggers bump ``dialogue_series.directory_version`` on every insert, update and delete of
``person``, ``attendance`` and ``on_record_consent``, every insert, delete and regime change
of ``agenda_part``, and every change of the series' organiser or partners (public by design,
so never treated as a participant's affiliation): no service, import, script or future code path can change what the
matcher reads without invalidating it. ``updated_at`` of the series is left alone (its own
texts did not change).

SQLite and ``batch_alter_table``: rebuilding any of these tables drops its triggers (create
them again after), and rebuilding ``dialogue_series`` fails while triggers refer to it: drop
them first and create them again after. tests/confidentiality/test_directory_version.py
proves every bump at the head, on both databases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0030"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUMP = "UPDATE dialogue_series SET directory_version = directory_version + 1 WHERE id = "
# (table, events, how the series is found from the row as NEW or OLD)
_SERIES_OF = {
    "person": "{row}.dialogue_series_id",
    "attendance": "(SELECT dialogue_series_id FROM dialogue_session "
    "WHERE id = {row}.dialogue_session_id)",
    "on_record_consent": "(SELECT s.dialogue_series_id FROM attendance a "
    "JOIN dialogue_session s ON s.id = a.dialogue_session_id WHERE a.id = {row}.attendance_id)",
    "agenda_part": "(SELECT dialogue_series_id FROM dialogue_session "
    "WHERE id = {row}.dialogue_session_id)",
}
_EVENTS = {
    "person": ("INSERT", "UPDATE", "DELETE"),
    "attendance": ("INSERT", "UPDATE", "DELETE"),
    "on_record_consent": ("INSERT", "DELETE"),
    "agenda_part": ("INSERT", "UPDATE OF regime", "DELETE"),
}


def _name(table: str, event: str) -> str:
    return f"{table}_{event.split()[0].lower()}_bumps_directory"


def _row(event: str) -> str:
    return "OLD" if event == "DELETE" else "NEW"


# The series' organiser and partners are public by design: the matcher does not treat them as
# anyone's affiliation, so changing them changes the matcher too.
_SERIES_SQLITE = (
    "CREATE TRIGGER dialogue_series_update_bumps_directory "
    "AFTER UPDATE OF organiser, partners ON dialogue_series "
    "BEGIN " + _BUMP + "NEW.id; END"
)
_SERIES_PG = (
    """
    CREATE FUNCTION track2_dialogue_series_update_bumps_directory() RETURNS trigger
    LANGUAGE plpgsql AS $$
    BEGIN
        IF NEW.organiser IS DISTINCT FROM OLD.organiser
           OR NEW.partners::text IS DISTINCT FROM OLD.partners::text THEN
            NEW.directory_version := OLD.directory_version + 1;
        END IF;
        RETURN NEW;
    END
    $$
    """,
    "CREATE TRIGGER dialogue_series_update_bumps_directory BEFORE UPDATE ON dialogue_series "
    "FOR EACH ROW EXECUTE FUNCTION track2_dialogue_series_update_bumps_directory()",
)


def upgrade() -> None:
    op.add_column(
        "dialogue_series",
        sa.Column("directory_version", sa.Integer(), server_default="0", nullable=False),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(_SERIES_SQLITE)
    else:
        for statement in _SERIES_PG:
            op.execute(statement)
    for table, events in _EVENTS.items():
        for event in events:
            name = _name(table, event)
            target = _SERIES_OF[table].format(row=_row(event))
            if sqlite:
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                    f"BEGIN {_BUMP}{target}; END"
                )
                continue
            op.execute(
                f"""
                CREATE FUNCTION track2_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    {_BUMP}{target};
                    RETURN NULL;
                END
                $$
                """
            )
            op.execute(
                f"CREATE TRIGGER {name} AFTER {event} ON {table} "
                f"FOR EACH ROW EXECUTE FUNCTION track2_{name}()"
            )


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute("DROP TRIGGER IF EXISTS dialogue_series_update_bumps_directory")
    else:
        op.execute(
            "DROP TRIGGER IF EXISTS dialogue_series_update_bumps_directory ON dialogue_series"
        )
        op.execute("DROP FUNCTION IF EXISTS track2_dialogue_series_update_bumps_directory()")
    for table, events in _EVENTS.items():
        for event in events:
            name = _name(table, event)
            if sqlite:
                op.execute(f"DROP TRIGGER IF EXISTS {name}")
            else:
                op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                op.execute(f"DROP FUNCTION IF EXISTS track2_{name}()")
    op.drop_column("dialogue_series", "directory_version")
