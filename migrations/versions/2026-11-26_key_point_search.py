"""key point search

Full-text search over approved key points (see docs/search.md).

SQLite: an FTS5 table ``key_point_search`` holding only approved points, kept in sync by three
triggers on ``key_point``. SQLite drops a table's triggers with the table, so any later
migration that rebuilds ``key_point`` (``batch_alter_table`` does, on SQLite) must create the
three triggers again.

PostgreSQL: a partial GIN expression index on ``to_tsvector('track2_porter', text)`` for
approved points; the search query repeats exactly this expression and predicate so the planner
uses it. ``track2_porter`` is the 'english' configuration with the original Porter stemmer in
place of Snowball English, so words stem exactly as FTS5's ``porter`` tokenizer stems them
("news" finds "new" on both backends, "dying" finds "die" on neither).

Neither object is in the ORM metadata; migrations/env.py keeps them out of the drift check.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 16:00:00.000000

"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# remove_diacritics 0: PostgreSQL's 'english' configuration keeps accents, and both backends
# must match the same rows ("cafe" does not find "café" on either).
_SQLITE_UPGRADE = (
    """
    CREATE VIRTUAL TABLE key_point_search USING fts5(
        key_point_id UNINDEXED,
        text,
        tokenize = 'porter unicode61 remove_diacritics 0'
    )
    """,
    """
    CREATE TRIGGER key_point_search_ai AFTER INSERT ON key_point
    WHEN new.status = 'approved'
    BEGIN
        INSERT INTO key_point_search (key_point_id, text) VALUES (new.id, new.text);
    END
    """,
    # Only a change of text or status can change what is indexed; other updates (warnings,
    # updated_at, position) leave the index alone.
    """
    CREATE TRIGGER key_point_search_au AFTER UPDATE OF id, text, status ON key_point
    BEGIN
        DELETE FROM key_point_search WHERE key_point_id = old.id;
        INSERT INTO key_point_search (key_point_id, text)
            SELECT new.id, new.text WHERE new.status = 'approved';
    END
    """,
    """
    CREATE TRIGGER key_point_search_ad AFTER DELETE ON key_point
    BEGIN
        DELETE FROM key_point_search WHERE key_point_id = old.id;
    END
    """,
    # Points approved before this revision.
    """
    INSERT INTO key_point_search (key_point_id, text)
        SELECT id, text FROM key_point WHERE status = 'approved'
    """,
)

_SQLITE_DOWNGRADE = (
    "DROP TRIGGER IF EXISTS key_point_search_ad",
    "DROP TRIGGER IF EXISTS key_point_search_au",
    "DROP TRIGGER IF EXISTS key_point_search_ai",
    # Dropping the virtual table drops its shadow tables too.
    "DROP TABLE IF EXISTS key_point_search",
)

_PG_UPGRADE = (
    # Same stop words as 'english' (the application drops them from queries anyway).
    """
    CREATE TEXT SEARCH DICTIONARY track2_porter_stem (
        TEMPLATE = snowball, LANGUAGE = porter, STOPWORDS = english
    )
    """,
    "CREATE TEXT SEARCH CONFIGURATION track2_porter (COPY = english)",
    """
    ALTER TEXT SEARCH CONFIGURATION track2_porter
        ALTER MAPPING REPLACE english_stem WITH track2_porter_stem
    """,
)

_PG_DOWNGRADE = (
    "DROP TEXT SEARCH CONFIGURATION IF EXISTS track2_porter",
    "DROP TEXT SEARCH DICTIONARY IF EXISTS track2_porter_stem",
)

_PG_INDEX = "ix_key_point_search_text"


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_UPGRADE:
            op.execute(statement)
        return
    for statement in _PG_UPGRADE:
        op.execute(statement)
    op.create_index(
        _PG_INDEX,
        "key_point",
        [sa.text("to_tsvector('track2_porter', text)")],
        postgresql_using="gin",
        postgresql_where=sa.text("status = 'approved'"),
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for statement in _SQLITE_DOWNGRADE:
            op.execute(statement)
        return
    op.drop_index(_PG_INDEX, table_name="key_point")
    for statement in _PG_DOWNGRADE:
        op.execute(statement)
