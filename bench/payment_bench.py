"""Collecting a QR Ph payment: time to QR, time from the patient's "Authorize" to "Paid", and
how many PayMongo requests an open payment costs per second.

Runs the real services (database, PayMongo client, monitor) against the in-process sandbox with
100 ms of latency injected on every PayMongo request, as a slow clinic connection would add.
"""

from __future__ import annotations

import random
import secrets
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.common import Figure, median, percentile
from pos_app.clinic import ClinicClient
from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.services.clinic_sync import ClinicSync
from pos_app.services.collect import CollectService, CounterIdentity, PaymentMonitor
from pos_app.services.collect.results import AttemptUpdate
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.storage import Database, open_database
from pos_app.ui.monitor_bridge import POLL_TICK_MS
from pos_sandbox.faults import FaultRule
from pos_sandbox.server import SandboxServer

LATENCY_S = 0.100
GUI_TICK_S = POLL_TICK_MS / 1000  # the counter's QTimer that asks the monitor what is due
RUNS_TO_QR = 15
RUNS_TO_PAID = 20
WAIT_WINDOW_S = 10.0


def _bills(database: Database) -> list[int]:
    with database.unit_of_work(read_only=True) as uow:
        return [bill.id for bill in uow.bills.list_queue(None, 200) if bill.accepts_payment]


def _time_to_qr(collect: CollectService, bill_ids: list[int]) -> list[float]:
    samples = []
    for bill_id in bill_ids[:RUNS_TO_QR]:
        started = time.perf_counter()
        update = collect.start(bill_id, TenderMethod.QRPH, Money(100_00))
        samples.append(time.perf_counter() - started)
        collect.cancel(update.attempt.id)
    return samples


def _drive(monitor: PaymentMonitor, stop: threading.Event) -> None:
    """What the GUI timer does: every tick, check each due payment on a worker thread."""
    while not stop.wait(GUI_TICK_S):
        for attempt_id in monitor.due(datetime.now(UTC)):
            threading.Thread(target=monitor.check, args=(attempt_id,), daemon=True).start()


def _time_to_paid(
    collect: CollectService, monitor: PaymentMonitor, bill_ids: list[int]
) -> list[float]:
    rng = random.Random(7)
    paid_at: dict[str, float] = {}
    done = threading.Condition()

    def on_update(update: AttemptUpdate) -> None:
        if update.paid:
            with done:
                paid_at[update.attempt.id] = time.perf_counter()
                done.notify_all()

    monitor.subscribe(on_update)
    samples = []
    for bill_id in bill_ids[:RUNS_TO_PAID]:
        update = collect.start(bill_id, TenderMethod.QRPH, Money(100_00))
        monitor.track(update)
        time.sleep(rng.uniform(0.5, 3.0))  # the patient opens the banking app and scans
        assert update.display is not None
        assert update.display.url is not None
        submit_test_page(update.display.url)
        authorized = time.perf_counter()
        attempt_id = update.attempt.id
        with done:
            done.wait_for(lambda: attempt_id in paid_at, timeout=10)  # noqa: B023 - waited here
        samples.append(paid_at[attempt_id] - authorized)
    return samples


def _requests_per_open_payment(
    sandbox: SandboxServer, collect: CollectService, monitor: PaymentMonitor, bill_id: int
) -> float:
    update = collect.start(bill_id, TenderMethod.QRPH, Money(100_00))
    monitor.track(update)
    intent_id = update.attempt.paymongo_ids["intent"]
    started = time.time()
    time.sleep(WAIT_WINDOW_S)
    polls = [
        entry
        for entry in sandbox.paymongo_log.entries(path_prefix=f"/v1/payment_intents/{intent_id}")
        if entry.method == "GET" and entry.at >= started
    ]
    collect.cancel(update.attempt.id)
    return len(polls) / WAIT_WINDOW_S


def run() -> list[Figure]:
    with (
        tempfile.TemporaryDirectory(prefix="kaha-bench-pay-") as scratch,
        SandboxServer() as sandbox,
    ):
        sandbox.paymongo.configure(rate_limit_per_second=None)
        database = open_database(f"sqlite:///{Path(scratch) / 'counter.sqlite3'}")
        clinic = ClinicClient(base_url=sandbox.clinic_url, token=sandbox.clinic_token)
        ClinicSync(database, clinic, SystemClock()).run(push=False)  # the sandbox's demo bills
        clinic.close()
        bill_ids = _bills(database)
        client = PayMongoClient(
            secret_key="sk_test_" + secrets.token_hex(12), base_url=sandbox.paymongo_url
        )
        clock = SystemClock()
        collect = CollectService(
            database, client, clock, CounterIdentity("01", "MAIN", "Bench Clinic")
        )
        monitor = PaymentMonitor(collect, clock)
        sandbox.paymongo_faults.add(
            FaultRule(kind="latency", path_regex="^/v1/", delay_s=LATENCY_S)
        )
        to_qr = _time_to_qr(collect, bill_ids)
        stop = threading.Event()
        driver = threading.Thread(target=_drive, args=(monitor, stop), daemon=True)
        driver.start()
        try:
            to_paid = _time_to_paid(collect, monitor, bill_ids[RUNS_TO_QR:])
            per_second = _requests_per_open_payment(sandbox, collect, monitor, bill_ids[-1])
        finally:
            stop.set()
            driver.join()
            collect.close()
            client.close()
            database.dispose()
    floor = 2 * LATENCY_S
    qr_median = median(to_qr)
    limit = 1.2 * floor + 0.050
    return [
        Figure(
            "Collect to QR shown, 100 ms RTT (median)",
            qr_median * 1000,
            "ms",
            f"<= {limit * 1000:.0f} ms (1.2 x 2 RTT + 50)",
            qr_median <= limit,
        ),
        Figure("Collect to QR shown, 100 ms RTT (p95)", percentile(to_qr, 95) * 1000, "ms"),
        Figure(
            "patient authorizes to Paid (p50)",
            median(to_paid),
            "s",
            "<= 0.6 s",
            median(to_paid) <= 0.6,
        ),
        Figure(
            "patient authorizes to Paid (p95)",
            percentile(to_paid, 95),
            "s",
            "<= 1.2 s",
            percentile(to_paid, 95) <= 1.2,
        ),
        Figure(
            "PayMongo requests per open payment per second",
            per_second,
            "req/s",
            "<= 1",
            per_second <= 1.0,
        ),
    ]
