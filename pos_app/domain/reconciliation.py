"""Reconciliation with PayMongo: what each listed payment turned out to be, and what is flagged.

Pure values; the service (``pos_app.services.reconcile``) decides, storage keeps them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from pos_app.domain.money import Money


class PaymentOutcome(StrEnum):
    """What one PayMongo payment is to this counter. Closed set."""

    TENDER = "tender"  # the payment behind a tender already on its bill
    APPLIED = "applied"  # paid while its attempt was still open: reconciliation settled it
    CASE = "case"  # late or double money on a known attempt: an overpayment case (Ctrl+O)
    UNMATCHED = "unmatched"  # paid, and no attempt on this counter knows it: a case, no bill
    OTHER_COUNTER = "other_counter"  # its metadata names another counter: that one reconciles it
    OPEN = "open"  # paid, its attempt still open and not settled yet: looked at again next run
    PENDING = "pending"  # not money yet at PayMongo: looked at again next run
    FAILED = "failed"  # a failed payment: no money moved

    @property
    def is_case(self) -> bool:
        return self in {PaymentOutcome.CASE, PaymentOutcome.UNMATCHED}

    @property
    def is_settled(self) -> bool:
        """Nothing more to learn: the next run does not look at it again."""
        return self not in {PaymentOutcome.OPEN, PaymentOutcome.PENDING}


class FlagKind(StrEnum):
    """Something local that PayMongo does not bear out. Closed set."""

    TENDER_WITHOUT_PAYMENT = "tender_without_payment"  # a PayMongo tender, no paid payment
    REFUND_UNKNOWN = "refund_unknown"  # a refund at PayMongo that this counter never made
    REFUND_DIFFERS = "refund_differs"  # a refund whose status here and at PayMongo disagree


@dataclass(frozen=True)
class SeenPayment:
    """One PayMongo payment as reconciliation found it, and what it was matched to."""

    payment_id: str
    status: str  # PayMongo's: paid, pending, failed
    amount: Money
    fee: Money
    net: Money
    method: str  # payment.source.type: qrph, gcash, card...
    intent_id: str | None
    source_id: str | None
    payout_id: str | None
    created_at: datetime  # at PayMongo
    outcome: PaymentOutcome
    attempt_id: str | None = None
    bill_id: int | None = None
    note: str = ""


@dataclass(frozen=True)
class Flag:
    kind: FlagKind
    subject: str  # "tender:12", "refund:ref_..."
    amount: Money
    note: str
    raised_at: datetime
    bill_id: int | None = None


@dataclass(frozen=True)
class ReconcileMark:
    """Where this counter's last reconciliation got to: the newest payment and refund it saw."""

    payments_cursor: str | None = None
    refunds_cursor: str | None = None
    covered_since: datetime | None = None  # the oldest moment any run has covered
    last_run_at: datetime | None = None
