"""The walk-in bill dialog (Ctrl+N).

Threading contract: GUI thread only. The dialogs only collect and show values; the main window
runs the service calls on the task runner.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import AmountError
from pos_app.domain.money import Money

WalkInLine = tuple[str, int, Money]
LINE_ROWS = 5


class WalkInDialog(QDialog):
    """Patient name and up to five lines (description, quantity, unit price)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("New walk-in bill")
        self.resize(560, 360)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Patient name, e.g. Juan Dela Cruz")
        self.lines = QTableWidget(LINE_ROWS, 3)
        self.lines.setHorizontalHeaderLabels(["What for", "Qty", "Unit price (₱)"])
        self.lines.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.lines.verticalHeader().setVisible(False)
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b91c1c;")
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Open bill   Ctrl+Return")
        ok.setShortcut("Ctrl+Return")
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("Patient name"))
        layout.addWidget(self.name_edit)
        layout.addWidget(QLabel("Lines (Tab moves to the next cell)"))
        layout.addWidget(self.lines, 1)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.patient_name = ""
        self.bill_lines: list[WalkInLine] = []

    def _cell(self, row: int, column: int) -> str:
        item = self.lines.item(row, column)
        return item.text().strip() if item is not None else ""

    def _read_lines(self) -> list[WalkInLine]:
        found: list[WalkInLine] = []
        for row in range(self.lines.rowCount()):
            description = self._cell(row, 0)
            if not description:
                continue
            quantity_text = self._cell(row, 1) or "1"
            if not quantity_text.isdigit() or int(quantity_text) < 1:
                raise AmountError(f"Line {row + 1}: the quantity should be a whole number.")
            found.append((description, int(quantity_text), Money.parse(self._cell(row, 2))))
        return found

    def _accept_if_valid(self) -> None:
        name = self.name_edit.text().strip()
        try:
            lines = self._read_lines()
        except AmountError as exc:
            self.problem.setText(exc.user_message)
            return
        if not name:
            self.problem.setText("Type the patient's name.")
        elif not lines:
            self.problem.setText("Add at least one line with what the patient pays for.")
        else:
            self.patient_name, self.bill_lines = name, lines
            self.accept()
