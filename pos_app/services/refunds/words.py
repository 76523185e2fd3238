"""What the counter says about refunds, in the receptionist's words."""

from __future__ import annotations

from datetime import datetime, timedelta

from pos_app.domain.refund import API_REFUND_WINDOW_DAYS, Refund, RefundState
from pos_app.domain.tender import TenderMethod

# How long a PayMongo refund may stay pending before the counter says why it usually waits.
LONG_PENDING = timedelta(minutes=10)
BALANCE_WORDS = (
    "PayMongo takes refunds out of the clinic's next payout; while that balance is short the "
    "refund waits, and goes through by itself once new payments come in."
)
# PayMongo refusal codes (paymongo-api.md section 8) -> why, in plain words.
_REFUSALS = {
    "allowed_date_exceeded": "PayMongo no longer refunds this payment: its time limit has passed.",
    "available_balance_insufficient": ("The clinic's PayMongo balance is too low to refund now."),
    "parameter_above_maximum": (
        "PayMongo says that is more than can still be refunded from this payment "
        "(some e-wallets take back only the full amount)."
    ),
    "parameter_invalid": "PayMongo does not refund this kind of payment.",
    "resource_disputed_state": "The patient disputed this payment with their bank.",
    "resource_failed_state": "PayMongo says this payment was never completed.",
    "resource_pending_state": "Another refund of this payment is still pending at PayMongo.",
    "resource_processing_state": "Another refund of this payment is still being processed.",
    "payment_method_not_allowed": "PayMongo refunds card instalments only in full.",
}
MANUAL_OFFER = "Give the money back by hand instead (cash, bank or e-wallet transfer, with a slip)."


def why_manual(method: TenderMethod, paid_at: datetime, now: datetime) -> str | None:
    """Why a refund of this payment goes by hand; None when PayMongo can take it."""
    if method is TenderMethod.CASH:
        return "Paid in cash: give it back from the drawer, with a refund slip."
    if method is TenderMethod.QRPH:
        return (
            "Paid by QR Ph: PayMongo does not refund QR Ph payments, so the money goes back by "
            "hand (cash, bank or e-wallet transfer), with a refund slip."
        )
    days = API_REFUND_WINDOW_DAYS.get(method)
    if days is None:
        return f"PayMongo cannot refund {method.label} payments: refund it by hand."
    if now - paid_at > timedelta(days=days):
        return (
            f"Paid by {method.label} more than {window_words(method)} ago: PayMongo refunds "
            f"{method.label} only within {window_words(method)}. Refund it by hand."
        )
    return None


def window_words(method: TenderMethod) -> str:
    days = API_REFUND_WINDOW_DAYS[method]
    return "12 months" if method is TenderMethod.PAYMAYA else f"{days} days"


def refusal_words(codes: tuple[str, ...]) -> str:
    """PayMongo refused the refund: why, and what to do instead."""
    for code in codes:
        if code in _REFUSALS:
            return f"{_REFUSALS[code]} {MANUAL_OFFER}"
    return f"PayMongo refused the refund. {MANUAL_OFFER}"


def state_words(refund: Refund, now: datetime) -> str:
    """Where a refund stands, for the dialog, the list and ``pos-app refund status``."""
    if refund.manual:
        how = {"cash": "in cash", "bank": "by bank transfer", "e-wallet": "by e-wallet transfer"}
        return f"Refunded {refund.amount} {how.get(refund.channel or '', 'by hand')}" + (
            f", slip {refund.slip_number}." if refund.slip_number else "."
        )
    if refund.state is RefundState.SUCCEEDED:
        return f"Refunded {refund.amount} through PayMongo. It reaches the patient in a few days."
    if refund.state is RefundState.FAILED:
        return refund.failure or f"PayMongo could not refund {refund.amount}. {MANUAL_OFFER}"
    if refund.state is RefundState.REQUESTED:
        return f"Sending the refund of {refund.amount} to PayMongo… Kaha keeps trying."
    if now - (refund.sent_at or refund.created_at) >= LONG_PENDING:
        return f"Still pending at PayMongo: {refund.amount}. {BALANCE_WORDS}"
    return f"Pending at PayMongo: {refund.amount}. Kaha checks until it is done."
