"""Units of work for a first load of bills the clinic server can send again.

A first full sync stores 100,000 bills, a page and its cursor per transaction. With
``synchronous=FULL`` every one of those commits waits for the disk, which on a busy counter costs
more than writing the rows. During a first load the pages are written on one connection of
their own with ``synchronous=NORMAL``: in WAL mode a commit then returns without waiting for the
disk, and the database stays consistent through a crash or power cut (it may lose the last few
pages, each together with its cursor, so the next pull asks for them again).

Nothing else loses durability. The setting belongs to that one connection; every other
connection (payments, invoices, the outbox) keeps FULL, and because a FULL commit syncs the whole
write-ahead log up to itself, anything committed before a payment is on disk with it. The
connection is closed when the load ends (never handed back to the pool), so no later unit of work
can run on it. Other databases get the plain units of work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.orm import sessionmaker

from pos_app.storage.database import Database
from pos_app.storage.engine import is_sqlite
from pos_app.storage.unit_of_work import UnitOfWork


class _OneConnection(Database):
    """Writing units of work that all run, one after another, on `connection`."""

    def __init__(self, database: Database, connection: Connection) -> None:
        super().__init__(database.engine)
        self._writer_sessions = sessionmaker(bind=connection, expire_on_commit=False)

    def unit_of_work(self, *, read_only: bool = False) -> UnitOfWork:
        if read_only:
            raise RuntimeError("a first load writes; read elsewhere")
        return UnitOfWork(self._writer_sessions)


@contextmanager
def first_load_writer(database: Database) -> Iterator[Database]:
    """Units of work for storing re-pullable pages of a first load (see the module docstring).

    Single-threaded: use the yielded database from the thread that entered the block."""
    if not is_sqlite(database.engine):
        yield database
        return
    connection = database.engine.connect()
    try:
        raw: Any = connection.connection.dbapi_connection
        raw.execute("PRAGMA synchronous=NORMAL")  # autocommit: outside any transaction
        yield _OneConnection(database, connection)
    finally:
        connection.invalidate()  # closed, never back in the pool with NORMAL
        connection.close()
