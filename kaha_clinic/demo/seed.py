"""Demo data for the example site: the sandbox's generator, so both servers hold alike bills.

`pos_sandbox.clinic.demo` is plain Python (seeded `random.Random`, no server), which is why only
this demo module may import it (an import-linter contract keeps the reusable app free of it).
"""

from __future__ import annotations

import random
from datetime import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction
from rest_framework.authtoken.models import Token

from kaha_clinic.models import Bill, BillLine, Clinic, Patient
from pos_sandbox.clinic import demo

COUNTER_USERNAME = "kaha-counter"
BATCH = 2_000
DEMO_PATIENTS = 36


def _pesos(centavos: int) -> Decimal:
    return Decimal(centavos) / 100


def ensure_counter_token(key: str) -> None:
    """The counter's user, with `key` as its DRF token (replacing any other it had)."""
    user, _ = get_user_model().objects.get_or_create(username=COUNTER_USERNAME)
    with transaction.atomic():
        Token.objects.filter(user=user).exclude(key=key).delete()
        Token.objects.get_or_create(key=key, defaults={"user": user})


def ensure_admin(username: str, password: str) -> None:
    """A superuser for Django's admin (its password set to `password`)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=username).first()
    if user is None:
        user_model.objects.create_superuser(username=username, password=password)
    else:
        user.set_password(password)
        user.save()


def seed(count: int, seed: int = 0) -> int:
    """Add the demo clinic and patients if missing, then `count` bills; returns bills stored."""
    rng = random.Random(seed)
    clinic_id, clinic_name = int(str(demo.CLINIC["id"])), str(demo.CLINIC["name"])
    clinic = Clinic.objects.filter(pk=clinic_id).first()
    if clinic is None:
        clinic = Clinic.objects.create(id=clinic_id, name=clinic_name)
    patient_ids = list(Patient.objects.values_list("id", flat=True))
    if not patient_ids:
        patients = demo.make_patients(rng, DEMO_PATIENTS, 1)
        Patient.objects.bulk_create(
            Patient(
                id=p.id,
                first_name=p.first_name,
                last_name=p.last_name,
                senior_pwd_id=p.senior_pwd_id,
            )
            for p in patients
        )
        patient_ids = [p.id for p in patients]
    last = Bill.objects.order_by("-id").values_list("id", flat=True).first() or 0
    for start in range(0, count, BATCH):
        _add_batch(rng, clinic, patient_ids, last + 1 + start, min(BATCH, count - start))
    return Bill.objects.count()


def _add_batch(
    rng: random.Random, clinic: Clinic, patient_ids: list[int], first_id: int, size: int
) -> None:
    bills: list[Bill] = []
    lines: list[BillLine] = []
    for bill_id in range(first_id, first_id + size):
        made = demo.make_bill(rng, bill_id, patient_ids[int(rng.random() * len(patient_ids))])
        bills.append(
            Bill(
                id=made.id,
                clinic=clinic,
                patient_id=made.patient_id,
                description=made.description,
                amount=_pesos(made.amount),
                status=made.status,
                paid=made.paid,
                amount_paid=_pesos(made.amount_paid),
                payment_intent_id=made.payment_intent_id,
                payment_method=made.payment_method,
                payment_status=made.payment_status,
                paid_at=datetime.fromisoformat(made.paid_at) if made.paid_at else None,
            )
        )
        lines.extend(
            BillLine(
                bill_id=made.id,
                code=line.code,
                description=line.description,
                quantity=line.quantity,
                unit_price=_pesos(line.unit_price),
            )
            for line in made.lines
        )
    with transaction.atomic():
        Bill.objects.bulk_create(bills)
        BillLine.objects.bulk_create(lines)
