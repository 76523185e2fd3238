"""Keyed card entry (only when settings.keyed_card_enabled) and the e-wallet chooser.

With keyed card off (the default) the card form is never built: F3 shows ``KeyedCardOffPage``,
which says so and sends the receptionist to card on the patient's phone (F4). No screen then has
a field that could take a card number.

Threading contract: GUI thread only. The card form hands its values over once and clears every
field at the same moment: the card number stays in no widget after submit, and nothing here logs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.tender import SOURCE_METHODS, TenderMethod
from pos_app.ui.widgets import big_label, shortcut_button

if TYPE_CHECKING:  # the payment services load on a worker after the window shows
    from pos_app.services.collect.inputs import CardDetails

SCOPE_WARNING = (
    "Card data scope: typing a card number on this computer puts it in scope for PCI DSS card "
    "security rules. Prefer QR Ph or Card on phone (F4). Kaha sends the number straight to "
    "PayMongo and never saves, prints or logs it."
)


KEYED_CARD_OFF = (
    "Keyed card is off at this clinic, so Kaha takes no card numbers at the counter. "
    "Take the card on the patient's phone instead: press F4 (Card on phone) and let the patient "
    "scan the QR code; they type their card on their own phone."
)


class KeyedCardOffPage(QWidget):
    """What F3 shows when keyed card is off: why there is no card form, and the way instead."""

    use_phone = Signal()  # "Card on phone" chosen from here
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.explanation = QLabel(KEYED_CARD_OFF)
        self.explanation.setWordWrap(True)
        self.explanation.setStyleSheet(
            "background: #eff6ff; color: #1e3a8a; border: 1px solid #93c5fd; padding: 8px;"
        )
        self.phone_button = shortcut_button("Card on phone", "F4", self)
        self.phone_button.setMinimumHeight(48)
        self.phone_button.clicked.connect(self.use_phone.emit)
        back_button = shortcut_button("Back", "Esc", self)
        back_button.clicked.connect(self.back.emit)
        buttons = QHBoxLayout()
        buttons.addWidget(back_button)
        buttons.addWidget(self.phone_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(big_label("Keyed card is off", 16))
        layout.addWidget(self.explanation)
        layout.addStretch(1)
        layout.addLayout(buttons)


class CardPage(QWidget):
    submitted = Signal(object)  # CardDetails
    back = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount_label = big_label("", 16)
        warning = QLabel(SCOPE_WARNING)
        warning.setWordWrap(True)
        warning.setStyleSheet(
            "background: #fef3c7; color: #78350f; border: 1px solid #f59e0b; padding: 6px;"
        )
        self.number_edit = self._field("Card number", 23)
        self.expiry_edit = self._field("MM/YY", 5)
        self.cvc_edit = self._field("CVC", 4)
        self.cvc_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.name_edit = self._field("Name on card (optional)", 60)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b91c1c;")
        self.charge_button = shortcut_button("Charge card", "Ctrl+Return", self)
        self.charge_button.clicked.connect(self._submit)
        back_button = shortcut_button("Back", "Ctrl+Backspace", self)
        back_button.clicked.connect(self._back)
        form = QFormLayout()
        form.addRow("Card number", self.number_edit)
        form.addRow("Expiry", self.expiry_edit)
        form.addRow("CVC", self.cvc_edit)
        form.addRow("Name", self.name_edit)
        buttons = QHBoxLayout()
        buttons.addWidget(back_button)
        buttons.addWidget(self.charge_button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(self.amount_label)
        layout.addWidget(warning)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addStretch(1)
        layout.addLayout(buttons)

    @staticmethod
    def _field(placeholder: str, length: int) -> QLineEdit:
        edit = QLineEdit()
        edit.setPlaceholderText(placeholder)
        edit.setMaxLength(length)
        edit.setMinimumHeight(32)
        return edit

    def start(self, amount_text: str) -> None:
        self.clear()
        self.amount_label.setText(f"Card payment of {amount_text}")
        self.number_edit.setFocus()

    def clear(self) -> None:
        for edit in (self.number_edit, self.expiry_edit, self.cvc_edit, self.name_edit):
            edit.clear()
        self.problem.setText("")

    def _back(self) -> None:
        self.clear()
        self.back.emit()

    def _submit(self) -> None:
        card = self._read()
        if card is None:
            return
        self.clear()
        self.submitted.emit(card)

    def _read(self) -> CardDetails | None:
        from pos_app.services.collect.inputs import CardDetails

        number = "".join(ch for ch in self.number_edit.text() if ch.isdigit())
        month, _, year = self.expiry_edit.text().partition("/")
        cvc = self.cvc_edit.text().strip()
        if not 12 <= len(number) <= 19:
            self.problem.setText("The card number should have 12 to 19 digits.")
            return None
        if not (month.strip().isdigit() and year.strip().isdigit()):
            self.problem.setText("Type the expiry as MM/YY, e.g. 12/29.")
            return None
        if not (cvc.isdigit() and 3 <= len(cvc) <= 4):
            self.problem.setText("The CVC is the 3 or 4 digits on the back of the card.")
            return None
        exp_year = int(year)
        return CardDetails(
            number=number,
            exp_month=int(month),
            exp_year=exp_year + 2000 if exp_year < 100 else exp_year,
            cvc=cvc,
            name=self.name_edit.text().strip() or None,
        )


WALLETS = (
    ("GCash", "1", TenderMethod.GCASH),
    ("Maya", "2", TenderMethod.PAYMAYA),
    ("GrabPay", "3", TenderMethod.GRAB_PAY),
    ("ShopeePay", "4", TenderMethod.SHOPEE_PAY),
)


SOURCES_NOTE = (
    "GCash and GrabPay open the wallet's own payment page (PayMongo Sources); "
    "Kaha completes the payment as soon as the patient approves."
)


class WalletPage(QWidget):
    """Which e-wallet: the patient's phone opens that app from the QR or the link.

    With ``sources`` (the clinic's ``wallet_sources`` setting) GCash and GrabPay go through
    PayMongo's older Sources flow; the screen that follows is the same QR and link."""

    chosen = Signal(object)  # TenderMethod
    back = Signal()

    def __init__(self, *, sources: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.sources = sources
        layout = QVBoxLayout(self)
        layout.addWidget(big_label("Which e-wallet?", 15))
        if sources:
            note = QLabel(SOURCES_NOTE)
            note.setWordWrap(True)
            layout.addWidget(note)
        self.buttons = {}
        for text, key, method in WALLETS:
            button = shortcut_button(text, key, self)
            button.clicked.connect(lambda _checked=False, m=method: self.chosen.emit(m))
            self.buttons[method] = button
            layout.addWidget(button)
        back_button = shortcut_button("Back", "Esc", self)
        back_button.clicked.connect(self.back.emit)
        layout.addStretch(1)
        layout.addWidget(back_button, 0, Qt.AlignmentFlag.AlignLeft)

    def offer(self, methods: AccountMethods) -> bool:
        """Show only the e-wallets the account has; False when it has none."""
        for method, button in self.buttons.items():
            button.setVisible(methods.offers(method))
        return any(methods.offers(method) for method in self.buttons)

    def uses_sources(self, method: TenderMethod) -> bool:
        return self.sources and method in SOURCE_METHODS
