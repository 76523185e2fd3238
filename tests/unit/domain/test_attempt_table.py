"""The attempt state machine held to a table written by hand, not read from ``TRANSITIONS``.

``EXPECTED`` below is transcribed from ../shared/design/architecture.md ("Payments without double
charges and without losses") and the docstrings and comments of ``AttemptState`` and
``AttemptEvent``. It is deliberately spelled out pair by pair: a test that builds its expectation
from the code's own table only checks that ``apply()`` follows the table, never that the table is
right. Each test that guards a single pair names the money at risk if that pair were wrong.
"""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest

from pos_app.domain.attempt import (
    IDEMPOTENCY_STEPS,
    TRANSITIONS,
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
)
from pos_app.domain.errors import IllegalTransition
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.sources import SOURCE_STEPS

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
S = AttemptState
E = AttemptEvent

# fmt: off
EXPECTED: dict[tuple[AttemptState, AttemptEvent], AttemptState] = {
    # CREATED: the row and its keys are committed; nothing has left the machine.
    (S.CREATED, E.REQUEST_SENT): S.CREATING,
    (S.CREATED, E.CANCEL_REQUESTED): S.CANCELLED,        # nothing sent, so nothing to cancel
    # CREATING: create request(s) sent, PayMongo's answers not all stored.
    (S.CREATING, E.REQUEST_SENT): S.CREATING,            # next create step, or a replay
    (S.CREATING, E.INTENT_CREATED): S.CREATING,          # a create step answered
    (S.CREATING, E.AWAITING): S.AWAITING_PAYMENT,        # QR or link is live
    (S.CREATING, E.REJECTED): S.FAILED,                  # 4xx: nothing charged
    (S.CREATING, E.CANCEL_REQUESTED): S.CANCELLING,      # something was sent: confirm it is dead
    (S.CREATING, E.PAID): S.SUCCEEDED,
    (S.CREATING, E.DECLINED): S.FAILED,
    (S.CREATING, E.EXPIRED): S.EXPIRED,
    (S.CREATING, E.CANCELLED): S.CANCELLED,
    (S.CREATING, E.PROCESSING_STARTED): S.PROCESSING,
    (S.CREATING, E.OUTCOME_UNKNOWN): S.NEEDS_REVIEW,
    # AWAITING_PAYMENT: the patient has the QR code or link.
    (S.AWAITING_PAYMENT, E.AWAITING): S.AWAITING_PAYMENT,  # a repeated poll
    (S.AWAITING_PAYMENT, E.CANCEL_REQUESTED): S.CANCELLING,
    (S.AWAITING_PAYMENT, E.PAID): S.SUCCEEDED,
    (S.AWAITING_PAYMENT, E.DECLINED): S.FAILED,
    (S.AWAITING_PAYMENT, E.EXPIRED): S.EXPIRED,
    (S.AWAITING_PAYMENT, E.CANCELLED): S.CANCELLED,
    (S.AWAITING_PAYMENT, E.PROCESSING_STARTED): S.PROCESSING,
    (S.AWAITING_PAYMENT, E.OUTCOME_UNKNOWN): S.NEEDS_REVIEW,
    # PROCESSING: money is moving; no cancel. A chargeable source gets its Payment created here.
    (S.PROCESSING, E.REQUEST_SENT): S.PROCESSING,
    (S.PROCESSING, E.INTENT_CREATED): S.PROCESSING,
    (S.PROCESSING, E.REJECTED): S.FAILED,
    (S.PROCESSING, E.PAID): S.SUCCEEDED,
    (S.PROCESSING, E.DECLINED): S.FAILED,
    (S.PROCESSING, E.EXPIRED): S.EXPIRED,
    (S.PROCESSING, E.CANCELLED): S.CANCELLED,
    (S.PROCESSING, E.PROCESSING_STARTED): S.PROCESSING,
    (S.PROCESSING, E.OUTCOME_UNKNOWN): S.NEEDS_REVIEW,
    # CANCELLING: the patient may still pay before the cancel lands; that counts as paid.
    (S.CANCELLING, E.CANCEL_REQUESTED): S.CANCELLING,    # cancel retried
    (S.CANCELLING, E.PAID): S.SUCCEEDED,
    (S.CANCELLING, E.DECLINED): S.FAILED,
    (S.CANCELLING, E.EXPIRED): S.EXPIRED,
    (S.CANCELLING, E.CANCELLED): S.CANCELLED,
    (S.CANCELLING, E.PROCESSING_STARTED): S.PROCESSING,
    (S.CANCELLING, E.OUTCOME_UNKNOWN): S.NEEDS_REVIEW,
    # Terminal: only late/double money or a staff decision moves them.
    (S.FAILED, E.LATE_PAYMENT): S.NEEDS_REVIEW,
    (S.EXPIRED, E.LATE_PAYMENT): S.NEEDS_REVIEW,
    (S.CANCELLED, E.LATE_PAYMENT): S.NEEDS_REVIEW,
    (S.SUCCEEDED, E.DOUBLE_PAYMENT): S.NEEDS_REVIEW,
    (S.NEEDS_REVIEW, E.REVIEWED_PAID): S.SUCCEEDED,
    (S.NEEDS_REVIEW, E.REVIEWED_UNPAID): S.FAILED,
}
# fmt: on

ALL_PAIRS = list(itertools.product(AttemptState, AttemptEvent))
REFUSED = [pair for pair in ALL_PAIRS if pair not in EXPECTED]


def _id(pair: tuple[AttemptState, AttemptEvent]) -> str:
    return f"{pair[0].value}+{pair[1].value}"


def attempt_in(state: AttemptState) -> PaymentAttempt:
    base = PaymentAttempt.new(bill_id=7, method=TenderMethod.QRPH, amount=Money(150_000), at=T0)
    return PaymentAttempt(
        id=base.id,
        bill_id=base.bill_id,
        method=base.method,
        amount=base.amount,
        state=state,
        idempotency_keys=base.idempotency_keys,
        paymongo_ids={},
        created_at=T0,
        updated_at=T0,
    )


def test_the_hand_written_table_has_every_pair_the_design_names() -> None:
    assert len(EXPECTED) == 43
    assert len(REFUSED) == len(AttemptState) * len(AttemptEvent) - 43


@pytest.mark.parametrize("pair", list(EXPECTED), ids=_id)
def test_every_expected_pair_is_allowed_with_its_target(
    pair: tuple[AttemptState, AttemptEvent],
) -> None:
    state, event = pair
    assert TRANSITIONS.get(pair) is EXPECTED[pair]
    assert attempt_in(state).apply(event, at=T0).state is EXPECTED[pair]


@pytest.mark.parametrize("pair", REFUSED, ids=_id)
def test_every_other_pair_is_refused(pair: tuple[AttemptState, AttemptEvent]) -> None:
    state, event = pair
    assert pair not in TRANSITIONS
    attempt = attempt_in(state)
    assert not attempt.accepts(event)
    with pytest.raises(IllegalTransition):
        attempt.apply(event, at=T0)


def test_the_code_table_has_nothing_the_hand_table_lacks() -> None:
    assert dict(TRANSITIONS) == EXPECTED


# --- pairs whose loss or change puts money at risk --------------------------------------------


@pytest.mark.parametrize("state", [S.CREATING, S.AWAITING_PAYMENT, S.PROCESSING, S.CANCELLING])
def test_unknown_outcome_needs_review_not_failed_because_the_patient_may_have_paid(
    state: AttemptState,
) -> None:
    """Money at risk: the whole attempt amount. An unreadable status may hide a payment; calling
    it FAILED frees the bill for a second collection (the patient pays twice, or the clinic's
    money sits unmatched). A person must look."""
    after = attempt_in(state).apply(E.OUTCOME_UNKNOWN, at=T0)
    assert after.state is S.NEEDS_REVIEW


def test_rejected_create_fails_the_attempt_so_the_bill_can_still_be_collected() -> None:
    """Money at risk: the bill's balance. PayMongo refused the create (4xx, nothing charged); if
    CREATING could not take REJECTED the attempt would stay open forever, holding the bill's one
    live QR, and the balance could not be collected by another method."""
    assert attempt_in(S.CREATING).apply(E.REJECTED, at=T0).state is S.FAILED


def test_rejected_source_payment_fails_so_the_authorised_amount_is_not_left_hanging() -> None:
    """Money at risk: the amount the patient authorised on GCash/GrabPay. When creating the
    Payment for a chargeable source is refused, the attempt must fail (nothing charged) rather
    than sit in PROCESSING, where it cannot be cancelled and the bill stays blocked."""
    assert attempt_in(S.PROCESSING).apply(E.REJECTED, at=T0).state is S.FAILED


def test_cancel_while_creating_waits_for_paymongo_so_a_live_qr_is_not_paid_twice() -> None:
    """Money at risk: a double payment. A create may already be live at PayMongo; the cancel
    must go to CANCELLING (confirm it is dead) and be allowed at all, or the QR stays payable
    while the patient pays the same bill another way."""
    assert attempt_in(S.CREATING).apply(E.CANCEL_REQUESTED, at=T0).state is S.CANCELLING


def test_cancel_can_be_retried_so_a_failed_cancel_does_not_leave_a_payable_qr() -> None:
    """Money at risk: a double payment. If the cancel call failed, pressing Cancel again must be
    accepted in CANCELLING; refusing it leaves the QR live at PayMongo after the counter moved
    on to cash."""
    assert attempt_in(S.CANCELLING).apply(E.CANCEL_REQUESTED, at=T0).state is S.CANCELLING


@pytest.mark.parametrize("event", [E.REQUEST_SENT, E.INTENT_CREATED])
def test_a_chargeable_source_can_get_its_payment_created_so_authorised_money_is_captured(
    event: AttemptEvent,
) -> None:
    """Money at risk: the amount the patient authorised on a GCash/GrabPay source. The Payment
    for a chargeable source is created from PROCESSING (request sent, then its id kept); without
    these pairs the authorised money is never captured and the clinic is never paid."""
    assert attempt_in(S.PROCESSING).apply(event, at=T0).state is S.PROCESSING


def test_processing_cannot_be_cancelled_because_money_is_moving() -> None:
    """Money at risk: a payment already in flight reported as cancelled (the clinic is paid but
    the counter thinks not, and collects again)."""
    with pytest.raises(IllegalTransition):
        attempt_in(S.PROCESSING).apply(E.CANCEL_REQUESTED, at=T0)


# --- idempotency steps ----------------------------------------------------------------------

# Written from the collect flows' design: an intent flow creates a payment intent and a payment
# method; a legacy source flow creates a source, then a payment; hosted checkout creates one
# checkout session. "attach" is reserved by the domain (attach is looked up first, never re-posted
# blindly, so it carries no key of its own in today's flows).
STEPS_BY_FLOW: dict[str, tuple[str, ...]] = {
    "intent": ("intent", "method"),
    "source": ("source", "payment"),
    "checkout": ("checkout",),
}
EXPECTED_STEPS = ("intent", "method", "attach", "source", "payment", "checkout")


def test_idempotency_steps_are_exactly_the_expected_ones() -> None:
    """Money at risk: a double charge. A create whose step has no key made up front is sent
    without a stored Idempotency-Key, so a retry after a lost answer charges the patient again."""
    assert IDEMPOTENCY_STEPS == EXPECTED_STEPS


@pytest.mark.parametrize("flow", sorted(STEPS_BY_FLOW))
def test_every_step_a_flow_uses_gets_its_own_key_before_anything_is_sent(flow: str) -> None:
    """Money at risk: a double charge (see above): each create of each flow needs a key stored
    in the write-ahead row, distinct from every other key and from the attempt id."""
    attempt = PaymentAttempt.new(bill_id=1, method=TenderMethod.GCASH, amount=Money(100), at=T0)
    assert attempt.state is S.CREATED
    for step in STEPS_BY_FLOW[flow]:
        assert step in attempt.idempotency_keys
    keys = list(attempt.idempotency_keys.values())
    assert len(set(keys)) == len(keys) == len(EXPECTED_STEPS)
    assert attempt.id not in keys


def test_a_source_attempt_keeps_the_keys_of_its_two_creates() -> None:
    """Money at risk: a double charge on a GCash/GrabPay source: both its creates need a key."""
    assert STEPS_BY_FLOW["source"] == SOURCE_STEPS
