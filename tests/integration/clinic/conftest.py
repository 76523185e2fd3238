"""The clinic sandbox server over real sockets, a counter database, and a client for both."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from pos_app.clinic import ClinicClient
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.clock import FakeClock
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.http_policy import Pacing, RetryPolicy, Timeouts
from pos_app.services.clinic_sync import ClinicSync
from pos_app.services.collect.bookkeeping import payable_bill, record_tender
from pos_app.services.collect.inputs import CounterIdentity
from pos_app.storage import Database, open_database
from tests.sandbox.clinic.conftest import ClinicServer, _served_clinic, control, server

__all__ = ["ClinicServer", "_served_clinic", "control", "server"]


def no_sleep_pacing(sleeps: list[float]) -> Pacing:
    """No real sleeping in tests: waits are recorded, not slept."""
    return Pacing(random=lambda: 0.5, sleep=sleeps.append)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(server: ClinicServer, sleeps: list[float]) -> Iterator[ClinicClient]:
    clinic = ClinicClient(
        base_url=server.url,
        token=server.token,
        timeouts=Timeouts(connect_s=2, read_s=2, per_try_s=2, total_s=10),
        retry=RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05),
        pacing=no_sleep_pacing(sleeps),
    )
    yield clinic
    clinic.close()


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'counter.db'}")
    yield db
    db.dispose()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sync(database: Database, client: ClinicClient, clock: FakeClock) -> ClinicSync:
    # a page per transaction: progress and resumes counted page by page
    return ClinicSync(database, client, clock, page_size=20, pages_per_commit=1, draw=lambda: 0.5)


def clinic_bill(control: httpx.Client, bill_id: int) -> dict[str, object]:
    answer = control.get(f"/_control/bills/{bill_id}")
    answer.raise_for_status()
    data: dict[str, object] = answer.json()
    return data


COUNTER = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic")


def take_cash(database: Database, clock: FakeClock, bill_id: int, amount: Money) -> None:
    """Record cash on a bill as the counter does: tender, bill state and outbox row together."""
    with database.unit_of_work() as uow:
        bill = payable_bill(uow, bill_id, amount)
        tender = uow.tenders.add(
            Tender(
                id=None,
                bill_id=bill.id,
                method=TenderMethod.CASH,
                amount=amount,
                attempt_id=None,
                cash_tendered=amount,
            ),
            at=clock.now(),
        )
        record_tender(uow, COUNTER, bill, tender, intent_id=None, at=clock.now())
        uow.commit()


def open_bills(database: Database, count: int) -> list[Bill]:
    """`count` pulled bills still owing, oldest first."""
    with database.unit_of_work(read_only=True) as uow:
        bills = uow.bills.list_queue(BillStatus.PENDING, 500)
    found = [b for b in reversed(bills) if b.remote_id is not None and b.balance.centavos >= 400]
    return found[:count]
