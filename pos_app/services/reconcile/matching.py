"""Which local attempt a PayMongo payment belongs to, and what it is to that attempt. Pure.

A payment is matched by the ids the attempt stored (the payment itself, its intent, its source)
and then by the metadata every Kaha create carries (``kaha_attempt``, ``kaha_bill``, and
``kaha_terminal`` where present). A checkout session's payment is matched by metadata: its
intent is made by PayMongo inside the session and never stored locally.

Each attempt has at most one payment of its own (the one behind its tender). The oldest paid
payment of an attempt claims that place; any other is extra money: an overpayment case.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.domain.attempt import AttemptEvent, AttemptState, PaymentAttempt
from pos_app.domain.reconciliation import PaymentOutcome
from pos_app.paymongo.models import Payment

ATTEMPT_KEY = "kaha_attempt"
BILL_KEY = "kaha_bill"
TERMINAL_KEY = "kaha_terminal"
# PayMongo's clock and the counter's may differ a little: a tender recorded this long before the
# oldest moment a run lists cannot have its own payment in that list.
CLOCK_MARGIN = timedelta(minutes=5)

_S = AttemptState
_E = AttemptEvent
_CLOSED_UNPAID = frozenset({_S.FAILED, _S.EXPIRED, _S.CANCELLED})


def match_ids(payment: Payment) -> list[str]:
    """The PayMongo ids an attempt may have stored for this payment, most specific first."""
    ids = [payment.id]
    if payment.payment_intent_id:
        ids.append(payment.payment_intent_id)
    if payment.source is not None and payment.source.id:
        ids.append(payment.source.id)
    return ids


def find_attempt(
    payment: Payment,
    by_paymongo_id: Mapping[str, PaymentAttempt],
    by_id: Mapping[str, PaymentAttempt],
) -> PaymentAttempt | None:
    for paymongo_id in match_ids(payment):
        if paymongo_id in by_paymongo_id:
            return by_paymongo_id[paymongo_id]
    return by_id.get(payment.metadata.get(ATTEMPT_KEY, ""))


def other_counter(payment: Payment, terminal_id: str) -> bool:
    named = payment.metadata.get(TERMINAL_KEY)
    return named is not None and named != terminal_id


@dataclass(frozen=True)
class Verdict:
    outcome: PaymentOutcome
    event: AttemptEvent | None = None  # the transition to apply to the attempt, if any
    note: str = ""


def judge(
    attempt: PaymentAttempt,
    *,
    claimed_by: str | None,
    payment_id: str,
    tender_recorded_at: datetime | None,
    floor: datetime,
) -> Verdict:
    """What a paid payment is to its (not open) attempt.

    ``claimed_by``: the payment already known as the attempt's own, if any;
    ``tender_recorded_at``: when the attempt's tender was recorded (None: no tender);
    ``floor``: the oldest moment this run lists.
    """
    own_seen_elsewhere = claimed_by is not None and claimed_by != payment_id
    if claimed_by == payment_id:
        return Verdict(PaymentOutcome.TENDER, note="the attempt's own payment")
    if attempt.state in _CLOSED_UNPAID:
        return Verdict(
            PaymentOutcome.CASE,
            _E.LATE_PAYMENT,
            f"paid after the attempt was {attempt.state.value}",
        )
    if tender_recorded_at is not None:
        own_before_floor = tender_recorded_at < floor - CLOCK_MARGIN
        if own_seen_elsewhere or own_before_floor:
            event = _E.DOUBLE_PAYMENT if attempt.state is _S.SUCCEEDED else None
            return Verdict(PaymentOutcome.CASE, event, "a second payment for a paid attempt")
        return Verdict(PaymentOutcome.TENDER, note="the attempt's own payment")
    if attempt.state is _S.NEEDS_REVIEW:
        return Verdict(PaymentOutcome.CASE, note="already set aside for review")
    # succeeded with no tender: the bill was paid some other way first
    return Verdict(PaymentOutcome.CASE, note="paid for a bill that was already paid")
