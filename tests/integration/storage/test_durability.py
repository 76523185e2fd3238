"""SQLite durability settings on every connection, and refusal when they cannot hold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, event

from pos_app.domain.errors import StorageError
from pos_app.storage import Database, open_database, verify_sqlite_durability
from pos_app.storage.engine import BUSY_TIMEOUT_MS, create_storage_engine
from tests.integration.storage.conftest import sqlite_url


def _pragmas(raw_connection: object) -> tuple[object, ...]:
    cursor = raw_connection.cursor()  # type: ignore[attr-defined]
    names = ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
    return tuple(cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in names)


def test_every_new_connection_gets_the_durability_pragmas(sqlite_db: Database) -> None:
    db = sqlite_db
    # Hold several connections at once so the pool must open new ones.
    connections = [db.engine.connect() for _ in range(4)]
    try:
        raws = {
            id(c.connection.dbapi_connection): c.connection.dbapi_connection for c in connections
        }
        assert len(raws) == 4
        for raw in raws.values():
            assert _pragmas(raw) == ("wal", 2, 1, BUSY_TIMEOUT_MS)
    finally:
        for connection in connections:
            connection.close()


def test_verify_accepts_a_file_database(db_path: Path) -> None:
    engine = create_storage_engine(sqlite_url(db_path))
    try:
        verify_sqlite_durability(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("url", ["sqlite://", "sqlite:///:memory:"])
def test_in_memory_database_is_refused(url: str) -> None:
    with pytest.raises(StorageError) as refused:
        open_database(url)
    assert "journal_mode" in (refused.value.detail or "")
    assert refused.value.user_message


def test_engine_without_the_pragmas_is_refused(db_path: Path) -> None:
    plain = create_engine(sqlite_url(db_path))
    try:
        with pytest.raises(StorageError) as refused:
            verify_sqlite_durability(plain)
        detail = refused.value.detail or ""
        assert "journal_mode" in detail
        assert "foreign_keys" in detail
    finally:
        plain.dispose()


def test_lowered_synchronous_or_busy_timeout_is_refused(db_path: Path) -> None:
    engine = create_storage_engine(sqlite_url(db_path))

    @event.listens_for(engine, "connect")
    def weaken(dbapi_connection: Any, _record: object) -> None:
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA busy_timeout=100")

    try:
        with pytest.raises(StorageError) as refused:
            verify_sqlite_durability(engine)
        detail = refused.value.detail or ""
        assert "synchronous is 1" in detail
        assert "busy_timeout is 100" in detail
        assert "journal_mode" not in detail
    finally:
        engine.dispose()


def test_open_database_creates_the_data_folder(tmp_path: Path) -> None:
    path = tmp_path / "not" / "yet" / "there.db"
    database = open_database(sqlite_url(path))
    try:
        assert path.is_file()
    finally:
        database.dispose()
