"""Running and inspecting Alembic migrations from the application and the CLI."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection

import migrations


def migrations_path() -> Path:
    """The folder holding env.py and versions/, wherever the package is installed."""
    return Path(migrations.__file__).resolve().parent


def alembic_config(database_url: str | None = None) -> Config:
    """An Alembic config that needs no alembic.ini on disk (works from an installed wheel)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_path()))
    cfg.set_main_option("path_separator", "os")
    if database_url:
        cfg.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return cfg


@lru_cache(maxsize=1)
def head_revision() -> str | None:
    """The newest revision in the code (read once per process)."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(connection: Connection) -> str | None:
    """The revision the database is at (None for an empty database)."""
    return MigrationContext.configure(connection).get_current_revision()


def upgrade_to_head(database_url: str) -> None:
    """Apply every pending migration (runs env.py, which opens its own event loop)."""
    command.upgrade(alembic_config(database_url), "head")
