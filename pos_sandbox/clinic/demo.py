"""Made-up but realistic demo data: Filipino patients, dental services at Metro Manila prices.

Everything is drawn from a seeded `random.Random`, so a seed always gives the same data.
"""

from __future__ import annotations

import random

from pos_sandbox.clinic.model import Bill, BillLine, Patient

CLINIC = {"id": 1, "name": "Dorotheo Dental Clinic - Main"}

# (code, description, unit price in centavos, most a patient would get in one visit)
SERVICES: tuple[tuple[str, str, int, int], ...] = (
    ("CONS", "Consultation and oral examination", 50_000, 1),
    ("PROPH", "Oral prophylaxis", 150_000, 1),
    ("SRP", "Deep scaling and root planing, per quadrant", 250_000, 4),
    ("COMP1", "Composite filling, 1 surface", 200_000, 3),
    ("COMP2", "Composite filling, 2 surfaces", 280_000, 2),
    ("EXT", "Simple tooth extraction", 150_000, 2),
    ("EXT-S", "Surgical extraction, impacted molar", 800_000, 1),
    ("PA-XR", "Periapical x-ray", 50_000, 3),
    ("PANO", "Panoramic x-ray", 120_000, 1),
    ("RCT-A", "Root canal treatment, anterior tooth", 800_000, 1),
    ("RCT-M", "Root canal treatment, molar", 1_500_000, 1),
    ("PFM", "Porcelain-fused-to-metal crown", 1_200_000, 1),
    ("DENT-P", "Partial denture, acrylic", 900_000, 1),
    ("FLUOR", "Fluoride application", 80_000, 1),
    ("SEAL", "Pit and fissure sealant, per tooth", 70_000, 4),
    ("WHITE", "In-office teeth whitening", 1_500_000, 1),
    ("ORTHO", "Orthodontic adjustment", 150_000, 1),
)

FIRST_NAMES = (
    "Maria", "Jose", "Juan", "Ana", "Ramon", "Corazon", "Rosario", "Eduardo", "Lourdes",
    "Fernando", "Teresita", "Antonio", "Carmelita", "Rogelio", "Angelica", "Mark Anthony",
    "Kristine", "Jerome", "Princess", "John Paul", "Ma. Cristina", "Rhea", "Jericho", "Divina",
    "Renato", "Marites", "Rodrigo", "Imelda", "Noel", "Jasmine", "Paolo", "Gemma",
)  # fmt: skip
LAST_NAMES = (
    "Santos", "Reyes", "Cruz", "Bautista", "Ocampo", "Garcia", "Mendoza", "Torres", "Tomas",
    "Andrada", "Castillo", "Flores", "Villanueva", "Ramos", "Castro", "Rivera", "Aquino",
    "Navarro", "Salazar", "Mercado", "Dela Cruz", "De Guzman", "Pascual", "Soriano", "Manalo",
    "Dizon", "Lim", "Tan", "Gonzales", "Sarmiento", "Dimaculangan", "Macaraeg",
)  # fmt: skip
CITIES = ("QC", "MNL", "MKT", "PSG", "TGG", "CAL", "PAS", "MND")
PAYMENT_METHODS = ("cash", "qrph", "gcash", "paymaya", "grab_pay", "card")
# Most bills at a counter are waiting to be paid; the rest cover every other status.
STATUSES = ("pending", "partially_paid", "paid", "cancelled")
STATUS_WEIGHTS = (60, 10, 25, 5)


def senior_pwd_id(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return f"SC-{rng.choice(CITIES)}-{rng.randint(2005, 2025)}-{rng.randint(1, 99999):05d}"
    return f"PWD-NCR-{rng.randint(13, 13)}{rng.randint(74, 76)}-{rng.randint(1, 999999):06d}"


def make_patients(rng: random.Random, count: int, first_id: int) -> list[Patient]:
    patients = []
    for offset in range(count):
        special = senior_pwd_id(rng) if rng.random() < 0.2 else None
        patients.append(
            Patient(first_id + offset, rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES), special)
        )
    return patients


def _below(rng: random.Random, limit: int) -> int:
    """A uniform int in [0, limit): rng.random() is several times faster than randrange."""
    return int(rng.random() * limit)


def _pick_services(rng: random.Random) -> list[tuple[str, str, int, int]]:
    wanted = 1 + _below(rng, 4)
    picked: dict[int, None] = {}
    while len(picked) < wanted:
        picked[_below(rng, len(SERVICES))] = None
    return [SERVICES[index] for index in picked]


def _pick_status(rng: random.Random) -> str:
    draw = _below(rng, sum(STATUS_WEIGHTS))
    for status, weight in zip(STATUSES, STATUS_WEIGHTS, strict=True):
        if draw < weight:
            return status
        draw -= weight
    return STATUSES[0]  # pragma: no cover - draw is always below the total


def make_bill(rng: random.Random, bill_id: int, patient_id: int) -> Bill:
    """A bill with 1-4 distinct service lines in a random status (timestamps left to the caller).

    Written for speed (generate() makes 100k of these): uniform draws via rng.random().
    """
    lines = [
        BillLine(code, text, 1 + _below(rng, most), price)
        for code, text, price, most in _pick_services(rng)
    ]
    amount = sum(line.total for line in lines)
    bill = Bill(
        id=bill_id,
        patient_id=patient_id,
        description="; ".join(line.description for line in lines),
        lines=lines,
        amount=amount,
        status=_pick_status(rng),
    )
    if bill.status in ("paid", "partially_paid"):
        paid_part = amount if bill.status == "paid" else (amount // 200) * 100
        _mark_paid(rng, bill, paid_part)
    elif bill.status == "cancelled":
        bill.payment_status = "cancelled"
    return bill


def _mark_paid(rng: random.Random, bill: Bill, amount_paid: int) -> None:
    bill.paid = bill.status == "paid"
    bill.amount_paid = amount_paid
    bill.payment_method = PAYMENT_METHODS[_below(rng, len(PAYMENT_METHODS))]
    if bill.payment_method != "cash":
        bill.payment_intent_id = f"pi_{rng.getrandbits(96):024x}"
    bill.payment_status = "succeeded"
    day, hour, minute = 1 + _below(rng, 25), 8 + _below(rng, 10), _below(rng, 60)
    bill.paid_at = f"2026-11-{day:02d}T{hour:02d}:{minute:02d}:00+08:00"
