"""The webhook's state in the status bar: PayMongo's payment news on, or turned back on.

PayMongo disables a webhook after three events in a row exhaust their retries (paymongo-api.md
19.1 item 7); the counter's guard enables it again and the status bar says so.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest
from pytestqt.qtbot import QtBot

from pos_app.config import Mode, load_settings
from pos_app.services.counter import PaymentBackend
from pos_app.services.receipts import ReceiptService
from pos_app.services.webhook_status import WebhookHealth, WebhookState
from pos_app.ui import webhook_line
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner
from tests.ui.conftest import active_timers
from tests.ui.fakes import FakeFinder, FakeMonitor, FakePayments

WAIT_MS = 5_000
AT = datetime(2026, 12, 7, 8, 0, tzinfo=UTC)


class FakeGuard:
    """WebhookGuard as the window sees it; ``check`` finds PayMongo had disabled it."""

    def __init__(self) -> None:
        self.health = WebhookHealth(WebhookState.ENABLED, checked_at=AT, webhook_id="hook_A")
        self.checked_on: list[str] = []

    def status(self) -> WebhookHealth:
        return self.health

    def due(self, now: datetime) -> bool:
        return not self.checked_on

    def check(self) -> WebhookHealth:
        self.checked_on.append(threading.current_thread().name)
        self.health = WebhookHealth(
            WebhookState.RE_ENABLED,
            checked_at=AT,
            webhook_id="hook_A",
            disabled_reason="max_retries_exceeded",
            re_enabled_at=AT,
        )
        return self.health


def test_the_status_bar_says_when_the_webhook_was_turned_back_on(
    qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(webhook_line, "LOOK_EVERY_MS", 10)
    runner = TaskRunner()
    fake = FakePayments([])
    main = MainWindow(
        mode=Mode.SANDBOX,
        finder=FakeFinder(fake),
        runner=runner,
        clinic_name="Test Clinic",
        terminal_id="01",
        receipts=ReceiptService(load_settings()),
    )
    qtbot.addWidget(main)
    qtbot.addWidget(main.customer_display)
    guard = FakeGuard()
    main.set_backend(
        PaymentBackend("fake", "http://127.0.0.1:9", None, fake, FakeMonitor(), webhook=guard)
    )
    line = main.webhook_line
    assert line is not None
    assert line.text().startswith("Payment news: on")
    qtbot.waitUntil(lambda: "turned back on" in line.text(), timeout=WAIT_MS)
    assert guard.checked_on
    assert guard.checked_on[0] != threading.main_thread().name
    main.stop_watching()
    assert runner.wait_for_done(WAIT_MS), "a background task was left running"
    assert not active_timers(main, main.customer_display), "a timer was left running"
