"""SIGKILL at every named step of a refund, then restart: one refund in PayMongo's ledger, one
refund stored here, booked once on the bill and once in the clinic's outbox; a manual refund
killed after it was stored keeps its one slip number."""

from __future__ import annotations

import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.domain.refund import RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.collect.crash_points import MANUAL_REFUND_NAMES, REFUND_NAMES
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.integration.collect.conftest import make_client, patient_pays
from tests.integration.payments.crash_harness import add_bill, run_runner

RUNNER = "tests.integration.refunds.crash_runner"
COUNTER = CounterIdentity("01", "MAIN", "Crash Clinic")


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        server.paymongo.configure(rate_limit_per_second=None, refund_settle_seconds=0.0)
        yield server


def _paid_by_gcash(database: Database, sandbox: SandboxServer) -> tuple[int, str, Money]:
    bill_id = add_bill(database)
    with make_client(sandbox) as client:
        collect = CollectService(database, client, SystemClock(), COUNTER)
        with database.unit_of_work(read_only=True) as uow:
            bill = uow.bills.get(bill_id)
        assert bill is not None
        update = collect.start(bill_id, TenderMethod.GCASH, bill.balance)
        assert update.display is not None
        assert update.display.url is not None
        patient_pays(update.display.url)
        paid = collect.refresh(update.attempt.id)
        collect.close()
    assert paid.settlement is not None
    return bill_id, paid.attempt.id, bill.balance


def _run(*args: str, crash_at: str | None = None) -> int:
    done = run_runner(*args, crash_at=crash_at, runner=RUNNER)
    assert done.returncode in (0, -signal.SIGKILL), done.stderr
    return done.returncode


@pytest.mark.parametrize("crash_at", REFUND_NAMES)
def test_kill_at_each_refund_step_then_restart(
    tmp_path: Path, sandbox: SandboxServer, crash_at: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'counter.sqlite3'}"
    database = open_database(db_url)
    bill_id, attempt_id, amount = _paid_by_gcash(database, sandbox)

    code = _run(
        "refund",
        db_url,
        sandbox.paymongo_url,
        str(bill_id),
        attempt_id,
        str(amount.centavos),
        crash_at=crash_at,
    )
    assert code == -signal.SIGKILL
    assert _run("recover", db_url, sandbox.paymongo_url) == 0

    payment_id = _payment_of(sandbox, attempt_id, database)
    ledger = sandbox.paymongo.ledger()
    mine = [e for e in ledger if e["kind"] == "refund" and e["payment_id"] == payment_id]
    assert len(mine) == 1
    with database.unit_of_work(read_only=True) as uow:
        refunds = uow.refunds.list_for_bill(bill_id)
        bill = uow.bills.get(bill_id)
        outbox = [m for m in uow.outbox.next_batch(500) if m.kind == "refund"]
    database.dispose()
    assert [r.state for r in refunds] == [RefundState.SUCCEEDED]
    assert refunds[0].booked_at is not None
    assert len(outbox) == 1
    assert bill is not None
    assert (bill.status, bill.amount_paid) == (BillStatus.REFUNDED, Money.ZERO)


@pytest.mark.parametrize("crash_at", MANUAL_REFUND_NAMES)
def test_kill_after_a_manual_refund_is_stored_keeps_one_slip(
    tmp_path: Path, sandbox: SandboxServer, crash_at: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'counter.sqlite3'}"
    database = open_database(db_url)
    bill_id = add_bill(database)
    with make_client(sandbox) as client:
        collect = CollectService(database, client, SystemClock(), COUNTER)
        with database.unit_of_work(read_only=True) as uow:
            bill = uow.bills.get(bill_id)
        assert bill is not None
        collect.pay_cash(bill_id, bill.balance, bill.balance)
        collect.close()
    code = _run("manual", db_url, sandbox.paymongo_url, str(bill_id), "10000", crash_at=crash_at)
    assert code == -signal.SIGKILL
    assert _run("recover", db_url, sandbox.paymongo_url) == 0
    with database.unit_of_work(read_only=True) as uow:
        refunds = uow.refunds.list_for_bill(bill_id)
        outbox = [m for m in uow.outbox.next_batch(500) if m.kind == "refund"]
    database.dispose()
    assert [(r.state, r.slip_number) for r in refunds] == [(RefundState.SUCCEEDED, "RF-01-000001")]
    assert len(outbox) == 1


def _payment_of(sandbox: SandboxServer, attempt_id: str, database: Database) -> str:
    with database.unit_of_work(read_only=True) as uow:
        attempt = uow.attempts.get(attempt_id)
    assert attempt is not None
    intent = sandbox.paymongo.get(attempt.paymongo_ids["intent"])
    data = intent.get("data", intent)
    [payment] = data["attributes"]["payments"]
    return str(payment["id"])
