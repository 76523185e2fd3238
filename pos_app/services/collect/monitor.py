"""The payment monitor: watches every open payment, whatever screen is showing.

Threading contract: Qt-free and thread-safe. A driver (a QTimer in ``pos_app.ui``) calls ``due``
often on the GUI thread; it does no I/O and marks what it returns as in flight, so each payment
has at most one request at PayMongo at a time. The driver runs ``check`` for each id on a network
worker. Everything else that wants a look at a payment now (a webhook, start-up recovery) goes
through ``check_now``, which keeps that rule: a payment already being looked at is looked at again
right after, never twice at once (two answers racing could otherwise undo each other).
Listeners are called on that worker thread; the UI bridges them to a Qt signal.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.domain.clock import Clock
from pos_app.services.collect.results import AttemptUpdate
from pos_app.services.collect.service import CollectService
from pos_app.services.poll_policy import PollPolicy, next_poll_at

log = logging.getLogger(__name__)
Listener = Callable[[AttemptUpdate], None]


@dataclass
class _Watch:
    shown_at: datetime
    expires_at: datetime | None
    next_at: datetime
    interval_s: float | None


class PaymentMonitor:
    def __init__(
        self, collect: CollectService, clock: Clock, policy: PollPolicy | None = None
    ) -> None:
        self._collect = collect
        self._clock = clock
        self._policy = policy or PollPolicy()
        self._lock = threading.Lock()
        self._watches: dict[str, _Watch] = {}
        self._in_flight: set[str] = set()
        self._again: set[str] = set()  # asked for while in flight: look again right after
        self._listeners: list[Listener] = []

    def subscribe(self, listener: Listener) -> Callable[[], None]:
        with self._lock:
            self._listeners.append(listener)

        def unsubscribe() -> None:
            with self._lock:
                if listener in self._listeners:
                    self._listeners.remove(listener)

        return unsubscribe

    def track(self, update: AttemptUpdate) -> None:
        """Start (or keep) watching an open payment; a closed one is dropped."""
        now = self._clock.now()
        attempt = update.attempt
        with self._lock:
            if not attempt.is_open:
                self._watches.pop(attempt.id, None)
                return
            if attempt.id not in self._watches:
                self._watches[attempt.id] = _Watch(
                    shown_at=now,
                    expires_at=attempt.expires_at,
                    next_at=now + timedelta(seconds=self._policy.fast_interval_s),
                    interval_s=None,
                )

    def due(self, now: datetime) -> list[str]:
        """Payments to look at now; each is marked in flight until its ``check`` returns."""
        with self._lock:
            ready = [
                attempt_id
                for attempt_id, watch in self._watches.items()
                if watch.next_at <= now and attempt_id not in self._in_flight
            ]
            self._in_flight.update(ready)
        return ready

    def check(self, attempt_id: str) -> AttemptUpdate:
        """Look at one payment now (blocking), reschedule it, and tell the listeners."""
        try:
            update = self._collect.refresh(attempt_id)
        except Exception:
            self._reschedule_after_failure(attempt_id)
            raise
        self._reschedule(update)
        self._notify(update)
        return update

    def check_now(self, attempt_id: str) -> AttemptUpdate | None:
        """Look at one payment now (blocking) unless a look is already under way; then it is
        looked at again as soon as that one ends, and None is returned at once."""
        with self._lock:
            if attempt_id in self._in_flight:
                self._again.add(attempt_id)
                return None
            self._in_flight.add(attempt_id)
        return self.check(attempt_id)

    def recover(self) -> list[AttemptUpdate]:
        """At start-up: every payment this counter left open is looked up and driven on.

        Only this counter's own attempts (several counters may share one database); each look
        goes through the one-request-at-a-time guard, since the poll timer may already run."""
        updates = []
        for attempt in self._collect.open_attempts():
            with self._lock:
                if attempt.id in self._in_flight:
                    continue  # already being looked at (the timer got there first)
                self._in_flight.add(attempt.id)
            try:
                update = self._collect.refresh(attempt.id)
            except Exception:
                log.exception("could not recover payment %s; will keep trying", attempt.id)
                with self._lock:
                    self._in_flight.discard(attempt.id)
                    now = self._clock.now()
                    self._watches[attempt.id] = _Watch(now, attempt.expires_at, now, None)
                continue
            self.track(update)
            self._reschedule(update)
            self._notify(update)
            updates.append(update)
        return updates

    def _reschedule(self, update: AttemptUpdate) -> None:
        now = self._clock.now()
        attempt = update.attempt
        with self._lock:
            self._in_flight.discard(attempt.id)
            watch = self._watches.get(attempt.id)
            if watch is None and attempt.id in self._again:
                # news arrived during the last look at a payment nobody watches (a late
                # payment): one more look, now; it ends there if nothing changed
                self._again.discard(attempt.id)
                self._watches[attempt.id] = _Watch(now, attempt.expires_at, now, None)
                return
            if watch is None:
                return
            watch.expires_at = attempt.expires_at or watch.expires_at
            plan = next_poll_at(
                self._policy,
                now=now,
                shown_at=watch.shown_at,
                expires_at=watch.expires_at,
                last_interval_s=watch.interval_s,
                terminal=not attempt.is_open,
            )
            if plan is None:
                del self._watches[attempt.id]
            else:
                watch.next_at, watch.interval_s = plan
            if attempt.id in self._again:
                self._again.discard(attempt.id)
                if plan is not None:
                    watch.next_at = now  # news arrived during the last look: look again now

    def _reschedule_after_failure(self, attempt_id: str) -> None:
        with self._lock:
            self._in_flight.discard(attempt_id)
            watch = self._watches.get(attempt_id)
            if watch is not None:
                backoff = min(self._policy.max_interval_s, (watch.interval_s or 1.0) * 2)
                watch.interval_s = backoff
                watch.next_at = self._clock.now() + timedelta(seconds=backoff)

    def _notify(self, update: AttemptUpdate) -> None:
        with self._lock:
            listeners = list(self._listeners)
        for listener in listeners:
            try:
                listener(update)
            except Exception:
                log.exception("a payment listener failed")
