"""Money applied to a bill from an overpayment case, as a refund line of its own: PayMongo can
give it back from the case's original payment (the payment that made the case), within that
payment method's window counted from the original payment's date, and never beyond

- what was applied to this bill, less what already went back of it here, and
- what PayMongo can still refund of that payment: its amount less its ``refunds[]`` and less the
  refunds stored here for it from any bill (the case's own bill too) that PayMongo does not list
  yet. So one PayMongo payment is never refunded beyond its amount across the two bills.

Threading contract: pure; the caller reads PayMongo and the database on a worker.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.money import Money
from pos_app.domain.refund import API_REFUND_WINDOW_DAYS, Refund, RefundRoute, refund_route
from pos_app.paymongo.models import Payment
from pos_app.services.refunds import paymongo_side
from pos_app.services.refunds.ledger import PaidMoney
from pos_app.services.refunds.port import RefundableTender
from pos_app.services.refunds.words import why_manual

ALL_REFUNDED_AT_PAYMONGO = (
    "PayMongo has already refunded all of the overpayment's original payment (from its own bill "
    "or here), so the rest of this money goes back by hand."
)


def applied_option(
    money: PaidMoney,
    attempt: PaymentAttempt,
    payment: Payment | None,
    stored: list[Refund],
    now: datetime,
) -> RefundableTender:
    """The refund line of ``money`` (applied from the case ``attempt``); ``payment`` is the
    case's payment at PayMongo (None when PayMongo could not be asked), ``stored`` the refunds
    of that payment stored on this counter, from any bill."""
    method, paid_at = attempt.method, attempt.created_at
    if payment is not None:
        method = paymongo_side.paid_method(payment, attempt.method)
        paid_at = paymongo_side.paid_at(payment)
    left_here = money.paid.minus_floor_zero(money.refunded_here)
    route, why = refund_route(method, paid_at, now), why_manual(method, paid_at, now)
    refundable = left_here
    if payment is not None and route is RefundRoute.THROUGH_PAYMONGO:
        at_paymongo = paymongo_side.left_to_refund(payment, stored)
        if at_paymongo.is_zero and not left_here.is_zero:
            route, why = RefundRoute.MANUAL, ALL_REFUNDED_AT_PAYMONGO
        else:
            refundable = min(left_here, at_paymongo)
    days = API_REFUND_WINDOW_DAYS.get(method)
    return RefundableTender(
        tender_id=money.tender_id,
        attempt_id=money.attempt_id,
        method=method,
        paid=money.paid,
        already_refunded=money.refunded_here,
        refundable=refundable,
        route=route,
        why_manual=why,
        paid_at=paid_at,
        window_closes_at=None if days is None else paid_at + timedelta(days=days),
        paymongo_payment_id=None if payment is None else payment.id,
        applied=True,
    )


def left_by_hand(money: PaidMoney) -> Money:
    """By hand, applied money can go back up to what was applied less what went back of it."""
    return money.paid.minus_floor_zero(money.refunded_here)
