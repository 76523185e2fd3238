"""Opening the database: engine, durability check, migrations, units of work."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import URL
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import sessionmaker

from pos_app.domain.errors import StorageError
from pos_app.storage.engine import (
    READ_ONLY_OPTION,
    create_storage_engine,
    is_sqlite,
    verify_sqlite_durability,
)
from pos_app.storage.files import (
    damaged_database_message,
    prepare_database_file,
    read_only_message,
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

    @property
    def sqlite_file(self) -> Path | None:
        """The database file on SQLite (what backups copy); None on PostgreSQL."""
        return _sqlite_file(self.engine.url)

    def dispose(self) -> None:
        self.engine.dispose()


def open_database(url: str, *, backups: Path | None = None) -> Database:
    """Open (creating if needed) the database at a SQLAlchemy URL, ready to use.

    SQLite: the file is checked first (``storage.files``: a private folder and file; an empty
    or damaged file, or a read-only folder, is refused in plain words naming ``backups``, the
    folder the backups are in), the durability pragmas are checked (StorageError if the database
    cannot give them, e.g. in-memory) and the schema is migrated to the newest revision.
    PostgreSQL: migrated likewise.
    """
    engine = create_storage_engine(url)
    path = _sqlite_file(engine.url)
    if path is not None:
        try:
            prepare_database_file(path, backups=backups)
        except BaseException:
            engine.dispose()
            raise
    try:
        verify_sqlite_durability(engine)
        run_migrations(engine)
    except OperationalError as error:
        engine.dispose()
        raise StorageError(
            _unreachable_message(engine, path, error),
            detail=f"{engine.url.render_as_string(hide_password=True)}: {error.orig!r}",
        ) from error
    except DatabaseError as error:  # "file is not a database", "disk image is malformed"
        engine.dispose()
        if path is None or not _is_damage(error):
            raise
        raise StorageError(
            damaged_database_message(path, backups), detail=f"{path}: {error.orig!r}"
        ) from error
    except StorageError as error:
        engine.dispose()
        cause = error.__cause__
        if path is not None and _is_damage(cause):
            raise StorageError(
                damaged_database_message(path, backups), detail=error.detail
            ) from error
        raise
    except BaseException:
        engine.dispose()
        raise
    return Database(engine)


def _is_damage(error: BaseException | None) -> bool:
    return isinstance(error, DatabaseError) and not isinstance(error, OperationalError)


def _unreachable_message(engine: Engine, path: Path | None, error: OperationalError) -> str:
    if not is_sqlite(engine):
        return _UNREACHABLE_SERVER
    text = str(error.orig).lower()
    if path is not None and ("readonly" in text or "read-only" in text):
        return read_only_message(path.parent)
    return _UNREACHABLE_FILE


def _sqlite_file(parsed: URL) -> Path | None:
    """The file of a SQLite URL; None for PostgreSQL, in-memory and ``file:`` URIs."""
    path = parsed.database
    is_file = bool(path) and path != ":memory:" and not str(path).startswith("file:")
    if parsed.get_backend_name() == "sqlite" and path and is_file:
        return Path(path)
    return None
