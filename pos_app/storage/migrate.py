"""Schema upgrades at start-up, from code: no alembic.ini is needed on a clinic's machine.

The migration scripts ship inside the package (``pos_app/storage/migrations``), found through
``importlib.resources`` so an installed app finds them wherever pip put it.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

from pos_app.domain.errors import StorageError


def migrations_path() -> Path:
    return Path(str(importlib.resources.files("pos_app.storage") / "migrations"))


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    return config


def head_revision() -> str | None:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the newest schema, in one transaction.

    On SQLite the transaction begins IMMEDIATE, so two processes starting together take
    turns: the second finds the schema already at head and does nothing.
    """
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as error:
        raise StorageError(
            "The payment database could not be prepared, so the app will not start. "
            "Please call support.",
            detail=f"migration to {head_revision()} failed: {error!r}",
        ) from error
