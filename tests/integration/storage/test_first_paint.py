"""First paint: the default queue read with plain sqlite3 equals what the storage layer gives."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path

from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.services.bills import OPEN_STATUSES, QUEUE_LIMIT, BillQueue
from pos_app.storage import Database, open_database
from pos_app.storage.first_paint import read_queue, sqlite_file
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.storage.conftest import T0, make_bill, sqlite_url


def _default_queue(database: Database, limit: int = QUEUE_LIMIT) -> list[object]:
    queue = BillQueue(database)
    rows = [row for status in OPEN_STATUSES for row in queue.find("", status, limit)]
    rows.sort(key=lambda bill: (bill.updated_at, bill.id), reverse=True)
    return list(rows)


def test_first_rows_equal_the_storage_layers_queue(sqlite_db: Database, db_path: Path) -> None:
    seed_demo_bills_if_empty(sqlite_db, FakeClock())
    with sqlite_db.unit_of_work() as uow:
        # names with spaces to trim, equal update times (ties broken by id), every status
        for index, status in enumerate(BillStatus):
            uow.bills.add(
                make_bill(
                    number=f"B-9{index}",
                    first_name=" Ñino ",
                    last_name="dela Cruz",
                    patient_id=900 + index,
                    remote_id=900 + index,
                    status=status,
                    updated_at=T0 + timedelta(microseconds=7),
                )
            )
        uow.commit()
    expected = _default_queue(sqlite_db)
    assert len(expected) > 10
    assert read_queue(sqlite_url(db_path), OPEN_STATUSES, QUEUE_LIMIT) == expected
    # the limit applies per status, as in the queue view
    assert read_queue(sqlite_url(db_path), OPEN_STATUSES, 3) == _default_queue(sqlite_db, 3)


def test_a_new_counter_has_no_first_rows(tmp_path: Path) -> None:
    assert read_queue(sqlite_url(tmp_path / "never-made.db"), OPEN_STATUSES, QUEUE_LIMIT) is None
    assert not (tmp_path / "never-made.db").exists(), "reading must not create the file"


def test_an_older_schema_takes_the_ordinary_path(sqlite_db: Database, db_path: Path) -> None:
    sqlite_db.dispose()
    with sqlite3.connect(db_path) as raw:
        raw.execute("UPDATE alembic_version SET version_num = '0000'")
    assert read_queue(sqlite_url(db_path), OPEN_STATUSES, QUEUE_LIMIT) is None


def test_a_damaged_file_takes_the_ordinary_path(tmp_path: Path) -> None:
    broken = tmp_path / "kaha.db"
    broken.write_bytes(b"this is not a database" * 100)
    assert read_queue(sqlite_url(broken), OPEN_STATUSES, QUEUE_LIMIT) is None


def test_only_plain_sqlite_files_are_read_early() -> None:
    assert sqlite_file("sqlite:////var/lib/kaha/kaha.db") == Path("/var/lib/kaha/kaha.db")
    assert sqlite_file("sqlite://") is None
    assert sqlite_file("sqlite:///:memory:") is None
    assert sqlite_file("sqlite:////tmp/k.db?mode=ro") is None
    assert sqlite_file("postgresql://kaha@db/kaha") is None


def test_first_paint_does_not_load_sqlalchemy() -> None:
    import subprocess
    import sys

    code = (
        "import sys; import pos_app.storage.first_paint; import pos_app.services.bills; "
        "import pos_app.storage; "
        "print([m for m in sys.modules if m.startswith(('sqlalchemy', 'alembic'))])"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"


def test_the_lazy_storage_package_still_hands_out_its_names() -> None:
    import pos_app.storage as storage

    assert storage.open_database is open_database
    assert all(getattr(storage, name) is not None for name in storage.__all__)
