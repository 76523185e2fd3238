"""The fake clinic server's records: clinic, patients, bills, refunds, and their JSON forms.

Money is int centavos everywhere; it becomes a two-place decimal string only on the wire.
Times are int microseconds since the epoch, shown in Manila time (+08:00) on the wire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

MANILA = timezone(timedelta(hours=8))
BILL_STATUSES = ("pending", "partially_paid", "paid", "cancelled")
_AMOUNT_TEXT = re.compile(r"^-?\d+(\.\d+)?$")

Json = dict[str, Any]


def format_amount(centavos: int) -> str:
    """2500 -> "25.00"; -5 -> "-0.05"."""
    sign = "-" if centavos < 0 else ""
    pesos, cents = divmod(abs(centavos), 100)
    return f"{sign}{pesos}.{cents:02d}"


def parse_amount(value: object) -> int:
    """An amount from JSON (decimal string, int or Decimal) in centavos.

    Raises ValueError with DRF's wording when it is not a number or has more than two decimals.
    """
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValueError("A valid number is required.")
    text = str(value).strip()
    if not _AMOUNT_TEXT.match(text):
        raise ValueError("A valid number is required.")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:  # pragma: no cover - the regex already rules this out
        raise ValueError("A valid number is required.") from exc
    if number != number.quantize(Decimal("0.01")):
        raise ValueError("Ensure that there are no more than 2 decimal places.")
    if abs(number) >= Decimal("10000000000"):
        raise ValueError("Ensure that there are no more than 12 digits in total.")
    return int(number * 100)


def format_time(micros: int) -> str:
    moment = datetime.fromtimestamp(micros / 1_000_000, tz=UTC).astimezone(MANILA)
    # fromtimestamp via float can be off by a microsecond; set the exact figure.
    moment = moment.replace(microsecond=micros % 1_000_000)
    return moment.isoformat(timespec="microseconds")


def parse_time(text: object) -> int:
    """ISO 8601 text to epoch microseconds; a time without offset is taken as Manila time."""
    if not isinstance(text, str):
        raise ValueError("not a string")
    moment = datetime.fromisoformat(text.strip())
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=MANILA)
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


@dataclass
class Patient:
    id: int
    first_name: str
    last_name: str
    senior_pwd_id: str | None = None

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "first_name": self.first_name,
            "last_name": self.last_name,
            "senior_pwd_id": self.senior_pwd_id,
        }


@dataclass
class BillLine:
    code: str
    description: str
    quantity: int
    unit_price: int

    @property
    def total(self) -> int:
        return self.quantity * self.unit_price

    def to_json(self) -> Json:
        return {
            "code": self.code,
            "description": self.description,
            "quantity": self.quantity,
            "unit_price": format_amount(self.unit_price),
        }

    @classmethod
    def from_json(cls, data: Json) -> BillLine:
        return cls(
            code=str(data["code"]),
            description=str(data["description"]),
            quantity=int(data["quantity"]),
            unit_price=parse_amount(data["unit_price"]),
        )


@dataclass
class Refund:
    id: int
    bill_id: int
    amount: int
    reason: str | None
    refund_id: str | None
    method: str | None
    refunded_at: str | None
    approved_by: str | None
    created_us: int

    def to_json(self) -> Json:
        return {
            "id": self.id,
            "bill": self.bill_id,
            "amount": format_amount(self.amount),
            "reason": self.reason,
            "refund_id": self.refund_id,
            "method": self.method,
            "refunded_at": self.refunded_at,
            "approved_by": self.approved_by,
            "created_at": format_time(self.created_us),
        }


PAYMENT_FIELDS = ("payment_intent_id", "payment_method", "payment_status", "paid_at")


@dataclass
class Bill:
    """A bill. Content (lines, amount) is the server's; payment fields are the counter's."""

    id: int
    patient_id: int
    description: str
    lines: list[BillLine]
    amount: int
    status: str = "pending"
    paid: bool = False
    amount_paid: int = 0
    payment_intent_id: str | None = None
    payment_method: str | None = None
    payment_status: str = "pending"
    paid_at: str | None = None
    invoice_number: str | None = None
    updated_us: int = 0
    refunds: list[Refund] = field(default_factory=list)

    def to_wire(self, patient: Patient, clinic: Json) -> Json:
        """The bill as the billing API shows it (clinic-backend.md)."""
        return {
            "id": self.id,
            "patient": patient.to_json(),
            "clinic": clinic,
            "description": self.description,
            "lines": [line.to_json() for line in self.lines],
            "amount": format_amount(self.amount),
            "status": self.status,
            "paid": self.paid,
            "payment_intent_id": self.payment_intent_id,
            "payment_method": self.payment_method,
            "payment_status": self.payment_status,
            "paid_at": self.paid_at,
            "updated_at": format_time(self.updated_us),
        }

    def to_record(self) -> Json:
        """Everything the fake keeps, for save/load and the control API."""
        return {
            "id": self.id,
            "patient_id": self.patient_id,
            "description": self.description,
            "lines": [line.to_json() for line in self.lines],
            "amount": format_amount(self.amount),
            "status": self.status,
            "paid": self.paid,
            "amount_paid": format_amount(self.amount_paid),
            "payment_intent_id": self.payment_intent_id,
            "payment_method": self.payment_method,
            "payment_status": self.payment_status,
            "paid_at": self.paid_at,
            "invoice_number": self.invoice_number,
            "updated_us": self.updated_us,
            "refunds": [
                refund.to_json() | {"created_us": refund.created_us} for refund in self.refunds
            ],
        }

    @classmethod
    def from_record(cls, data: Json) -> Bill:
        bill = cls(
            id=int(data["id"]),
            patient_id=int(data["patient_id"]),
            description=str(data["description"]),
            lines=[BillLine.from_json(line) for line in data["lines"]],
            amount=parse_amount(data["amount"]),
            status=str(data["status"]),
            paid=bool(data["paid"]),
            amount_paid=parse_amount(data["amount_paid"]),
            payment_status=str(data["payment_status"]),
            updated_us=int(data["updated_us"]),
        )
        for name in (*PAYMENT_FIELDS, "invoice_number"):
            if name != "payment_status":
                setattr(bill, name, data.get(name))
        bill.refunds = [_refund_from_record(bill.id, r) for r in data.get("refunds", [])]
        return bill


def _refund_from_record(bill_id: int, data: Json) -> Refund:
    return Refund(
        id=int(data["id"]),
        bill_id=bill_id,
        amount=parse_amount(data["amount"]),
        reason=data.get("reason"),
        refund_id=data.get("refund_id"),
        method=data.get("method"),
        refunded_at=data.get("refunded_at"),
        approved_by=data.get("approved_by"),
        created_us=int(data["created_us"]),
    )
