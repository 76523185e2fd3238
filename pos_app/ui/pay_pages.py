"""The pages of the payment panel: cash, a QR or link on the patient's phone, and paid.

Threading contract: GUI thread only. Pages show what they are given and emit what the receptionist
asked for; the panel (``payment_panel``) talks to the services.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QFont, QGuiApplication
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
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate, PaymentDisplay
from pos_app.ui.qr import PANEL_QR_SIZE, display_pixmap
from pos_app.ui.widgets import big_label, countdown_text, money_edit, shortcut_button

QR_SIZE = PANEL_QR_SIZE

INSTRUCTIONS = {
    TenderMethod.QRPH: "Patient scans with GCash, Maya or any bank app",
    TenderMethod.GCASH: "Patient scans to open GCash and approve",
    TenderMethod.PAYMAYA: "Patient scans to open Maya and approve",
    TenderMethod.GRAB_PAY: "Patient scans to open GrabPay and approve",
    TenderMethod.SHOPEE_PAY: "Patient scans to open ShopeePay and approve",
    TenderMethod.CHECKOUT: "Patient scans to pay by card or e-wallet on the phone",
    TenderMethod.CARD: "Patient scans to confirm with the bank (3-D Secure)",
}


def parse_money(text: str) -> Money | None:
    try:
        return Money.parse(text)
    except AmountError:
        return None


class CashPage(QWidget):
    """Cash received and change due, in big numbers."""

    record = Signal(object)  # Money tendered
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount: Money = Money.ZERO
        self.amount_label = big_label("", 16)
        self.tendered_edit = money_edit("Cash received from the patient")
        self.change_label = big_label("Change: ₱0.00", 26)
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
        tendered = parse_money(self.tendered_edit.text())
        if tendered is None:
            self.change_label.setText("Change: —")
        elif tendered < self.amount:
            self.change_label.setText(f"Short by {self.amount - tendered}")
        else:
            self.change_label.setText(f"Change: {tendered - self.amount}")

    def _record(self) -> None:
        tendered = parse_money(self.tendered_edit.text())
        if tendered is None:
            self.change_label.setText("Type the cash received, e.g. 2,000")
            return
        self.record_button.setEnabled(False)
        self.record.emit(tendered)


class RemotePage(QWidget):
    """A QR (PayMongo's image, or a link drawn as a QR) on the patient's phone, with a countdown.

    Used for QR Ph, e-wallets, card-on-phone checkout and a keyed card's 3-D Secure step."""

    cancel = Signal()
    again = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.display: PaymentDisplay | None = None
        self.qr_label = QLabel()
        self.qr_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.qr_label.setFixedSize(QR_SIZE, QR_SIZE)
        self.qr_label.setStyleSheet("background: #ffffff;")
        self.title = big_label("", 13, wrap=True)
        self.amount = big_label("", 26)
        self.clinic = QLabel("")
        self.countdown = big_label("", 15, bold=False)
        self.status = big_label("", 13, wrap=True)
        self.link_edit = QLineEdit()
        self.link_edit.setReadOnly(True)
        self.copy_button = shortcut_button("Copy link", "Ctrl+Shift+C", self)
        self.copy_button.clicked.connect(self.copy_link)
        self.cancel_button = shortcut_button("Cancel", "Esc", self)
        self.cancel_button.clicked.connect(self.cancel.emit)
        self.again_button = shortcut_button("Try again", "F7", self)
        self.again_button.clicked.connect(self.again.emit)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self._build()

    def _build(self) -> None:
        link_row = QHBoxLayout()
        link_row.addWidget(self.link_edit, 1)
        link_row.addWidget(self.copy_button)
        self.link_box = QWidget()
        self.link_box.setLayout(link_row)
        link_row.setContentsMargins(0, 0, 0, 0)
        info = QVBoxLayout()
        for widget in (self.title, self.amount, self.clinic, self.countdown, self.status):
            info.addWidget(widget)
        info.addStretch(1)
        info.addWidget(self.link_box)
        info.addWidget(self.cancel_button)
        info.addWidget(self.again_button)
        layout = QHBoxLayout(self)
        layout.addWidget(self.qr_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(info, 1)

    def show_update(self, update: AttemptUpdate) -> None:
        display = update.display
        if display is not None and update.is_open:
            if display != self.display:  # polls repeat the same QR: paint it once
                self.qr_label.setPixmap(display_pixmap(display, QR_SIZE))
            self.display = display
            self.title.setText(INSTRUCTIONS.get(display.method, display.method.label))
            self.amount.setText(f"{display.amount}")
            self.clinic.setText(f"Pay to {display.clinic_name}")
            link = display.url if display.method is not TenderMethod.QRPH else None
            self.link_edit.setText(link or "")
            self.link_edit.setCursorPosition(0)  # show where the link starts, not its tail
            self.link_box.setVisible(link is not None)
            self._timer.start()
            self._tick()
        elif not update.is_open:
            self.stop()
        self.status.setText(update.message)
        self.cancel_button.setVisible(update.is_open)
        self.again_button.setVisible(not update.is_open and update.bill.accepts_payment)

    def show_problem(self, text: str) -> None:
        self.status.setText(text)

    def stop(self) -> None:
        """The payment closed: no QR, no link, no countdown left to act on."""
        self._timer.stop()
        self.display = None
        self.qr_label.clear()
        self.countdown.setText("")
        self.link_edit.clear()
        self.link_box.setVisible(False)

    def copy_link(self) -> None:
        if self.link_edit.text():
            QGuiApplication.clipboard().setText(self.link_edit.text())
            self.status.setText("Link copied. Paste it into a message to the patient.")

    def _tick(self) -> None:
        expires_at = self.display.expires_at if self.display else None
        if expires_at is None:
            self.countdown.setText("")
            return
        left = int((expires_at - datetime.now(UTC)).total_seconds())
        self.countdown.setText(countdown_text(left))


class PaidPage(QWidget):
    """The invoice preview, Print and Next patient."""

    print_requested = Signal()
    next_patient = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
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
        self.next_button = shortcut_button("Next patient", "F12", self)
        self.print_status = QLabel("")
        self.print_status.setWordWrap(True)
        self.print_button.clicked.connect(self.print_requested.emit)
        self.next_button.clicked.connect(self.next_patient.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(self.print_button)
        buttons.addWidget(self.next_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.preview, 1)
        layout.addWidget(self.print_status)
        layout.addLayout(buttons)

    def show_receipt(self, title: str, text: str) -> None:
        self.title.setText(title)
        self.preview.setPlainText(text)
        self.print_status.setText("")
        self.next_button.setFocus()


def method_button(text: str, shortcut: str, parent: QWidget) -> QPushButton:
    button = shortcut_button(text, shortcut, parent)
    button.setMinimumHeight(48)
    return button
