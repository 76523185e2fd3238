"""Money applied to a bill from an overpayment case, as a refund line of its own: PayMongo can
give it back from the case's original payment (the payment that made the case), within that
payment method's window counted from the original payment's date, and never beyond

- what was applied to this bill, less what already went back of it here, and
- what is left of that payment: its amount less its ``refunds[]`` (PayMongo's own count, made
  from any bill or from PayMongo's dashboard), less the refunds stored here for it that PayMongo
  does not list yet, and less what went back of it here by hand. So the patient never gets back
  more than that payment, by either route, across the two bills.

Threading contract: pure; the caller reads PayMongo and the database on a worker.
"""

from __future__ import annotations

from datetime import datetime

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.refund import Refund, refund_route, refund_window_closes
from pos_app.paymongo.models import Payment
from pos_app.services.refunds import paymongo_side
from pos_app.services.refunds.ledger import PaidMoney
from pos_app.services.refunds.port import RefundableTender
from pos_app.services.refunds.words import why_manual


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
    if payment is not None:
        # by either route: never more than is left of the payment the patient made, counting
        # what PayMongo gave back of it (from any bill, or its dashboard) and what went back
        # of it here by hand
        by_hand_here = money.refunded_here.minus_floor_zero(money.refunded_here_api)
        left_of_payment = paymongo_side.left_to_refund(payment, stored)
        refundable = min(left_here, left_of_payment.minus_floor_zero(by_hand_here))
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
        window_closes_at=refund_window_closes(method, paid_at),
        paymongo_payment_id=None if payment is None else payment.id,
        applied=True,
    )
