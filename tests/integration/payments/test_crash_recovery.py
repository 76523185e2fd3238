"""SIGKILL at every named step of a GCash Source payment, and at chosen steps of GCash intents
and card checkout, then a fresh process recovers. The sandbox's ledger and the local database
must agree: no bill charged twice, none lost, no invoice for an unpaid bill, the invoice series
without gaps.

(QR Ph at every step is covered by tests/reliability/test_crash_recovery.py.)
"""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.domain.bill import BillStatus
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.crash_points import SOURCE_NAMES
from pos_app.storage import open_database
from pos_sandbox.server import SandboxServer
from tests.integration.payments.crash_harness import new_bill, run_runner
from tests.storage_reads import invoices_of

# A Source payment at every one of its named steps; GCash intents and card checkout where their
# recovery differs from QR Ph's (kept few: each case starts two Python processes).
CASES: list[tuple[str, str]] = [
    ("gcash", "intent_answered"),  # intent + method made at PayMongo, ids not stored
    ("checkout", "intent_answered"),  # session made, its id not stored
    ("checkout", "paid_before_invoice"),
    *(("source-gcash", name) for name in SOURCE_NAMES),
]
_KIND = {"checkout": "checkout_session", "source-gcash": "source"}


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        server.paymongo.configure(rate_limit_per_second=None)
        yield server


def _payment_ids(sandbox: SandboxServer) -> set[str]:
    return {str(entry["id"]) for entry in sandbox.paymongo.ledger() if entry["kind"] == "payment"}


@pytest.mark.parametrize(("flow", "crash_at"), CASES)
def test_kill_then_recover_in_a_fresh_process(
    tmp_path: Path, sandbox: SandboxServer, flow: str, crash_at: str
) -> None:
    db_url = f"sqlite:///{tmp_path / 'counter.sqlite3'}"
    bill_id = new_bill(db_url)
    payments_before = _payment_ids(sandbox)
    kind = _KIND.get(flow, "payment_intent")
    method = TenderMethod(flow.removeprefix("source-"))
    made_before = {o["id"] for o in sandbox.paymongo.objects(kind)}

    args = ("collect", db_url, sandbox.paymongo_url, str(bill_id), flow)
    crashed = run_runner(*args, crash_at=crash_at)
    assert crashed.returncode == -signal.SIGKILL, crashed.stderr
    recovered = run_runner("recover", db_url, sandbox.paymongo_url)
    assert recovered.returncode == 0, recovered.stderr
    states = json.loads(recovered.stdout.strip().splitlines()[-1])["recovered"]

    made = [o for o in sandbox.paymongo.objects(kind) if o["id"] not in made_before]
    taken = _payment_ids(sandbox) - payments_before
    database = open_database(db_url)
    with database.unit_of_work(read_only=True) as uow:
        bill = uow.bills.get(bill_id)
        tenders = uow.tenders.list_for_bill(bill_id)
        invoices = invoices_of(uow, "01")
        still_open = uow.attempts.list_open(terminal_id=None)
    database.dispose()
    assert bill is not None
    assert len(made) == 1, "a replayed create must hand back the same PayMongo object"
    assert len(taken) == 1, "PayMongo took the money exactly once"
    assert bill.status is BillStatus.PAID
    assert [(t.method, t.amount) for t in tenders] == [(method, Money(1_500_00))]
    assert [(i.sequence, i.bill_id) for i in invoices] == [(1, bill_id)]
    assert still_open == []
    assert set(states.values()) <= {"succeeded"}
