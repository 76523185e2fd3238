"""``--screenshot DIR``: docs-quality PNGs of every payment screen, made with real sandbox payments.

Threading contract: GUI thread only; a chain of steps, each started when the previous screen is
up (a signal or a short settle delay for painting), never a blocking wait.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QWidget

from pos_app.domain.tender import TenderMethod
from pos_app.services.collect.results import AttemptUpdate
from pos_app.services.counter import CounterServices, PaymentBackend
from pos_app.ui.main_window import MainWindow
from pos_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from pos_app.ui.counter_lock import CounterLock

SETTLE_MS = 300  # time for layouts and pixmaps to paint before a grab
# the window's first size and a common laptop screen: every window shot is taken at both, the
# first size into a folder of its own
SIZES = ((1280, 800), (1200, 760))
TEST_CARD = "4343 4343 4343 4345"  # PayMongo's public test card
DEMO_OWNER = ("demo-owner", "9001")  # sandbox only (docs/staff.md)


class ScreenshotTour:
    def __init__(
        self,
        app: QApplication,
        window: MainWindow,
        runner: TaskRunner,
        services: CounterServices,
        folder: Path,
    ) -> None:
        self._app, self._window, self._runner = app, window, runner
        self._services, self._folder = services, folder
        self._waiting: Callable[[AttemptUpdate | None], None] | None = None
        self.saved: list[str] = []
        folder.mkdir(parents=True, exist_ok=True)
        # the demo owner, so every screen is open; the sign-in screens come at the end
        services.access.sign_in(*DEMO_OWNER)
        window.use_access(services.access)
        window.resize(1280, 800)
        window.payment.display_changed.connect(self._on_display)
        window.queue.loaded.connect(self._on_first_load)
        QTimer.singleShot(120_000, self._finish)  # never hang a build on a missing signal

    # -- plumbing -------------------------------------------------------------------------------

    def _save(self, widget: QWidget, name: str) -> None:
        if widget is not self._window:
            self._grab(widget, self._folder / name)
            return
        for width, height in reversed(SIZES):  # ends at the tour's own size
            widget.resize(width, height)
            self._app.processEvents()  # the layouts of the new size, before the grab
            folder = (
                self._folder if (width, height) == SIZES[0] else self._folder / f"{width}x{height}"
            )
            folder.mkdir(exist_ok=True)
            self._grab(widget, folder / name)

    def _grab(self, widget: QWidget, target: Path) -> None:
        widget.grab().save(str(target))
        self.saved.append(str(target.relative_to(self._folder)))
        print(f"saved {target}", flush=True)

    def _once_settled(self, step: Callable[[], None]) -> None:
        payment = self._window.payment

        def settled(_settlement: object) -> None:
            payment.settled.disconnect(settled)
            self._later(step)

        payment.settled.connect(settled)

    def _later(self, step: Callable[[], None]) -> None:
        QTimer.singleShot(SETTLE_MS, step)

    def _on_display(self, update: AttemptUpdate | None) -> None:
        waiting = self._waiting
        if waiting is not None and update is not None and update.display is not None:
            self._waiting = None
            waiting(update)

    def _shoot_method(
        self,
        row: int,
        method: TenderMethod,
        name: str,
        then: Callable[[], None],
        *,
        via_source: bool = False,
    ) -> None:
        """Free the counter, pick bill ``row``, start ``method``, save ``name`` once it shows;
        if the services refuse, say why and go on with ``then``."""
        payment = self._window.payment

        def save_then_go_on() -> None:
            if name:  # none: a payment the tour goes on with, not a screen of its own
                self._save(self._window, name)
            then()

        def shown(_update: AttemptUpdate | None) -> None:
            payment.problem.disconnect(refused)
            self._later(save_then_go_on)

        def refused(reason: str) -> None:
            payment.problem.disconnect(refused)
            self._waiting = None
            print(f"skipped {name}: {reason}", flush=True)
            then()

        def start() -> None:
            self._waiting = shown
            payment.problem.connect(refused)
            payment.start_method(method, via_source=via_source)

        payment.next_patient()
        self._window.queue.select_row(row, start)

    # -- the tour -------------------------------------------------------------------------------

    def _on_first_load(self, _count: int) -> None:
        self._window.queue.loaded.disconnect(self._on_first_load)
        self._starting(self._start_backend)

    def _start_backend(self) -> None:
        self._runner.run_net(self._services.start_payment_backend, on_success=self._on_backend)

    def _starting(self, then: Callable[[], None]) -> None:
        """A used counter's first second: the queue is up, the keys are still being read."""
        services = self._services
        window = MainWindow.for_counter(
            services.settings, None, services.bills, self._runner, services.receipts
        )
        window.resize(1280, 800)
        window.set_connection_status("Opening the payment database…")

        def save_then_go_on() -> None:
            self._save(window, "starting.png")
            window.stop_watching()
            window.close()
            window.deleteLater()
            then()

        def loaded(count: int) -> None:
            window.queue.loaded.disconnect(loaded)
            # shown as on a real start: the rows this counter saved, the database still opening
            model = window.queue.model
            rows = [model.bill_at(row) for row in range(count)]
            window.queue.show_first_rows([row for row in rows if row is not None])
            self._later(save_then_go_on)

        window.queue.loaded.connect(loaded)
        window.show()

    def _on_backend(self, backend: object) -> None:
        assert isinstance(backend, PaymentBackend)
        self._window.set_backend(backend)
        self._window.set_connection_status(backend.description)
        if backend.clinic is not None:  # the demo bills come from the clinic stand-in
            self._runner.run_net(backend.clinic.run, on_success=self._on_synced)

    def _on_synced(self, _report: object) -> None:
        queue = self._window.queue

        def loaded(_count: int) -> None:
            queue.loaded.disconnect(loaded)
            queue.select_row(1, lambda: self._later(self._main_and_cash))

        queue.loaded.connect(loaded)
        queue.reload()

    def _main_and_cash(self) -> None:
        self._save(self._window, "main-window.png")
        self._window.payment.cash_button.click()
        self._window.payment.cash.tendered_edit.setText("5,000.00")
        self._later(self._cash_then_wallet)

    def _cash_then_wallet(self) -> None:
        self._save(self._window, "payment-cash.png")
        self._shoot_method(2, TenderMethod.GCASH, "payment-ewallet.png", self._source)

    def _source(self) -> None:
        # the wallet_sources setting's screen: GrabPay's own page through PayMongo Sources
        name = "payment-ewallet-source.png"
        self._shoot_method(5, TenderMethod.GRAB_PAY, name, self._checkout, via_source=True)

    def _checkout(self) -> None:
        self._shoot_method(3, TenderMethod.CHECKOUT, "payment-checkout.png", self._card)

    def _card(self) -> None:
        payment = self._window.payment

        def fill_in() -> None:
            payment.show_card_form()
            if payment.card is not None:
                payment.card.number_edit.setText(TEST_CARD)
                payment.card.expiry_edit.setText("12/29")
            self._later(self._card_then_qrph)

        payment.next_patient()
        self._window.queue.select_row(4, fill_in)

    def _card_then_qrph(self) -> None:
        card = self._window.payment.card
        if card is None:  # keyed card off, as at most clinics: F3 says how cards are taken
            self._save(self._window, "payment-keyed-card-off.png")
        else:
            self._save(self._window, "payment-keyed-card.png")
            card.clear()
        self._window.customer_display.show()
        self._shoot_method(1, TenderMethod.QRPH, "payment-qrph.png", self._customer_qr_then_pay)

    def _customer_qr_then_pay(self) -> None:
        self._save(self._window.customer_display, "customer-display-qr.png")
        current = self._window.payment.current
        url = current.display.url if current and current.display else None
        if url is None:
            self._finish()
            return
        from pos_app.services.collect.test_pages import submit_test_page

        self._once_settled(self._paid)
        self._runner.run_net(lambda: submit_test_page(url))

    def _paid(self) -> None:
        self._save(self._window, "payment-paid.png")
        self._save(self._window.customer_display, "customer-display-paid.png")
        self._shoot_method(3, TenderMethod.QRPH, "", self._failed_on_the_phone)

    def _failed_on_the_phone(self) -> None:
        """The patient's bank refuses: the counter says so and offers Try again."""
        current = self._window.payment.current
        url = current.display.url if current and current.display else None
        if url is None:
            self._finish()
            return
        from pos_app.services.collect.test_pages import submit_test_page

        def closed(update: AttemptUpdate | None) -> None:
            if update is not None and not update.is_open:
                self._window.payment.display_changed.disconnect(closed)
                self._later(self._failed_then_cash)

        self._window.payment.display_changed.connect(closed)
        self._runner.run_net(lambda: submit_test_page(url, authorize=False))

    def _failed_then_cash(self) -> None:
        self._save(self._window, "payment-qr-failed.png")
        payment = self._window.payment

        def pay_cash() -> None:
            self._once_settled(self._paid_cash)
            payment.cash_button.click()
            bill = payment.bill
            thousands = bill.balance.centavos // 100_000 + 1 if bill is not None else 1
            payment.cash.tendered_edit.setText(f"{thousands},000")  # the next ₱1,000 up
            payment.cash.record_button.click()

        payment.next_patient()
        self._window.queue.select_row(6, pay_cash)

    def _paid_cash(self) -> None:
        self._save(self._window, "payment-paid-cash.png")
        bill = self._window.payment.bill
        self._cash_bill_id = None if bill is None else bill.id  # for the bill history, later
        self._late_payment()

    def _late_payment(self) -> None:
        """A QR cancelled at the counter and paid anyway: reconciliation raises it (Ctrl+R)."""
        backend, feature = self._window.payment.backend, self._window.reconciliation
        summary = self._window.queue.model.bill_at(7)  # a bill the tour left alone
        if backend is None or feature is None or summary is None:
            self._finish()
            return
        collect, url = backend.collect, backend.paymongo_url

        def paid_late() -> None:
            import httpx

            from pos_app.domain.money import Money

            update = collect.start(summary.id, TenderMethod.QRPH, Money(500_00))
            collect.cancel(update.attempt.id)
            intent = update.attempt.paymongo_ids["intent"]
            httpx.post(f"{url}/_control/objects/{intent}/pay_late", timeout=10).raise_for_status()

        def reconcile() -> None:
            def shown(_result: object) -> None:
                feature.driver.finished.disconnect(shown)
                self._later(self._reconciled)

            feature.driver.finished.connect(shown)
            feature.open()

        self._runner.run_net(paid_late, on_success=lambda _: reconcile(), on_failure=self._stop)

    def _reconciled(self) -> None:
        dialog = self._window.reconciliation.dialog if self._window.reconciliation else None
        if dialog is not None:
            dialog.resize(1000, 560)
            self._later(lambda: self._save_then(dialog, "reconciliation.png", self._payouts))

    def _payouts(self) -> None:
        backend = self._window.payment.backend
        if backend is None:
            self._finish()
            return
        url = backend.paymongo_url

        def pay_out() -> None:
            import httpx

            httpx.post(f"{url}/_control/payouts", json={}, timeout=10).raise_for_status()

        def show() -> None:
            dialog = self._window.show_payouts()
            assert dialog is not None  # the demo owner may see reports
            dialog.loaded.connect(
                lambda: self._later(lambda: self._save_then(dialog, "payouts.png", self._history))
            )

        self._runner.run_net(pay_out, on_success=lambda _: show(), on_failure=self._stop)

    def _history(self) -> None:
        """Ctrl+I on the bill paid in cash, its invoice printed and reprinted once."""
        bill_id, receipts = getattr(self, "_cash_bill_id", None), self._services.receipts
        if bill_id is None:
            self._locked()
            return

        def print_twice() -> None:
            invoice = receipts.history(bill_id).documents[-1].name
            receipts.print_document(bill_id, invoice)
            receipts.print_document(bill_id, invoice)

        def show() -> None:
            from pos_app.ui.bill_history import BillHistoryDialog

            dialog = BillHistoryDialog(self._runner, receipts, self._window)
            dialog.loaded.connect(
                lambda _history: self._later(
                    lambda: self._save_then(dialog, "bill-history.png", self._locked)
                )
            )
            dialog.open_bill(bill_id)

        self._runner.run_net(print_twice, on_success=lambda _: show(), on_failure=self._stop)

    def _locked(self) -> None:
        """The lock screen; the first start's owner page; a wrong PIN when switching person."""
        lock = self._window.lock
        assert lock is not None
        lock.lock_now()

        def first_owner() -> None:
            self._save(self._window, "lock-screen.png")
            lock.screen.show_first_owner()
            lock.screen.name_edit.setText("Olivia Reyes")
            self._later(wrong_pin)

        def wrong_pin() -> None:
            self._save(self._window, "sign-in-first-owner.png")
            lock.screen.show_sign_in(switching=True)
            lock.screen.name_edit.setText("demo-receptionist")
            lock.screen.pin_edit.setText("1234")
            lock.screen.sign_in_button.click()

        def refused() -> None:
            self._save(self._window, "sign-in.png")
            lock.screen.pin_edit.setText("9003")
            lock.screen.sign_in_button.click()

        # a wrong PIN's message, then the receptionist signs in and asks for the payouts
        self._watch_problem(lock, refused)
        lock.signed_in.connect(lambda _person: self._later(self._override))
        self._later(first_owner)

    def _watch_problem(self, lock: CounterLock, then: Callable[[], None]) -> None:
        """Once the wrong PIN's message is on the sign-in screen (a label has no signal)."""
        timer = QTimer(self._window)

        def poll() -> None:
            text = lock.screen.problem.text()
            if text and text != "Checking…" and lock.screen.sign_in_button.isEnabled():
                timer.stop()
                self._later(then)

        timer.timeout.connect(poll)
        timer.start(50)

    def _override(self) -> None:
        self._window.show_payouts()  # a receptionist: the approval dialog
        dialog = self._window.override
        if dialog is None:
            self._finish()
            return
        dialog.name_edit.setText("demo-staff")
        dialog.pin_edit.setText("9002")
        self._later(lambda: self._save_then(dialog, "override.png", self._finish))

    def _save_then(self, widget: QWidget, name: str, then: Callable[[], None]) -> None:
        self._save(widget, name)
        widget.hide()
        then()

    def _stop(self, exc: BaseException) -> None:
        print(f"screenshot tour stopped: {exc!r}", flush=True)
        self._finish()

    def _finish(self) -> None:
        self._window.stop_watching()
        self._app.quit()
