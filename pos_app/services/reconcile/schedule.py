"""When to reconcile: once at start-up, then every ``reconcile_minutes``, never two at once.

Threading contract: Qt-free, no I/O, guarded by a lock. A driver (a QTimer in ``pos_app.ui``)
calls ``due`` on the GUI thread; a ``True`` marks a run in flight until ``finished`` is called
from wherever the run ended. The run itself (``ReconcileService.run_scheduled``) asks PayMongo
only on a day the counter took PayMongo payments.
"""

from __future__ import annotations

import threading
from datetime import datetime, timedelta


class ReconcileSchedule:
    def __init__(self, interval: timedelta) -> None:
        if interval <= timedelta(0):
            raise ValueError("the reconciliation interval must be positive")
        self.interval = interval
        self._lock = threading.Lock()
        self._next_at: datetime | None = None  # None: not run yet, so due at once (start-up)
        self._in_flight = False

    def due(self, now: datetime) -> bool:
        """Is a scheduled run due now? If so it is marked in flight."""
        with self._lock:
            if self._in_flight or (self._next_at is not None and now < self._next_at):
                return False
            self._in_flight = True
            return True

    def begin_on_demand(self) -> bool:
        """The receptionist asked: run now unless one is already running."""
        with self._lock:
            if self._in_flight:
                return False
            self._in_flight = True
            return True

    def run_soon(self) -> None:
        """(Re)connected to PayMongo: the next ``due`` says yes, as at start-up."""
        with self._lock:
            self._next_at = None

    def finished(self, now: datetime) -> None:
        with self._lock:
            self._in_flight = False
            self._next_at = now + self.interval

    @property
    def running(self) -> bool:
        with self._lock:
            return self._in_flight
