"""When to look at an open payment again: a pure function of time, no clock reads, no Qt.

About once a second while the patient is paying (the first minutes after the QR or link is shown),
then backing off, and stopping at a terminal state. After the payment's own expiry one last look at
``expiry + grace`` catches a payment made at the last second; anything later is left to
reconciliation, which lists PayMongo's payments.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class PollPolicy:
    fast_interval_s: float = 1.0  # while the patient is most likely paying
    fast_window_s: float = 300.0  # how long after the QR is shown we stay fast
    backoff_factor: float = 1.5  # after the fast window each wait grows by this
    max_interval_s: float = 30.0
    expiry_grace_s: float = 5.0  # one last look this long after expiry


def next_poll_at(
    policy: PollPolicy,
    *,
    now: datetime,
    shown_at: datetime,
    expires_at: datetime | None,
    last_interval_s: float | None,
    terminal: bool,
) -> tuple[datetime, float] | None:
    """When to poll next and the interval used, or None to stop polling.

    ``last_interval_s`` is the interval that led to this poll (None for the first one).
    """
    if terminal:
        return None
    final_look = expires_at + timedelta(seconds=policy.expiry_grace_s) if expires_at else None
    if final_look is not None and now >= final_look:
        return None
    if (now - shown_at).total_seconds() < policy.fast_window_s or last_interval_s is None:
        interval = policy.fast_interval_s
    else:
        interval = min(
            policy.max_interval_s,
            max(policy.fast_interval_s, last_interval_s) * policy.backoff_factor,
        )
    at = now + timedelta(seconds=interval)
    if final_look is not None and at > final_look:
        at = final_look
    return at, interval
