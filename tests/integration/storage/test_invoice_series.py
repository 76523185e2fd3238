"""Invoice numbers: gap-free and duplicate-free per terminal, even with two writer processes."""

from __future__ import annotations

import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from threading import Barrier as ThreadBarrier

from sqlalchemy import select

from pos_app.domain.money import Money
from pos_app.storage import Database, next_invoice_number, open_database
from pos_app.storage.models import InvoiceRow, InvoiceSeriesRow
from tests.integration.storage.conftest import T0, make_bill
from tests.storage_reads import invoices_of

TERMINAL = "01"
PREFIX = "MAIN"
PER_PROCESS = 200
ROLLBACK_EVERY = 7

_start_together: dict[str, ThreadBarrier] = {}


def _remember_barrier(barrier: ThreadBarrier) -> None:
    _start_together["barrier"] = barrier


def issue_invoices(url: str, worker: str) -> list[int]:
    """Run in a child process: issue PER_PROCESS invoices, rolling some back after numbering."""
    database = open_database(url)
    committed: list[int] = []
    try:
        _start_together["barrier"].wait(timeout=60)
        for index in range(PER_PROCESS):
            with database.unit_of_work() as uow:
                bill = uow.bills.add(
                    make_bill(number=f"{worker}-{index}", patient_id=0, remote_id=None)
                )
                invoice = uow.invoices.issue(
                    bill_id=bill.id,
                    terminal_id=TERMINAL,
                    prefix=PREFIX,
                    total=bill.amount_due,
                    at=T0,
                )
                if index % ROLLBACK_EVERY == 0:
                    continue  # leaving without commit rolls back the number with the invoice
                uow.commit()
                committed.append(invoice.sequence)
    finally:
        database.dispose()
    return committed


def _stored_sequences(db: Database, terminal: str = TERMINAL) -> list[int]:
    with db.unit_of_work(read_only=True) as uow:
        return [invoice.sequence for invoice in invoices_of(uow, terminal)]


def test_two_processes_issue_a_gap_free_unique_series(db: Database) -> None:
    url = db.engine.url.render_as_string(hide_password=False)
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(2)
    with ProcessPoolExecutor(
        max_workers=2, mp_context=context, initializer=_remember_barrier, initargs=(barrier,)
    ) as pool:
        futures = [pool.submit(issue_invoices, url, worker) for worker in ("A", "B")]
        results = [future.result(timeout=120) for future in futures]

    expected_total = 2 * (PER_PROCESS - len(range(0, PER_PROCESS, ROLLBACK_EVERY)))
    everything = results[0] + results[1]
    assert sorted(everything) == list(range(1, expected_total + 1))
    assert all(results), "both processes must really take part"
    assert _stored_sequences(db) == list(range(1, expected_total + 1))
    with db.unit_of_work(read_only=True) as uow:
        series = uow.session.get_one(InvoiceSeriesRow, TERMINAL)
        assert series.last_sequence == expected_total
        numbers = uow.session.scalars(select(InvoiceRow.number)).all()
    assert len(set(numbers)) == expected_total


def test_rolled_back_number_is_taken_again(db: Database) -> None:
    with db.unit_of_work() as uow:
        assert next_invoice_number(uow, TERMINAL, PREFIX).sequence == 1
    with db.unit_of_work() as uow:
        taken = next_invoice_number(uow.session, TERMINAL, PREFIX)
        uow.commit()
    assert taken.sequence == 1
    assert taken.number == "MAIN-01-000001"


def test_each_terminal_has_its_own_series(db: Database) -> None:
    with db.unit_of_work() as uow:
        for index, terminal in enumerate(["01", "02", "01"]):
            bill = uow.bills.add(make_bill(number=f"B-{index}", remote_id=index + 1))
            uow.invoices.issue(
                bill_id=bill.id, terminal_id=terminal, prefix=PREFIX, total=Money(100), at=T0
            )
        uow.commit()
    assert _stored_sequences(db, "01") == [1, 2]
    assert _stored_sequences(db, "02") == [1]


def test_invoice_round_trips(db: Database) -> None:
    with db.unit_of_work() as uow:
        bill = uow.bills.add(make_bill())
        issued = uow.invoices.issue(
            bill_id=bill.id, terminal_id=TERMINAL, prefix=PREFIX, total=Money(350_000), at=T0
        )
        uow.commit()
    with db.unit_of_work(read_only=True) as uow:
        assert uow.invoices.get(issued.number) == issued
        assert uow.invoices.get_for_bill(bill.id) == issued
    assert issued.total == Money(350_000)
    assert issued.issued_at == T0
