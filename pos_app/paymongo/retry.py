"""When to retry a PayMongo call: which PayMongo errors are retryable, and which are surely safe
to re-send. The numbers, backoff and deadlines are the app's one policy (pos_app.http_policy),
shared with the clinic server client.
"""

from __future__ import annotations

from pos_app import http_policy
from pos_app.http_policy import Pacing, RetryPolicy, Timeouts
from pos_app.paymongo.errors import (
    APIConnectionError,
    APIError,
    ConflictError,
    PayMongoError,
    RateLimitError,
    ServerError,
)

__all__ = [
    "Pacing",
    "RetryPolicy",
    "Timeouts",
    "backoff_s",
    "is_retryable",
    "next_wait_s",
    "surely_not_acted",
]


def is_retryable(error: PayMongoError) -> bool:
    return isinstance(error, APIConnectionError | RateLimitError | ServerError | ConflictError)


def surely_not_acted(error: PayMongoError) -> bool:
    """True when PayMongo cannot have acted on the request (so re-sending is always safe)."""
    if isinstance(error, APIConnectionError):
        return not error.request_sent
    return isinstance(error, RateLimitError)


def _retry_after_s(error: PayMongoError) -> float | None:
    return error.retry_after_s if isinstance(error, APIError) else None


def backoff_s(policy: RetryPolicy, retry_number: int, error: PayMongoError, draw: float) -> float:
    """Seconds to wait before retry number `retry_number` (1 for the first retry)."""
    return http_policy.backoff_s(policy, retry_number, draw, _retry_after_s(error))


def next_wait_s(
    policy: RetryPolicy,
    retry_number: int,
    error: PayMongoError,
    pacing: Pacing,
    deadline: float,
) -> float | None:
    """The wait before the next try, or None when we must give up and raise `error`."""
    return http_policy.next_wait_s(
        policy,
        retry_number,
        retryable=is_retryable(error),
        retry_after_s=_retry_after_s(error),
        pacing=pacing,
        deadline=deadline,
    )
