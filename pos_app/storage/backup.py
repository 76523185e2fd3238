"""Backups of the counter's SQLite database: SQLite's online backup, kept by a retention rule.

``make_backup`` copies the live database with SQLite's backup API (``sqlite3.Connection.backup``)
in one step, so the copy is one consistent snapshot (one read transaction) while payments go on
being recorded: a payment committed before the backup began is in it, one committed after is
not, and nothing half-written ever is. The copy is made under a ``.partial`` name, switched to a
plain single-file journal, checked (``PRAGMA integrity_check``), flushed to disk and only then
renamed into place, so a backup file that exists is whole. Files are private (0600, in a 0700
folder) like the database itself.

When: every day (``DailyBackups``, started with the counter's services), after each Z-reading
(``after_z_reading``, which the Z-reading calls once the day is closed), and on
demand (``pos-app backup``). Retention (``prune``): backups older than ``keep_days`` are deleted,
but never the newest ``keep_at_least``. ``inspect_backup`` (``pos-app restore --check``) opens a
backup read-only and says what it holds, without touching the live database.

PostgreSQL is backed up by the server's own tools (docs/backups.md), not here.

Threading contract: every function blocks on disk I/O; ``DailyBackups`` runs on its own thread.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Final

from pos_app.domain.errors import StorageError
from pos_app.storage.files import PRIVATE_FILE, prepare_data_folder

log = logging.getLogger(__name__)

_NAME: Final = re.compile(r"^kaha-(\d{8}-\d{6})-([a-z-]+)\.sqlite3$")
_STAMP: Final = "%Y%m%d-%H%M%S"
CHECK_EVERY_S: Final = 3600.0
"""How often the daily job looks whether today's backup is made (an hour: cheap, and a counter
that sleeps at night catches up within the hour after it wakes)."""
FIRST_CHECK_AFTER_S: Final = 60.0
"""The first look waits this long: not while the counter is starting and the first patient
may be paying."""


@dataclass(frozen=True)
class BackupFile:
    path: Path
    made_at: datetime
    reason: str  # "daily", "z-reading", "manual"


@dataclass(frozen=True)
class BackupReport:
    """What a backup holds, read without changing it."""

    path: Path
    integrity: str  # "ok", or SQLite's first complaint
    schema: str | None
    bills: int
    invoices: int
    last_invoice: str | None
    last_invoice_at: datetime | None
    journal_entries: int | None = None  # printouts in the e-journal (None: older schema)

    @property
    def ok(self) -> bool:
        return self.integrity == "ok"


def list_backups(folder: Path) -> list[BackupFile]:
    """The finished backups in ``folder``, newest first."""
    if not folder.is_dir():
        return []
    found = []
    for path in folder.iterdir():
        match = _NAME.match(path.name)
        if match:
            made_at = datetime.strptime(match.group(1), _STAMP).replace(tzinfo=UTC)
            found.append(BackupFile(path, made_at, match.group(2)))
    return sorted(found, key=lambda backup: (backup.made_at, backup.path.name), reverse=True)


def make_backup(database_file: Path, folder: Path, *, reason: str, at: datetime) -> BackupFile:
    """Copy the live database into ``folder`` (one consistent snapshot); returns the backup.

    Raises StorageError (receptionist's words) if it cannot be made; the live database is only
    read."""
    prepare_data_folder(folder)
    name = f"kaha-{at.astimezone(UTC):{_STAMP}}-{reason}.sqlite3"
    target = folder / name
    scratch = folder / f"{name}.partial"
    scratch.unlink(missing_ok=True)
    try:
        os.close(os.open(scratch, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE))
        _copy(database_file, scratch)
        with scratch.open("rb") as handle:
            os.fsync(handle.fileno())
        os.replace(scratch, target)
    except (OSError, sqlite3.Error) as error:
        scratch.unlink(missing_ok=True)
        raise StorageError(
            f"Kaha could not make a backup in {folder}. The payment database itself is fine. "
            "Check that the backups folder has space and can be written, or call support.",
            detail=f"{database_file} -> {target}: {error!r}",
        ) from error
    log.info("backup made: %s", target)
    return BackupFile(target, at.astimezone(UTC).replace(microsecond=0), reason)


def _copy(source: Path, target: Path) -> None:
    live = sqlite3.connect(source, timeout=30.0)
    try:
        copy = sqlite3.connect(target)
        try:
            live.backup(copy)  # pages=-1: all at once, one read transaction, one snapshot
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            problem = copy.execute("PRAGMA integrity_check").fetchone()[0]
            if problem != "ok":
                raise sqlite3.DatabaseError(f"the copy failed its integrity check: {problem}")
        finally:
            copy.close()
    finally:
        live.close()


def prune(folder: Path, *, keep_days: int, keep_at_least: int, now: datetime) -> list[Path]:
    """Delete backups older than ``keep_days``, keeping the newest ``keep_at_least`` whatever
    their age; returns what was deleted."""
    cutoff = now - timedelta(days=keep_days)
    deleted = []
    for backup in list_backups(folder)[keep_at_least:]:
        if backup.made_at < cutoff:
            backup.path.unlink(missing_ok=True)
            deleted.append(backup.path)
    return deleted


def inspect_backup(path: Path) -> BackupReport:
    """Open a backup read-only (never written, not even a journal) and report what it holds.

    Raises StorageError if it is not a readable Kaha database."""
    if not path.is_file():
        raise StorageError(f"There is no backup file at {path}.")
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except sqlite3.Error as error:
        raise StorageError(_NOT_A_BACKUP.format(path=path), detail=repr(error)) from error
    try:
        integrity = str(connection.execute("PRAGMA integrity_check").fetchone()[0])
        schema = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        bills = connection.execute("SELECT count(*) FROM bills").fetchone()[0]
        invoices = connection.execute("SELECT count(*) FROM invoices").fetchone()[0]
        last = connection.execute(
            "SELECT number, issued_at FROM invoices ORDER BY issued_at DESC, id DESC LIMIT 1"
        ).fetchone()
        journal = _journal_entries(connection)
    except sqlite3.Error as error:
        raise StorageError(_NOT_A_BACKUP.format(path=path), detail=repr(error)) from error
    finally:
        connection.close()
    return BackupReport(
        path=path,
        integrity=integrity,
        schema=None if schema is None else str(schema[0]),
        bills=int(bills),
        invoices=int(invoices),
        last_invoice=None if last is None else str(last[0]),
        last_invoice_at=None if last is None else _when(str(last[1])),
        journal_entries=journal,
    )


def _journal_entries(connection: sqlite3.Connection) -> int | None:
    """Printouts in the e-journal, or None in a backup made before it existed."""
    found = connection.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'e_journal'"
    ).fetchone()
    if found is None:
        return None
    return int(connection.execute("SELECT count(*) FROM e_journal").fetchone()[0])


_NOT_A_BACKUP = (
    "{path} cannot be read as a Kaha backup: it is damaged or is not a backup of Kaha's payment "
    "database. Try an older backup, or call support."
)


def _when(stored: str) -> datetime:
    return datetime.fromisoformat(stored).replace(tzinfo=UTC)  # kept naive UTC in SQLite


@dataclass(frozen=True)
class BackupPolicy:
    database_file: Path
    folder: Path
    keep_days: int
    keep_at_least: int

    def backup(self, reason: str, at: datetime) -> BackupFile:
        """One backup now, then the retention rule."""
        made = make_backup(self.database_file, self.folder, reason=reason, at=at)
        prune(self.folder, keep_days=self.keep_days, keep_at_least=self.keep_at_least, now=at)
        return made

    def daily_due(self, now: datetime) -> bool:
        """No backup within the last day."""
        newest = next(iter(list_backups(self.folder)), None)
        return newest is None or now - newest.made_at >= timedelta(days=1)

    def after_z_reading(self, at: datetime) -> BackupFile:
        """The hook the Z-reading calls once it has closed the day."""
        return self.backup("z-reading", at)


class DailyBackups:
    """A daemon thread that makes the daily backup when one is due (checked a minute after
    start, then every hour). ``stop`` ends it and waits for a backup under way."""

    def __init__(self, policy: BackupPolicy, now: Callable[[], datetime]) -> None:
        self._policy = policy
        self._now = now
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="daily-backup", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join()

    def after_z_reading(self) -> Path:
        """Back up now, after the Z-reading closed the day (``ReadingService`` calls it).
        Blocking: call it on a worker."""
        return self._policy.after_z_reading(self._now()).path

    def _run(self) -> None:
        if self._stopping.wait(FIRST_CHECK_AFTER_S):
            return
        while not self._stopping.is_set():
            now = self._now()
            try:
                if self._policy.daily_due(now):
                    self._policy.backup("daily", now)
            except StorageError as error:  # the counter works on; the log says why
                log.error("daily backup failed: %s (%s)", error.user_message, error.detail)
            self._stopping.wait(CHECK_EVERY_S)
