"""Small building blocks shared by the counter's screens. GUI thread only."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import QLabel, QLineEdit, QPushButton, QWidget


def big_label(text: str, size: int, *, bold: bool = True, wrap: bool = False) -> QLabel:
    label = QLabel(text)
    font = QFont()
    font.setPointSize(size)
    font.setBold(bold)
    label.setFont(font)
    label.setWordWrap(wrap)
    return label


def shortcut_button(
    text: str,
    shortcut: str,
    parent: QWidget,
    *,
    context: Qt.ShortcutContext = Qt.ShortcutContext.WindowShortcut,
) -> QPushButton:
    """A button that shows its key. Qt ignores the key while ``parent`` is hidden, so keys on
    different pages of a stack never fight; a disabled button ignores its key too."""
    button = QPushButton(f"{text}   {shortcut}")
    button.setMinimumHeight(44)
    key = QShortcut(QKeySequence(shortcut), parent)
    key.setContext(context)
    key.activated.connect(button.click)
    return button


def money_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setMinimumHeight(36)
    font = edit.font()
    font.setPointSize(14)
    edit.setFont(font)
    return edit


def countdown_text(seconds_left: int, *, prefix: str = "Expires in") -> str:
    minutes, seconds = divmod(max(0, seconds_left), 60)
    return f"{prefix} {minutes:02d}:{seconds:02d}"
