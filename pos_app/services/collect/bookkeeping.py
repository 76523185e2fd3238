"""The bill's side of a payment, inside the caller's unit of work: may this bill take a payment,
record a tender (bill paid or part paid, invoice when covered, outbox row), flag an overpayment,
open a walk-in bill.

Threading contract: every function works in the unit of work it is given and never commits;
the caller holds the bill row lock (``get_for_update``) and commits once.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.bill import Bill, BillLine, BillStatus, Patient
from pos_app.domain.errors import AmountError, NotFound, UserFacingError
from pos_app.domain.invoice import Invoice
from pos_app.domain.money import Money
from pos_app.domain.tender import Tender
from pos_app.services.collect.inputs import CounterIdentity
from pos_app.services.collect.results import Settlement
from pos_app.storage import UnitOfWork


def payable_bill(uow: UnitOfWork, bill_id: int, amount: Money) -> Bill:
    """The bill, locked, if ``amount`` may be collected on it now; otherwise say why."""
    bill = require_bill(uow.bills.get_for_update(bill_id))
    if not bill.accepts_payment:
        raise UserFacingError(f"Bill {bill.number} is already paid or cancelled.")
    held = uow.clinic_sync.held(bill_id)
    if held is not None:  # never collect against an amount the clinic has since changed
        raise UserFacingError(
            f"The clinic changed this bill: {held.old_amount} → {held.new_amount}. "
            "Accept the new amount before collecting more."
        )
    if amount.is_zero:
        raise AmountError("There is nothing to collect. Please check the amount.")
    pending = Money.total(a.amount for a in uow.attempts.list_for_bill(bill_id) if a.is_open)
    if pending:
        raise UserFacingError(
            f"A QR code for {pending} is still open on bill {bill.number}. "
            "Wait for it, or cancel it (Esc) before collecting another way."
        )
    if amount > bill.balance:
        raise AmountError(
            f"That is more than the balance of {bill.balance}. "
            "Collect the balance or less; split the payment if needed."
        )
    return bill


def record_tender(
    uow: UnitOfWork,
    counter: CounterIdentity,
    bill: Bill,
    tender: Tender,
    *,
    intent_id: str | None,
    at: datetime,
) -> tuple[Bill, Settlement | None]:
    """Bill paid or part paid, invoice if covered, outbox row for the clinic server."""
    paid = bill.amount_paid + tender.amount
    covered = paid >= bill.amount_due
    status = BillStatus.PAID if covered else BillStatus.PARTIALLY_PAID
    bill = uow.bills.set_payment_state(bill.id, amount_paid=paid, status=status, at=at)
    uow.audit.append(
        at=at,
        actor=counter.actor,
        action="tender_recorded",
        subject=f"bill:{bill.id}",
        details={"method": tender.method.value, "amount": str(tender.amount)},
    )
    invoice: Invoice | None = None
    settlement = None
    if covered:
        invoice = uow.invoices.issue(
            bill_id=bill.id,
            terminal_id=counter.terminal_id,
            prefix=counter.invoice_prefix,
            total=bill.amount_due,
            at=at,
        )
        uow.audit.append(
            at=at,
            actor=counter.actor,
            action="invoice_issued",
            subject=f"bill:{bill.id}",
            details={"invoice": invoice.number},
        )
        settlement = Settlement(bill, invoice, tuple(uow.tenders.list_for_bill(bill.id)))
    uow.outbox.enqueue(
        bill.id,
        "payment_result",
        clinic_patch(bill, tender, intent_id, invoice, at),
        at=at,
        idempotency_key=uuid.uuid4().hex,
    )
    return bill, settlement


def audit_overpayment(
    uow: UnitOfWork, attempt: PaymentAttempt, paymongo_id: str, reason: str, at: datetime
) -> None:
    """Money that is not the bill's: listed for staff (Overpayments), never a second invoice."""
    uow.audit.append(
        at=at,
        actor="paymongo",
        action="overpayment_case",
        subject=f"bill:{attempt.bill_id}",
        details={
            "attempt": attempt.id,
            "intent": paymongo_id,
            "amount": str(attempt.amount),
            "reason": reason,
        },
    )


def walk_in_number(uow: UnitOfWork, local: datetime) -> str:
    """Short and read as the clinic's clock: "W-1207-1403" for 7 December, 2:03 pm; a second
    walk-in in the same minute gets "W-1207-1403-2"."""
    base = f"W-{local:%m%d-%H%M}"
    taken = {row.number for row in uow.bills.queue_rows(base, None, limit=100)}
    suffix = 1
    number = base
    while number in taken:
        suffix += 1
        number = f"{base}-{suffix}"
    return number


def add_walk_in_bill(
    uow: UnitOfWork,
    counter: CounterIdentity,
    patient_name: str,
    lines: Sequence[tuple[str, int, Money]],
    *,
    at: datetime,
) -> Bill:
    """A bill made at the counter for someone the clinic server has no bill for yet."""
    name = " ".join(patient_name.split())
    if not name:
        raise UserFacingError("Type the patient's name first.")
    if not lines or any(qty < 1 or price.is_zero for _, qty, price in lines):
        raise AmountError("Each line needs a service, a quantity of 1 or more and a price.")
    first, _, last = name.partition(" ")
    bill_lines = tuple(
        BillLine(
            code="WALKIN", description=text.strip() or "Service", quantity=qty, unit_price=price
        )
        for text, qty, price in lines
    )
    bill = uow.bills.add(
        Bill(
            id=0,
            number=walk_in_number(uow, at.astimezone(counter.zone)),
            patient=Patient(id=0, first_name=first, last_name=last),
            clinic_name=counter.clinic_name,
            description="; ".join(line.description for line in bill_lines),
            lines=bill_lines,
            amount_due=Money.total(line.total for line in bill_lines),
            amount_paid=Money(0),
            status=BillStatus.PENDING,
            updated_at=at,
        )
    )
    uow.audit.append(at=at, actor=counter.actor, action="walk_in_bill", subject=f"bill:{bill.id}")
    return bill


def clinic_patch(
    bill: Bill, tender: Tender, intent_id: str | None, invoice: Invoice | None, at: datetime
) -> dict[str, object]:
    """The PATCH body the clinic server expects (clinic-backend.md, "Writing payment
    results back").

    ``expected_amount`` is the bill amount the counter pulled (before its own senior/PWD or promo
    discount), so the server answers 409 only when the clinic changed the bill, not when the
    counter collected less after a discount (docs/clinic-server.md, correction 3)."""
    return {
        "status": bill.status.value,
        "paid": bill.status is BillStatus.PAID,
        "amount_paid": bill.amount_paid.to_decimal_str(),
        "payment_intent_id": intent_id,
        "payment_method": tender.method.value,
        "payment_status": "succeeded",
        "paid_at": at.isoformat(),
        "invoice_number": invoice.number if invoice else None,
        "expected_amount": (bill.amount_due + bill.discount).to_decimal_str(),
    }


def require_bill(bill: Bill | None) -> Bill:
    if bill is None:
        raise NotFound(
            "That bill is no longer on this counter. Refresh the list and pick it again."
        )
    return bill
