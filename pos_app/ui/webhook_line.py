"""A status-bar line saying whether PayMongo's payment news (the webhook) reaches this counter.

Until the health panel exists this is where the webhook's state shows: on, turned back on (PayMongo
had disabled it after failed deliveries, paymongo-api.md 19.1 item 7), off at PayMongo, not set up.

Threading contract: GUI thread only. The timer only asks ``due`` (no I/O); the check itself, which
asks PayMongo and may enable the webhook again, runs on the task runner's network pool.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QWidget

from pos_app.services.counter import WebhookStatusPort
from pos_app.services.webhook_status import WebhookHealth
from pos_app.ui.tasks import TaskRunner

LOOK_EVERY_MS = 60_000


class WebhookStatusLine(QLabel):
    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__("", parent)
        self._runner = runner
        self._guard: WebhookStatusPort | None = None
        self._checking = False
        self._timer = QTimer(self)
        self._timer.setInterval(LOOK_EVERY_MS)
        self._timer.timeout.connect(self._tick)

    def watch(self, guard: WebhookStatusPort) -> None:
        self._guard = guard
        self._show(guard.status())
        self._timer.start()

    def stop(self) -> None:
        self._timer.stop()

    def _tick(self) -> None:
        guard = self._guard
        if guard is None or self._checking or not guard.due(datetime.now(UTC)):
            return
        self._checking = True
        self._runner.run_net(guard.check, on_success=self._checked, on_failure=self._failed)

    def _checked(self, health: object) -> None:
        self._checking = False
        assert isinstance(health, WebhookHealth)
        self._show(health)

    def _failed(self, exc: BaseException) -> None:
        self._checking = False

    def _show(self, health: WebhookHealth) -> None:
        self.setText(health.summary)
