"""Starting the GUI: QApplication, the main window, the smoke test and the screenshot mode.

Threading contract: ``run_gui`` runs the Qt event loop on the calling (main) thread until the window
closes; everything blocking goes through the ``TaskRunner``.
"""

from __future__ import annotations

import logging
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from pos_app.config import Mode, Settings
from pos_app.domain.bill_summary import BillSummary
from pos_app.domain.errors import PosError
from pos_app.services.bills import StartingBillFinder
from pos_app.services.receipts import ReceiptService
from pos_app.ui.errors import message_for
from pos_app.ui.main_window import MainWindow
from pos_app.ui.start_notice import show_start_notice
from pos_app.ui.tasks import TaskRunner

if TYPE_CHECKING:  # the payment services load after the window is drawn
    from pos_app.services.collect.results import AttemptUpdate, Settlement
    from pos_app.services.counter import CounterServices, OpeningBackend, PaymentBackend
    from pos_app.ui.screenshots import ScreenshotTour

log = logging.getLogger(__name__)
SMOKE_TIMEOUT_MS = 60_000
PAINT_WAIT_S = 2.0


class _Outcome:
    def __init__(self) -> None:
        self.code = 0


def run_gui(
    services: CounterServices,
    *,
    smoke_test: bool = False,
    screenshot_dir: Path | None = None,
    startup_probe: bool = False,
) -> int:
    app = _application()
    runner = TaskRunner()
    window = MainWindow.for_counter(
        services.settings, services.mode, services.bills, runner, services.receipts
    )
    window.journal = services.journal
    outcome = _Outcome()
    tour: ScreenshotTour | None = None
    window.show()
    if services.notice:
        show_start_notice(window, services.notice)
    if startup_probe:
        window.queue.loaded.connect(
            lambda _count: _finish_probe(app, "ready", "working", drawn=window.queue.count_label)
        )
    elif smoke_test:
        _arm_smoke_test(app, window, runner, services, outcome)
    elif screenshot_dir is not None:
        from pos_app.ui.screenshots import ScreenshotTour

        tour = ScreenshotTour(app, window, runner, services, screenshot_dir)
    else:
        _start_backend(window, runner, services)
    app.exec()
    runner.wait_for_done()
    if tour is not None and not tour.saved:
        return 1
    return outcome.code


def run_gui_while_starting(
    settings: Settings,
    first_rows: list[BillSummary],
    build: Callable[[], CounterServices],
    *,
    startup_probe: bool = False,
) -> int:
    """Show the window with the queue's first rows at once; open the database meanwhile.

    ``build`` (the keyring, SQLAlchemy, durability check, migrations: most of start-up's cost)
    runs as the first task on the database worker, so every later read on that worker waits for
    it. Until it returns the banner says the keys are being checked (the mode comes from them)
    and no payment can start. If it fails, the window says once why the counter cannot work and
    closes (reads queued meanwhile end quietly). The payment backend starts once the services
    exist. The probe prints ``ready`` when the rows are drawn and ``working`` once built."""
    app = _application()
    runner = TaskRunner()
    finder = StartingBillFinder()
    receipts = ReceiptService(settings)  # its database comes with the services
    outcome = _Outcome()
    built: list[CounterServices] = []

    painted = threading.Event()
    # The probe times the real first paint: no stand-in after PAINT_WAIT_S (under valgrind, which
    # the start-up benchmark counts instructions with, the paint takes longer than that).
    paint_wait_s = None if startup_probe else PAINT_WAIT_S

    def build_and_attach() -> CounterServices:
        # Loading SQLAlchemy holds the GIL for long stretches: let the GUI thread build and paint
        # the window first (a few hundred ms at most; the wait is bounded in case it never does).
        painted.wait(paint_wait_s)
        try:
            services = build()
        except BaseException as exc:
            finder.fail(exc)
            raise
        # here, not in ``opened``: shut down even if the window is gone
        _attach(services, built, finder, receipts)
        return services

    def opened(services: CounterServices) -> None:
        _show_opened(window, services)
        if startup_probe:
            _finish_probe(app, "working")
        else:
            _start_backend(window, runner, services)

    def failed(exc: BaseException) -> None:
        log.error("start-up failed after the window opened", exc_info=exc)
        outcome.code = 1
        # the database, the keyring or the keys themselves: the box below says which
        window.set_connection_status("Kaha could not start")
        # as app.main tells it when the database fails before the window: the storage message
        reason = exc.user_message if isinstance(exc, PosError) else message_for(exc)
        tell_cannot_start(reason or repr(exc), parent=window)
        app.quit()

    # First in the database worker's queue, before the window exists: showing the rows may
    # already ask for the current bill, and that read must find the database open.
    runner.run_db(build_and_attach, on_success=opened, on_failure=failed)
    window = MainWindow.for_counter(
        settings, None, finder, runner, receipts, payment_side_later=True
    )
    window.show()
    window.queue.show_first_rows(first_rows)
    window.set_connection_status("Opening the payment database…")

    def after_paint() -> None:  # once the window has been drawn with the rows
        if painted.is_set():
            return
        if startup_probe:
            print("ready", flush=True)
        window.build_payment_side()
        painted.set()

    # Not a zero-time timer: Qt draws a window just shown a few milliseconds later, and a
    # timer queued now would build the payment side first. A window that is never drawn (shown
    # minimised) gets its payment side after PAINT_WAIT_S all the same.
    AfterPaint(window.queue.count_label, after_paint)
    if paint_wait_s is not None:
        QTimer.singleShot(int(paint_wait_s * 1000), after_paint)

    try:
        app.exec()
        runner.wait_for_done()
    finally:
        for services in built:
            services.shutdown()
    return outcome.code


def _show_opened(window: MainWindow, services: CounterServices) -> None:
    """The mode on the banner; the queue read again if the first paint showed the other books
    (the mode changed, services.practice); what start-up must say."""
    window.set_mode(services.mode)
    if services.other_books_painted:
        window.queue.reload()
    if services.notice:
        show_start_notice(window, services.notice)


def _attach(
    services: CounterServices,
    built: list[CounterServices],
    finder: StartingBillFinder,
    receipts: ReceiptService,
) -> None:
    """The opened services, to shut down at the end, read bills from and count prints in."""
    built.append(services)
    finder.attach(services.bills)
    receipts.use_access(services.access)  # the cashier's name; reprints checked
    receipts.adopt(services.receipts)  # prints counted, history readable, the books' folder


def tell_cannot_start(message: str, *, parent: QWidget | None = None) -> None:
    """Why Kaha cannot start: on stderr, and in a box the receptionist must close (a counter
    started from the desktop has no terminal to read). Offscreen, where nobody could close the
    box, stderr only."""
    print(message, file=sys.stderr, flush=True)
    app = _application()
    if app.platformName() != "offscreen":
        from PySide6.QtWidgets import QMessageBox

        QMessageBox.critical(parent, "Kaha cannot start", message)


def _application() -> QApplication:
    """The QApplication, in Qt's Fusion style (the same look on every desktop)."""
    existing = QApplication.instance()
    if existing is None:
        # chosen on Qt's command line: setStyle() afterwards would build a second style and
        # its Python enums (~20 ms) before the window can be drawn
        app = QApplication([*sys.argv[:1], "-style", "fusion"])
    else:  # made elsewhere (the tests' QApplication)
        assert isinstance(existing, QApplication)
        app = existing
        if app.style().name() != "fusion":
            app.setStyle("Fusion")
    app.setApplicationName("Kaha")
    return app


def _finish_probe(
    app: QApplication, *lines: str, quit_after: bool = True, drawn: QWidget | None = None
) -> None:
    """Print ``lines`` (then quit) at once, or once ``drawn`` has been painted: with the queue's
    count, the rows just given to it are on screen (one paint pass), not only laid out."""

    def say() -> None:
        for line in lines:
            print(line, flush=True)
        if quit_after:
            app.quit()

    if drawn is None:
        QTimer.singleShot(0, say)
    else:
        AfterPaint(drawn, say)


class AfterPaint(QObject):
    """Calls ``then`` once ``widget`` has been painted, after the rest of that paint pass.

    Qt paints a window that was just shown a few milliseconds later (a platform update
    request), after zero-time timers queued meanwhile have run; timing "shown" needs this."""

    def __init__(self, widget: QWidget, then: Callable[[], None]) -> None:
        # (not a scroll area's viewport: fetching that from Python costs PySide ~20 ms of type
        # lookups; a label beside it is painted in the same pass)
        super().__init__(widget)
        self._then = then
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint:
            watched.removeEventFilter(self)
            QTimer.singleShot(0, self._then)
        return False


def _start_backend(window: MainWindow, runner: TaskRunner, services: CounterServices) -> None:
    """Payments on, in two steps: the services at once (cash needs only the database), then the
    look at PayMongo (key check, recovery of open payments), which may take long or hang.
    The sign-in page covers the counter until someone signs in (payments start meanwhile)."""
    lock = window.use_access(services.access)
    if services.mode is Mode.SANDBOX:  # the demo people's published PINs (docs/staff.md)
        from pos_app.services.access import DEMO_PEOPLE

        lock.screen.show_practice_people([(name, pin) for name, _role, pin in DEMO_PEOPLE])
    window.set_connection_status("Connecting to PayMongo…")
    window.journal = services.journal  # needs only the database
    if services.owner is not None:
        window.add_owner_menu(services.owner)

    def started(backend: PaymentBackend) -> None:
        window.set_connection_status(backend.description)
        window.set_backend(backend)

    def opened(opening: OpeningBackend) -> None:
        started(opening.backend)
        runner.run_net(opening.connect, on_success=connected, on_failure=not_connected)

    def connected(backend: PaymentBackend) -> None:
        window.set_connection_status(backend.description)
        window.set_backend(backend)  # the same services; now with the ways the account takes

    def not_connected(exc: BaseException) -> None:
        window.set_connection_status("PayMongo could not be checked; cash works")
        log.error("PayMongo check or recovery failed: %s", message_for(exc) or exc)

    def failed(exc: BaseException) -> None:
        window.set_connection_status("Payments could not start")
        reason = message_for(exc) or ""
        window.set_backend(None, offline_reason=f"Payments could not start. {reason}")
        log.error("payment backend did not start: %s", reason)

    if services.open_payment_backend is None:
        runner.run_net(services.start_payment_backend, on_success=started, on_failure=failed)
    else:
        runner.run_net(services.open_payment_backend, on_success=opened, on_failure=failed)


def _arm_smoke_test(
    app: QApplication,
    window: MainWindow,
    runner: TaskRunner,
    services: CounterServices,
    outcome: _Outcome,
) -> None:
    """Queue loads; payments start; one QR Ph payment is authorized on the test page; invoice."""
    started = time.perf_counter()
    facts: list[str] = []

    def fail(reason: str) -> None:
        if outcome.code == 0:
            print(f"smoke FAILED: {reason}", file=sys.stderr, flush=True)
            outcome.code = 1
        app.quit()

    def on_backend(backend: PaymentBackend) -> None:
        window.set_backend(backend)
        if backend.clinic is None:
            fail("no clinic server to pull the demo bills from")
            return
        runner.run_net(backend.clinic.run, on_success=on_synced, on_failure=crashed)

    def on_synced(report: object) -> None:
        window.queue.loaded.connect(on_loaded)
        window.queue.reload()

    def on_loaded(count: int) -> None:
        window.queue.loaded.disconnect(on_loaded)
        if count == 0:
            fail("the bill queue loaded but is empty (no bills came from the clinic stand-in)")
            return
        seconds = time.perf_counter() - started
        facts.append(f"{count} open bills pulled from the clinic server in {seconds:.2f} s")
        window.queue.select_row(0, window.payment.collect_qrph)

    def on_display(update: AttemptUpdate | None) -> None:
        if update is None or update.display is None or update.display.url is None:
            return
        window.payment.display_changed.disconnect(on_display)
        url = update.display.url
        from pos_app.services.collect.test_pages import submit_test_page

        runner.run_net(lambda: submit_test_page(url), on_failure=crashed)

    def on_settled(settlement: Settlement) -> None:
        print(
            f"smoke ok: {services.mode.value} mode window opened; "
            f"database {services.database_checks}; {facts[0]}; QR Ph payment of "
            f"{settlement.invoice.total} authorized on the test page, bill "
            f"{settlement.bill.number} settled, invoice {settlement.invoice.number}",
            flush=True,
        )
        app.quit()

    def crashed(exc: BaseException) -> None:
        fail(message_for(exc) or repr(exc))

    runner.run_net(services.start_payment_backend, on_success=on_backend, on_failure=crashed)
    window.payment.display_changed.connect(on_display)
    window.payment.settled.connect(on_settled)
    QTimer.singleShot(SMOKE_TIMEOUT_MS, lambda: fail("no settled payment within 60 s"))
