"""The senior citizen / PWD discount dialog (Ctrl+D) and what the window does with it.

Threading contract: GUI thread only. The dialog only collects and checks the ID details; the
discount service runs on the task runner's database worker.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.discount import DiscountKind
from pos_app.domain.errors import DiscountRefused
from pos_app.services.discounts import ID_TYPES, SeniorPwdId
from pos_app.ui.errors import message_for

if TYPE_CHECKING:
    from pos_app.domain.bill import Bill
    from pos_app.ui.main_window import MainWindow
    from pos_app.ui.tasks import TaskRunner

KINDS = (
    ("Senior citizen", DiscountKind.SENIOR),
    ("Person with disability (PWD)", DiscountKind.PWD),
)


class DiscountDialog(QDialog):
    """Senior citizen or PWD, the ID type, the ID number and the name on the ID."""

    def __init__(self, bill: Bill, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Senior citizen / PWD discount")
        self.kind_box = QComboBox()
        for text, kind in KINDS:
            self.kind_box.addItem(text, kind)
        self.id_type_box = QComboBox()
        self.id_number_edit = QLineEdit()
        self.id_number_edit.setPlaceholderText("As printed on the ID")
        self.name_edit = QLineEdit(bill.patient.full_name)
        self.name_edit.setPlaceholderText("The name exactly as on the ID")
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.apply_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Apply 20% discount   Ctrl+Return")
        ok.setShortcut("Ctrl+Return")
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow("Patient is a", self.kind_box)
        form.addRow("ID shown", self.id_type_box)
        form.addRow("ID number", self.id_number_edit)
        form.addRow("Name on the ID", self.name_edit)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel(f"Bill {bill.number} — {bill.patient.full_name}, {bill.balance}"))
        layout.addLayout(form)
        layout.addWidget(
            QLabel("One 20% only (VAT taken off first when the clinic is VAT-registered).")
        )
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.kind_box.currentIndexChanged.connect(self._offer_id_types)
        self._offer_id_types()
        self.card: SeniorPwdId | None = None

    def _offer_id_types(self) -> None:
        self.id_type_box.clear()
        self.id_type_box.addItems(list(ID_TYPES[DiscountKind(self.kind_box.currentData())]))

    def _accept_if_valid(self) -> None:
        card = SeniorPwdId(
            DiscountKind(self.kind_box.currentData()),
            self.id_type_box.currentText(),
            self.id_number_edit.text(),
            self.name_edit.text(),
        )
        try:
            self.card = card.checked()
        except DiscountRefused as exc:
            self.problem.setText(exc.user_message)
            return
        self.accept()


def refusal(window: MainWindow) -> str | None:
    """Why the selected bill cannot take the discount now, in plain words; None if it can."""
    payment, bill = window.payment, window.payment.bill
    if payment.backend is None or payment.backend.discounts is None:
        return "Kaha is still connecting. Try again in a moment."
    if bill is None:
        return "Pick the patient's bill first."
    if not bill.amount_paid.is_zero:
        return (
            f"Bill {bill.number} already has a payment, so the senior/PWD discount can no "
            "longer be added. Apply it before collecting."
        )
    if payment.current is not None and payment.current.is_open:
        return f"A payment is open on bill {bill.number}. Cancel it first, then apply the discount."
    if payment.holds_bill:
        return f"Finish or cancel what is on screen for bill {bill.number} first."
    if not bill.discount.is_zero:
        return f"Bill {bill.number} already has its discount. Only one 20% applies."
    return None


def open_discount(window: MainWindow, runner: TaskRunner) -> DiscountDialog | None:
    """Ctrl+D: the dialog for the selected bill, or a plain sentence why not."""
    why_not = refusal(window)
    bill = window.payment.bill
    if why_not is not None or bill is None:
        window.statusBar().showMessage(why_not or "", 8000)
        window.payment.hint.setText(why_not or "")
        return None
    dialog = DiscountDialog(bill, window)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)  # gone, and the counter active again
    dialog.accepted.connect(lambda: _apply(window, runner, bill, dialog))
    dialog.open()
    return dialog


def _apply(window: MainWindow, runner: TaskRunner, bill: Bill, dialog: DiscountDialog) -> None:
    backend, card = window.payment.backend, dialog.card
    if backend is None or backend.discounts is None or card is None:
        return
    service = backend.discounts

    def shown(updated: object) -> None:
        from pos_app.domain.bill import Bill

        assert isinstance(updated, Bill)
        what = "Senior citizen" if card.kind is DiscountKind.SENIOR else "PWD"
        message = (
            f"{what} discount applied to bill {updated.number}: {updated.discount} off, "
            f"now {updated.balance} due."
        )
        if window.payment.bill is not None and window.payment.bill.id == updated.id:
            window.detail.show_bill(updated)
            window.payment.show_bill(updated)
        window.payment.hint.setText(message)
        window.statusBar().showMessage(message, 8000)
        window.queue.reload()

    def failed(exc: BaseException) -> None:
        message = message_for(exc) or ""
        window.payment.hint.setText(message)
        window.statusBar().showMessage(message, 8000)

    runner.run_db(
        lambda: service.apply(bill.id, card), on_success=shown, on_failure=failed, owner=window
    )
