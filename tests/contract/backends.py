"""The two servers the contract suite runs against, behind one small interface.

`ClinicSide` is what a test needs of the clinic itself (not of the API): add a bill, change its
amount or status as staff would, and read back what the counter's writes stored. The sandbox does
that through its ClinicState, the Django app through its ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Protocol

from pos_sandbox.clinic import ClinicState
from pos_sandbox.clinic.model import BillLine as SandboxLine
from pos_sandbox.clinic.model import parse_amount

Line = tuple[str, str, int, int]  # code, description, quantity, unit price in centavos


@dataclass(frozen=True)
class Stored:
    """What the clinic keeps of a bill's payment side, in centavos."""

    amount_paid_centavos: int
    invoice_number: str | None
    payment_method: str | None
    refunds_centavos: list[int]


class ClinicSide(Protocol):
    name: str

    def add_bill(self, lines: list[Line]) -> int: ...

    def add_bills(self, count: int) -> None: ...

    def change_bill(
        self, bill_id: int, *, amount_centavos: int | None = None, status: str | None = None
    ) -> None: ...

    def stored(self, bill_id: int) -> Stored: ...


def _centavos(value: Decimal) -> int:
    return int(value * 100)


class SandboxSide:
    name = "sandbox"

    def __init__(self, state: ClinicState) -> None:
        self._state = state
        self._patient = state.add_patient("Maria", "Santos")

    def add_bill(self, lines: list[Line]) -> int:
        made = self._state.create_bill(self._patient, [SandboxLine(*line) for line in lines])
        return int(made["id"])

    def add_bills(self, count: int) -> None:
        self._state.generate(count, seed=1)

    def change_bill(
        self, bill_id: int, *, amount_centavos: int | None = None, status: str | None = None
    ) -> None:
        self._state.change_bill(bill_id, amount=amount_centavos, status=status)

    def stored(self, bill_id: int) -> Stored:
        record = self._state.bill_record(bill_id)
        assert record is not None
        return Stored(
            amount_paid_centavos=parse_amount(record["amount_paid"]),
            invoice_number=record["invoice_number"],
            payment_method=record["payment_method"],
            refunds_centavos=[parse_amount(refund["amount"]) for refund in record["refunds"]],
        )


class DjangoSide:
    name = "django"

    def __init__(self) -> None:
        from kaha_clinic.models import Clinic, Patient

        self._clinic = Clinic.objects.create(name="Dorotheo Dental Clinic - Main")
        self._patient = Patient.objects.create(first_name="Maria", last_name="Santos")

    def add_bill(self, lines: list[Line]) -> int:
        from kaha_clinic.models import Bill, BillLine

        total = sum(quantity * price for _, _, quantity, price in lines)
        bill = Bill.objects.create(
            clinic=self._clinic,
            patient=self._patient,
            description="; ".join(text for _, text, _, _ in lines),
            amount=Decimal(total) / 100,
        )
        BillLine.objects.bulk_create(
            BillLine(
                bill=bill, code=code, description=text, quantity=qty, unit_price=Decimal(p) / 100
            )
            for code, text, qty, p in lines
        )
        return bill.pk

    def add_bills(self, count: int) -> None:
        from kaha_clinic.demo import seed

        seed.seed(count, seed=1)

    def change_bill(
        self, bill_id: int, *, amount_centavos: int | None = None, status: str | None = None
    ) -> None:
        from kaha_clinic.models import Bill

        bill = Bill.objects.get(pk=bill_id)
        if amount_centavos is not None:
            bill.amount = Decimal(amount_centavos) / 100
        if status is not None:
            bill.status = status
            bill.paid = status == "paid"
        bill.save()

    def stored(self, bill_id: int) -> Stored:
        from kaha_clinic.models import Bill

        bill = Bill.objects.get(pk=bill_id)
        return Stored(
            amount_paid_centavos=_centavos(bill.amount_paid),
            invoice_number=bill.invoice_number,
            payment_method=bill.payment_method,
            refunds_centavos=[_centavos(refund.amount) for refund in bill.refunds.all()],
        )


def parse_instant(text: str) -> datetime:
    """An `updated_at`/`paid_at` from the wire; the contract demands an explicit offset."""
    moment = datetime.fromisoformat(text)
    assert moment.tzinfo is not None, text
    return moment
