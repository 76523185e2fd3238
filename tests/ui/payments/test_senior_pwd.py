"""Issue 15 item 3: the senior citizen / PWD discount at the counter (Ctrl+D), through the real
window against the in-process sandbox: 20% after VAT is taken off, collected in cash, on the
invoice with the ID number."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.discount import VatStatus, senior_pwd_discount
from pos_app.domain.money import Money
from pos_app.services.collect.results import Settlement
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.discount_dialog import DiscountDialog
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import key_click
from tests.ui.payments.conftest import WAIT_MS

CTRL = Qt.KeyboardModifier.ControlModifier
VAT_CLINIC = {"POS_APP_VAT_REGISTRATION": "vat"}


def _fill(dialog: DiscountDialog, id_number: str, name_on_id: str) -> None:
    """What the receptionist types: senior citizen (the first choice), the usual ID, its
    number and the name on it."""
    assert dialog.kind_box.currentText() == "Senior citizen"
    assert dialog.id_type_box.currentText() == "OSCA senior citizen ID"
    dialog.id_number_edit.setText(id_number)
    dialog.name_edit.setText(name_on_id)


def _discount_dialog(qtbot: QtBot, window: MainWindow) -> DiscountDialog:
    key_click(window, Qt.Key.Key_D, CTRL)
    qtbot.waitUntil(lambda: window.findChild(DiscountDialog) is not None, timeout=WAIT_MS)
    dialog = window.findChild(DiscountDialog)
    assert isinstance(dialog, DiscountDialog)
    return dialog


@pytest.mark.parametrize("counter", [VAT_CLINIC], indirect=True)
def test_senior_discount_applied_then_the_discounted_amount_collected_in_cash(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    services, _ = counter
    payment = window.payment
    bill = payment.bill
    assert bill is not None
    expected = senior_pwd_discount(bill.amount_due, VatStatus.VAT)
    assert expected.due < bill.amount_due

    assert "Senior citizen / P&WD discount…" in [a.text() for a in window.actions()]
    dialog = _discount_dialog(qtbot, window)
    _fill(dialog, "", "Lourdes Santos")
    dialog.apply_button.click()
    assert "ID number" in dialog.problem.text()  # a missing ID number is refused in plain words
    assert dialog.isVisible()
    _fill(dialog, "SC-0412-2019", "Lourdes Santos")
    dialog.apply_button.click()
    qtbot.waitUntil(lambda: window.findChild(DiscountDialog) is None, timeout=WAIT_MS)
    with qtbot.waitActive(window):  # the dialog is gone: the counter's keys work again
        window.activateWindow()
    qtbot.waitUntil(
        lambda: payment.bill is not None and not payment.bill.discount.is_zero, timeout=WAIT_MS
    )
    discounted = payment.bill
    assert discounted is not None
    assert discounted.balance == expected.due
    assert f"now {expected.due} due" in payment.hint.text()
    assert payment.amount_edit.text() == expected.due.format().lstrip("₱")

    key_click(window, Qt.Key.Key_F6)
    assert payment.cash.amount == expected.due
    payment.cash.tendered_edit.setText(expected.due.format().lstrip("₱"))
    with qtbot.waitSignal(payment.settled, timeout=WAIT_MS) as settled:
        payment.cash.record_button.click()
    settlement = settled.args[0]
    assert isinstance(settlement, Settlement)
    assert settlement.invoice.total == expected.due
    assert sum((t.amount for t in settlement.tenders), Money.ZERO) == expected.due

    text = services.receipts.preview_text(settlement)
    assert "Senior citizen ID No.: SC-0412-2019" in text
    assert "Less: SC/PWD disc. 20%" in text
    assert expected.discount.format() in text
    assert "Less: VAT (SC/PWD)" in text

    key_click(window, Qt.Key.Key_D, CTRL)  # paid now: refused in plain words, no dialog
    assert "already has a payment" in window.statusBar().currentMessage()
