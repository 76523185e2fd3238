"""Bill history (Ctrl+I) and counted prints, through the real window against the sandbox:
one original per document, then REPRINT No. 1, No. 2; a part payment's acknowledgement receipt;
an invoice settled in the background printed from the queue."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.money import Money
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.services.documents import BillHistory, DocumentKind
from pos_app.ui.bill_history import BillHistoryDialog
from pos_app.ui.main_window import MainWindow
from tests.ui.conftest import key_click
from tests.ui.payments.conftest import WAIT_MS
from tests.unit.printing.test_pdf import pdf_text

CTRL = Qt.KeyboardModifier.ControlModifier


def _pay_cash(qtbot: QtBot, window: MainWindow, amount: Money | None = None) -> Bill:
    """Cash for ``amount`` (all of the balance when None); the bill as it is afterwards."""
    payment = window.payment
    bill = payment.bill
    assert bill is not None
    amount = amount or bill.balance
    payment.amount_edit.setText(amount.format().lstrip("₱"))
    key_click(window, Qt.Key.Key_F6)
    payment.cash.tendered_edit.setText(amount.format().lstrip("₱"))
    with qtbot.waitSignal(payment.bill_changed, timeout=WAIT_MS) as changed:
        payment.cash.record_button.click()
    after = changed.args[0]
    assert isinstance(after, Bill)
    return after


def _pdf_of(message: str, tmp_path: Path) -> str:
    return " ".join(pdf_text(Path(message.split(": ", 1)[1]).read_bytes(), tmp_path).split())


def _history_of(qtbot: QtBot, window: MainWindow, bill_id: int) -> BillHistoryDialog:
    """Pick the bill among every bill in the queue, then Ctrl+I."""
    queue = window.queue
    with qtbot.waitSignal(queue.loaded, timeout=WAIT_MS):
        queue.status_filter.setCurrentIndex(queue.status_filter.findText("All bills"))
    with qtbot.waitSignal(
        queue.bill_selected, timeout=WAIT_MS, check_params_cb=lambda b: b and b.id == bill_id
    ):
        queue.select_bill(bill_id)
    key_click(window, Qt.Key.Key_I, CTRL)
    dialog = window.bill_history
    assert dialog is not None
    qtbot.waitUntil(
        lambda: dialog.history is not None and dialog.history.bill.id == bill_id, timeout=WAIT_MS
    )
    return dialog


def _print_in(qtbot: QtBot, dialog: BillHistoryDialog) -> str:
    """Print there, and wait until the history shows the new count."""
    with (
        qtbot.waitSignal(dialog.loaded, timeout=WAIT_MS),
        qtbot.waitSignal(dialog.printed, timeout=WAIT_MS) as printed,
    ):
        key_click(dialog, Qt.Key.Key_P, CTRL)
    return str(printed.args[0])


def test_history_of_a_paid_bill_prints_reprint_1_then_2(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    paid = _pay_cash(qtbot, window)
    assert paid.status is BillStatus.PAID
    paid_page = window.payment.paid
    paid_page.print_button.click()  # the patient's original
    qtbot.waitUntil(lambda: paid_page.print_status.text().startswith("Saved"), timeout=WAIT_MS)
    key_click(window, Qt.Key.Key_F12)

    dialog = _history_of(qtbot, window, paid.id)
    history = dialog.history
    assert isinstance(history, BillHistory)
    assert history.invoice is not None
    number = history.invoice.number
    assert [(t.method.label, t.amount) for t, _ in history.tenders] == [("Cash", paid.amount_due)]
    assert dialog.tenders.rowCount() == 1
    assert number in dialog.invoice.text()
    assert dialog.refunds.text() == "No refunds."
    assert dialog.documents.currentItem().text().endswith("original printed")

    first = _print_in(qtbot, dialog)
    assert first.startswith(f"REPRINT No. 1 of {number}")
    assert "REPRINT No. 1" in _pdf_of(first, tmp_path)
    assert dialog.documents.currentItem().text().endswith("original and 1 reprint(s)")
    second = _print_in(qtbot, dialog)
    assert second.startswith(f"REPRINT No. 2 of {number}")
    assert "REPRINT No. 2" in _pdf_of(second, tmp_path)
    assert dialog.status.text() == second
    assert dialog.documents.currentItem().text().endswith("original and 2 reprint(s)")


def test_the_paid_screens_second_print_is_a_reprint(qtbot: QtBot, window: MainWindow) -> None:
    _pay_cash(qtbot, window)
    status = window.payment.paid.print_status
    key_click(window, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: status.text().startswith("Saved as PDF"), timeout=WAIT_MS)
    key_click(window, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: status.text().startswith("REPRINT No. 1 of"), timeout=WAIT_MS)


def test_a_part_payment_prints_its_acknowledgement_receipt(
    qtbot: QtBot, window: MainWindow, tmp_path: Path
) -> None:
    part = _pay_cash(qtbot, window, Money(100_00))
    assert part.status is BillStatus.PARTIALLY_PAID
    payment = window.payment
    assert payment.choose_page.receipt_button.isVisibleTo(payment)
    key_click(window, Qt.Key.Key_P, CTRL)
    qtbot.waitUntil(lambda: payment.hint.text().startswith("Saved as PDF"), timeout=WAIT_MS)
    words = _pdf_of(payment.hint.text(), tmp_path)
    assert "ACKNOWLEDGEMENT RECEIPT" in words
    assert "THIS IS NOT AN INVOICE" in words
    assert "₱100.00" in words

    dialog = _history_of(qtbot, window, part.id)
    assert dialog.history is not None
    assert [d.kind for d in dialog.history.documents] == [DocumentKind.ACKNOWLEDGEMENT]
    assert dialog.invoice.text().startswith("No invoice yet")
    reprint = _print_in(qtbot, dialog)
    assert reprint.startswith("REPRINT No. 1 of AR-")
    assert "REPRINT No. 1" in _pdf_of(reprint, tmp_path)


def test_an_invoice_settled_in_the_background_prints_from_the_queue(
    qtbot: QtBot,
    window: MainWindow,
    counter: tuple[CounterServices, PaymentBackend],
    tmp_path: Path,
) -> None:
    _, backend = counter
    on_screen = window.payment.bill
    other = window.queue.model.bill_at(3)
    assert on_screen is not None
    assert other is not None
    assert other.id != on_screen.id
    # settled while another bill is on screen (as a webhook or recovery would)
    settled = backend.collect.pay_cash(other.id, other.balance, other.balance).settlement
    assert settled is not None

    dialog = _history_of(qtbot, window, other.id)
    original = _print_in(qtbot, dialog)
    assert original.startswith("Saved as PDF")
    words = _pdf_of(original, tmp_path)
    assert settled.invoice.number in words
    assert "REPRINT" not in words
