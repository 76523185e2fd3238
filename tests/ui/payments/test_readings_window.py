"""Issue 15 item 5 through the real window against the in-process sandbox: open a shift, take a
cash payment, read the shift (X), close it with the cash counted, close the day (Z), and see a
second Z-reading refused in plain words."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction
from pytestqt.qtbot import QtBot

from pos_app.domain.money import Money
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_app.ui.readings_view import CashDialog, ConfirmDialog, ReadingsFeature
from tests.ui.conftest import key_click
from tests.ui.payments.conftest import WAIT_MS


def _menu(window: MainWindow, text: str) -> None:
    [action] = [a for a in window.menuBar().findChildren(QAction) if a.text() == text]
    action.trigger()


def _asked(qtbot: QtBot, readings: ReadingsFeature) -> object:
    qtbot.waitUntil(lambda: readings.asking is not None and readings.asking.isVisible())
    return readings.asking


def _cash(qtbot: QtBot, window: MainWindow, entry: str, amount: str) -> None:
    assert window.readings is not None
    _menu(window, entry)
    dialog = _asked(qtbot, window.readings)
    assert isinstance(dialog, CashDialog)
    dialog.amount_edit.setText(amount)
    dialog.ok_button.click()


def _reading(qtbot: QtBot, window: MainWindow, title: str) -> str:
    readings = window.readings
    assert readings is not None
    qtbot.waitUntil(
        lambda: readings.dialog is not None and readings.dialog.windowTitle() == title,
        timeout=WAIT_MS,
    )
    assert readings.dialog is not None
    return readings.dialog.text.toPlainText()


def _close_the_day(qtbot: QtBot, window: MainWindow) -> None:
    assert window.readings is not None
    _menu(window, "Z-reading (close the day)")
    dialog = _asked(qtbot, window.readings)
    assert isinstance(dialog, ConfirmDialog)
    dialog.yes_button.click()


def test_a_shift_with_a_cash_payment_read_closed_and_the_day_closed_once(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _, backend = counter
    assert backend.readings is not None
    backend.readings.access.sign_in("demo-staff", "9002")  # the sign-in window's job, later
    status = window.statusBar()

    _cash(qtbot, window, "Open shift…", "2,000.00")
    qtbot.waitUntil(
        lambda: "Shift opened by demo-staff" in status.currentMessage(), timeout=WAIT_MS
    )

    with qtbot.waitActive(window):  # the dialog is gone: the counter's keys work again
        window.activateWindow()
    payment = window.payment
    bill = payment.bill
    assert bill is not None
    key_click(window, Qt.Key.Key_F6)
    payment.cash.tendered_edit.setText(bill.balance.format().lstrip("₱"))
    with qtbot.waitSignal(payment.settled, timeout=WAIT_MS) as settled:
        payment.cash.record_button.click()
    invoice = settled.args[0].invoice

    _menu(window, "X-reading")
    x_text = _reading(qtbot, window, "X-reading")
    assert "X-READING" in x_text
    assert f"Beginning invoice No.: {invoice.number}" in x_text
    assert "Shift opened:" in x_text
    assert "by demo-staff" in x_text
    assert window.readings is not None
    assert window.readings.dialog is not None
    assert "Saved as PDF" in window.readings.dialog.printed.text()

    expected = (bill.balance + Money.parse("2,000.00")).format().lstrip("₱")
    _cash(qtbot, window, "Close shift…", expected)
    close_text = _reading(qtbot, window, "Shift close")
    assert "SHIFT CLOSE" in close_text
    assert "Cash counted" in close_text
    assert "Difference" in close_text

    _close_the_day(qtbot, window)
    z_text = _reading(qtbot, window, "Z-reading")
    assert "Z-READING" in z_text
    assert "Z counter: 1" in z_text
    assert f"Ending invoice No.: {invoice.number}" in z_text
    assert "Present" in z_text

    _close_the_day(qtbot, window)
    qtbot.waitUntil(lambda: "already taken" in status.currentMessage(), timeout=WAIT_MS)
    assert "A day is closed only once" in status.currentMessage()
