"""The outbox sender: every queued change reaches the clinic server once, in order per bill.

Each message goes with the ``Idempotency-Key`` stored on its row, so a retry after a lost answer,
a crash or a restart repeats a request the server has already applied at most once. The target
(the clinic server) is backed off as a whole: the first failure that says the server is down or
busy ends the pass, and that message's next try is stored on its row (doubling with a cap and
full jitter). A 409 becomes a case for the receptionist; any other refusal goes on the "could not
send" list with the server's words; neither is retried.

Threading contract: blocking; call from one worker thread at a time (ClinicSync's lock).
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from pos_app.clinic import (
    ClinicClient,
    ClinicConflict,
    ClinicError,
    ClinicNotFound,
    ClinicRefused,
)
from pos_app.domain.clock import Clock
from pos_app.http_policy import RetryPolicy, backoff_s
from pos_app.storage import Database, OutboxMessage

log = logging.getLogger(__name__)

# Waits between tries of one message while the server is away: 2 s doubling up to 5 minutes.
OUTBOX_BACKOFF = RetryPolicy(max_attempts=1_000_000, base_delay_s=2.0, max_delay_s=300.0)

STOP_CONFLICT = "conflict"  # the server answered 409: a case for the receptionist
STOP_REFUSED = "refused"  # the server refused the change (400...): could not send
STOP_LOCAL = "local"  # a walk-in bill the clinic server has never had: nothing to send
MARK_EVERY = 50  # sent messages stored per transaction


@dataclass(frozen=True, slots=True)
class SendResult:
    sent: int
    conflicts: int
    refused: int
    failure: ClinicError | None  # why the pass stopped early (server away), if it did


class OutboxSender:
    def __init__(
        self,
        database: Database,
        client: ClinicClient,
        clock: Clock,
        *,
        backoff: RetryPolicy = OUTBOX_BACKOFF,
        draw: Callable[[], float] | None = None,
    ) -> None:
        self._database = database
        self._client = client
        self._clock = clock
        self._backoff = backoff
        self._draw = draw or random.Random().random
        self._sent: list[int] = []  # this pass's sent messages; the first `_marked` are stored
        self._marked = 0

    def send_due(self, limit: int = 500) -> SendResult:
        """Send waiting messages oldest first until done, `limit`, or the server fails."""
        now = self._clock.now()
        with self._database.unit_of_work(read_only=True) as uow:
            batch = uow.outbox.next_batch(limit)
            remote_ids = uow.outbox.remote_ids(sorted({m.bill_id for m in batch}))
        blocked: set[int] = set()
        conflicts = refused = 0
        self._sent, self._marked = [], 0
        try:
            for message in batch:
                failure = self._one(message, remote_ids, blocked, now)
                if failure == STOP_CONFLICT:
                    conflicts += 1
                elif failure == STOP_REFUSED:
                    refused += 1
                elif isinstance(failure, ClinicError):
                    return SendResult(len(self._sent), conflicts, refused, failure)
        finally:
            self._flush_sent()
        return SendResult(len(self._sent), conflicts, refused, None)

    def _one(
        self,
        message: OutboxMessage,
        remote_ids: dict[int, int | None],
        blocked: set[int],
        now: datetime,
    ) -> str | ClinicError | None:
        """Send one message; what stopped it (a stop reason or the server's failure), if any."""
        if message.bill_id in blocked:
            return None  # an earlier change of this bill is still waiting: keep the order
        if message.next_try_at is not None and message.next_try_at > now:
            blocked.add(message.bill_id)
            return None
        remote_id = remote_ids.get(message.bill_id)
        if remote_id is None:
            self._stop(message, STOP_LOCAL, "a walk-in bill: the clinic server has no bill")
            return STOP_LOCAL
        try:
            self._send(remote_id, message)
        except ClinicConflict as conflict:
            self._stop(message, STOP_CONFLICT, conflict.user_message)
            return STOP_CONFLICT
        except ClinicNotFound as missing:
            self._stop(message, STOP_REFUSED, missing.user_message)
            return STOP_REFUSED
        except ClinicRefused as refusal:
            self._stop(message, STOP_REFUSED, refusal.server_words)
            return STOP_REFUSED
        except ClinicError as failure:  # down, busy, token refused, unreadable answer
            self._retry_later(message, failure)
            return failure
        self._sent.append(message.id)
        if len(self._sent) % MARK_EVERY == 0:
            self._flush_sent()
        return None

    def _flush_sent(self) -> None:
        """Store which messages went. Marks are committed in batches: a crash before the batch
        is stored only means re-sending with the same keys, which the server answers from its
        store without applying anything twice."""
        todo = self._sent[self._marked :]
        if not todo:
            return
        with self._database.unit_of_work() as uow:
            uow.outbox.mark_sent_many(todo, at=self._clock.now())
            uow.commit()
        self._marked = len(self._sent)

    def _send(self, remote_id: int, message: OutboxMessage) -> None:
        key = message.idempotency_key
        if message.kind == "refund":
            self._client.create_refund(remote_id, message.payload, idempotency_key=key)
        else:
            self._client.patch_bill(remote_id, message.payload, idempotency_key=key)

    def _stop(self, message: OutboxMessage, reason: str, words: str) -> None:
        log.warning("outbox message %d stopped (%s): %s", message.id, reason, words)
        with self._database.unit_of_work() as uow:
            uow.outbox.stop(message.id, reason, words, at=self._clock.now())
            uow.commit()

    def _retry_later(self, message: OutboxMessage, failure: ClinicError) -> None:
        wait = backoff_s(self._backoff, message.attempts + 1, self._draw())
        next_try = self._clock.now() + timedelta(seconds=max(wait, 0.5))
        with self._database.unit_of_work() as uow:
            uow.outbox.schedule_retry(message.id, str(failure), next_try_at=next_try)
            uow.commit()
