"""Readings: the Z-reading of a day of 2,000 invoices (target under 1 s).

The day is made through the real bookkeeping (``record_tender``: tender, invoice, audit, outbox)
on a SQLite file with the production pragmas, in transactions of 200 bills: every tenth bill
with a senior or PWD discount (``DiscountService``), one in five paid in two parts by two
methods, and 40 refunds. The figure is ``ReadingService.take_z`` as the counter runs it (read
the period, compute, store, move the grand total on), taken once; working the stored Z-reading
out again (``recompute_z``, the same reads and sums) is repeated for a median.
"""

from __future__ import annotations

import random
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.common import Figure, median
from pos_app.config import load_settings
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.clock import FakeClock
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
from pos_app.storage.unit_of_work import UnitOfWork

INVOICES = 2_000
BATCH = 200
REFUNDS = 40
REPEATS = 5
TARGET_S = 1.0
SEED = 20261207
START = datetime(2026, 12, 7, 0, 30, tzinfo=UTC)
COUNTER = CounterIdentity(terminal_id="01", invoice_prefix="MAIN", clinic_name="Bench Clinic")
METHODS = (TenderMethod.CASH, TenderMethod.QRPH, TenderMethod.GCASH, TenderMethod.CARD)


def _bill(number: int, amount: Money, at: datetime) -> Bill:
    line = BillLine(code="SVC", description="Dental service", quantity=1, unit_price=amount)
    return Bill(
        id=0,
        number=f"B-{number:07d}",
        patient=Patient(id=0, first_name="Maria", last_name="Santos"),
        clinic_name="Bench Clinic",
        description="Dental service",
        lines=(line,),
        amount_due=amount,
        amount_paid=Money.ZERO,
        status=BillStatus.PENDING,
        updated_at=at,
    )


def _make_day(database: Database, clock: FakeClock, rng: random.Random) -> None:
    discounts = DiscountService(database, VatStatus.VAT, clock=clock)
    paid: list[int] = []
    for first in range(0, INVOICES, BATCH):
        with database.unit_of_work() as uow:
            ids = [
                uow.bills.add(_bill(n, Money(rng.randint(300_00, 9000_00)), clock.now())).id
                for n in range(first, first + BATCH)
            ]
            uow.commit()
        for bill_id in ids[::10]:
            kind = DiscountKind.SENIOR if rng.random() < 0.6 else DiscountKind.PWD
            card = SeniorPwdId(kind, "National ID (PhilSys)", f"ID-{bill_id:06d}", "Maria Santos")
            discounts.apply(bill_id, card)
        with database.unit_of_work() as uow:
            for bill_id in ids:
                clock.advance(timedelta(seconds=10))
                _pay(uow, bill_id, rng, clock.now())
            uow.commit()
        paid += ids
    with database.unit_of_work() as uow:
        for bill_id in rng.sample(paid, REFUNDS):
            uow.refunds.add(
                Refund(
                    id=uuid.uuid4().hex,
                    bill_id=bill_id,
                    attempt_id=None,
                    amount=Money(rng.randint(1_00, 100_00)),
                    reason="bench",
                    state=RefundState.SUCCEEDED,
                    paymongo_refund_id=None,
                    idempotency_key=uuid.uuid4().hex,
                    requested_by="bench",
                    approved_by=None,
                    created_at=clock.now(),
                    manual=True,
                )
            )
        uow.commit()


def _pay(uow: UnitOfWork, bill_id: int, rng: random.Random, at: datetime) -> None:
    bill = uow.bills.get(bill_id)
    assert bill is not None
    due = bill.amount_due
    parts = (
        [due] if rng.random() < 0.8 else [Money(due.centavos // 2), due - Money(due.centavos // 2)]
    )
    for amount in parts:
        method = rng.choice(METHODS)
        cash = amount if method is TenderMethod.CASH else None
        tender = uow.tenders.add(
            Tender(None, bill_id, method, amount, None, cash_tendered=cash), at=at, terminal_id="01"
        )
        bill, _ = record_tender(uow, COUNTER, bill, tender, intent_id=None, at=at)


def run() -> list[Figure]:
    rng = random.Random(SEED)
    with tempfile.TemporaryDirectory() as folder:
        tmp = Path(folder)
        database = open_database(f"sqlite:///{tmp / 'kaha.db'}")
        try:
            clock = FakeClock(START)
            access = AccessService(database, clock, kdf=ScryptParameters(n=2**4, r=8, p=1))
            access.add_person("Bench Owner", Role.OWNER, "4711", by="bench")
            access.sign_in("Bench Owner", "4711")
            settings = load_settings({"POS_APP_DATA_DIR": str(tmp / "data")})
            service = ReadingService(
                database,
                access,
                ReceiptService(settings, database=database, clock=clock),
                terminal_id="01",
                vat_status=VatStatus.VAT,
                clock=clock,
            )
            _make_day(database, clock, rng)
            clock.advance(timedelta(minutes=5))
            started = time.perf_counter()
            z = service.take_z()
            take_s = time.perf_counter() - started
            assert z.figures.invoice_count == INVOICES
            again = []
            for _ in range(REPEATS):
                started = time.perf_counter()
                assert service.recompute_z(z.business_date) == z
                again.append(time.perf_counter() - started)
        finally:
            database.dispose()
    target = f"< {TARGET_S:.0f} s"
    return [
        Figure(
            f"Z-reading of a day of {INVOICES:,} invoices (take_z, once)",
            take_s * 1000,
            "ms",
            target,
            take_s < TARGET_S,
        ),
        Figure(
            "the same Z-reading worked out again (recompute_z, median)",
            median(again) * 1000,
            "ms",
            target,
            median(again) < TARGET_S,
        ),
    ]
