"""Several counters, each its own process, on one PostgreSQL database and one PayMongo account:
each counter watches, recovers and settles only its own payments, and staff can hand a gone
counter's open payments to another, audited."""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.clock import SystemClock
from pos_app.domain.roles import Role
from pos_app.services.access import AccessService
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.postgres_cluster import PostgresCluster
from tests.storage_reads import invoices_of

TIMEOUT_S = 120


@dataclass
class Clinic:
    database: Database
    database_url: str
    sandbox: SandboxServer
    key: str
    root: Path

    def counter_env(self, terminal: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("POS_APP_")}
        env.update(
            POS_APP_DATABASE_URL=self.database_url,
            POS_APP_TERMINAL_ID=terminal,
            POS_APP_DATA_DIR=str(self.root / f"counter-{terminal}"),
            POS_APP_CONFIG_DIR=str(self.root / f"config-{terminal}"),
            POS_APP_PAYMONGO_BASE_URL=self.sandbox.paymongo_url,
            PAYMONGO_SECRET_KEY=self.key,  # one PayMongo account for the clinic
        )
        return env

    def start(self, terminal: str, *steps: object) -> subprocess.Popen[str]:
        command = [sys.executable, "-m", "tests.integration.counters.counter_process"]
        return subprocess.Popen(
            [*command, *map(str, steps)],
            env=self.counter_env(terminal),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def run(self, terminal: str, *steps: object) -> list[dict[str, object]]:
        return finished(self.start(terminal, *steps))


def finished(process: subprocess.Popen[str]) -> list[dict[str, object]]:
    out, err = process.communicate(timeout=TIMEOUT_S)
    assert process.returncode == 0, err
    return [json.loads(line) for line in out.splitlines() if line.startswith("{")]


@pytest.fixture
def clinic(postgres_cluster: PostgresCluster, tmp_path: Path) -> Iterator[Clinic]:
    url = postgres_cluster.new_database()
    database = open_database(url)
    seed_demo_bills_if_empty(database, SystemClock())
    with SandboxServer() as sandbox:
        yield Clinic(database, url, sandbox, "sk_test_" + secrets.token_hex(12), tmp_path)
    database.dispose()


def _pending(clinic: Clinic, count: int) -> list[int]:
    with clinic.database.unit_of_work(read_only=True) as uow:
        bills = uow.bills.list_queue(BillStatus.PENDING, 50)
    return [bill.id for bill in bills if bill.balance.centavos >= 200_00][:count]


def _series(clinic: Clinic, terminal: str) -> list[int]:
    with clinic.database.unit_of_work(read_only=True) as uow:
        return [invoice.sequence for invoice in invoices_of(uow, terminal)]


def _invoice_of(clinic: Clinic, bill_id: int) -> str | None:
    with clinic.database.unit_of_work(read_only=True) as uow:
        invoice = uow.invoices.get_for_bill(bill_id)
    return None if invoice is None else invoice.number


def _attempt_state(clinic: Clinic, attempt_id: object) -> AttemptState:
    with clinic.database.unit_of_work(read_only=True) as uow:
        attempt = uow.attempts.get(str(attempt_id))
    assert attempt is not None
    return attempt.state


def test_two_counters_pay_their_bills_race_for_one_and_restart_apart(clinic: Clinic) -> None:
    own_a, own_b, shared, left_open = _pending(clinic, 4)
    # both at once: each its own bill by QR Ph, then both reach for the same bill in cash
    a = clinic.start("01", "pay-qr", own_a, "cash", shared)
    b = clinic.start("02", "pay-qr", own_b, "cash", shared)
    said = finished(a) + finished(b)
    assert _invoice_of(clinic, own_a) == "MAIN-01-000001"
    assert _invoice_of(clinic, own_b) == "MAIN-02-000001"
    race = [line for line in said if line.get("bill") == shared]
    assert sorted("invoice" in line and line["invoice"] is not None for line in race) == [
        False,
        True,
    ]
    with clinic.database.unit_of_work(read_only=True) as uow:
        assert len(uow.tenders.list_for_bill(shared)) == 1  # one payment for the bill

    # counter 01 shows a QR and stops; the patient pays it while counter 01 is off
    opened = clinic.run("01", "open-qr", left_open)[-1]
    submit_test_page(str(opened["url"]))
    # counter 02 restarts: the QR is counter 01's, so 02 neither looks at it nor settles it
    restarted_b = clinic.run("02")
    assert [line for line in restarted_b if line["step"] == "still-open"] == []
    assert _attempt_state(clinic, opened["attempt"]) is AttemptState.AWAITING_PAYMENT
    assert _invoice_of(clinic, left_open) is None
    # counter 01 comes back and settles its own QR in its own series
    clinic.run("01")
    assert _attempt_state(clinic, opened["attempt"]) is AttemptState.SUCCEEDED
    assert _invoice_of(clinic, left_open) is not None
    assert str(_invoice_of(clinic, left_open)).startswith("MAIN-01-")
    # each series has no gaps and no duplicates
    for terminal in ("01", "02"):
        series = _series(clinic, terminal)
        assert series == list(range(1, len(series) + 1))
    assert len(_series(clinic, "01")) + len(_series(clinic, "02")) == 4


def test_staff_hand_a_gone_counters_open_qr_to_another_audited(clinic: Clinic) -> None:
    (bill,) = _pending(clinic, 1)
    opened = clinic.run("01", "open-qr", bill)[-1]
    submit_test_page(str(opened["url"]))
    assert clinic.run("02")[0]["step"] == "started"  # 02 leaves 01's QR alone...
    assert _invoice_of(clinic, bill) is None
    access = AccessService(clinic.database, SystemClock())
    access.add_person("Olivia", Role.OWNER, "8080", by="test")
    access.add_person("Joy", Role.STAFF, "2468", by="test")
    takeover = subprocess.run(
        [sys.executable, "-m", "pos_app", "takeover", "01", "--yes", "--as", "Joy"],
        env=clinic.counter_env("02"),
        input="2468\n",  # Joy's PIN, on standard input (not a terminal)
        capture_output=True,
        text=True,
        timeout=TIMEOUT_S,
        check=False,
    )
    assert takeover.returncode == 0, takeover.stderr
    assert "took over 1 open payment(s) of counter 01" in takeover.stdout
    clinic.run("02")  # ...until staff handed it over: 02's recovery settles it in 02's series
    assert _invoice_of(clinic, bill) == "MAIN-02-000001"
    with clinic.database.unit_of_work(read_only=True) as uow:
        audit = [e for e in uow.audit.entries() if e.action == "attempts_taken_over"]
    assert len(audit) == 1
    assert audit[0].subject == "terminal:01"
    assert audit[0].actor == "Joy"
    assert audit[0].details["attempts"] == [opened["attempt"]]
