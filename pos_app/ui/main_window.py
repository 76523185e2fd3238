"""The counter's main window: mode banner, bill queue, the selected bill, status bar.

Threading contract: GUI thread only. The window delegates: the queue to ``BillQueueView``, the bill
to ``BillDetailView``, payments to ``PaymentPanel``; it owns no business logic. Service calls of
its menu (walk-in bill, overpayments) run on the task runner.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pos_app.config import Mode
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.money import Money
from pos_app.services.bills import BillFinder
from pos_app.services.collect.results import Settlement
from pos_app.services.counter import PaymentBackend
from pos_app.services.receipts import ReceiptService
from pos_app.ui.bill_detail import BillDetailView
from pos_app.ui.bill_queue import BillQueueView
from pos_app.ui.customer_display import CustomerDisplay
from pos_app.ui.errors import message_for
from pos_app.ui.payment_panel import PaymentPanel
from pos_app.ui.tasks import TaskRunner
from pos_app.ui.walk_in import OverpaymentsDialog, WalkInDialog

BANNERS = {
    Mode.SANDBOX: (
        "SANDBOX — practice mode: payments are simulated, no real money moves",
        "#f59e0b",
        "#1f2937",
    ),
    Mode.TEST: ("TEST MODE — PayMongo test keys: no real money moves", "#2563eb", "#ffffff"),
    Mode.LIVE: ("LIVE — real payments", "#15803d", "#ffffff"),
}


class ModeBanner(QLabel):
    """A band across the top that says, loudly, whether real money moves."""

    def __init__(self, mode: Mode, parent: QWidget | None = None) -> None:
        text, background, foreground = BANNERS[mode]
        super().__init__(text, parent)
        self.mode = mode
        self.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.setObjectName("modeBanner")
        self.setStyleSheet(
            f"QLabel#modeBanner {{ background: {background}; color: {foreground};"
            " font-weight: bold; font-size: 15px; padding: 6px; }"
        )


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        mode: Mode,
        finder: BillFinder,
        runner: TaskRunner,
        clinic_name: str,
        terminal_id: str,
        receipts: ReceiptService,
        keyed_card_enabled: bool = False,
        wallet_sources: bool = False,
    ) -> None:
        super().__init__()
        self.setWindowTitle(f"Kaha — {clinic_name}")
        self.resize(1200, 760)
        self.banner = ModeBanner(mode)
        self.queue = BillQueueView(finder, runner)
        self.detail = BillDetailView()
        self._runner = runner
        self.payment = PaymentPanel(
            runner, receipts, keyed_card_enabled=keyed_card_enabled, wallet_sources=wallet_sources
        )
        self.overpayments: OverpaymentsDialog | None = None
        self.walk_in: WalkInDialog | None = None
        self._select_after_load: int | None = None
        self._payment_state: dict[int, tuple[BillStatus, Money]] = {}
        self.customer_display = CustomerDisplay(clinic_name)
        self.queue.bill_selected.connect(self._on_bill_selected)
        self.payment.finished.connect(self._on_next_patient)
        self.payment.bill_changed.connect(self._on_bill_changed)
        self.payment.display_changed.connect(self.customer_display.show_update)
        self.payment.settled.connect(self._on_settled)
        self._build_menu()
        right = QSplitter(Qt.Orientation.Vertical)
        right.addWidget(self.detail)
        right.addWidget(self.payment)
        right.setStretchFactor(0, 1)
        right.setStretchFactor(1, 1)
        splitter = QSplitter()
        splitter.addWidget(self.queue)
        splitter.addWidget(right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setSizes([560, 700])  # the queue keeps room for its services column
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(10, 10, 10, 6)
        inner_layout.addWidget(splitter)
        layout.addWidget(inner, 1)
        self.setCentralWidget(central)
        self.terminal_label = QLabel(f"Counter {terminal_id}")
        self.connection_label = QLabel("")
        self.statusBar().addPermanentWidget(self.connection_label)
        self.statusBar().addPermanentWidget(self.terminal_label)
        self.queue.loaded.connect(self._on_queue_loaded)
        QTimer.singleShot(0, self.queue.reload)

    def _build_menu(self) -> None:
        menu = self.menuBar().addMenu("&Counter")
        entries = (
            ("&Collect (amount to collect)", "F5", self.payment.focus_amount),
            ("&New walk-in bill…", "Ctrl+N", self.open_walk_in),
            ("&Overpayments to review…", "Ctrl+O", self.show_overpayments),
            ("Customer &display", "F9", self.toggle_customer_display),
        )
        for text, key, slot in entries:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            menu.addAction(action)
            self.addAction(action)  # the key works with the menu closed

    def stop_watching(self) -> None:
        """Closing down: stop the payment monitor's timer and every countdown."""
        self.payment.stop_timers()
        self.customer_display.show_idle()

    def set_connection_status(self, text: str) -> None:
        self.connection_label.setText(text)

    def set_backend(self, backend: PaymentBackend | None, *, offline_reason: str = "") -> None:
        self.payment.set_backend(backend, offline_reason=offline_reason)

    def toggle_customer_display(self) -> None:
        """F9: the patient-facing window, on the second screen when there is one."""
        if self.customer_display.isVisible():
            self.customer_display.hide()
        else:
            self.customer_display.place_on_second_screen()
            self.customer_display.show()

    def open_walk_in(self) -> WalkInDialog | None:
        """Ctrl+N: a bill for a patient who is not in the clinic's system."""
        backend = self.payment.backend
        if backend is None:
            self.statusBar().showMessage("Kaha is still connecting. Try again in a moment.", 5000)
            return None
        dialog = self.walk_in = WalkInDialog(self)
        dialog.accepted.connect(lambda: self._create_walk_in(dialog))
        dialog.open()
        return dialog

    def _create_walk_in(self, dialog: WalkInDialog) -> None:
        backend = self.payment.backend
        if backend is None:
            return
        name, lines = dialog.patient_name, list(dialog.bill_lines)
        self._runner.run_net(
            lambda: backend.collect.open_walk_in(name, lines),
            on_success=self._on_walk_in_opened,
            on_failure=lambda exc: self.statusBar().showMessage(message_for(exc) or "", 8000),
        )

    def _on_walk_in_opened(self, bill: Bill) -> None:
        self.statusBar().showMessage(f"Walk-in bill {bill.number} opened", 5000)
        self._select_after_load = bill.id
        if not self.payment.holds_bill:
            self.detail.show_bill(bill)
            self.payment.show_bill(bill)
        self.queue.search_box.clear()
        self.queue.reload()

    def show_overpayments(self) -> OverpaymentsDialog:
        """Ctrl+O: late or double payments that staff must refund or keep."""
        if self.overpayments is None:
            self.overpayments = OverpaymentsDialog(self)
        dialog = self.overpayments
        backend = self.payment.backend
        if backend is None:
            dialog.show_problem("Kaha is still connecting to PayMongo.")
        else:
            dialog.show_problem("Loading…")
            self._runner.run_net(
                backend.collect.overpayment_cases,
                on_success=dialog.show_cases,
                on_failure=lambda exc: dialog.show_problem(message_for(exc) or ""),
            )
        dialog.show()
        return dialog

    def _on_bill_selected(self, bill: Bill | None) -> None:
        if self.payment.holds_bill:
            return  # the QR or the invoice on screen stays with its bill until it is done
        self.detail.show_bill(bill)
        self.payment.show_bill(bill)

    def _on_next_patient(self) -> None:
        self.customer_display.show_idle()
        self.queue.search_box.clear()
        self.queue.search_box.setFocus()
        self.detail.show_bill(self.queue.current_bill())
        self.queue.refresh_selection()  # read it again: it may have been paid meanwhile

    def _on_bill_changed(self, bill: Bill) -> None:
        # the monitor reports every poll; only a change in what was paid is worth a repaint
        seen = (bill.status, bill.amount_paid)
        if self._payment_state.get(bill.id) == seen:
            return
        self._payment_state[bill.id] = seen
        if self.detail.bill is not None and self.detail.bill.id == bill.id:
            self.detail.show_bill(bill)
        self.queue.reload()

    def _on_settled(self, settlement: Settlement) -> None:
        self.customer_display.show_paid(settlement)
        self.statusBar().showMessage(
            f"Bill {settlement.bill.number} paid — invoice {settlement.invoice.number}", 8000
        )

    def _on_queue_loaded(self, count: int) -> None:
        self.statusBar().showMessage(f"Bill queue up to date — {count} shown", 4000)
        wanted, self._select_after_load = self._select_after_load, None
        if wanted is not None and not self.payment.holds_bill:
            self.queue.select_bill(wanted)
        elif self.queue.current_summary() is None and count and not self.payment.holds_bill:
            self.queue.table.selectRow(0)
