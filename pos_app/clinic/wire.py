"""The clinic server's JSON turned into the app's types: bills, pages and the sync cursor.

Amounts are decimal strings ("1500.00") read exactly into centavos; a float never holds money.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pos_app.clinic.errors import ClinicBadAnswer, parse_server_time
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.money import Money

_STATUSES = {status.value: status for status in BillStatus}


@dataclass(frozen=True, slots=True, order=True)
class Cursor:
    """Where a pull stopped: the last stored bill's (``updated_at``, ``id``) as the server said.

    ``updated_at`` is kept as the server's own text so it goes back exactly as it came.
    """

    updated_at_us: int  # microseconds since the epoch, for ordering
    bill_id: int
    updated_at: str


@dataclass(frozen=True, slots=True)
class RemoteBill:
    """A bill as the clinic server has it, in the app's types; ``bill.remote_id`` is its id."""

    bill: Bill
    cursor: Cursor
    raw: Mapping[str, Any]  # the server's JSON, kept when a change is held for the receptionist


@dataclass(frozen=True, slots=True)
class BillPage:
    count: int  # how many bills match the query in all (DRF's "count")
    has_next: bool
    bills: Sequence[RemoteBill]


def bill_number(remote_id: int) -> str:
    """The number the counter shows for a clinic bill: "B-000812"."""
    return f"B-{remote_id:06d}"


def centavos(text: object) -> int:
    """ "1500.00" -> 150000, exactly; anything else is a ClinicBadAnswer."""
    if not isinstance(text, str):
        raise ClinicBadAnswer(f"amount is not a decimal string: {text!r}")
    whole, _, fraction = text.strip().partition(".")
    if not whole.isdigit() or len(fraction) > 2 or (fraction and not fraction.isdigit()):
        raise ClinicBadAnswer(f"amount is not a decimal string: {text!r}")
    return int(whole) * 100 + int(fraction.ljust(2, "0"))


def to_micros(moment: datetime) -> int:
    delta = moment - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def parse_page(data: object) -> BillPage:
    if not isinstance(data, Mapping) or not isinstance(data.get("results"), list):
        raise ClinicBadAnswer("a bill list without results")
    count = data.get("count")
    if not isinstance(count, int):
        raise ClinicBadAnswer("a bill list without a count")
    bills = [parse_bill(item) for item in data["results"]]
    return BillPage(count=count, has_next=bool(data.get("next")), bills=bills)


def parse_bill(data: object) -> RemoteBill:
    """One bill of the contract's shape; ClinicBadAnswer for anything else."""
    try:
        return _parse_bill(data)
    except (KeyError, TypeError, ValueError) as exc:
        raise ClinicBadAnswer(f"a bill the counter cannot read: {exc!r}") from exc


def _parse_bill(data: object) -> RemoteBill:
    if not isinstance(data, Mapping):
        raise TypeError("bill is not an object")
    remote_id = int(data["id"])
    person = data["patient"]
    patient = Patient(
        id=int(person["id"]),
        first_name=str(person["first_name"]),
        last_name=str(person["last_name"]),
        senior_pwd_id=person.get("senior_pwd_id"),
    )
    lines = tuple(
        BillLine(
            code=str(line["code"]),
            description=str(line["description"]),
            quantity=int(line["quantity"]),
            unit_price=Money(centavos(line["unit_price"])),
        )
        for line in data["lines"]
    )
    amount = centavos(data["amount"])
    status = _STATUSES[data["status"]]
    paid = amount if status is BillStatus.PAID else 0
    if data.get("amount_paid") is not None:  # not in the contract; taken when a server sends it
        paid = centavos(data["amount_paid"])
    updated_text = str(data["updated_at"])
    updated = parse_server_time(updated_text)
    bill = Bill(
        id=0,
        number=bill_number(remote_id),
        patient=patient,
        clinic_name=str(data["clinic"]["name"]),
        description=str(data["description"]),
        lines=lines,
        amount_due=Money(amount),
        amount_paid=Money(paid),
        status=status,
        updated_at=updated.astimezone(UTC),
        remote_id=remote_id,
    )
    return RemoteBill(bill, Cursor(to_micros(updated), remote_id, updated_text), data)
