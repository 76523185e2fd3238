"""Retries live in one place: what is retried, how long we wait, and what is never re-posted."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from pos_app.paymongo import (
    APITimeoutError,
    CardDeclinedError,
    InvalidRequestError,
    RateLimitError,
    RetryPolicy,
    ServerError,
    Timeouts,
)
from pos_app.paymongo.models import PaymentIntentStatus
from tests.unit.paymongo import wire


class Script:
    """Answers requests from a list of outcomes: a Response, or an exception class to raise."""

    def __init__(self, *outcomes: httpx.Response | type[httpx.HTTPError]) -> None:
        self.outcomes = list(outcomes)
        self.requests: list[httpx.Request] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        outcome = self.outcomes.pop(0)
        if isinstance(outcome, httpx.Response):
            return outcome
        raise outcome("injected", request=request)  # type: ignore[call-arg]  # transport errors take it

    def paths(self) -> list[str]:
        return [f"{r.method} {r.url.path}" for r in self.requests]


def _create(client_script: Script, pacing: wire.FakePacing, **retry: float) -> object:
    client = wire.make_client(client_script, pacing=pacing, retry=RetryPolicy(**retry))  # type: ignore[arg-type]
    return client.create_payment_intent(
        amount=150_000, payment_method_allowed=["qrph"], idempotency_key="idem-42"
    )


def test_retryable_failures_reuse_the_same_idempotency_key_with_jittered_backoff() -> None:
    script = Script(
        httpx.ConnectError,
        httpx.ReadTimeout,
        httpx.Response(503),
        httpx.Response(429),
        wire.ok(wire.intent()),
    )
    pacing = wire.FakePacing(draw=0.5)
    _create(script, pacing, max_attempts=5)
    assert [r.headers["Idempotency-Key"] for r in script.requests] == ["idem-42"] * 5
    # full jitter: draw * min(max_delay, base * 2**n) with base 0.5 and draw 0.5
    assert pacing.sleeps == [0.25, 0.5, 1.0, 2.0]


def test_retry_after_is_honoured_and_jitter_can_be_zero() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "2"}), wire.ok(wire.intent()))
    pacing = wire.FakePacing(draw=0.0)
    _create(script, pacing)
    assert pacing.sleeps == [2.0]


def test_too_long_retry_after_gives_up_at_once() -> None:
    script = Script(httpx.Response(429, headers={"Retry-After": "3600"}))
    pacing = wire.FakePacing()
    with pytest.raises(RateLimitError) as caught:
        _create(script, pacing)
    assert caught.value.retry_after_s == 3600
    assert pacing.sleeps == []


def test_non_retryable_errors_are_not_retried() -> None:
    script = Script(httpx.Response(400, content=wire.error_body("parameter_invalid", "no")))
    pacing = wire.FakePacing()
    with pytest.raises(InvalidRequestError):
        _create(script, pacing)
    assert len(script.requests) == 1


def test_attempts_are_bounded_by_count_and_by_total_budget() -> None:
    script = Script(*[httpx.Response(500)] * 10)
    pacing = wire.FakePacing(draw=1.0)
    with pytest.raises(ServerError):
        _create(script, pacing, max_attempts=3)
    assert len(script.requests) == 3
    script = Script(*[httpx.Response(500)] * 10)
    pacing = wire.FakePacing(draw=1.0)
    client = wire.make_client(
        script, pacing=pacing, timeouts=Timeouts(total_s=2.0), retry=RetryPolicy(max_attempts=10)
    )
    with pytest.raises(ServerError):
        client.retrieve_payment_intent("pi_A")
    assert sum(pacing.sleeps) < 2.0  # waits of 0.5 and 1.0; a third (2.0) would pass the budget
    assert len(script.requests) == 3


def _attach(script: Script) -> object:
    client = wire.make_client(script)
    return client.attach_payment_intent("pi_A", payment_method_id="pm_A")


def test_attach_after_dropped_answer_looks_up_and_does_not_post_again() -> None:
    script = Script(httpx.RemoteProtocolError, wire.ok(wire.intent("awaiting_next_action")))
    intent = _attach(script)
    assert intent.status is PaymentIntentStatus.AWAITING_NEXT_ACTION  # type: ignore[attr-defined]
    assert script.paths() == [
        "POST /v1/payment_intents/pi_A/attach",
        "GET /v1/payment_intents/pi_A",
    ]


def test_attach_is_posted_again_only_when_the_intent_shows_no_attach() -> None:
    script = Script(
        httpx.Response(502),
        wire.ok(wire.intent("awaiting_payment_method")),
        wire.ok(wire.intent("succeeded")),
    )
    intent = _attach(script)
    assert intent.status is PaymentIntentStatus.SUCCEEDED  # type: ignore[attr-defined]
    assert script.paths() == [
        "POST /v1/payment_intents/pi_A/attach",
        "GET /v1/payment_intents/pi_A",
        "POST /v1/payment_intents/pi_A/attach",
    ]
    assert all("Idempotency-Key" not in r.headers for r in script.requests)


def test_attach_whose_lost_answer_was_a_decline_raises_declined_without_reposting() -> None:
    declined = wire.intent(
        last_payment_error={
            "payment": "pay_F",
            "payment_method": "pm_A",
            "failed_code": "insufficient_funds",
            "failed_message": "The card used has insufficient funds.",
        }
    )
    script = Script(httpx.ReadTimeout, wire.ok(declined))
    with pytest.raises(CardDeclinedError) as caught:
        _attach(script)
    assert caught.value.failed_code == "insufficient_funds"
    assert caught.value.payment_intent is not None
    assert len(script.requests) == 2


def test_attach_refused_before_sending_or_rate_limited_is_simply_resent() -> None:
    script = Script(httpx.ConnectError, httpx.Response(429), wire.ok(wire.intent("succeeded")))
    _attach(script)
    assert script.paths() == ["POST /v1/payment_intents/pi_A/attach"] * 3


def test_cancel_after_lost_answer_is_not_repeated_when_already_cancelled() -> None:
    script = Script(httpx.ReadTimeout, wire.ok(wire.intent("cancelled")))
    client = wire.make_client(script)
    assert client.cancel_payment_intent("pi_A").status is PaymentIntentStatus.CANCELLED
    assert script.paths() == [
        "POST /v1/payment_intents/pi_A/cancel",
        "GET /v1/payment_intents/pi_A",
    ]


def _trickle(pacing: wire.FakePacing, chunk_s: float) -> Iterator[bytes]:
    for _ in range(1000):
        pacing.now += chunk_s  # the fake clock moves as each chunk arrives
        yield b" "


def test_overall_deadline_holds_against_a_trickling_answer() -> None:
    pacing = wire.FakePacing()
    timeouts = Timeouts(read_s=5.0, per_try_s=3.0, total_s=3.0)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=_trickle(pacing, 0.1))

    client = wire.make_client(handler, pacing=pacing, timeouts=timeouts)
    started = pacing.now
    with pytest.raises(APITimeoutError):
        client.retrieve_payment_intent("pi_A")
    assert pacing.now - started <= 3.0 + 0.1 + 1e-9


def test_retry_after_on_503_is_honoured_too() -> None:
    script = Script(httpx.Response(503, headers={"Retry-After": "1.5"}), wire.ok(wire.intent()))
    pacing = wire.FakePacing(draw=0.0)
    _create(script, pacing)
    assert pacing.sleeps == [1.5]
