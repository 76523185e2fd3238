"""The Owner menu: Settings… and "Check the audit trail" (the same check as ``pos-app audit
verify``). The services decide who may; a refusal comes back as a message box.

Threading contract: GUI thread only; the services run on the task runner's database worker.
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMessageBox

from pos_app.services.audit_trail import TrailCheck
from pos_app.services.owner_tools import OwnerTools
from pos_app.services.settings_service import SettingsSnapshot
from pos_app.ui.errors import message_for
from pos_app.ui.settings_window import SettingsWindow
from pos_app.ui.tasks import TaskRunner


class OwnerMenu(QObject):
    def __init__(self, window: QMainWindow, runner: TaskRunner, tools: OwnerTools) -> None:
        super().__init__(window)
        self._window = window
        self._runner = runner
        self._tools = tools
        self.settings_window: SettingsWindow | None = None
        self.message: QMessageBox | None = None  # the last answer shown (audit check, refusal)
        menu = window.menuBar().addMenu("&Owner")
        self.settings_action = QAction("&Settings…", window)
        self.settings_action.triggered.connect(self.open_settings)
        self.audit_action = QAction("Check the &audit trail", window)
        self.audit_action.triggered.connect(self.check_audit_trail)
        menu.addAction(self.settings_action)
        menu.addAction(self.audit_action)

    def open_settings(self) -> None:
        """Read the settings as the signed-in person (refused unless they may change them)."""
        if self.settings_window is not None and self.settings_window.isVisible():
            self.settings_window.raise_()
            return
        self._runner.run_db(
            self._tools.settings.snapshot,
            on_success=self._show_settings,
            on_failure=self._refused,
            owner=self,
        )

    def _show_settings(self, snapshot: object) -> None:
        assert isinstance(snapshot, SettingsSnapshot)
        self.settings_window = SettingsWindow(
            self._tools.settings, self._runner, snapshot, self._window
        )
        self.settings_window.show()

    def check_audit_trail(self) -> None:
        self._runner.run_db(
            self._tools.check_audit_trail,
            on_success=self._show_check,
            on_failure=self._refused,
            owner=self,
        )

    def _show_check(self, check: object) -> None:
        assert isinstance(check, TrailCheck)
        icon = QMessageBox.Icon.Information if check.ok else QMessageBox.Icon.Critical
        self._say(icon, "Audit trail", check.summary)

    def _refused(self, exc: BaseException) -> None:
        text = message_for(exc)
        if text is not None:
            self._say(QMessageBox.Icon.Warning, "Kaha", text)

    def _say(self, icon: QMessageBox.Icon, title: str, text: str) -> None:
        box = self.message = QMessageBox(icon, title, text, parent=self._window)
        box.open()
