"""Clinic sync: a first full load of 100,000 bills from the sandbox clinic server over loopback,
an incremental pull of 100 changed bills, 1,000 queued changes drained once the server is back,
and the storage stage against a bare sqlite3 ``executemany`` of the same rows in the same run.
"""

from __future__ import annotations

import sqlite3
import tempfile
import time
from pathlib import Path

from bench.common import Figure
from pos_app.clinic import ClinicClient, RemoteBill
from pos_app.domain.clock import SystemClock
from pos_app.services.clinic_sync import ClinicSync
from pos_app.services.clinic_sync.pull import store_page
from pos_app.storage import Database, open_database
from pos_sandbox.faults import FaultRule
from pos_sandbox.server import SandboxServer

BILLS = 100_000
PAGE = 500
CHANGED = 100
QUEUED = 1_000


def _pages(client: ClinicClient) -> list[list[RemoteBill]]:
    pages = []
    cursor = None
    while True:
        page = client.bills_after(cursor, PAGE)
        pages.append(list(page.bills))
        if not page.has_next or not page.bills:
            return pages
        cursor = page.bills[-1].cursor


def _storage_rate(scratch: Path, pages: list[list[RemoteBill]]) -> float:
    """Bills a second through the sync's own storage stage (page + cursor per transaction)."""
    database = open_database(f"sqlite:///{scratch / 'storage.sqlite3'}")
    clock = SystemClock()
    began = time.perf_counter()
    for page in pages:
        store_page(database, clock, page)
    seconds = time.perf_counter() - began
    database.dispose()
    return sum(len(page) for page in pages) / seconds


def _bare_rate(scratch: Path, pages: list[list[RemoteBill]]) -> float:
    """Bills a second for plain sqlite3 executemany of the same bills, lines and patients."""
    path = scratch / "bare.sqlite3"
    connection = sqlite3.connect(path, isolation_level=None)
    connection.executescript(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;"
        "CREATE TABLE patients (id INTEGER PRIMARY KEY, remote_id INTEGER UNIQUE,"
        " first_name TEXT, last_name TEXT, senior_pwd_id TEXT);"
        "CREATE TABLE bills (id INTEGER PRIMARY KEY, remote_id INTEGER UNIQUE, number TEXT UNIQUE,"
        " patient_id INTEGER, clinic_name TEXT, description TEXT, amount_due_centavos INTEGER,"
        " amount_paid_centavos INTEGER, discount_centavos INTEGER, status TEXT, updated_at TEXT);"
        "CREATE TABLE bill_lines (id INTEGER PRIMARY KEY, bill_id INTEGER, position INTEGER,"
        " code TEXT, description TEXT, quantity INTEGER, unit_price_centavos INTEGER);"
    )
    began = time.perf_counter()
    for page in pages:
        connection.execute("BEGIN")
        connection.executemany(
            "INSERT OR REPLACE INTO patients (remote_id, first_name, last_name, senior_pwd_id)"
            " VALUES (?, ?, ?, ?)",
            [
                (b.bill.patient.id, b.bill.patient.first_name, b.bill.patient.last_name, None)
                for b in page
            ],
        )
        connection.executemany(
            "INSERT INTO bills (remote_id, number, patient_id, clinic_name, description,"
            " amount_due_centavos, amount_paid_centavos, discount_centavos, status, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, 0, ?, ?)",
            [
                (
                    b.bill.remote_id,
                    b.bill.number,
                    b.bill.patient.id,
                    b.bill.clinic_name,
                    b.bill.description,
                    b.bill.amount_due.centavos,
                    b.bill.amount_paid.centavos,
                    b.bill.status.value,
                    b.bill.updated_at.isoformat(),
                )
                for b in page
            ],
        )
        connection.executemany(
            "INSERT INTO bill_lines (bill_id, position, code, description, quantity,"
            " unit_price_centavos) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (b.bill.remote_id, n, ln.code, ln.description, ln.quantity, ln.unit_price.centavos)
                for b in page
                for n, ln in enumerate(b.bill.lines)
            ],
        )
        connection.execute("COMMIT")
    seconds = time.perf_counter() - began
    connection.close()
    return sum(len(page) for page in pages) / seconds


def _queue_changes(database: Database, count: int) -> None:
    clock = SystemClock()
    with database.unit_of_work() as uow:
        bills = uow.bills.list_queue(None, count)
        for index in range(count):
            bill = bills[index % len(bills)]
            body = {"status": bill.status.value, "payment_status": "pending", "paid_at": None}
            uow.outbox.enqueue(bill.id, "payment_result", body | {"n": index}, at=clock.now())
        uow.commit()


def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="kaha-bench-sync-") as folder,
        SandboxServer(seed=None) as sandbox,
    ):
        scratch = Path(folder)
        sandbox.clinic.generate(BILLS, 1)
        client = ClinicClient(base_url=sandbox.clinic_url, token=sandbox.clinic_token)
        database = open_database(f"sqlite:///{scratch / 'counter.sqlite3'}")
        sync = ClinicSync(database, client, SystemClock(), page_size=PAGE)
        began = time.perf_counter()
        first = sync.run(push=False)
        first_s = time.perf_counter() - began
        assert first.pull is not None
        assert first.pull.pulled == BILLS, first.pull

        for bill_id in sandbox.clinic.bill_ids()[:CHANGED]:
            sandbox.clinic.change_bill(bill_id, description="changed at the clinic")
        began = time.perf_counter()
        later = sync.run(push=False)
        incremental_ms = (time.perf_counter() - began) * 1000
        assert later.pull is not None
        assert later.pull.pulled == CHANGED, later.pull

        _queue_changes(database, QUEUED)
        sandbox.clinic_faults.add(FaultRule("error", status=503))
        sync.run()  # the server is away: everything waits
        sandbox.clinic_faults.clear()
        began = time.perf_counter()
        while sync.status().waiting:
            sync.request_now()
            sync.run()
        drain_s = time.perf_counter() - began

        pages = _pages(client)
        storage = _storage_rate(scratch, pages)
        bare = _bare_rate(scratch, pages)
        client.close()
        database.dispose()
    return [
        Figure(
            "first full sync, 100,000 bills over loopback",
            first_s,
            "s",
            "< 10 s",
            first_s < 10,
        ),
        Figure(
            "storage stage vs bare sqlite3 executemany",
            storage / bare,
            "x",
            ">= 0.5x",
            storage / bare >= 0.5,
            note=f"{storage:,.0f} vs {bare:,.0f} bills/s",
        ),
        Figure(
            "incremental sync, 100 changed bills",
            incremental_ms,
            "ms",
            "< 300 ms",
            incremental_ms < 300,
        ),
        Figure("1,000 queued changes drained", drain_s, "s", "< 30 s", drain_s < 30),
    ]
