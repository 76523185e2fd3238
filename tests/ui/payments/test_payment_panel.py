"""The counter's payment screens driven through the real UI against the in-process sandbox.

The patient's side is the sandbox's hosted test page, submitted as a phone would.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.attempt import AttemptState
from pos_app.domain.bill import BillStatus
from pos_app.services.collect.results import AttemptUpdate, Settlement
from pos_app.services.collect.test_pages import submit_test_page
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import StallProbe, cell_text, key_click
from tests.ui.payments.conftest import WAIT_MS


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
    open_bills = window.queue.model.rowCount()
    update = _start_qr(qtbot, window)
    assert window.payment.pages.currentWidget() is window.payment.remote
    assert not window.payment.remote.qr_label.pixmap().isNull()
    assert window.payment.remote.countdown.text().startswith("Expires in 29:")
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
    assert window.payment.pages.currentWidget() is window.payment.paid
    assert "MAIN-01-000001" in window.payment.paid.preview.toPlainText()
    assert "INVOICE" in window.payment.paid.preview.toPlainText()
    assert window.customer_display.message.text() == "Paid — salamat po!"
    # the counter keeps the invoice on screen while the queue refreshes, until Next patient
    qtbot.waitUntil(lambda: window.queue.model.rowCount() == open_bills - 1, timeout=WAIT_MS)
    assert window.payment.pages.currentWidget() is window.payment.paid
    window.payment.paid.next_button.click()
    assert window.payment.pages.currentWidget() is window.payment.choose_page


def test_print_saves_a_pdf_invoice(qtbot: QtBot, window: MainWindow) -> None:
    update = _start_qr(qtbot, window)
    assert update.display is not None
    assert update.display.url is not None
    with qtbot.waitSignal(window.payment.settled, timeout=WAIT_MS):
        submit_test_page(update.display.url)
    window.payment.paid.print_button.click()
    qtbot.waitUntil(
        lambda: "Saved as PDF" in window.payment.paid.print_status.text(), timeout=WAIT_MS
    )
    pdf = Path(window.payment.paid.print_status.text().split(": ", 1)[1])
    assert pdf.read_bytes().startswith(b"%PDF")


def test_cancel_makes_the_qr_go_away_and_a_new_one_can_be_made(
    qtbot: QtBot, window: MainWindow
) -> None:
    _start_qr(qtbot, window)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS) as changed:
        window.payment.remote.cancel_button.click()
    assert changed.args[0].attempt.state is AttemptState.CANCELLED
    assert window.payment.remote.status.text() == "Cancelled. Nothing was charged."
    assert window.payment.remote.again_button.isVisibleTo(window.payment)
    assert window.payment.remote.qr_label.pixmap().isNull()


def test_split_tender_cash_then_qrph(qtbot: QtBot, window: MainWindow) -> None:
    bill = window.payment.bill
    assert bill is not None
    half = bill.balance.centavos // 2
    window.payment.amount_edit.setText(f"{half / 100:.2f}")
    window.payment.cash_button.click()
    assert window.payment.pages.currentWidget() is window.payment.cash
    window.payment.cash.tendered_edit.setText(f"{(half + 100_00) / 100:.2f}")
    assert window.payment.cash.change_label.text() == "Change: ₱100.00"
    with qtbot.waitSignal(window.payment.bill_changed, timeout=WAIT_MS) as changed:
        window.payment.cash.record_button.click()
    assert changed.args[0].status is BillStatus.PARTIALLY_PAID
    assert "Balance now" in window.payment.hint.text()
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
    assert window.payment.remote.status.text().startswith(
        ("Declined", "The payment did not go through")
    )
    assert changed.args[0].bill.status is BillStatus.PENDING


def test_late_payment_of_a_cancelled_qr_becomes_an_overpayment_case(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _services, backend = counter
    update = _start_qr(qtbot, window)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        window.payment.remote.cancel_button.click()
    # the patient scans the old, cancelled code anyway (the sandbox's control API)
    intent_id = update.attempt.paymongo_ids["intent"]
    answer = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/pay_late")
    assert answer.status_code == 200, answer.text
    late = backend.collect.refresh(update.attempt.id)
    assert late.attempt.state is AttemptState.NEEDS_REVIEW
    assert late.settlement is None
    # staff see it in the Overpayments list (Ctrl+O)
    key_click(window, Qt.Key.Key_O, Qt.KeyboardModifier.ControlModifier)
    dialog = window.overpayments
    assert dialog is not None
    qtbot.waitUntil(lambda: dialog.table.rowCount() == 1, timeout=WAIT_MS)
    assert cell_text(dialog.table, 0, 2) == update.attempt.amount.format()
    assert cell_text(dialog.table, 0, 4) == intent_id


def test_expiry_stops_the_countdown_and_offers_a_new_qr(
    qtbot: QtBot, window: MainWindow, counter: tuple[CounterServices, PaymentBackend]
) -> None:
    _services, backend = counter
    update = _start_qr(qtbot, window)
    remote = window.payment.remote
    assert remote.countdown.text().startswith("Expires in 29:")
    intent_id = update.attempt.paymongo_ids["intent"]
    with qtbot.waitSignal(
        window.payment.display_changed,
        timeout=WAIT_MS,
        check_params_cb=lambda u: u is not None and not u.is_open,
    ) as changed:
        answer = httpx.post(f"{backend.paymongo_url}/_control/objects/{intent_id}/expire")
        assert answer.status_code == 200, answer.text
    assert changed.args[0].attempt.state is AttemptState.EXPIRED
    assert remote.countdown.text() == ""
    assert remote.qr_label.pixmap().isNull()
    assert remote.again_button.isVisibleTo(remote)
    assert window.customer_display.qr.isHidden()


def test_with_2_s_latency_no_paymongo_request_runs_on_the_gui_thread(
    qtbot: QtBot,
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    _services, backend = counter
    threads: list[threading.Thread] = []
    send = httpx.Client.send

    def recording_send(client: httpx.Client, request: httpx.Request, **kwargs: Any) -> Any:
        if request.url.path.startswith("/v1/"):
            threads.append(threading.current_thread())
        return send(client, request, **kwargs)

    monkeypatch.setattr(httpx.Client, "send", recording_send)
    httpx.post(
        f"{backend.paymongo_url}/_control/faults",
        json={"kind": "latency", "path_regex": "^/v1/", "delay_s": 2.0},
    ).raise_for_status()
    probe = StallProbe()
    update = _start_qr(qtbot, window)
    # keep watching until the monitor has polled PayMongo at least once through the latency
    polls = len(threads)
    qtbot.waitUntil(lambda: len(threads) > polls, timeout=WAIT_MS)
    with qtbot.waitSignal(window.payment.display_changed, timeout=WAIT_MS):
        pass  # that poll's answer reaches the screen
    probe.stop()
    print(f"GUI thread worst gap with 2 s latency: {probe.worst_ms:.1f} ms")  # bench: ui_stall
    assert update.is_open
    assert threads, "no PayMongo request was seen"
    assert threading.main_thread() not in threads
