"""a series' public version, bumped by the database on every change of what it publishes

Revision ID: 0081
Revises: 0080
Create Date: 2026-12-03 00:00:00

The published face of a series (its public page and API, its calendar feeds, its public
report versions in every format) is rendered once per ``dialogue_series.public_version`` and
served as bytes (``app.kit.documents``). Triggers bump it in the transaction of every change
that can alter one of those documents: any update of the series row (its texts, its
``directory_version``, which the directory triggers bump on every roster change the guard
reads, its take-down mark), any insert, update or delete of its sessions (except an update
that only moves ``key_points_version``, which no public document shows), of their agenda
parts, and of its report versions and their editions (publication, withdrawal, take-down,
republication). So no
service, script or future code path can change a public document without every process
re-rendering it on its next request. tests/reports/test_public_documents.py proves it per
table that the public routes read, on both databases.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0081"
down_revision: str | None = "0080"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_BUMP = "UPDATE dialogue_series SET public_version = public_version + 1 WHERE id = "
# table -> how its series is found from the row (NEW or OLD)
_SERIES_OF = {
    "dialogue_session": "{row}.dialogue_series_id",
    "agenda_part": "(SELECT dialogue_series_id FROM dialogue_session "
    "WHERE id = {row}.dialogue_session_id)",
    "report_version": "{row}.dialogue_series_id",
    "report_edition": "{row}.dialogue_series_id",
}
_EVENTS = ("INSERT", "UPDATE", "DELETE")


def _name(table: str, event: str) -> str:
    return f"{table}_{event.lower()}_bumps_public"


def _row(event: str) -> str:
    return "OLD" if event == "DELETE" else "NEW"


def upgrade() -> None:
    op.add_column(
        "dialogue_series",
        sa.Column("public_version", sa.BigInteger(), server_default="0", nullable=False),
    )
    sqlite = op.get_bind().dialect.name == "sqlite"
    if sqlite:
        op.execute(
            "CREATE TRIGGER dialogue_series_update_bumps_public AFTER UPDATE ON dialogue_series "
            "WHEN NEW.public_version = OLD.public_version "
            f"BEGIN {_BUMP}NEW.id; END"
        )
    else:
        op.execute(
            """
            CREATE FUNCTION track2_dialogue_series_update_bumps_public() RETURNS trigger
            LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.public_version = OLD.public_version THEN
                    NEW.public_version := OLD.public_version + 1;
                END IF;
                RETURN NEW;
            END
            $$
            """
        )
        op.execute(
            "CREATE TRIGGER dialogue_series_update_bumps_public BEFORE UPDATE ON dialogue_series "
            "FOR EACH ROW EXECUTE FUNCTION track2_dialogue_series_update_bumps_public()"
        )
    for table in _SERIES_OF:
        for event in _EVENTS:
            name = _name(table, event)
            target = _SERIES_OF[table].format(row=_row(event))
            # Recording a key point bumps its session's key_points_version: not public.
            only_points = table == "dialogue_session" and event == "UPDATE"
            if sqlite:
                when = (
                    " WHEN NEW.key_points_version = OLD.key_points_version" if only_points else ""
                )
                op.execute(
                    f"CREATE TRIGGER {name} AFTER {event} ON {table}{when} "
                    f"BEGIN {_BUMP}{target}; END"
                )
                continue
            condition = (
                "IF (to_jsonb(OLD) - 'key_points_version') IS DISTINCT FROM "
                "(to_jsonb(NEW) - 'key_points_version') THEN "
                f"{_BUMP}{target}; END IF;"
                if only_points
                else f"{_BUMP}{target};"
            )
            op.execute(
                f"""
                CREATE FUNCTION track2_{name}() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    {condition}
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
    names = [("dialogue_series", "dialogue_series_update_bumps_public")] + [
        (table, _name(table, event)) for table in _SERIES_OF for event in _EVENTS
    ]
    for table, name in names:
        if sqlite:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            op.execute(f"DROP FUNCTION IF EXISTS track2_{name}()")
    op.drop_column("dialogue_series", "public_version")
