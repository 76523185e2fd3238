"""The SQLAlchemy engine: SQLite durability settings and write-lock-at-begin transactions.

Everything SQLite-specific in the storage package lives here. On SQLite every new DBAPI
connection gets WAL, ``synchronous=FULL``, foreign keys and a busy timeout, and every
transaction that may write starts with ``BEGIN IMMEDIATE`` so the write lock is taken up
front: two counters (or two processes) can never both read the same "last invoice number"
and then race to write. Read-only units of work ask for a plain ``BEGIN`` through the
``kaha_read_only`` execution option, so the bill search never waits behind a writer.

Other databases (PostgreSQL for several counters) get a plain engine; their durability is
the server's business, and row locks (``SELECT ... FOR UPDATE``) do the serialising.
"""

from __future__ import annotations

import sqlite3
from typing import Any, Final

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection, make_url
from sqlalchemy.exc import ArgumentError
from sqlalchemy.pool import ConnectionPoolEntry

from pos_app.domain.errors import StorageError

BUSY_TIMEOUT_MS: Final = 5000
"""How long a connection waits for another writer's lock before giving up (milliseconds)."""

SYNCHRONOUS_FULL: Final = 2
"""``PRAGMA synchronous`` reports FULL as the number 2."""

READ_ONLY_OPTION: Final = "kaha_read_only"
"""Execution option: a transaction that only reads begins DEFERRED instead of IMMEDIATE."""

_CONNECTION_PRAGMAS: Final = (
    "PRAGMA journal_mode=WAL",
    "PRAGMA synchronous=FULL",
    "PRAGMA foreign_keys=ON",
    f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}",
    # 32 MiB page cache (default 2 MiB): the search indexes of 100,000 bills stay in memory.
    "PRAGMA cache_size=-32768",
)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def create_storage_engine(url: str, *, echo: bool = False) -> Engine:
    """Build the engine for ``url``; on SQLite, install the pragma and BEGIN hooks.

    A plain ``postgresql://`` URL uses psycopg 3 (the driver Kaha ships), not SQLAlchemy's
    default psycopg2, so the URL a clinic's IT writes down works as written."""
    try:
        parsed = make_url(url)
    except ArgumentError as error:
        raise StorageError(
            "The database address in the settings (database_url) is not valid. "
            "Please check it or call support.",
            detail=str(error),
        ) from error
    if parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.get_backend_name() != "sqlite":
        return create_engine(parsed, echo=echo, pool_pre_ping=True)
    engine = create_engine(
        parsed,
        echo=echo,
        connect_args={"timeout": BUSY_TIMEOUT_MS / 1000},
    )
    event.listen(engine, "connect", _on_sqlite_connect)
    event.listen(engine, "begin", _on_sqlite_begin)
    return engine


def _on_sqlite_connect(dbapi_connection: Any, _record: ConnectionPoolEntry) -> None:
    # Take transaction control away from the sqlite3 module (it would otherwise BEGIN
    # lazily, only before DML); _on_sqlite_begin emits our own BEGIN. This is the recipe
    # from the SQLAlchemy SQLite dialect docs, "Enabling Non-Legacy ... Transactional Modes".
    assert isinstance(dbapi_connection, sqlite3.Connection)
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        for pragma in _CONNECTION_PRAGMAS:
            cursor.execute(pragma)
    finally:
        cursor.close()


def _on_sqlite_begin(connection: Connection) -> None:
    if connection.get_execution_options().get(READ_ONLY_OPTION, False):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def read_pragmas(engine: Engine) -> dict[str, object]:
    """The four durability pragmas as a fresh pooled connection reports them."""
    with engine.connect() as connection:
        raw = connection.connection.dbapi_connection
        assert raw is not None
        cursor = raw.cursor()
        try:
            found: dict[str, object] = {}
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout"):
                found[name] = cursor.execute(f"PRAGMA {name}").fetchone()[0]
            return found
        finally:
            cursor.close()


def verify_sqlite_durability(engine: Engine) -> None:
    """Refuse to run on a SQLite database that cannot keep acknowledged payments safe.

    Checks WAL journalling, ``synchronous=FULL``, foreign keys and a busy timeout of at least
    five seconds. An in-memory database (``sqlite://`` or ``:memory:``) cannot use WAL and is
    refused on purpose: a counter whose records vanish on exit must not take money. Non-SQLite
    engines pass unchecked (the server owns its durability).

    Raises StorageError with the receptionist's message and the failing pragma in ``detail``.
    """
    if not is_sqlite(engine):
        return
    found = read_pragmas(engine)
    problems: list[str] = []
    if str(found["journal_mode"]).lower() != "wal":
        problems.append(f"journal_mode is {found['journal_mode']!r}, need 'wal'")
    if found["synchronous"] != SYNCHRONOUS_FULL:
        problems.append(f"synchronous is {found['synchronous']!r}, need 2 (FULL)")
    if found["foreign_keys"] != 1:
        problems.append(f"foreign_keys is {found['foreign_keys']!r}, need 1")
    busy = found["busy_timeout"]
    if not isinstance(busy, int) or busy < BUSY_TIMEOUT_MS:
        problems.append(f"busy_timeout is {busy!r}, need at least {BUSY_TIMEOUT_MS}")
    if problems:
        raise StorageError(
            "The payment database cannot store records safely on this computer, "
            "so the app will not start. Please call support.",
            detail=f"{engine.url.render_as_string(hide_password=True)}: " + "; ".join(problems),
        )
