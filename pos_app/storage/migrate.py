"""Schema upgrades at start-up, from code: no alembic.ini is needed on a clinic's machine.

The migration scripts ship inside the package (``pos_app/storage/migrations``), found through
``importlib.resources`` so an installed app finds them wherever pip put it.
"""

from __future__ import annotations

import importlib.resources
from pathlib import Path
from typing import TYPE_CHECKING, Final

from sqlalchemy import Engine, inspect, text

from pos_app.domain.errors import StorageError
from pos_app.storage.schema_head import SCHEMA_HEAD

if TYPE_CHECKING:
    from alembic.config import Config

_LOCK_KEY: Final = 0x4B414841  # "KAHA": the advisory lock migrations hold on PostgreSQL


def migrations_path() -> Path:
    return Path(str(importlib.resources.files("pos_app.storage") / "migrations"))


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(migrations_path()))
    return config


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def run_migrations(engine: Engine) -> None:
    """Upgrade the database to the newest schema, in one transaction.

    On SQLite the transaction begins IMMEDIATE, and on PostgreSQL it first takes a transaction
    advisory lock, so two counters starting together take turns: the second finds the schema
    already at head and does nothing.
    """
    if _already_at_head(engine):
        return
    from alembic import command

    config = alembic_config()
    try:
        with engine.begin() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK_KEY})
            config.attributes["connection"] = connection
            command.upgrade(config, "head")
    except Exception as error:
        raise StorageError(
            "The payment database could not be prepared, so the app will not start. "
            "Please call support.",
            detail=f"migration to {head_revision()} failed: {error!r}",
        ) from error


def _already_at_head(engine: Engine) -> bool:
    with engine.connect() as connection:
        if not inspect(connection).has_table("alembic_version"):
            return False
        versions = (
            connection.execute(text("SELECT version_num FROM alembic_version")).scalars().all()
        )
    return versions == [SCHEMA_HEAD]
