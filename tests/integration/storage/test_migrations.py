"""The schema is built by Alembic from empty, and matches the models exactly."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Engine, inspect

from pos_app.storage import Database, open_database
from pos_app.storage.engine import create_storage_engine
from pos_app.storage.migrate import head_revision, migrations_path, run_migrations
from pos_app.storage.models import Base


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_migrations_bring_an_empty_database_to_head(db_url: str) -> None:
    engine = create_storage_engine(db_url)
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


def test_running_migrations_again_changes_nothing(db_url: str) -> None:
    first = open_database(db_url)
    first.dispose()
    second = open_database(db_url)
    try:
        assert current_revision(second.engine) == head_revision()
    finally:
        second.dispose()


def _open_and_close(url: str) -> str | None:
    database = open_database(url)
    try:
        return current_revision(database.engine)
    finally:
        database.dispose()


def test_two_counters_starting_together_migrate_once(db_url: str) -> None:
    # Two counters switched on at the same moment against one new database: one migrates, the
    # other waits for it and finds the schema at head (no "table already exists" crash).
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=3, mp_context=context) as pool:
        revisions = list(pool.map(_open_and_close, [db_url] * 3, timeout=120))
    assert revisions == [head_revision()] * 3


def test_migration_scripts_ship_inside_the_package() -> None:
    path = migrations_path()
    assert (path / "env.py").is_file()
    assert any(path.glob("versions/rev_*.py"))
    assert "pos_app" in path.parts


def test_the_start_up_shortcut_knows_the_newest_migration() -> None:
    # run_migrations skips Alembic when the database says SCHEMA_HEAD; if a new migration did not
    # update the constant, counters would start on an old schema without noticing.
    from pos_app.storage.schema_head import SCHEMA_HEAD

    assert head_revision() == SCHEMA_HEAD
