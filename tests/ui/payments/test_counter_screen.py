"""Issue 17: what a receptionist meets in the first hour, through the real window against the
in-process sandbox. The patient's phone is played by the test, posting the sandbox's test pages.
"""

from __future__ import annotations

import httpx
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox
from pytestqt.qtbot import QtBot

from pos_app.domain.attempt import AttemptState
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import key_click, key_clicks
from tests.ui.payments.conftest import WAIT_MS, link_of, phone, select_row, shown_after

DECLINED_CARD = "4400000000000016"  # the sandbox's generic_decline test card


def _highlighted_bill_id(window: MainWindow) -> int | None:
    summary = window.queue.current_summary()
    return None if summary is None else summary.id


def _closed(qtbot: QtBot, window: MainWindow, *keys: Qt.Key, phone_url: str = "") -> AttemptUpdate:
    """Press ``keys`` (or fail the payment on the phone) and wait until the payment closed."""
    with qtbot.waitSignal(
        window.payment.display_changed,
        timeout=WAIT_MS,
        check_params_cb=lambda u: u is not None and not u.is_open,
    ) as closed:
        for key in keys:
            key_click(window, key)
        if phone_url:
            phone(phone_url, authorize=False)
    update = closed.args[0]
    assert isinstance(update, AttemptUpdate)
    return update


def test_the_highlighted_bill_is_always_the_one_being_paid(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Item 1. Decision: while a payment holds a bill, the queue stays on it (searching,
    filtering and moving wait) and says which bill and what frees it; no key acts on another."""
    update = shown_after(qtbot, window, Qt.Key.Key_F7)
    paying = update.bill
    queue = window.queue
    # the receptionist tries to move: arrow keys in the queue, a click on the next row
    key_click(queue.table, Qt.Key.Key_Down)
    row_3 = queue.table.visualRect(queue.table.model().index(3, 1)).center()
    QTest.mouseClick(queue.table.viewport(), Qt.MouseButton.LeftButton, pos=row_3)
    assert window.payment.bill is not None
    assert _highlighted_bill_id(window) == paying.id == window.payment.bill.id
    assert queue.hold_notice.isVisibleTo(queue)
    assert paying.number in queue.hold_notice.text()
    assert paying.patient.full_name in queue.hold_notice.text()
    # payment keys do nothing to another bill; F12 says why it waits
    key_click(window, Qt.Key.Key_F6)
    assert window.payment.pages.currentWidget() is window.payment.remote
    key_click(window, Qt.Key.Key_F12)
    assert "Next patient (F12) waits" in window.payment.remote.next_step.text()
    assert window.payment.pages.currentWidget() is window.payment.remote
    # cancelled: the queue is free, and the payment side follows the highlight again
    assert _closed(qtbot, window, Qt.Key.Key_Escape).attempt.state is AttemptState.CANCELLED
    assert not queue.hold_notice.isVisibleTo(queue)
    select_row(qtbot, window, 3)
    key_click(window, Qt.Key.Key_F6)
    next_bill = window.payment.bill
    assert next_bill is not None
    assert next_bill.id == _highlighted_bill_id(window) != paying.id
    assert window.payment.cash.amount_label.text() == f"Cash for {next_bill.balance}"


def test_closing_with_a_payment_open_asks_first_and_says_what_becomes_of_it(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Item 3."""
    update = shown_after(qtbot, window, Qt.Key.Key_F7)
    window.toggle_customer_display()
    window.close()
    question = window.close_question
    assert question is not None
    assert window.isVisible()
    assert update.bill.number in question.text()
    assert "next time Kaha starts" in question.informativeText()
    assert "issues the invoice" in question.informativeText()
    keep, close = question.buttons()[0], question.buttons()[1]
    assert keep.text() == "Keep Kaha open"
    keep.click()
    assert window.isVisible()
    window.close()
    question = window.close_question
    assert isinstance(question, QMessageBox)
    question.buttons()[1].click()
    assert close.text() == "Close anyway"
    qtbot.waitUntil(lambda: not window.isVisible(), timeout=WAIT_MS)
    assert not window.customer_display.isVisible()  # nothing runs on behind the window


def test_a_message_stays_with_the_bill_it_was_about(qtbot: QtBot, window: MainWindow) -> None:
    """Item 4: "the patient gave ₱1,000…" is not shown under the next patient's bill."""
    key_click(window, Qt.Key.Key_F6)
    cash = window.payment.cash
    cash.tendered_edit.clear()
    key_clicks(cash.tendered_edit, "1,000")
    with qtbot.waitSignal(window.payment.problem, timeout=WAIT_MS) as told:
        key_click(cash.tendered_edit, Qt.Key.Key_Return)
    assert "gave" in told.args[0]
    assert "gave" in window.payment.hint.text()
    select_row(qtbot, window, 3)
    assert "gave" not in window.payment.hint.text()
    select_row(qtbot, window, 2)  # and back: the message was about that moment, not kept
    assert "gave" not in window.payment.hint.text()


def test_a_qr_failed_on_the_phone_says_what_happened_and_try_again_makes_a_new_one(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Item 5, QR Ph: no blank white QR beside the failure; Try again is the same method."""
    first = shown_after(qtbot, window, Qt.Key.Key_F7)
    failed = _closed(qtbot, window, phone_url=link_of(first))
    assert failed.attempt.state is AttemptState.FAILED
    remote = window.payment.remote
    assert not remote.qr_label.isVisibleTo(remote)
    assert remote.title.text() == "Not paid — the payment failed"
    told = remote.status.text() + remote.next_step.text()
    assert "Try again" in told
    assert "F7" in told
    assert remote.again_button.isVisibleTo(remote)
    # the queue refreshing (as it does after every payment change) leaves the failure on screen
    with qtbot.waitSignal(window.queue.bill_selected, timeout=WAIT_MS):
        window.queue.reload()
    assert window.payment.pages.currentWidget() is remote
    assert remote.title.text() == "Not paid — the payment failed"
    key_click(window, Qt.Key.Key_F6)  # what the refusal offers: cash for the same amount
    assert window.payment.pages.currentWidget() is window.payment.cash
    assert window.payment.cash.amount_label.text() == f"Cash for {first.attempt.amount}"
    key_click(window, Qt.Key.Key_Backspace, Qt.KeyboardModifier.ControlModifier)
    assert window.payment.pages.currentWidget() is window.payment.choose_page
    again = shown_after(qtbot, window, Qt.Key.Key_F7)
    assert again.attempt.method is TenderMethod.QRPH
    assert again.attempt.id != first.attempt.id
    assert again.bill.id == first.bill.id
    assert again.attempt.amount == first.attempt.amount
    assert remote.qr_label.isVisibleTo(remote)
    assert not remote.qr_label.pixmap().isNull()


def test_a_card_declined_in_the_phones_checkout_is_told_with_what_to_do(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Item 5, card on phone: PayMongo's page stays open for another card; the counter says
    the card was declined instead of waiting with no hint."""
    update = shown_after(qtbot, window, Qt.Key.Key_F4)
    remote = window.payment.remote
    assert "try again on the same page" in remote.next_step.text()
    httpx.post(
        link_of(update),
        data={
            "action": "authorize",
            "method": "card",
            "card_number": DECLINED_CARD,
            "exp_month": "12",
            "exp_year": "2030",
            "cvc": "123",
        },
        timeout=10,
    ).raise_for_status()
    qtbot.waitUntil(lambda: "Declined on the phone" in remote.status.text(), timeout=WAIT_MS)
    assert "Nothing was charged" in remote.status.text()
    assert "try again on the same page" in remote.next_step.text()
    assert remote.cancel_button.isVisibleTo(remote)


def test_the_paid_screen_shows_the_change_and_a_negative_amount_is_refused_in_words(
    qtbot: QtBot, window: MainWindow
) -> None:
    """Item 7."""
    payment = window.payment
    payment.amount_edit.setText("-500")
    key_click(window, Qt.Key.Key_F6)
    assert "must be more than zero" in payment.hint.text()
    assert payment.pages.currentWidget() is payment.choose_page
    bill = payment.bill
    assert bill is not None
    payment.amount_edit.setText(bill.balance.format().lstrip("₱"))
    key_click(window, Qt.Key.Key_F6)
    payment.cash.tendered_edit.setText("-5")
    payment.cash.record_button.click()
    assert "must be more than zero" in payment.cash.change_label.text()
    payment.cash.tendered_edit.setText((bill.balance + Money(500_00)).format().lstrip("₱"))
    with qtbot.waitSignal(payment.settled, timeout=WAIT_MS):
        payment.cash.record_button.click()
    assert payment.pages.currentWidget() is payment.paid
    assert payment.paid.change_label.isVisibleTo(payment.paid)
    assert payment.paid.change_label.text() == "Change due: ₱500.00"
