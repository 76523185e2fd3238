"""What start-up must tell the receptionist once the window is up (``CounterServices.notice``:
e.g. practice books set aside for a real key, services.practice): a box that does not block
the counter, named so tests and screenshots find it."""

from __future__ import annotations

from PySide6.QtWidgets import QMessageBox, QWidget

NOTICE_OBJECT_NAME = "startNotice"


def show_start_notice(parent: QWidget, text: str) -> QMessageBox:
    box = QMessageBox(QMessageBox.Icon.Information, "Kaha", text, parent=parent)
    box.setObjectName(NOTICE_OBJECT_NAME)
    box.open()  # window-modal, not a nested event loop: start-up goes on behind it
    return box
