"""Refunds against the sandbox: a seeded database copied per test, a bill paid each way, and a
RefundService with a staff member signed in."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from pos_app.domain.bill import BillStatus
from pos_app.domain.errors import PermissionDenied
from pos_app.domain.money import Money
from pos_app.domain.people import Person
from pos_app.domain.roles import Permission, Role
from pos_app.domain.roles import require as role_require
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.printing.refund_slip import RefundSlip
from pos_app.services.access.approval import Approval
from pos_app.services.collect import CollectService, CounterIdentity
from pos_app.services.collect.inputs import CardDetails
from pos_app.services.refunds.service import RefundService
from pos_app.storage import Database, open_database
from pos_sandbox.server import SandboxServer
from tests.demo_bills import seed_demo_bills_if_empty
from tests.integration.collect.conftest import SandboxTimeClock, make_client, patient_pays

COUNTER = CounterIdentity("01", "MAIN", "Test Clinic", keyed_card_enabled=True)
SETTLE_S = 3600.0  # refunds settle only when a test moves the sandbox clock


class SignedIn:
    """AccessService as refunds see it: one person signed in (or nobody)."""

    def __init__(self, person: Person | None) -> None:
        self.actor = person

    def require(self, permission: Permission) -> Person:
        if self.actor is None:
            raise PermissionDenied("Please sign in first.")
        role_require(self.actor.role, permission)
        return self.actor

    def check(self, permission: Permission) -> Person:
        return self.require(permission)

    def require_approved(self, permission: Permission) -> Approval:
        return Approval(self.require(permission))


class PrintedSlips:
    """The slip printer: remembers what it printed."""

    def __init__(self) -> None:
        self.slips: list[RefundSlip] = []

    def print_refund_slip(self, slip: RefundSlip, bill_id: int) -> str:
        self.slips.append(slip)
        return "Sent to the receipt printer"


STAFF = Person(id=2, name="Bea Staff", role=Role.STAFF, active=True)


@pytest.fixture(scope="module")
def sandbox() -> Iterator[SandboxServer]:
    with SandboxServer() as server:
        yield server


@pytest.fixture
def fresh(sandbox: SandboxServer) -> SandboxServer:
    sandbox.reset()
    sandbox.paymongo.configure(rate_limit_per_second=None, refund_settle_seconds=SETTLE_S)
    return sandbox


@pytest.fixture(scope="module")
def seeded_file(tmp_path_factory: pytest.TempPathFactory, sandbox: SandboxServer) -> Path:
    path = tmp_path_factory.mktemp("refunds") / "counter.sqlite3"
    db = open_database(f"sqlite:///{path}")
    seed_demo_bills_if_empty(db, SandboxTimeClock(sandbox))
    db.dispose()
    return path


@pytest.fixture
def database(tmp_path: Path, fresh: SandboxServer, seeded_file: Path) -> Iterator[Database]:
    path = tmp_path / "counter.sqlite3"
    shutil.copyfile(seeded_file, path)
    db = open_database(f"sqlite:///{path}")
    yield db
    db.dispose()


@pytest.fixture
def client(fresh: SandboxServer) -> Iterator[PayMongoClient]:
    with make_client(fresh) as paymongo:
        yield paymongo


@pytest.fixture
def collect(
    database: Database, fresh: SandboxServer, client: PayMongoClient
) -> Iterator[CollectService]:
    service = CollectService(database, client, SandboxTimeClock(fresh), COUNTER)
    yield service
    service.close()


@pytest.fixture
def access() -> SignedIn:
    return SignedIn(STAFF)


@pytest.fixture
def slips() -> PrintedSlips:
    return PrintedSlips()


@pytest.fixture
def refunds(
    database: Database,
    fresh: SandboxServer,
    client: PayMongoClient,
    access: SignedIn,
    slips: PrintedSlips,
) -> RefundService:
    return RefundService(
        database, client, SandboxTimeClock(fresh), access, terminal_id="01", slips=slips
    )


def paid_bill(
    database: Database, collect: CollectService, method: TenderMethod, index: int = 0
) -> tuple[int, str | None, Money]:
    """A pending demo bill paid in full by ``method``: (bill id, attempt id, amount)."""
    with database.unit_of_work(read_only=True) as uow:
        bills = [
            b for b in uow.bills.list_queue(BillStatus.PENDING, 50) if b.balance >= Money(200_00)
        ]
    bill = bills[index]
    amount = bill.balance
    if method is TenderMethod.CASH:
        collect.pay_cash(bill.id, amount, amount)
        return bill.id, None, amount
    if method is TenderMethod.CARD:
        card = CardDetails(number="4343434343434345", exp_month=12, exp_year=2030, cvc="123")
        update = collect.start_keyed_card(bill.id, amount, card)
    else:
        update = collect.start(bill.id, method, amount)
        assert update.display is not None
        assert update.display.url is not None
        patient_pays(update.display.url)
        update = collect.refresh(update.attempt.id)
    assert update.settlement is not None, update.message
    return bill.id, update.attempt.id, amount
