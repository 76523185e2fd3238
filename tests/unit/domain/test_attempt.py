"""The payment attempt state machine: every legal transition, every illegal one, and how each
PayMongo status maps onto it.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from pos_app.domain.attempt import (
    IDEMPOTENCY_STEPS,
    OPEN,
    TERMINAL,
    TRANSITIONS,
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
    reconcile_event,
)
from pos_app.domain.errors import AmountError, IllegalTransition, PosError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod

T0 = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
S = AttemptState
E = AttemptEvent


def by_name(pair: tuple[AttemptState, AttemptEvent]) -> tuple[str, str]:
    return pair[0].value, pair[1].value


LEGAL = sorted(TRANSITIONS, key=by_name)
ILLEGAL = sorted(
    (pair for pair in itertools.product(AttemptState, AttemptEvent) if pair not in TRANSITIONS),
    key=by_name,
)


def attempt_in(
    state: AttemptState, *, idempotency_keys: Mapping[str, str] | None = None
) -> PaymentAttempt:
    base = PaymentAttempt.new(bill_id=7, method=TenderMethod.QRPH, amount=Money(150000), at=T0)
    return PaymentAttempt(
        id=base.id,
        bill_id=base.bill_id,
        method=base.method,
        amount=base.amount,
        state=state,
        idempotency_keys=idempotency_keys or base.idempotency_keys,
        paymongo_ids=base.paymongo_ids,
        created_at=T0,
        updated_at=T0,
    )


def test_new_attempt_is_created_with_every_key_up_front() -> None:
    made: list[UUID] = []

    def factory() -> UUID:
        made.append(UUID(int=len(made) + 1))
        return made[-1]

    attempt = PaymentAttempt.new(
        bill_id=3, method=TenderMethod.GCASH, amount=Money(50000), at=T0, id_factory=factory
    )
    assert attempt.state is S.CREATED
    assert attempt.id == UUID(int=1).hex
    assert set(attempt.idempotency_keys) == set(IDEMPOTENCY_STEPS)
    assert len(set(attempt.idempotency_keys.values())) == len(IDEMPOTENCY_STEPS)
    assert attempt.id not in attempt.idempotency_keys.values()
    assert attempt.paymongo_ids == {}
    assert attempt.created_at == attempt.updated_at == T0
    assert attempt.expires_at is None
    assert attempt.is_open
    assert not attempt.is_terminal


def test_default_ids_are_uuid4_hex() -> None:
    attempt = PaymentAttempt.new(bill_id=3, method=TenderMethod.QRPH, amount=Money(1), at=T0)
    assert UUID(hex=attempt.id).version == 4
    assert len(attempt.id) == 32


def test_new_refuses_cash_zero_amounts_and_naive_times() -> None:
    with pytest.raises(ValueError):
        PaymentAttempt.new(bill_id=1, method=TenderMethod.CASH, amount=Money(100), at=T0)
    with pytest.raises(AmountError):
        PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(0), at=T0)
    with pytest.raises(ValueError):
        PaymentAttempt.new(
            bill_id=1, method=TenderMethod.QRPH, amount=Money(100), at=T0.replace(tzinfo=None)
        )


@pytest.mark.parametrize(("state", "event"), LEGAL)
def test_every_transition_moves_to_its_target(state: AttemptState, event: AttemptEvent) -> None:
    attempt = attempt_in(state)
    later = T0 + timedelta(seconds=5)
    moved = attempt.apply(event, at=later)
    assert moved.state is TRANSITIONS[(state, event)]
    assert moved.updated_at == later
    assert moved.created_at == T0
    assert moved.id == attempt.id
    assert moved.idempotency_keys == attempt.idempotency_keys
    assert attempt.state is state  # the original is untouched
    assert attempt.accepts(event)


@pytest.mark.parametrize(("state", "event"), ILLEGAL)
def test_every_other_pair_is_illegal(state: AttemptState, event: AttemptEvent) -> None:
    attempt = attempt_in(state)
    assert not attempt.accepts(event)
    with pytest.raises(IllegalTransition) as caught:
        attempt.apply(event, at=T0)
    assert isinstance(caught.value, PosError)
    assert caught.value.detail is not None
    assert event.value in caught.value.detail


def test_the_illegal_list_is_not_empty_and_covers_the_rest() -> None:
    assert len(ILLEGAL) + len(TRANSITIONS) == len(AttemptState) * len(AttemptEvent)


EXPLICIT_TERMINAL_EXITS = {
    (S.FAILED, E.LATE_PAYMENT): S.NEEDS_REVIEW,
    (S.EXPIRED, E.LATE_PAYMENT): S.NEEDS_REVIEW,
    (S.CANCELLED, E.LATE_PAYMENT): S.NEEDS_REVIEW,
    (S.SUCCEEDED, E.DOUBLE_PAYMENT): S.NEEDS_REVIEW,
    (S.NEEDS_REVIEW, E.REVIEWED_PAID): S.SUCCEEDED,
    (S.NEEDS_REVIEW, E.REVIEWED_UNPAID): S.FAILED,
}


def test_terminal_states_accept_only_the_explicit_exits() -> None:
    from_terminal = {pair: target for pair, target in TRANSITIONS.items() if pair[0] in TERMINAL}
    assert from_terminal == EXPLICIT_TERMINAL_EXITS


def test_terminal_and_open_split_the_states() -> None:
    assert set(AttemptState) == TERMINAL | OPEN
    assert not TERMINAL & OPEN
    assert {S.SUCCEEDED, S.FAILED, S.EXPIRED, S.CANCELLED, S.NEEDS_REVIEW} == TERMINAL


def test_every_state_is_reachable_from_created() -> None:
    reached = {S.CREATED}
    frontier = [S.CREATED]
    while frontier:
        state = frontier.pop()
        for (source, _), target in TRANSITIONS.items():
            if source is state and target not in reached:
                reached.add(target)
                frontier.append(target)
    assert reached == set(AttemptState)


def test_every_open_state_can_end() -> None:
    for state in OPEN:
        targets = {target for (source, _), target in TRANSITIONS.items() if source is state}
        assert targets & TERMINAL, state


def test_processing_cannot_be_cancelled_because_money_is_moving() -> None:
    with pytest.raises(IllegalTransition):
        attempt_in(S.PROCESSING).apply(E.CANCEL_REQUESTED, at=T0)


def test_cancel_before_anything_was_sent_is_final_at_once() -> None:
    assert attempt_in(S.CREATED).apply(E.CANCEL_REQUESTED, at=T0).state is S.CANCELLED
    assert attempt_in(S.AWAITING_PAYMENT).apply(E.CANCEL_REQUESTED, at=T0).state is S.CANCELLING


def test_payment_that_wins_the_race_with_cancel_is_a_success() -> None:
    assert attempt_in(S.CANCELLING).apply(E.PAID, at=T0).state is S.SUCCEEDED


def test_a_happy_qrph_path() -> None:
    attempt = PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(100), at=T0)
    expiry = T0 + timedelta(minutes=30)
    attempt = attempt.apply(E.REQUEST_SENT, at=T0)
    attempt = attempt.apply(E.INTENT_CREATED, at=T0, paymongo_ids={"intent": "pi_1"})
    attempt = attempt.apply(E.REQUEST_SENT, at=T0)
    attempt = attempt.apply(E.INTENT_CREATED, at=T0, paymongo_ids={"method": "pm_1"})
    attempt = attempt.apply(E.AWAITING, at=T0, expires_at=expiry)
    attempt = attempt.apply(E.PAID, at=T0 + timedelta(minutes=2), paymongo_ids={"payment": "p_1"})
    assert attempt.state is S.SUCCEEDED
    assert attempt.paymongo_ids == {"intent": "pi_1", "method": "pm_1", "payment": "p_1"}
    assert attempt.expires_at == expiry
    assert attempt.is_past_expiry(expiry)
    assert not attempt.is_past_expiry(expiry - timedelta(seconds=1))


def test_decline_keeps_the_failure_code_and_message() -> None:
    failed = attempt_in(S.CREATING).apply(
        E.DECLINED, at=T0, failure_code="card_expired", failure_message="The card has expired."
    )
    assert failed.state is S.FAILED
    assert failed.failure_code == "card_expired"
    assert failed.failure_message == "The card has expired."


def test_a_known_paymongo_id_cannot_change() -> None:
    attempt = attempt_in(S.CREATING).apply(E.INTENT_CREATED, at=T0, paymongo_ids={"intent": "pi_1"})
    same = attempt.apply(E.INTENT_CREATED, at=T0, paymongo_ids={"intent": "pi_1"})
    assert same.paymongo_ids["intent"] == "pi_1"
    with pytest.raises(IllegalTransition):
        attempt.apply(E.INTENT_CREATED, at=T0, paymongo_ids={"intent": "pi_2"})


def test_the_attempt_does_not_share_the_callers_dicts() -> None:
    keys = {"intent": "k1"}
    attempt = attempt_in(S.CREATED, idempotency_keys=keys)
    keys["intent"] = "changed"
    assert attempt.idempotency_keys["intent"] == "k1"
    with pytest.raises(TypeError):
        attempt.paymongo_ids["intent"] = "pi_x"  # type: ignore[index]


def test_apply_refuses_naive_times() -> None:
    with pytest.raises(ValueError):
        attempt_in(S.CREATED).apply(E.REQUEST_SENT, at=T0.replace(tzinfo=None))


# --- reconcile_event ---------------------------------------------------------------------------


@pytest.mark.parametrize("state", [S.FAILED, S.EXPIRED, S.CANCELLED])
def test_paid_on_an_abandoned_attempt_is_a_late_payment(state: AttemptState) -> None:
    event = reconcile_event(state, E.PAID)
    assert event is E.LATE_PAYMENT
    assert attempt_in(state).apply(event, at=T0).state is S.NEEDS_REVIEW


@pytest.mark.parametrize("state", [S.SUCCEEDED, S.NEEDS_REVIEW])
def test_paid_again_is_old_news(state: AttemptState) -> None:
    assert reconcile_event(state, E.PAID) is None


@pytest.mark.parametrize("state", sorted(TERMINAL))
@pytest.mark.parametrize("observed", [e for e in AttemptEvent if e is not E.PAID])
def test_terminal_outcomes_stand_against_stale_news(
    state: AttemptState, observed: AttemptEvent
) -> None:
    assert reconcile_event(state, observed) is None


@pytest.mark.parametrize("state", [S.PROCESSING, S.CANCELLING])
def test_awaiting_after_processing_or_cancel_is_stale(state: AttemptState) -> None:
    assert reconcile_event(state, E.AWAITING) is None


@pytest.mark.parametrize("state", sorted(OPEN))
@pytest.mark.parametrize("observed", [E.PAID, E.DECLINED, E.EXPIRED, E.OUTCOME_UNKNOWN])
def test_live_news_passes_through_for_open_states(
    state: AttemptState, observed: AttemptEvent
) -> None:
    assert reconcile_event(state, observed) is observed
