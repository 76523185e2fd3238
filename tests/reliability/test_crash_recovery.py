"""SIGKILL at every named step of a QR Ph payment, then restart: the sandbox's ledger and the
local database agree. No bill charged twice, none lost, no invoice for an unpaid bill."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.services.collect.crash_points import CRASH_ENV, NAMES
from pos_app.storage import open_database
from pos_sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        server.paymongo.configure(rate_limit_per_second=None)
        yield server


def _new_bill(db_url: str) -> int:
    database = open_database(db_url)
    now = SystemClock().now()
    line = BillLine(
        code="PROPH", description="Oral prophylaxis", quantity=1, unit_price=Money(1_500_00)
    )
    with database.unit_of_work() as uow:
        bill = uow.bills.add(
            Bill(
                id=0,
                number="B-CRASH",
                patient=Patient(id=1, first_name="Maria", last_name="Santos"),
                clinic_name="Crash Clinic",
                description="Oral prophylaxis",
                lines=(line,),
                amount_due=Money(1_500_00),
                amount_paid=Money(0),
                status=BillStatus.PENDING,
                updated_at=now,
            )
        )
        uow.commit()
    database.dispose()
    return bill.id


def _run(*args: str, crash_at: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at is not None:
        env[CRASH_ENV] = crash_at
    return subprocess.run(
        [sys.executable, "-m", "tests.integration.payments.crash_runner", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("crash_at", NAMES)
def test_kill_at_each_step_then_recover(
    tmp_path: Path, sandbox: SandboxServer, crash_at: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'counter.sqlite3'}"
    bill_id = _new_bill(db_url)
    intents_before = {i["id"] for i in sandbox.paymongo.objects("payment_intent")}

    crashed = _run("collect", db_url, sandbox.paymongo_url, str(bill_id), "qrph", crash_at=crash_at)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    recovered = _run("recover", db_url, sandbox.paymongo_url)
    assert recovered.returncode == 0, recovered.stderr
    print(crash_at, json.loads(recovered.stdout.strip().splitlines()[-1]))

    new_intents = [
        i for i in sandbox.paymongo.objects("payment_intent") if i["id"] not in intents_before
    ]
    new_ids = {i["id"] for i in new_intents}
    paid_here = [
        entry
        for entry in sandbox.paymongo.ledger()
        if entry["kind"] == "payment" and entry["payment_intent_id"] in new_ids
    ]
    database = open_database(db_url)
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
        invoice = uow.invoices.get_for_bill(bill_id)
        tenders = uow.tenders.list_for_bill(bill_id)
        open_attempts = uow.attempts.list_open()
        invoices = uow.invoices.list_for_terminal("01")
    database.dispose()
    assert bill is not None
    # at most one intent was made for the one attempt, whatever the crash
    assert len(new_intents) <= 1
    # the money PayMongo took and the bill agree: paid exactly once, with one invoice
    assert len(paid_here) == 1, paid_here
    assert bill.status is BillStatus.PAID
    assert invoice is not None
    assert len(tenders) == 1
    assert [i.sequence for i in invoices] == [1]
    assert open_attempts == []
