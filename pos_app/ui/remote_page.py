"""The payment on the patient's phone: a QR (PayMongo's image, or a link drawn as a QR), its
countdown, and, once it closed unpaid, what happened and what to do next.

Threading contract: GUI thread only. The page shows what it is given and emits what the
receptionist asked for; the panel (``payment_panel``) talks to the services.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QVBoxLayout, QWidget

from pos_app.domain.attempt import AttemptState
from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate, PaymentDisplay
from pos_app.ui.qr import PANEL_QR_SIZE, display_pixmap
from pos_app.ui.widgets import big_label, countdown_text, shortcut_button

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

# Card on phone: a declined card leaves PayMongo's page open for another try, so the counter
# cannot tell a failure from a patient still typing. Say what to do in both cases.
CHECKOUT_HELP = (
    "If the phone says the payment failed, the patient can try again on the same page with "
    "another card or e-wallet; or cancel (Esc) and choose another way to pay."
)

# What the receptionist reads once a payment closed without paying the bill.
CLOSED_TITLES = {
    AttemptState.FAILED: "Not paid — the payment failed",
    AttemptState.EXPIRED: "Not paid — the QR code expired",
    AttemptState.CANCELLED: "Cancelled",
    AttemptState.NEEDS_REVIEW: "Needs a staff member's review",
}
NEXT_STEP = (
    "Ask the patient, then press Try again (F7) for a new {method}, or Other method "
    "(Ctrl+Backspace) for cash or another way to pay."
)
FAILED_STYLE = "color: #991b1b;"


class RemotePage(QWidget):
    """Used for QR Ph, e-wallets, card-on-phone checkout and a keyed card's 3-D Secure step."""

    cancel = Signal()
    again = Signal()  # the same method again, for the same bill and amount
    back = Signal()  # choose another method
    cash = Signal()  # F6 once the payment closed unpaid: cash for the same amount

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
        self.clinic.setWordWrap(True)
        self.countdown = big_label("", 15, bold=False)
        self.status = big_label("", 13, wrap=True)
        self.next_step = QLabel("")  # what to do now: after a failure, or F12 while open
        self.next_step.setWordWrap(True)
        self.link_edit = QLineEdit()
        self.link_edit.setReadOnly(True)
        self.copy_button = shortcut_button("Copy link", "Ctrl+Shift+C", self)
        self.copy_button.clicked.connect(self.copy_link)
        self.cancel_button = shortcut_button("Cancel", "Esc", self)
        self.cancel_button.clicked.connect(self.cancel.emit)
        self.again_button = shortcut_button("Try again", "F7", self)
        self.again_button.clicked.connect(self.again.emit)
        self.back_button = shortcut_button("Other method", "Ctrl+Backspace", self)
        self.back_button.clicked.connect(self.back.emit)
        # the refusal's words offer cash (F6): the key works here too, once the payment closed
        cash_key = QShortcut(QKeySequence("F6"), self)
        cash_key.activated.connect(self._cash_key)
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self._build()

    def _build(self) -> None:
        info = QVBoxLayout()
        for widget in (self.title, self.amount, self.clinic, self.countdown, self.status):
            info.addWidget(widget)
        info.addStretch(1)
        # Cancel while open; Other method and Try again once closed: never both
        for button in (self.cancel_button, self.back_button, self.again_button):
            info.addWidget(button)
            button.setVisible(False)
        top = QHBoxLayout()
        top.addWidget(self.qr_label, 0, Qt.AlignmentFlag.AlignTop)
        top.addLayout(info, 1)
        # the link gets the panel's whole width: beside the QR it showed a few characters
        link_row = QHBoxLayout()
        link_row.setContentsMargins(0, 0, 0, 0)
        link_row.addWidget(self.link_edit, 1)
        link_row.addWidget(self.copy_button)
        self.link_box = QWidget()
        self.link_box.setLayout(link_row)
        self.link_box.setVisible(False)
        layout = QVBoxLayout(self)
        layout.addLayout(top, 1)
        layout.addWidget(self.next_step)  # the whole width: beside the QR it ran out of room
        layout.addWidget(self.link_box)

    def show_update(self, update: AttemptUpdate) -> None:
        display = update.display
        if display is not None and update.is_open:
            if display != self.display:  # polls repeat the same QR: paint it once
                self.qr_label.setPixmap(display_pixmap(display, QR_SIZE))
                checkout = display.method is TenderMethod.CHECKOUT
                self.next_step.setText(CHECKOUT_HELP if checkout else "")
            self.display = display
            self.qr_label.setVisible(True)
            self.title.setText(INSTRUCTIONS.get(display.method, display.method.label))
            self.title.setStyleSheet("")
            self.amount.setText(f"{display.amount}")
            self.clinic.setText(f"Pay to {display.clinic_name}")
            link = display.url if display.method is not TenderMethod.QRPH else None
            self.link_edit.setText(link or "")
            self.link_edit.setCursorPosition(0)  # show where the link starts, not its tail
            self.link_box.setVisible(link is not None)
            self._timer.start()
            self._tick()
        elif not update.is_open:
            self.show_closed(update)
        self.status.setText(update.message)
        declined = update.attempt.state is AttemptState.FAILED or "Declined" in update.message
        self.status.setStyleSheet(FAILED_STYLE if declined else "")
        closed_unpaid = not update.is_open and not update.paid
        can_retry = closed_unpaid and update.bill.accepts_payment
        # hidden is not enough: a hidden button's key still clicks it
        for button, shown in (
            (self.cancel_button, update.is_open),
            (self.again_button, can_retry),
            (self.back_button, closed_unpaid),
        ):
            button.setVisible(shown)
            button.setEnabled(shown)

    def show_closed(self, update: AttemptUpdate) -> None:
        """No QR beside a payment that ended: say how it ended and what to do next."""
        self.stop()
        self.qr_label.setVisible(False)  # a blank white square read as "still scanning"
        state = update.attempt.state
        self.title.setText(CLOSED_TITLES.get(state, update.message))
        self.title.setStyleSheet(FAILED_STYLE if state is AttemptState.FAILED else "")
        self.amount.setText(f"{update.attempt.amount}")
        self.clinic.setText(f"Bill {update.bill.number} · {update.bill.patient.full_name}")
        method = update.attempt.method
        what = "QR code" if method is TenderMethod.QRPH else f"{method.label} payment"
        can_retry = update.bill.accepts_payment and state is not AttemptState.NEEDS_REVIEW
        told = "Try again" in update.message  # PayMongo's refusal, worded with what to do
        self.next_step.setText(NEXT_STEP.format(method=what) if can_retry and not told else "")

    def _cash_key(self) -> None:
        if self.back_button.isEnabled():
            self.cash.emit()

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
