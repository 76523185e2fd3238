"""Reconciliation in the window: the timer that runs it, and the dialog (Ctrl+R) that shows the
last run and every open case.

Threading contract: GUI thread only. ``ReconcileDriver`` asks the Qt-free ``ReconcileSchedule``
whether a run is due (no I/O) and runs ``ReconcileService`` on the task runner's network pool;
results come back on the GUI thread. A run starts as soon as PayMongo is connected (start-up),
then every ``reconcile_minutes``; ``run_scheduled`` asks PayMongo only on a day this counter took
PayMongo payments (the start-up run always asks).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta, tzinfo

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from pos_app.domain.clinic_time import PHILIPPINE_TIME, wall_clock
from pos_app.domain.clock import SystemClock
from pos_app.services.counter import PaymentBackend
from pos_app.services.reconcile.results import OpenCases, ReconcileResult
from pos_app.services.reconcile.schedule import ReconcileSchedule
from pos_app.ui.errors import message_for
from pos_app.ui.tasks import TaskRunner

TICK_MS = 15_000  # how often the timer asks the schedule (cheap: no I/O)


class ReconcileDriver(QObject):
    """Runs reconciliation when the schedule says so, or when asked."""

    finished = Signal(object)  # ReconcileResult
    failed = Signal(str)  # what went wrong, in the receptionist's words

    def __init__(self, runner: TaskRunner, minutes: int, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._clock = SystemClock()
        self.schedule = ReconcileSchedule(timedelta(minutes=max(1, minutes)))
        self._backend: PaymentBackend | None = None
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        self.last: ReconcileResult | None = None
        self._connect_run = False  # the next scheduled run is the start-up (or reconnect) one

    def set_backend(self, backend: PaymentBackend | None) -> None:
        self._backend = backend if backend is not None and backend.reconcile else None
        if self._backend is None:
            self._timer.stop()
            return
        self._timer.start()
        self.schedule.run_soon()
        self._connect_run = True
        self._tick()  # the start-up run (or the first after a reconnect)

    def stop(self) -> None:
        self._timer.stop()

    def run_now(self) -> bool:
        """On demand; False when a run is already going (its result comes all the same)."""
        if self._backend is None or not self.schedule.begin_on_demand():
            return False
        self._start(scheduled=False)
        return True

    def _tick(self) -> None:
        if self._backend is not None and self.schedule.due(self._clock.now()):
            # at start-up always (money may have come in overnight); later only on a day
            # this counter took PayMongo payments
            self._start(scheduled=not self._connect_run)
            self._connect_run = False

    def _start(self, *, scheduled: bool) -> None:
        assert self._backend is not None
        service = self._backend.reconcile
        assert service is not None
        work = service.run_scheduled if scheduled else service.run
        self._runner.run_net(work, on_success=self._done, on_failure=self._failed, owner=self)

    def _done(self, result: object) -> None:
        assert isinstance(result, ReconcileResult)
        self.schedule.finished(self._clock.now())
        if not result.skipped or self.last is None:
            self.last = result
        self.finished.emit(result)

    def _failed(self, exc: BaseException) -> None:
        self.schedule.finished(self._clock.now())
        self.failed.emit(message_for(exc) or "")


class ReconcileDialog(QDialog):
    """The last reconciliation and everything still open: cases, unknown payments, flags."""

    COLUMNS = ("What", "When", "Bill", "Amount", "PayMongo reference", "Why")

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.zone: tzinfo = PHILIPPINE_TIME  # the clinic's: ReconcileFeature sets the backend's
        self.setWindowTitle("Reconciliation with PayMongo")
        self.resize(900, 520)
        why = QLabel(
            "Kaha compares PayMongo's own list of payments with this counter's records, at "
            "start-up and every few minutes. Money PayMongo took that no open payment here "
            "expected is set aside below for a manager: refund it or keep it as credit."
        )
        why.setWordWrap(True)
        self.summary = QLabel("Not run yet.")
        self.summary.setStyleSheet("font-weight: bold;")
        self.details = QPlainTextEdit()
        self.details.setReadOnly(True)
        self.details.setMaximumHeight(140)
        self.table = QTableWidget(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.table.horizontalHeader().setSectionResizeMode(5, QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.run_button = QPushButton("Reconcile now   Ctrl+R")
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.addButton(self.run_button, QDialogButtonBox.ButtonRole.ActionRole)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(why)
        layout.addWidget(self.summary)
        layout.addWidget(self.details)
        layout.addWidget(QLabel("Open cases and flags"))
        layout.addWidget(self.table, 1)
        layout.addWidget(buttons)

    def show_running(self) -> None:
        self.summary.setText("Checking PayMongo's payments…")

    def show_result(self, result: ReconcileResult) -> None:
        when = wall_clock(result.finished_at, self.zone, "%H:%M")
        self.summary.setText(f"{result.summary} (at {when})")
        self.details.setPlainText("\n".join(result.lines(self.zone)[1:]))

    def show_problem(self, text: str) -> None:
        self.summary.setText(text)

    def show_cases(self, cases: OpenCases) -> None:
        rows: list[Sequence[str]] = []
        for attempt in cases.attempts:
            ids = attempt.paymongo_ids
            rows.append(
                (
                    "Overpayment case",
                    wall_clock(attempt.updated_at, self.zone),
                    cases.bill_number(attempt.bill_id),
                    attempt.amount.format(),
                    ids.get("payment") or ids.get("intent") or ids.get("checkout") or "—",
                    f"{attempt.method.label}: paid after the QR or link was closed, or twice",
                )
            )
        for payment in cases.payments:
            rows.append(
                (
                    "Unknown payment",
                    wall_clock(payment.created_at, self.zone),
                    "—",
                    payment.amount.format(),
                    payment.payment_id,
                    payment.note,
                )
            )
        for flag in cases.flags:
            bill = cases.bill_number(flag.bill_id)
            rows.append(
                (
                    "Flag",
                    wall_clock(flag.raised_at, self.zone),
                    bill,
                    flag.amount.format(),
                    flag.subject,
                    flag.note,
                )
            )
        self.table.setRowCount(len(rows))
        for row, cells in enumerate(rows):
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.table.resizeColumnsToContents()


class ReconcileFeature(QObject):
    """What the main window holds: the driver, and the dialog once it is first opened."""

    def __init__(self, runner: TaskRunner, minutes: int, parent: QWidget) -> None:
        super().__init__(parent)
        self._runner = runner
        self._parent = parent
        self.driver = ReconcileDriver(runner, minutes, self)
        self.dialog: ReconcileDialog | None = None
        self._backend: PaymentBackend | None = None
        self.driver.finished.connect(self._on_finished)
        self.driver.failed.connect(self._on_failed)

    def set_backend(self, backend: PaymentBackend | None) -> None:
        self._backend = backend
        if self.dialog is not None and backend is not None:
            self.dialog.zone = backend.clinic_zone
        self.driver.set_backend(backend)

    def open(self) -> ReconcileDialog:
        """Ctrl+R: show the dialog and reconcile now."""
        if self.dialog is None:
            self.dialog = ReconcileDialog(self._parent)
            self.dialog.run_button.clicked.connect(self._run_now)
        dialog = self.dialog
        if self._backend is not None:
            dialog.zone = self._backend.clinic_zone
        if self._backend is None or self._backend.reconcile is None:
            dialog.show_problem("Kaha is still connecting to PayMongo.")
        else:
            if self.driver.last is not None:
                dialog.show_result(self.driver.last)
            self._run_now()
            self._load_cases()
        dialog.show()
        return dialog

    def _run_now(self) -> None:
        if self.driver.run_now() and self.dialog is not None:
            self.dialog.show_running()

    def _load_cases(self) -> None:
        service = None if self._backend is None else self._backend.reconcile
        dialog = self.dialog
        if service is None or dialog is None or not dialog.isVisible():
            return
        self._runner.run_net(
            service.open_cases,
            on_success=dialog.show_cases,
            on_failure=lambda exc: dialog.show_problem(message_for(exc) or ""),
            owner=dialog,
        )

    def _on_finished(self, result: ReconcileResult) -> None:
        if self.dialog is not None and self.dialog.isVisible():
            self.dialog.show_result(result if not result.skipped else self.driver.last or result)
            self._load_cases()
        window = self._parent
        if result.new_cases and hasattr(window, "statusBar"):
            count = len(result.new_cases)
            window.statusBar().showMessage(
                f"Reconciliation set aside {count} overpayment case{'s' if count != 1 else ''}: "
                "see Ctrl+R",
                15_000,
            )

    def _on_failed(self, text: str) -> None:
        if self.dialog is not None:
            self.dialog.show_problem(f"Reconciliation could not finish. {text}")
