"""PayMongo's payouts (Ctrl+Shift+P): each payout's sum from gross to net, the payments in it
with their invoices, and the CSV for the clinic's accountant.

Threading contract: GUI thread only; reading the payouts runs on the task runner's network
pool, writing the CSV is a small local file written on the GUI thread.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import tzinfo
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHeaderView,
    QLabel,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.clinic_time import PHILIPPINE_TIME, wall_clock
from pos_app.services.counter import PaymentBackend
from pos_app.services.reconcile.payouts import PayoutReport, pesos, write_csv
from pos_app.ui.errors import message_for
from pos_app.ui.tasks import TaskRunner

PAYOUT_COLUMNS = (
    "Date",
    "Status",
    "Bank reference",
    "Gross",
    "Fees",
    "Withholding (2%)",
    "Refunds",
    "Adjustments",
    "Net",
    "Payments",
)
LINE_COLUMNS = ("Payment", "Paid at", "Method", "Gross", "Fee", "Net", "Bill", "Invoice")


def _table(columns: Sequence[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(list(columns))
    table.verticalHeader().setVisible(False)
    table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return table


def _fill(table: QTableWidget, rows: Sequence[Sequence[str]]) -> None:
    table.setRowCount(len(rows))
    for row, cells in enumerate(rows):
        for column, text in enumerate(cells):
            table.setItem(row, column, QTableWidgetItem(text))


class PayoutsDialog(QDialog):
    loaded = Signal()  # the payouts are on screen

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._zone: tzinfo = PHILIPPINE_TIME  # the clinic's, from the backend (``load``)
        self.reports: list[PayoutReport] = []
        self.setWindowTitle("PayMongo payouts")
        self.resize(1100, 600)
        self.summary = QLabel("Loading…")
        self.payouts = _table(PAYOUT_COLUMNS)
        self.lines = _table(LINE_COLUMNS)
        self.payouts.itemSelectionChanged.connect(self._show_selected)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.payouts)
        split.addWidget(self.lines)
        self.export_button = QPushButton("Export CSV for the accountant…")
        self.export_button.clicked.connect(self._ask_where)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.export_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        note = QLabel(
            "What PayMongo sent to the clinic's bank: the payments, less PayMongo's fees, plus the "
            "2% withholding on fees PayMongo credits back, less refunds, plus adjustments."
        )
        note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(note)
        layout.addWidget(self.summary)
        layout.addWidget(split, 1)
        layout.addWidget(buttons)

    def load(self, backend: PaymentBackend | None) -> None:
        if backend is None or backend.payouts is None:
            self.summary.setText("Kaha is still connecting to PayMongo.")
            return
        self._zone = backend.clinic_zone
        self.summary.setText("Loading PayMongo's payouts…")
        self._runner.run_net(
            backend.payouts.reports,
            on_success=self.show_reports,
            on_failure=lambda exc: self.summary.setText(message_for(exc) or ""),
            owner=self,
        )

    def show_reports(self, reports: list[PayoutReport]) -> None:
        self.reports = list(reports)
        rows = []
        for report in reports:
            p = report.payout
            rows.append(
                (
                    wall_clock(report.date, self._zone, "%Y-%m-%d"),
                    p.status.replace("_", " "),
                    p.reference_number or "—",
                    *report.amount_columns,
                    str(len(report.lines)),
                )
            )
        _fill(self.payouts, rows)
        self.summary.setText(
            f"{len(reports)} payouts."
            if reports
            else "PayMongo has no payouts for this account yet."
        )
        if reports:
            self.payouts.selectRow(0)
            self._show_selected()
        self.loaded.emit()

    def _show_selected(self) -> None:
        row = self.payouts.currentRow()
        if not 0 <= row < len(self.reports):
            return
        report = self.reports[row]
        _fill(
            self.lines,
            [
                (
                    line.payment_id,
                    wall_clock(line.paid_at, self._zone),
                    line.method,
                    pesos(line.gross.centavos),
                    pesos(line.fee.centavos),
                    pesos(line.net.centavos),
                    line.bill_number or "—",
                    line.invoice_number or line.note,
                )
                for line in report.lines
            ],
        )
        if report.difference_centavos:
            self.summary.setText(
                f"Payout {report.payout.id}: payments for {pesos(report.difference_centavos)} "
                "of its gross were not found in PayMongo's list."
            )

    def _ask_where(self) -> None:
        path, _ = QFileDialog.getSaveFileName(
            self, "Export payouts", "kaha-payouts.csv", "CSV files (*.csv)"
        )
        if path:
            self.export_to(Path(path))

    def export_to(self, path: Path) -> None:
        try:
            write_csv(self.reports, path, self._zone)
        except OSError as exc:
            self.summary.setText(f"Could not write {path}: {exc.strerror or exc}")
            return
        self.summary.setText(f"Saved {len(self.reports)} payouts to {path}")
