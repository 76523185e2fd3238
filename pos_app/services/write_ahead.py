"""What every money flow shares: the clock, the named crash points, and storing each step
before the next request leaves (write-ahead, compare-and-set).

``CollectService`` (payments in) and ``RefundService`` (money going back) each hold one
``WriteAhead`` over their own record type: a new record is committed with the keys of every
request it will make before the first one leaves, and every answer is committed before the next
request. ``apply_observed`` stores what PayMongo was seen to say, together with whatever the
record's owner books in the same transaction (a tender and invoice; a bill's refund and its
outbox message), so a crash leaves either both or neither.

Threading contract: every method but ``now`` and ``reached`` blocks on the database; each runs
in its own unit of work, so one ``WriteAhead`` may be used from several threads.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Generic, Protocol, TypeVar

from pos_app.domain.clock import Clock
from pos_app.storage import Database, UnitOfWork

R = TypeVar("R")

__all__ = ["CrashHook", "WriteAhead"]


class CrashHook(Protocol):
    """``CrashPoints`` as the flows use it: dies at the named place when told to."""

    def reached(self, name: str) -> None: ...


class WriteAhead(Generic[R]):
    """The clock, the crash points and the stored steps of one kind of record ``R``.

    ``store(uow, record)`` writes a changed record (compare-and-set where the repository has
    it, raising ``IllegalTransition`` if it moved on) and returns the record as stored."""

    def __init__(
        self,
        database: Database,
        clock: Clock,
        crash: CrashHook,
        store: Callable[[UnitOfWork, R], R],
    ) -> None:
        self._database = database
        self._clock = clock
        self._crash = crash
        self._store = store

    def now(self) -> datetime:
        return self._clock.now()

    def reached(self, name: str) -> None:
        """A named step: the crash tests kill the process here."""
        self._crash.reached(name)

    def begin(self, write: Callable[[UnitOfWork, datetime], R], *, step: str) -> R:
        """Store a new record (and what goes with it, e.g. its audit row) in one transaction,
        before any request about it leaves; then the crash point ``step``."""
        with self._database.unit_of_work() as uow:
            record = write(uow, self._clock.now())
            uow.commit()
        self._crash.reached(step)
        return record

    def save(self, record: R) -> R:
        """Store one step of a record (its own transaction)."""
        with self._database.unit_of_work() as uow:
            stored = self._store(uow, record)
            uow.commit()
        return stored

    def apply_observed(
        self,
        record: R,
        changed: R | None,
        *,
        book: Callable[[UnitOfWork, R], R] | None = None,
    ) -> R:
        """What PayMongo was seen to say: ``changed`` is the record moved on (None: nothing to
        store). ``book`` runs in the same transaction, before the record is stored, and may
        return it further changed; a crash leaves the record and its booking both or neither."""
        if changed is None:
            return record
        if book is None:
            return self.save(changed)
        with self._database.unit_of_work() as uow:
            stored = self._store(uow, book(uow, changed))
            uow.commit()
        return stored
