"""What PayMongo says about a payment the counter collected: which ``pay_...`` it is, how it was
really paid (a checkout session may have taken a card or an e-wallet), when, and what of it is
already refunded (``refunds[]``, PayMongo's own count).

Threading contract: every function blocks on PayMongo; call it on a worker.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, RefundState
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.api_payments import REFUND_KEY_METADATA
from pos_app.paymongo.models import Payment, PaymentStatus, RefundReason
from pos_app.paymongo.models import Refund as WireRefund

_WIRE = {"shopeepay": TenderMethod.SHOPEE_PAY, "shopee_pay": TenderMethod.SHOPEE_PAY}
WIRE_REASONS = frozenset(reason.value for reason in RefundReason)


def find_payment(
    paymongo: PayMongoClient, attempt: PaymentAttempt, *, case_money: bool = False
) -> Payment | None:
    """The paid PayMongo payment behind ``attempt``, or None if it has none (yet).
    ``case_money``: the payment that made it an overpayment case, the last one paid (a QR paid
    twice has two: the first is the bill's tender, the second the case's money)."""
    ids = attempt.paymongo_ids
    if "payment" in ids:
        return paymongo.retrieve_payment(ids["payment"])
    payments: tuple[Payment, ...] = ()
    if "intent" in ids:
        payments = paymongo.retrieve_payment_intent(ids["intent"]).payments or ()
    elif "checkout" in ids:
        payments = paymongo.retrieve_checkout_session(ids["checkout"]).payments
    paid = [p for p in payments if p.status is PaymentStatus.PAID]
    if not paid:
        return None
    # the full payment again: embedded ones may leave out refunds[]
    return paymongo.retrieve_payment(paid[-1 if case_money else 0].id)


def paid_method(payment: Payment, fallback: TenderMethod) -> TenderMethod:
    """How the patient really paid (a checkout session's card or e-wallet)."""
    kind = payment.source.type if payment.source is not None else None
    if kind is None:
        return fallback
    if kind in _WIRE:
        return _WIRE[kind]
    try:
        return TenderMethod(kind)
    except ValueError:
        return fallback


def paid_at(payment: Payment) -> datetime:
    return datetime.fromtimestamp(payment.paid_at or payment.created_at, UTC)


def left_to_refund(payment: Payment, stored: list[Refund]) -> Money:
    """What PayMongo can still refund of ``payment``: its amount less the refunds in its
    ``refunds[]`` (failed ones aside) and less the refunds stored here for it, from any bill,
    that PayMongo does not list yet (written ahead and not sent, or its answer not seen)."""
    listed = {r.id for r in payment.refunds}
    unseen = [
        r
        for r in stored
        if not r.manual and r.state is not RefundState.FAILED and r.paymongo_refund_id not in listed
    ]
    taken = Money(payment.refunded_amount) + Money.total(r.amount for r in unseen)
    return Money(payment.amount).minus_floor_zero(taken)


def made_with_key(payment: Payment, key: str) -> WireRefund | None:
    """The refund of ``payment`` that PayMongo made for the request sent with ``key``."""
    return next((r for r in payment.refunds if r.metadata.get(REFUND_KEY_METADATA) == key), None)


def wire_notes(refund: Refund) -> str:
    """PayMongo's ``notes``: the reason in our words (when it is not one of PayMongo's) and the
    notes, cut to PayMongo's 255 characters."""
    words = refund.reason if refund.reason not in WIRE_REASONS else ""
    joined = ": ".join(part for part in (words, refund.notes) if part)
    return joined[:255]
