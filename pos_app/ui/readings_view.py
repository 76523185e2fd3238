"""Shifts and readings in the window: Open shift…, X-reading, Close shift…, Z-reading.

Threading contract: GUI thread only. The dialogs only collect an amount or a yes; the reading
service (which checks who may do what, stores and prints) runs on the task runner's database
worker, and the printed reading comes back to be shown as it was printed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.errors import AmountError
from pos_app.domain.money import Money
from pos_app.ui.errors import message_for

if TYPE_CHECKING:
    from pos_app.printing.document import ReceiptDocument
    from pos_app.services.readings import ReadingService
    from pos_app.ui.main_window import MainWindow
    from pos_app.ui.tasks import TaskRunner

MENU_ENTRIES = (
    ("Open shift…", "open_shift"),
    ("X-reading", "x_reading"),
    ("Close shift…", "close_shift"),
    ("Z-reading (close the day)", "z_reading"),
)


class CashDialog(QDialog):
    """One amount of cash: the float at the start of a shift, or the cash counted at its end."""

    def __init__(self, title: str, label: str, button: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.amount_edit = QLineEdit()
        self.amount_edit.setPlaceholderText("e.g. 2,000.00")
        self.problem = QLabel("")
        self.problem.setStyleSheet("color: #b91c1c;")
        self.problem.setWordWrap(True)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText(button)
        buttons.accepted.connect(self._accept_if_valid)
        buttons.rejected.connect(self.reject)
        form = QFormLayout()
        form.addRow(label, self.amount_edit)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.problem)
        layout.addWidget(buttons)
        self.amount: Money | None = None

    def _accept_if_valid(self) -> None:
        try:
            self.amount = Money.parse(self.amount_edit.text())
        except AmountError as exc:
            self.problem.setText(exc.user_message)
            return
        self.accept()


class ConfirmDialog(QDialog):
    """A yes before something that cannot be undone (closing the day)."""

    def __init__(self, text: str, button: str, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Close the day")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        message = QLabel(text)
        message.setWordWrap(True)
        self.yes_button = QPushButton(button)
        self.yes_button.clicked.connect(self.accept)
        cancel = QPushButton("Cancel")
        cancel.clicked.connect(self.reject)
        buttons = QDialogButtonBox()
        buttons.addButton(self.yes_button, QDialogButtonBox.ButtonRole.AcceptRole)
        buttons.addButton(cancel, QDialogButtonBox.ButtonRole.RejectRole)
        layout = QVBoxLayout(self)
        layout.addWidget(message)
        layout.addWidget(buttons)


class ReadingDialog(QDialog):
    """A reading as it was printed (80 mm columns), and where it went."""

    def __init__(self, parent: QWidget | None) -> None:
        super().__init__(parent)
        self.resize(520, 720)
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.printed = QLabel("")
        self.printed.setWordWrap(True)
        close = QPushButton("Close")
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.printed)
        layout.addWidget(close)

    def show_reading(self, title: str, document: ReceiptDocument, printed: str) -> None:
        from pos_app.printing import COLUMNS_80MM, render_text

        self.setWindowTitle(title)
        self.text.setPlainText(render_text(document, COLUMNS_80MM))
        self.printed.setText(printed)
        self.show()
        self.raise_()


class ReadingsFeature:
    """The four menu entries; each asks what it needs, then runs the service on a worker."""

    def __init__(self, window: MainWindow, runner: TaskRunner) -> None:
        self._window = window
        self._runner = runner
        self.dialog: ReadingDialog | None = None  # the last reading shown
        self.asking: QDialog | None = None  # the question open now, if any

    def slots(self) -> list[tuple[str, Callable[[], None]]]:
        return [(text, getattr(self, name)) for text, name in MENU_ENTRIES]

    def open_shift(self) -> None:
        service = self._service()
        if service is None:
            return
        dialog = CashDialog("Open shift", "Cash float in the drawer", "Open shift", self._window)
        self._ask(dialog, lambda: self._open(service, dialog))

    def x_reading(self) -> None:
        service = self._service()
        if service is None:
            return

        def work() -> tuple[ReceiptDocument, str]:
            reading = service.x_reading()
            return service.x_document(reading), service.print_x(reading)

        self._run(work, "X-reading")

    def close_shift(self) -> None:
        service = self._service()
        if service is None:
            return
        dialog = CashDialog(
            "Close shift", "Cash counted in the drawer", "Close shift", self._window
        )
        self._ask(dialog, lambda: self._close(service, dialog))

    def z_reading(self) -> None:
        service = self._service()
        if service is None:
            return
        dialog = ConfirmDialog(
            "Close the day on this counter? The Z-reading is taken once per day: today's totals "
            "are added to the grand total and cannot be taken again.",
            "Close the day",
            self._window,
        )

        def work() -> tuple[ReceiptDocument, str]:
            reading = service.take_z()
            printed = service.print_z(reading.business_date)
            return service.z_document(reading), printed

        self._ask(dialog, lambda: self._run(work, "Z-reading"))

    # --- the parts -----------------------------------------------------------------------------

    def _service(self) -> ReadingService | None:
        backend = self._window.payment.backend
        if backend is None or backend.readings is None:
            self._say("Kaha is still connecting. Try again in a moment.")
            return None
        return backend.readings

    def _ask(self, dialog: QDialog, then: Callable[[], None]) -> None:
        self.asking = dialog
        dialog.accepted.connect(then)
        dialog.open()

    def _open(self, service: ReadingService, dialog: CashDialog) -> None:
        amount = dialog.amount
        if amount is None:
            return
        self._runner.run_db(
            lambda: service.open_shift(amount),
            on_success=lambda shift: self._say(
                f"Shift opened by {shift.opened_by} with {shift.opening_float} in the drawer."
            ),
            on_failure=self._failed,
        )

    def _close(self, service: ReadingService, dialog: CashDialog) -> None:
        counted = dialog.amount
        if counted is None:
            return

        def work() -> tuple[ReceiptDocument, str]:
            reading = service.close_shift(counted)
            return service.x_document(reading), service.print_x(reading)

        self._run(work, "Shift close")

    def _run(self, work: Callable[[], tuple[ReceiptDocument, str]], title: str) -> None:
        def done(result: object) -> None:
            assert isinstance(result, tuple)
            document, printed = result
            self.dialog = self.dialog or ReadingDialog(self._window)
            self.dialog.show_reading(title, document, printed)
            self._say(f"{title}: {printed}")

        self._runner.run_db(work, on_success=done, on_failure=self._failed)

    def _failed(self, exc: BaseException) -> None:
        self._say(message_for(exc) or "")

    def _say(self, text: str) -> None:
        self._window.statusBar().showMessage(text, 15000)
