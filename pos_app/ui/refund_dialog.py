"""The refund dialog: find a paid bill (invoice number, bill number or patient), pick one of its
payments, give part or all of it back through PayMongo or by hand, and follow the refund until
it succeeds or fails; Print slip for a refund by hand. It also refunds an overpayment case.

Threading contract: GUI thread only. Every call to the refund service runs on the task runner's
network pool (it may wait on PayMongo); a refund still pending is checked again every few
seconds while the dialog is open.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import UserFacingError
from pos_app.domain.refund import RefundRoute, RefundState
from pos_app.services.refunds.port import PaidBill, RefundOptions, RefundPort, RefundView
from pos_app.ui.errors import message_for
from pos_app.ui.refund_form import RefundForm, RefundRequest
from pos_app.ui.tasks import TaskRunner
from pos_app.ui.widgets import big_label

__all__ = ["RefundDialog"]

CHECK_EVERY_MS = 3000
STATE_WORDS = {
    RefundState.REQUESTED: "Sending…",
    RefundState.PENDING: "Pending",
    RefundState.SUCCEEDED: "Done",
    RefundState.FAILED: "Failed",
}


class RefundDialog(QDialog):
    """One bill (or one overpayment case) at a time."""

    options_shown = Signal(object)  # the RefundOptions now on screen
    refund_changed = Signal(object)  # a RefundView: sent, then each time its state is read

    def __init__(self, runner: TaskRunner, refunds: RefundPort, parent: QWidget | None = None):
        super().__init__(parent)
        self._runner, self._refunds = runner, refunds
        self.options: RefundOptions | None = None
        self.found: list[PaidBill] = []
        self.refund: RefundView | None = None
        self._send: Callable[[RefundRequest], RefundView] | None = None
        self.setWindowTitle("Refund")
        self.resize(760, 640)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Invoice number, bill number or patient name, then Enter")
        self.search.returnPressed.connect(self.find_bills)
        self.results = QListWidget()
        self.results.setMaximumHeight(110)
        self.results.currentRowChanged.connect(self._picked_bill)
        self.title = big_label("Find the paid bill to refund", 15, wrap=True)
        self.tenders = QTableWidget(0, 5)
        self.tenders.setHorizontalHeaderLabels(
            ["Paid by", "Paid", "Already refunded", "Refundable", "Route"]
        )
        header = self.tenders.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.tenders.verticalHeader().setVisible(False)
        self.tenders.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.tenders.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.tenders.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.tenders.currentCellChanged.connect(lambda *_: self._picked_tender())
        self.form = RefundForm()
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.refund_button = QPushButton("Refund")
        self.refund_button.setMinimumHeight(44)
        self.refund_button.clicked.connect(self.submit)
        self.print_button = QPushButton("Print slip")
        self.print_button.setMinimumHeight(44)
        self.print_button.clicked.connect(self.print_slip)
        self.print_button.setVisible(False)
        close = QPushButton("Close   Esc")
        close.setMinimumHeight(44)
        close.clicked.connect(self.reject)
        self._timer = QTimer(self)
        self._timer.setInterval(CHECK_EVERY_MS)
        self._timer.timeout.connect(self.check_now)
        self._lay_out(close)

    def _lay_out(self, close: QPushButton) -> None:
        buttons = QHBoxLayout()
        buttons.addWidget(self.refund_button, 1)
        buttons.addWidget(self.print_button)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.results)
        layout.addWidget(self.title)
        layout.addWidget(self.tenders, 1)
        layout.addWidget(self.form)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    # --- finding the bill ------------------------------------------------------------------------

    def open_search(self) -> None:
        self._reset()
        self.search.setFocus()
        self.show()

    def find_bills(self) -> None:
        text = self.search.text().strip()
        if not text:
            return
        self.status.setText("Looking…")
        self._runner.run_net(
            lambda: self._refunds.find(text),
            on_success=self._show_found,
            on_failure=self._show_failure,
            owner=self,
        )

    def _show_found(self, found: object) -> None:
        assert isinstance(found, list)
        self.found = found
        self.results.clear()
        for bill in self.found:
            invoice = f"invoice {bill.invoice_number}, " if bill.invoice_number else ""
            self.results.addItem(
                f"Bill {bill.bill_number} — {bill.patient_name} — {invoice}"
                f"paid {bill.paid}, refunded {bill.refunded}"
            )
        self.results.setVisible(bool(self.found))
        self.status.setText("" if self.found else "No paid bill matches. Check the number.")
        if len(self.found) == 1:
            self.results.setCurrentRow(0)

    def _picked_bill(self, row: int) -> None:
        if 0 <= row < len(self.found):
            self.open_bill(self.found[row].bill_id, searching=True)

    # --- one bill --------------------------------------------------------------------------------

    def open_bill(self, bill_id: int, *, searching: bool = False) -> None:
        """The bill's payments and what each can still give back (from Ctrl+I or the search)."""
        if not searching:
            self._reset()
        self._send = None
        if self.refund is None:  # otherwise the refund's progress stays in sight
            self.status.setText("Loading the bill's payments…")
        self._runner.run_net(
            lambda: self._refunds.options(bill_id),
            on_success=self._show_options,
            on_failure=self._show_failure,
            owner=self,
        )
        self.show()

    def _show_options(self, options: object) -> None:
        assert isinstance(options, RefundOptions)
        self.options = options
        bill = options.bill
        invoice = f", invoice {bill.invoice_number}" if bill.invoice_number else ""
        self.title.setText(
            f"Bill {bill.bill_number}{invoice} — {bill.patient_name}. "
            f"Paid {bill.paid}; refundable now {options.refundable}."
        )
        self.tenders.setRowCount(len(options.tenders))
        for row, tender in enumerate(options.tenders):
            route = (
                "PayMongo"
                if tender.route is RefundRoute.THROUGH_PAYMONGO
                else f"By hand: {tender.why_manual or 'PayMongo cannot refund it'}"
            )
            if tender.applied and tender.route is RefundRoute.THROUGH_PAYMONGO:
                route = f"PayMongo, from the overpayment's payment {tender.paymongo_payment_id}"
            cells = (
                f"{tender.method.label} (applied overpayment)"
                if tender.applied
                else tender.method.label,
                str(tender.paid),
                str(tender.already_refunded),
                str(tender.refundable),
                route,
            )
            for column, text in enumerate(cells):
                self.tenders.setItem(row, column, QTableWidgetItem(text))
        refundable_rows = [r for r, t in enumerate(options.tenders) if t.refundable]
        if refundable_rows:
            self.tenders.selectRow(refundable_rows[0])
            self._picked_tender()
            if self.refund is None:
                self.status.setText("")
        else:
            self.refund_button.setEnabled(False)
            if self.refund is None:
                self.status.setText("Everything paid on this bill has already gone back.")
        self.options_shown.emit(options)

    def _picked_tender(self) -> None:
        options, row = self.options, self.tenders.currentRow()
        if options is None or not 0 <= row < len(options.tenders) or self._send is not None:
            return
        tender = options.tenders[row]
        self.form.fix_amount(False)
        self.form.offer(
            tender.refundable,
            paymongo=tender.route is RefundRoute.THROUGH_PAYMONGO,
            why_by_hand=tender.why_manual,
        )
        self.refund_button.setEnabled(bool(tender.refundable))
        if self.refund is not None:  # one refund made: the next one is typed afresh
            self.form.amount.clear()
            self.form.reason.clear()
            self.form.notes.clear()

    # --- an overpayment case -------------------------------------------------------------------

    def open_case(
        self,
        title: str,
        offer: Callable[[RefundForm], None],
        send: Callable[[RefundRequest], RefundView],
    ) -> None:
        """Refund money that belongs to no bill (an overpayment case): ``send`` does it."""
        self._reset()
        self._send = send
        self.search.setVisible(False)
        self.results.setVisible(False)
        self.tenders.setVisible(False)
        self.title.setText(title)
        offer(self.form)
        self.form.fix_amount(True)
        self.resize(self.width(), 460)  # no search or payments table for a case
        self.show()

    # --- giving money back -------------------------------------------------------------------

    def submit(self) -> None:
        try:
            request = self.form.request()
        except UserFacingError as exc:
            self._show_failure(exc)
            return
        self.refund_button.setEnabled(False)
        self.status.setText(
            "Asking PayMongo to refund…" if request.through_paymongo else "Recording the refund…"
        )
        self._runner.run_net(
            lambda: self._sender()(request),
            on_success=self._show_refund,
            on_failure=self._refused,
            owner=self,
        )

    def _sender(self) -> Callable[[RefundRequest], RefundView]:
        if self._send is not None:
            return self._send
        options, row = self.options, self.tenders.currentRow()
        assert options is not None
        tender = options.tenders[row]
        bill_id, refunds = options.bill.bill_id, self._refunds

        def send(request: RefundRequest) -> RefundView:
            if request.through_paymongo:
                assert tender.attempt_id is not None
                return refunds.refund_through_paymongo(
                    bill_id,
                    tender.attempt_id,
                    request.amount,
                    request.reason,
                    request.notes,
                    tender_id=tender.tender_id,
                )
            assert request.channel is not None
            return refunds.refund_by_hand(
                bill_id,
                tender.attempt_id,
                request.amount,
                request.reason,
                request.notes,
                channel=request.channel,
                reference=request.reference,
                tender_id=tender.tender_id,
            )

        return send

    def _show_refund(self, view: object) -> None:
        assert isinstance(view, RefundView)
        self.refund = view
        state = view.refund.state
        words = view.message or f"{STATE_WORDS[state]}: {view.refund.amount}"
        if view.slip_number and view.slip_number not in words:
            words += f" Refund slip {view.slip_number}."
        self.status.setText(words)
        self.print_button.setVisible(view.slip_number is not None)
        if state.is_terminal:
            self._timer.stop()
        elif not self._timer.isActive():
            self._timer.start()
        if self.options is not None and self._send is None:
            self.open_bill(self.options.bill.bill_id, searching=True)  # the new refundable
        self.refund_changed.emit(view)

    def check_now(self) -> None:
        """Read the pending refund's state again (PayMongo, or its webhook, may have moved it)."""
        view = self.refund
        if view is None:
            return
        refund_id = view.refund.id
        self._runner.run_net(
            lambda: self._refunds.check(refund_id),
            on_success=self._show_refund,
            on_failure=self._show_failure,
            owner=self,
        )

    def print_slip(self) -> None:
        view = self.refund
        if view is None:
            return
        refund_id = view.refund.id
        self.status.setText("Printing the refund slip…")
        self._runner.run_net(
            lambda: self._refunds.print_slip(refund_id),
            on_success=lambda said: self.status.setText(
                f"{said} Ask the patient to sign the refund slip {view.slip_number}."
            ),
            on_failure=self._show_failure,
            owner=self,
        )

    # --- the rest ------------------------------------------------------------------------------

    def stop(self) -> None:
        self._timer.stop()

    def done(self, result: int) -> None:
        self._timer.stop()  # nothing is checked for a dialog no one sees
        super().done(result)

    def _reset(self) -> None:
        self._timer.stop()
        self.options, self.refund, self._send = None, None, None
        for widget in (self.search, self.tenders):
            widget.setVisible(True)
        self.results.setVisible(False)  # until a search finds something
        self.tenders.setRowCount(0)
        self.print_button.setVisible(False)
        self.refund_button.setEnabled(True)
        self.status.setText("")

    def _refused(self, exc: BaseException) -> None:
        self.refund_button.setEnabled(True)
        self._show_failure(exc)

    def _show_failure(self, exc: BaseException) -> None:
        self.status.setText(message_for(exc) or "")
