"""The selected bill: patient, service lines and what remains to be paid. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.bill import Bill
from pos_app.ui.bill_queue import STATUS_COLOURS, STATUS_LABELS


class BillDetailView(QFrame):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.title = QLabel("Choose a bill on the left")
        self.title.setStyleSheet("font-size: 20px; font-weight: bold;")
        self.patient = QLabel("")
        self.status = QLabel("")
        self.lines = QTableWidget(0, 4)
        self.lines.setHorizontalHeaderLabels(["Service", "Qty", "Unit price", "Amount"])
        self.lines.verticalHeader().setVisible(False)
        self.lines.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.amount_due = QLabel("")
        self.amount_paid = QLabel("")
        self.balance = QLabel("")
        self.balance.setStyleSheet("font-size: 26px; font-weight: bold;")
        totals = QFormLayout()
        totals.addRow("Amount due", self.amount_due)
        totals.addRow("Paid so far", self.amount_paid)
        totals.addRow("Balance", self.balance)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addWidget(self.patient)
        layout.addWidget(self.status)
        layout.addWidget(self.lines, 1)
        layout.addLayout(totals)
        self.bill: Bill | None = None

    def show_bill(self, bill: Bill | None) -> None:
        self.bill = bill
        if bill is None:
            self.title.setText("Choose a bill on the left")
            for label in (
                self.patient,
                self.status,
                self.amount_due,
                self.amount_paid,
                self.balance,
            ):
                label.setText("")
            self.lines.setRowCount(0)
            return
        self.title.setText(f"Bill {bill.number}")
        senior = (
            f"   ·   Senior/PWD ID {bill.patient.senior_pwd_id}"
            if bill.patient.senior_pwd_id
            else ""
        )
        self.patient.setText(f"{bill.patient.full_name}{senior}")
        self.status.setText(STATUS_LABELS[bill.status])
        self.status.setStyleSheet(f"color: {STATUS_COLOURS[bill.status]}; font-weight: bold;")
        self.lines.setRowCount(len(bill.lines))
        right = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
        for row, line in enumerate(bill.lines):
            cells = (
                line.description,
                str(line.quantity),
                line.unit_price.format(),
                line.total.format(),
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if column:
                    item.setTextAlignment(right)
                self.lines.setItem(row, column, item)
        self.amount_due.setText(bill.amount_due.format())
        self.amount_paid.setText(bill.amount_paid.format())
        self.balance.setText(bill.balance.format())
