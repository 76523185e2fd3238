"""How every outside HTTP call of the app is paced: timeouts, deadlines, retries and backoff.

One policy for the PayMongo client and the clinic server client. Each client decides which of
its own errors are retryable (PayMongo retries a 409, the clinic server's 409 is an answer); the
numbers, the jittered exponential backoff, ``Retry-After`` and the whole-call deadline are here.

Waits grow exponentially with full jitter (a uniform draw between 0 and the exponential cap, so a
crowd of counters does not retry in step), never shorter than a server's Retry-After, and never
past the call's total budget. Randomness, sleeping and the clock are injected so tests pin them.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import httpx


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


def backoff_s(
    policy: RetryPolicy, retry_number: int, draw: float, retry_after_s: float | None = None
) -> float:
    """Seconds to wait before retry number `retry_number` (1 for the first retry)."""
    cap = min(policy.max_delay_s, policy.base_delay_s * 2.0 ** (retry_number - 1))
    jittered = cap * draw
    if retry_after_s is not None:
        return max(jittered, retry_after_s)
    return jittered


def next_wait_s(
    policy: RetryPolicy,
    retry_number: int,
    *,
    retryable: bool,
    retry_after_s: float | None,
    pacing: Pacing,
    deadline: float,
) -> float | None:
    """The wait before the next try, or None when the caller must give up and raise."""
    if retry_number >= policy.max_attempts or not retryable:
        return None
    if (retry_after_s or 0.0) > policy.max_retry_after_s:
        return None
    wait = backoff_s(policy, retry_number, pacing.random(), retry_after_s)
    # A retry needs time for the wait and for a useful try after it.
    if pacing.monotonic() + wait >= deadline:
        return None
    return wait


def try_timeout(timeouts: Timeouts, remaining_s: float) -> httpx.Timeout:
    """httpx's per-phase timeouts for one try with `remaining_s` left before its deadline."""
    remaining = max(0.001, remaining_s)
    return httpx.Timeout(
        connect=min(timeouts.connect_s, remaining),
        read=min(timeouts.read_s, remaining),
        write=min(timeouts.write_s, remaining),
        pool=min(timeouts.connect_s, remaining),
    )


class BodyTooSlow(Exception):
    """The answer's body was still arriving when the try's deadline passed."""


class BodyTooLarge(Exception):
    """The answer's body is larger than the caller accepts."""


def read_body_by(
    response: httpx.Response, try_deadline: float, monotonic: Callable[[], float], max_bytes: int
) -> bytes:
    """The whole body of a streamed `response`, by `try_deadline`.

    httpx's read timeout is per chunk, so a server that trickles a byte at a time would never
    trip it: the deadline is checked after every chunk, and the read timeout for the body is
    cut to what is left (httpcore reads it when the body starts).
    """
    remaining = max(0.001, try_deadline - monotonic())
    timeouts = response.request.extensions.get("timeout")
    if isinstance(timeouts, dict):
        timeouts["read"] = min(timeouts.get("read") or remaining, remaining)
    chunks: list[bytes] = []
    size = 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if monotonic() > try_deadline:
            raise BodyTooSlow
        if size > max_bytes:
            raise BodyTooLarge
    return b"".join(chunks)
