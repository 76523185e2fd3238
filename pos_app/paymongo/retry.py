"""When to retry a PayMongo call and how long to wait: the one place that decides.

Retried: connection errors and timeouts, 409, 429 and 5xx. Waits grow exponentially with full
jitter (a uniform draw between 0 and the exponential cap, so a crowd of counters does not retry
in step), never shorter than a server's Retry-After, and never past the call's total budget.
Randomness, sleeping and the clock are injected so tests can pin them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from pos_app.paymongo.errors import (
    APIConnectionError,
    APIError,
    ConflictError,
    PayMongoError,
    RateLimitError,
    ServerError,
)


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Seconds. ``per_try_s`` bounds one request from connect to last body byte (a trickling
    server cannot stretch it); ``total_s`` bounds the whole call, retries and waits included."""

    connect_s: float = 5.0
    read_s: float = 10.0
    write_s: float = 10.0
    per_try_s: float = 20.0
    total_s: float = 45.0


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    max_attempts: int = 4  # tries in all, the first included
    base_delay_s: float = 0.5
    max_delay_s: float = 8.0
    max_retry_after_s: float = 30.0  # a longer Retry-After means: give up now


@dataclass(frozen=True)
class Pacing:
    """The injectable effects the retry loop uses: a [0, 1) random source, sleep and a clock."""

    random: Callable[[], float] = field(default_factory=lambda: random.Random().random)
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic


def is_retryable(error: PayMongoError) -> bool:
    return isinstance(error, APIConnectionError | RateLimitError | ServerError | ConflictError)


def surely_not_acted(error: PayMongoError) -> bool:
    """True when PayMongo cannot have acted on the request (so re-sending is always safe)."""
    if isinstance(error, APIConnectionError):
        return not error.request_sent
    return isinstance(error, RateLimitError)


def backoff_s(policy: RetryPolicy, retry_number: int, error: PayMongoError, draw: float) -> float:
    """Seconds to wait before retry number `retry_number` (1 for the first retry)."""
    cap = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** (retry_number - 1))
    jittered = cap * draw
    if isinstance(error, APIError) and error.retry_after_s is not None:
        return max(jittered, error.retry_after_s)
    return jittered


def next_wait_s(
    policy: RetryPolicy,
    retry_number: int,
    error: PayMongoError,
    pacing: Pacing,
    deadline: float,
) -> float | None:
    """The wait before the next try, or None when we must give up and raise `error`."""
    if retry_number >= policy.max_attempts or not is_retryable(error):
        return None
    too_long = policy.max_retry_after_s
    if isinstance(error, APIError) and (error.retry_after_s or 0.0) > too_long:
        return None
    wait = backoff_s(policy, retry_number, error, pacing.random())
    # A retry needs time for the wait and for a useful try after it.
    if pacing.monotonic() + wait >= deadline:
        return None
    return wait
