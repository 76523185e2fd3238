"""Issue 17, items 9 and 10: the window at its first size and at 1280×800, where it comes back,
walk-in bill numbers, and the queue from the keyboard. Through the real window and sandbox."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QDialogButtonBox
from pytestqt.qtbot import QtBot

from pos_app.domain.bill import Bill
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner
from tests.ui.conftest import fill_row, key_click, key_clicks
from tests.ui.payments.conftest import WAIT_MS, shown_after

SIZES = [(1200, 760), (1280, 800)]


def _at_size(qtbot: QtBot, window: MainWindow, size: tuple[int, int]) -> None:
    window.resize(*size)
    qtbot.waitUntil(lambda: (window.width(), window.height()) == size, timeout=WAIT_MS)


@pytest.mark.parametrize("size", SIZES)
def test_nothing_is_clipped_and_a_message_brings_no_scrollbar(
    qtbot: QtBot, window: MainWindow, size: tuple[int, int]
) -> None:
    _at_size(qtbot, window, size)
    header = window.queue.table.horizontalHeader()
    metrics = header.fontMetrics()
    for column, title in enumerate(("Bill", "Patient", "Services", "Amount due", "Balance")):
        assert header.sectionSize(column) >= metrics.horizontalAdvance(title) + 12, title
    # a link on screen: the field shows the link, not a few characters of it
    update = shown_after(qtbot, window, Qt.Key.Key_F8, Qt.Key.Key_1)
    remote = window.payment.remote
    assert update.display is not None
    assert update.display.url is not None
    url_width = remote.link_edit.fontMetrics().horizontalAdvance(update.display.url[:40])
    assert remote.link_edit.width() >= url_width
    key_click(window, Qt.Key.Key_Escape)
    qtbot.waitUntil(lambda: remote.back_button.isVisibleTo(remote), timeout=WAIT_MS)
    remote.back_button.click()
    # long messages on the payment side: the queue keeps its columns and grows no scrollbar
    payment = window.payment
    payment.amount_edit.setText("abc")
    key_click(window, Qt.Key.Key_F6)
    assert payment.hint.text()
    payment.amount_edit.setText("100")
    key_click(window, Qt.Key.Key_F6)
    payment.cash.tendered_edit.setText("abc")
    payment.cash.record_button.click()
    assert payment.cash.change_label.text()
    window.queue.count_label.setText("No bills match. Check the spelling, or choose “All bills”.")
    qtbot.wait(0)  # layouts settle on the next pass of the event loop
    assert not window.queue.table.horizontalScrollBar().isVisible()
    assert window.width() == size[0]
    assert payment.cash.change_label.width() <= payment.width()


@pytest.fixture
def window_state(tmp_path: Path) -> Path:
    return tmp_path / "cfg" / "window.ini"


def _window(qtbot: QtBot, services: CounterServices, runner: TaskRunner, state: Path) -> MainWindow:
    main = MainWindow(
        mode=services.mode,
        finder=services.bills,
        runner=runner,
        clinic_name="Test Clinic",
        terminal_id="01",
        receipts=services.receipts,
        window_state=state,
    )
    qtbot.addWidget(main)
    return main


@pytest.fixture
def runner() -> Iterator[TaskRunner]:
    task_runner = TaskRunner()
    yield task_runner
    assert task_runner.wait_for_done(WAIT_MS), "a background task was left running"


def test_the_window_comes_back_where_it_was(
    qtbot: QtBot,
    counter: tuple[CounterServices, PaymentBackend],
    runner: TaskRunner,
    window_state: Path,
) -> None:
    services, _backend = counter
    first = _window(qtbot, services, runner, window_state)
    with qtbot.waitSignal(first.queue.loaded, timeout=WAIT_MS):
        first.show()
    first.setGeometry(QRect(30, 20, 760, 700))  # inside the offscreen screen
    qtbot.waitUntil(lambda: first.width() == 760, timeout=WAIT_MS)
    first.close()
    assert window_state.exists()
    second = _window(qtbot, services, runner, window_state)
    with qtbot.waitSignal(second.queue.loaded, timeout=WAIT_MS):
        second.show()
    assert (second.width(), second.height()) == (760, 700)
    second.close()


def test_a_walk_in_bill_number_is_short_and_on_the_clinics_clock(
    qtbot: QtBot, window: MainWindow
) -> None:
    dialog = window.open_walk_in()
    assert dialog is not None
    dialog.name_edit.setText("Juan Dela Cruz")
    fill_row(dialog.lines, 0, "Consultation", "1", "500")
    before = datetime.now(ZoneInfo("Asia/Manila"))
    with qtbot.waitSignal(
        window.queue.bill_selected,
        timeout=WAIT_MS,
        check_params_cb=lambda bill: bill is not None and bill.number.startswith("W-"),
    ) as selected:
        buttons = dialog.findChild(QDialogButtonBox)
        assert buttons is not None
        buttons.button(QDialogButtonBox.StandardButton.Ok).click()
    bill = selected.args[0]
    assert isinstance(bill, Bill)
    number = bill.number
    assert re.fullmatch(r"W-\d{4}-\d{4}", number), number
    expected = {f"W-{moment:%m%d-%H%M}" for moment in (before, before + timedelta(minutes=1))}
    assert number in expected


def test_arrow_keys_in_the_search_box_move_in_the_queue_and_never_change_the_filter(
    qtbot: QtBot, window: MainWindow
) -> None:
    queue = window.queue
    key_click(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert queue.search_box.hasFocus()
    third = queue.model.bill_at(3)
    assert third is not None
    with qtbot.waitSignal(
        queue.bill_selected, timeout=WAIT_MS, check_params_cb=lambda b: b.id == third.id
    ):
        key_click(queue.search_box, Qt.Key.Key_Down)
    assert queue.search_box.hasFocus()
    assert window.payment.bill is not None
    assert window.payment.bill.id == third.id
    with qtbot.waitSignal(queue.bill_selected, timeout=WAIT_MS):
        key_click(queue.search_box, Qt.Key.Key_Up)
    assert queue.current_summary() == queue.model.bill_at(2)
    # typing, then Down: the first match is picked, the text stays as typed
    key_clicks(queue.search_box, "mendoza")
    qtbot.waitUntil(lambda: queue.model.rowCount() < 10, timeout=WAIT_MS)
    key_click(queue.search_box, Qt.Key.Key_Down)
    assert queue.search_box.text() == "mendoza"
    # the status filter: an arrow key opens its list instead of changing it unseen
    queue.status_filter.setFocus()
    shown = queue.status_filter.currentText()
    for key in (Qt.Key.Key_Down, Qt.Key.Key_Up, Qt.Key.Key_A):
        key_click(queue.status_filter, key)
        assert queue.status_filter.currentText() == shown
        queue.status_filter.hidePopup()
    assert queue.selected_statuses() is not None  # still "Open bills"
