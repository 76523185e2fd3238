"""The counter against the in-process sandbox: real services, real sockets, the patient's phone
played by the test submitting the sandbox's hosted test pages."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner
from tests.ui.conftest import active_timers

WAIT_MS = 10_000


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[tuple[CounterServices, PaymentBackend]]:
    settings = load_settings(
        {
            "POS_APP_DATA_DIR": str(tmp_path / "data"),
            "POS_APP_CONFIG_DIR": str(tmp_path / "cfg"),
            "POS_APP_KEYED_CARD_ENABLED": "true",
        }
    )
    services = build_services(settings, Secrets())
    backend = services.start_payment_backend()
    yield services, backend
    services.shutdown()


@pytest.fixture
def window(qtbot: QtBot, counter: tuple[CounterServices, PaymentBackend]) -> Iterator[MainWindow]:
    services, backend = counter
    runner = TaskRunner()
    main = MainWindow(
        mode=services.mode,
        finder=services.bills,
        runner=runner,
        clinic_name="Test Clinic",
        terminal_id="01",
        receipts=services.receipts,
        keyed_card_enabled=services.settings.keyed_card_enabled,
    )
    qtbot.addWidget(main)
    qtbot.addWidget(main.customer_display)
    with qtbot.waitSignal(main.queue.loaded, timeout=WAIT_MS):
        main.show()
    main.activateWindow()
    qtbot.waitActive(main)  # keys reach shortcuts only in the active window
    main.set_backend(backend)
    main.queue.table.selectRow(2)
    yield main
    main.stop_watching()
    assert runner.wait_for_done(WAIT_MS), "a background task was left running"
    assert not active_timers(main, main.customer_display), "a timer was left running"
