"""The page that covers the counter until someone signs in: name and PIN (Enter signs in), or at
the first start the clinic owner to create (name and PIN twice).

Threading contract: GUI thread only. The page only collects and shows; ``CounterLock`` runs the
sign-in (scrypt and a database write) on the task runner and tells the page how it went.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from pos_app.ui.widgets import big_label

_PAGE_STYLE = "SignInScreen { background: #1f2937; }"
_CARD_STYLE = (
    "QFrame#card { background: white; border-radius: 10px; }"
    " QLineEdit { font-size: 18px; padding: 6px; }"
)
_PROBLEM_STYLE = "color: #b91c1c; font-size: 14px;"
_NOTE_STYLE = "color: #374151; font-size: 13px;"


class SignInScreen(QWidget):
    """Covers the whole window. ``sign_in_requested(name, pin)`` on Enter or the button;
    ``owner_requested(name, pin)`` once the first owner's two PINs match."""

    sign_in_requested = Signal(str, str)
    owner_requested = Signal(str, str)

    def __init__(self, parent: QWidget, *, clinic_name: str) -> None:
        super().__init__(parent)
        self.setObjectName("SignInScreen")
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground, True)
        self.setStyleSheet(_PAGE_STYLE)
        self._first_owner = False
        card = QFrame(self)
        card.setObjectName("card")
        card.setStyleSheet(_CARD_STYLE)
        card.setFixedWidth(440)
        self.title = big_label("Sign in", 20)
        self.clinic = QLabel(clinic_name)
        self.clinic.setStyleSheet(_NOTE_STYLE)
        self._clinic_name = clinic_name
        self.note = QLabel("")
        self.note.setWordWrap(True)
        self.note.setStyleSheet(_NOTE_STYLE)
        self.name_edit = QLineEdit()
        self.name_edit.setPlaceholderText("Your name")
        self.pin_edit = _pin_edit("PIN")
        self.pin_again_edit = _pin_edit("The same PIN again")
        self.problem = QLabel("")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(_PROBLEM_STYLE)
        self.sign_in_button = QPushButton("Sign in   Enter")
        self.sign_in_button.setMinimumHeight(44)
        self.sign_in_button.clicked.connect(self._submit)
        self.switch_button = QPushButton("Someone else? Switch person")
        self.switch_button.setFlat(True)
        self.switch_button.clicked.connect(lambda: self.show_sign_in(switching=True))
        for edit in (self.name_edit, self.pin_edit, self.pin_again_edit):
            edit.returnPressed.connect(self._on_return)
        layout = QVBoxLayout(card)
        layout.setContentsMargins(28, 24, 28, 24)
        layout.setSpacing(10)
        for widget in (self.title, self.clinic, self.note, QLabel("Name"), self.name_edit):
            layout.addWidget(widget)
        layout.addWidget(QLabel("PIN"))
        layout.addWidget(self.pin_edit)
        layout.addWidget(self.pin_again_edit)
        layout.addWidget(self.problem)
        layout.addWidget(self.sign_in_button)
        layout.addWidget(self.switch_button)
        # stretches, not an alignment: an aligned card would get its height without its
        # wrapped words (Qt sizes aligned widgets by sizeHint, not heightForWidth)
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(card)
        row.addStretch(1)
        outer = QVBoxLayout(self)
        outer.addStretch(1)
        outer.addLayout(row)
        outer.addStretch(2)
        self.show_sign_in()

    # --- what the page asks for ----------------------------------------------------------------

    def show_practice_people(self, people: list[tuple[str, str]]) -> None:
        """Sandbox mode: who to sign in as while practising, with their published PINs."""
        names = " · ".join(f"{name} (PIN {pin})" for name, pin in people)
        self.clinic.setText(f"{self._clinic_name}\nPractice (sandbox): {names}")
        self.clinic.setWordWrap(True)

    def show_sign_in(self, *, locked_from: str | None = None, switching: bool = False) -> None:
        """Ask for a name and PIN. ``locked_from``: who was signed in when the counter locked
        (their name is filled in, unless someone else is ``switching`` in)."""
        self._first_owner = False
        self.pin_again_edit.hide()
        if switching:
            self.title.setText("Switch person")
            self.note.setText("Sign in as yourself. Open payments are still being watched.")
        elif locked_from is not None:
            self.title.setText("Counter locked")
            self.note.setText(
                f"{locked_from} was signed in. Payments, the clinic sync and the customer "
                "display go on while the counter is locked; sign in to see them."
            )
        else:
            self.title.setText("Sign in")
            self.note.setText("Type your name and PIN, then press Enter.")
        self.name_edit.setText("" if switching or locked_from is None else locked_from)
        self.switch_button.setVisible(locked_from is not None and not switching)
        self.sign_in_button.setText("Sign in   Enter")
        self._reset_pins()

    def show_first_owner(self) -> None:
        """First start: nobody can sign in yet, so the clinic owner is made here."""
        self._first_owner = True
        self.title.setText("Welcome to Kaha")
        self.note.setText(
            "First, the clinic owner: type the owner's name and choose a PIN of 4 to 12 digits. "
            "The owner can add everyone else."
        )
        self.name_edit.clear()
        self.switch_button.hide()
        self.pin_again_edit.show()
        self.sign_in_button.setText("Create the owner and sign in   Enter")
        self._reset_pins()

    def show_problem(self, text: str) -> None:
        """Why that did not work, in plain words; the PIN is cleared to try again."""
        self.set_busy(False)
        self.problem.setText(text)
        self.pin_edit.clear()
        self.pin_again_edit.clear()
        self.pin_edit.setFocus()

    def set_busy(self, busy: bool) -> None:
        """While the PIN is being checked, nothing can be pressed twice."""
        for widget in (self.name_edit, self.pin_edit, self.pin_again_edit, self.sign_in_button):
            widget.setEnabled(not busy)
        if busy:
            self.problem.setText("Checking…")

    def focus_first_empty(self) -> None:
        target = self.pin_edit if self.name_edit.text().strip() else self.name_edit
        target.setFocus()

    # --- input ---------------------------------------------------------------------------------

    def _reset_pins(self) -> None:
        self.set_busy(False)
        self.problem.clear()
        self.pin_edit.clear()
        self.pin_again_edit.clear()
        self.focus_first_empty()

    def _on_return(self) -> None:
        if not self.name_edit.text().strip():
            self.name_edit.setFocus()
        elif not self.pin_edit.text():
            self.pin_edit.setFocus()
        elif self._first_owner and not self.pin_again_edit.text():
            self.pin_again_edit.setFocus()
        else:
            self._submit()

    def _submit(self) -> None:
        name, pin = self.name_edit.text().strip(), self.pin_edit.text()
        if not name:
            self.show_problem("Please type your name.")
            self.name_edit.setFocus()
            return
        if not pin:
            self.show_problem("Please type your PIN.")
            return
        if self._first_owner:
            if pin != self.pin_again_edit.text():
                self.show_problem("The two PINs are not the same. Please type them again.")
                return
            self.set_busy(True)
            self.owner_requested.emit(name, pin)
            return
        self.set_busy(True)
        self.sign_in_requested.emit(name, pin)


def _pin_edit(placeholder: str) -> QLineEdit:
    edit = QLineEdit()
    edit.setPlaceholderText(placeholder)
    edit.setEchoMode(QLineEdit.EchoMode.Password)
    edit.setMaxLength(12)
    edit.setInputMethodHints(Qt.InputMethodHint.ImhDigitsOnly)
    return edit
