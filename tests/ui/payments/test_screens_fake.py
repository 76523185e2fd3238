"""Every payment screen against hand-written fake services: e-wallets, checkout, keyed card, walk-in
bills, overpayments, offline. The real services are exercised in test_payment_panel.py."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QLabel, QMenu
from pytestqt.qtbot import QtBot

from pos_app.config import Mode, load_settings
from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.inputs import CardDetails
from pos_app.services.collect.results import AttemptUpdate
from pos_app.services.counter import PaymentBackend
from pos_app.services.receipts import ReceiptService
from pos_app.ui.main_window import MainWindow
from pos_app.ui.payment_panel import PaymentPanel
from pos_app.ui.tasks import TaskRunner
from tests.ui.conftest import active_timers, fill_row, key_click, key_clicks
from tests.ui.fakes import FakeFinder, FakeMonitor, FakePayments, make_bill
from tests.ui.payments.conftest import select_row

WAIT_MS = 5_000

CLEANING = "Oral prophylaxis (cleaning)"


@pytest.fixture
def fake() -> FakePayments:
    return FakePayments(
        [
            make_bill(
                1,
                "Maria",
                "Santos",
                (CLEANING, 1, Money.parse("1,500")),
                ("Fluoride varnish", 1, Money.parse("500")),
            ),
            make_bill(2, "Jose", "Reyes", ("Tooth extraction", 1, Money.parse("2,500"))),
        ]
    )


@pytest.fixture
def monitor() -> FakeMonitor:
    return FakeMonitor()


@pytest.fixture
def window(qtbot: QtBot, fake: FakePayments, monitor: FakeMonitor) -> Iterator[MainWindow]:
    runner = TaskRunner()
    main = MainWindow(
        mode=Mode.SANDBOX,
        finder=FakeFinder(fake),
        runner=runner,
        clinic_name="Test Clinic",
        terminal_id="01",
        receipts=ReceiptService(load_settings()),
        keyed_card_enabled=True,
    )
    qtbot.addWidget(main)
    qtbot.addWidget(main.customer_display)
    with qtbot.waitSignal(main.queue.loaded, timeout=WAIT_MS):
        main.show()
    main.activateWindow()
    qtbot.waitActive(main)
    main.set_backend(PaymentBackend("fake", "http://127.0.0.1:9", None, fake, monitor))
    rows = [main.queue.model.bill_at(row) for row in range(main.queue.model.rowCount())]
    select_row(qtbot, main, [bill.id if bill else None for bill in rows].index(1))
    yield main
    main.stop_watching()
    assert runner.wait_for_done(WAIT_MS), "a background task was left running"
    assert not active_timers(main, main.customer_display), "a timer was left running"
    assert all(thread != "MainThread" for _call, thread in fake.calls), fake.calls


def _started(qtbot: QtBot, window: MainWindow, press: str) -> AttemptUpdate:
    """Press keys as the receptionist would and wait for the QR or link to show."""
    with qtbot.waitSignal(
        window.payment.display_changed, timeout=WAIT_MS, check_params_cb=lambda u: u is not None
    ) as shown:
        for key in press.split():
            key_click(window, _KEYS[key])
    update = shown.args[0]
    assert isinstance(update, AttemptUpdate)
    assert window.payment.pages.currentWidget() is window.payment.remote
    return update


_KEYS = {
    "F3": Qt.Key.Key_F3,
    "F4": Qt.Key.Key_F4,
    "F7": Qt.Key.Key_F7,
    "F8": Qt.Key.Key_F8,
    "1": Qt.Key.Key_1,
    "2": Qt.Key.Key_2,
    "3": Qt.Key.Key_3,
}


@pytest.mark.parametrize(
    ("press", "method", "call"),
    [
        ("F8 1", TenderMethod.GCASH, "start"),
        ("F8 2", TenderMethod.PAYMAYA, "start"),
        ("F8 3", TenderMethod.GRAB_PAY, "start"),
        ("F4", TenderMethod.CHECKOUT, "start"),
    ],
)
def test_links_show_as_a_large_qr_with_the_link_and_a_copy_button(
    qtbot: QtBot,
    window: MainWindow,
    fake: FakePayments,
    monitor: FakeMonitor,
    press: str,
    method: TenderMethod,
    call: str,
) -> None:
    update = _started(qtbot, window, press)
    remote = window.payment.remote
    assert update.attempt.method is method
    assert fake.calls[-1][0] == call
    assert monitor.tracked == [update.attempt.id]
    assert remote.qr_label.pixmap().width() >= 300
    assert remote.link_box.isVisibleTo(remote)
    assert remote.link_edit.text() == update.display.url if update.display else False
    assert remote.countdown.text().startswith("Expires in 29:")
    remote.copy_button.click()
    assert QGuiApplication.clipboard().text() == remote.link_edit.text()


def test_paid_news_from_the_monitor_thread_shows_the_receipt_and_thanks_the_patient(
    qtbot: QtBot, window: MainWindow, fake: FakePayments, monitor: FakeMonitor
) -> None:
    update = _started(qtbot, window, "F7")
    assert not window.payment.remote.link_box.isVisibleTo(window.payment.remote)  # QR Ph: no link
    window.toggle_customer_display()
    qtbot.waitExposed(window.customer_display)
    # the offscreen platform activates every new window (X11 window managers honour
    # WA_ShowWithoutActivating); give the keyboard back to the counter as a real desktop would
    window.activateWindow()
    qtbot.waitActive(window)
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        monitor.push(fake.pay(update.attempt.id))
    assert window.payment.pages.currentWidget() is window.payment.paid
    assert "MAIN-01-000001" in window.payment.paid.preview.toPlainText()
    shown = " ".join(label.text() for label in window.customer_display.findChildren(QLabel))
    assert "Paid — salamat po!" in shown
    assert CLEANING not in shown
    assert "Santos" not in shown
    key_click(window, Qt.Key.Key_F12)
    assert window.payment.pages.currentWidget() is window.payment.choose_page


def test_a_decline_says_why_and_offers_to_try_again(
    qtbot: QtBot, window: MainWindow, fake: FakePayments, monitor: FakeMonitor
) -> None:
    update = _started(qtbot, window, "F8 1")
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        monitor.push(fake.decline(update.attempt.id, "the card was declined by the bank"))
    remote = window.payment.remote
    assert remote.status.text() == "Declined: the card was declined by the bank"
    assert remote.qr_label.pixmap().isNull()
    assert remote.countdown.text() == ""
    assert remote.again_button.isVisibleTo(remote)
    assert not remote.cancel_button.isVisibleTo(remote)


def test_expiry_clears_the_qr_and_the_countdown(
    qtbot: QtBot, window: MainWindow, fake: FakePayments, monitor: FakeMonitor
) -> None:
    update = _started(qtbot, window, "F7")
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        monitor.push(fake.expire(update.attempt.id))
    assert window.payment.remote.status.text() == "Expired — make a new QR"
    assert window.payment.remote.qr_label.pixmap().isNull()
    assert window.payment.remote.countdown.text() == ""
    assert window.customer_display.qr.isHidden()


def test_escape_cancels_and_moving_on_keeps_the_payment_watched(
    qtbot: QtBot, window: MainWindow, fake: FakePayments, monitor: FakeMonitor
) -> None:
    update = _started(qtbot, window, "F7")
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS) as cancelled:
        key_click(window, Qt.Key.Key_Escape)
    assert cancelled.args[0].attempt.state is AttemptState.CANCELLED
    assert fake.calls[-1][0] == "cancel"
    assert window.payment.bridge is not None
    assert monitor.tracked == [update.attempt.id]


def test_keyed_card_clears_the_form_and_shows_the_3ds_link(
    qtbot: QtBot, window: MainWindow, fake: FakePayments
) -> None:
    key_click(window, Qt.Key.Key_F3)
    card = window.payment.card
    assert card is not None
    assert window.payment.pages.currentWidget() is card
    key_clicks(card.number_edit, "4120 0000 0000 0007")
    key_clicks(card.expiry_edit, "12/29")
    key_clicks(card.cvc_edit, "123")
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        card.charge_button.click()
    assert all(not edit.text() for edit in (card.number_edit, card.cvc_edit, card.expiry_edit))
    sent = fake.cards[0]
    assert isinstance(sent, CardDetails)
    assert (sent.number, sent.exp_month, sent.exp_year) == ("4120000000000007", 12, 2029)
    assert "4120000000000007" not in repr(sent)
    assert window.payment.remote.link_box.isVisibleTo(window.payment.remote)


def test_keyed_card_is_hidden_unless_enabled(qtbot: QtBot, window: MainWindow) -> None:
    assert window.payment.keyed_button.isVisibleTo(window.payment)
    panel = PaymentPanel(TaskRunner(), ReceiptService(load_settings()))
    qtbot.addWidget(panel)
    assert not panel.keyed_button.isVisibleTo(panel)


def test_offline_says_so_shows_no_qr_and_cash_still_works(
    qtbot: QtBot, window: MainWindow, fake: FakePayments
) -> None:
    fake.offline = True
    payment = window.payment
    key_click(window, Qt.Key.Key_F7)
    qtbot.waitUntil(lambda: payment.offline_notice.isVisibleTo(payment), timeout=WAIT_MS)
    assert payment.pages.currentWidget() is payment.choose_page
    assert "Cash still works" in payment.offline_notice.text()
    key_click(window, Qt.Key.Key_F6)
    payment.cash.tendered_edit.setText("2,000")
    with qtbot.waitSignal(payment.settled, timeout=WAIT_MS):
        key_click(payment.cash.tendered_edit, Qt.Key.Key_Return)
    assert fake.bills[1].status is BillStatus.PAID


def test_split_tender_shows_paid_and_remaining(
    qtbot: QtBot, window: MainWindow, fake: FakePayments
) -> None:
    payment = window.payment
    assert payment.amount_edit.text() == "2,000.00"
    payment.amount_edit.setText("500")
    key_click(window, Qt.Key.Key_F6)
    payment.cash.tendered_edit.setText("1,000")
    assert payment.cash.change_label.text() == "Change: ₱500.00"
    with qtbot.waitSignal(payment.bill_changed, timeout=WAIT_MS):
        payment.cash.record_button.click()
    assert payment.summary.text() == "Bill B-0001: paid ₱500.00 · remaining ₱1,500.00"
    assert payment.amount_edit.text() == "1,500.00"
    assert fake.bills[1].status is BillStatus.PARTIALLY_PAID


def test_ctrl_f_goes_to_the_search_box_from_anywhere_and_is_in_the_menu(
    qtbot: QtBot, window: MainWindow
) -> None:
    window.payment.focus_amount()
    qtbot.waitUntil(lambda: not window.queue.search_box.hasFocus(), timeout=WAIT_MS)
    key_click(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(window.queue.search_box.hasFocus, timeout=WAIT_MS)
    menu = window.menuBar().actions()[0].menu()
    assert isinstance(menu, QMenu)
    keys = {action.text(): action.shortcut().toString() for action in menu.actions()}
    assert keys["&Find a bill (search box)"] == "Ctrl+F"


def test_the_queue_names_its_columns_once_the_payment_side_is_built(window: MainWindow) -> None:
    model = window.queue.table.model()
    titles = [model.headerData(column, Qt.Orientation.Horizontal) for column in range(6)]
    assert titles == ["Bill", "Patient", "Services", "Amount due", "Balance", "Status"]


def test_walk_in_bill_opens_at_the_counter(
    qtbot: QtBot, window: MainWindow, fake: FakePayments
) -> None:
    key_click(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = window.walk_in
    assert dialog is not None
    dialog.name_edit.setText("Ana Cruz")
    fill_row(dialog.lines, 0, "Consultation", "1", "800")
    fill_row(dialog.lines, 1, "Periapical x-ray", "2", "350")
    with qtbot.waitSignal(window.queue.loaded, timeout=WAIT_MS):
        key_click(dialog.name_edit, Qt.Key.Key_Return)  # Return presses "Open bill"
    bill = window.payment.bill
    assert bill is not None
    assert bill.patient.full_name == "Ana Cruz"
    assert bill.amount_due == Money.parse("1,500")
    qtbot.waitUntil(lambda: window.queue.current_bill() == bill, timeout=WAIT_MS)


def test_the_overpayments_list_says_when_it_has_nothing_to_read_from(
    qtbot: QtBot, window: MainWindow
) -> None:
    # The cases come from the overpayment service over the counter's database, which the fake
    # payments lack; the sandbox tests (test_refund_window, test_payment_panel) list real ones.
    key_click(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    dialog = window.overpayments
    assert dialog is not None
    assert dialog.summary.text() == "Kaha is still connecting to PayMongo."
    assert not dialog.refund_button.isEnabled()
    assert not dialog.apply_button.isEnabled()
    dialog.close()
