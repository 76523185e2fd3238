"""A counter's database with people signed in, and a day of sales made through the real
bookkeeping (bills settled by ``record_tender``, senior/PWD discounts by ``DiscountService``,
refunds stored as the refund service stores them)."""

from __future__ import annotations

import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from pos_app.config import Settings, load_settings
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.clock import Clock, FakeClock
from pos_app.domain.discount import DiscountKind, VatStatus
from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, RefundState
from pos_app.domain.roles import Role
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.services.access import AccessService
from pos_app.services.access.pins import ScryptParameters
from pos_app.services.collect import CounterIdentity
from pos_app.services.collect.bookkeeping import record_tender
from pos_app.services.discounts import DiscountService, SeniorPwdId
from pos_app.services.readings import ReadingService
from pos_app.services.receipts import ReceiptService
from pos_app.storage import Database, open_database

FAST_KDF = ScryptParameters(n=2**4, r=8, p=1)
PINS = {"Ana Reyes": "4711", "Ben Cruz": "4712", "Rosa Lim": "4713"}
START = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)  # 08:30 in Manila
COUNTER = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Test Clinic")
PAYMENT_METHODS = (
    TenderMethod.CASH,
    TenderMethod.CASH,
    TenderMethod.QRPH,
    TenderMethod.GCASH,
    TenderMethod.PAYMAYA,
    TenderMethod.CARD,
)


def signed_in_access(database: Database, clock: Clock, name: str = "Ben Cruz") -> AccessService:
    """Ana (receptionist), Ben (staff) and Rosa (owner); ``name`` signed in."""
    access = AccessService(database, clock, kdf=FAST_KDF)
    if not access.people():
        access.add_person("Rosa Lim", Role.OWNER, PINS["Rosa Lim"], by="test")
        access.add_person("Ben Cruz", Role.STAFF, PINS["Ben Cruz"], by="test")
        access.add_person("Ana Reyes", Role.RECEPTIONIST, PINS["Ana Reyes"], by="test")
    access.sign_in(name, PINS[name])
    return access


@dataclass
class Counter:
    database: Database
    clock: FakeClock
    settings: Settings
    access: AccessService
    readings: ReadingService
    backups: list[Path] = field(default_factory=list)


def make_counter(
    database: Database, tmp_path: Path, vat: VatStatus = VatStatus.VAT, terminal: str = "01"
) -> Counter:
    clock = FakeClock(START)
    settings = load_settings(
        {
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            "POS_APP_VAT_REGISTRATION": vat.value,
            "POS_APP_TERMINAL_ID": terminal,
        }
    )
    access = signed_in_access(database, clock)
    backups: list[Path] = []

    def back_up() -> Path:
        backups.append(tmp_path / f"backup-{len(backups)}.db")
        return backups[-1]

    readings = ReadingService(
        database,
        access,
        ReceiptService(settings, database=database, clock=clock),
        terminal_id=terminal,
        vat_status=vat,
        clock=clock,
        after_z_reading=back_up,
    )
    return Counter(database, clock, settings, access, readings, backups)


@pytest.fixture
def database(tmp_path: Path) -> Iterator[Database]:
    db = open_database(f"sqlite:///{tmp_path / 'kaha.db'}")
    yield db
    db.dispose()


@pytest.fixture
def counter(database: Database, tmp_path: Path) -> Counter:
    return make_counter(database, tmp_path)


def new_bill(database: Database, amount: Money, at: datetime, number: str) -> Bill:
    line = BillLine(code="SVC", description="Dental service", quantity=1, unit_price=amount)
    bill = Bill(
        id=0,
        number=number,
        patient=Patient(id=0, first_name="Maria", last_name="Santos"),
        clinic_name="Test Clinic",
        description="Dental service",
        lines=(line,),
        amount_due=amount,
        amount_paid=Money.ZERO,
        status=BillStatus.PENDING,
        updated_at=at,
    )
    with database.unit_of_work() as uow:
        stored = uow.bills.add(bill)
        uow.commit()
    return stored


def pay(
    database: Database,
    bill_id: int,
    method: TenderMethod,
    amount: Money,
    at: datetime,
    counter: CounterIdentity = COUNTER,
) -> None:
    """One tender through the real bookkeeping (invoice when the bill is covered)."""
    with database.unit_of_work() as uow:
        bill = uow.bills.get(bill_id)
        assert bill is not None
        cash = amount + Money(5000) if method is TenderMethod.CASH else None
        tender = uow.tenders.add(
            Tender(None, bill_id, method, amount, None, cash_tendered=cash),
            at=at,
            terminal_id=counter.terminal_id,
        )
        record_tender(uow, counter, bill, tender, intent_id=None, at=at)
        uow.commit()


def refund(
    database: Database, bill_id: int, amount: Money, at: datetime, state: RefundState
) -> str:
    refund_id = uuid.uuid4().hex
    with database.unit_of_work() as uow:
        uow.refunds.add(
            Refund(
                id=refund_id,
                bill_id=bill_id,
                attempt_id=None,
                amount=amount,
                reason="test",
                state=state,
                paymongo_refund_id=None,
                idempotency_key=uuid.uuid4().hex,
                requested_by="Ben Cruz",
                approved_by=None,
                created_at=at,
                manual=True,
            )
        )
        uow.commit()
    return refund_id


def discount(
    database: Database, clock: FakeClock, vat: VatStatus, bill_id: int, kind: DiscountKind
) -> None:
    service = DiscountService(database, vat, clock=clock)
    card = SeniorPwdId(kind, "National ID (PhilSys)", f"ID-{bill_id:06d}", "Maria Santos")
    service.apply(bill_id, card)


def busy_day(counter: Counter, rng: random.Random, sales: int, vat: VatStatus) -> None:
    """``sales`` bills over the day: whole and part payments by every method, senior and PWD
    discounts, and refunds (some still pending, which no reading counts)."""
    clock, database = counter.clock, counter.database
    for index in range(sales):
        clock.advance(timedelta(seconds=rng.randint(5, 90)))
        amount = Money(rng.randint(100_00, 9000_00))
        bill = new_bill(database, amount, clock.now(), f"B-{uuid.uuid4().hex[:10]}")
        roll = rng.random()
        if roll < 0.1:
            discount(database, clock, vat, bill.id, DiscountKind.SENIOR)
        elif roll < 0.18:
            discount(database, clock, vat, bill.id, DiscountKind.PWD)
        with database.unit_of_work(read_only=True) as uow:
            due = uow.bills.get(bill.id)
        assert due is not None
        parts = 1 if rng.random() < 0.7 else rng.randint(2, 3)
        left = due.amount_due
        for part in range(parts):
            share = left if part == parts - 1 else Money(left.centavos // 2)
            if share.is_zero:
                break
            if rng.random() < 0.08 and part == parts - 1:
                break  # a part payment left for another day
            pay(database, bill.id, rng.choice(PAYMENT_METHODS), share, clock.now())
            left -= share
            clock.advance(timedelta(seconds=rng.randint(1, 30)))
        if index % 17 == 3:
            state = RefundState.SUCCEEDED if rng.random() < 0.8 else RefundState.PENDING
            refund(database, bill.id, Money(rng.randint(1, 100_00)), clock.now(), state)
