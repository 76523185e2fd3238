"""ClinicSync: the Qt-free job that keeps the counter's bills in step with the clinic server.

One ``run`` pulls what changed and then sends the outbox. ``tick`` is what a timer calls: it runs
when due (every ``interval_s`` while the server answers, backing off with jitter while it does
not) and records when the server went away, so the window can say "Clinic server offline since
10:02 — 3 changes waiting" and clear it by itself when the server is back.

Threading contract: every method blocks and may be called from any worker thread; one lock
makes runs one at a time. Never call from the GUI thread. ``progress`` listeners are called on
the running thread.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import tzinfo

from pos_app.clinic import ClinicClient, ClinicError
from pos_app.domain.bill import Bill
from pos_app.domain.clinic_time import PHILIPPINE_TIME
from pos_app.domain.clock import Clock
from pos_app.http_policy import RetryPolicy, backoff_s
from pos_app.services.clinic_sync.pull import (
    ProgressListener,
    PullProgress,
    PullResult,
    accept_held_change,
    pull_bills,
)
from pos_app.services.clinic_sync.sender import OutboxSender, SendResult
from pos_app.services.clinic_sync.status import ClinicStatus, read_status
from pos_app.storage import Database, HeldChange, OutboxMessage

log = logging.getLogger(__name__)

DEFAULT_PAGE_SIZE = 500
# Pages already fetched are stored together, up to this many per transaction (2,000 bills): fewer
# commits rewrite the same index pages less often. A pull never waits for the network with a
# transaction open. A pull killed halfway asks again only for the pages it had fetched and not yet
# committed: the batch being stored, as many queued behind it, and the one in flight.
PAGES_PER_COMMIT = 4
# While the server is away, the job itself tries again after 2 s, doubling up to 2 minutes.
JOB_BACKOFF = RetryPolicy(max_attempts=1_000_000, base_delay_s=2.0, max_delay_s=120.0)


@dataclass(frozen=True, slots=True)
class SyncReport:
    pull: PullResult | None
    push: SendResult | None
    failure: ClinicError | None

    def describe(self) -> str:
        """What a run did, in one or two plain lines (``pos-app sync`` prints this)."""
        lines = []
        if self.pull is not None:
            pulled = self.pull
            if pulled.pulled or pulled.held or pulled.removed:
                text = f"Pulled {pulled.pulled:,} bills from the clinic server"
                if pulled.held:
                    text += f", {pulled.held} changes held for open payments"
                if pulled.removed:
                    text += f", {pulled.removed} bills removed"
                lines.append(text + ".")
            else:
                lines.append("No new or changed bills on the clinic server.")
        if self.push is not None:
            pushed = self.push
            if pushed.sent or pushed.conflicts or pushed.refused:
                text = f"Sent {pushed.sent} changes to the clinic server"
                if pushed.conflicts:
                    text += f"; {pushed.conflicts} need a look (the bill changed there)"
                if pushed.refused:
                    text += f"; {pushed.refused} could not be sent"
                lines.append(text + ".")
            else:
                lines.append("No changes waiting to be sent.")
        if self.failure is not None:
            lines.append(self.failure.user_message)
        return "\n".join(lines)


class ClinicSync:
    def __init__(
        self,
        database: Database,
        client: ClinicClient,
        clock: Clock,
        *,
        interval_s: float = 30.0,
        page_size: int = DEFAULT_PAGE_SIZE,
        pages_per_commit: int = PAGES_PER_COMMIT,
        monotonic: Callable[[], float] = time.monotonic,
        draw: Callable[[], float] | None = None,
        zone: tzinfo = PHILIPPINE_TIME,
    ) -> None:
        """``zone``: the clinic's (Settings.clinic_time_zone), for the times ``status`` shows."""
        self._database = database
        self._zone = zone
        self._client = client
        self._clock = clock
        self.interval_s = interval_s
        self._page_size = page_size
        self._pages_per_commit = pages_per_commit
        self._monotonic = monotonic
        self._draw = draw or random.Random().random
        self._sender = OutboxSender(database, client, clock, draw=self._draw)
        self._lock = threading.Lock()
        self._next_run = 0.0  # monotonic time; 0: now
        self._full_next = False
        self._failures = 0
        self._listeners: list[ProgressListener] = []

    @property
    def server_url(self) -> str:
        return self._client.base_url

    def close(self) -> None:
        self._client.close()

    def subscribe_progress(self, listener: ProgressListener) -> Callable[[], None]:
        """Call `listener` with each page's progress (on the pulling thread); unsubscribes."""
        self._listeners.append(listener)
        return lambda: self._listeners.remove(listener)

    def tick(self) -> SyncReport | None:
        """Run if due (see the module docstring); None when it was not time yet."""
        if self._monotonic() < self._next_run:
            return None
        full, self._full_next = self._full_next, False
        return self.run(full=full)

    def run(self, *, full: bool = False, push: bool = True) -> SyncReport:
        """Pull, then send the outbox; a server that cannot be reached is recorded, not raised."""
        with self._lock:
            pulled = sent = None
            try:
                pulled = pull_bills(
                    self._database,
                    self._client,
                    self._clock,
                    page_size=self._page_size,
                    pages_per_commit=self._pages_per_commit,
                    full=full,
                    progress=self._progress,
                )
                with self._database.unit_of_work() as uow:
                    uow.outbox.clear_backoff()  # the server is back: no message waits on it
                    uow.commit()
                if push:
                    sent = self._sender.send_due()
            except ClinicError as failure:
                self._went_offline(failure)
                return SyncReport(pulled, sent, failure)
            if sent is not None and sent.failure is not None:
                self._went_offline(sent.failure)
                return SyncReport(pulled, sent, sent.failure)
            self._failures = 0
            self._next_run = self._monotonic() + self.interval_s
            return SyncReport(pulled, sent, None)

    def request_full(self) -> None:
        """Make the next ``tick`` pull every bill again (bills gone from the server leave)."""
        self._full_next = True
        self._next_run = 0.0

    def request_now(self) -> None:
        """Make the next ``tick`` run at once (a change was queued, or the receptionist asked)."""
        self._next_run = 0.0

    def status(self) -> ClinicStatus:
        with self._database.unit_of_work(read_only=True) as uow:
            return read_status(uow, self.server_url, self._zone)

    def held_changes(self) -> list[HeldChange]:
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.clinic_sync.all_held()

    def accept_held_change(self, bill_id: int) -> Bill | None:
        """The receptionist saw the clinic's change to `bill_id`: apply it; the bill now."""
        return accept_held_change(self._database, bill_id)

    def cases(self) -> list[OutboxMessage]:
        """Changes the server answered 409 to: the bill changed there; the receptionist looks."""
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.outbox.stopped("conflict")

    def could_not_send(self) -> list[OutboxMessage]:
        with self._database.unit_of_work(read_only=True) as uow:
            return uow.outbox.stopped("refused")

    def _progress(self, progress: PullProgress) -> None:
        for listener in list(self._listeners):
            listener(progress)

    def _went_offline(self, failure: ClinicError) -> None:
        self._failures += 1
        wait = max(1.0, backoff_s(JOB_BACKOFF, self._failures, self._draw()))
        self._next_run = self._monotonic() + min(wait, self.interval_s * 4)
        log.warning("clinic sync failed (%s); next try in %.1f s", failure, wait)
        with self._database.unit_of_work() as uow:
            uow.clinic_sync.went_offline(self._clock.now(), failure.user_message)
            uow.commit()
