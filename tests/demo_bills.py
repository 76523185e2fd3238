"""Bills made in the test's own database, for tests that need bills without a clinic server.

The app itself gets its bills only from the clinic server (in sandbox mode, from the embedded
clinic stand-in's demo data, through the same sync); this is test data.
"""

from __future__ import annotations

import random
from datetime import timedelta
from typing import TYPE_CHECKING

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.clock import Clock
from pos_app.domain.money import Money

if TYPE_CHECKING:
    from pos_app.storage import Database

DEMO_CLINIC = "Dorotheo Dental Clinic - Main"
DEMO_BILL_COUNT = 36
_FIRST = (
    "Maria",
    "Jose",
    "Ana",
    "Juan",
    "Rosario",
    "Carlos",
    "Liza",
    "Ramon",
    "Teresita",
    "Paolo",
    "Cristina",
    "Miguel",
    "Josefina",
    "Antonio",
    "Grace",
    "Rodel",
    "Imelda",
    "Bong",
)
_LAST = (
    "Santos",
    "Reyes",
    "Cruz",
    "Bautista",
    "Ocampo",
    "Garcia",
    "Mendoza",
    "Torres",
    "Villanueva",
    "Ramos",
    "Aquino",
    "Castillo",
    "Dela Cruz",
    "Navarro",
    "Salazar",
    "Domingo",
)
_SERVICES = (
    ("CONS", "Dental consultation", 500_00),
    ("PROPH", "Oral prophylaxis", 1500_00),
    ("COMP1", "Composite filling, 1 surface", 2000_00),
    ("EXT", "Simple tooth extraction", 1200_00),
    ("XRAY", "Periapical x-ray", 450_00),
    ("FLUOR", "Fluoride treatment", 800_00),
    ("RCT", "Root canal treatment, anterior", 8500_00),
    ("WHITE", "Teeth whitening session", 6000_00),
)


def demo_bills(clock: Clock, count: int = DEMO_BILL_COUNT, seed: int = 7) -> list[Bill]:
    """Unpaid and part-paid bills with realistic names, services and peso prices."""
    rng = random.Random(seed)
    now = clock.now()
    bills = []
    for index in range(count):
        patient = Patient(
            id=1000 + index,
            first_name=rng.choice(_FIRST),
            last_name=rng.choice(_LAST),
            senior_pwd_id=f"SC-{rng.randint(100000, 999999)}" if rng.random() < 0.15 else None,
        )
        picked = rng.sample(_SERVICES, k=rng.randint(1, 3))
        lines = tuple(
            BillLine(code=code, description=text, quantity=1, unit_price=Money(price))
            for code, text, price in picked
        )
        amount = Money.total(line.total for line in lines)
        part_paid = index % 6 == 5
        paid = Money(amount.centavos // 2 // 100 * 100) if part_paid else Money(0)
        bills.append(
            Bill(
                id=0,
                number=f"B-{812 + index:06d}",
                patient=patient,
                clinic_name=DEMO_CLINIC,
                description="; ".join(line.description for line in lines),
                lines=lines,
                amount_due=amount,
                amount_paid=paid,
                status=BillStatus.PARTIALLY_PAID if part_paid else BillStatus.PENDING,
                updated_at=now - timedelta(minutes=7 * (count - index)),
            )
        )
    return bills


def seed_demo_bills_if_empty(database: Database, clock: Clock) -> int:
    """Add the demo bills to an empty database; returns how many were added."""
    with database.unit_of_work() as uow:
        if uow.bills.list_queue(None, 1):
            return 0
        bills = demo_bills(clock)
        for bill in bills:
            uow.bills.add(bill)
        uow.commit()
    return len(bills)
