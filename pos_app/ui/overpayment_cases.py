"""The overpayment cases (Ctrl+O): money PayMongo took beyond what a bill needed, as work staff
finish: "Refund…" (through PayMongo or by hand) or "Apply to another bill…" of the same patient.

Threading contract: GUI thread only; every service call runs on the task runner.
"""

from __future__ import annotations

from datetime import UTC, datetime

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.bill import Bill
from pos_app.domain.clinic_time import PHILIPPINE_TIME, wall_clock
from pos_app.domain.refund import RefundRoute, refund_route
from pos_app.services.counter import PaymentBackend
from pos_app.services.overpayments import (
    AppliedCase,
    CaseStatus,
    OverpaymentCase,
    OverpaymentService,
)
from pos_app.services.refunds.port import RefundPort, RefundView
from pos_app.ui.errors import message_for
from pos_app.ui.refund_dialog import RefundDialog
from pos_app.ui.refund_form import RefundForm, RefundRequest
from pos_app.ui.tasks import TaskRunner

__all__ = ["OverpaymentCasesDialog"]

STATUS_WORDS = {
    CaseStatus.OPEN: "To do",
    CaseStatus.REFUND_PENDING: "Refund pending",
    CaseStatus.CLOSED: "Done",
}


class OverpaymentCasesDialog(QDialog):
    """The open cases; each button acts on the case picked in the table."""

    COLUMNS = ("When", "Bill", "Amount", "Method", "PayMongo reference", "Patient", "Why", "Status")
    loaded = Signal(object)  # the list of OverpaymentCase now shown
    resolved = Signal(str)  # what was done, in words (also shown in the dialog)

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._backend: PaymentBackend | None = None
        self._service: OverpaymentService | None = None
        self._refunds: RefundPort | None = None
        self.cases: list[OverpaymentCase] = []
        self.refund_dialog: RefundDialog | None = None
        self.pick_bill: QInputDialog | None = None
        self.setWindowTitle("Overpayments to review")
        self.resize(1080, 420)
        why = QLabel(
            "Money that arrived after its QR code or link was closed, or for a bill that was "
            "already paid. Give it back (through PayMongo, or by hand where PayMongo cannot, "
            "such as QR Ph), or apply it to another open bill of the same patient."
        )
        why.setWordWrap(True)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(6, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.currentCellChanged.connect(lambda *_: self._enable())
        self.summary = QLabel("Loading…")
        self.summary.setWordWrap(True)
        self.outcome = QLabel("")  # what the last refund or application did
        self.outcome.setWordWrap(True)
        self.refund_button = QPushButton("Refund…")
        self.apply_button = QPushButton("Apply to another bill…")
        close = QPushButton("Close   Esc")
        for button in (self.refund_button, self.apply_button, close):
            button.setMinimumHeight(44)
        self.refund_button.clicked.connect(self.refund_picked)
        self.apply_button.clicked.connect(self.apply_picked)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addWidget(self.refund_button, 1)
        buttons.addWidget(self.apply_button, 1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(why)
        layout.addWidget(self.summary)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.outcome)
        layout.addLayout(buttons)
        self._enable()

    def load(self, backend: PaymentBackend | None) -> None:
        """Read the open cases (``backend`` None: the payment side is still starting)."""
        self._backend = backend
        service = self._service = backend.overpayments if backend is not None else None
        self._refunds = backend.refunds if backend is not None else None
        if service is None:
            self.show_problem("Kaha is still connecting to PayMongo.")
            return
        self.summary.setText("Loading…")
        self._runner.run_net(
            service.cases, on_success=self.show_cases, on_failure=self._failed, owner=self
        )

    def show_cases(self, cases: object) -> None:
        assert isinstance(cases, list)
        self.cases = cases
        now = datetime.now(UTC)
        zone = PHILIPPINE_TIME if self._backend is None else self._backend.clinic_zone
        self.table.setRowCount(len(cases))
        for row, case in enumerate(self.cases):
            attempt = case.attempt
            manual = refund_route(attempt.method, attempt.updated_at, now) is RefundRoute.MANUAL
            cells = (
                wall_clock(attempt.updated_at, zone),
                case.bill_number,
                case.amount.format(),
                f"{attempt.method.label} (refund by hand)" if manual else attempt.method.label,
                case.reference,
                case.patient_name,
                case.why,
                STATUS_WORDS[case.status],
            )
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        to_do = sum(1 for c in self.cases if c.status is CaseStatus.OPEN)
        self.summary.setText(
            "No overpayments to review."
            if not self.cases
            else f"{len(self.cases)} to review ({to_do} waiting for someone)."
        )
        if self.cases and self.table.currentRow() < 0:
            self.table.selectRow(0)
        self._enable()
        self.loaded.emit(self.cases)

    def show_problem(self, text: str) -> None:
        self.summary.setText(text)

    def picked(self) -> OverpaymentCase | None:
        row = self.table.currentRow()
        return self.cases[row] if 0 <= row < len(self.cases) else None

    # --- refund ----------------------------------------------------------------------------------

    def refund_picked(self) -> RefundDialog | None:
        case, service, refunds = self.picked(), self._service, self._refunds
        if case is None or service is None:
            return None
        if refunds is None:
            self.show_problem("Refunds are not available yet. Please try again in a moment.")
            return None
        if self.refund_dialog is None:
            self.refund_dialog = RefundDialog(self._runner, refunds, self)
            self.refund_dialog.refund_changed.connect(self._refund_changed)
        dialog = self.refund_dialog
        attempt = case.attempt
        route = refund_route(attempt.method, attempt.updated_at, datetime.now(UTC))

        def offer(form: RefundForm) -> None:
            form.offer(
                case.amount,
                paymongo=route is RefundRoute.THROUGH_PAYMONGO,
                why_by_hand=f"PayMongo does not refund {attempt.method.label} payments here"
                if attempt.method.uses_paymongo
                else "paid in cash",
            )
            form.reason.setText(f"Overpayment: {case.why}")

        def send(request: RefundRequest) -> RefundView:
            return service.refund(
                attempt.id,
                reason=request.reason,
                notes=request.notes,
                through_paymongo=request.through_paymongo,
                channel=request.channel,
                reference=request.reference,
            )

        title = (
            f"Give back {case.amount} to {case.patient_name} "
            f"({attempt.method.label}, bill {case.bill_number}, {case.why})"
        )
        dialog.open_case(title, offer, send)
        return dialog

    def _refund_changed(self, view: RefundView) -> None:
        text = f"Refund of {view.refund.amount}: {view.message or view.refund.state.value}"
        self.outcome.setText(text)
        self.resolved.emit(text)
        self.load(self._backend)

    # --- apply to another bill -------------------------------------------------------------------

    def apply_picked(self) -> None:
        case, service = self.picked(), self._service
        if case is None or service is None:
            return
        self.summary.setText("Looking for the patient's open bills…")
        self._runner.run_net(
            lambda: service.open_bills_for(case.attempt.id),
            on_success=lambda bills: self._ask_bill(case, bills),
            on_failure=self._failed,
            owner=self,
        )

    def _ask_bill(self, case: OverpaymentCase, bills: object) -> None:
        assert isinstance(bills, list)
        fitting: list[Bill] = [b for b in bills if b.balance >= case.amount]
        if not fitting:
            self.summary.setText(
                f"{case.patient_name} has no open bill with {case.amount} or more to pay. "
                "Refund the money instead."
            )
            return
        labels = [
            f"Bill {b.number} — balance {b.balance} — {b.description or 'services'}"
            for b in fitting
        ]
        ask = self.pick_bill = QInputDialog(self)
        ask.setWindowTitle("Apply to another bill")
        ask.setLabelText(f"Pay which bill of {case.patient_name} with the {case.amount}?")
        ask.setComboBoxItems(labels)
        ask.setOption(QInputDialog.InputDialogOption.UseListViewForComboBoxItems)
        ask.resize(640, 280)
        ask.textValueSelected.connect(lambda text: self._apply(case, fitting[labels.index(text)]))
        ask.open()

    def _apply(self, case: OverpaymentCase, bill: Bill) -> None:
        service = self._service
        if service is None:
            return
        self.summary.setText(f"Applying {case.amount} to bill {bill.number}…")
        self._runner.run_net(
            lambda: service.apply_to_bill(case.attempt.id, bill.id),
            on_success=self._applied,
            on_failure=self._failed,
            owner=self,
        )

    def _applied(self, applied: object) -> None:
        assert isinstance(applied, AppliedCase)
        bill = applied.bill
        text = f"{applied.case.amount} applied to bill {bill.number}; balance now {bill.balance}."
        if applied.settlement is not None:
            text += f" Bill paid: invoice {applied.settlement.invoice.number}."
        self.outcome.setText(text)
        self.resolved.emit(text)
        self.load(self._backend)

    def _enable(self) -> None:
        case = self.picked()
        open_case = case is not None and case.status is CaseStatus.OPEN
        self.refund_button.setEnabled(open_case)
        self.apply_button.setEnabled(open_case)

    def _failed(self, exc: BaseException) -> None:
        self.summary.setText(message_for(exc) or "")
