"""The retry policy's documented defaults, each pinned, and its edges: a Retry-After of exactly
the limit, the last try, and a wait that would end exactly at the call's deadline."""

from __future__ import annotations

import pytest

from pos_app.paymongo.errors import (
    APIConnectionError,
    APITimeoutError,
    AuthenticationError,
    ConflictError,
    IdempotencyKeyReusedError,
    InvalidRequestError,
    MalformedResponseError,
    PayMongoError,
    RateLimitError,
    ServerError,
)
from pos_app.paymongo.retry import (
    Pacing,
    RetryPolicy,
    Timeouts,
    backoff_s,
    is_retryable,
    next_wait_s,
    surely_not_acted,
)


def pacing(draw: float = 1.0, now: float = 0.0) -> Pacing:
    return Pacing(random=lambda: draw, sleep=lambda _: None, monotonic=lambda: now)


def busy(retry_after_s: float | None = None) -> RateLimitError:
    return RateLimitError("busy", status=429, retry_after_s=retry_after_s)


# --- the documented defaults -------------------------------------------------------------------


def test_timeout_defaults_are_the_documented_seconds() -> None:
    t = Timeouts()
    assert (t.connect_s, t.read_s, t.write_s, t.per_try_s, t.total_s) == (
        5.0,
        10.0,
        10.0,
        20.0,
        45.0,
    )


def test_retry_defaults_are_the_documented_ones() -> None:
    p = RetryPolicy()
    assert p.max_attempts == 4  # the first try included
    assert p.base_delay_s == 0.5
    assert p.max_delay_s == 8.0
    assert p.max_retry_after_s == 30.0


def test_the_default_policy_allows_three_retries_and_no_fourth() -> None:
    policy = RetryPolicy()
    error = ServerError("down", status=503)
    for retry_number in (1, 2, 3):
        assert next_wait_s(policy, retry_number, error, pacing(), deadline=1e9) is not None
    assert next_wait_s(policy, 4, error, pacing(), deadline=1e9) is None


def test_default_backoff_doubles_from_half_a_second_up_to_eight() -> None:
    policy = RetryPolicy()
    error = ServerError("down", status=503)
    caps = [backoff_s(policy, n, error, draw=1.0) for n in range(1, 8)]
    assert caps == [0.5, 1.0, 2.0, 4.0, 8.0, 8.0, 8.0]


def test_full_jitter_scales_the_cap_by_the_draw() -> None:
    policy = RetryPolicy()
    error = ServerError("down", status=503)
    assert backoff_s(policy, 3, error, draw=0.25) == 0.5
    assert backoff_s(policy, 3, error, draw=0.0) == 0.0


# --- Retry-After -------------------------------------------------------------------------------


def test_a_retry_after_of_exactly_the_limit_is_waited_for() -> None:
    wait = next_wait_s(RetryPolicy(), 1, busy(30.0), pacing(draw=0.0), deadline=1e9)
    assert wait == 30.0


def test_a_retry_after_just_over_the_limit_gives_up() -> None:
    assert next_wait_s(RetryPolicy(), 1, busy(30.001), pacing(), deadline=1e9) is None


def test_retry_after_is_a_floor_not_a_ceiling() -> None:
    policy = RetryPolicy()
    assert backoff_s(policy, 5, busy(1.0), draw=1.0) == 8.0
    assert backoff_s(policy, 1, busy(1.0), draw=1.0) == 1.0
    assert backoff_s(policy, 1, busy(None), draw=1.0) == 0.5


def test_a_connection_error_has_no_retry_after() -> None:
    error = APIConnectionError("refused", request_sent=False)
    assert next_wait_s(RetryPolicy(), 1, error, pacing(draw=1.0), deadline=1e9) == 0.5


# --- the deadline edge ---------------------------------------------------------------------------


def test_a_wait_that_ends_exactly_at_the_deadline_gives_up() -> None:
    """A retry needs time for the wait and for a try after it: ending at the deadline is late."""
    error = ServerError("down", status=503)
    assert next_wait_s(RetryPolicy(), 1, error, pacing(draw=1.0, now=99.5), deadline=100.0) is None


def test_a_wait_that_ends_just_before_the_deadline_is_taken() -> None:
    error = ServerError("down", status=503)
    wait = next_wait_s(RetryPolicy(), 1, error, pacing(draw=1.0, now=99.4), deadline=100.0)
    assert wait == 0.5


# --- what is retried and what is surely safe -----------------------------------------------------


@pytest.mark.parametrize(
    ("error", "retryable"),
    [
        (APIConnectionError("refused", request_sent=False), True),
        (APITimeoutError("slow", request_sent=True), True),
        (RateLimitError("busy", status=429), True),
        (ServerError("down", status=500), True),
        (ConflictError("conflict", status=409), True),
        (InvalidRequestError("bad", status=400), False),
        (IdempotencyKeyReusedError("reused", status=400), False),
        (AuthenticationError("key", status=401), False),
        (MalformedResponseError("junk"), False),
    ],
)
def test_what_is_retried(error: PayMongoError, retryable: bool) -> None:
    assert is_retryable(error) is retryable
    policy = RetryPolicy()
    assert (next_wait_s(policy, 1, error, pacing(), deadline=1e9) is not None) is retryable


@pytest.mark.parametrize(
    ("error", "safe"),
    [
        (APIConnectionError("refused", request_sent=False), True),
        (APIConnectionError("dropped", request_sent=True), False),
        (RateLimitError("busy", status=429), True),
        (ServerError("down", status=500), False),
        (ConflictError("conflict", status=409), False),
    ],
)
def test_surely_not_acted_only_when_paymongo_cannot_have_acted(
    error: PayMongoError, safe: bool
) -> None:
    assert surely_not_acted(error) is safe


def test_an_error_without_retry_after_is_retried_under_any_retry_after_limit() -> None:
    policy = RetryPolicy(max_retry_after_s=0.5)
    error = ServerError("down", status=503)
    assert next_wait_s(policy, 1, error, pacing(draw=1.0), deadline=1e9) == 0.5
    assert next_wait_s(policy, 1, busy(0.0), pacing(draw=1.0), deadline=1e9) == 0.5
