"""Reconciliation of 10,000 PayMongo payments (issue 16): how long one run takes, in pages of 100,
and how many requests it makes to PayMongo.

The in-process sandbox gets 10,000 paid QR Ph payments in one control request
(``/_control/bulk_payments``); the counter's database gets the 10,000 attempts and tenders they
belong to, inserted in bulk. The run starts with nothing reconciled, so it reads every page,
matches every payment to its tender, and checks every tender against its payment.
"""

from __future__ import annotations

import secrets
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import insert

from bench.common import Figure
from pos_app.domain.attempt import AttemptState
from pos_app.domain.clinic_time import PHILIPPINE_TIME
from pos_app.domain.clock import SystemClock
from pos_app.paymongo import PayMongoClient
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.reconcile.service import ReconcileService
from pos_app.storage import Database, open_database
from pos_app.storage.models import AttemptPaymongoIdRow, PaymentAttemptRow, TenderRow
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty

PAYMENTS = 10_000
PAGE_SIZE = 100
TARGET_S = 60.0
AMOUNT = 50_000


def _seed_counter(database: Database, count: int) -> list[tuple[str, str]]:
    """``count`` succeeded QR Ph attempts with tenders; returns (attempt id, intent id) pairs."""
    now = datetime.now(UTC)
    with database.unit_of_work(read_only=True) as uow:
        bill_ids = [b.id for b in uow.bills.list_queue(None, 200)]
    pairs = [(uuid.uuid4().hex, "pi_" + secrets.token_hex(12)) for _ in range(count)]
    attempts, ids, tenders = [], [], []
    for index, (attempt_id, intent_id) in enumerate(pairs):
        bill_id = bill_ids[index % len(bill_ids)]
        attempts.append(
            {
                "id": attempt_id,
                "bill_id": bill_id,
                "terminal_id": "01",  # this counter's, as the bench's reconciler is
                "method": "qrph",
                "amount_centavos": AMOUNT,
                "state": AttemptState.SUCCEEDED.value,
                "created_at": now,
                "updated_at": now,
            }
        )
        ids.append({"attempt_id": attempt_id, "kind": "intent", "paymongo_id": intent_id})
        tenders.append(
            {
                "bill_id": bill_id,
                "method": "qrph",
                "amount_centavos": AMOUNT,
                "attempt_id": attempt_id,
                "recorded_at": now,
            }
        )
    with database.unit_of_work() as uow:
        uow.session.execute(insert(PaymentAttemptRow), attempts)
        uow.session.execute(insert(AttemptPaymongoIdRow), ids)
        uow.session.execute(insert(TenderRow), tenders)
        uow.commit()
    return pairs


def _seed_paymongo(sandbox: SandboxServer, pairs: list[tuple[str, str]]) -> None:
    specs = [
        {"amount": AMOUNT, "payment_intent_id": intent_id, "metadata": {"kaha_attempt": attempt_id}}
        for attempt_id, intent_id in pairs
    ]
    answer = httpx.post(
        f"{sandbox.paymongo_url}/_control/bulk_payments", json={"payments": specs}, timeout=120
    )
    answer.raise_for_status()


def run() -> list[Figure]:
    with tempfile.TemporaryDirectory(prefix="kaha-reconcile-bench-") as scratch:
        database = open_database(f"sqlite:///{Path(scratch) / 'counter.sqlite3'}")
        clock = SystemClock()
        seed_demo_bills_if_empty(database, clock)
        with SandboxServer() as sandbox:
            sandbox.paymongo.configure(rate_limit_per_second=None)
            _seed_paymongo(sandbox, _seed_counter(database, PAYMENTS))
            client = PayMongoClient(
                secret_key="sk_test_" + secrets.token_hex(12), base_url=sandbox.paymongo_url
            )
            identity = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Bench")
            collect = CollectService(database, client, clock, identity)
            service = ReconcileService(database, client, collect, clock, "01", page_size=PAGE_SIZE)
            try:
                started = time.perf_counter()
                result = service.run(since=clock.now() - timedelta(days=1))
                took = time.perf_counter() - started
            finally:
                collect.close()
                client.close()
        database.dispose()
    matched = sum(result.outcomes.values())
    if matched != PAYMENTS or result.new_cases or result.new_flags:
        raise RuntimeError(f"bench run went wrong: {result.lines(PHILIPPINE_TIME)}")
    note = f"{PAYMENTS:,} payments, pages of {PAGE_SIZE}"
    return [
        Figure("reconciliation run", took, "s", f"< {TARGET_S:.0f} s", took < TARGET_S, note=note),
        Figure("requests to PayMongo", float(result.requests), "", note=note),
        Figure("payments per second", PAYMENTS / took, "/s", note=note),
    ]
