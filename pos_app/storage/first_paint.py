"""The bill queue's first rows, read with the standard library's sqlite3, before SQLAlchemy loads.

Start-up opens the database properly (SQLAlchemy, durability check, migrations, demo seed) on
the database worker after the window is up; loading SQLAlchemy alone costs more than the rest of
start-up together. So that the receptionist sees the bills at once, this reads the default queue
with a plain read-only sqlite3 connection, only when it is safe to: a SQLite file that exists and
whose schema is already at ``SCHEMA_HEAD``. Anything else (a new counter, PostgreSQL, an older
schema, any error) returns None and start-up takes the ordinary path. The rows must equal what
``BillRepository.queue_rows`` gives; a test holds the two together.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from pos_app.domain.bill_summary import BillStatus, BillSummary
from pos_app.storage.schema_head import SCHEMA_HEAD

_SQLITE_FILE_PREFIX = "sqlite:///"
_QUEUE_SQL = """
SELECT b.id, b.number, p.first_name, p.last_name, b.description,
       b.amount_due_centavos, b.amount_paid_centavos, b.status, b.updated_at
FROM bills AS b JOIN patients AS p ON p.id = b.patient_id
WHERE b.status = ?
ORDER BY b.updated_at DESC, b.id DESC
LIMIT ?
"""


def sqlite_file(database_url: str) -> Path | None:
    """The file of a plain ``sqlite:///path`` URL; None for anything else."""
    if not database_url.startswith(_SQLITE_FILE_PREFIX) or "?" in database_url:
        return None
    path = database_url[len(_SQLITE_FILE_PREFIX) :]
    if not path or path == ":memory:":
        return None
    return Path(path)


def read_queue(
    database_url: str, statuses: Sequence[BillStatus], limit: int
) -> list[BillSummary] | None:
    """The queue for these statuses (each up to ``limit``), newest first; None when unsafe."""
    path = sqlite_file(database_url)
    if path is None or not path.is_file():
        return None
    try:
        connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1.0)
    except sqlite3.Error:
        return None
    try:
        versions = connection.execute("SELECT version_num FROM alembic_version").fetchall()
        if versions != [(SCHEMA_HEAD,)]:
            return None
        rows: list[_Row] = []
        for status in statuses:
            rows.extend(connection.execute(_QUEUE_SQL, (status.value, limit)).fetchall())
    except sqlite3.Error:
        return None
    finally:
        connection.close()
    bills = [_summary(row) for row in rows]
    bills.sort(key=lambda bill: (bill.updated_at, bill.id), reverse=True)
    return bills


_Row = tuple[int, str, str, str, str, int, int, str, str]


def _summary(row: _Row) -> BillSummary:
    bill_id, number, first, last, description, due, paid, status, updated_at = row
    # SQLAlchemy keeps UTC times naive in SQLite ("2026-11-26 01:14:03.120000")
    when = datetime.fromisoformat(updated_at).replace(tzinfo=UTC)
    return BillSummary.from_columns(
        bill_id, number, first, last, description, due, paid, status, when
    )
