"""The counter's main window: mode banner, bill queue, the selected bill, status bar.

Threading contract: GUI thread only. The window delegates: the queue to ``BillQueueView``, the bill
to ``BillDetailView``, payments to ``PaymentPanel``; it owns no business logic. Service calls of
its menu (walk-in bill, overpayments) run on the task runner.

The payment side (bill detail, payment panel, customer display) is built with the window, or, with
``payment_side_later=True``, once the window is on screen (``build_payment_side``, or on first
use): on a used counter the queue is drawn before the payment screens and the printing code load.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QLabel,
    QMainWindow,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from pos_app.services.bills import BillFinder
from pos_app.ui.bill_queue import BillQueueView
from pos_app.ui.errors import message_for
from pos_app.ui.mode_banner import CENTRED, ModeBanner
from pos_app.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from PySide6.QtGui import QCloseEvent
    from PySide6.QtWidgets import QMessageBox

    from pos_app.config import Mode, Settings
    from pos_app.domain.bill import Bill, BillStatus
    from pos_app.domain.money import Money
    from pos_app.domain.roles import Permission
    from pos_app.services.access import AccessService
    from pos_app.services.collect.results import Settlement
    from pos_app.services.counter import PaymentBackend
    from pos_app.services.journal import JournalService
    from pos_app.services.owner_tools import OwnerTools
    from pos_app.services.receipts import ReceiptService
    from pos_app.ui.bill_detail import BillDetailView
    from pos_app.ui.bill_history import BillHistoryDialog
    from pos_app.ui.clinic_sync_view import ClinicSide
    from pos_app.ui.counter_lock import CounterLock
    from pos_app.ui.customer_display import CustomerDisplay
    from pos_app.ui.ejournal_view import EJournalDialog
    from pos_app.ui.health_panel import HealthPanel
    from pos_app.ui.overpayment_cases import OverpaymentCasesDialog
    from pos_app.ui.override import OverrideDialog
    from pos_app.ui.owner_menu import OwnerMenu
    from pos_app.ui.payment_panel import PaymentPanel
    from pos_app.ui.payouts_view import PayoutsDialog
    from pos_app.ui.readings_view import ReadingsFeature
    from pos_app.ui.reconcile_view import ReconcileFeature
    from pos_app.ui.refund_dialog import RefundDialog
    from pos_app.ui.walk_in import WalkInDialog
    from pos_app.ui.webhook_line import WebhookStatusLine

# the queue and the payment side, side by side: the queue keeps room for its services column
SPLIT_WIDTHS = (600, 600)


class _PaymentSide(NamedTuple):  # not a dataclass: defined before the first paint, ~5x cheaper
    detail: BillDetailView
    payment: PaymentPanel
    customer_display: CustomerDisplay


class MainWindow(QMainWindow):
    def __init__(
        self,
        *,
        mode: Mode | None,
        finder: BillFinder,
        runner: TaskRunner,
        clinic_name: str,
        terminal_id: str,
        receipts: ReceiptService,
        keyed_card_enabled: bool = False,
        wallet_sources: bool = False,
        payment_side_later: bool = False,
        reconcile_minutes: int = 5,
        window_state: Path | None = None,
    ) -> None:
        """``window_state``: the file that keeps the window's size and place (``closing``)."""
        super().__init__()
        self.setWindowTitle(f"Kaha — {clinic_name}")
        self.resize(1200, 760)
        self._come_back(window_state)
        self.banner = ModeBanner(mode)
        self.queue = BillQueueView(finder, runner)
        self._runner = runner
        self._clinic_name = clinic_name
        self._receipts = receipts
        self._keyed_card_enabled = keyed_card_enabled
        self._wallet_sources = wallet_sources
        self._side: _PaymentSide | None = None
        self.overpayments: OverpaymentCasesDialog | None = None
        self.refund_dialog: RefundDialog | None = None
        self.walk_in: WalkInDialog | None = None
        self.webhook_line: WebhookStatusLine | None = None  # once a webhook receiver runs
        self._reconcile_minutes = reconcile_minutes
        self.reconciliation: ReconcileFeature | None = None  # with the payment side
        self.payouts: PayoutsDialog | None = None
        self.clinic: ClinicSide | None = None  # the clinic server's side, once the backend is up
        self.health: HealthPanel | None = None
        self.bill_history: BillHistoryDialog | None = None
        self.readings: ReadingsFeature | None = None  # shifts and X/Z readings (Counter menu)
        self.journal: JournalService | None = None  # the e-journal, once the database is open
        self.ejournal: EJournalDialog | None = None
        self.access: AccessService | None = None  # who is signed in (``use_access``)
        self.lock: CounterLock | None = None
        self.override: OverrideDialog | None = None  # the last one asked for
        self._select_after_load: int | None = None
        self._payment_state: dict[int, tuple[BillStatus, Money]] = {}
        self._menu = self.menuBar().addMenu("&Counter")  # its entries come with the payment side
        self._right = QSplitter()  # vertical once it holds the payment side
        # holds the payment side's place, so the queue keeps its width when that side arrives
        self._placeholder = QLabel("Opening the payment screens…")
        self._placeholder.setStyleSheet(f"QLabel {{ {CENTRED} }}")
        self._right.addWidget(self._placeholder)
        self._lay_out(self._split())
        self.terminal_label = QLabel(f"Counter {terminal_id}")
        self.connection_label = QLabel("")
        self.statusBar().addPermanentWidget(self.connection_label)
        self.statusBar().addPermanentWidget(self.terminal_label)
        self.queue.bill_selected.connect(self._on_bill_selected)
        self.queue.loaded.connect(self._on_queue_loaded)
        if not payment_side_later:
            self.build_payment_side()
        QTimer.singleShot(0, self.queue.reload)

    def _split(self) -> QSplitter:
        """The queue on the left, the payment side on the right."""
        splitter = self._splitter = QSplitter()
        splitter.addWidget(self.queue)
        splitter.addWidget(self._right)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        splitter.setChildrenCollapsible(False)  # neither side may be squeezed out of sight
        splitter.setSizes(list(SPLIT_WIDTHS))
        return splitter

    def _lay_out(self, splitter: QSplitter) -> None:
        """The banner across the top, the queue and payment splitter under it."""
        central = QWidget()
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.banner)
        inner = QWidget()
        inner_layout = QVBoxLayout(inner)
        inner_layout.setContentsMargins(10, 10, 10, 6)
        inner_layout.addWidget(splitter)
        layout.addWidget(inner, 1)
        self.setCentralWidget(central)

    def _come_back(self, window_state: Path | None) -> None:
        """Where the window was when it last closed (``closing``); the first size if never."""
        self._window_state = window_state
        self._close_anyway = False
        self.close_question: QMessageBox | None = None
        if window_state is not None:
            from pos_app.ui.closing import restore_geometry

            restore_geometry(self, window_state)

    @classmethod
    def for_counter(
        cls,
        settings: Settings,
        mode: Mode | None,
        finder: BillFinder,
        runner: TaskRunner,
        receipts: ReceiptService,
        *,
        payment_side_later: bool = False,
    ) -> MainWindow:
        """The window as this counter's settings configure it."""
        return cls(
            mode=mode,
            finder=finder,
            runner=runner,
            clinic_name=settings.clinic_name,
            terminal_id=settings.terminal_id,
            receipts=receipts,
            keyed_card_enabled=settings.keyed_card_enabled,
            wallet_sources=settings.wallet_sources,
            payment_side_later=payment_side_later,
            reconcile_minutes=settings.reconcile_minutes,
            window_state=settings.config_dir / "window.ini",
        )

    @property
    def detail(self) -> BillDetailView:
        return self.build_payment_side().detail

    @property
    def payment(self) -> PaymentPanel:
        return self.build_payment_side().payment

    @property
    def customer_display(self) -> CustomerDisplay:
        return self.build_payment_side().customer_display

    @property
    def payment_side_built(self) -> bool:
        return self._side is not None

    def build_payment_side(self) -> _PaymentSide:
        """The selected bill, the payment panel and the customer display (built once)."""
        if self._side is not None:
            return self._side
        from PySide6.QtCore import Qt

        from pos_app.ui.bill_detail import BillDetailView
        from pos_app.ui.customer_display import CustomerDisplay
        from pos_app.ui.payment_panel import PaymentPanel

        detail = BillDetailView()
        payment = PaymentPanel(
            self._runner,
            self._receipts,
            keyed_card_enabled=self._keyed_card_enabled,
            wallet_sources=self._wallet_sources,
        )
        display = CustomerDisplay(self._clinic_name)
        self._side = side = _PaymentSide(detail, payment, display)
        payment.finished.connect(self._on_next_patient)
        payment.bill_changed.connect(self._on_bill_changed)
        payment.display_changed.connect(display.show_update)
        payment.settled.connect(self._on_settled)
        from pos_app.ui.reconcile_view import ReconcileFeature

        self.reconciliation = ReconcileFeature(self._runner, self._reconcile_minutes, self)
        payment.hold_changed.connect(self.queue.hold)  # the queue stays on the bill being paid
        payment.notice.connect(lambda text: self.statusBar().showMessage(text, 8000))
        self._fill_menu(payment)
        widths = self._splitter.sizes() if self.isVisible() else list(SPLIT_WIDTHS)
        self._placeholder.setParent(None)  # out of the splitter; freed with the window
        self._right.setOrientation(Qt.Orientation.Vertical)
        self._right.addWidget(detail)
        self._right.addWidget(payment)
        self._right.setStretchFactor(0, 1)
        self._right.setStretchFactor(1, 1)
        self._splitter.setSizes(widths)
        current = self.queue.current_bill()
        if current is not None:  # chosen while the payment side was still to come
            self._on_bill_selected(current)
        self.queue.name_columns()  # Qt's enums are built by now (the splitter's orientation)
        return side

    def _fill_menu(self, payment: PaymentPanel) -> None:
        from PySide6.QtGui import QAction, QKeySequence

        # (the window's keys come with the payment side, after the first paint: PySide's
        # QKeySequence type costs a few milliseconds to load)
        entries = (
            ("&Find a bill (search box)", "Ctrl+F", self.queue.search_box.setFocus),
            ("&Collect (amount to collect)", "F5", payment.focus_amount),
            ("&New walk-in bill…", "Ctrl+N", self.open_walk_in),
            ("Senior citizen / P&WD discount…", "Ctrl+D", self.open_senior_pwd),
            ("Bill h&istory and documents…", "Ctrl+I", self.show_bill_history),
            ("&E-journal…", "Ctrl+J", self.show_ejournal),
            ("&Overpayments to review…", "Ctrl+O", self._guarded_overpayments),
            ("Re&fund…", "Ctrl+Shift+F", lambda: self.refund_guarded(None)),
            ("Customer &display", "F9", self.toggle_customer_display),
            ("&Reconcile with PayMongo…", "Ctrl+R", self.show_reconciliation),
            ("PayMongo &payouts…", "Ctrl+Shift+P", self.show_payouts),
            ("&Sync with the clinic now", "Ctrl+Shift+S", self.sync_clinic_now),
            ("&Reload all bills from the clinic", "Ctrl+Shift+R", self.reload_all_bills),
            ("Counter &health…", "Ctrl+H", self.show_health),
        )
        for text, key, slot in entries:
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            self._menu.addAction(action)
            self.addAction(action)  # the key works with the menu closed
        from pos_app.ui.readings_view import ReadingsFeature

        self.readings = ReadingsFeature(self, self._runner)
        self._menu.addSeparator()
        for text, slot in self.readings.slots():
            self._menu.addAction(text).triggered.connect(slot)

    def add_owner_menu(self, tools: OwnerTools) -> OwnerMenu:
        """The Owner menu: settings and the audit trail check (the services check the role)."""
        from pos_app.ui.owner_menu import OwnerMenu

        self.owner_menu = OwnerMenu(self, self._runner, tools)
        return self.owner_menu

    def use_access(self, access: AccessService, *, idle_check_ms: int = 1000) -> CounterLock:
        """Sign-in before use, the idle lock, Ctrl+L and switching person (``counter_lock``)."""
        from PySide6.QtGui import QAction, QKeySequence

        from pos_app.ui.counter_lock import CounterLock

        self.access = access
        lock = self.lock = CounterLock(
            self, access, self._runner, clinic_name=self._clinic_name, check_ms=idle_check_ms
        )
        for text, key, slot in (
            ("&Lock the counter", "Ctrl+L", lock.lock_now),
            ("S&witch person…", "Ctrl+Shift+L", lock.switch_person),
        ):
            action = QAction(text, self)
            action.setShortcut(QKeySequence(key))
            action.triggered.connect(slot)
            self._menu.addAction(action)
            self.addAction(action)
        return lock

    def guarded(self, permission: Permission, then: Callable[[], object]) -> None:
        """Run a protected action, after a manager override if the signed-in person's role
        may not (``override.ensure_permission``; the service checks again)."""
        from pos_app.ui.override import ensure_permission

        dialog = ensure_permission(self, self.access, self._runner, permission, then)
        if dialog is not None:
            self.override = dialog

    def stop_watching(self) -> None:
        """Closing down: stop the payment monitor's timer and every countdown."""
        if self.lock is not None:
            self.lock.stop()
        if self.clinic is not None:
            self.clinic.stop()
        if self.refund_dialog is not None:
            self.refund_dialog.stop()
        if not self.payment_side_built:
            return  # nothing was ever watched
        self.payment.stop_timers()
        if self.webhook_line is not None:
            self.webhook_line.stop()
        self.customer_display.show_idle()
        if self.reconciliation is not None:
            self.reconciliation.driver.stop()

    def closeEvent(self, event: QCloseEvent) -> None:
        """With a payment open, ask first and say what becomes of it; then close the
        customer display too, so nothing runs on unseen."""
        from pos_app.ui.closing import ask_before_closing, save_geometry

        what = self._open_payment()
        if what and not self._close_anyway:
            event.ignore()
            self.close_question = ask_before_closing(self, what, self._close_now)
            return
        save_geometry(self, self._window_state)
        if self._side is not None:
            self._side.customer_display.close()
        super().closeEvent(event)

    def _close_now(self) -> None:
        self._close_anyway = True
        self.close()

    def _open_payment(self) -> str:
        """The payment on screen that is still open, in words ("" when none is)."""
        current = self._side.payment.current if self._side is not None else None
        if current is None or not current.is_open:
            return ""
        bill = current.bill
        return (
            f"{current.attempt.method.label} for {current.attempt.amount} on bill "
            f"{bill.number} ({bill.patient.full_name})"
        )

    def set_mode(self, mode: Mode) -> None:
        """The mode once the keys are read (``mode=None`` at construction: not known yet)."""
        self.banner.show_mode(mode)

    def set_connection_status(self, text: str) -> None:
        self.connection_label.setText(text)

    def set_backend(self, backend: PaymentBackend | None, *, offline_reason: str = "") -> None:
        self.payment.set_backend(backend, offline_reason=offline_reason)
        if backend is not None and backend.webhook is not None and self.webhook_line is None:
            from pos_app.ui.webhook_line import WebhookStatusLine

            self.webhook_line = WebhookStatusLine(self._runner, self)
            self.statusBar().addPermanentWidget(self.webhook_line)
            self.webhook_line.watch(backend.webhook)
        if self.reconciliation is not None:
            self.reconciliation.set_backend(backend)  # its first run is the start-up one
        if backend is not None and self.clinic is None:
            from pos_app.ui.clinic_sync_view import ClinicSide

            self.clinic = ClinicSide(
                self,
                self._runner,
                backend.clinic,
                reload_queue=self.queue.reload,
                bill_on_screen=lambda: self.payment.bill,
                show_changed_bill=self.show_changed_bill,
            )

    def sync_clinic_now(self) -> None:
        """Ctrl+Shift+S: pull bills and send waiting changes now."""
        if self.clinic is not None:
            self.clinic.sync_now()

    def reload_all_bills(self) -> None:
        """Ctrl+Shift+R: pull every bill again; bills the clinic removed leave the queue."""
        if self.clinic is not None:
            self.clinic.sync_now(full=True)

    def show_changed_bill(self, bill: Bill) -> None:
        """The receptionist accepted the clinic's change: show the bill as it is now."""
        self.detail.show_bill(bill)
        if not self.payment.holds_bill:
            self.payment.show_bill(bill)
        else:  # the open QR stays on screen; what comes next is for the new amount
            self.payment.bill = bill
        self.queue.reload()

    def show_health(self) -> HealthPanel:
        """Ctrl+H: PayMongo, the clinic server, the outbox, open payments, webhooks."""
        from pos_app.ui.health_panel import HealthPanel

        panel = self.health = self.health or HealthPanel(self)
        backend = self.payment.backend
        if backend is None or backend.health is None:
            panel.show_problem("Kaha is still connecting.")
        else:
            self._runner.run_db(
                backend.health,
                on_success=panel.show_health,
                on_failure=lambda exc: panel.show_problem(message_for(exc) or ""),
            )
        panel.show()
        return panel

    def toggle_customer_display(self) -> None:
        """F9: the patient-facing window, on the second screen when there is one."""
        if self.customer_display.isVisible():
            self.customer_display.hide()
        else:
            self.customer_display.place_on_second_screen()
            self.customer_display.show()

    def open_walk_in(self) -> WalkInDialog | None:
        """Ctrl+N: a bill for a patient who is not in the clinic's system."""
        backend = self.payment.backend
        if backend is None:
            self.statusBar().showMessage("Kaha is still connecting. Try again in a moment.", 5000)
            return None
        from pos_app.ui.walk_in import WalkInDialog

        dialog = self.walk_in = WalkInDialog(self)
        dialog.accepted.connect(lambda: self._create_walk_in(dialog))
        dialog.open()
        return dialog

    def open_senior_pwd(self) -> None:
        """Ctrl+D: the senior/PWD discount on the selected bill, before anything is collected."""
        from pos_app.ui.discount_dialog import open_discount

        open_discount(self, self._runner)

    def _create_walk_in(self, dialog: WalkInDialog) -> None:
        backend = self.payment.backend
        if backend is None:
            return
        name, lines = dialog.patient_name, list(dialog.bill_lines)
        self._runner.run_net(
            lambda: backend.collect.open_walk_in(name, lines),
            on_success=self._on_walk_in_opened,
            on_failure=lambda exc: self.statusBar().showMessage(message_for(exc) or "", 8000),
        )

    def _on_walk_in_opened(self, bill: Bill) -> None:
        self.statusBar().showMessage(f"Walk-in bill {bill.number} opened", 5000)
        self._select_after_load = bill.id
        if not self.payment.holds_bill:
            self.detail.show_bill(bill)
            self.payment.show_bill(bill)
        self.queue.search_box.clear()
        self.queue.reload()

    def show_overpayments(self) -> OverpaymentCasesDialog:
        """Ctrl+O: late or double payments that staff refund or apply to another bill."""
        if self.overpayments is None:
            from pos_app.ui.overpayment_cases import OverpaymentCasesDialog

            self.overpayments = OverpaymentCasesDialog(self._runner, self)
        self.overpayments.load(self.payment.backend)
        self.overpayments.show()
        return self.overpayments

    def _guarded_overpayments(self) -> None:
        """Ctrl+O for staff; a receptionist is asked for a staff or owner PIN first."""
        from pos_app.domain.roles import Permission

        self.guarded(Permission.REVIEW_OVERPAYMENTS, self.show_overpayments)

    def refund_guarded(self, bill_id: int | None) -> None:
        """A refund for staff; a receptionist is asked for a staff or owner PIN first (the
        approval covers the one refund; the refund service checks again)."""
        from pos_app.domain.roles import Permission

        self.guarded(Permission.REFUND, lambda: self.show_refund(bill_id))

    def show_refund(self, bill_id: int | None = None) -> RefundDialog | None:
        """Ctrl+Shift+F: give money back from a paid bill (``bill_id``: from the bill history)."""
        backend = self.payment.backend
        if backend is None or backend.refunds is None:
            self.statusBar().showMessage("Kaha is still connecting. Try again in a moment.", 5000)
            return None
        if self.refund_dialog is None:
            from pos_app.ui.refund_dialog import RefundDialog

            self.refund_dialog = RefundDialog(self._runner, backend.refunds, self)
        if bill_id is None:
            self.refund_dialog.open_search()
        else:
            self.refund_dialog.open_bill(bill_id)
        return self.refund_dialog

    def show_bill_history(self) -> None:
        """Ctrl+I: the selected bill's tenders, invoice, refunds and documents; Print reprints."""
        bill = self.queue.current_bill()
        if bill is None:
            self.statusBar().showMessage("Pick a bill in the list first.", 8000)
            return
        if self.bill_history is None:
            from pos_app.ui.bill_history import BillHistoryDialog

            self.bill_history = BillHistoryDialog(self._runner, self._receipts, self)
            self.bill_history.refund_requested.connect(self.refund_guarded)
        self.bill_history.open_bill(bill.id)

    def show_ejournal(self) -> None:
        """Ctrl+J: every printout of a day, as printed; staff and the owner (the service asks)."""
        if self.journal is None:
            self.statusBar().showMessage("The e-journal opens once the database is open.", 8000)
            return
        if self.ejournal is None:
            from pos_app.ui.ejournal_view import EJournalDialog

            self.ejournal = EJournalDialog(self._runner, self.journal, self)
        self.ejournal.show_day()

    def show_reconciliation(self) -> None:
        """Ctrl+R: reconcile with PayMongo now; the last result and every open case."""
        if self.reconciliation is not None:
            self.reconciliation.open()

    def show_payouts(self) -> PayoutsDialog | None:
        """Ctrl+Shift+P: PayMongo's payouts with their payments and invoices; CSV export.
        Reports need staff or above: None while their approval is asked for."""
        from pos_app.domain.roles import Permission

        opened: list[PayoutsDialog] = []
        self.guarded(Permission.VIEW_REPORTS, lambda: opened.append(self._open_payouts()))
        return opened[0] if opened else None

    def _open_payouts(self) -> PayoutsDialog:
        if self.payouts is None:
            from pos_app.ui.payouts_view import PayoutsDialog

            self.payouts = PayoutsDialog(self._runner, self)
        self.payouts.load(self.payment.backend)
        self.payouts.show()
        return self.payouts

    def _on_bill_selected(self, bill: Bill | None) -> None:
        if self._side is None:
            return  # shown by build_payment_side
        if self.payment.holds_bill:
            return  # the QR or the invoice on screen stays with its bill until it is done
        self.detail.show_bill(bill)
        self.payment.show_bill(bill)
        if self.clinic is not None:
            self.clinic.bill_shown(bill)

    def _on_next_patient(self) -> None:
        self.customer_display.show_idle()
        self.queue.search_box.clear()
        self.queue.search_box.setFocus()
        self.detail.show_bill(self.queue.current_bill())
        self.queue.refresh_selection()  # read it again: it may have been paid meanwhile

    def _on_bill_changed(self, bill: Bill) -> None:
        # the monitor reports every poll; only a change in what was paid is worth a repaint
        seen = (bill.status, bill.amount_paid)
        if self._payment_state.get(bill.id) == seen:
            return
        self._payment_state[bill.id] = seen
        if self.detail.bill is not None and self.detail.bill.id == bill.id:
            self.detail.show_bill(bill)
        self.queue.reload()

    def _on_settled(self, settlement: Settlement) -> None:
        self.customer_display.show_paid(settlement)
        self.statusBar().showMessage(
            f"Bill {settlement.bill.number} paid — invoice {settlement.invoice.number}", 8000
        )

    def _on_queue_loaded(self, count: int) -> None:
        if self.queue.showing_first_rows:
            self.statusBar().showMessage(f"Open bills as saved on this counter — {count} shown")
        elif self.clinic is not None and self.clinic.first_loading:
            self.statusBar().showMessage(f"Bills still arriving from the clinic — {count} shown")
        else:
            self.statusBar().showMessage(f"Bill queue up to date — {count} shown", 4000)
        wanted, self._select_after_load = self._select_after_load, None
        holds_bill = self._side is not None and self._side.payment.holds_bill
        if wanted is not None and not holds_bill:
            self.queue.select_bill(wanted)
        elif self.queue.current_summary() is None and count and not holds_bill:
            self.queue.table.selectRow(0)
