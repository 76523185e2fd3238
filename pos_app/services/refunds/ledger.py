"""The counter's side of refunds, inside the caller's unit of work: what each payment on a bill
can still give back, and booking a finished refund (the bill's money and status, the clinic's
outbox message, the audit row). An issued invoice is never touched.

Threading contract: every function works in the unit of work it is given and never commits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from pos_app.domain.attempt import AttemptState, PaymentAttempt
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.errors import IllegalTransition, NotFound
from pos_app.domain.money import Money
from pos_app.domain.refund import REFUND_TRANSITIONS, Refund, RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.storage import UnitOfWork
from pos_app.storage.repositories.overpayments import OverpaymentRepository


@dataclass(frozen=True)
class PaidMoney:
    """One payment on a bill as stored here: a tender (or an overpayment case's money, or money
    applied to the bill from a case: ``applied``, with the case's attempt as ``attempt_id``)."""

    tender_id: int | None
    attempt_id: str | None  # None: the bill's cash, all tenders together
    method: TenderMethod
    paid: Money
    paid_at: datetime
    refunded_here: Money  # refunds recorded here that are not failed, PayMongo and manual
    refunded_here_api: Money  # of which through PayMongo
    applied: bool = False  # money applied from an overpayment case (its own refund line)


def require(bill: Bill | None) -> Bill:
    if bill is None:
        raise NotFound("That bill is no longer on this counter. Refresh the list.")
    return bill


def paid_money(uow: UnitOfWork, bill_id: int) -> list[PaidMoney]:
    """Each way money came in on the bill: cash together, each electronic payment on its own,
    money held in an overpayment case (no tender), and money applied from a case (its tender;
    refunds of it name that tender, so they never count against the case's other money)."""
    tenders = uow.tenders.list_for_bill(bill_id)
    times = uow.documents.tender_times(bill_id)
    refunds = [r for r in uow.refunds.list_for_bill(bill_id) if r.state is not RefundState.FAILED]
    found: list[PaidMoney] = []
    cash = [t for t in tenders if t.method.is_cash]
    if cash:
        mine = [r for r in refunds if r.attempt_id is None]
        found.append(
            PaidMoney(
                tender_id=cash[0].id,
                attempt_id=None,
                method=TenderMethod.CASH,
                paid=Money.total(t.amount for t in cash),
                paid_at=max(times[t.id] for t in cash if t.id is not None),
                refunded_here=Money.total(r.amount for r in mine),
                refunded_here_api=Money.ZERO,
            )
        )
    tendered = {t.attempt_id for t in tenders}
    applied = OverpaymentRepository(uow.session).applied_to_bill(bill_id)
    for tender in tenders:
        if tender.id in applied:
            mine = [r for r in refunds if r.tender_id == tender.id]
            found.append(
                PaidMoney(
                    tender_id=tender.id,
                    attempt_id=applied[tender.id],
                    method=tender.method,
                    paid=tender.amount,
                    paid_at=times[tender.id],
                    refunded_here=Money.total(r.amount for r in mine),
                    refunded_here_api=Money.total(r.amount for r in mine if not r.manual),
                    applied=True,
                )
            )
    for tender in tenders:
        if tender.attempt_id is None or tender.id is None:
            continue
        found.append(
            _electronic(
                tender_id=tender.id,
                attempt_id=tender.attempt_id,
                method=tender.method,
                amount=tender.amount,
                at=times[tender.id],
                refunds=refunds,
            )
        )
    for attempt in uow.attempts.list_for_bill(bill_id):
        if attempt.id not in tendered and attempt.state is AttemptState.NEEDS_REVIEW:
            found.append(
                _electronic(
                    tender_id=None,
                    attempt_id=attempt.id,
                    method=attempt.method,
                    amount=attempt.amount,
                    at=attempt.updated_at,
                    refunds=refunds,
                )
            )
    return found


def _electronic(
    *,
    tender_id: int | None,
    attempt_id: str,
    method: TenderMethod,
    amount: Money,
    at: datetime,
    refunds: list[Refund],
) -> PaidMoney:
    mine = [r for r in refunds if r.attempt_id == attempt_id and r.tender_id is None]
    return PaidMoney(
        tender_id=tender_id,
        attempt_id=attempt_id,
        method=method,
        paid=amount,
        paid_at=at,
        refunded_here=Money.total(r.amount for r in mine),
        refunded_here_api=Money.total(r.amount for r in mine if not r.manual),
    )


def one_payment(
    uow: UnitOfWork, bill_id: int, attempt_id: str | None, tender_id: int | None = None
) -> PaidMoney:
    """The payment ``attempt_id`` of the bill, ``tender_id`` picking among its lines (the money
    of an overpayment case applied to the bill is a line of the case's attempt with its own
    tender). Without ``tender_id``, applied money is found only when it is the attempt's only
    money on the bill."""
    lines = [m for m in paid_money(uow, bill_id) if m.attempt_id == attempt_id]
    if tender_id is not None:
        picked = [m for m in lines if m.tender_id == tender_id]
    else:
        picked = [m for m in lines if not m.applied] or lines
    if picked:
        return picked[0]
    what = "no cash payment" if attempt_id is None else "no such payment"
    raise NotFound(f"This bill has {what} to refund. Refresh and pick the payment again.")


def attempt_of(uow: UnitOfWork, attempt_id: str) -> PaymentAttempt:
    attempt = uow.attempts.get(attempt_id)
    if attempt is None:
        raise NotFound("That payment is not on this counter's records.", detail=attempt_id)
    return attempt


def store_refund(uow: UnitOfWork, refund: Refund) -> Refund:
    """Compare-and-set: a refund that moved on meanwhile (a webhook, another look) is not
    overwritten with an older state."""
    current = uow.refunds.get(refund.id)
    if current is None:
        raise NotFound("That refund is not on this counter's records.", detail=refund.id)
    if current.state is not refund.state and (current.state, refund.state) not in (
        REFUND_TRANSITIONS
    ):
        raise IllegalTransition(
            detail=f"refund {refund.id} is {current.state.value}, not {refund.state.value}"
        )
    uow.refunds.update(refund)
    return refund


def book(uow: UnitOfWork, refund: Refund, at: datetime) -> Refund:
    """The money went back: take it off the bill (never editing the invoice), tell the clinic
    server through the outbox, audit it. Once per refund (``booked_at``); the bill row is locked
    first, so a poll and a webhook finishing the same refund cannot both book it."""
    bill = require(uow.bills.get_for_update(refund.bill_id))
    current = uow.refunds.get(refund.id)
    if current is None or current.booked_at is not None:
        raise IllegalTransition(detail=f"refund {refund.id} is already booked")
    tendered = (
        refund.attempt_id is None
        or refund.tender_id is not None
        or uow.tenders.find_by_attempt(refund.attempt_id)
    )
    if tendered:
        paid = bill.amount_paid.minus_floor_zero(refund.amount)
        status = BillStatus.REFUNDED if paid.is_zero else bill.status
        bill = uow.bills.set_payment_state(bill.id, amount_paid=paid, status=status, at=at)
    invoice = uow.invoices.get_for_bill(bill.id)
    method = TenderMethod.CASH.value
    if refund.attempt_id is not None:
        method = attempt_of(uow, refund.attempt_id).method.value
    uow.outbox.enqueue(
        bill.id,
        "refund",
        {
            "amount": refund.amount.to_decimal_str(),
            "reason": refund.reason,
            "refund_id": refund.paymongo_refund_id or refund.slip_number or refund.id,
            "method": method if not refund.manual else f"{method} ({refund.channel} by hand)",
            "refunded_at": at.isoformat(),
            "approved_by": refund.approved_by or refund.requested_by,
            "invoice_number": invoice.number if invoice else None,
        },
        at=at,
        idempotency_key=f"refund-{refund.id}",
    )
    uow.audit.append(
        at=at,
        actor=refund.requested_by,
        action="refund_succeeded",
        subject=f"bill:{bill.id}",
        approver=refund.approved_by if refund.approved_by != refund.requested_by else None,
        details={
            "refund": refund.id,
            "amount": str(refund.amount),
            "manual": refund.manual,
            "paymongo_refund": refund.paymongo_refund_id,
            "slip": refund.slip_number,
        },
    )
    return replace(refund, booked_at=at)
