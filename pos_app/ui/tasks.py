"""The task runner: moves blocking work off the GUI thread and brings results back by signal.

Threading contract: ``TaskRunner`` lives on the GUI thread. ``run_db`` work runs on one dedicated
database worker (writes are serialised); ``run_net`` work runs on a small pool for network calls.
``on_success``/``on_failure`` callbacks always run on the GUI thread, delivered through a queued
signal, so they may touch widgets. The work function itself must never touch a widget.

Usage reads like a sentence::

    runner.run_db(lambda: bills.search(text), on_success=view.show_bills, on_failure=show_error)
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from typing import Any, NamedTuple

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, SignalInstance, Slot

log = logging.getLogger(__name__)

SuccessCallback = Callable[[Any], None]
FailureCallback = Callable[[BaseException], None]


class _Pending(NamedTuple):  # not a dataclass: defined before the first paint, ~5x cheaper
    # held here as well as by the job, so that its last reference goes on the GUI thread
    work: Callable[[], object]
    on_success: SuccessCallback | None
    on_failure: FailureCallback | None
    owner: QObject | None  # callbacks are dropped once this widget is gone


class _Job(QRunnable):
    """Runs one task on a pool thread, and lets go of everything before saying it is done.

    The pool deletes a finished job on its own thread. Had the job still held the work (whose
    closure holds a view) or its outcome (an exception's traceback holds frames that hold views)
    and been the last to, a widget's Python side would die on the pool thread: PySide then
    deletes it from the GUI thread later, after parts of it may already be gone (seen: a
    segfault in shiboken's runDeletionInMainThread, ~1 test run in 50). So the runner keeps the
    work until the GUI thread has the outcome, and the outcome goes through ``outcomes``."""

    def __init__(
        self,
        task_id: int,
        work: Callable[[], object],
        outcomes: dict[int, tuple[bool, object]],
        done: SignalInstance,
    ) -> None:
        super().__init__()
        self._task_id = task_id
        self._work: Callable[[], object] | None = work
        self._outcomes = outcomes
        self._done = done

    def run(self) -> None:
        work, self._work = self._work, None
        assert work is not None, "a job runs once"
        try:
            outcome: tuple[bool, object] = (True, work())
        except BaseException as exc:  # delivered to the GUI thread, never lost in a worker
            outcome = (False, exc)
        del work  # the runner still holds it: not the last reference
        self._outcomes[self._task_id] = outcome  # one dict store: atomic under the GIL
        del outcome
        self._done.emit(self._task_id)


class TaskRunner(QObject):
    """One database worker and a network pool; results come back on the GUI thread."""

    _finished = Signal(int)
    #: emitted on the GUI thread after any task finished (for views that refresh themselves)
    task_finished = Signal()

    def __init__(self, parent: QObject | None = None, *, network_threads: int = 4) -> None:
        super().__init__(parent)
        self._db_pool = QThreadPool(self)
        self._db_pool.setMaxThreadCount(1)
        self._net_pool = QThreadPool(self)
        self._net_pool.setMaxThreadCount(network_threads)
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self._outcomes: dict[int, tuple[bool, object]] = {}
        self._finished.connect(self._deliver)

    def run_db(
        self,
        work: Callable[[], object],
        *,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
    ) -> int:
        """Run ``work`` on the database worker; callbacks on the GUI thread (none once
        ``owner`` has been deleted)."""
        return self._submit(self._db_pool, _Pending(work, on_success, on_failure, owner))

    def run_net(
        self,
        work: Callable[[], object],
        *,
        on_success: SuccessCallback | None = None,
        on_failure: FailureCallback | None = None,
        owner: QObject | None = None,
    ) -> int:
        """Run ``work`` on the network pool; callbacks on the GUI thread (none once ``owner``
        has been deleted)."""
        return self._submit(self._net_pool, _Pending(work, on_success, on_failure, owner))

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def wait_for_done(self, timeout_ms: int = 10_000) -> bool:
        """Block until both pools are idle (shutdown and tests only, never from a slot)."""
        return self._db_pool.waitForDone(timeout_ms) and self._net_pool.waitForDone(timeout_ms)

    def _submit(self, pool: QThreadPool, pending: _Pending) -> int:
        task_id = next(self._ids)
        self._pending[task_id] = pending
        pool.start(_Job(task_id, pending.work, self._outcomes, self._finished))
        return task_id

    @Slot(int)
    def _deliver(self, task_id: int) -> None:
        ok, payload = self._outcomes.pop(task_id)
        pending = self._pending.pop(task_id, None)
        if pending is None:
            return
        if pending.owner is not None and not shiboken6.isValid(pending.owner):
            return  # its window closed while the work ran: nobody is left to show the answer
        try:
            if ok and pending.on_success is not None:
                pending.on_success(payload)
            elif not ok:
                assert isinstance(payload, BaseException)
                if pending.on_failure is not None:
                    pending.on_failure(payload)
                else:
                    log.error("background task failed", exc_info=payload)
        finally:
            self.task_finished.emit()
