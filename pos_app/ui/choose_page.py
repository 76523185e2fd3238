"""The payment panel's first page: the amount to collect and the ways to pay.

Threading contract: GUI thread only; the panel (``payment_panel``) reads its fields and buttons.
"""

from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QVBoxLayout, QWidget

from pos_app.domain.account_methods import AccountMethods
from pos_app.domain.bill import Bill, BillStatus
from pos_app.domain.tender import TenderMethod
from pos_app.ui.errors import message_for
from pos_app.ui.pay_pages import method_button
from pos_app.ui.widgets import money_edit, shortcut_button

OFFLINE_TEXT = "PayMongo can't be reached right now. No QR codes or links. Cash still works (F6)."
OFFLINE_STYLE = "background: #fee2e2; color: #991b1b; border: 1px solid #f87171; padding: 8px;"


def is_offline(exc: BaseException) -> bool:
    """PayMongo unreachable (as opposed to a refusal): the counter falls back to cash."""
    from pos_app.paymongo.errors import APIConnectionError

    text = message_for(exc) or ""
    return isinstance(exc, APIConnectionError) or "can't be reached" in text


class ChoosePage(QWidget):
    """Amount (F5), the methods' buttons with their keys, and a line about the bill on screen."""

    def __init__(self, keyed_card_enabled: bool, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.amount_edit = money_edit("Amount to collect, e.g. 1,500.00")
        self.summary = QLabel("")
        self.cash_button = method_button("Cash", "F6", self)
        self.qrph_button = method_button("QR Ph (GCash, Maya, any bank)", "F7", self)
        self.wallet_button = method_button("E-wallet link", "F8", self)
        self.checkout_button = method_button("Card on phone", "F4", self)
        self.keyed_button = method_button("Keyed card", "F3", self)
        self.keyed_button.setVisible(keyed_card_enabled)
        self.offline_notice = QLabel(OFFLINE_TEXT)
        self.offline_notice.setWordWrap(True)
        self.offline_notice.setStyleSheet(OFFLINE_STYLE)
        self.offline_notice.setVisible(False)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        # a part-paid bill: the last part payment's acknowledgement receipt (not an invoice)
        self.receipt_button = shortcut_button("Print acknowledgement receipt", "Ctrl+P", self)
        self.receipt_button.setVisible(False)
        first = QHBoxLayout()
        first.addWidget(self.cash_button)
        first.addWidget(self.qrph_button, 1)
        second = QHBoxLayout()
        for button in (self.wallet_button, self.checkout_button, self.keyed_button):
            second.addWidget(button, 1)
        layout = QVBoxLayout(self)
        layout.addWidget(
            QLabel("Collect   F5 — amount to collect now (lower it to split the payment):")
        )
        layout.addWidget(self.amount_edit)
        layout.addWidget(self.summary)
        layout.addLayout(first)
        layout.addLayout(second)
        layout.addWidget(self.offline_notice)
        layout.addWidget(self.hint)
        layout.addWidget(self.receipt_button)
        layout.addStretch(1)

    def set_methods_enabled(self, enabled: bool) -> None:
        for button in (
            self.cash_button,
            self.qrph_button,
            self.wallet_button,
            self.checkout_button,
            self.keyed_button,
        ):
            button.setEnabled(enabled)

    def show_bill(self, bill: Bill | None) -> None:
        """The amount to collect (all of what remains) and a line about the bill."""
        self.amount_edit.setText(bill.balance.format().lstrip("₱") if bill else "")
        self.summary.setText(
            f"Bill {bill.number}: paid {bill.amount_paid} · remaining {bill.balance}"
            if bill
            else ""
        )
        self.receipt_button.setVisible(
            bill is not None and bill.status is BillStatus.PARTIALLY_PAID
        )

    def offer(self, methods: AccountMethods, *, wallets: bool) -> None:
        """Show only the ways of paying the clinic's PayMongo account has (its capabilities)."""
        self.qrph_button.setVisible(methods.offers(TenderMethod.QRPH))
        self.checkout_button.setVisible(methods.offers(TenderMethod.CHECKOUT))
        self.wallet_button.setVisible(wallets)
