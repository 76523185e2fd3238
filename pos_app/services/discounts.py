"""Senior citizen and PWD discount at the counter (RA 9994, RA 10754; philippines.md).

The receptionist marks the patient of the selected bill as a senior citizen or a person with
disability, with the ID type, number and the name on the ID. One 20% applies, never stacked, and
only before anything is collected. The discount and the new amount due are stored with the bill;
the ID details go in the audit log (tamper-evident, never deleted), which is also what the senior
and PWD sales books read.

Threading contract: every method blocks on the database; run it on the database worker.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from pos_app.domain.clinic_time import start_of_day, zone_named
from pos_app.domain.clock import Clock, SystemClock
from pos_app.domain.discount import DiscountKind, DiscountResult, VatStatus, senior_pwd_discount
from pos_app.domain.errors import DiscountRefused, NotFound
from pos_app.domain.money import Money

if TYPE_CHECKING:
    from pos_app.domain.bill import Bill
    from pos_app.storage import Database

AUDIT_ACTION = "senior_pwd_discount"

ID_TYPES: dict[DiscountKind, tuple[str, ...]] = {
    DiscountKind.SENIOR: ("OSCA senior citizen ID", "National ID (PhilSys)", "Other government ID"),
    DiscountKind.PWD: ("PWD ID (NCDA)", "National ID (PhilSys)", "Other government ID"),
}
"""The ID types the dialog offers, per kind (the first is the usual one)."""

_ID_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 /-]{2,39}$")


@dataclass(frozen=True)
class SeniorPwdId:
    """What the receptionist reads off the patient's ID."""

    kind: DiscountKind  # SENIOR or PWD
    id_type: str
    id_number: str
    name_on_id: str

    def checked(self) -> SeniorPwdId:
        """The same details trimmed, or DiscountRefused saying what to fix."""
        if not self.kind.is_statutory:
            raise DiscountRefused("Choose senior citizen or PWD.")
        id_type, number = self.id_type.strip(), " ".join(self.id_number.split())
        name = " ".join(self.name_on_id.split())
        if not id_type:
            raise DiscountRefused("Choose the type of ID the patient showed.")
        if not _ID_NUMBER.match(number):
            raise DiscountRefused(
                "Type the ID number as printed on the ID (letters, digits and dashes, 3 or more)."
            )
        if len(name) < 2 or not any(ch.isalpha() for ch in name):
            raise DiscountRefused("Type the patient's name exactly as it is on the ID.")
        return SeniorPwdId(self.kind, id_type[:60], number, name[:120])


@dataclass(frozen=True)
class AppliedSeniorPwd:
    """A discount as stored: the ID and the figures."""

    bill_id: int
    bill_number: str
    applied_at: datetime
    card: SeniorPwdId
    result: DiscountResult


@dataclass(frozen=True)
class BookEntry:
    """One line of the senior or PWD sales book."""

    invoice_number: str | None  # None while the bill is not paid in full
    bill_number: str
    name_on_id: str
    id_type: str
    id_number: str
    gross: Money
    discount: Money  # the 20%
    vat_exempt: Money  # VAT taken off (zero for a non-VAT clinic)
    net: Money


def _money(value: Any) -> Money:
    return Money(int(value))


def applied_from(details: dict[str, Any], at: datetime) -> AppliedSeniorPwd:
    card = SeniorPwdId(
        DiscountKind(details["kind"]),
        str(details["id_type"]),
        str(details["id_number"]),
        str(details["name_on_id"]),
    )
    result = DiscountResult(
        gross=_money(details["gross"]),
        vat_exempt_sale=_money(details["vat_exempt_sale"]),
        vat_removed=_money(details["vat_removed"]),
        discount=_money(details["discount"]),
        due=_money(details["due"]),
    )
    return AppliedSeniorPwd(int(details["bill_id"]), str(details["bill_number"]), at, card, result)


class DiscountService:
    """Applies the senior/PWD discount to a bill and reads the sales books."""

    def __init__(
        self,
        database: Database,
        vat_status: VatStatus,
        *,
        time_zone: str = "Asia/Manila",
        cashier: str = "counter",
        clock: Clock | None = None,
        signed_in: Callable[[], str | None] | None = None,
    ) -> None:
        """``signed_in``: the person signed in now, named in the audit (else ``cashier``)."""
        self._database = database
        self._vat_status = vat_status
        self._zone = zone_named(time_zone)
        self._cashier = cashier
        self._signed_in = signed_in
        self._clock = clock or SystemClock()

    def apply(self, bill_id: int, card: SeniorPwdId) -> Bill:
        """Store the 20% (VAT removed first for a VAT clinic) with the bill; the bill as now."""
        card = card.checked()
        now = self._clock.now()
        with self._database.unit_of_work() as uow:
            bill = uow.bills.get(bill_id)
            if bill is None:
                raise NotFound("That bill is no longer on this counter. Pick it again.")
            if not bill.amount_paid.is_zero:
                raise DiscountRefused(
                    f"Bill {bill.number} already has a payment, so the senior/PWD discount "
                    "can no longer be added. Apply it before collecting."
                )
            if any(attempt.is_open for attempt in uow.attempts.list_for_bill(bill_id)):
                raise DiscountRefused(
                    f"A payment is open on bill {bill.number}. Cancel it first, then apply "
                    "the discount."
                )
            if not bill.discount.is_zero:
                raise DiscountRefused(
                    f"Bill {bill.number} already has its discount. Only one 20% applies."
                )
            result = senior_pwd_discount(bill.amount_due, self._vat_status)
            off = result.discount + result.vat_removed
            updated = uow.bills.set_discount(bill_id, discount=off, amount_due=result.due, at=now)
            uow.audit.append(
                at=now,
                actor=(self._signed_in and self._signed_in()) or self._cashier,
                action=AUDIT_ACTION,
                subject=f"bill:{bill_id}",
                details={
                    "bill_id": bill_id,
                    "bill_number": bill.number,
                    "kind": card.kind.value,
                    "id_type": card.id_type,
                    "id_number": card.id_number,
                    "name_on_id": card.name_on_id,
                    "gross": result.gross.centavos,
                    "vat_exempt_sale": result.vat_exempt_sale.centavos,
                    "vat_removed": result.vat_removed.centavos,
                    "discount": result.discount.centavos,
                    "due": result.due.centavos,
                },
            )
            uow.commit()
        return updated

    def books(self, day: date) -> dict[DiscountKind, list[BookEntry]]:
        """The day's senior and PWD sales books (read-only), in the order applied."""
        start, end = start_of_day(day, self._zone), start_of_day(day + timedelta(1), self._zone)
        books: dict[DiscountKind, list[BookEntry]] = {DiscountKind.SENIOR: [], DiscountKind.PWD: []}
        with self._database.unit_of_work(read_only=True) as uow:
            for at, details in uow.audit.details_of(AUDIT_ACTION, start, end):
                applied = applied_from(details, at)
                invoice = uow.invoices.get_for_bill(applied.bill_id)
                card, result = applied.card, applied.result
                books[card.kind].append(
                    BookEntry(
                        invoice_number=invoice.number if invoice else None,
                        bill_number=applied.bill_number,
                        name_on_id=card.name_on_id,
                        id_type=card.id_type,
                        id_number=card.id_number,
                        gross=result.gross,
                        discount=result.discount,
                        vat_exempt=result.vat_removed,
                        net=result.due,
                    )
                )
        return books


def applied_to(database: Database, bill_id: int) -> AppliedSeniorPwd | None:
    """The senior/PWD discount stored with ``bill_id``, if any (blocks on the database)."""
    with database.unit_of_work(read_only=True) as uow:
        found = uow.audit.details_of(AUDIT_ACTION, subject=f"bill:{bill_id}")
    return applied_from(found[-1][1], found[-1][0]) if found else None


def with_id_on_patient(bill: Bill, applied: AppliedSeniorPwd) -> Bill:
    """The bill with the patient's ID number as recorded at the counter (for the invoice)."""
    patient = replace(bill.patient, senior_pwd_id=applied.card.id_number)
    return replace(bill, patient=patient)
