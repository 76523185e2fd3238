"""The part of a refund staff fill in: route, amount, reason, notes, and for a refund by hand
how the money goes back (cash from the drawer, or a bank or e-wallet transfer and its reference).

Used by the refund dialog for a paid bill and for an overpayment case. GUI thread only.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QWidget,
)

from pos_app.domain.errors import AmountError, UserFacingError
from pos_app.domain.money import Money
from pos_app.services.refunds.port import RefundChannel
from pos_app.ui.widgets import money_edit

__all__ = ["RefundForm", "RefundRequest"]

THROUGH_PAYMONGO = "Through PayMongo (back to the patient's GCash, card…)"
BY_HAND = "By hand, with a refund slip the patient signs"


@dataclass(frozen=True)
class RefundRequest:
    through_paymongo: bool
    amount: Money
    reason: str
    notes: str
    channel: RefundChannel | None  # by hand only
    reference: str | None  # bank / e-wallet transfer only


class RefundForm(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._refundable = Money.ZERO
        self.route = QComboBox()
        self.why_by_hand = QLabel("")
        self.why_by_hand.setWordWrap(True)
        self.amount = money_edit("Amount to give back")
        self.reason = QLineEdit()
        self.reason.setPlaceholderText("Why (printed on the slip), e.g. service not given")
        self.notes = QLineEdit()
        self.notes.setPlaceholderText("Notes for the clinic (optional)")
        self.channel = QComboBox()
        for channel in RefundChannel:
            self.channel.addItem(channel.label, channel.value)  # Qt keeps a str, not the enum
        self.reference = QLineEdit()
        self.reference.setPlaceholderText("Transfer reference number")
        form = self._form = QFormLayout(self)
        form.addRow("Route", self.route)
        form.addRow("", self.why_by_hand)
        form.addRow("Amount", self.amount)
        form.addRow("Reason", self.reason)
        form.addRow("Notes", self.notes)
        form.addRow("Give back as", self.channel)
        form.addRow("Reference", self.reference)
        self.route.currentIndexChanged.connect(self._route_changed)
        self.channel.currentIndexChanged.connect(self._route_changed)

    def offer(self, refundable: Money, *, paymongo: bool, why_by_hand: str | None) -> None:
        """What this payment allows: the most that may go back, and whether PayMongo takes it."""
        self._refundable = refundable
        self.route.blockSignals(True)
        self.route.clear()
        if paymongo:
            self.route.addItem(THROUGH_PAYMONGO, True)
        self.route.addItem(BY_HAND, False)
        self.route.blockSignals(False)
        self.why_by_hand.setText("" if paymongo else f"By hand: {why_by_hand or 'see below'}.")
        self.amount.setText(refundable.to_decimal_str())
        self._route_changed()

    def fix_amount(self, fixed: bool) -> None:
        """An overpayment case goes back whole: the amount is shown, not typed."""
        self.amount.setReadOnly(fixed)

    @property
    def by_hand(self) -> bool:
        return self.route.currentData() is False

    @property
    def picked_channel(self) -> RefundChannel:
        data = self.channel.currentData()
        return RefundChannel(data) if isinstance(data, str) else RefundChannel.CASH

    def _route_changed(self) -> None:
        by_hand = self.by_hand
        channel = self.picked_channel
        for widget in (self.channel, self._form.labelForField(self.channel)):
            if widget is not None:
                widget.setVisible(by_hand)
        needs_reference = by_hand and channel.needs_reference
        for widget in (self.reference, self._form.labelForField(self.reference)):
            if widget is not None:
                widget.setVisible(needs_reference)

    def request(self) -> RefundRequest:
        """What was typed, checked, in words for the person at the counter."""
        try:
            amount = Money.parse(self.amount.text())
        except AmountError as exc:
            raise AmountError("Type the amount to give back, like 250.00.") from exc
        if amount.is_zero:
            raise AmountError("Type an amount above zero to give back.")
        if amount > self._refundable:
            raise AmountError(
                f"At most {self._refundable} can still go back from this payment. "
                "Please type that or less."
            )
        reason = " ".join(self.reason.text().split())
        if not reason:
            raise UserFacingError("Type why the money goes back (it is printed on the slip).")
        channel: RefundChannel | None = None
        reference: str | None = None
        if self.by_hand:
            channel = self.picked_channel
            if channel.needs_reference:
                reference = self.reference.text().strip()
                if not reference:
                    raise UserFacingError(
                        "Type the transfer's reference number, so the patient and the clinic "
                        "can find it."
                    )
        return RefundRequest(
            through_paymongo=not self.by_hand,
            amount=amount,
            reason=reason,
            notes=self.notes.text().strip(),
            channel=channel,
            reference=reference,
        )
