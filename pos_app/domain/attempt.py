"""A payment attempt: one try to collect one tender through PayMongo, as a closed state machine.

Every change of state is a named ``AttemptEvent``; ``TRANSITIONS`` lists every legal
(state, event) pair and nothing else is accepted (``IllegalTransition``). PayMongo's statuses are
turned into events by the ``map_*_status`` functions below (an unknown status becomes
``OUTCOME_UNKNOWN``, so a person looks rather than the app guessing). ``reconcile_event``
decides what an observed status means for an attempt in a given state, so a late or stale answer
never silently rewrites an outcome.

Write-ahead: an attempt is created with every idempotency key it may need, and committed, before the
first request leaves the machine.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from types import MappingProxyType
from uuid import UUID, uuid4

from pos_app.domain.errors import AmountError, IllegalTransition
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod

__all__ = [
    "IDEMPOTENCY_STEPS",
    "OPEN",
    "TERMINAL",
    "TRANSITIONS",
    "AttemptEvent",
    "AttemptState",
    "IllegalTransition",
    "PaymentAttempt",
    "map_checkout_status",
    "map_intent_status",
    "map_payment_status",
    "map_source_status",
    "map_webhook_event",
    "reconcile_event",
]


class AttemptState(StrEnum):
    """Where one payment attempt stands. Closed set; see ``TERMINAL`` and ``OPEN``."""

    CREATED = "created"  # row committed with its idempotency keys; nothing sent yet
    CREATING = "creating"  # create request(s) sent; PayMongo's answer not all stored yet
    AWAITING_PAYMENT = "awaiting_payment"  # QR code or link shown; waiting for the patient
    PROCESSING = "processing"  # PayMongo processing, or source chargeable and payment being made
    CANCELLING = "cancelling"  # receptionist cancelled; waiting for PayMongo to confirm it is dead
    SUCCEEDED = "succeeded"  # paid; the tender counts towards the bill
    FAILED = "failed"  # declined or refused; nothing was charged
    EXPIRED = "expired"  # the QR code or link lapsed unpaid
    CANCELLED = "cancelled"  # cancelled before any payment; nothing was charged
    NEEDS_REVIEW = "needs_review"  # late/double payment or unknown outcome; staff must look

    @property
    def is_terminal(self) -> bool:
        return self in TERMINAL


# No automatic progress out of these: only a late/double payment or a staff decision moves them.
TERMINAL: frozenset[AttemptState] = frozenset(
    {
        AttemptState.SUCCEEDED,
        AttemptState.FAILED,
        AttemptState.EXPIRED,
        AttemptState.CANCELLED,
        AttemptState.NEEDS_REVIEW,
    }
)
# Money may still move: the monitor watches these and crash recovery drives them on.
OPEN: frozenset[AttemptState] = frozenset(set(AttemptState) - TERMINAL)


class AttemptEvent(StrEnum):
    """Everything that can happen to an attempt. Closed set."""

    REQUEST_SENT = "request_sent"  # a create request (or its replay with the same key) is going out
    INTENT_CREATED = (
        "intent_created"  # a create step answered (intent/method/source/checkout), id kept
    )
    AWAITING = "awaiting"  # PayMongo waits for the patient: QR/redirect/checkout page is live
    PROCESSING_STARTED = "processing_started"  # PayMongo processing, or source became chargeable
    PAID = "paid"  # PayMongo reports the money collected
    DECLINED = "declined"  # card/e-wallet declined or authorization failed; nothing charged
    REJECTED = "rejected"  # PayMongo refused a create request outright (4xx); nothing charged
    EXPIRED = "expired"  # the QR code, source or checkout lapsed unpaid
    CANCEL_REQUESTED = "cancel_requested"  # the receptionist pressed Cancel
    CANCELLED = (
        "cancelled"  # PayMongo confirms the intent/checkout is cancelled or expired on request
    )
    OUTCOME_UNKNOWN = "outcome_unknown"  # status unreadable or unexpected; a person must check
    LATE_PAYMENT = "late_payment"  # money arrived after the attempt had failed/expired/cancelled
    DOUBLE_PAYMENT = "double_payment"  # a second payment arrived on a succeeded attempt
    REVIEWED_PAID = (
        "reviewed_paid"  # staff confirmed money was received (refund, if any, is separate)
    )
    REVIEWED_UNPAID = "reviewed_unpaid"  # staff confirmed no money was received


_S = AttemptState
_E = AttemptEvent

# What each live state does with the ordinary news from PayMongo.
_LIVE_OUTCOMES: dict[AttemptEvent, AttemptState] = {
    _E.PAID: _S.SUCCEEDED,
    _E.DECLINED: _S.FAILED,
    _E.EXPIRED: _S.EXPIRED,
    _E.CANCELLED: _S.CANCELLED,
    _E.PROCESSING_STARTED: _S.PROCESSING,
    _E.OUTCOME_UNKNOWN: _S.NEEDS_REVIEW,
}

TRANSITIONS: Mapping[tuple[AttemptState, AttemptEvent], AttemptState] = MappingProxyType(
    {
        (_S.CREATED, _E.REQUEST_SENT): _S.CREATING,
        (_S.CREATED, _E.CANCEL_REQUESTED): _S.CANCELLED,  # nothing left the machine
        # CREATING: a multi-step create (intent, method, attach) is under way.
        (_S.CREATING, _E.REQUEST_SENT): _S.CREATING,
        (_S.CREATING, _E.INTENT_CREATED): _S.CREATING,
        (_S.CREATING, _E.AWAITING): _S.AWAITING_PAYMENT,
        (_S.CREATING, _E.REJECTED): _S.FAILED,
        (_S.CREATING, _E.CANCEL_REQUESTED): _S.CANCELLING,
        **{(_S.CREATING, event): state for event, state in _LIVE_OUTCOMES.items()},
        # AWAITING_PAYMENT: the patient has the QR code or link.
        (_S.AWAITING_PAYMENT, _E.AWAITING): _S.AWAITING_PAYMENT,  # repeated poll, nothing new
        (_S.AWAITING_PAYMENT, _E.CANCEL_REQUESTED): _S.CANCELLING,
        **{(_S.AWAITING_PAYMENT, event): state for event, state in _LIVE_OUTCOMES.items()},
        # PROCESSING: money is moving, so it cannot be cancelled from here.
        (_S.PROCESSING, _E.REQUEST_SENT): _S.PROCESSING,  # create-payment for a chargeable source
        (_S.PROCESSING, _E.INTENT_CREATED): _S.PROCESSING,  # that payment's id kept
        (_S.PROCESSING, _E.REJECTED): _S.FAILED,
        **{(_S.PROCESSING, event): state for event, state in _LIVE_OUTCOMES.items()},
        # CANCELLING: the patient may still pay before the cancel lands; that is a success.
        (_S.CANCELLING, _E.CANCEL_REQUESTED): _S.CANCELLING,  # cancel retried
        **{(_S.CANCELLING, event): state for event, state in _LIVE_OUTCOMES.items()},
        # Terminal states: only money arriving late, or a staff decision, moves them.
        (_S.FAILED, _E.LATE_PAYMENT): _S.NEEDS_REVIEW,
        (_S.EXPIRED, _E.LATE_PAYMENT): _S.NEEDS_REVIEW,
        (_S.CANCELLED, _E.LATE_PAYMENT): _S.NEEDS_REVIEW,
        (_S.SUCCEEDED, _E.DOUBLE_PAYMENT): _S.NEEDS_REVIEW,
        (_S.NEEDS_REVIEW, _E.REVIEWED_PAID): _S.SUCCEEDED,
        (_S.NEEDS_REVIEW, _E.REVIEWED_UNPAID): _S.FAILED,
    }
)

# Every create call an attempt might make, each with its own Idempotency-Key made up front.
IDEMPOTENCY_STEPS: tuple[str, ...] = ("intent", "method", "attach", "source", "payment", "checkout")

_FAILED_OUTCOMES = frozenset({_S.FAILED, _S.EXPIRED, _S.CANCELLED})


def reconcile_event(state: AttemptState, observed: AttemptEvent) -> AttemptEvent | None:
    """The event to apply when PayMongo reports ``observed`` for an attempt in ``state``.

    ``None`` means the news changes nothing (a repeat, or a stale answer that lost a race with a
    webhook or another poll). Money reported for an attempt already given up becomes
    ``LATE_PAYMENT``; anything else is returned unchanged for ``PaymentAttempt.apply`` to judge.
    """
    if observed is _E.PAID:
        if state in _FAILED_OUTCOMES:
            return _E.LATE_PAYMENT
        if state in {_S.SUCCEEDED, _S.NEEDS_REVIEW}:
            return None
        return observed
    if state in TERMINAL:
        return None  # the outcome stands; e.g. EXPIRED reported after we cancelled
    if observed is _E.AWAITING and state in {_S.PROCESSING, _S.CANCELLING}:
        return None  # an older poll answer, or the QR not dead yet
    return observed


@dataclass(frozen=True)
class PaymentAttempt:
    """One try to collect ``amount`` for bill ``bill_id`` through ``method``. Immutable.

    ``idempotency_keys`` maps a step name (see ``IDEMPOTENCY_STEPS``) to its key;
    ``paymongo_ids`` maps a step name to the id PayMongo gave it (e.g. "intent" -> "pi_...").
    """

    id: str
    bill_id: int
    method: TenderMethod
    amount: Money
    state: AttemptState
    idempotency_keys: Mapping[str, str]
    paymongo_ids: Mapping[str, str]
    created_at: datetime
    updated_at: datetime
    expires_at: datetime | None = None
    failure_code: str | None = None
    failure_message: str | None = None
    # The state this attempt had when it was last read or saved, while it holds unsaved changes
    # (set by ``apply``): storage writes it back only if the row is still in that state
    # (compare-and-set), so a slow answer can never undo a later one.
    came_from: AttemptState | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        # Copies, so a caller's dict cannot change a frozen attempt behind its back.
        object.__setattr__(self, "idempotency_keys", MappingProxyType(dict(self.idempotency_keys)))
        object.__setattr__(self, "paymongo_ids", MappingProxyType(dict(self.paymongo_ids)))

    @classmethod
    def new(
        cls,
        *,
        bill_id: int,
        method: TenderMethod,
        amount: Money,
        at: datetime,
        id_factory: Callable[[], UUID] = uuid4,
    ) -> PaymentAttempt:
        """A fresh attempt in ``CREATED`` with its client id and every idempotency key."""
        if method.is_cash:
            raise ValueError("cash is collected at the counter and needs no payment attempt")
        if amount.is_zero:
            raise AmountError(
                "There is nothing to collect. Please check the amount.", detail="zero attempt"
            )
        _require_aware(at)
        return cls(
            id=id_factory().hex,
            bill_id=bill_id,
            method=method,
            amount=amount,
            state=AttemptState.CREATED,
            idempotency_keys={step: id_factory().hex for step in IDEMPOTENCY_STEPS},
            paymongo_ids={},
            created_at=at,
            updated_at=at,
        )

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL

    @property
    def is_open(self) -> bool:
        return self.state in OPEN

    def accepts(self, event: AttemptEvent) -> bool:
        return (self.state, event) in TRANSITIONS

    def is_past_expiry(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at

    def apply(
        self,
        event: AttemptEvent,
        *,
        at: datetime,
        paymongo_ids: Mapping[str, str] | None = None,
        expires_at: datetime | None = None,
        failure_code: str | None = None,
        failure_message: str | None = None,
    ) -> PaymentAttempt:
        """The attempt after ``event`` at time ``at``; raises ``IllegalTransition`` if not allowed.

        ``paymongo_ids`` are added to the known ones (a step's id never changes once known);
        the other keywords replace their field when given.
        """
        target = TRANSITIONS.get((self.state, event))
        if target is None:
            raise IllegalTransition(
                detail=f"attempt {self.id}: {event.value!r} is not allowed in {self.state.value!r}"
            )
        _require_aware(at)
        return replace(
            self,
            state=target,
            came_from=self.came_from or self.state,
            updated_at=at,
            paymongo_ids=self._merged_ids(paymongo_ids or {}),
            expires_at=expires_at if expires_at is not None else self.expires_at,
            failure_code=failure_code if failure_code is not None else self.failure_code,
            failure_message=failure_message
            if failure_message is not None
            else self.failure_message,
        )

    def saved(self) -> PaymentAttempt:
        """This attempt as now stored: no unsaved changes left (see ``came_from``)."""
        return replace(self, came_from=None)

    def _merged_ids(self, new_ids: Mapping[str, str]) -> dict[str, str]:
        merged = dict(self.paymongo_ids)
        for step, remote_id in new_ids.items():
            known = merged.get(step)
            if known is not None and known != remote_id:
                raise IllegalTransition(
                    detail=f"attempt {self.id}: {step} id {known!r} cannot become {remote_id!r}"
                )
            merged[step] = remote_id
        return merged


def _require_aware(moment: datetime) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("attempt times must be timezone-aware")


# --- PayMongo statuses (paymongo-api.md sections 4.3, 6, 7, 10, 11, 12.2) -----------------------

_INTENT_STATUS_EVENTS: dict[str, AttemptEvent] = {
    "awaiting_next_action": _E.AWAITING,  # 3DS/e-wallet redirect or QR Ph code live
    "processing": _E.PROCESSING_STARTED,
    "succeeded": _E.PAID,
    "cancelled": _E.CANCELLED,  # only after our POST /cancel
    # We always capture automatically; a held card payment is unexpected, so a person checks.
    "awaiting_capture": _E.OUTCOME_UNKNOWN,
}


def map_intent_status(
    status: str, *, has_payment_error: bool = False, was_attached: bool = False
) -> AttemptEvent | None:
    """Event for a payment intent's ``status``; ``None`` when nothing has happened yet.

    ``awaiting_payment_method`` is the starting status and also where PayMongo returns an intent
    after a decline (``last_payment_error`` set: pass ``has_payment_error``) or after a QR code or
    e-wallet window lapsed (no error, but a method had been attached: pass ``was_attached``).
    """
    if status == "awaiting_payment_method":
        if has_payment_error:
            return _E.DECLINED
        return _E.EXPIRED if was_attached else None
    return _INTENT_STATUS_EVENTS.get(status, _E.OUTCOME_UNKNOWN)


_SOURCE_STATUS_EVENTS: dict[str, AttemptEvent] = {
    "pending": _E.AWAITING,  # checkout_url live; the patient has not authorized yet
    "chargeable": _E.PROCESSING_STARTED,  # authorized: the app must now create the Payment
    "paid": _E.PAID,
    "cancelled": _E.DECLINED,  # the patient failed or refused authorization on the e-wallet page
    "expired": _E.EXPIRED,
}


def map_source_status(status: str) -> AttemptEvent:
    """Event for a legacy source's ``status`` (GCash/GrabPay)."""
    return _SOURCE_STATUS_EVENTS.get(status, _E.OUTCOME_UNKNOWN)


_PAYMENT_STATUS_EVENTS: dict[str, AttemptEvent] = {
    "pending": _E.PROCESSING_STARTED,
    "paid": _E.PAID,  # stays "paid" after a refund too
    "failed": _E.DECLINED,
}


def map_payment_status(status: str) -> AttemptEvent:
    """Event for a payment's ``status``."""
    return _PAYMENT_STATUS_EVENTS.get(status, _E.OUTCOME_UNKNOWN)


def map_checkout_status(status: str, *, has_paid_payment: bool = False) -> AttemptEvent:
    """Event for a checkout session. Its ``status`` is availability, not payment state:
    a session may be ``active`` or ``expired`` with a paid payment inside, and then it is paid.
    """
    if has_paid_payment:
        return _E.PAID
    if status == "active":
        return _E.AWAITING
    if status in {"expired", "inactive"}:
        return _E.EXPIRED
    return _E.OUTCOME_UNKNOWN


_WEBHOOK_EVENTS: dict[str, AttemptEvent] = {
    "payment.paid": _E.PAID,
    "payment.failed": _E.DECLINED,
    "qrph.expired": _E.EXPIRED,
    "source.chargeable": _E.PROCESSING_STARTED,
    "checkout_session.payment.paid": _E.PAID,
    "payment_intent.succeeded": _E.PAID,
}


def map_webhook_event(event_type: str) -> AttemptEvent | None:
    """Event for a webhook type; ``None`` for types that say nothing about an attempt's state
    (refund events, ``payment_intent.awaiting_payment_method`` which needs the intent re-read).
    """
    return _WEBHOOK_EVENTS.get(event_type)
