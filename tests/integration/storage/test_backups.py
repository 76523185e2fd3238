"""Backups: SQLite's online backup while payments are recorded, the retention rule, the daily
job, and ``pos-app backup`` / ``pos-app restore --check`` without touching the live database."""

from __future__ import annotations

import hashlib
import os
import secrets
import stat
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path

from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.services.collect.bookkeeping import record_tender
from pos_app.services.collect.inputs import CounterIdentity
from pos_app.storage import Database, open_database
from pos_app.storage.backup import BackupPolicy, inspect_backup, list_backups, make_backup, prune
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.storage.conftest import sqlite_url
from tests.storage_reads import invoices_of

COUNTER = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic")
NOW = datetime(2026, 12, 7, 9, 30, tzinfo=UTC)


def _counter(db_path: Path) -> Database:
    database = open_database(sqlite_url(db_path))
    seed_demo_bills_if_empty(database, FakeClock())
    return database


def _pay_in_cash(database: Database, bill_id: int) -> str:
    """One cash payment settling the bill: tender, bill, invoice and outbox, one commit."""
    with database.unit_of_work() as uow:
        bill = uow.bills.get_for_update(bill_id)
        assert bill is not None
        tender = uow.tenders.add(
            Tender(None, bill.id, TenderMethod.CASH, bill.balance, None, bill.balance), at=NOW
        )
        _, settlement = record_tender(uow, COUNTER, bill, tender, intent_id=None, at=NOW)
        uow.commit()
    assert settlement is not None
    return settlement.invoice.number


def _pending(database: Database) -> list[int]:
    with database.unit_of_work(read_only=True) as uow:
        return [bill.id for bill in uow.bills.list_queue(BillStatus.PENDING, 100)]


def _invoices_in(path: Path) -> list[str]:
    backup = open_database(sqlite_url(path))
    try:
        with backup.unit_of_work(read_only=True) as uow:
            return [invoice.number for invoice in invoices_of(uow, "01")]
    finally:
        backup.dispose()


def test_a_backup_made_while_a_payment_is_recorded_holds_every_committed_invoice(
    db_path: Path, tmp_path: Path
) -> None:
    database = _counter(db_path)
    bills = _pending(database)
    committed = [_pay_in_cash(database, bill_id) for bill_id in bills[:3]]
    # a payment is being recorded: its tender, invoice and outbox row written, not committed
    in_the_middle = threading.Event()
    go_on = threading.Event()

    def record_slowly() -> None:
        with database.unit_of_work() as uow:
            bill = uow.bills.get_for_update(bills[3])
            assert bill is not None
            tender = uow.tenders.add(
                Tender(None, bill.id, TenderMethod.CASH, bill.balance, None, bill.balance), at=NOW
            )
            record_tender(uow, COUNTER, bill, tender, intent_id=None, at=NOW)
            in_the_middle.set()
            assert go_on.wait(10)
            uow.commit()

    payment = threading.Thread(target=record_slowly)
    payment.start()
    assert in_the_middle.wait(10)
    try:
        made = make_backup(db_path, tmp_path / "backups", reason="manual", at=NOW)
    finally:
        go_on.set()
        payment.join(10)
    # more payments go on after the backup, each committed in turn
    later = [_pay_in_cash(database, bill_id) for bill_id in bills[4:6]]
    database.dispose()

    report = inspect_backup(made.path)
    assert report.ok  # SQLite's integrity_check
    assert _invoices_in(made.path) == committed  # every committed one, none half-written
    assert report.last_invoice == committed[-1]
    assert _invoices_in(db_path) == [*committed, "MAIN-01-000004", *later]
    assert stat.S_IMODE(made.path.stat().st_mode) == 0o600
    assert not list(made.path.parent.glob("*.partial"))


def test_backups_under_a_steady_stream_of_payments_are_whole_each_time(
    db_path: Path, tmp_path: Path
) -> None:
    database = _counter(db_path)
    bills = _pending(database)
    stop = threading.Event()
    paid: list[str] = []

    def cashier() -> None:
        for bill_id in bills:
            if stop.is_set():
                return
            paid.append(_pay_in_cash(database, bill_id))

    payments = threading.Thread(target=cashier)
    payments.start()
    made = []
    for second in range(5):
        made.append(
            make_backup(
                db_path, tmp_path / "b", reason="manual", at=NOW + timedelta(seconds=second)
            )
        )
    stop.set()
    payments.join(30)
    database.dispose()
    for backup in made:
        assert inspect_backup(backup.path).ok
        invoices = _invoices_in(backup.path)
        assert invoices == paid[: len(invoices)]  # a prefix of the series: gap-free, in order


def test_retention_deletes_old_backups_but_keeps_the_newest_few(tmp_path: Path) -> None:
    folder = tmp_path / "backups"
    folder.mkdir()
    for days_ago in (0, 1, 2, 40, 41, 90):
        at = NOW - timedelta(days=days_ago)
        (folder / f"kaha-{at:%Y%m%d-%H%M%S}-daily.sqlite3").write_bytes(b"")
    (folder / "notes.txt").write_text("not a backup")
    deleted = prune(folder, keep_days=30, keep_at_least=2, now=NOW)
    assert len(deleted) == 3
    assert [b.made_at for b in list_backups(folder)] == [NOW - timedelta(days=d) for d in (0, 1, 2)]
    assert (folder / "notes.txt").exists()
    # an idle counter: everything is old, the newest ones stay all the same
    assert prune(folder, keep_days=30, keep_at_least=3, now=NOW + timedelta(days=365)) == []


def test_the_daily_backup_is_due_once_a_day_and_the_z_reading_hook_backs_up(
    db_path: Path, tmp_path: Path
) -> None:
    database = _counter(db_path)
    database.dispose()
    policy = BackupPolicy(db_path, tmp_path / "backups", keep_days=30, keep_at_least=3)
    assert policy.daily_due(NOW)
    policy.backup("daily", NOW)
    assert not policy.daily_due(NOW + timedelta(hours=23))
    assert policy.daily_due(NOW + timedelta(days=1))
    after_z = policy.after_z_reading(NOW + timedelta(hours=10))
    assert after_z.reason == "z-reading"
    assert [b.reason for b in list_backups(tmp_path / "backups")] == ["z-reading", "daily"]


def _pos_app(*args: str, data: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
    env.update(POS_APP_DATA_DIR=str(data), POS_APP_CONFIG_DIR=str(data.parent / "config"))
    env.update(PAYMONGO_SECRET_KEY="sk_test_" + secrets.token_hex(12))  # the real books
    return subprocess.run(
        [sys.executable, "-m", "pos_app", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_backup_then_restore_check_from_the_command_line(tmp_path: Path) -> None:
    data = tmp_path / "data"
    live = data / "kaha.sqlite3"
    database = _counter(live)
    numbers = [_pay_in_cash(database, bill_id) for bill_id in _pending(database)[:2]]
    database.dispose()

    made = _pos_app("backup", data=data)
    assert made.returncode == 0, made.stderr
    (backup,) = list_backups(data / "backups")
    assert f"Backup made: {backup.path}" in made.stdout
    before = _digest(live)
    checked = _pos_app("restore", "--check", str(backup.path), data=data)
    assert checked.returncode == 0, checked.stderr
    assert "integrity:     ok" in checked.stdout
    assert "invoices:      2" in checked.stdout
    assert f"last invoice:  {numbers[-1]}" in checked.stdout
    assert "e-journal:     0 printouts" in checked.stdout
    assert _digest(live) == before  # the live database was not touched
    assert not Path(f"{backup.path}-journal").exists()

    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(backup.path.read_bytes()[:4096] + b"\x00" * 100)
    refused = _pos_app("restore", "--check", str(damaged), data=data)
    assert refused.returncode == 1
    assert "Traceback" not in refused.stderr
    assert "damaged" in refused.stderr


def test_restore_check_of_something_that_is_not_a_backup_says_so(tmp_path: Path) -> None:
    not_a_backup = tmp_path / "holiday.jpg"
    not_a_backup.write_bytes(b"\xff\xd8\xff" + b"\x00" * 5000)
    result = _pos_app("restore", "--check", str(not_a_backup), data=tmp_path / "data")
    assert result.returncode == 1
    assert "cannot be read as a Kaha backup" in result.stderr
    assert "Traceback" not in result.stderr
