"""The health panel, the first sync's progress, and a counter with no clinic server set up,
through the real window against the in-process sandbox."""

from __future__ import annotations

import dataclasses
import re

import httpx
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from pos_app.config import Mode
from pos_app.domain.money import Money
from pos_app.services.clinic_sync import PullProgress
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner
from tests.ui.conftest import active_timers, fill_row, keep_shot, key_click
from tests.ui.payments.conftest import counter, shown_after, window
from tests.ui.test_clinic_sync import FAST

__all__ = ["counter", "window"]

WAIT_MS = 30_000


@pytest.mark.parametrize("counter", [FAST], indirect=True)
def test_the_health_panel_shows_servers_outbox_open_payments_and_webhooks(
    qtbot: QtBot, window: MainWindow
) -> None:
    shown_after(qtbot, window, Qt.Key.Key_F7)  # one payment open
    key_click(window, Qt.Key.Key_H, Qt.KeyboardModifier.ControlModifier)
    panel = window.health
    assert panel is not None
    qtbot.waitUntil(lambda: panel.rows["Open payments"].text() == "1", timeout=WAIT_MS)
    assert "PayMongo sandbox at http://127.0.0.1:" in panel.rows["PayMongo"].text()
    assert panel.rows["Clinic server"].text().startswith("reachable at http://127.0.0.1:")
    assert "bills from the clinic" in panel.rows["Last pull"].text()
    assert panel.rows["Changes waiting"].text() == "0"
    assert panel.rows["Webhook receiver"].text() == "off (payments are polled)"
    keep_shot(panel, "health-panel.png")
    close = panel.buttons.button(QDialogButtonBox.StandardButton.Close)
    assert close is not None
    close.click()  # the panel closes from its own button, not only the window manager's
    assert not panel.isVisible()


@pytest.mark.parametrize("counter", [FAST], indirect=True)
def test_a_first_sync_shows_its_progress_in_the_window(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _, backend = counter
    clinic = window.clinic
    assert clinic is not None
    seen: list[str] = []
    httpx.post(
        f"{backend.clinic_url}/_control/bills", json={"count": 3000, "seed": 5}, timeout=60
    ).raise_for_status()
    assert clinic.driver is not None

    reloaded: list[PullProgress] = []

    def note(progress: PullProgress) -> None:
        seen.append(clinic.indicator.text())
        if len(seen) == 2:
            keep_shot(window, "queue-during-first-sync.png")
        if progress.first_sync and progress.done >= progress.total:
            reloaded.append(progress)

    clinic.driver.progress.connect(note)
    window.reload_all_bills()

    # the reload's own end, not the end of an incremental pull the timer may run first (it can
    # take the 3,000 new bills before the reload starts: "Updating bills", no first-load words)
    qtbot.waitUntil(lambda: bool(reloaded), timeout=WAIT_MS)
    assert reloaded[-1].total == 3060
    progress = [
        t for t in seen if re.fullmatch(r"Loading bills from the clinic: [\d,]+ of 3,060 bills", t)
    ]
    # the 60 demo bills and 3,000 more: 7 pages of 500, stored at most 4 pages per commit, and
    # progress shown after each commit
    assert len(progress) >= 2, seen


def test_while_bills_still_arrive_the_status_bar_does_not_call_the_queue_up_to_date(
    qtbot: QtBot, window: MainWindow
) -> None:
    clinic = window.clinic
    assert clinic is not None
    assert clinic.driver is not None

    def reloaded_says() -> str:
        with qtbot.waitSignal(window.queue.loaded, timeout=WAIT_MS):
            window.queue.reload()
        return window.statusBar().currentMessage()

    clinic.driver.progress.emit(PullProgress(2_000, 100_000, first_sync=True))
    assert reloaded_says().startswith("Bills still arriving from the clinic — ")
    clinic.driver.progress.emit(PullProgress(100_000, 100_000, first_sync=True))
    assert reloaded_says().startswith("Bill queue up to date — ")


def test_without_a_clinic_server_the_window_says_so_and_walk_ins_still_work(
    qtbot: QtBot, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, backend = counter
    runner = TaskRunner()
    main = MainWindow.for_counter(
        services.settings, Mode.TEST, services.bills, runner, services.receipts
    )
    qtbot.addWidget(main)
    qtbot.addWidget(main.customer_display)
    with qtbot.waitSignal(main.queue.loaded, timeout=WAIT_MS):
        main.show()
    main.activateWindow()
    qtbot.waitActive(main)
    main.set_backend(dataclasses.replace(backend, clinic=None))
    assert main.clinic is not None
    assert main.clinic.indicator.isVisible()
    assert main.clinic.indicator.text() == (
        "No clinic server is set up: only walk-in bills on this counter"
    )
    key_click(main, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = main.walk_in
    assert dialog is not None
    dialog.name_edit.setText("Ana Cruz")
    fill_row(dialog.lines, 0, "Consultation", "1", "800")
    with qtbot.waitSignal(main.queue.loaded, timeout=WAIT_MS):
        key_click(dialog.name_edit, Qt.Key.Key_Return)
    bill = main.payment.bill
    assert bill is not None
    assert bill.patient.full_name == "Ana Cruz"
    assert bill.amount_due == Money.parse("800")
    keep_shot(main, "no-clinic-server.png")
    main.stop_watching()
    assert runner.wait_for_done(WAIT_MS)
    assert not active_timers(main, main.customer_display)
