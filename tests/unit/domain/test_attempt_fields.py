"""What ``PaymentAttempt.new`` and ``apply`` keep: the bill, method and amount of a new attempt,
and a decline reason that a later event without one must not erase."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from uuid import UUID

import pytest

from pos_app.domain.attempt import (
    AttemptEvent,
    AttemptState,
    PaymentAttempt,
    map_checkout_status,
    map_intent_status,
)
from pos_app.domain.errors import AmountError, IllegalTransition
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod

T0 = datetime(2026, 12, 7, 1, 0, tzinfo=UTC)
E = AttemptEvent
S = AttemptState


def test_new_keeps_the_bill_method_and_amount_it_was_given() -> None:
    """Money at risk: the amount collected and the bill it is credited to."""
    attempt = PaymentAttempt.new(
        bill_id=4242, method=TenderMethod.PAYMAYA, amount=Money(123_456), at=T0
    )
    assert attempt.bill_id == 4242
    assert attempt.method is TenderMethod.PAYMAYA
    assert attempt.amount == Money(123_456)
    assert attempt.failure_code is None
    assert attempt.failure_message is None
    assert attempt.paymongo_ids == {}


def test_new_draws_the_id_first_and_one_key_per_step_after_it() -> None:
    counter = iter(range(1, 100))
    attempt = PaymentAttempt.new(
        bill_id=1,
        method=TenderMethod.QRPH,
        amount=Money(1),
        at=T0,
        id_factory=lambda: UUID(int=next(counter)),
    )
    assert attempt.id == UUID(int=1).hex
    assert sorted(attempt.idempotency_keys.values()) == [UUID(int=n).hex for n in range(2, 8)]


def test_a_zero_attempt_is_refused_with_the_words_the_receptionist_reads() -> None:
    with pytest.raises(AmountError) as caught:
        PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money.ZERO, at=T0)
    assert caught.value.user_message == "There is nothing to collect. Please check the amount."


def test_a_one_centavo_attempt_is_allowed() -> None:
    attempt = PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(1), at=T0)
    assert attempt.amount == Money(1)


def test_a_later_event_without_a_reason_keeps_the_earlier_decline_reason() -> None:
    """The staff reviewing a late payment on a declined attempt must still see why it failed."""
    declined = (
        PaymentAttempt.new(bill_id=1, method=TenderMethod.CARD, amount=Money(500), at=T0)
        .apply(E.REQUEST_SENT, at=T0)
        .apply(E.DECLINED, at=T0, failure_code="insufficient_funds", failure_message="No funds.")
    )
    later = declined.apply(E.LATE_PAYMENT, at=T0 + timedelta(minutes=5))
    assert later.state is S.NEEDS_REVIEW
    assert later.failure_code == "insufficient_funds"
    assert later.failure_message == "No funds."
    assert later.updated_at == T0 + timedelta(minutes=5)


def test_a_later_reason_replaces_the_earlier_one() -> None:
    creating = PaymentAttempt.new(
        bill_id=1, method=TenderMethod.CARD, amount=Money(500), at=T0
    ).apply(E.REQUEST_SENT, at=T0, failure_code="a", failure_message="first")
    failed = creating.apply(E.DECLINED, at=T0, failure_code="b", failure_message="second")
    assert (failed.failure_code, failed.failure_message) == ("b", "second")


def test_a_later_event_without_an_expiry_keeps_the_known_one() -> None:
    expiry = T0 + timedelta(minutes=30)
    shown = (
        PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(500), at=T0)
        .apply(E.REQUEST_SENT, at=T0)
        .apply(E.AWAITING, at=T0, expires_at=expiry)
    )
    assert shown.apply(E.AWAITING, at=T0).expires_at == expiry
    assert not shown.is_past_expiry(expiry - timedelta(microseconds=1))
    assert shown.is_past_expiry(expiry)


def test_an_attempt_without_expiry_is_never_past_it() -> None:
    attempt = PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(5), at=T0)
    assert not attempt.is_past_expiry(T0 + timedelta(days=365))


def test_apply_refuses_an_aware_looking_time_without_an_offset() -> None:
    class NoOffset(datetime):
        def utcoffset(self) -> None:
            return None

    odd = NoOffset(2026, 12, 7, tzinfo=UTC)
    attempt = PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(5), at=T0)
    with pytest.raises(ValueError, match="timezone-aware"):
        attempt.apply(E.REQUEST_SENT, at=odd)


def test_illegal_transition_detail_names_the_attempt_event_and_state() -> None:
    attempt = PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(5), at=T0)
    with pytest.raises(IllegalTransition) as caught:
        attempt.apply(E.PAID, at=T0)
    assert caught.value.detail == f"attempt {attempt.id}: 'paid' is not allowed in 'created'"


def test_changing_a_known_paymongo_id_names_both_ids() -> None:
    attempt = (
        PaymentAttempt.new(bill_id=1, method=TenderMethod.QRPH, amount=Money(5), at=T0)
        .apply(E.REQUEST_SENT, at=T0)
        .apply(E.INTENT_CREATED, at=T0, paymongo_ids={"intent": "pi_1"})
    )
    with pytest.raises(IllegalTransition) as caught:
        attempt.apply(E.INTENT_CREATED, at=T0, paymongo_ids={"intent": "pi_2", "method": "pm"})
    assert caught.value.detail == f"attempt {attempt.id}: intent id 'pi_1' cannot become 'pi_2'"
    both = attempt.apply(E.INTENT_CREATED, at=T0, paymongo_ids={"method": "pm_1"})
    assert both.paymongo_ids == {"intent": "pi_1", "method": "pm_1"}


def test_a_checkout_session_is_not_paid_unless_told_so() -> None:
    """Money at risk: the whole bill. An active or expired checkout session with no paid payment
    inside must never read as PAID by default, or the counter settles a bill nobody paid."""
    assert map_checkout_status("active") is E.AWAITING
    assert map_checkout_status("expired") is E.EXPIRED
    assert map_checkout_status("inactive") is E.EXPIRED
    assert map_checkout_status("something_new") is E.OUTCOME_UNKNOWN
    assert map_checkout_status("active", has_paid_payment=True) is E.PAID


def test_an_intent_awaiting_a_method_is_nothing_yet_by_default() -> None:
    """Money at risk: a patient told their payment failed, or a live QR abandoned, before they
    even had the chance to pay."""
    assert map_intent_status("awaiting_payment_method") is None
