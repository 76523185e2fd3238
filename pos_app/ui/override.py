"""The manager override: one protected action approved on the spot by someone whose role allows
it, with their own name and PIN. Every protected action of the window goes through
``ensure_permission``: it runs the action at once when the signed-in person may, and otherwise
asks for an approver first.

The approval is one-shot and checked again by the service itself (``AccessService.override``
then ``require``), so the dialog is never the only guard. The audit names both people.

Threading contract: GUI thread only. The approver's PIN is checked (scrypt, a database write) on
the task runner's database worker.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.roles import Permission, can, roles_allowed
from pos_app.ui.errors import message_for

if TYPE_CHECKING:
    from pos_app.domain.people import Person
    from pos_app.services.access import AccessService
    from pos_app.ui.tasks import TaskRunner


class OverrideDialog(QDialog):
    """Name and PIN of the person who approves; ``approved`` once the service said yes."""

    def __init__(
        self,
        parent: QWidget,
        access: AccessService,
        runner: TaskRunner,
        permission: Permission,
        then: Callable[[], object],
    ) -> None:
        super().__init__(parent)
        self._access, self._runner = access, runner
        self._permission, self._then = permission, then
        self.approver: Person | None = None
        self.setWindowTitle("Approval needed")
        actor = access.actor
        who = "You" if actor is None else actor.name
        self.reason = QLabel(
            f"{who} can't {permission.action} on their own. Someone who can (a "
            f"{roles_allowed(permission)}) approves it here with their name and PIN."
        )
        self.reason.setWordWrap(True)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Approver's name")
        self.pin_edit = QLineEdit()
        self.pin_edit.setPlaceholderText("Approver's PIN")
        self.pin_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.pin_edit.setMaxLength(12)
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #b91c1c;")
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Approve   Enter")
        ok.setDefault(True)
        self.buttons.accepted.connect(self.approve)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        for widget in (self.reason, QLabel("Name"), self.name_edit, QLabel("PIN"), self.pin_edit):
            layout.addWidget(widget)
        layout.addWidget(self.problem)
        layout.addWidget(self.buttons)
        self.resize(420, 260)

    def approve(self) -> None:
        """Check the approver on the worker; on yes, close and run the action."""
        name, pin = self.name_edit.text().strip(), self.pin_edit.text()
        if not name or not pin:
            self.problem.setText("Please type the approver's name and PIN.")
            return
        self.buttons.setEnabled(False)
        self.problem.setText("Checking…")
        access, permission = self._access, self._permission
        self._runner.run_db(
            lambda: access.override(permission, name, pin),
            on_success=self._approved,
            on_failure=self._refused,
            owner=self,
        )

    def _approved(self, approver: Person) -> None:
        self.approver = approver
        self.accept()
        self._then()

    def _refused(self, exc: BaseException) -> None:
        self.buttons.setEnabled(True)
        self.problem.setText(message_for(exc) or "")
        self.pin_edit.clear()
        self.pin_edit.setFocus()


def ensure_permission(
    parent: QWidget,
    access: AccessService | None,
    runner: TaskRunner,
    permission: Permission,
    then: Callable[[], object],
) -> OverrideDialog | None:
    """Run ``then`` now if the signed-in person may do ``permission``; otherwise open the
    override dialog (returned) and run ``then`` once someone allowed approved. ``then`` calls the
    service, which checks again. Without ``access`` (screens tried with fakes) it just runs."""
    actor = None if access is None else access.actor
    if access is None or (actor is not None and can(actor.role, permission)):
        then()
        return None
    dialog = OverrideDialog(parent, access, runner, permission, then)
    dialog.open()
    return dialog
