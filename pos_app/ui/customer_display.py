"""The customer-facing display for a second monitor: amount, QR, countdown, then "Paid".

Nothing clinical is shown: no services, no patient details. GUI thread only.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QFont, QGuiApplication
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate, PaymentDisplay, Settlement
from pos_app.ui.qr import CUSTOMER_QR_SIZE, display_pixmap

QR_SIZE = CUSTOMER_QR_SIZE


def patient_instruction(method: TenderMethod) -> str:
    """What the patient does with the QR, in their words; never what the bill is for."""
    if method is TenderMethod.QRPH:
        return "Scan with GCash, Maya or your bank app"
    if method is TenderMethod.CHECKOUT:
        return "Scan to pay by card or e-wallet on your phone"
    if method is TenderMethod.CARD:
        return "Scan to confirm the card payment with your bank"
    return f"Scan to pay with {method.label}"


def _label(size: int, *, bold: bool = True) -> QLabel:
    label = QLabel("")
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    label.setFont(font)
    label.setAlignment(Qt.AlignmentFlag.AlignCenter)
    label.setWordWrap(True)
    return label


class CustomerDisplay(QWidget):
    def __init__(self, clinic_name: str) -> None:
        super().__init__()
        # the receptionist keeps typing in the counter window while this one is up
        self.setAttribute(Qt.WidgetAttribute.WA_ShowWithoutActivating)
        self.setWindowFlag(Qt.WindowType.WindowDoesNotAcceptFocus)
        self.setWindowTitle("Kaha — customer display")
        self.setStyleSheet("background: #ffffff; color: #111827;")
        self.resize(720, 760)
        self.clinic = _label(20)
        self.clinic.setText(clinic_name)
        self.amount = _label(40)
        self.qr = QLabel()
        self.qr.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown = _label(18, bold=False)
        self.message = _label(22)
        layout = QVBoxLayout(self)
        layout.addWidget(self.clinic)
        layout.addStretch(1)
        layout.addWidget(self.amount)
        layout.addWidget(self.qr)
        layout.addWidget(self.countdown)
        layout.addWidget(self.message)
        layout.addStretch(1)
        self._expires_at: datetime | None = None
        self._shown: PaymentDisplay | None = None
        self._timer = QTimer(self, interval=1000)
        self._timer.timeout.connect(self._tick)
        self.show_idle()

    def place_on_second_screen(self) -> None:
        screens = QGuiApplication.screens()
        if len(screens) > 1:
            geometry = screens[1].availableGeometry()
            self.move(geometry.topLeft())
            self.resize(geometry.size())

    def show_idle(self) -> None:
        self._timer.stop()
        self._shown = None
        self.amount.setText("")
        self.qr.clear()
        self.qr.setVisible(False)
        self.countdown.setText("")
        self.message.setStyleSheet("")
        self.message.setText("Maligayang pagdating! Welcome.")

    def show_update(self, update: AttemptUpdate | None) -> None:
        if update is None or update.display is None or not update.is_open:
            if update is not None and not update.is_open and not update.paid:
                self.show_idle()
            return
        display = update.display
        self.amount.setText(f"Amount to pay: {display.amount}")
        if display != self._shown:  # polls repeat the same QR: paint it once
            self.qr.setPixmap(display_pixmap(display, QR_SIZE))
            self._shown = display
        self.qr.setVisible(True)
        self.message.setStyleSheet("")
        self.message.setText(patient_instruction(display.method))
        self._expires_at = display.expires_at
        self._timer.start()
        self._tick()

    def show_paid(self, settlement: Settlement) -> None:
        self._timer.stop()
        self._shown = None
        self.qr.clear()
        self.qr.setVisible(False)
        self.countdown.setText("")
        self.amount.setText(f"{settlement.invoice.total}")
        self.message.setText("Paid — salamat po!")
        self.message.setStyleSheet("color: #15803d; font-size: 38pt;")

    def _tick(self) -> None:
        if self._expires_at is None:
            self.countdown.setText("")
            return
        left = int((self._expires_at - datetime.now(UTC)).total_seconds())
        minutes, seconds = divmod(max(0, left), 60)
        self.countdown.setText(f"This code expires in {minutes:02d}:{seconds:02d}")
