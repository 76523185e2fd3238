"""The parts every tab of the settings window is made of: a key row (masked, "Store in
keyring") and the ``Section`` base a tab derives from.

Threading contract: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QWidget,
)

from pos_app.services.settings_service import KEY_LABELS, SettingsSnapshot

if TYPE_CHECKING:
    from pos_app.ui.settings_window import SettingsWindow

ERROR_STYLE = "color: #b00020;"


class KeyRow(QWidget):
    """One key: how the stored one looks (masked), a box for a new one and "Store"."""

    store_requested = Signal(str, str)  # key name, the new value

    def __init__(self, name: str) -> None:
        super().__init__()
        self.name = name
        self.shown = QLabel("…")
        self.entry = QLineEdit()
        self.entry.setEchoMode(QLineEdit.EchoMode.Password)
        self.entry.setPlaceholderText("paste a new one to replace it")
        self.store = QPushButton("Store in keyring")
        self.store.clicked.connect(self._store)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.shown, 1)
        layout.addWidget(self.entry, 2)
        layout.addWidget(self.store)

    def _store(self) -> None:
        if self.entry.text().strip():
            self.store_requested.emit(self.name, self.entry.text())

    def stored(self, shown: str) -> None:
        self.shown.setText(shown)
        self.entry.clear()

    def allow(self, allowed: bool) -> None:
        self.entry.setEnabled(allowed)
        self.store.setEnabled(allowed)


class Section(QWidget):
    """A tab of the window. ``changes`` returns the EDITABLE settings it holds, as text."""

    title = ""

    def __init__(self, window: SettingsWindow) -> None:
        super().__init__()
        self.window_ = window
        self.form = QFormLayout(self)

    def fill(self, snapshot: SettingsSnapshot) -> None:
        raise NotImplementedError

    def changes(self) -> dict[str, str]:
        return {}

    def key_row(self, name: str) -> KeyRow:
        row = KeyRow(name)
        row.store_requested.connect(self.window_.store_key)
        self.window_.key_rows[name] = row
        self.form.addRow(KEY_LABELS[name], row)
        return row

    def button(self, text: str, clicked: Callable[[], None]) -> QPushButton:
        """An action of the section (a test), at its natural size under the fields."""
        button = QPushButton(text)
        button.clicked.connect(clicked)
        row = QHBoxLayout()
        row.addWidget(button)
        row.addStretch(1)
        self.form.addRow(row)
        return button

    def result_line(self) -> QLabel:
        label = QLabel("")
        label.setWordWrap(True)
        self.form.addRow(label)
        return label
