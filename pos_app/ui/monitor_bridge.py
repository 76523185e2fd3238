"""The payment monitor's driver and its bridge to the GUI thread.

Threading contract: lives on the GUI thread. A QTimer calls ``monitor.due`` (no I/O) every tick and
runs ``monitor.check`` for each due payment on the task runner's network pool. Monitor listeners
run on those worker threads; they only emit ``updated``, a signal of this GUI-thread object, so Qt
queues the delivery to the GUI thread. Nothing here is tied to a screen: payments stay watched
whatever the counter shows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from PySide6.QtCore import QObject, QTimer, Signal

from pos_app.services.collect.results import AttemptUpdate
from pos_app.services.counter import MonitorPort
from pos_app.ui.qr import prerender
from pos_app.ui.tasks import TaskRunner

POLL_TICK_MS = 50


class MonitorBridge(QObject):
    updated = Signal(object)  # AttemptUpdate, always delivered on the GUI thread
    failed = Signal(object)  # BaseException from a check, on the GUI thread

    def __init__(
        self, monitor: MonitorPort, runner: TaskRunner, parent: QObject | None = None
    ) -> None:
        super().__init__(parent)
        self._monitor = monitor
        self._runner = runner
        self._unsubscribe = monitor.subscribe(self.updated.emit)
        self._timer = QTimer(self, interval=POLL_TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def track(self, update: AttemptUpdate) -> None:
        self._monitor.track(update)

    def stop(self) -> None:
        self._timer.stop()
        self._unsubscribe()

    def _tick(self) -> None:
        for attempt_id in self._monitor.due(datetime.now(UTC)):
            self._runner.run_net(self._check(attempt_id), on_failure=self.failed.emit)

    def _check(self, attempt_id: str) -> Callable[[], AttemptUpdate]:
        # the QR is drawn here on the worker too: a new one (3-D Secure) never stalls the GUI
        return lambda: prerender(self._monitor.check(attempt_id))
