"""What the refund screens read: a paid bill's line in the search, each payment's refund line
(what can still go back and how, from PayMongo's own count where it has one), a refund as the
window shows it, and a manual refund's slip.

Threading contract: every function blocks on the database and, for ``refund_line``, on PayMongo;
call it on a worker.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, refund_route, refund_window_closes
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo.errors import PayMongoError
from pos_app.paymongo.models import Payment
from pos_app.services.refunds import applied, ledger, paymongo_side
from pos_app.services.refunds.port import PaidBill, RefundableTender, RefundChannel, RefundView
from pos_app.services.refunds.words import state_words, why_manual
from pos_app.storage import Database, UnitOfWork

if TYPE_CHECKING:
    from pos_app.paymongo import PayMongoClient
    from pos_app.printing.refund_slip import RefundSlip

log = logging.getLogger(__name__)


def refund_line(
    database: Database,
    paymongo: PayMongoClient | None,
    money: ledger.PaidMoney,
    attempt: PaymentAttempt | None,
    now: datetime,
) -> tuple[RefundableTender, Payment | None]:
    """The refund line of ``money``, with the PayMongo payment it was read from (if any)."""
    payment: Payment | None = None
    if attempt is not None and paymongo is not None:
        try:
            payment = paymongo_side.find_payment(paymongo, attempt, case_money=money.applied)
        except PayMongoError as exc:
            log.info("payment of attempt %s not read from PayMongo: %s", attempt.id, exc)
    if money.applied and attempt is not None:
        stored = [] if payment is None else stored_for(database, payment.id)
        return applied.applied_option(money, attempt, payment, stored, now), payment
    method, paid_at = money.method, money.paid_at
    api_refunded = money.refunded_here_api
    if payment is not None:
        method = paymongo_side.paid_method(payment, money.method)
        paid_at = paymongo_side.paid_at(payment)
        api_refunded = max(api_refunded, Money(payment.refunded_amount))
    already = api_refunded + (money.refunded_here - money.refunded_here_api)
    option = RefundableTender(
        tender_id=money.tender_id,
        attempt_id=money.attempt_id,
        method=method,
        paid=money.paid,
        already_refunded=already,
        refundable=money.paid.minus_floor_zero(already),
        route=refund_route(method, paid_at, now),
        why_manual=why_manual(method, paid_at, now),
        paid_at=paid_at,
        window_closes_at=refund_window_closes(method, paid_at),
        paymongo_payment_id=None if payment is None else payment.id,
    )
    return option, payment


def stored_for(database: Database, payment_id: str) -> list[Refund]:
    """The refunds stored here of PayMongo payment ``payment_id``, from whichever bill."""
    with database.unit_of_work(read_only=True) as uow:
        return uow.refunds.list_for_paymongo_payment(payment_id)


def paid_bill(uow: UnitOfWork, bill_id: int) -> PaidBill | None:
    """The bill as the refund search lists it; None when nothing was paid on it here."""
    bill = uow.bills.get(bill_id)
    money = ledger.paid_money(uow, bill_id) if bill is not None else []
    if bill is None or not money:
        return None
    invoice = uow.invoices.get_for_bill(bill_id)
    return PaidBill(
        bill_id=bill.id,
        bill_number=bill.number,
        invoice_number=None if invoice is None else invoice.number,
        patient_name=bill.patient.full_name,
        paid=Money.total(m.paid for m in money),
        refunded=Money.total(m.refunded_here for m in money),
        paid_at=max(m.paid_at for m in money),
    )


def refund_view(database: Database, refund: Refund, now: datetime) -> RefundView:
    """``refund`` as the window shows it, with its state in plain words."""
    with database.unit_of_work(read_only=True) as uow:
        bill = ledger.require(uow.bills.get(refund.bill_id))
        invoice = uow.invoices.get_for_bill(refund.bill_id)
    return RefundView(
        refund=refund,
        message=state_words(refund, now),
        notes=refund.notes,
        channel=None if refund.channel is None else RefundChannel(refund.channel),
        reference=refund.reference,
        slip_number=refund.slip_number,
        bill_number=bill.number,
        invoice_number=None if invoice is None else invoice.number,
    )


def refund_slip(database: Database, refund: Refund) -> RefundSlip:
    """The refund slip of a manual refund, as printed."""
    from pos_app.printing.refund_slip import RefundSlip

    assert refund.slip_number is not None
    assert refund.channel is not None
    with database.unit_of_work(read_only=True) as uow:
        bill = ledger.require(uow.bills.get(refund.bill_id))
        invoice = uow.invoices.get_for_bill(refund.bill_id)
        method = TenderMethod.CASH
        if refund.attempt_id is not None:
            method = ledger.attempt_of(uow, refund.attempt_id).method
    return RefundSlip(
        number=refund.slip_number,
        refunded_at=refund.created_at,
        bill_number=bill.number,
        invoice_number=None if invoice is None else invoice.number,
        patient_name=bill.patient.full_name,
        amount=refund.amount,
        paid_with=method.label,
        channel=RefundChannel(refund.channel).label,
        reference=refund.reference,
        reason=refund.reason,
        notes=refund.notes,
        given_by=refund.requested_by,
    )
