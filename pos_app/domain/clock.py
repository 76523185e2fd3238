"""Time as an injected dependency, so domain rules and tests never read the wall clock."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Protocol, runtime_checkable

__all__ = ["Clock", "FakeClock", "SystemClock"]


@runtime_checkable
class Clock(Protocol):
    """Something that tells the time. ``now()`` is always timezone-aware UTC."""

    def now(self) -> datetime: ...


class SystemClock:
    """The real clock. Thread-safe (stateless)."""

    def now(self) -> datetime:
        return datetime.now(UTC)


_DEFAULT_START = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)  # a Monday, 09:00 in Manila


class FakeClock:
    """A clock that moves only when told to. Thread-safe, so workers in tests may read it."""

    def __init__(self, start: datetime = _DEFAULT_START) -> None:
        self._now = _require_aware(start)
        self._lock = threading.Lock()

    def now(self) -> datetime:
        with self._lock:
            return self._now

    def advance(self, delta: timedelta | float = 1.0) -> datetime:
        """Move forward by ``delta`` (a timedelta or seconds) and return the new time."""
        step = delta if isinstance(delta, timedelta) else timedelta(seconds=delta)
        if step < timedelta(0):
            raise ValueError("a clock does not go backwards")
        with self._lock:
            self._now += step
            return self._now

    def set(self, moment: datetime) -> None:
        """Jump to ``moment`` (tests that need a particular date)."""
        aware = _require_aware(moment)
        with self._lock:
            self._now = aware


def _require_aware(moment: datetime) -> datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("times must be timezone-aware")
    return moment.astimezone(UTC)
