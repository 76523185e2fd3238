"""The counter's own PATCH body (pos_app's `clinic_patch`) on both servers: a bill paid after the
counter's discount is taken, and a bill whose amount the clinic changed is 409 even when only
part of it was paid."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import httpx

from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender, TenderMethod
from pos_app.services.collect.bookkeeping import clinic_patch
from tests.contract.backends import Stored
from tests.contract.conftest import Clinic
from tests.contract.test_reading import CLEANING

AMOUNT = Money(350_000)  # CLEANING: what the clinic billed
SENIOR_DISCOUNT = Money(70_000)  # 20% off, taken at the counter


def _counter_bill(remote_id: int, *, paid: Money, discount: Money) -> Bill:
    """The counter's copy of the clinic's bill after a tender of `paid` was recorded."""
    due = AMOUNT - discount
    return Bill(
        id=1,
        number=f"B-{remote_id}",
        patient=Patient(id=1, first_name="Maria", last_name="Santos"),
        clinic_name="Dorotheo Dental Clinic - Main",
        description="Cleaning",
        lines=tuple(BillLine(code, text, qty, Money(price)) for code, text, qty, price in CLEANING),
        amount_due=due,
        amount_paid=paid,
        status=BillStatus.PAID if paid >= due else BillStatus.PARTIALLY_PAID,
        updated_at=datetime(2026, 11, 26, 2, 2, 11, tzinfo=UTC),
        remote_id=remote_id,
        discount=discount,
    )


def _send(api: httpx.Client, bill: Bill, paid: Money) -> httpx.Response:
    assert bill.remote_id is not None
    tender = Tender(None, bill.id, TenderMethod.CASH, paid, None, cash_tendered=paid)
    body = clinic_patch(bill, tender, None, None, bill.updated_at)
    headers = {"Idempotency-Key": uuid.uuid4().hex}
    return api.patch(f"/api/billing/{bill.remote_id}/", json=body, headers=headers)


def test_a_bill_paid_after_the_counters_discount_is_taken(
    clinic: Clinic, api: httpx.Client
) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    paid = AMOUNT - SENIOR_DISCOUNT
    response = _send(api, _counter_bill(bill_id, paid=paid, discount=SENIOR_DISCOUNT), paid)
    assert response.status_code == 200, response.text
    assert response.json()["amount"] == "3500.00"
    assert clinic.side.stored(bill_id) == Stored(280_000, None, "cash", [])


def test_a_part_payment_on_a_bill_the_clinic_changed_is_409(
    clinic: Clinic, api: httpx.Client
) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    clinic.side.change_bill(bill_id, amount_centavos=420_000)  # after the counter pulled it
    part = Money(100_000)
    response = _send(api, _counter_bill(bill_id, paid=part, discount=Money.ZERO), part)
    assert response.status_code == 409, response.text
    assert (response.json()["detail"], response.json()["amount"]) == ("amount changed", "4200.00")
    assert clinic.side.stored(bill_id).amount_paid_centavos == 0


def test_a_part_payment_on_an_unchanged_discounted_bill_is_taken(
    clinic: Clinic, api: httpx.Client
) -> None:
    bill_id = clinic.side.add_bill(CLEANING)
    part = Money(100_000)
    response = _send(api, _counter_bill(bill_id, paid=part, discount=SENIOR_DISCOUNT), part)
    assert response.status_code == 200, response.text
    assert response.json()["status"] == "partially_paid"
