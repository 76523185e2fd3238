"""The e-journal (Counter ▸ E-journal…, Ctrl+J): every printout of a day on this terminal, as
printed and in order, with Save as text and Save as PDF. Staff, managers and the owner only (the
service refuses anyone else, and the dialog shows its words).

Threading contract: GUI thread only; reading and exporting run on the task runner's database
worker.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from PySide6.QtCore import QDate, Signal
from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.services.journal import JournalDay, JournalService
from pos_app.ui.errors import message_for
from pos_app.ui.tasks import TaskRunner


class EJournalDialog(QDialog):
    """One day at a time; ``show_day`` loads it (again) and shows the dialog."""

    loaded = Signal(object)  # the JournalDay now on screen
    exported = Signal(str)  # the file written
    failed = Signal(str)  # what went wrong, in plain words

    def __init__(
        self, runner: TaskRunner, journal: JournalService, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self._runner, self._journal = runner, journal
        self.journal_day: JournalDay | None = None
        self.setWindowTitle("E-journal")
        self.resize(640, 700)
        self.date_edit = QDateEdit()
        self.date_edit.setCalendarPopup(True)
        self.date_edit.setDisplayFormat("yyyy-MM-dd")
        self.date_edit.dateChanged.connect(lambda _: self._load())
        self.text = QPlainTextEdit()
        self.text.setReadOnly(True)
        self.text.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.status = QLabel("")
        self.status.setWordWrap(True)
        self.save_text = QPushButton("Save as text")
        self.save_pdf = QPushButton("Save as PDF")
        self.save_text.clicked.connect(lambda: self._export(pdf=False))
        self.save_pdf.clicked.connect(lambda: self._export(pdf=True))
        close = QPushButton("Close   Esc")
        close.clicked.connect(self.reject)
        top = QHBoxLayout()
        top.addWidget(QLabel("Day"))
        top.addWidget(self.date_edit)
        top.addStretch(1)
        buttons = QHBoxLayout()
        buttons.addWidget(self.save_text)
        buttons.addWidget(self.save_pdf)
        buttons.addStretch(1)
        buttons.addWidget(close)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addWidget(self.text, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)

    def show_day(self, day: date | None = None) -> None:
        """Show ``day`` (today in the clinic when None)."""
        day = day or self._journal.today(datetime.now(UTC))
        wanted = QDate(day.year, day.month, day.day)
        if self.date_edit.date() == wanted:
            self._load()
        else:
            self.date_edit.setDate(wanted)  # loads it
        self.show()
        self.raise_()

    def _day(self) -> date:
        picked = self.date_edit.date()
        return date(picked.year(), picked.month(), picked.day())

    def _load(self) -> None:
        day = self._day()
        self.status.setText("Loading…")
        self._set_saving(False)
        self._runner.run_db(
            lambda: self._journal.day(day),
            on_success=self._show,
            on_failure=self._fail,
            owner=self,
        )

    def _show(self, result: object) -> None:
        assert isinstance(result, JournalDay)
        self.journal_day = result
        self.text.setPlainText(result.text())
        count = len(result.entries)
        self.status.setText(f"{count} printout{'s' if count != 1 else ''} on {result.day}.")
        self._set_saving(True)
        self.loaded.emit(result)

    def _export(self, *, pdf: bool) -> None:
        day = self._day()
        self.status.setText("Saving…")

        def saved(path: object) -> None:
            self.status.setText(f"Saved: {path}")
            self.exported.emit(str(path))

        self._runner.run_db(
            lambda: self._journal.export_day(day, pdf=pdf),
            on_success=saved,
            on_failure=self._fail,
            owner=self,
        )

    def _fail(self, exc: BaseException) -> None:
        words = message_for(exc) or ""
        self.status.setText(words)
        self.failed.emit(words)

    def _set_saving(self, enabled: bool) -> None:
        self.save_text.setEnabled(enabled)
        self.save_pdf.setEnabled(enabled)
