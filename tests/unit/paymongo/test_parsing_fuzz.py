"""Hypothesis feeds broken answers to every parser: only typed errors may come out (R14)."""

from __future__ import annotations

import contextlib
import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pos_app.paymongo import (
    MalformedResponseError,
    PayMongoError,
    RetryPolicy,
    SignatureVerificationError,
    parse_event,
    verify_signature,
)
from pos_app.paymongo.models import (
    CheckoutSession,
    Event,
    Link,
    Payment,
    PaymentIntent,
    PaymentMethod,
    Refund,
    Source,
    Webhook,
)
from tests.unit.paymongo import wire

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)

PARSERS: list[Callable[[object], object]] = [
    PaymentIntent.from_answer,
    Payment.from_answer,
    Refund.from_answer,
    Source.from_answer,
    PaymentMethod.from_answer,
    CheckoutSession.from_answer,
    Link.from_answer,
    Webhook.from_answer,
    Event.from_answer,
]

VALID_INTENT = wire.answer(
    wire.intent(
        "awaiting_next_action",
        payments=[wire.payment(refunds=[wire.refund()])],
        next_action={"type": "consume_qr", "code": {"id": "code_A", "image_url": "data:,"}},
    )
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


INTENT_PATHS = _paths(VALID_INTENT)


def _only_typed_errors(parse: Callable[[Any], object], body: object) -> None:
    with contextlib.suppress(MalformedResponseError):
        parse(body)


@settings(max_examples=60)
@given(parser=st.sampled_from(PARSERS), body=json_values)
def test_random_json_gives_a_model_or_malformed_error(
    parser: Callable[[object], object], body: object
) -> None:
    _only_typed_errors(parser, body)


@given(path=st.sampled_from(INTENT_PATHS), replacement=json_values)
def test_wrong_types_anywhere_in_a_valid_intent(path: tuple[Any, ...], replacement: object) -> None:
    body = copy.deepcopy(VALID_INTENT)
    target: Any = body
    for step in path[:-1]:
        target = target[step]
    target[path[-1]] = replacement
    _only_typed_errors(PaymentIntent.from_answer, body)


@settings(suppress_health_check=[HealthCheck.too_slow], max_examples=60)
@given(cut=st.integers(min_value=0, max_value=len(json.dumps(VALID_INTENT)) - 1))
def test_truncated_answers_over_the_wire_raise_malformed(cut: int) -> None:
    raw = json.dumps(VALID_INTENT).encode()[:cut]
    client = wire.make_client(
        lambda request: httpx.Response(200, content=raw), retry=RetryPolicy(max_attempts=1)
    )
    try:
        client.retrieve_payment_intent("pi_A")
    except MalformedResponseError:
        return
    raise AssertionError("a truncated answer was accepted")


@given(status=st.integers(min_value=400, max_value=599), body=st.binary(max_size=200))
def test_any_error_answer_maps_to_the_tree(status: int, body: bytes) -> None:
    client = wire.make_client(
        lambda request: httpx.Response(status, content=body), retry=RetryPolicy(max_attempts=1)
    )
    with pytest.raises(PayMongoError) as caught:
        client.retrieve_payment_intent("pi_A")
    assert caught.value.status == status


@given(body=st.binary(max_size=300))
def test_parse_event_on_random_bytes(body: bytes) -> None:
    _only_typed_errors(parse_event, body)


@given(header=st.text(max_size=200), body=st.binary(max_size=50), live=st.booleans())
def test_signature_header_fuzz_only_rejects(header: str, body: bytes, live: bool) -> None:
    try:
        verify_signature(body, header, "whsk_x", livemode=live, now=0)
    except SignatureVerificationError:
        return
    raise AssertionError("a random header verified")
