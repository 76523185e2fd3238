"""The schema is built by Alembic from empty, and matches the models exactly."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect

from pos_app.storage import Database, open_database
from pos_app.storage.engine import create_storage_engine
from pos_app.storage.migrate import current_revision, head_revision, migrations_path, run_migrations
from pos_app.storage.models import Base
from tests.integration.storage.conftest import sqlite_url


def test_migrations_bring_an_empty_database_to_head(db_path: Path) -> None:
    engine = create_storage_engine(sqlite_url(db_path))
    try:
        assert current_revision(engine) is None
        run_migrations(engine)
        assert current_revision(engine) == head_revision()
        tables = set(inspect(engine).get_table_names())
        assert set(Base.metadata.tables) <= tables
    finally:
        engine.dispose()


def test_migrated_schema_has_no_differences_from_the_models(db: Database) -> None:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_running_migrations_again_changes_nothing(db_path: Path) -> None:
    first = open_database(sqlite_url(db_path))
    first.dispose()
    second = open_database(sqlite_url(db_path))
    try:
        assert current_revision(second.engine) == head_revision()
    finally:
        second.dispose()


def test_migration_scripts_ship_inside_the_package() -> None:
    path = migrations_path()
    assert (path / "env.py").is_file()
    assert any(path.glob("versions/rev_*.py"))
    assert "pos_app" in path.parts


def test_the_start_up_shortcut_knows_the_newest_migration() -> None:
    # run_migrations skips Alembic when the database says SCHEMA_HEAD; if a new migration did not
    # update the constant, counters would start on an old schema without noticing.
    from pos_app.storage.migrate import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD
