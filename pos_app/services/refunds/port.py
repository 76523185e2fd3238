"""What the refund dialog sees of refunds: the results it shows and the calls it makes.

``RefundPort`` is ``RefundService`` as the GUI uses it. Every method blocks on the database and
(for PayMongo refunds) on PayMongo: call it on a worker. Every method checks the signed-in
person's ``Permission.REFUND`` itself and raises ``PermissionDenied`` without it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from pos_app.domain.money import Money
from pos_app.domain.refund import Refund, RefundRoute
from pos_app.domain.tender import TenderMethod

__all__ = [
    "PaidBill",
    "RefundChannel",
    "RefundOptions",
    "RefundPort",
    "RefundView",
    "RefundableTender",
]


class RefundChannel(StrEnum):
    """How a manual refund reaches the patient. Closed set."""

    CASH = "cash"  # handed over from the drawer
    BANK = "bank"  # bank transfer; its reference typed in
    E_WALLET = "e-wallet"  # GCash/Maya/... transfer; its reference typed in

    @property
    def label(self) -> str:
        return {"cash": "Cash from the drawer", "bank": "Bank transfer", "e-wallet": "E-wallet"}[
            self.value
        ]

    @property
    def needs_reference(self) -> bool:
        return self is not RefundChannel.CASH


@dataclass(frozen=True)
class PaidBill:
    """A bill that had money paid on it, as the refund search lists it."""

    bill_id: int
    bill_number: str
    invoice_number: str | None
    patient_name: str
    paid: Money  # all tenders on the bill
    refunded: Money  # refunds requested, pending or done (failed ones do not count)
    paid_at: datetime | None  # the last tender's time


@dataclass(frozen=True)
class RefundableTender:
    """One payment on the bill (a tender) and what can still go back from it, and how."""

    tender_id: int | None  # None: money with no tender (an overpayment case's payment)
    attempt_id: str | None  # None for cash (every cash tender of the bill, together)
    method: TenderMethod
    paid: Money
    already_refunded: Money  # for PayMongo payments: from PayMongo's own refunds[] when it answered
    refundable: Money  # paid - already_refunded, never below zero
    route: RefundRoute
    why_manual: str | None  # plain words when the route is MANUAL (QR Ph, cash, out of window...)
    paid_at: datetime
    window_closes_at: datetime | None  # last moment PayMongo refunds it; None when it never does
    paymongo_payment_id: str | None  # pay_...; None for cash or when it could not be found
    # money applied to this bill from an overpayment case (attempt_id is the case's): PayMongo
    # refunds it from the case's original payment (paymongo_payment_id)
    applied: bool = False


@dataclass(frozen=True)
class RefundView:
    """A refund as the counter shows it, with plain words about where it stands."""

    refund: Refund
    message: str  # e.g. "Pending at PayMongo: the clinic's PayMongo balance is short..."
    notes: str
    channel: RefundChannel | None  # manual refunds only
    reference: str | None  # bank / e-wallet transfer reference (manual refunds only)
    slip_number: str | None  # refund slip number (manual refunds only)
    bill_number: str
    invoice_number: str | None


@dataclass(frozen=True)
class RefundOptions:
    """Everything the refund dialog needs about one bill."""

    bill: PaidBill
    tenders: tuple[RefundableTender, ...]
    refunds: tuple[RefundView, ...]  # this bill's refunds so far, oldest first

    @property
    def refundable(self) -> Money:
        return sum((t.refundable for t in self.tenders), Money.ZERO)


class RefundPort(Protocol):
    """RefundService as the GUI uses it. Every method blocks: call it on a worker."""

    def find(self, text: str) -> list[PaidBill]: ...
    def options(self, bill_id: int) -> RefundOptions: ...
    def refund_through_paymongo(
        self,
        bill_id: int,
        attempt_id: str,
        amount: Money,
        reason: str,
        notes: str,
        *,
        tender_id: int | None = None,
    ) -> RefundView: ...
    def refund_by_hand(
        self,
        bill_id: int,
        attempt_id: str | None,
        amount: Money,
        reason: str,
        notes: str,
        *,
        channel: RefundChannel,
        reference: str | None,
        tender_id: int | None = None,
    ) -> RefundView: ...
    def check(self, refund_id: str) -> RefundView: ...
    def open_refunds(self) -> Sequence[RefundView]: ...
    def print_slip(self, refund_id: str) -> str: ...
