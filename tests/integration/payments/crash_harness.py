"""Shared by every crash suite (named crash points and random kills): a pending bill for the
runner to collect, and one run of the runner in a fresh Python process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.clock import SystemClock
from pos_app.domain.money import Money
from pos_app.services.collect.crash_points import CRASH_ENV
from pos_app.storage import Database, open_database
from tests.integration.payments.crash_runner import AMOUNT

ROOT = Path(__file__).resolve().parents[3]
RUNNER = "tests.integration.payments.crash_runner"


def add_bill(database: Database, number: str = "B-CRASH") -> int:
    """A pending bill of exactly the runner's ``AMOUNT``; returns its id."""
    line = BillLine(code="PROPH", description="Oral prophylaxis", quantity=1, unit_price=AMOUNT)
    with database.unit_of_work() as uow:
        bill = uow.bills.add(
            Bill(
                id=0,
                number=number,
                patient=Patient(id=1, first_name="Maria", last_name="Santos"),
                clinic_name="Crash Clinic",
                description="Oral prophylaxis",
                lines=(line,),
                amount_due=AMOUNT,
                amount_paid=Money(0),
                status=BillStatus.PENDING,
                updated_at=SystemClock().now(),
            )
        )
        uow.commit()
    return bill.id


def new_bill(db_url: str) -> int:
    """``add_bill`` on a database opened (and migrated) for the purpose."""
    database = open_database(db_url)
    try:
        return add_bill(database)
    finally:
        database.dispose()


def run_runner(
    *args: str, crash_at: str | None = None, timeout_s: float = 120, runner: str = RUNNER
) -> subprocess.CompletedProcess[str]:
    """``python -m crash_runner *args``, dying by SIGKILL at ``crash_at`` if given."""
    env = {k: v for k, v in os.environ.items() if k != CRASH_ENV}
    if crash_at is not None:
        env[CRASH_ENV] = crash_at
    return subprocess.run(
        [sys.executable, "-m", runner, *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
