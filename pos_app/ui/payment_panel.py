"""The payment panel: choose how the patient pays, show the QR, take cash, then the invoice.

Threading contract: GUI thread only. Every service call goes through the task runner's network
pool; updates about open payments arrive from ``MonitorBridge`` as a queued signal, so closing this
panel or moving to the next patient never stops a payment from being watched.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.bill import Bill
from pos_app.domain.errors import AmountError
from pos_app.domain.money import Money
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate, CashResult, Settlement
from pos_app.services.counter import PaymentBackend
from pos_app.services.receipts import ReceiptService
from pos_app.ui.errors import message_for, show_error
from pos_app.ui.qr import qr_pixmap
from pos_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from pos_app.services.collect.monitor import PaymentMonitor

QR_SIZE = 300
POLL_TICK_MS = 200


class MonitorBridge(QObject):
    """Drives the payment monitor from a GUI timer and brings its news to the GUI thread."""

    updated = Signal(object)  # AttemptUpdate, always delivered on the GUI thread
    failed = Signal(object)

    def __init__(self, monitor: PaymentMonitor, runner: TaskRunner) -> None:
        super().__init__()
        self._monitor = monitor
        self._runner = runner
        # the listener runs on a worker thread; emitting a signal of this GUI-thread object queues
        self._unsubscribe = monitor.subscribe(self.updated.emit)
        self._timer = QTimer(self, interval=POLL_TICK_MS)
        self._timer.timeout.connect(self._tick)
        self._timer.start()

    def track(self, update: AttemptUpdate) -> None:
        self._monitor.track(update)

    def stop(self) -> None:
        self._timer.stop()
        self._unsubscribe()

    def _tick(self) -> None:
        for attempt_id in self._monitor.due(datetime.now(UTC)):
            self._runner.run_net(self._check(attempt_id), on_failure=self.failed.emit)

    def _check(self, attempt_id: str) -> Callable[[], AttemptUpdate]:
        return lambda: self._monitor.check(attempt_id)


def _big(text: str, size: int, *, bold: bool = True) -> QLabel:
    label = QLabel(text)
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    label.setFont(font)
    return label


def _button(text: str, shortcut: str, parent: QWidget) -> QPushButton:
    button = QPushButton(f"{text}   {shortcut}")
    button.setMinimumHeight(44)
    QShortcut(QKeySequence(shortcut), parent, button.click)
    return button


class PaymentPanel(QWidget):
    """Choose → (cash | QR) → paid; the page shown follows the payment, not the other way round."""

    settled = Signal(object)  # Settlement
    finished = Signal()  # "Next patient": the counter is free for the next bill
    bill_changed = Signal(object)  # Bill, after any tender or payment change
    display_changed = Signal(object)  # AttemptUpdate | None, for the customer display

    def __init__(
        self, runner: TaskRunner, receipts: ReceiptService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner = runner
        self._receipts = receipts
        self._backend: PaymentBackend | None = None
        self.bridge: MonitorBridge | None = None
        self.bill: Bill | None = None
        self.current: AttemptUpdate | None = None
        self.settlement: Settlement | None = None
        self._watching: str | None = None  # the attempt this panel started and shows
        self.pages = QStackedWidget()
        self._build_choose_page()
        self._build_cash_page()
        self._build_qr_page()
        self._build_paid_page()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self._countdown = QTimer(self, interval=1000)
        self._countdown.timeout.connect(self._show_countdown)
        self.show_bill(None)

    # -- pages ----------------------------------------------------------------------------------

    def _build_choose_page(self) -> None:
        page = QWidget()
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("Amount to collect, e.g. 1,500.00")
        self.amount_edit.setMinimumHeight(36)
        self.cash_button = _button("Cash", "F6", self)
        self.qrph_button = _button("QR Ph (GCash, Maya, any bank)", "F7", self)
        self.cash_button.clicked.connect(self._to_cash_page)
        self.qrph_button.clicked.connect(self.collect_qrph)
        self.choose_hint = QLabel("")
        self.choose_hint.setWordWrap(True)
        row = QHBoxLayout()
        row.addWidget(self.cash_button)
        row.addWidget(self.qrph_button, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(QLabel("Collect now (lower it to split the payment):"))
        layout.addWidget(self.amount_edit)
        layout.addLayout(row)
        layout.addWidget(self.choose_hint)
        layout.addStretch(1)
        self.pages.addWidget(page)
        self.choose_page = page

    def _build_cash_page(self) -> None:
        page = QWidget()
        self.cash_amount_label = _big("", 14)
        self.tendered_edit = QLineEdit()
        self.tendered_edit.setPlaceholderText("Cash received from the patient")
        self.tendered_edit.setMinimumHeight(36)
        self.change_label = _big("Change: ₱0.00", 22)
        self.record_cash_button = _button("Record cash", "Ctrl+Return", page)
        back = _button("Back", "Ctrl+Backspace", page)
        back.clicked.connect(lambda: self.pages.setCurrentWidget(self.choose_page))
        self.tendered_edit.textChanged.connect(self._show_change)
        self.tendered_edit.returnPressed.connect(self.record_cash_button.click)
        self.record_cash_button.clicked.connect(self.record_cash)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addWidget(self.record_cash_button, 1)
        layout = QVBoxLayout(page)
        layout.addWidget(self.cash_amount_label)
        layout.addWidget(self.tendered_edit)
        layout.addWidget(self.change_label)
        layout.addLayout(buttons)
        layout.addStretch(1)
        self.pages.addWidget(page)
        self.cash_page = page

    def _build_qr_page(self) -> None:
        page = QWidget()
        self.qr_label = QLabel()
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setMinimumSize(QR_SIZE, QR_SIZE)
        self.qr_amount = _big("", 24)
        self.qr_countdown = _big("", 14, bold=False)
        self.qr_status = _big("", 13)
        self.qr_status.setWordWrap(True)
        self.qr_clinic = QLabel("")
        self.cancel_qr_button = _button("Cancel QR", "Esc", page)
        self.cancel_qr_button.clicked.connect(self.cancel_qr)
        self.new_qr_button = _button("New QR", "F7", page)
        self.new_qr_button.clicked.connect(lambda: self.pages.setCurrentWidget(self.choose_page))
        info = QVBoxLayout()
        info.addWidget(self.qr_amount)
        info.addWidget(self.qr_clinic)
        info.addWidget(self.qr_countdown)
        info.addWidget(self.qr_status)
        info.addStretch(1)
        info.addWidget(self.cancel_qr_button)
        info.addWidget(self.new_qr_button)
        layout = QHBoxLayout(page)
        layout.addWidget(self.qr_label)
        layout.addLayout(info, 1)
        self.pages.addWidget(page)
        self.qr_page = page

    def _build_paid_page(self) -> None:
        page = QWidget()
        self.paid_title = _big("Paid", 22)
        self.paid_title.setStyleSheet("color: #15803d;")
        self.receipt_preview = QPlainTextEdit()
        self.receipt_preview.setReadOnly(True)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(9)
        self.receipt_preview.setFont(mono)
        self.print_button = _button("Print", "Ctrl+P", page)
        self.next_button = _button("Next patient", "F12", page)
        self.print_status = QLabel("")
        self.print_button.clicked.connect(self.print_invoice)
        self.next_button.clicked.connect(self.next_patient)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.next_button, 1)
        grid = QGridLayout(page)
        grid.addWidget(self.paid_title, 0, 0)
        grid.addWidget(self.receipt_preview, 1, 0)
        grid.addWidget(self.print_status, 2, 0)
        grid.addLayout(buttons, 3, 0)
        self.pages.addWidget(page)
        self.paid_page = page

    # -- wiring ---------------------------------------------------------------------------------

    def set_backend(self, backend: PaymentBackend | None, *, offline_reason: str = "") -> None:
        self._backend = backend
        if backend is not None and self.bridge is None:
            self.bridge = MonitorBridge(backend.monitor, self._runner)
            self.bridge.updated.connect(self._on_update)
        self.qrph_button.setEnabled(backend is not None and self._bill_is_payable())
        if backend is None:
            self.choose_hint.setText(
                offline_reason or "Connecting to PayMongo… Cash works already."
            )
        else:
            self.choose_hint.setText("")

    @property
    def holds_bill(self) -> bool:
        """A QR is on screen or an invoice awaits "Next patient": keep this bill in view."""
        qr_open = self.current is not None and self.current.is_open
        return qr_open or self.pages.currentWidget() is self.paid_page

    def show_bill(self, bill: Bill | None) -> None:
        self.bill = bill
        self.current = None
        payable = self._bill_is_payable()
        self.amount_edit.setText(bill.balance.format().lstrip("₱") if bill else "")
        self.cash_button.setEnabled(payable)
        self.qrph_button.setEnabled(payable and self._backend is not None)
        self.pages.setCurrentWidget(self.choose_page)
        self.display_changed.emit(None)

    def _bill_is_payable(self) -> bool:
        return self.bill is not None and self.bill.accepts_payment

    def _amount(self) -> Money | None:
        try:
            return Money.parse(self.amount_edit.text())
        except AmountError as exc:
            show_error(self, exc)
            return None

    # -- cash -----------------------------------------------------------------------------------

    def _to_cash_page(self) -> None:
        amount = self._amount()
        if amount is None or self.bill is None:
            return
        self.cash_amount_label.setText(f"Cash for {amount}")
        self.tendered_edit.setText(amount.format().lstrip("₱"))
        self.pages.setCurrentWidget(self.cash_page)
        self.tendered_edit.setFocus()
        self.tendered_edit.selectAll()

    def _show_change(self) -> None:
        amount = self._amount_quiet(self.amount_edit.text())
        tendered = self._amount_quiet(self.tendered_edit.text())
        if amount is None or tendered is None:
            self.change_label.setText("Change: —")
        elif tendered < amount:
            self.change_label.setText(f"Short by {amount - tendered}")
        else:
            self.change_label.setText(f"Change: {tendered - amount}")

    @staticmethod
    def _amount_quiet(text: str) -> Money | None:
        try:
            return Money.parse(text)
        except AmountError:
            return None

    def record_cash(self) -> None:
        amount = self._amount()
        if amount is None or self.bill is None:
            return
        try:
            tendered = Money.parse(self.tendered_edit.text())
        except AmountError as exc:
            show_error(self, exc)
            return
        backend = self._backend
        if backend is None:
            self.choose_hint.setText("Kaha is still starting up. Try again in a moment.")
            return
        collect = backend.collect
        bill_id = self.bill.id
        self.record_cash_button.setEnabled(False)
        self._runner.run_db(
            lambda: collect.pay_cash(bill_id, amount, tendered),
            on_success=self._on_cash,
            on_failure=self._on_failure,
        )

    def _on_cash(self, result: CashResult) -> None:
        self.record_cash_button.setEnabled(True)
        self.bill_changed.emit(result.bill)
        if result.settlement is not None:
            self._show_paid(result.settlement)
        else:
            self.bill = result.bill
            self.show_bill(result.bill)
            self.choose_hint.setText(
                f"Recorded {result.tender.amount} cash. Change {result.change_due}. "
                f"Balance now {result.bill.balance}."
            )

    # -- QR Ph ----------------------------------------------------------------------------------

    def collect_qrph(self) -> None:
        amount = self._amount()
        backend = self._backend
        if amount is None or self.bill is None or backend is None:
            return
        bill_id = self.bill.id
        self.qrph_button.setEnabled(False)
        self.choose_hint.setText("Making the QR code…")
        self._runner.run_net(
            lambda: backend.collect.start(bill_id, TenderMethod.QRPH, amount),
            on_success=self._on_started,
            on_failure=self._on_failure,
        )

    def _on_started(self, update: AttemptUpdate) -> None:
        self.qrph_button.setEnabled(True)
        self.choose_hint.setText("")
        if self.bridge is not None:
            self.bridge.track(update)
        self._watching = update.attempt.id
        self._on_update(update)

    def cancel_qr(self) -> None:
        backend, current = self._backend, self.current
        if backend is None or current is None or not current.is_open:
            return
        self.qr_status.setText("Cancelling…")
        attempt_id = current.attempt.id
        self._runner.run_net(
            lambda: backend.collect.cancel(attempt_id),
            on_success=self._on_update,
            on_failure=self._on_failure,
        )

    def _on_update(self, update: AttemptUpdate) -> None:
        self.bill_changed.emit(update.bill)
        if update.attempt.id != self._watching:
            return  # news about an earlier patient's payment: the queue shows it
        self.current = update
        if update.settlement is not None:
            self._show_paid(update.settlement)
            return
        self.display_changed.emit(update)
        display = update.display
        if display is not None and update.is_open:
            self.qr_label.setPixmap(
                qr_pixmap(png=display.qr_png, text=display.qr_text, size=QR_SIZE)
            )
            self.qr_amount.setText(f"{display.amount}")
            self.qr_clinic.setText(f"Pay to {display.clinic_name}")
            self._countdown.start()
            self._show_countdown()
        elif not update.is_open:
            self.qr_label.clear()
            self.qr_countdown.setText("")
            self._countdown.stop()
        self.qr_status.setText(update.message)
        self.cancel_qr_button.setVisible(update.is_open)
        self.new_qr_button.setVisible(not update.is_open and update.bill.accepts_payment)
        self.pages.setCurrentWidget(self.qr_page)

    def _show_countdown(self) -> None:
        display = self.current.display if self.current else None
        if display is None or display.expires_at is None:
            self.qr_countdown.setText("")
            return
        left = int((display.expires_at - datetime.now(UTC)).total_seconds())
        minutes, seconds = divmod(max(0, left), 60)
        self.qr_countdown.setText(f"Expires in {minutes:02d}:{seconds:02d}")

    # -- paid -----------------------------------------------------------------------------------

    def _show_paid(self, settlement: Settlement) -> None:
        self._countdown.stop()
        self.settlement = settlement
        self.bill = settlement.bill
        self.current = None
        self._watching = None
        self.paid_title.setText(f"Paid — invoice {settlement.invoice.number}")
        self.receipt_preview.setPlainText(self._receipts.preview_text(settlement))
        self.print_status.setText("")
        self.pages.setCurrentWidget(self.paid_page)
        self.settled.emit(settlement)

    def print_invoice(self) -> None:
        settlement = self.settlement
        if settlement is None:
            return
        self.print_status.setText("Printing…")
        self._runner.run_net(
            lambda: self._receipts.print_invoice(settlement),
            on_success=self.print_status.setText,
            on_failure=lambda exc: self.print_status.setText(message_for(exc) or ""),
        )

    def next_patient(self) -> None:
        self.settlement = None
        self.current = None
        self.show_bill(None)
        self.finished.emit()

    def _on_failure(self, exc: BaseException) -> None:
        self.qrph_button.setEnabled(self._backend is not None and self._bill_is_payable())
        self.record_cash_button.setEnabled(True)
        self.choose_hint.setText(message_for(exc) or "")
        if self.pages.currentWidget() is self.qr_page:
            self.qr_status.setText(message_for(exc) or "")
