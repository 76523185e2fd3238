"""Every PayMongo status (paymongo-api.md 4.3, 6, 7, 10, 11, 12.2) maps onto an attempt event."""

from __future__ import annotations

import pytest

from pos_app.domain.attempt import (
    TRANSITIONS,
    AttemptEvent,
    AttemptState,
    map_checkout_status,
    map_intent_status,
    map_payment_status,
    map_source_status,
    map_webhook_event,
)

E = AttemptEvent
S = AttemptState


@pytest.mark.parametrize(
    ("status", "event"),
    [
        ("awaiting_next_action", E.AWAITING),
        ("processing", E.PROCESSING_STARTED),
        ("succeeded", E.PAID),
        ("cancelled", E.CANCELLED),
        ("awaiting_capture", E.OUTCOME_UNKNOWN),  # we never hold cards; a person checks
        ("something_new", E.OUTCOME_UNKNOWN),
        ("", E.OUTCOME_UNKNOWN),
    ],
)
def test_intent_statuses(status: str, event: AttemptEvent) -> None:
    assert map_intent_status(status) is event


def test_awaiting_payment_method_means_nothing_yet_declined_or_expired() -> None:
    assert map_intent_status("awaiting_payment_method") is None
    assert map_intent_status("awaiting_payment_method", has_payment_error=True) is E.DECLINED
    assert map_intent_status("awaiting_payment_method", was_attached=True) is E.EXPIRED
    assert (
        map_intent_status("awaiting_payment_method", has_payment_error=True, was_attached=True)
        is E.DECLINED
    )


@pytest.mark.parametrize(
    ("status", "event"),
    [
        ("pending", E.AWAITING),
        ("chargeable", E.PROCESSING_STARTED),
        ("paid", E.PAID),
        ("cancelled", E.DECLINED),
        ("expired", E.EXPIRED),
        ("weird", E.OUTCOME_UNKNOWN),
    ],
)
def test_source_statuses(status: str, event: AttemptEvent) -> None:
    assert map_source_status(status) is event


@pytest.mark.parametrize(
    ("status", "event"),
    [
        ("pending", E.PROCESSING_STARTED),
        ("paid", E.PAID),
        ("failed", E.DECLINED),
        ("refunded", E.OUTCOME_UNKNOWN),  # not a PayMongo payment status: refunds stay "paid"
    ],
)
def test_payment_statuses(status: str, event: AttemptEvent) -> None:
    assert map_payment_status(status) is event


@pytest.mark.parametrize(
    ("status", "paid", "event"),
    [
        ("active", False, E.AWAITING),
        ("expired", False, E.EXPIRED),
        ("inactive", False, E.EXPIRED),
        ("active", True, E.PAID),  # status is availability, not payment state
        ("expired", True, E.PAID),
        ("weird", False, E.OUTCOME_UNKNOWN),
    ],
)
def test_checkout_statuses(status: str, paid: bool, event: AttemptEvent) -> None:
    assert map_checkout_status(status, has_paid_payment=paid) is event


@pytest.mark.parametrize(
    ("event_type", "event"),
    [
        ("payment.paid", E.PAID),
        ("payment.failed", E.DECLINED),
        ("qrph.expired", E.EXPIRED),
        ("source.chargeable", E.PROCESSING_STARTED),
        ("checkout_session.payment.paid", E.PAID),
        ("payment_intent.succeeded", E.PAID),
        ("payment.refunded", None),
        ("payment.refund.updated", None),
        ("payment_intent.awaiting_payment_method", None),
        ("link.payment.paid", None),
    ],
)
def test_webhook_events(event_type: str, event: AttemptEvent | None) -> None:
    assert map_webhook_event(event_type) is event


WAITING_STATES = [S.CREATING, S.AWAITING_PAYMENT]


@pytest.mark.parametrize("state", WAITING_STATES)
@pytest.mark.parametrize(
    "status", ["awaiting_next_action", "processing", "succeeded", "cancelled", "awaiting_capture"]
)
def test_every_intent_status_is_accepted_while_waiting(state: AttemptState, status: str) -> None:
    event = map_intent_status(status)
    assert event is not None
    assert (state, event) in TRANSITIONS


@pytest.mark.parametrize("state", WAITING_STATES)
@pytest.mark.parametrize("status", ["pending", "chargeable", "paid", "cancelled", "expired"])
def test_every_source_status_is_accepted_while_waiting(state: AttemptState, status: str) -> None:
    assert (state, map_source_status(status)) in TRANSITIONS


@pytest.mark.parametrize("status", ["pending", "paid", "failed"])
def test_every_payment_status_is_accepted_while_processing(status: str) -> None:
    assert (S.PROCESSING, map_payment_status(status)) in TRANSITIONS
