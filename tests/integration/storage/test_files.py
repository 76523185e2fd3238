"""The counter's files: an empty or damaged database is refused (never a new counter), a read-only
data folder is said in plain words, and patient data is private to the counter's user."""

from __future__ import annotations

import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from pos_app.domain.errors import StorageError
from pos_app.storage import open_database
from tests.integration.storage.conftest import sqlite_url

DB_NAME = "kaha.sqlite3"  # Settings' default file in the data folder


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _start_app(data: Path, *, read_only_data: bool = False) -> subprocess.CompletedProcess[str]:
    """``pos-app --startup-probe`` as the receptionist starts it (offscreen): exits once working."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    env.update(
        QT_QPA_PLATFORM="offscreen",
        POS_APP_DATA_DIR=str(data),
        POS_APP_CONFIG_DIR=str(data.parent / "config"),
    )
    command = [sys.executable, "-m", "pos_app", "--startup-probe"]
    if read_only_data:
        command = _on_a_read_only_folder(data, command)
    return subprocess.run(
        command, env=env, check=False, capture_output=True, text=True, timeout=120
    )


def _on_a_read_only_folder(folder: Path, command: list[str]) -> list[str]:
    """Run ``command`` with ``folder`` read-only. As a user, its mode says so; root writes through
    modes, so as root (CI) the folder is mounted read-only in a private mount namespace."""
    folder.chmod(0o555)
    if os.geteuid() != 0:
        return command
    quoted = " ".join(f"'{part}'" for part in command)
    script = (
        f"mount --bind '{folder}' '{folder}' && "
        f"mount -o remount,bind,ro '{folder}' '{folder}' && exec {quoted}"
    )
    return ["unshare", "--map-root-user", "--mount", "sh", "-c", script]


def test_an_empty_database_file_is_refused_not_taken_for_a_new_counter(tmp_path: Path) -> None:
    data = tmp_path / "data"
    books = data / "practice"  # no key: sandbox mode, which opens its practice books
    books.mkdir(parents=True)
    (books / DB_NAME).touch()
    result = _start_app(data)
    assert result.returncode == 1, result.stdout
    assert "The payment database file is empty" in result.stderr
    assert "000001" in result.stderr  # why it is not simply started again
    assert f"The backups are in {books / 'backups'}" in result.stderr
    assert "Traceback" not in result.stderr
    # nothing was written into it: no schema, no demo bills, no invoice series from 1
    assert (books / DB_NAME).stat().st_size == 0


def test_a_damaged_database_file_is_refused_saying_where_the_backups_are(tmp_path: Path) -> None:
    data = tmp_path / "data"
    books = data / "practice"  # no key: sandbox mode, which opens its practice books
    books.mkdir(parents=True)
    garbage = b"this is not what Kaha wrote\x00" * 200
    (books / DB_NAME).write_bytes(garbage)
    result = _start_app(data)
    assert result.returncode == 1, result.stdout
    assert "The payment database file is damaged" in result.stderr
    assert f"The backups are in {books / 'backups'}" in result.stderr
    assert "Traceback" not in result.stderr
    assert (books / DB_NAME).read_bytes() == garbage


def test_a_database_damaged_inside_is_refused_too(db_path: Path) -> None:
    database = open_database(sqlite_url(db_path))
    database.dispose()
    with db_path.open("r+b") as handle:  # keep SQLite's header, wreck the first page's b-tree
        handle.seek(100)
        handle.write(b"\xff" * 3000)
    with pytest.raises(StorageError) as refused:
        open_database(sqlite_url(db_path), backups=db_path.parent / "backups")
    assert "damaged" in refused.value.user_message
    assert str(db_path.parent / "backups") in refused.value.user_message


def test_a_read_only_data_folder_is_said_in_plain_words(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir()
    result = _start_app(data, read_only_data=True)
    data.chmod(0o700)
    assert result.returncode == 1, result.stdout
    assert f"Kaha cannot save in its data folder ({data})" in result.stderr
    assert "read-only" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_used_counter_on_a_read_only_folder_is_said_in_plain_words(tmp_path: Path) -> None:
    data = tmp_path / "data"
    first = _start_app(data)
    assert first.returncode == 0, first.stderr
    result = _start_app(data, read_only_data=True)
    data.chmod(0o700)
    assert result.returncode == 1, result.stdout
    assert f"Kaha cannot save in its data folder ({data})" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_new_counter_keeps_its_data_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    database = open_database(sqlite_url(data / DB_NAME))
    try:
        with database.engine.connect():  # while open, SQLite's -wal and -shm files exist
            companions = [data / f"{DB_NAME}-wal", data / f"{DB_NAME}-shm"]
            assert all(path.exists() for path in companions)
            assert [_mode(path) for path in companions] == [0o600, 0o600]
        assert _mode(data) == 0o700
        assert _mode(data / DB_NAME) == 0o600
    finally:
        database.dispose()


def test_an_older_counter_readable_by_everyone_is_made_private(tmp_path: Path) -> None:
    data = tmp_path / "data"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    path = data / DB_NAME
    connection = sqlite3.connect(path)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.close()
    path.chmod(0o644)
    database = open_database(sqlite_url(path))
    database.dispose()
    assert _mode(data) == 0o700
    assert _mode(path) == 0o600
    # what else lands in the folder (logs, the sandbox's state) is private through the folder
