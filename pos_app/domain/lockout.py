"""How long a person is kept out after wrong PINs: a pure rule over a count and an injected time.

The first few wrong PINs cost nothing (fingers slip at a busy counter). From then on each wrong
PIN locks the person out for a time that doubles with every further failure, up to a cap, so
guessing a 4-digit PIN takes days instead of minutes. A right PIN clears the count. The rule
never reads the clock: callers pass ``now``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

__all__ = ["LockoutPolicy", "PinFailures"]


@dataclass(frozen=True, slots=True)
class PinFailures:
    """A person's wrong PINs since their last right one, and until when they are kept out."""

    count: int = 0
    locked_until: datetime | None = None

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and now < self.locked_until

    def wait_left(self, now: datetime) -> timedelta:
        """How long until they may try again (zero when they may try now)."""
        if self.locked_until is None or now >= self.locked_until:
            return timedelta(0)
        return self.locked_until - now


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    """``free_tries`` wrong PINs in a row are free; the next locks for ``first_lock``, each
    further one for twice as long as the one before, never more than ``longest_lock``."""

    free_tries: int = 4
    first_lock: timedelta = timedelta(seconds=30)
    longest_lock: timedelta = timedelta(hours=1)

    def __post_init__(self) -> None:
        if self.free_tries < 1:
            raise ValueError("at least one wrong PIN must be free")
        if not timedelta(0) < self.first_lock <= self.longest_lock:
            raise ValueError("locks must be positive, the first no longer than the longest")

    def lock_length(self, count: int) -> timedelta:
        """The lock after the ``count``-th wrong PIN in a row (zero while still free)."""
        beyond = count - self.free_tries
        if beyond <= 0:
            return timedelta(0)
        # Doubling past the cap would overflow timedelta for a long enough attack: stop early.
        doublings = min(beyond - 1, 32)
        grown: timedelta = self.first_lock * (1 << doublings)
        return min(grown, self.longest_lock)

    def after_wrong_pin(self, failures: PinFailures, now: datetime) -> PinFailures:
        count = failures.count + 1
        length = self.lock_length(count)
        return PinFailures(count=count, locked_until=now + length if length else None)

    @staticmethod
    def after_right_pin() -> PinFailures:
        return PinFailures()
