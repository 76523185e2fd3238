"""Practice stays apart: sandbox mode opens practice books, a PayMongo key the real ones.

BIR allows no training mode on the machine's real books, so practice (sandbox mode) never takes
an invoice number, a grand total or a reading from them: it keeps its own database in the data
folder's "practice" folder (``config.practice_settings``). Each database says inside itself
whose books it holds (``storage.books``). A real key that finds practice books where the real
ones belong never uses them: the practice database is moved into the practice folder (never
deleted), a new, empty real one is started, and the receptionist is told (``OpenedBooks.notice``).

Threading contract: ``open_books`` blocks on the disk and the database; call it where start-up
opens the database (a worker once the window is drawn).
"""

from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from pos_app.config import (
    LAST_BOOKS_FILE_NAME,
    PRACTICE_FOLDER_NAME,
    Mode,
    Settings,
    books_settings,
    first_paint_settings,
    practice_settings,
)
from pos_app.domain.errors import ConfigError
from pos_app.services.access.demo import DEMO_PEOPLE
from pos_app.storage.books import Books, claim_books
from pos_app.storage.database import Database, open_database
from pos_app.storage.files import prepare_data_folder
from pos_app.storage.first_paint import sqlite_file

log = logging.getLogger(__name__)

DATABASE_FILE_NAME = "kaha.sqlite3"
# SQLite's own files beside the database: they belong to it and move with it
_COMPANIONS = ("-wal", "-shm", "-journal")


@dataclass(frozen=True)
class OpenedBooks:
    database: Database
    settings: Settings  # the books' own: the practice folder in sandbox mode
    notice: str | None = None  # what the receptionist must be told, in plain words
    # not the books the first paint read (those opened last time): the queue must be read again
    other_than_painted: bool = False


def open_books(settings: Settings, mode: Mode) -> OpenedBooks:
    """Open (checked and migrated) the database of the books ``mode`` writes in."""
    books = books_settings(settings, mode)
    wanted = Books.PRACTICE if mode is Mode.SANDBOX else Books.REAL
    database = _open(books)
    found = claim_books(database, wanted, demo_names=_DEMO_NAMES)
    notice = None
    if found is not wanted:
        database.dispose()
        if wanted is Books.PRACTICE:
            raise ConfigError(_REAL_IN_PRACTICE, detail=f"practice_database_url holds {found}")
        kept = _set_practice_aside(books, settings)
        database = _open(books)
        claim_books(database, wanted, demo_names=_DEMO_NAMES)
        notice = _practice_set_aside(mode, kept)
        log.warning("%s", notice)
    painted = _remember(settings, wanted)
    return OpenedBooks(
        database=database,
        settings=books,
        notice=notice,
        other_than_painted=notice is not None or painted is not wanted,
    )


_DEMO_NAMES = frozenset(name for name, _, _ in DEMO_PEOPLE)
_REAL_IN_PRACTICE = (
    "The practice database setting (practice_database_url) points at a database that holds real "
    "payments. Practice never writes in the real books: remove that setting, or point it at a "
    "new, empty database."
)


def _open(books: Settings) -> Database:
    prepare_data_folder(books.data_dir)
    return open_database(books.database_url, backups=books.backups)


def _set_practice_aside(books: Settings, settings: Settings) -> Path:
    """Move the practice database out of the real one's place, with SQLite's files, into the
    practice folder: as the practice database if there is none yet, else in a dated folder."""
    path = sqlite_file(books.database_url)
    if path is None:  # PostgreSQL: nothing Kaha may move; a person points it elsewhere
        raise ConfigError(
            "The database in the settings (database_url) holds practice (sandbox) payments, so "
            "Kaha will not use it for real payments. Point database_url at a new, empty "
            "database; the practice one is kept as it is.",
            detail="database_url is marked practice",
        )
    practice = practice_settings(settings)
    prepare_data_folder(practice.data_dir)
    target = practice.data_dir / DATABASE_FILE_NAME
    if settings.practice_database_url or _exists(target):
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        target = practice.data_dir / f"set-aside-{stamp}" / DATABASE_FILE_NAME
        prepare_data_folder(target.parent)
    for suffix in ("", *_COMPANIONS):
        source = path.with_name(path.name + suffix)
        if source.exists():
            shutil.move(source, target.with_name(target.name + suffix))
    return target


def _exists(path: Path) -> bool:
    return any(path.with_name(path.name + s).exists() for s in ("", *_COMPANIONS))


def _practice_set_aside(mode: Mode, kept: Path) -> str:
    return (
        f"The database on this computer held practice (sandbox) payments. Real payments never "
        f"go into the practice books, so Kaha started a new, empty database for PayMongo "
        f"{mode.value} mode: its invoice numbers start from the first. The practice database "
        f"was kept, not deleted: {kept}"
    )


def _remember(settings: Settings, books: Books) -> Books:
    """Note which books the first paint reads next time (``config.first_paint_settings``);
    returns the ones it read this time."""
    painted = first_paint_settings(settings).data_dir != settings.data_dir
    last = PRACTICE_FOLDER_NAME if books is Books.PRACTICE else "real"
    try:
        (settings.data_dir / LAST_BOOKS_FILE_NAME).write_text(last + "\n", encoding="utf-8")
    except OSError as exc:  # only the first paint is slower next time
        log.warning("could not note which books were opened: %s", exc)
    return Books.PRACTICE if painted else Books.REAL
