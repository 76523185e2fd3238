"""The clinic server in the window: the timer that drives the sync, the offline indicator, and
the prompt for a bill the clinic changed while a payment was open on it.

Threading contract: everything here lives on the GUI thread. The sync itself (ClinicSync) runs on
the task runner's network pool; its progress arrives through a Qt signal, so it is re-emitted on
the GUI thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QMainWindow,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.bill import Bill
from pos_app.services.clinic_sync import (
    ClinicStatus,
    ClinicSync,
    HeldChange,
    PullProgress,
    SyncReport,
)
from pos_app.ui.errors import message_for
from pos_app.ui.tasks import TaskRunner

QUEUE_RELOAD_S = 3.0  # during a first load, how often the queue shows what has arrived
TICK_MS = 1000  # how often the timer asks the job whether a run is due (the job decides)
NOT_SET_UP = "No clinic server is set up: only walk-in bills on this counter"


@dataclass(frozen=True, slots=True)
class _TickOutcome:
    report: SyncReport | None  # None: the job was not due
    status: ClinicStatus
    held: list[HeldChange]


class ClinicSyncDriver(QObject):
    """Ticks a ClinicSync on the network pool and reports what it found."""

    status_changed = Signal(object)  # ClinicStatus
    progress = Signal(object)  # PullProgress, from the pulling worker, delivered on the GUI thread
    bills_changed = Signal()  # a pull stored or held bills: the queue should reload
    held_found = Signal(object)  # list[HeldChange]: changes waiting for the receptionist

    def __init__(self, sync: ClinicSync, runner: TaskRunner, parent: QObject | None = None):
        super().__init__(parent)
        self.sync = sync
        self._runner = runner
        self._busy = False
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self.tick)
        self._unsubscribe = sync.subscribe_progress(self.progress.emit)
        self.last_status: ClinicStatus | None = None

    def start(self) -> None:
        self._timer.start()
        self.sync_now()

    def stop(self) -> None:
        self._timer.stop()
        self._unsubscribe()

    def sync_now(self, *, full: bool = False) -> None:
        """The menu entries and their keys: pull and send at once (`full`: every bill again)."""
        if full:
            self.sync.request_full()
        else:
            self.sync.request_now()
        self.tick()

    def tick(self) -> None:
        if self._busy:
            return
        self._busy = True
        sync = self.sync

        def work() -> _TickOutcome:
            report = sync.tick()
            return _TickOutcome(report, sync.status(), sync.held_changes())

        self._runner.run_net(work, on_success=self._done, on_failure=self._failed, owner=self)

    def _done(self, outcome: _TickOutcome) -> None:
        self._busy = False
        report, status, held = outcome.report, outcome.status, outcome.held
        self.last_status = status
        self.status_changed.emit(status)
        if report is not None and report.pull is not None:
            pulled = report.pull
            if pulled.pulled or pulled.held or pulled.removed:
                self.bills_changed.emit()
        if held:
            self.held_found.emit(held)

    def _failed(self, exc: BaseException) -> None:
        self._busy = False
        self.status_changed.emit(None)


class ClinicIndicator(QLabel):
    """The status bar's word on the clinic server: hidden while all is well."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("clinicIndicator")
        self.hide()

    def show_status(self, status: ClinicStatus | None) -> None:
        text = None if status is None else status.offline_text()
        if text is None:
            self.hide()
            self.setText("")
            return
        self.setText(text)
        self.setStyleSheet("QLabel { color: white; background: #b3261e; padding: 2px 8px; }")
        self.show()

    def show_progress(self, progress: PullProgress) -> None:
        if progress.done >= progress.total:
            if not self.text().startswith("Clinic server offline"):
                self.hide()
            return
        self.setText(progress.describe())
        self.setStyleSheet("QLabel { color: #1d4f91; padding: 2px 8px; }")
        self.show()

    def show_not_set_up(self) -> None:
        self.setText(NOT_SET_UP)
        self.setStyleSheet("QLabel { color: #7a4f00; padding: 2px 8px; }")
        self.show()


class ChangedBillPrompt(QDialog):
    """ "The clinic changed this bill: ₱3,500.00 → ₱4,000.00", with Accept. Nothing more is
    collected on the bill until it is accepted (the collect service refuses)."""

    def __init__(self, change: HeldChange, bill_number: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.change = change
        self.setWindowTitle(f"Bill {bill_number} changed")
        self.message = QLabel(
            f"The clinic changed this bill: {change.old_amount} → {change.new_amount}\n\n"
            "Tell the patient the new amount. Collecting more waits until you accept it."
        )
        self.message.setWordWrap(True)
        self.setMinimumWidth(460)
        self.buttons = QDialogButtonBox()
        self.accept_button = self.buttons.addButton(
            "Accept the new amount", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.buttons.accepted.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.addWidget(self.message)
        layout.addWidget(self.buttons)


class HeldChanges(QObject):
    """Shows the prompt for the bill on screen, and applies the change once accepted."""

    accepted_bill = Signal(object)  # Bill as it is after the change
    problem = Signal(str)

    def __init__(
        self,
        driver: ClinicSyncDriver,
        runner: TaskRunner,
        parent: QWidget,
        bill_on_screen: Callable[[], Bill | None],
    ) -> None:
        super().__init__(parent)
        self._driver = driver
        self._runner = runner
        self._window = parent
        self._bill_on_screen = bill_on_screen
        self.prompt: ChangedBillPrompt | None = None
        driver.held_found.connect(self.offer)

    def offer(self, changes: Sequence[HeldChange], bill: Bill | None = None) -> None:
        """Prompt for the change to `bill` (default: the bill on screen), if there is one."""
        shown = bill or self._bill_on_screen()
        if shown is None:
            return
        change = next((c for c in changes if c.bill_id == shown.id), None)
        if change is None or (self.prompt is not None and self.prompt.isVisible()):
            return
        prompt = self.prompt = ChangedBillPrompt(change, shown.number, self._window)
        prompt.accepted.connect(lambda: self._accept(change.bill_id))
        prompt.open()

    def _accept(self, bill_id: int) -> None:
        sync = self._driver.sync
        self._runner.run_db(
            lambda: sync.accept_held_change(bill_id),
            on_success=self._applied,
            on_failure=lambda exc: self.problem.emit(message_for(exc) or ""),
        )

    def _applied(self, bill: object) -> None:
        if isinstance(bill, Bill):
            self.accepted_bill.emit(bill)
        self._driver.bills_changed.emit()


class ClinicSide(QObject):
    """Everything the window shows about the clinic server, wired once the backend is up."""

    def __init__(
        self,
        window: QMainWindow,
        runner: TaskRunner,
        sync: ClinicSync | None,
        *,
        reload_queue: Callable[[], None],
        bill_on_screen: Callable[[], Bill | None],
        show_changed_bill: Callable[[Bill], None],
    ) -> None:
        super().__init__(window)
        self.indicator = ClinicIndicator()
        window.statusBar().insertPermanentWidget(0, self.indicator)
        self.driver: ClinicSyncDriver | None = None
        self.held: HeldChanges | None = None
        self.last_held: list[HeldChange] = []
        self.first_loading = False  # a first load (or a reload of every bill) is under way
        if sync is None:
            self.indicator.show_not_set_up()
            return
        driver = self.driver = ClinicSyncDriver(sync, runner, self)
        driver.status_changed.connect(self.indicator.show_status)
        driver.progress.connect(self.indicator.show_progress)
        driver.progress.connect(self._reload_now_and_then)
        driver.bills_changed.connect(reload_queue)
        self._reload_queue = reload_queue
        self._reloaded_at = 0.0
        driver.held_found.connect(self._remember_held)
        self.held = HeldChanges(driver, runner, window, bill_on_screen)
        self.held.accepted_bill.connect(show_changed_bill)
        driver.start()

    def _reload_now_and_then(self, progress: PullProgress) -> None:
        """During a long first load the queue shows what has arrived, every few seconds."""
        self.first_loading = progress.first_sync and progress.done < progress.total
        now = time.monotonic()
        if progress.done < progress.total and now - self._reloaded_at >= QUEUE_RELOAD_S:
            self._reloaded_at = now
            self._reload_queue()

    def _remember_held(self, changes: list[HeldChange]) -> None:
        self.last_held = changes

    def bill_shown(self, bill: Bill | None) -> None:
        if self.held is not None and bill is not None and self.last_held:
            self.held.offer(self.last_held, bill)

    def sync_now(self, *, full: bool = False) -> None:
        if self.driver is not None:
            self.driver.sync_now(full=full)

    def stop(self) -> None:
        if self.driver is not None:
            self.driver.stop()
