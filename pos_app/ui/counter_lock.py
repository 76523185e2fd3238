"""The lock over the counter: sign-in before use, the idle lock, Ctrl+L, switching person.

The sign-in page is laid over the whole window; underneath, nothing stops: the payment monitor
keeps polling, the clinic sync and the webhook receiver keep running and the customer display
keeps showing, so a payment that settles while the counter is locked is shown as paid once
someone signs in again. While locked, the window takes no input: its central part and menus are
disabled, its dialogs hidden, and every keyboard shortcut is held back.

Idle time is the access service's (``AccessService.touch`` on every key press, click and wheel
turn; ``lock_if_idle`` on a timer), so it runs on the service's clock: a fake one in tests.

Each lock is audited under who was signed in (locked by hand, locked when idle, signed out to
switch person): the access service notes it at once, and its ``record_locks`` writes the note on
the database worker.

Threading contract: GUI thread only. Sign-in, creating the first owner (scrypt, a database
write) and writing the lock's audit row run on the task runner's database worker; their
outcome comes back as a callback.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Final

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtWidgets import QApplication, QDialog, QLabel, QMainWindow, QWidget

from pos_app.ui.errors import message_for
from pos_app.ui.sign_in import SignInScreen

if TYPE_CHECKING:
    from pos_app.domain.people import Person
    from pos_app.services.access import AccessService
    from pos_app.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

IDLE_CHECK_MS: Final = 1000
_INPUT: Final = frozenset(
    {
        QEvent.Type.KeyPress,
        QEvent.Type.MouseButtonPress,
        QEvent.Type.MouseMove,
        QEvent.Type.Wheel,
        QEvent.Type.TouchBegin,
    }
)


class CounterLock(QObject):
    """Covers ``window`` until someone signs in, and again when idle or asked to."""

    signed_in = Signal(object)  # the Person who signed in (GUI thread)
    locked = Signal()

    def __init__(
        self,
        window: QMainWindow,
        access: AccessService,
        runner: TaskRunner,
        *,
        clinic_name: str,
        check_ms: int = IDLE_CHECK_MS,
    ) -> None:
        super().__init__(window)
        self._window, self._access, self._runner = window, access, runner
        self.screen = SignInScreen(window, clinic_name=clinic_name)
        self.screen.hide()
        self.screen.sign_in_requested.connect(self._sign_in)
        self.screen.owner_requested.connect(self._add_owner)
        self.who_label = QLabel("")
        window.statusBar().addPermanentWidget(self.who_label)
        self._hidden_dialogs: list[QWidget] = []
        self._covered = False
        self._timer = QTimer(self)
        self._timer.setInterval(check_ms)
        self._timer.timeout.connect(self.check_idle)
        window.installEventFilter(self)
        app = QApplication.instance()
        if app is not None:
            app.installEventFilter(self)
        self._timer.start()
        person = access.actor
        if person is not None and not access.locked:  # signed in before the window had a lock
            self._show_who(person)
            return
        self._cover()
        self.screen.set_busy(True)
        runner.run_db(
            access.needs_owner, on_success=self._first_page, on_failure=self._failed, owner=self
        )

    @property
    def is_locked(self) -> bool:
        return self._covered

    def lock_now(self) -> None:
        """Ctrl+L: lock at once; the one who was signed in is named and filled in."""
        if self.is_locked:
            return
        self._access.lock()
        person = self._access.actor
        self.screen.show_sign_in(locked_from=None if person is None else person.name)
        self._cover()
        self._record_lock()

    def switch_person(self) -> None:
        """Someone else takes the counter: lock, and ask for their name and PIN."""
        self._access.lock(switching=True)
        self.screen.show_sign_in(switching=True)
        self._cover()
        self._record_lock()

    def check_idle(self) -> None:
        """The timer: lock once the counter has gone unused for the idle time."""
        if self.is_locked or not self._access.lock_if_idle():
            return
        person = self._access.actor
        self.screen.show_sign_in(locked_from=None if person is None else person.name)
        self._cover()
        self._record_lock()

    def stop(self) -> None:
        """Closing down: no more idle checks, no more watching input."""
        self._timer.stop()
        app = QApplication.instance()
        if app is not None:
            app.removeEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if kind in _INPUT:
            if not self.is_locked:
                self._access.touch()
        elif kind == QEvent.Type.Shortcut:
            return self.is_locked  # no key of the counter works under the lock
        elif kind == QEvent.Type.Resize and watched is self._window:
            self.screen.setGeometry(self._window.rect())
        return False

    # --- covering and uncovering ---------------------------------------------------------------

    def _cover(self) -> None:
        window = self._window
        if not self.is_locked:
            self._hidden_dialogs = [
                dialog for dialog in window.findChildren(QDialog) if dialog.isVisible()
            ]
            for dialog in self._hidden_dialogs:
                dialog.hide()
        self._covered = True
        self._set_counter_enabled(False)
        self.screen.setGeometry(window.rect())
        self.screen.show()
        self.screen.raise_()
        self.screen.focus_first_empty()
        self.who_label.setText("Locked")
        self.locked.emit()

    def _uncover(self, person: Person) -> None:
        self._covered = False
        self.screen.hide()
        self._set_counter_enabled(True)
        for dialog in self._hidden_dialogs:
            dialog.show()
        self._hidden_dialogs = []
        self._show_who(person)
        self._window.statusBar().showMessage(f"Signed in as {person.name}", 5000)
        self.signed_in.emit(person)

    def _set_counter_enabled(self, enabled: bool) -> None:
        window = self._window
        central = window.centralWidget()
        if central is not None:
            central.setEnabled(enabled)
        window.menuBar().setEnabled(enabled)

    def _show_who(self, person: Person) -> None:
        self.who_label.setText(f"{person.name} ({person.role.value})")

    # --- the worker calls ----------------------------------------------------------------------

    def _first_page(self, needs_owner: object) -> None:
        if needs_owner:
            self.screen.show_first_owner()
        else:
            self.screen.show_sign_in()
        self.screen.focus_first_empty()

    def _sign_in(self, name: str, pin: str) -> None:
        access = self._access
        self._runner.run_db(
            lambda: access.sign_in(name, pin),
            on_success=self._uncover,
            on_failure=self._failed,
            owner=self,
        )

    def _add_owner(self, name: str, pin: str) -> None:
        access = self._access
        self._runner.run_db(
            lambda: access.add_first_owner(name, pin),
            on_success=self._uncover,
            on_failure=self._failed,
            owner=self,
        )

    def _record_lock(self) -> None:
        """The lock's audit row, on the database worker (kept for the next lock if it fails)."""
        self._runner.run_db(self._access.record_locks, on_failure=_lock_not_recorded, owner=self)

    def _failed(self, exc: BaseException) -> None:
        self.screen.show_problem(message_for(exc) or "")


def _lock_not_recorded(exc: BaseException) -> None:
    # nothing for the receptionist to do at the lock screen; the note waits for the next lock
    log.error("could not write the lock to the audit trail yet", exc_info=exc)
