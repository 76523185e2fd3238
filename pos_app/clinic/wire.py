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
    seen = _Seen()  # a page repeats patients, clinics and catalogue lines: each read once
    bills = [parse_bill(item, seen) for item in data["results"]]
    return BillPage(count=count, has_next=bool(data.get("next")), bills=bills)


class _Seen:
    """What one page already read: equal JSON gives the same (immutable) value, checked once."""

    __slots__ = ("lines", "patients")

    def __init__(self) -> None:
        self.lines: dict[tuple[object, ...], BillLine] = {}
        self.patients: dict[tuple[object, ...], Patient] = {}


def parse_bill(data: object, seen: _Seen | None = None) -> RemoteBill:
    """One bill of the contract's shape; ClinicBadAnswer for anything else."""
    try:
        return _parse_bill(data, _Seen() if seen is None else seen)
    except (KeyError, TypeError, ValueError) as exc:
        raise ClinicBadAnswer(f"a bill the counter cannot read: {exc!r}") from exc


def _parse_bill(data: object, seen: _Seen) -> RemoteBill:
    if not isinstance(data, Mapping):
        raise TypeError("bill is not an object")
    remote_id = int(data["id"])
    person = data["patient"]
    patient_key = (
        person["id"],
        person["first_name"],
        person["last_name"],
        person.get("senior_pwd_id"),
    )
    patient = seen.patients.get(patient_key)
    if patient is None:
        patient = seen.patients[patient_key] = Patient(
            id=int(person["id"]),
            first_name=str(person["first_name"]),
            last_name=str(person["last_name"]),
            senior_pwd_id=person.get("senior_pwd_id"),
        )
    lines = tuple([_line(line, seen.lines) for line in data["lines"]])
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


def _line(data: Mapping[str, Any], known: dict[tuple[object, ...], BillLine]) -> BillLine:
    key = (data["code"], data["description"], data["quantity"], data["unit_price"])
    line = known.get(key)
    if line is None:
        line = known[key] = BillLine(
            code=str(data["code"]),
            description=str(data["description"]),
            quantity=int(data["quantity"]),
            unit_price=Money(centavos(data["unit_price"])),
        )
    return line
