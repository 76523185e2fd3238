"""Chaos: about 30% of the clinic server's answers fail, come late or are dropped after the server
acted, and the syncing process is killed with SIGKILL at random moments. Afterwards the server's
arrival log holds every local change exactly once, in order per bill, and the counter's cache
matches the server bill for bill."""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.money import Money
from pos_app.services.clinic_sync import ClinicSync
from pos_app.storage import Database
from pos_sandbox.faults import FaultRule
from tests.integration.clinic.conftest import ClinicServer, open_bills, take_cash
from tests.storage_reads import bill_by_remote_id

KILLS = 10
SEED = int(os.environ.get("KAHA_CHAOS_SEED", "13"))


def _queue_changes(database: Database, clock: FakeClock) -> dict[int, list[str]]:
    """Two or three cash payments on each of 12 bills: the outbox keys per bill, in order."""
    rng = random.Random(SEED)
    for bill in open_bills(database, 12):
        first = Money(bill.balance.centavos // 3)
        take_cash(database, clock, bill.id, first)
        if rng.random() < 0.5:
            take_cash(database, clock, bill.id, Money(100))
        with database.unit_of_work(read_only=True) as uow:
            rest = uow.bills.get(bill.id)
        assert rest is not None
        take_cash(database, clock, bill.id, rest.balance)
    keys: dict[int, list[str]] = defaultdict(list)
    with database.unit_of_work(read_only=True) as uow:
        remote = uow.outbox.remote_ids([m.bill_id for m in uow.outbox.next_batch(1000)])
        for message in uow.outbox.next_batch(1000):
            keys[remote[message.bill_id] or 0].append(message.idempotency_key)
    return keys


def _add_chaos(server: ClinicServer) -> None:
    api = r"^/api/"
    server.faults.add(FaultRule("error", path_regex=api, status=503, probability=0.1))
    server.faults.add(FaultRule("latency", path_regex=api, delay_s=0.6, probability=0.11))
    server.faults.add(FaultRule("drop_response", path_regex=api, probability=0.125))


def _runner(db_url: str, server: ClinicServer) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "tests.integration.clinic.chaos_runner",
            db_url,
            server.url,
            server.token,
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )


def test_every_change_arrives_once_in_order_through_faults_and_kills(
    server: ClinicServer, database: Database, sync: ClinicSync, clock: FakeClock, tmp_path: Path
) -> None:
    sync.run()
    expected = _queue_changes(database, clock)
    assert sum(len(keys) for keys in expected.values()) >= 24
    _add_chaos(server)
    db_url = f"sqlite:///{tmp_path / 'counter.db'}"
    rng = random.Random(SEED)
    total = sum(len(keys) for keys in expected.values())
    killed = 0
    for _ in range(KILLS):
        arrived = len(server.state.arrivals())
        if arrived >= total:
            break
        with _runner(db_url, server) as child:  # its pipe closed at the end
            # killed once 1 to 3 more changes have landed: always mid-work, at a random point
            target = min(total, arrived + rng.randint(1, 3))
            while child.poll() is None and len(server.state.arrivals()) < target:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    child.wait(timeout=rng.uniform(0.0, 0.05))
            if child.poll() is None:
                child.send_signal(signal.SIGKILL)
                killed += 1
    with _runner(db_url, server) as final:
        out, _ = final.communicate(timeout=120)
    assert final.returncode == 0, out
    assert killed >= 3
    faults = {entry.fault for entry in server.log.entries(path_prefix="/api/")}
    assert {"error", "latency", "drop_response"} <= faults

    arrivals = server.state.arrivals()
    keys = [a.idempotency_key for a in arrivals]
    assert len(keys) == len(set(keys))  # nothing applied twice
    by_bill: dict[int, list[str]] = defaultdict(list)
    for arrival in arrivals:
        by_bill[arrival.bill_id].append(arrival.idempotency_key or "")
    assert dict(by_bill) == dict(expected)  # every change, in order per bill

    server.faults.clear()
    sync.run()  # the cache matches the server bill for bill
    with database.unit_of_work(read_only=True) as uow:
        for remote_id in server.state.bill_ids():
            local = bill_by_remote_id(uow, remote_id)
            record = server.state.bill_record(remote_id)
            assert local is not None
            assert record is not None
            assert local.status.value == record["status"], remote_id
            assert local.amount_due.to_decimal_str() == record["amount"]
            if local.status is BillStatus.PAID and remote_id in expected:
                assert local.amount_paid.to_decimal_str() == record["amount_paid"]
