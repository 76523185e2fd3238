"""The counter's payment screens driven through the real UI against the in-process sandbox.

The patient's side is the sandbox's hosted test page, submitted as a phone would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pytestqt.qtbot import QtBot

from pos_app.app import build_services
from pos_app.config import Secrets, load_settings
from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.services.collect.results import AttemptUpdate, Settlement
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner

WAIT_MS = 10_000


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[tuple[CounterServices, PaymentBackend]]:
    settings = load_settings(
        {"POS_APP_DATA_DIR": str(tmp_path / "data"), "POS_APP_CONFIG_DIR": str(tmp_path / "cfg")}
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
    )
    qtbot.addWidget(main)
    qtbot.addWidget(main.customer_display)
    with qtbot.waitSignal(main.queue.loaded, timeout=WAIT_MS):
        main.show()
    main.set_backend(backend)
    main.queue.table.selectRow(2)
    yield main
    if main.payment.bridge is not None:
        main.payment.bridge.stop()
    assert runner.wait_for_done(WAIT_MS), "a background task was left running"


def _start_qr(qtbot: QtBot, window: MainWindow) -> AttemptUpdate:
    with qtbot.waitSignal(
        window.payment.display_changed,
        timeout=WAIT_MS,
        check_params_cb=lambda update: update is not None,
    ) as shown:
        window.payment.qrph_button.click()
    update = shown.args[0]
    assert isinstance(update, AttemptUpdate)
    return update


def test_qrph_paid_on_the_phone_shows_the_invoice_and_the_customer_display_says_paid(
    qtbot: QtBot, window: MainWindow
) -> None:
    network_threads: list[str] = []
    update = _start_qr(qtbot, window)
    assert window.payment.pages.currentWidget() is window.payment.qr_page
    assert not window.payment.qr_label.pixmap().isNull()
    assert window.payment.qr_countdown.text().startswith("Expires in 29:")
    assert update.display is not None
    assert update.display.url is not None
    window.toggle_customer_display()
    assert window.customer_display.isVisible()
    assert window.customer_display.amount.text() == f"Amount to pay: {update.attempt.amount}"

    def phone() -> None:
        network_threads.append(threading.current_thread().name)
        assert update.display is not None
        assert update.display.url is not None
        submit_test_page(update.display.url)

    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        threading.Thread(target=phone).start()
    settlement = settled.args[0]
    assert isinstance(settlement, Settlement)
    assert settlement.invoice.number == "MAIN-01-000001"
    assert window.payment.pages.currentWidget() is window.payment.paid_page
    assert "MAIN-01-000001" in window.payment.receipt_preview.toPlainText()
    assert "INVOICE" in window.payment.receipt_preview.toPlainText()
    assert window.customer_display.message.text() == "Paid — salamat po!"
    # the counter keeps the invoice on screen while the queue refreshes, until Next patient
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == 35, timeout=WAIT_MS)
    assert window.payment.pages.currentWidget() is window.payment.paid_page
    window.payment.next_button.click()
    assert window.payment.pages.currentWidget() is window.payment.choose_page


def test_print_saves_a_pdf_invoice(qtbot: QtBot, window: MainWindow) -> None:
    update = _start_qr(qtbot, window)
    assert update.display is not None
    assert update.display.url is not None
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        submit_test_page(update.display.url)
    window.payment.print_button.click()
    qtbot.waitUntil(lambda: "Saved as PDF" in window.payment.print_status.text(), timeout=WAIT_MS)
    pdf = Path(window.payment.print_status.text().split(": ", 1)[1])
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cancel_makes_the_qr_go_away_and_a_new_one_can_be_made(
    qtbot: QtBot, window: MainWindow
) -> None:
    _start_qr(qtbot, window)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS) as changed:
        window.payment.cancel_qr_button.click()
    assert changed.args[0].attempt.state is AttemptState.CANCELLED
    assert window.payment.qr_status.text() == "Cancelled. Nothing was charged."
    assert window.payment.new_qr_button.isVisibleTo(window.payment)
    assert window.payment.qr_label.pixmap().isNull()


def test_split_tender_cash_then_qrph(qtbot: QtBot, window: MainWindow) -> None:
    bill = window.payment.bill
    assert bill is not None
    half = bill.balance.centavos // 2
    window.payment.amount_edit.setText(f"{half / 100:.2f}")
    window.payment.cash_button.click()
    assert window.payment.pages.currentWidget() is window.payment.cash_page
    window.payment.tendered_edit.setText(f"{(half + 100_00) / 100:.2f}")
    assert window.payment.change_label.text() == "Change: ₱100.00"
    with qtbot.waitSignal(window.payment.bill_changed, timeout=WAIT_MS) as changed:
        window.payment.record_cash_button.click()
    assert changed.args[0].status is BillStatus.PARTIALLY_PAID
    assert "Balance now" in window.payment.choose_hint.text()
    assert window.payment.amount_edit.text() == changed.args[0].balance.format().lstrip("₱")
    update = _start_qr(qtbot, window)
    assert update.display is not None
    assert update.display.url is not None
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS) as settled:
        submit_test_page(update.display.url)
    methods = [tender.method.value for tender in settled.args[0].tenders]
    assert methods == ["cash", "qrph"]


def test_declined_on_the_phone_says_so_and_nothing_is_recorded(
    qtbot: QtBot, window: MainWindow
) -> None:
    update = _start_qr(qtbot, window)
    assert update.display is not None
    assert update.display.url is not None
    with qtbot.waitSignal(
        window.payment.display_changed,
        timeout=WAIT_MS,
        check_params_cb=lambda u: u is not None and not u.is_open,
    ) as changed:
        submit_test_page(update.display.url, authorize=False)
    assert changed.args[0].attempt.state is AttemptState.FAILED
    assert window.payment.qr_status.text().startswith(
        ("Declined", "The payment did not go through")
    )
    assert changed.args[0].bill.status is BillStatus.PENDING


def test_late_payment_of_a_cancelled_qr_becomes_an_overpayment_case(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _services, backend = counter
    update = _start_qr(qtbot, window)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        window.payment.cancel_qr_button.click()
    # the patient scans the old, cancelled code anyway (the sandbox's control API)
    intent_id = update.attempt.paymongo_ids["intent"]
    answer = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/pay_late")
    assert answer.status_code == 200, answer.text
    late = backend.collect.refresh(update.attempt.id)
    assert late.attempt.state is AttemptState.NEEDS_REVIEW
    assert [a.id for a in backend.collect.overpayment_cases()] == [update.attempt.id]
    assert late.settlement is None
