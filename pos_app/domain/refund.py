"""Refunds: money given back, through PayMongo when it allows, otherwise by hand (manual)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

from pos_app.domain.errors import AmountError, IllegalTransition
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod

__all__ = [
    "API_REFUND_WINDOW_DAYS",
    "REFUND_TERMINAL",
    "REFUND_TRANSITIONS",
    "Refund",
    "RefundRoute",
    "RefundState",
    "can_refund_through_api",
    "map_refund_status",
    "refund_route",
    "refund_window_closes",
]


class RefundState(StrEnum):
    """Where a refund stands. Closed set; see ``REFUND_TERMINAL``."""

    REQUESTED = "requested"  # recorded and approved here; not yet sent or handed over
    PENDING = "pending"  # PayMongo accepted it and is processing
    SUCCEEDED = "succeeded"  # money is on its way back (or handed over, for manual refunds)
    FAILED = "failed"  # PayMongo refused or failed it; offer a manual refund instead

    @property
    def is_terminal(self) -> bool:
        return self in REFUND_TERMINAL


REFUND_TERMINAL: frozenset[RefundState] = frozenset({RefundState.SUCCEEDED, RefundState.FAILED})

# Allowed moves: (from, to). PENDING -> PENDING keeps polling idempotent.
REFUND_TRANSITIONS: frozenset[tuple[RefundState, RefundState]] = frozenset(
    {
        (RefundState.REQUESTED, RefundState.PENDING),
        (RefundState.REQUESTED, RefundState.SUCCEEDED),
        (RefundState.REQUESTED, RefundState.FAILED),
        (RefundState.PENDING, RefundState.PENDING),
        (RefundState.PENDING, RefundState.SUCCEEDED),
        (RefundState.PENDING, RefundState.FAILED),
    }
)

# Days after payment that PayMongo still refunds (paymongo-api.md section 8). Methods not listed
# (cash, QR Ph) cannot be refunded through the API. For a checkout, pass the method actually used.
API_REFUND_WINDOW_DAYS: dict[TenderMethod, int] = {
    TenderMethod.CARD: 60,
    TenderMethod.GCASH: 180,
    TenderMethod.GRAB_PAY: 90,
    TenderMethod.PAYMAYA: 365,
    TenderMethod.SHOPEE_PAY: 365,
}


def refund_window_closes(method: TenderMethod, paid_at: datetime) -> datetime | None:
    """When PayMongo stops refunding a ``method`` payment made at ``paid_at``; None when it
    never refunds that method."""
    days = API_REFUND_WINDOW_DAYS.get(method)
    return None if days is None else paid_at + timedelta(days=days)


def can_refund_through_api(method: TenderMethod, paid_at: datetime, now: datetime) -> bool:
    """Whether to try PayMongo; otherwise the app offers a manual refund with a signed slip."""
    closes = refund_window_closes(method, paid_at)
    return closes is not None and now <= closes


class RefundRoute(StrEnum):
    """How money goes back. Closed set."""

    THROUGH_PAYMONGO = "paymongo"  # POST /v1/refunds, then follow the refund's status
    MANUAL = "manual"  # handed back at the counter with a signed slip; PayMongo is never asked


def refund_route(method: TenderMethod, paid_at: datetime, now: datetime) -> RefundRoute:
    """The route a refund of a ``method`` payment takes. QR Ph always goes by hand: PayMongo
    answers every QR Ph refund with 400 ``parameter_invalid`` "Refunds are not allowed for
    payments with source type qrph." (paymongo-api.md 19.1 item 5, recorded against the live
    API), so the app never sends one; cash, and payments past their method's window, too."""
    if can_refund_through_api(method, paid_at, now):
        return RefundRoute.THROUGH_PAYMONGO
    return RefundRoute.MANUAL


def map_refund_status(status: str) -> RefundState:
    """PayMongo refund status -> ``RefundState``. Unknown statuses stay ``PENDING`` so the app
    keeps checking rather than guessing an outcome for money.
    """
    if status == "succeeded":
        return RefundState.SUCCEEDED
    if status == "failed":
        return RefundState.FAILED
    return RefundState.PENDING


@dataclass(frozen=True)
class Refund:
    """Money given back for bill ``bill_id`` (from attempt ``attempt_id`` when electronic)."""

    id: str
    bill_id: int
    attempt_id: str | None
    amount: Money
    reason: str
    state: RefundState
    paymongo_refund_id: str | None
    idempotency_key: str
    requested_by: str
    approved_by: str | None
    created_at: datetime
    manual: bool
    notes: str = ""
    paymongo_payment_id: str | None = None  # pay_... the refund is of (PayMongo refunds)
    channel: str | None = None  # manual: "cash", "bank" or "e-wallet"
    reference: str | None = None  # manual transfer's reference
    slip_number: str | None = None  # manual: the refund slip's number in its own series
    booked_at: datetime | None = None  # when the bill and the clinic's outbox took it in
    sent_at: datetime | None = None  # when the create request last left (24-hour key window)
    failure: str | None = None  # why PayMongo refused or failed it, in plain words
    tender_id: int | None = None  # the applied overpayment money it gives back (its own line)

    @classmethod
    def new(
        cls,
        *,
        bill_id: int,
        attempt_id: str | None,
        amount: Money,
        reason: str,
        requested_by: str,
        approved_by: str | None,
        manual: bool,
        at: datetime,
        id_factory: Callable[[], UUID] = uuid4,
        notes: str = "",
        paymongo_payment_id: str | None = None,
        tender_id: int | None = None,
    ) -> Refund:
        """A refund in ``REQUESTED`` with its client id and idempotency key made up front."""
        if amount.is_zero:
            raise AmountError(
                "A refund needs an amount above zero. Please type how much to give back.",
                detail="zero refund",
            )
        if not manual and attempt_id is None:
            raise ValueError("a PayMongo refund needs the attempt that collected the money")
        return cls(
            id=id_factory().hex,
            bill_id=bill_id,
            attempt_id=attempt_id,
            amount=amount,
            reason=reason,
            state=RefundState.REQUESTED,
            paymongo_refund_id=None,
            idempotency_key=id_factory().hex,
            requested_by=requested_by,
            approved_by=approved_by,
            created_at=at,
            manual=manual,
            notes=notes,
            paymongo_payment_id=paymongo_payment_id,
            tender_id=tender_id,
        )

    def advance(self, to: RefundState, *, paymongo_refund_id: str | None = None) -> Refund:
        """This refund in state ``to``; raises ``IllegalTransition`` for a move not allowed."""
        if (self.state, to) not in REFUND_TRANSITIONS:
            raise IllegalTransition(
                detail=f"refund {self.id}: {self.state.value!r} -> {to.value!r} not allowed"
            )
        if paymongo_refund_id is None:
            return replace(self, state=to)
        if self.paymongo_refund_id not in {None, paymongo_refund_id}:
            raise IllegalTransition(detail=f"refund {self.id}: PayMongo id cannot change")
        return replace(self, state=to, paymongo_refund_id=paymongo_refund_id)
