"""Backups keep the e-journal whole and still refusing changes; ``restore --check`` counts it."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pos_app.storage import open_database
from pos_app.storage.backup import inspect_backup, make_backup
from tests.integration.storage.conftest import sqlite_url

AT = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)


def test_a_backup_holds_every_journal_entry_and_still_refuses_deletes(tmp_path: Path) -> None:
    live = tmp_path / "kaha.sqlite3"
    database = open_database(sqlite_url(live))
    with database.unit_of_work() as uow:
        for number in ("MAIN-01-000001", "MAIN-01-000002", "MAIN-01-000002"):
            uow.journal.append(
                terminal_id="01",
                kind="invoice",
                document_number=number,
                reprint_number=0 if number.endswith("1") else 1,
                printed_at=AT,
                person="Ana Reyes",
                text=f"INVOICE {number}\n",
            )
        uow.commit()
    with database.unit_of_work(read_only=True) as uow:
        kept = uow.journal.between(AT, AT.replace(hour=2))
    database.dispose()

    backup = make_backup(live, tmp_path / "backups", reason="manual", at=AT)
    report = inspect_backup(backup.path)
    restored = open_database(sqlite_url(backup.path))
    try:
        with restored.unit_of_work(read_only=True) as uow:
            assert uow.journal.between(AT, AT.replace(hour=2)) == kept
    finally:
        restored.dispose()

    assert report.journal_entries == 3
    assert [e.seq for e in kept] == [1, 2, 3]
    with sqlite3.connect(backup.path) as raw, pytest.raises(sqlite3.DatabaseError, match="never"):
        raw.execute("DELETE FROM e_journal")
