"""The queue's search box and status filter, as the keyboard reaches them.

Arrow keys in the search box move in the queue (the receptionist types a name, then picks the
bill without leaving the box). The status filter never changes on a stray key or wheel turn: a
key opens its list, where the change is seen as it is made.

Threading contract: GUI thread only. Drawn in the first paint, so Qt's key codes are plain ints
here (see ``bill_queue``: naming PySide's ``Qt`` namespace costs ~40 ms);
tests/ui/test_bill_queue.py checks each against Qt's own.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QLineEdit

if TYPE_CHECKING:  # events' types are not needed to draw the window
    from PySide6.QtGui import QKeyEvent, QWheelEvent

KEY_ESCAPE = 0x01000000  # Qt.Key.Key_Escape
KEY_TAB = 0x01000001  # Qt.Key.Key_Tab
KEY_BACKTAB = 0x01000002  # Qt.Key.Key_Backtab
KEY_UP = 0x01000013  # Qt.Key.Key_Up
KEY_DOWN = 0x01000015  # Qt.Key.Key_Down
KEY_PAGE_UP = 0x01000016  # Qt.Key.Key_PageUp
KEY_PAGE_DOWN = 0x01000017  # Qt.Key.Key_PageDown
MODIFIER_KEYS = range(0x01000020, 0x01000024)  # Shift, Control, Meta, Alt: no key on their own
PAGE_STEP = 10
STEPS = {KEY_UP: -1, KEY_DOWN: 1, KEY_PAGE_UP: -PAGE_STEP, KEY_PAGE_DOWN: PAGE_STEP}


class SearchBox(QLineEdit):
    """A search field whose Up/Down (and Page Up/Down) move the queue's selection."""

    #: rows to move the selection by (negative: up)
    step = Signal(int)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        rows = STEPS.get(event.key())
        if rows is None:
            super().keyPressEvent(event)
            return
        self.step.emit(rows)
        event.accept()


class FilterBox(QComboBox):
    """A drop-down that changes only from its open list."""

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        if key in (KEY_TAB, KEY_BACKTAB, KEY_ESCAPE) or key in MODIFIER_KEYS:
            super().keyPressEvent(event)
            return
        # a closed combo box would change its value on arrows and letters, unseen
        self.showPopup()
        event.accept()

    def wheelEvent(self, event: QWheelEvent) -> None:
        event.ignore()  # scrolling the queue past it must not change the filter
