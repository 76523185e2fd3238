"""The bill history (Ctrl+I): a paid or part-paid bill's tenders, invoice, refunds and documents,
and Print for the document picked (a numbered REPRINT once the original is out).

It is how an invoice settled while another bill was on screen (by a webhook, or at recovery) gets
printed: pick the bill in the queue, Ctrl+I, Print.

Threading contract: GUI thread only; reading the history and printing run on the task runner.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.printing.receipt import local_time
from pos_app.services.documents import BillHistory
from pos_app.services.receipts import ReceiptService
from pos_app.ui.bill_queue import STATUS_LABELS
from pos_app.ui.errors import message_for
from pos_app.ui.tasks import TaskRunner
from pos_app.ui.widgets import big_label, shortcut_button


class BillHistoryDialog(QDialog):
    """One bill at a time; ``open_bill`` loads it (again) and shows the dialog."""

    loaded = Signal(object)  # the BillHistory now on screen
    printed = Signal(str)  # what the print did, in the receptionist's words
    refund_requested = Signal(int)  # Refund… pressed: the bill to give money back from

    def __init__(
        self, runner: TaskRunner, receipts: ReceiptService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner, self._receipts = runner, receipts
        self.history: BillHistory | None = None
        self.setWindowTitle("Bill history")
        self.resize(620, 560)
        self.title = big_label("", 16, wrap=True)
        self.summary = QLabel("")
        self.tenders = QTableWidget(0, 3)
        self.tenders.setHorizontalHeaderLabels(["When", "Paid by", "Amount"])
        self.tenders.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tenders.verticalHeader().setVisible(False)
        self.tenders.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.invoice = QLabel("")
        self.refunds = QLabel("")
        self.refunds.setWordWrap(True)
        self.documents = QListWidget()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.print_button = shortcut_button("Print", "Ctrl+P", self)
        self.print_button.clicked.connect(self.print_selected)
        self.refund_button = QPushButton("Refund…")
        self.refund_button.setMinimumHeight(44)
        self.refund_button.clicked.connect(self._refund)
        self.refund_button.setEnabled(False)  # until the bill is read
        close = QPushButton("Close   Esc")
        close.setMinimumHeight(44)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button, 1)
        buttons.addWidget(self.refund_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.summary)
        layout.addWidget(QLabel("Payments"))
        layout.addWidget(self.tenders, 1)
        layout.addWidget(self.invoice)
        layout.addWidget(self.refunds)
        layout.addWidget(QLabel("Documents (pick one, then Print)"))
        layout.addWidget(self.documents, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def open_bill(self, bill_id: int) -> None:
        self.status.setText("Loading…")
        self.print_button.setEnabled(False)
        self.refund_button.setEnabled(False)
        self._load(bill_id, keep_status=False)
        self.show()
        self.raise_()

    def _load(self, bill_id: int, *, keep_status: bool) -> None:
        def shown(history: object) -> None:
            assert isinstance(history, BillHistory)
            self.show_history(history, keep_status=keep_status)

        self._runner.run_db(
            lambda: self._receipts.history(bill_id),
            on_success=shown,
            on_failure=self._show_failure,
            owner=self,
        )

    def show_history(self, history: BillHistory, *, keep_status: bool = False) -> None:
        bill = history.bill
        picked = self.documents.currentRow()
        self.history = history
        self.title.setText(f"Bill {bill.number} — {bill.patient.full_name}")
        self.summary.setText(
            f"{STATUS_LABELS[bill.status]}. Amount due {bill.amount_due}, "
            f"paid {bill.amount_paid}, balance {bill.balance}."
        )
        self.tenders.setRowCount(len(history.tenders))
        for row, (tender, at) in enumerate(history.tenders):
            cells = (local_time(at), tender.method.label, str(tender.amount))
            for column, text in enumerate(cells):
                self.tenders.setItem(row, column, QTableWidgetItem(text))
        invoice = history.invoice
        self.invoice.setText(
            "No invoice yet: it is issued when the bill is fully paid."
            if invoice is None
            else f"Invoice {invoice.number}, {invoice.total}, "
            f"issued {local_time(invoice.issued_at)}"
        )
        self.refunds.setText(
            "Refunds: "
            + "; ".join(f"{r.amount} ({r.reason}) — {r.state.value}" for r in history.refunds)
            if history.refunds
            else "No refunds."
        )
        self.documents.clear()
        for document in history.documents:
            self.documents.addItem(f"{document.description} — {document.printed}")
        if history.documents:  # the invoice (last) unless one was picked before a reload
            self.documents.setCurrentRow(picked if picked >= 0 else len(history.documents) - 1)
        self.print_button.setEnabled(bool(history.documents))
        self.refund_button.setEnabled(bool(bill.amount_paid))
        if not keep_status:
            self.status.setText("" if history.documents else "Nothing paid yet: no documents.")
        self.loaded.emit(history)

    def _refund(self) -> None:
        if self.history is not None:
            self.refund_requested.emit(self.history.bill.id)

    def print_selected(self) -> None:
        history, row = self.history, self.documents.currentRow()
        if history is None or not 0 <= row < len(history.documents):
            return
        bill_id, name = history.bill.id, history.documents[row].name
        self.status.setText("Printing…")
        self.print_button.setEnabled(False)

        def done(text: object) -> None:
            self.status.setText(str(text))
            self.printed.emit(str(text))
            self._load(bill_id, keep_status=True)  # the new count

        self._runner.run_net(
            lambda: self._receipts.print_document(bill_id, name),
            on_success=done,
            on_failure=self._show_failure,
            owner=self,
        )

    def _show_failure(self, exc: BaseException) -> None:
        self.status.setText(message_for(exc) or "")
        self.print_button.setEnabled(self.history is not None and bool(self.history.documents))
