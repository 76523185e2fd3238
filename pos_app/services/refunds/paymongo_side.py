"""What PayMongo says about a payment the counter collected: which ``pay_...`` it is, how it was
really paid (a checkout session may have taken a card or an e-wallet), when, and what of it is
already refunded (``refunds[]``, PayMongo's own count).

Threading contract: every function blocks on PayMongo; call it on a worker.
"""

from __future__ import annotations

from datetime import UTC, datetime

from pos_app.domain.attempt import PaymentAttempt
from pos_app.domain.tender import TenderMethod
from pos_app.paymongo import PayMongoClient
from pos_app.paymongo.models import Payment, PaymentStatus

_WIRE = {"shopeepay": TenderMethod.SHOPEE_PAY, "shopee_pay": TenderMethod.SHOPEE_PAY}


def find_payment(paymongo: PayMongoClient, attempt: PaymentAttempt) -> Payment | None:
    """The paid PayMongo payment behind ``attempt``, or None if it has none (yet)."""
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
    return paymongo.retrieve_payment(paid[0].id)


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
