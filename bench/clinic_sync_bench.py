"""Clinic sync: a first full load of 100,000 bills from the sandbox clinic server over loopback,
an incremental pull of 100 changed bills, 1,000 queued changes drained once the server is back,
and the storage stage against a bare sqlite3 ``executemany`` of the same rows in the same run.
"""

from __future__ import annotations

import os
import secrets
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

import httpx

from bench.common import Figure
from pos_app.app import settle_memory
from pos_app.clinic import ClinicClient, RemoteBill
from pos_app.domain.clock import SystemClock
from pos_app.services.clinic_sync import ClinicSync
from pos_app.services.clinic_sync.job import PAGES_PER_COMMIT
from pos_app.services.clinic_sync.pull import store_page
from pos_app.storage import Database, open_database
from pos_app.storage.first_load import first_load_writer
from pos_app.storage.repositories.bill_fast_insert import sqlite_text
from pos_app.storage.search import tokens_for

T = TypeVar("T")
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
    """Bills a second through the sync's own storage stage of a first load (PAGES_PER_COMMIT
    pages and the cursor per transaction, on the first load's own connection)."""
    database = open_database(f"sqlite:///{scratch / 'storage.sqlite3'}")
    clock = SystemClock()
    began = time.perf_counter()
    with first_load_writer(database) as writer:
        for batch in _batches(pages):
            store_page(writer, clock, [bill for page in batch for bill in page])
    seconds = time.perf_counter() - began
    database.dispose()
    return sum(len(page) for page in pages) / seconds


def _batches(pages: list[T]) -> list[list[T]]:
    return [pages[at : at + PAGES_PER_COMMIT] for at in range(0, len(pages), PAGES_PER_COMMIT)]


def _bare_rate(scratch: Path, pages: list[list[RemoteBill]]) -> float:
    """Bills a second for plain sqlite3 executemany of the same rows (patients, bills, lines,
    search words) into the same schema, prepared beforehand, as many pages per transaction as
    the sync stores together, with the durability of a first load (WAL, ``synchronous=NORMAL``)."""
    path = scratch / "bare.sqlite3"
    open_database(f"sqlite:///{path}").dispose()  # the app's schema, indexes included
    prepared = []
    bill_id = 0
    for page in pages:
        bills, lines, words = [], [], []
        for remote in page:
            bill_id += 1
            bill = remote.bill
            at = sqlite_text(bill.updated_at)
            bills.append(
                (
                    bill.remote_id,
                    bill.number,
                    bill.patient.id,
                    bill.clinic_name,
                    bill.description,
                    bill.amount_due.centavos,
                    bill.amount_paid.centavos,
                    0,
                    bill.status.value,
                    at,
                )
            )
            lines += [
                (bill_id, n, ln.code, ln.description, ln.quantity, ln.unit_price.centavos)
                for n, ln in enumerate(bill.lines)
            ]
            names = [bill.number, bill.patient.first_name, bill.patient.last_name]
            words += [(w, bill_id, at, bill.status.value) for w in sorted(tokens_for(names))]
        people_set = {
            (r.bill.patient.id, r.bill.patient.first_name, r.bill.patient.last_name, None)
            for r in page
        }
        prepared.append((sorted(people_set), bills, lines, words))
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous=NORMAL")
    began = time.perf_counter()
    for batch in _batches(prepared):
        people = sorted({person for page in batch for person in page[0]})
        bill_rows = [row for page in batch for row in page[1]]
        lines = [row for page in batch for row in page[2]]
        words = [row for page in batch for row in page[3]]
        connection.execute("BEGIN IMMEDIATE")
        connection.executemany(
            "INSERT OR REPLACE INTO patients (remote_id, first_name, last_name, senior_pwd_id)"
            " VALUES (?, ?, ?, ?)",
            people,
        )
        connection.executemany(
            "INSERT INTO bills (remote_id, number, patient_id, clinic_name, description,"
            " amount_due_centavos, amount_paid_centavos, discount_centavos, status, updated_at)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            bill_rows,
        )
        connection.executemany(
            "INSERT INTO bill_lines (bill_id, position, code, description, quantity,"
            " unit_price_centavos) VALUES (?, ?, ?, ?, ?, ?)",
            lines,
        )
        connection.executemany(
            "INSERT INTO bill_search_tokens (token, bill_id, updated_at, status)"
            " VALUES (?, ?, ?, ?)",
            words,
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


@contextmanager
def _clinic_server(token: str) -> Iterator[str]:
    """The sandbox in its own process, as a clinic's server is: its JSON is not built on this
    process's GIL. Yields the clinic's base URL."""
    server = subprocess.Popen(
        # "--clinic-token=..." in one piece: a random token may start with "-"
        [sys.executable, "-m", "pos_sandbox", f"--clinic-token={token}"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert server.stdout is not None
        url = ""
        while not url:
            line = server.stdout.readline()
            if not line:
                raise RuntimeError("the sandbox did not start")
            if line.startswith("Clinic sandbox:"):
                url = line.split()[-1].removesuffix("/api")
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def run() -> list[Figure]:
    token = secrets.token_urlsafe(16)
    with (
        tempfile.TemporaryDirectory(prefix="kaha-bench-sync-") as folder,
        _clinic_server(token) as url,
    ):
        scratch = Path(folder)
        control = httpx.Client(base_url=url, timeout=120)
        control.post("/_control/bills", json={"count": BILLS, "seed": 1}).raise_for_status()
        client = ClinicClient(base_url=url, token=token)
        database = open_database(f"sqlite:///{scratch / 'counter.sqlite3'}")
        sync = ClinicSync(database, client, SystemClock(), page_size=PAGE)
        settle_memory()  # as ``pos-app sync`` and the window do before a first load
        load_before = os.getloadavg()[0]
        began, cpu_began = time.perf_counter(), time.process_time()
        first = sync.run(push=False)
        first_s = time.perf_counter() - began
        first_cpu_s = time.process_time() - cpu_began
        load = f"load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after"
        assert first.pull is not None
        assert first.pull.pulled >= BILLS, first.pull

        for bill_id in range(1, CHANGED + 1):
            control.patch(f"/_control/bills/{bill_id}", json={"description": "changed"})
        began = time.perf_counter()
        later = sync.run(push=False)
        incremental_ms = (time.perf_counter() - began) * 1000
        assert later.pull is not None
        assert later.pull.pulled == CHANGED, later.pull

        _queue_changes(database, QUEUED)
        control.post("/_control/faults", json={"kind": "error", "status": 503})
        sync.run()  # the server is away: everything waits
        control.delete("/_control/faults")
        began = time.perf_counter()
        while sync.status().waiting:
            sync.request_now()
            sync.run()
        drain_s = time.perf_counter() - began

        pages = _pages(client)
        storage = _storage_rate(scratch, pages)
        bare = _bare_rate(scratch, pages)
        client.close()
        control.close()
        database.dispose()
    return [
        Figure(
            "first full sync, 100,000 bills over loopback (server in its own process)",
            first_s,
            "s",
            "< 10 s",
            first_s < 10,
            note=load,
        ),
        Figure(
            "first full sync: CPU time of the counter's process (all its threads)",
            first_cpu_s,
            "s",
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
