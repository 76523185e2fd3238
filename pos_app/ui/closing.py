"""Closing the counter's window: ask first while a payment is open, and remember where the
window was.

The window's size and place are kept with ``QSettings`` in an INI file in the counter's config
folder, not in Kaha's settings: they are this screen's state, written by the window itself on
every close, while the settings file is configuration the clinic writes and Kaha only reads.
Qt's own ``saveGeometry`` also copes with a screen that is gone or maximised windows.

Threading contract: GUI thread only.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QWidget

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox

GEOMETRY_KEY = "main_window/geometry"

OPEN_PAYMENT = "A payment is still open: {what}."
WHAT_HAPPENS = (
    "If you close Kaha now, the payment is not lost. The QR code or link stays open on the "
    "patient's phone until it expires. Kaha keeps it on its list of open payments: the next "
    "time Kaha starts, it asks PayMongo about it, and if the patient paid, it records the "
    "payment and issues the invoice then.\n\nKeep Kaha open to see the payment finish here."
)


def ask_before_closing(parent: QWidget, what: str, close_anyway: Callable[[], None]) -> QMessageBox:
    """A window-modal question (not a blocking ``exec``): "Keep Kaha open" is the default and
    Esc; "Close anyway" calls ``close_anyway``."""
    from PySide6.QtWidgets import QMessageBox  # only when asked: the first paint needs none

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Close Kaha?")
    box.setText(OPEN_PAYMENT.format(what=what))
    box.setInformativeText(WHAT_HAPPENS)
    keep = box.addButton("Keep Kaha open", QMessageBox.ButtonRole.RejectRole)
    close = box.addButton("Close anyway", QMessageBox.ButtonRole.DestructiveRole)
    box.setDefaultButton(keep)
    box.setEscapeButton(keep)
    close.clicked.connect(close_anyway)
    box.open()
    return box


def restore_geometry(window: QWidget, state_file: Path | None) -> None:
    """Where the window was when it last closed; the default size when never closed."""
    if state_file is None:
        return
    saved = QSettings(str(state_file), QSettings.Format.IniFormat).value(GEOMETRY_KEY)
    if saved is not None:
        window.restoreGeometry(saved)


def save_geometry(window: QWidget, state_file: Path | None) -> None:
    if state_file is None:
        return
    state = QSettings(str(state_file), QSettings.Format.IniFormat)
    state.setValue(GEOMETRY_KEY, window.saveGeometry())
    state.sync()
