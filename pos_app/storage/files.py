"""The counter's files on disk: a private data folder, and a database file that is what it says.

Patient names, bills and payments live in the data folder, so it is the counter's user's alone
(0700) and so are the database and its ``-wal``/``-shm`` companions (0600; SQLite gives those the
main file's mode). A database file is created only when there is none: a new counter's file is
made under another name and renamed into place once it holds a valid (empty) SQLite database,
so a file of 0 bytes is never a new counter but a damaged one. Such a file, or one that is not a
SQLite database at all, is refused in plain words, naming where the backups are: taking it for a
new counter would number invoices from 000001 again.

Loaded before the first paint (``app.main`` checks the data folder before anything writes to it,
the log file included), so standard library only; no SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import sqlite3
import stat
from pathlib import Path
from typing import Final

from pos_app.domain.errors import StorageError

PRIVATE_FOLDER: Final = 0o700
PRIVATE_FILE: Final = 0o600
SQLITE_HEADER: Final = b"SQLite format 3\x00"
COMPANIONS: Final = ("-wal", "-shm", "-journal")


def read_only_message(folder: Path) -> str:
    return (
        f"Kaha cannot save in its data folder ({folder}): this computer does not let it write "
        "there (the folder or its disk is read-only, or belongs to another user). Nothing was "
        "changed. Ask the clinic's IT to make the folder writable for this user, then start "
        "Kaha again."
    )


def _backups_phrase(backups: Path | None) -> str:
    if backups is None:
        return "Backups are kept where the clinic's IT set them up."
    return f"The backups are in {backups}."


def empty_database_message(path: Path, backups: Path | None) -> str:
    return (
        f"The payment database file is empty ({path}), so Kaha will not start. It will not "
        "start a new one in its place: that would number invoices from 000001 again. "
        f"{_backups_phrase(backups)} Please call support to restore the latest backup."
    )


def damaged_database_message(path: Path, backups: Path | None) -> str:
    return (
        f"The payment database file is damaged ({path}), so Kaha will not start. Nothing was "
        f"changed. {_backups_phrase(backups)} Please call support to restore the latest backup."
    )


def prepare_data_folder(folder: Path) -> None:
    """Make ``folder`` (and its parents) if missing, private to this user, and writable.

    An existing folder that others could read is tightened to 0700. Raises StorageError with the
    receptionist's words if the folder cannot be made or written (read-only disk or folder)."""
    try:
        folder.mkdir(mode=PRIVATE_FOLDER, parents=True, exist_ok=True)
    except OSError as error:
        raise StorageError(read_only_message(folder), detail=repr(error)) from error
    _make_private(folder, PRIVATE_FOLDER)
    if not os.access(folder, os.W_OK | os.X_OK):
        raise StorageError(read_only_message(folder), detail=f"{folder}: not writable")


def prepare_database_file(path: Path, *, backups: Path | None = None) -> None:
    """Before SQLite opens ``path``: create a new counter's file privately, or check the one there.

    Raises StorageError (receptionist's words) for a read-only folder, an empty file, or a file
    that is not a SQLite database. The file and its companions are made 0600."""
    prepare_data_folder(path.parent)
    if not path.exists():
        _create_empty_database(path)
        return
    try:
        with path.open("rb") as handle:
            header = handle.read(len(SQLITE_HEADER))
    except OSError as error:
        raise StorageError(damaged_database_message(path, backups), detail=repr(error)) from error
    if not header:
        raise StorageError(empty_database_message(path, backups), detail=f"{path}: 0 bytes")
    if header != SQLITE_HEADER:
        raise StorageError(
            damaged_database_message(path, backups), detail=f"{path}: not a SQLite file"
        )
    for file in (path, *(Path(f"{path}{suffix}") for suffix in COMPANIONS)):
        _make_private(file, PRIVATE_FILE)


def _create_empty_database(path: Path) -> None:
    """A valid, empty SQLite database at ``path`` (0600), appearing there all at once.

    Made under a name of this process's own, then hard-linked into place: linking never
    replaces a file, so when two counters start together on a new database, the second finds
    the first one's file and uses it."""
    scratch = path.with_name(f"{path.name}.new-{os.getpid()}-{secrets.token_hex(4)}")
    try:
        os.close(os.open(scratch, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        connection = sqlite3.connect(scratch)
        try:
            connection.execute("PRAGMA journal_mode=WAL")  # writes the header: no longer 0 bytes
        finally:
            connection.close()
        with contextlib.suppress(FileExistsError):  # another counter made it first: use it
            os.link(scratch, path)
    except (OSError, sqlite3.Error) as error:
        raise StorageError(read_only_message(path.parent), detail=repr(error)) from error
    finally:
        scratch.unlink(missing_ok=True)


def _make_private(path: Path, mode: int) -> None:
    try:
        current = stat.S_IMODE(path.stat().st_mode)
        if current & ~mode:
            path.chmod(current & mode)  # only take from others: an owner's read-only stays so
    except FileNotFoundError:
        return
    except OSError:
        return  # not ours to change (another user's folder): the write check says what matters
