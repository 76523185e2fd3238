"""The pages of the payment panel: cash and paid (the QR page is ``remote_page``).

Threading contract: GUI thread only. Pages show what they are given and emit what the receptionist
asked for; the panel (``payment_panel``) talks to the services.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import AmountError
from pos_app.domain.money import Money
from pos_app.services.collect.results import Settlement
from pos_app.services.receipts import ReceiptService
from pos_app.ui.errors import message_for
from pos_app.ui.tasks import TaskRunner
from pos_app.ui.widgets import big_label, money_edit, shortcut_button

MORE_THAN_ZERO = "The amount must be more than zero, like 1,500.00."


def read_amount(text: str) -> Money | str:
    """A payable amount typed by the receptionist, or what to tell them about it: a minus
    sign or zero gets the same answer, since neither can be collected."""
    try:
        amount = Money.parse(text)
    except AmountError as exc:
        return MORE_THAN_ZERO if "-" in text else exc.user_message
    return MORE_THAN_ZERO if amount.is_zero else amount


class CashPage(QWidget):
    """Cash received and change due, in big numbers."""

    record = Signal(object)  # Money tendered
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount: Money = Money.ZERO
        self.amount_label = big_label("", 16)
        self.tendered_edit = money_edit("Cash received from the patient")
        self.change_label = big_label("Change: ₱0.00", 26, wrap=True)  # a long message wraps
        self.record_button = shortcut_button("Record cash", "Ctrl+Return", self)
        back = shortcut_button("Back", "Ctrl+Backspace", self)
        back.clicked.connect(self.back.emit)
        self.tendered_edit.textChanged.connect(self._show_change)
        self.tendered_edit.returnPressed.connect(self.record_button.click)
        self.record_button.clicked.connect(self._record)
        buttons = QHBoxLayout()
        buttons.addWidget(back)
        buttons.addWidget(self.record_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.amount_label)
        layout.addWidget(QLabel("Cash received:"))
        layout.addWidget(self.tendered_edit)
        layout.addWidget(self.change_label)
        layout.addStretch(1)
        layout.addLayout(buttons)

    def start(self, amount: Money) -> None:
        self.amount = amount
        self.amount_label.setText(f"Cash for {amount}")
        self.tendered_edit.setText(amount.format().lstrip("₱"))
        self.record_button.setEnabled(True)
        self.tendered_edit.setFocus()
        self.tendered_edit.selectAll()

    def _show_change(self) -> None:
        tendered = read_amount(self.tendered_edit.text())
        if isinstance(tendered, str):
            self.change_label.setText("Change: —" if self.tendered_edit.text() else "")
        elif tendered < self.amount:
            self.change_label.setText(f"Short by {self.amount - tendered}")
        else:
            self.change_label.setText(f"Change: {tendered - self.amount}")

    def _record(self) -> None:
        tendered = read_amount(self.tendered_edit.text())
        if isinstance(tendered, str):
            self.change_label.setText(tendered)
            return
        self.record_button.setEnabled(False)
        self.record.emit(tendered)


class PaidPage(QWidget):
    """The invoice preview, Print (on the task runner's network pool) and Next patient."""

    next_patient = Signal()

    def __init__(
        self, runner: TaskRunner, receipts: ReceiptService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner, self._receipts = runner, receipts
        self.settlement: Settlement | None = None
        self.title = big_label("Paid", 22)
        self.title.setStyleSheet("color: #15803d;")
        self.preview = QPlainTextEdit()
        self.preview.setReadOnly(True)
        self.preview.setFrameShape(QFrame.Shape.StyledPanel)
        mono = QFont("DejaVu Sans Mono")
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setPointSize(9)
        self.preview.setFont(mono)
        self.print_button = shortcut_button("Print", "Ctrl+P", self)
        # F12 belongs to the panel, which says why it waits while a payment is open
        self.next_button = QPushButton("Next patient   F12")
        self.next_button.setMinimumHeight(44)
        self.change_label = big_label("", 22)
        self.change_label.setVisible(False)
        self.print_status = QLabel("")
        self.print_status.setWordWrap(True)
        self.print_button.clicked.connect(self.print_invoice)
        self.next_button.clicked.connect(self.next_patient.emit)
        # email receipts, when the clinic turned them on (services.email_receipts): optional
        self.email_edit = QLineEdit()
        self.email_edit.setPlaceholderText("Patient's email (optional)")
        self.email_button = QPushButton("Email receipt…")
        self.email_button.clicked.connect(self.email_invoice)
        self.email_edit.returnPressed.connect(self.email_invoice)
        email_row = QWidget()
        email_layout = QHBoxLayout(email_row)
        email_layout.setContentsMargins(0, 0, 0, 0)
        email_layout.addWidget(self.email_edit, 1)
        email_layout.addWidget(self.email_button)
        self.email_row = email_row
        self.email_row.setVisible(False)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.next_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.change_label)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.print_status)
        layout.addWidget(self.email_row)
        layout.addLayout(buttons)

    def show_settlement(self, settlement: Settlement, *, change_due: Money | None) -> None:
        """``change_due``: the cash to hand back, when cash paid the last of the bill."""
        self.settlement = settlement
        self.title.setText(f"Paid — invoice {settlement.invoice.number}")
        text = self._receipts.preview_text(settlement)
        self.change_label.setText(f"Change due: {change_due}" if change_due is not None else "")
        self.change_label.setVisible(change_due is not None)
        self.preview.setPlainText(text)
        self.print_status.setText("")
        self.email_row.setVisible(self._receipts.can_email)
        self.email_edit.clear()
        self.email_button.setEnabled(True)
        self.next_button.setFocus()

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

    def email_invoice(self) -> None:
        """Queue the PDF for the address typed (a quick database write); the mail itself goes
        in the background and never holds up the counter."""
        settlement, address = self.settlement, self.email_edit.text()
        if settlement is None or not address.strip():
            return
        self.email_button.setEnabled(False)

        def queued(said: str) -> None:
            self.print_status.setText(said)
            self.email_button.setEnabled(True)

        def refused(exc: BaseException) -> None:
            self.print_status.setText(message_for(exc) or "")
            self.email_button.setEnabled(True)

        self._runner.run_db(
            lambda: self._receipts.email_invoice(settlement, address),
            on_success=queued,
            on_failure=refused,
        )


def method_button(text: str, shortcut: str, parent: QWidget) -> QPushButton:
    button = shortcut_button(text, shortcut, parent)
    button.setMinimumHeight(48)
    return button
