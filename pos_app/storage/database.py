"""Opening the database: engine, durability check, migrations, units of work."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import sessionmaker

from pos_app.domain.errors import StorageError
from pos_app.storage.engine import (
    READ_ONLY_OPTION,
    create_storage_engine,
    is_sqlite,
    verify_sqlite_durability,
)
from pos_app.storage.migrate import run_migrations
from pos_app.storage.unit_of_work import UnitOfWork

_UNREACHABLE_SERVER = (
    "The payment database cannot be reached, so the app will not start. Check that the "
    "database server is on and this computer is on the clinic network, then start Kaha again, "
    "or call support."
)
_UNREACHABLE_FILE = (
    "The payment database file cannot be opened, so the app will not start. Please call support."
)


class Database:
    """An open database. Thread-safe: any thread may start its own unit of work."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self._writer_sessions = sessionmaker(bind=engine, expire_on_commit=False)
        self._reader_sessions = sessionmaker(
            bind=engine.execution_options(**{READ_ONLY_OPTION: True}), expire_on_commit=False
        )

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        """A new unit of work. ``read_only=True`` (queue, search, reports) never waits
        behind a writer on SQLite; it must not write."""
        return UnitOfWork(self._reader_sessions if read_only else self._writer_sessions)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str) -> Database:
    """Open (creating if needed) the database at a SQLAlchemy URL, ready to use.

    SQLite: the folder is created, the durability pragmas are checked (StorageError if the
    database cannot give them, e.g. in-memory) and the schema is migrated to the newest
    revision. PostgreSQL: migrated likewise.
    """
    engine = create_storage_engine(url)
    _create_sqlite_folder(engine.url)
    try:
        verify_sqlite_durability(engine)
        run_migrations(engine)
    except OperationalError as error:
        engine.dispose()
        raise StorageError(
            _UNREACHABLE_FILE if is_sqlite(engine) else _UNREACHABLE_SERVER,
            detail=f"{engine.url.render_as_string(hide_password=True)}: {error.orig!r}",
        ) from error
    except BaseException:
        engine.dispose()
        raise
    return Database(engine)


def _create_sqlite_folder(parsed: URL) -> None:
    path = parsed.database
    is_file = bool(path) and path != ":memory:" and not str(path).startswith("file:")
    if parsed.get_backend_name() == "sqlite" and path and is_file:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
