"""SIGKILL at every named step of a QR Ph payment, then restart: the sandbox's ledger and the
local database agree. No bill charged twice, none lost, no invoice for an unpaid bill."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.domain.bill import BillStatus
from pos_app.services.collect.crash_points import NAMES
from pos_app.storage import open_database
from pos_sandbox.server import SandboxServer
from tests.integration.payments.crash_harness import new_bill, run_runner
from tests.storage_reads import invoices_of


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        server.paymongo.configure(rate_limit_per_second=None)
        yield server


@pytest.mark.parametrize("crash_at", NAMES)
def test_kill_at_each_step_then_recover(
    tmp_path: Path, sandbox: SandboxServer, crash_at: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'counter.sqlite3'}"
    bill_id = new_bill(db_url)
    intents_before = {i["id"] for i in sandbox.paymongo.objects("payment_intent")}

    crashed = run_runner(
        "collect", db_url, sandbox.paymongo_url, str(bill_id), "qrph", crash_at=crash_at
    )
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr

    recovered = run_runner("recover", db_url, sandbox.paymongo_url)
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
        open_attempts = uow.attempts.list_open(terminal_id=None)
        invoices = invoices_of(uow, "01")
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
